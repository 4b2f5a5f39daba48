//! The event log: what happened, turn by turn, and its digest.
//!
//! Every entry is fed to an xxh3 hasher as it is pushed, so the digest of a run is known
//! at any time without keeping a second copy. Same inputs and seed, same digest.

use crate::calendar::{Calendar, Date};
use crate::diplomacy::Relation;
use crate::model::TrespassResponse;
use crate::weather::Weather;
use bevy_ecs::prelude::Resource;
use serde::Serialize;
use std::fmt::{self, Write};
use xxhash_rust::xxh3::Xxh3;

/// One army's part in a battle.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BattleArmy {
    /// Army id.
    pub army: String,
    /// Its faction.
    pub faction: String,
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
    Weather { region: String, weather: Weather, forced: bool },
    /// A scripted event fired.
    Event { id: String, text: String },
    /// The relation between two factions changed.
    Relation { a: String, b: String, relation: Relation, cause: String },
    /// An envoy asked for passage.
    AccessRequest { requester: String, host: String },
    /// A request for passage was answered.
    AccessAnswer { host: String, requester: String, granted: bool },
    /// Access was granted outright.
    AccessGranted { grantor: String, grantee: String },
    /// Access ended (term, revocation, war).
    AccessEnded { grantor: String, grantee: String, cause: String },
    /// Tribute was paid.
    Tribute { payer: String, payee: String, silver: f64, silk: f64 },
    /// An army entered foreign land without access.
    Trespass { army: String, province: String, host: String },
    /// The host answered a trespass.
    TrespassAnswer {
        army: String,
        host: String,
        province: String,
        commander: Option<String>,
        response: TrespassResponse,
    },
    /// A battle.
    Battle {
        province: String,
        weather: Weather,
        winner: String,
        ratio: f64,
        rout: bool,
        winners: Vec<BattleArmy>,
        losers: Vec<BattleArmy>,
    },
    /// A beaten army fell back.
    Retreat { army: String, from: String, to: String },
    /// A beaten army had nowhere to fall back.
    Trapped { army: String, province: String },
    /// An army fell below the minimum and disbanded.
    ArmyDestroyed { army: String, cause: String },
    /// A siege began.
    SiegeBegun { province: String, besieger: String, garrison: f64, grain: f64 },
    /// An assault on walls.
    Assault { province: String, attackers: f64, garrison: f64, success: bool, attacker_lost: f64, defender_lost: f64 },
    /// A city's food ran out.
    SiegeStarving { province: String },
    /// A province changed hands.
    Captured { province: String, by: String, from: String, how: String },
    /// An army ran short of food.
    Starving { army: String, province: Option<String> },
    /// An army received reinforcements.
    Reinforced { army: String, men: f64 },
    /// A new army took the field.
    Spawned { army: String, province: String, men: f64 },
    /// A commander died or was removed.
    CommanderLost { commander: String, cause: String },
    /// A commander took over an army.
    CommanderAppointed { commander: String, army: String },
    /// An army arrived at the goal of its orders.
    Arrived { army: String, province: String },
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

/// The event log of a run.
#[derive(Resource, Clone)]
pub struct EventLog {
    entries: Vec<LogEntry>,
    hasher: Xxh3,
    scratch: String,
}

impl Default for EventLog {
    fn default() -> Self {
        EventLog { entries: Vec::new(), hasher: Xxh3::new(), scratch: String::new() }
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
        let entry = LogEntry { turn: cal.turn, date: cal.date, kind };
        self.scratch.clear();
        // Debug output of these plain types is stable for a given build: every field,
        // floats in shortest round-trip form.
        let _ = writeln!(self.scratch, "{entry:?}");
        self.hasher.update(self.scratch.as_bytes());
        self.entries.push(entry);
    }

