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
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use xxhash_rust::xxh3::Xxh3;

/// A scripted event, by declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventId(pub u32);

impl<'de> Deserialize<'de> for EventId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d).map(EventId)
    }
}

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

impl<'de> Deserialize<'de> for EventText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d).map(EventText)
    }
}

impl Serialize for EventText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match crate::ids::scoped(|n| n.events.get(self.0 as usize).map(|e| e.name.clone())) {
            Some(k) => s.serialize_str(&k),
            None => s.serialize_u32(self.0),
        }
    }
}

/// Why something happened, where the engine says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The ranks lost all order.
    #[serde(rename = "broken up")]
    BrokenUp,
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
            Cause::BrokenUp => "broken up",
        })
    }
}

/// One army's part in a battle.
#[derive(Clone, Debug, Serialize, PartialEq, Deserialize)]
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
#[derive(Clone, Debug, Serialize, PartialEq, Deserialize)]
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
    /// An army's cold stress passed `exposure_report`: it is freezing.
    Freezing { army: ArmyId, province: Option<ProvinceId> },
    /// An army's rival commanders could not agree: it waits this turn.
    Hesitated { army: ArmyId },
    /// An army without guides lost its way on a mountain route.
    LostWay { army: ArmyId, from: ProvinceId, to: ProvinceId },
    /// An army took on local guides, under an access grant that gives them.
    GuidesJoin { army: ArmyId, province: ProvinceId },
    /// A province's people began to go short of bread (famine).
    Famine { province: ProvinceId },
    /// An army sacked a place: grain carried off, grain spoilt, people killed or driven off.
    Sacked { province: ProvinceId, army: ArmyId, grain: f64, spoilt: f64, people: f64 },
    /// Two hostile armies on one route met there, nearer to province `near` (and halted,
    /// to fight).
    Met { route: RouteId, near: ProvinceId, army: ArmyId, other: ArmyId },
    /// An army refused battle and slipped away to a neighbouring province.
    Evaded { army: ArmyId, from: ProvinceId, to: ProvinceId },
    /// An army tried to refuse battle and was brought to it.
    Caught { army: ArmyId, province: ProvinceId },
    /// Enemy horse harassed an army this turn: men lost, baggage grain destroyed, and the
    /// share of it the harasser carried off.
    Harassed { army: ArmyId, by: ArmyId, lost: f64, food: f64, taken: f64 },
    /// A beaten army lost part of its baggage train: grain lost, and how much of it the
    /// victors took.
    BaggageLost { army: ArmyId, food: f64, taken: f64 },
    /// A routed army was pursued by enemy horse this turn: men killed, taken and scattered.
    Pursued { army: ArmyId, killed: f64, captured: f64, dispersed: f64 },
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
    /// Men an army lost away from battle in a month, by cause.
    Wastage { army: ArmyId, year: i32, month: u8, hunger: f64, cold: f64, disease: f64, rough: f64 },
    /// A river route flooded and is closed until a date.
    Flooded { route: RouteId, until: Date },
    /// The run ended before its last date.
    RunEnded { reason: String },
}

