//! The event log: what happened, turn by turn, and its digest.
//!
//! Entries are data (ids and numbers, never formatted text): they become text only when a
//! chronicle is printed ([`LogEntry::shown`]) and JSON only when an event file is written
//! (ids as scenario keys, inside [`with_names`](crate::ids::with_names)). Each entry is fed
//! to an xxh3 hasher as it is pushed, encoded with postcard (a stable, documented binary
//! encoding of the entry's fields in declaration order: integers as varints, floats as
//! 8 little-endian bytes, ids as their numbers), so the digest of a run is known at any
//! time. A batch keeps only the digest ([`EventLog::keep_entries`]).

use crate::calendar::{Calendar, Date};
use crate::ids::{ArmyId, CommanderId, FactionId, Names, ProvinceId, RegionId, RouteId};
use crate::model::diplomacy::Relation;
use crate::model::faction::TrespassResponse;
use crate::model::weather::Weather;
use bevy_ecs::prelude::Resource;
use serde::{Serialize, Serializer};
use std::fmt;
use xxhash_rust::xxh3::Xxh3;

/// A scripted event, by declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId(pub u32);

impl Serialize for EventId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::ids::scoped(|n| n.events.get(self.0 as usize).map(|e| e.key.clone())) {
            Some(k) => s.serialize_str(&k),
            None => s.serialize_u32(self.0),
        }
    }
}

/// The chronicle text of a scripted event (serialized as the text inside
/// [`with_names`](crate::ids::with_names), as the event number elsewhere).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventText(pub u32);

impl Serialize for EventText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::ids::scoped(|n| n.events.get(self.0 as usize).map(|e| e.name.clone())) {
            Some(k) => s.serialize_str(&k),
            None => s.serialize_u32(self.0),
        }
    }
}

/// Why something happened, where the engine says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Cause {
    /// A scripted event did it.
    #[serde(rename = "event")]
    Event,
    /// A host resisted a trespass.
    #[serde(rename = "trespass resisted")]
    TrespassResisted,
    /// A truce ran out.
    #[serde(rename = "truce expired")]
    TruceExpired,
    /// An agreement's term ended.
    #[serde(rename = "term ended")]
    TermEnded,
    /// An agreement was revoked.
    #[serde(rename = "revoked")]
    Revoked,
    /// War broke out.
    #[serde(rename = "war")]
    War,
    /// An army fell below the minimum.
    #[serde(rename = "too few men left")]
    TooFewMen,
    /// Nobody defended the walls.
    #[serde(rename = "undefended")]
    Undefended,
    /// The garrison starved and gave up.
    #[serde(rename = "starved into surrender")]
    Starved,
    /// The walls were carried.
    #[serde(rename = "by assault")]
    Assault,
    /// A treaty or event handed it over.
    #[serde(rename = "by treaty or event")]
    Treaty,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cause::Event => "event",
            Cause::TrespassResisted => "trespass resisted",
            Cause::TruceExpired => "truce expired",
            Cause::TermEnded => "term ended",
            Cause::Revoked => "revoked",
            Cause::War => "war",
            Cause::TooFewMen => "too few men left",
            Cause::Undefended => "undefended",
            Cause::Starved => "starved into surrender",
            Cause::Assault => "by assault",
            Cause::Treaty => "by treaty or event",
        })
    }
}

/// One army's part in a battle.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BattleArmy {
    /// The army.
    pub army: ArmyId,
    /// Its faction.
    pub faction: FactionId,
    /// Men before the battle.
    pub men: f64,
    /// Men lost.
    pub lost: f64,
}