    /// All entries so far.
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

fn side(armies: &[BattleArmy]) -> String {
    armies
        .iter()
        .map(|a| format!("{} ({} men, lost {})", a.army, men(a.men), men(a.lost)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for LogKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LogKind::*;
        match self {
            Weather { region, weather, forced } => {
                write!(f, "{weather:?} in {region}{}", if *forced { " (as recorded)" } else { "" })
            }
            Event { id, text } => {
                if text.is_empty() {
                    write!(f, "event {id}")
                } else {
                    write!(f, "{text}")
                }
            }
            Relation { a, b, relation, cause } => {
                let state = match relation {
                    crate::diplomacy::Relation::War => "at war".to_string(),
                    crate::diplomacy::Relation::Peace => "at peace".to_string(),
                    crate::diplomacy::Relation::Alliance => "allied".to_string(),
                    crate::diplomacy::Relation::Truce { until } => {
                        format!("in truce until {}", Date::from_days(*until))
                    }
                };
                write!(f, "{a} and {b} are now {state} ({cause})")
            }
            AccessRequest { requester, host } => write!(f, "{requester} asks {host} for passage"),
            AccessAnswer { host, requester, granted } => {
                write!(f, "{host} {} {requester}'s request for passage", if *granted { "grants" } else { "refuses" })
            }
            AccessGranted { grantor, grantee } => write!(f, "{grantor} opens its roads to {grantee}"),
            AccessEnded { grantor, grantee, cause } => {
                write!(f, "{grantor}'s grant of passage to {grantee} ends ({cause})")
            }
            Tribute { payer, payee, silver, silk } => {
                write!(
                    f,
                    "{payer} pays {payee} tribute: {} taels of silver, {} bolts of silk",
                    men(*silver),
                    men(*silk)
                )
            }
            Trespass { army, province, host } => {
                write!(f, "{army} crosses into {host} land at {province} without leave")
            }
            TrespassAnswer { army, host, province, commander, response } => {
                let who = commander.as_ref().map_or_else(|| host.clone(), |c| format!("{c} ({host})"));
                let what = match response {
                    TrespassResponse::Resist => "resists",
                    TrespassResponse::Ignore => "lets it pass",
                    TrespassResponse::Flee => "flees",
                    TrespassResponse::Supply => "gives way and supplies grain and guides to",
                };
                write!(f, "at {province}, {who} {what} {army}")
            }
            Battle { province, weather, winner, ratio, rout, winners, losers } => write!(
                f,
                "battle at {province} ({weather:?}): {winner} wins, odds {ratio:.2}{}; victors {}; vanquished {}",
                if *rout { ", the beaten side routs" } else { "" },
                side(winners),
                side(losers)
            ),
            Retreat { army, from, to } => write!(f, "{army} falls back from {from} to {to}"),
            Trapped { army, province } => write!(f, "{army} is trapped at {province} with nowhere to fall back"),
            ArmyDestroyed { army, cause } => write!(f, "{army} is destroyed ({cause})"),
            SiegeBegun { province, besieger, garrison, grain } => {
                write!(
                    f,
                    "{besieger} lays siege to {province} ({} defenders, {} shi of grain inside)",
                    men(*garrison),
                    men(*grain)
                )
            }
            Assault { province, attackers, garrison, success, attacker_lost, defender_lost } => write!(
                f,
                "assault on {province}: {} attackers against {} defenders, {}; attackers lost {}, defenders {}",
                men(*attackers),
                men(*garrison),
                if *success { "the walls are carried" } else { "repulsed" },
                men(*attacker_lost),
                men(*defender_lost)
            ),
            SiegeStarving { province } => write!(f, "the food in {province} is gone"),
            Captured { province, by, from, how } => write!(f, "{by} takes {province} from {from} ({how})"),
            Starving { army, province } => match province {
                Some(p) => write!(f, "{army} runs short of food at {p}"),
                None => write!(f, "{army} runs short of food on the march"),
            },
            Reinforced { army, men: m } => write!(f, "{army} receives {} men", men(*m)),
            Spawned { army, province, men: m } => {
                write!(f, "{army} takes the field at {province} with {} men", men(*m))
            }
            CommanderLost { commander, cause } => write!(f, "{commander} is lost ({cause})"),
            CommanderAppointed { commander, army } => write!(f, "{commander} takes command of {army}"),
            Arrived { army, province } => write!(f, "{army} reaches {province}"),
            RunEnded { reason } => write!(f, "the run ends: {reason}"),
        }
    }
}

impl fmt::Display for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}  {}", self.date, self.kind)
    }
}