/// A log entry: when, and what.
#[derive(Clone, Debug, Serialize, PartialEq, Deserialize)]
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
        self.hash(cal.turn, cal.date, &kind);
        if self.keep {
            self.entries.push(LogEntry { turn: cal.turn, date: cal.date, kind });
        }
    }

    /// Feeds an entry to the digest.
    fn hash(&mut self, turn: u32, date: Date, kind: &LogKind) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        // Encoding into a Vec cannot fail.
        buf = postcard::to_extend(&Encoded(turn, date.to_days(), kind), buf).unwrap_or_default();
        self.hasher.update(&buf);
        self.scratch = buf;
    }

    /// Replaces the log with `entries` (a snapshot's), as if they had been pushed one by
    /// one: the same digest, and the entries kept if this log keeps them.
    pub fn restore(&mut self, entries: &[LogEntry]) {
        self.clear();
        for e in entries {
            self.hash(e.turn, e.date, &e.kind);
        }
        if self.keep {
            self.entries.extend_from_slice(entries);
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

/// A number of men (or shi, or taels) for people: rounded, with thousands separated by commas.
pub fn men(x: f64) -> String {
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

/// How a chronicle names things.
#[derive(Clone, Copy, Debug)]
enum Style<'a> {
    /// By the scenario's keys (`tolui_right_wing`).
    Keys,
    /// By display names, with the Chinese name the first time a thing is named.
    Names(&'a std::cell::RefCell<Mentioned>),
}

/// What a chronicle has named already (so the Chinese name is given once).
#[derive(Clone, Debug, Default)]
pub struct Mentioned {
    seen: [Vec<bool>; 6],
}

/// An id that a chronicle names.
trait Nameable: Copy {
    /// Which list of [`Names`] it indexes, and where.
    fn slot(self) -> (usize, usize);
}

macro_rules! nameable {
    ($($t:ty => $k:literal),*) => { $(impl Nameable for $t { fn slot(self) -> (usize, usize) { ($k, self.index()) } })* };
}
nameable!(FactionId => 0, ProvinceId => 1, ArmyId => 2, CommanderId => 3, RouteId => 4);

fn list(names: &Names, kind: usize) -> &[crate::ids::Name] {
    match kind {
        0 => &names.factions,
        1 => &names.provinces,
        2 => &names.armies,
        3 => &names.commanders,
        4 => &names.routes,
        _ => &names.regions,
    }
}

/// An entry with the names to show it by.
pub struct Shown<'a> {
    entry: &'a LogEntry,
    names: &'a Names,
    style: Style<'a>,
}

impl Shown<'_> {
    fn name(&self, id: impl Nameable) -> String {
        let (kind, i) = id.slot();
        let Some(n) = list(self.names, kind).get(i) else { return "?".into() };
        match self.style {
            Style::Keys => n.key.clone(),
            Style::Names(mentioned) => {
                let shown = if n.name.is_empty() { n.key.clone() } else { n.name.clone() };
                let mut m = mentioned.borrow_mut();
                let seen = &mut m.seen[kind];
                if seen.len() <= i {
                    seen.resize(i + 1, false);
                }
                let first = !seen[i];
                seen[i] = true;
                if first && !n.name_zh.is_empty() { format!("{shown} ({})", n.name_zh) } else { shown }
            }
        }
    }
}

impl LogEntry {
    /// The entry as a chronicle line, naming things by the scenario's keys.
    pub fn shown<'a>(&'a self, names: &'a Names) -> Shown<'a> {
        Shown { entry: self, names, style: Style::Keys }
    }

    /// The entry as a chronicle line for people: things by their display names, with
    /// the Chinese name the first time `mentioned` sees them.
    pub fn told<'a>(&'a self, names: &'a Names, mentioned: &'a std::cell::RefCell<Mentioned>) -> Shown<'a> {
        Shown { entry: self, names, style: Style::Names(mentioned) }
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LogKind::*;
        let n = self.names;
        let side = |armies: &[BattleArmy]| {
            armies
                .iter()
                .map(|a| format!("{} ({} men, lost {})", self.name(a.army), men(a.men), men(a.lost)))
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
                write!(f, "{} and {} are now {state} ({cause})", self.name(*a), self.name(*b))
            }
            AccessRequest { requester, host } => {
                write!(f, "envoys of {} ask {} for passage", self.name(*requester), self.name(*host))
            }
            AccessAnswer { host, requester, granted } => write!(
                f,
                "passage through {}'s land for {}: {}",
                self.name(*host),
                self.name(*requester),
                if *granted { "granted" } else { "refused" }
            ),
            AccessGranted { grantor, grantee } => {
                write!(f, "the roads of {} open to {}", self.name(*grantor), self.name(*grantee))
            }
            AccessEnded { grantor, grantee, cause } => {
                write!(f, "{}'s grant of passage to {} ends ({cause})", self.name(*grantor), self.name(*grantee))
            }
            Tribute { payer, payee, silver, silk } => write!(
                f,
                "tribute from {} to {}: {} taels of silver, {} bolts of silk",
                self.name(*payer),
                self.name(*payee),
                men(*silver),
                men(*silk)
            ),
            Trespass { army, province, host } => {
                write!(
                    f,
                    "{} crosses into {} land at {} without leave",
                    self.name(*army),
                    self.name(*host),
                    self.name(*province)
                )
            }
            TrespassAnswer { army, host, province, commander, response } => {
                let who = match commander.and_then(|c| n.commanders.get(c.index())) {
                    Some(c) => format!("{} ({})", c.name, self.name(*host)),
                    None => self.name(*host),
                };
                let (army, province) = (self.name(*army), self.name(*province));
                match response {
                    TrespassResponse::Resist => write!(f, "at {province}, {who} resists {army}"),
                    TrespassResponse::Ignore => write!(f, "at {province}, {who} lets {army} pass"),
                    TrespassResponse::Flee => write!(f, "at {province}, {who} flees before {army}"),
                    TrespassResponse::Supply => {
                        write!(f, "at {province}, {who} gives way to {army} and supplies grain and guides")
                    }
                }
            }
            Battle { province, weather, winner, ratio, rout, winners, losers } => write!(
                f,
                "battle at {} ({weather:?}), won by {} at odds {ratio:.2}{}; victors {}; vanquished {}",
                self.name(*province),
                self.name(*winner),
                if *rout { ", the beaten side routs" } else { "" },
                side(winners),
                side(losers)
            ),
            // Caught on the road near a province, an army falls back to that province.
            Retreat { army, from, to } if from == to => {
                write!(f, "{} falls back to {}", self.name(*army), self.name(*to))
            }
            Retreat { army, from, to } => {
                write!(f, "{} falls back from {} to {}", self.name(*army), self.name(*from), self.name(*to))
            }
            Trapped { army, province } => {
                write!(f, "{} is trapped at {} with nowhere to fall back", self.name(*army), self.name(*province))
            }
            ArmyDestroyed { army, cause } => write!(f, "{} is destroyed ({cause})", self.name(*army)),
            SiegeBegun { province, besieger, garrison, grain } => write!(
                f,
                "siege of {} by {} ({} defenders, {} shi of grain inside)",
                self.name(*province),
                self.name(*besieger),
                men(*garrison),
                men(*grain)
            ),
            Assault { province, attackers, garrison, success, attacker_lost, defender_lost } => write!(
                f,
                "assault on {}: {} attackers against {} defenders, {}; attackers lost {}, defenders {}",
                self.name(*province),
                men(*attackers),
                men(*garrison),
                if *success { "the walls are carried" } else { "repulsed" },
                men(*attacker_lost),
                men(*defender_lost)
            ),
            SiegeStarving { province } => write!(f, "the food in {} is gone", self.name(*province)),
            Captured { province, by, from, how } => {
                write!(f, "{} taken by {} from {} ({how})", self.name(*province), self.name(*by), self.name(*from))
            }
            Starving { army, province } => match province {
                Some(p) => write!(f, "{} runs short of food at {}", self.name(*army), self.name(*p)),
                None => write!(f, "{} runs short of food on the march", self.name(*army)),
            },
            Freezing { army, province } => match province {
                Some(p) => write!(f, "{} is freezing at {}", self.name(*army), self.name(*p)),
                None => write!(f, "{} is freezing on the march", self.name(*army)),
            },
            Hesitated { army } => write!(f, "the rival commanders of {} cannot agree: it waits", self.name(*army)),
            LostWay { army, from, to } => {
                write!(f, "{} loses its way between {} and {}", self.name(*army), self.name(*from), self.name(*to))
            }
            GuidesJoin { army, province } => {
                write!(f, "{} takes on local guides at {}", self.name(*army), self.name(*province))
            }
            Famine { province } => write!(f, "famine in {}: its people go short of bread", self.name(*province)),
            Sacked { province, army, grain, spoilt, people } => write!(
                f,
                "{} sacks {}: {} shi carried off, {} spoilt, {} people killed or driven off",
                self.name(*army),
                self.name(*province),
                men(*grain),
                men(*spoilt),
                men(*people)
            ),
            Met { near, army, other, .. } => {
                write!(f, "{} and {} meet on the road near {}", self.name(*army), self.name(*other), self.name(*near))
            }
            Evaded { army, from, to } => {
                write!(
                    f,
                    "{} refuses battle at {} and slips away to {}",
                    self.name(*army),
                    self.name(*from),
                    self.name(*to)
                )
            }
            Caught { army, province } => {
                write!(
                    f,
                    "{} tries to refuse battle at {} but is brought to it",
                    self.name(*army),
                    self.name(*province)
                )
            }
            Harassed { army, by, lost, food, taken } => {
                write!(f, "{} is harassed by {}: {} men lost", self.name(*army), self.name(*by), men(*lost))?;
                if food.round() >= 1.0 {
                    write!(f, ", {} shi of baggage destroyed", men(*food))?;
                }
                if taken.round() >= 1.0 {
                    write!(f, " ({} carried off)", men(*taken))?;
                }
                Ok(())
            }
            BaggageLost { army, food, taken } => {
                write!(f, "{} loses {} shi of its baggage", self.name(*army), men(*food))?;
                if taken.round() >= 1.0 {
                    write!(f, " ({} taken by the enemy)", men(*taken))?;
                }
                Ok(())
            }
            Pursued { army, killed, captured, dispersed } => write!(
                f,
                "{} is pursued by enemy horse: {} killed, {} taken, {} scattered",
                self.name(*army),
                men(*killed),
                men(*captured),
                men(*dispersed)
            ),
            Reinforced { army, men: m } => write!(f, "{} receives {} men", self.name(*army), men(*m)),
            Spawned { army, province, men: m } => {
                write!(f, "{} takes the field at {} with {} men", self.name(*army), self.name(*province), men(*m))
            }
            CommanderLost { commander, cause } => write!(f, "{} is lost ({cause})", self.name(*commander)),
            CommanderAppointed { commander, army } => {
                write!(f, "{} takes command of {}", self.name(*commander), self.name(*army))
            }
            Arrived { army, province } => write!(f, "{} reaches {}", self.name(*army), self.name(*province)),
            Wastage { army, year, month, hunger, cold, disease, rough } => {
                let causes: Vec<String> =
                    [(*hunger, "hunger"), (*cold, "cold"), (*disease, "disease"), (*rough, "the mountain ways")]
                        .iter()
                        .filter(|(m, _)| m.round() >= 1.0)
                        .map(|(m, what)| format!("{} to {what}", men(*m)))
                        .collect();
                const MONTHS: [&str; 12] = [
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "December",
                ];
                let month = MONTHS.get(usize::from(*month).saturating_sub(1)).copied().unwrap_or("?");
                write!(
                    f,
                    "{} lost {} men away from battle in {month} {year}: {}",
                    self.name(*army),
                    men(hunger + cold + disease + rough),
                    causes.join(", ")
                )
            }
            Flooded { route, until } => {
                write!(f, "the river floods the way {}, closed until {until}", self.name(*route))
            }
            RunEnded { reason } => write!(f, "the run ends: {reason}"),
        }
    }
}
