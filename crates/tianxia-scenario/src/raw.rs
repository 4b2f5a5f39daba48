//! The RON schema: serde types as close to the file as possible. Ids are plain strings
//! here; [`crate::resolve`] checks every reference and turns them into engine ids.
//!
//! Leaves that a later check may complain about are [`Sp`]: they remember where in the
//! source they were, so the complaint can point at the value, not just the file.

use ron::value::RawValue;
use serde::{Deserialize, Deserializer};
use std::fmt;
pub use tianxia_engine::calendar::Season;
pub use tianxia_engine::model::army::Stance;
pub use tianxia_engine::model::commander::Fate;
pub use tianxia_engine::model::commander::Trait;
pub use tianxia_engine::model::faction::{Posture, Sack, TrespassResponse as Response};
pub use tianxia_engine::model::province::Terrain;
pub use tianxia_engine::model::route::RouteKind;
pub use tianxia_engine::model::weather::Weather;

/// Parser options used for every scenario text: `Some(..)` may be omitted.
pub fn options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// A value with the address and length of its source text.
#[derive(Clone)]
pub struct Sp<T> {
    /// The value.
    pub value: T,
    /// Address of the source text (compare with [`Sources::locate`](crate::error::Sources::locate)).
    pub addr: usize,
    /// Length of the source text.
    pub len: usize,
}

impl<T> Sp<T> {
    /// A value with no source text (made by a default).
    pub fn synthetic(value: T) -> Sp<T> {
        Sp { value, addr: 0, len: 0 }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sp<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<'de, T: for<'a> Deserialize<'a>> Deserialize<'de> for Sp<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &RawValue = <&RawValue>::deserialize(d)?;
        let text = raw.get_ron().trim();
        let value = options().from_str::<T>(text).map_err(|e| serde::de::Error::custom(e.code))?;
        Ok(Sp { value, addr: text.as_ptr() as usize, len: text.len() })
    }
}

impl<T: Default> Default for Sp<T> {
    fn default() -> Self {
        Sp::synthetic(T::default())
    }
}

/// An uncertain number: a distribution sampled once per run.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Dist {
    /// Uniform between the two bounds.
    Uniform(f64, f64),
    /// Triangular: min, mode, max.
    Triangular(f64, f64, f64),
    /// Normal, redrawn until within the bounds.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// One of the values, with weights.
    Choice(Vec<(f64, f64)>),
}

/// A number, or a distribution of numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Num {
    /// A fixed value.
    Fixed(f64),
    /// A distribution.
    Dist(Dist),
}

impl Default for Num {
    fn default() -> Self {
        Num::Fixed(0.0)
    }
}

impl From<f64> for Num {
    fn from(x: f64) -> Self {
        Num::Fixed(x)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &RawValue = <&RawValue>::deserialize(d)?;
        let text = raw.get_ron().trim();
        if let Ok(x) = options().from_str::<f64>(text) {
            return Ok(Num::Fixed(x));
        }
        if text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.') {
            return Err(serde::de::Error::custom(format!("`{text}` is not a number")));
        }
        options().from_str::<Dist>(text).map(Num::Dist).map_err(|e| {
            serde::de::Error::custom(format!(
                "expected a number or a distribution (uniform(a, b), triangular(min, mode, max), normal(mean:, sd:, min:, max:), choice([(value, weight), ..])): {}",
                e.code
            ))
        })
    }
}

/// A number field with a source position.
pub type N = Sp<Num>;

fn n(x: f64) -> N {
    Sp::synthetic(Num::Fixed(x))
}

/// The top of a scenario file: settings plus the sections as raw entry lists.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Top<'a> {
    pub id: Sp<String>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub start: Sp<String>,
    pub end: Sp<String>,
    pub turn_days: Sp<i64>,
    #[serde(default, borrow)]
    pub params: Option<&'a RawValue>,
    #[serde(default, borrow)]
    pub regions: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub factions: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub provinces: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub routes: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub commanders: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub armies: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub relations: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub tributes: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub access: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub objectives: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub events: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub outcomes: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub flags: Vec<&'a RawValue>,
    #[serde(default, borrow)]
    pub variants: Vec<&'a RawValue>,
}

/// A layer of changes: the body of a variant or of a mod file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Layer<'a> {
    /// New or replacement entries, by section.
    #[serde(default, borrow)]
    pub add: std::collections::BTreeMap<String, Vec<&'a RawValue>>,
    /// Field overrides: `"armies.tolui_right_wing.cavalry": 50000`.
    #[serde(default, borrow)]
    pub set: std::collections::BTreeMap<String, &'a RawValue>,
    /// Entries to remove: `"events.li_bangrui_envoy"`.
    #[serde(default)]
    pub remove: Vec<Sp<String>>,
}