/// What happened.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogKind {
    /// Extreme weather began in a region.
    Weather { region: RegionId, weather: Weather, forced: bool },
    /// A scripted event fired.
    Event { id: EventId, text: EventText },
    /// The relation between two factions changed.
    Relation { a: FactionId, b: FactionId, relation: Relation, cause: Cause },
    /// An envoy asked for passage.
    AccessRequest { requester: FactionId, host: FactionId },
    /// A request for passage was answered.
    AccessAnswer { host: FactionId, requester: FactionId, granted: bool },
    /// Access was granted outright.
    AccessGranted { grantor: FactionId, grantee: FactionId },
    /// Access ended (term, revocation, war).
    AccessEnded { grantor: FactionId, grantee: FactionId, cause: Cause },
    /// Tribute was paid.
    Tribute { payer: FactionId, payee: FactionId, silver: f64, silk: f64 },
    /// An army entered foreign land without access.
    Trespass { army: ArmyId, province: ProvinceId, host: FactionId },
    /// The host answered a trespass.
    TrespassAnswer {
        army: ArmyId,
        host: FactionId,
        province: ProvinceId,
        commander: Option<CommanderId>,
        response: TrespassResponse,
    },
    /// A battle.
    Battle {
        province: ProvinceId,
        weather: Weather,
        winner: FactionId,
        ratio: f64,
        rout: bool,
        winners: Vec<BattleArmy>,
        losers: Vec<BattleArmy>,
    },
    /// A beaten army fell back.
    Retreat { army: ArmyId, from: ProvinceId, to: ProvinceId },
    /// A beaten army had nowhere to fall back.
    Trapped { army: ArmyId, province: ProvinceId },
    /// An army fell below the minimum and disbanded.
    ArmyDestroyed { army: ArmyId, cause: Cause },
    /// A siege began.
    SiegeBegun { province: ProvinceId, besieger: FactionId, garrison: f64, grain: f64 },
    /// An assault on walls.
    Assault {
        province: ProvinceId,
        attackers: f64,
        garrison: f64,
        success: bool,
        attacker_lost: f64,
        defender_lost: f64,
    },
    /// A city's food ran out.
    SiegeStarving { province: ProvinceId },
    /// A province changed hands.
    Captured { province: ProvinceId, by: FactionId, from: FactionId, how: Cause },
    /// An army ran short of food.
    Starving { army: ArmyId, province: Option<ProvinceId> },
    /// An army received reinforcements.
    Reinforced { army: ArmyId, men: f64 },
    /// A new army took the field.
    Spawned { army: ArmyId, province: ProvinceId, men: f64 },
    /// A commander died or was removed.
    CommanderLost { commander: CommanderId, cause: String },
    /// A commander took over an army.
    CommanderAppointed { commander: CommanderId, army: ArmyId },
    /// An army arrived at the goal of its orders.
    Arrived { army: ArmyId, province: ProvinceId },
    /// A river route flooded and is closed until a date.
    Flooded { route: RouteId, until: Date },
    /// The run ended before its last date.
    RunEnded { reason: String },
}

/// A log entry: when, and what.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LogEntry {
    /// Turn number (0-based).
    pub turn: u32,
    /// First day of that turn.
    pub date: Date,
    /// What happened.
    #[serde(flatten)]
    pub kind: LogKind,
}

/// The digest encoding of an entry: postcard cannot encode serde's `flatten`, so the
/// digest sees (turn, day number, kind) as a tuple.
#[derive(Serialize)]
struct Encoded<'a>(u32, i64, &'a LogKind);

/// The event log of a run.
#[derive(Resource, Clone)]
pub struct EventLog {
    entries: Vec<LogEntry>,
    keep: bool,
    hasher: Xxh3,
    scratch: Vec<u8>,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog { entries: Vec::new(), keep: true, hasher: Xxh3::new(), scratch: Vec::new() }
    }
}

impl fmt::Debug for EventLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventLog").field("entries", &self.entries.len()).field("digest", &self.digest()).finish()
    }
}

impl EventLog {
    /// Appends an entry dated by the calendar's current turn.
    pub fn push(&mut self, cal: &Calendar, kind: LogKind) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        // Encoding into a Vec cannot fail.
        buf = postcard::to_extend(&Encoded(cal.turn, cal.date.to_days(), &kind), buf).unwrap_or_default();
        self.hasher.update(&buf);
        self.scratch = buf;
        if self.keep {
            self.entries.push(LogEntry { turn: cal.turn, date: cal.date, kind });
        }
    }

    /// Whether entries are kept (a chronicle or event file needs them) or only hashed
    /// into the digest (a batch needs no more).
    pub fn keep_entries(&mut self, keep: bool) {
        self.keep = keep;
    }

    /// Whether entries are kept.
    pub fn keeps_entries(&self) -> bool {
        self.keep
    }

    /// Forgets every entry and starts a new digest, keeping the buffers.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.hasher.reset();
    }

    /// All entries kept so far.
    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// The digest of the log so far: 16 hex digits.
    pub fn digest(&self) -> String {
        format!("{:016x}", self.digest_u64())
    }

    /// The digest as a number.
    pub fn digest_u64(&self) -> u64 {
        self.hasher.digest()
    }
}

fn men(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// An entry with the names to show it by.
pub struct Shown<'a> {
    entry: &'a LogEntry,
    names: &'a Names,
}