/// A variant: a named layer inside the scenario.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant<'a> {
    pub id: Sp<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default, borrow)]
    pub add: std::collections::BTreeMap<String, Vec<&'a RawValue>>,
    #[serde(default, borrow)]
    pub set: std::collections::BTreeMap<String, &'a RawValue>,
    #[serde(default)]
    pub remove: Vec<Sp<String>>,
}

/// Weather chances for one season (what is left over is clear weather).
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct SeasonWeather {
    #[serde(default)]
    pub rain: N,
    #[serde(default)]
    pub snow: N,
    #[serde(default)]
    pub blizzard: N,
}

/// A region's climate.
#[derive(Deserialize, Clone, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Climate {
    #[serde(default)]
    pub spring: SeasonWeather,
    #[serde(default)]
    pub summer: SeasonWeather,
    #[serde(default)]
    pub autumn: SeasonWeather,
    #[serde(default)]
    pub winter: SeasonWeather,
    /// Seasons in which the region's rivers can flood.
    #[serde(default)]
    pub wet: Vec<Season>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub id: Sp<String>,
    #[serde(default)]
    pub climate: Option<Climate>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct Drain {
    #[serde(default)]
    pub men: N,
    #[serde(default)]
    pub grain: N,
}

fn aggressive() -> Posture {
    Posture::Aggressive
}
fn resist() -> Response {
    Response::Resist
}
fn grey() -> String {
    "#888888".into()
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Faction {
    pub id: Sp<String>,
    pub name: String,
    #[serde(default = "grey")]
    pub colour: String,
    #[serde(default)]
    pub capital: Option<Sp<String>>,
    #[serde(default)]
    pub treasury: N,
    #[serde(default)]
    pub grain: N,
    #[serde(default)]
    pub manpower: N,
    #[serde(default)]
    pub cold_adapted: bool,
    #[serde(default = "aggressive")]
    pub posture: Posture,
    #[serde(default = "resist")]
    pub trespass: Response,
    #[serde(default)]
    pub grant_access_chance: N,
    #[serde(default)]
    pub sack: Sack,
    #[serde(default)]
    pub drain: Drain,
}

fn nine() -> Sp<i64> {
    Sp::synthetic(9)
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Province {
    pub id: Sp<String>,
    pub name: String,
    #[serde(default)]
    pub zh: String,
    pub lat: Sp<f64>,
    pub lon: Sp<f64>,
    pub terrain: Terrain,
    #[serde(default)]
    pub fort: Sp<i64>,
    #[serde(default)]
    pub population: N,
    #[serde(default)]
    pub grain: N,
    #[serde(default)]
    pub harvest: N,
    #[serde(default = "nine")]
    pub harvest_month: Sp<i64>,
    pub owner: Sp<String>,
    #[serde(default)]
    pub controller: Option<Sp<String>>,
    #[serde(default)]
    pub regions: Vec<Sp<String>>,
    #[serde(default)]
    pub garrison: N,
    #[serde(default)]
    pub governor: Option<Sp<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(default)]
    pub id: Option<String>,
    pub from: Sp<String>,
    pub to: Sp<String>,
    pub km: N,
    pub kind: RouteKind,
    #[serde(default)]
    pub closed: Vec<Season>,
}

fn half() -> N {
    n(0.5)
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Commander {
    pub id: Sp<String>,
    pub name: String,
    #[serde(default)]
    pub zh: String,
    pub faction: Sp<String>,
    #[serde(default = "half")]
    pub skill: N,
    #[serde(default)]
    pub traits: Vec<Trait>,
    #[serde(default)]
    pub rivals: Vec<Sp<String>>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub to: Sp<String>,
    #[serde(default)]
    pub not_before: Option<Sp<String>>,
    #[serde(default)]
    pub hold_until: Option<Sp<String>>,
    #[serde(default)]
    pub besiege: bool,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Orders {
    Hold,
    Ai,
    Script(Vec<Step>),
}

fn hold() -> Orders {
    Orders::Hold
}
fn one() -> N {
    n(1.0)
}
fn morale() -> N {
    n(0.8)
}
fn food() -> N {
    n(20.0)
}
fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Army {
    pub id: Sp<String>,
    pub name: String,
    pub faction: Sp<String>,
    #[serde(default)]
    pub commanders: Vec<Sp<String>>,
    pub at: Sp<String>,
    #[serde(default)]
    pub cavalry: N,
    #[serde(default)]
    pub infantry: N,
    #[serde(default)]
    pub siege: N,
    /// Defaults to one horse per horseman.
    #[serde(default)]
    pub horses: Option<N>,
    #[serde(default = "one")]
    pub quality: N,
    #[serde(default = "morale")]
    pub morale: N,
    #[serde(default = "food")]
    pub food_days: N,
    #[serde(default = "hold")]
    pub orders: Orders,
    #[serde(default)]
    pub stance: Stance,
    #[serde(default = "yes")]
    pub in_field: bool,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    War,
    Peace,
    Truce,
    Alliance,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    #[serde(default)]
    pub id: Option<String>,
    pub a: Sp<String>,
    pub b: Sp<String>,
    pub state: RelationKind,
    /// For a truce: when it ends.
    #[serde(default)]
    pub until: Option<Sp<String>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Tribute {
    #[serde(default)]
    pub id: Option<String>,
    pub payer: Sp<String>,
    pub payee: Sp<String>,
    #[serde(default)]
    pub silver: N,
    #[serde(default)]
    pub silk: N,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Access {
    #[serde(default)]
    pub id: Option<String>,
    pub grantor: Sp<String>,
    pub grantee: Sp<String>,
    #[serde(default)]
    pub provinces: Vec<Sp<String>>,
    #[serde(default)]
    pub routes: Vec<Sp<String>>,
    #[serde(default)]
    pub until: Option<Sp<String>>,
    #[serde(default)]
    pub days: Option<Sp<f64>>,
    #[serde(default)]
    pub grain: bool,
    #[serde(default)]
    pub guides: bool,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveKind {
    Capture(Sp<String>),
    Defend(Sp<String>),
    Intercept(Sp<String>),
    Raid(Sp<String>),
    Reach(Sp<String>),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    #[serde(default)]
    pub id: Option<String>,
    pub faction: Sp<String>,
    pub kind: ObjectiveKind,
    #[serde(default = "one_f")]
    pub priority: Sp<f64>,
    #[serde(default)]
    pub armies: Vec<Sp<String>>,
}

fn one_f() -> Sp<f64> {
    Sp::synthetic(1.0)
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    Value(Sp<f64>),
    ArmyMen(Sp<String>),
    ArmyMenShare(Sp<String>),
    FactionMen {
        faction: Sp<String>,
        #[serde(default)]
        garrisons: bool,
    },
    FieldLossShare(Sp<String>),
    Controlled {
        faction: Sp<String>,
        #[serde(default)]
        region: Option<Sp<String>>,
    },
    Lost {
        faction: Sp<String>,
        #[serde(default)]
        region: Option<Sp<String>>,
    },
    Counter(String),
    Treasury(Sp<String>),
    Grain(Sp<String>),
    Garrison(Sp<String>),
    Year,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Always,
    Flag(String),
    NotFlag(String),
    ArmyAt {
        army: Sp<String>,
        province: Sp<String>,
    },
    ArmyInRegion {
        army: Sp<String>,
        region: Sp<String>,
        #[serde(default)]
        controller: Option<Sp<String>>,
    },
    ArmyAlive(Sp<String>),
    ArmyRouted(Sp<String>),
    ArmyDestroyed(Sp<String>),
    ArmyBesieging(Sp<String>),
    CommanderFate {
        commander: Sp<String>,
        fate: Fate,
    },
    Controller {
        province: Sp<String>,
        faction: Sp<String>,
    },
    Sacked(Sp<String>),
    Fought {
        a: Sp<String>,
        b: Sp<String>,
    },
    Relation {
        a: Sp<String>,
        b: Sp<String>,
        state: RelationKind,
    },
    Access {
        grantor: Sp<String>,
        grantee: Sp<String>,
    },
    Weather {
        region: Sp<String>,
        weather: Weather,
    },
    Above(Quantity, Sp<f64>),
    Below(Quantity, Sp<f64>),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    SpawnArmy(Sp<String>),
    Reinforce {
        army: Sp<String>,
        #[serde(default)]
        cavalry: Sp<f64>,
        #[serde(default)]
        infantry: Sp<f64>,
        #[serde(default)]
        siege: Sp<f64>,
        #[serde(default)]
        horses: Option<Sp<f64>>,
    },
    AdjustArmy {
        army: Sp<String>,
        #[serde(default)]
        morale: Sp<f64>,
        #[serde(default)]
        cohesion: Sp<f64>,
        #[serde(default)]
        food: Sp<f64>,
    },
    SetWeather {
        region: Sp<String>,
        weather: Weather,
        days: N,
    },
    SetRelation {
        a: Sp<String>,
        b: Sp<String>,
        state: RelationKind,
        #[serde(default)]
        truce_days: Sp<f64>,
    },
    DeclareWar {
        a: Sp<String>,
        b: Sp<String>,
    },
    RequestAccess {
        from: Sp<String>,
        to: Sp<String>,
        #[serde(default)]
        provinces: Vec<Sp<String>>,
        #[serde(default)]
        routes: Vec<Sp<String>>,
        #[serde(default)]
        days: Option<Sp<f64>>,
        #[serde(default)]
        grain: bool,
        #[serde(default)]
        guides: bool,
        #[serde(default)]
        on_grant: Option<String>,
        #[serde(default)]
        on_refuse: Option<String>,
    },
    GrantAccess(Access),
    RevokeAccess {
        grantor: Sp<String>,
        grantee: Sp<String>,
    },
    KillCommander {
        commander: Sp<String>,
        #[serde(default)]
        cause: String,
    },
    Appoint {
        army: Sp<String>,
        commander: Sp<String>,
        #[serde(default)]
        replace: Option<Sp<String>>,
    },
    SetParam {
        name: Sp<String>,
        value: Sp<f64>,
    },
    SetFlag(String),
    ClearFlag(String),
    SetCounter {
        name: String,
        value: Quantity,
    },
    AddCounter {
        name: String,
        value: Sp<f64>,
    },
    SetOrders {
        army: Sp<String>,
        orders: Orders,
    },
    SetStance {
        army: Sp<String>,
        stance: Stance,
    },
    Sack {
        army: Sp<String>,
    },
    LoseBaggage {
        army: Sp<String>,
        share: Sp<f64>,
        #[serde(default)]
        to: Option<Sp<String>>,
    },
    SetPolicy {
        faction: Sp<String>,
        #[serde(default)]
        trespass: Option<Response>,
        #[serde(default)]
        sack: Option<Sack>,
        #[serde(default)]
        grant_access_chance: Option<Sp<f64>>,
    },
    SetController {
        province: Sp<String>,
        faction: Sp<String>,
    },
    SetTribute {
        payer: Sp<String>,
        payee: Sp<String>,
        #[serde(default)]
        silver: Sp<f64>,
        #[serde(default)]
        silk: Sp<f64>,
    },
    AddObjective(Objective),
    ClearObjectives(Sp<String>),
    DropObjectives {
        faction: Sp<String>,
        kind: ObjectiveKind,
    },
    AdjustFaction {
        faction: Sp<String>,
        #[serde(default)]
        treasury: Sp<f64>,
        #[serde(default)]
        grain: Sp<f64>,
        #[serde(default)]
        manpower: Sp<f64>,
    },
    EndRun(String),
}

fn always() -> Condition {
    Condition::Always
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: Sp<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub from: Option<Sp<String>>,
    #[serde(default)]
    pub until: Option<Sp<String>>,
    #[serde(default = "always")]
    pub when: Condition,
    #[serde(default)]
    pub chance: Option<N>,
    #[serde(default)]
    pub chance_per_day: Option<N>,
    #[serde(default)]
    pub repeat: bool,
    #[serde(default)]
    pub effects: Vec<Effect>,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub when: Condition,
    pub label: String,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Bool(Condition),
    Number(Quantity),
    Controller(Sp<String>),
    LargestBattleWinner {
        side_a: Vec<Sp<String>>,
        side_b: Vec<Sp<String>>,
        #[serde(default)]
        at: Option<Sp<String>>,
    },
    LargestBattleDay {
        side_a: Vec<Sp<String>>,
        side_b: Vec<Sp<String>>,
        #[serde(default)]
        at: Option<Sp<String>>,
        from: Sp<String>,
    },
    Cases {
        cases: Vec<Case>,
        default: String,
    },
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub id: Sp<String>,
    #[serde(default)]
    pub description: String,
    pub kind: OutcomeKind,
}

/// A mod's manifest (`mod.ron`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub id: Sp<String>,
    pub name: String,
    #[serde(default)]
    pub version: String,
    /// Which scenario it applies to (its id), if it checks.
    #[serde(default)]
    pub scenario: Option<Sp<String>>,
    /// Mods apply in ascending load order, then by id.
    #[serde(default)]
    pub load_order: i64,
    /// Layer files, applied in this order.
    pub files: Vec<Sp<String>>,
}