impl LogEntry {
    /// The entry as a chronicle line, naming things by the scenario's keys.
    pub fn shown<'a>(&'a self, names: &'a Names) -> Shown<'a> {
        Shown { entry: self, names }
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LogKind::*;
        let n = self.names;
        let side = |armies: &[BattleArmy]| {
            armies
                .iter()
                .map(|a| format!("{} ({} men, lost {})", a.army.key(n), men(a.men), men(a.lost)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "{}  ", self.entry.date)?;
        match &self.entry.kind {
            Weather { region, weather, forced } => {
                let key = n.regions.get(region.index()).map_or("?", |r| r.key.as_str());
                write!(f, "{weather:?} in {key}{}", if *forced { " (as recorded)" } else { "" })
            }
            Event { id, .. } => match n.events.get(id.0 as usize) {
                Some(e) if !e.name.is_empty() => write!(f, "{}", e.name),
                Some(e) => write!(f, "event {}", e.key),
                None => write!(f, "event {}", id.0),
            },
            Relation { a, b, relation, cause } => {
                let state = match relation {
                    crate::model::diplomacy::Relation::War => "at war".to_string(),
                    crate::model::diplomacy::Relation::Peace => "at peace".to_string(),
                    crate::model::diplomacy::Relation::Alliance => "allied".to_string(),
                    crate::model::diplomacy::Relation::Truce { until } => {
                        format!("in truce until {}", Date::from_days(*until))
                    }
                };
                write!(f, "{} and {} are now {state} ({cause})", a.key(n), b.key(n))
            }
            AccessRequest { requester, host } => write!(f, "{} asks {} for passage", requester.key(n), host.key(n)),
            AccessAnswer { host, requester, granted } => write!(
                f,
                "{} {} {}'s request for passage",
                host.key(n),
                if *granted { "grants" } else { "refuses" },
                requester.key(n)
            ),
            AccessGranted { grantor, grantee } => {
                write!(f, "{} opens its roads to {}", grantor.key(n), grantee.key(n))
            }
            AccessEnded { grantor, grantee, cause } => {
                write!(f, "{}'s grant of passage to {} ends ({cause})", grantor.key(n), grantee.key(n))
            }
            Tribute { payer, payee, silver, silk } => write!(
                f,
                "{} pays {} tribute: {} taels of silver, {} bolts of silk",
                payer.key(n),
                payee.key(n),
                men(*silver),
                men(*silk)
            ),
            Trespass { army, province, host } => {
                write!(f, "{} crosses into {} land at {} without leave", army.key(n), host.key(n), province.key(n))
            }
            TrespassAnswer { army, host, province, commander, response } => {
                let who = match commander.and_then(|c| n.commanders.get(c.index())) {
                    Some(c) => format!("{} ({})", c.name, host.key(n)),
                    None => host.key(n).to_string(),
                };
                let what = match response {
                    TrespassResponse::Resist => "resists",
                    TrespassResponse::Ignore => "lets it pass",
                    TrespassResponse::Flee => "flees",
                    TrespassResponse::Supply => "gives way and supplies grain and guides to",
                };
                write!(f, "at {}, {who} {what} {}", province.key(n), army.key(n))
            }
            Battle { province, weather, winner, ratio, rout, winners, losers } => write!(
                f,
                "battle at {} ({weather:?}): {} wins, odds {ratio:.2}{}; victors {}; vanquished {}",
                province.key(n),
                winner.key(n),
                if *rout { ", the beaten side routs" } else { "" },
                side(winners),
                side(losers)
            ),
            Retreat { army, from, to } => {
                write!(f, "{} falls back from {} to {}", army.key(n), from.key(n), to.key(n))
            }
            Trapped { army, province } => {
                write!(f, "{} is trapped at {} with nowhere to fall back", army.key(n), province.key(n))
            }
            ArmyDestroyed { army, cause } => write!(f, "{} is destroyed ({cause})", army.key(n)),
            SiegeBegun { province, besieger, garrison, grain } => write!(
                f,
                "{} lays siege to {} ({} defenders, {} shi of grain inside)",
                besieger.key(n),
                province.key(n),
                men(*garrison),
                men(*grain)
            ),
            Assault { province, attackers, garrison, success, attacker_lost, defender_lost } => write!(
                f,
                "assault on {}: {} attackers against {} defenders, {}; attackers lost {}, defenders {}",
                province.key(n),
                men(*attackers),
                men(*garrison),
                if *success { "the walls are carried" } else { "repulsed" },
                men(*attacker_lost),
                men(*defender_lost)
            ),
            SiegeStarving { province } => write!(f, "the food in {} is gone", province.key(n)),
            Captured { province, by, from, how } => {
                write!(f, "{} takes {} from {} ({how})", by.key(n), province.key(n), from.key(n))
            }
            Starving { army, province } => match province {
                Some(p) => write!(f, "{} runs short of food at {}", army.key(n), p.key(n)),
                None => write!(f, "{} runs short of food on the march", army.key(n)),
            },
            Reinforced { army, men: m } => write!(f, "{} receives {} men", army.key(n), men(*m)),
            Spawned { army, province, men: m } => {
                write!(f, "{} takes the field at {} with {} men", army.key(n), province.key(n), men(*m))
            }
            CommanderLost { commander, cause } => write!(f, "{} is lost ({cause})", commander.key(n)),
            CommanderAppointed { commander, army } => {
                write!(f, "{} takes command of {}", commander.key(n), army.key(n))
            }
            Arrived { army, province } => write!(f, "{} reaches {}", army.key(n), province.key(n)),
            Flooded { route, until } => write!(f, "the river floods the way {}, closed until {until}", route.key(n)),
            RunEnded { reason } => write!(f, "the run ends: {reason}"),
        }
    }
}
