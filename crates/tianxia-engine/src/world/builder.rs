//! A small builder for worlds in Rust: for tests, benchmarks and engine developers who
//! want a world without writing a scenario file. Every default is ordinary and documented
//! on the method that applies it.

use crate::calendar::Date;
use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId, RouteId};
use crate::model::army::Stance;
use crate::model::commander::Trait;
use crate::model::diplomacy::Relation;
use crate::model::faction::{Posture, Sack, TrespassResponse};
use crate::model::province::Terrain;
use crate::model::route::RouteKind;
use crate::model::script::{Objective, ObjectiveKind};
use crate::model::weather::Climate;
use crate::params::Params;
use crate::world::spec::*;
use std::sync::Arc;

/// Builds a [`WorldSpec`] step by step.
#[derive(Clone, Debug)]
pub struct Builder {
    spec: WorldSpec,
}

impl Builder {
    /// An empty world from `start`, `turns` turns of `turn_days` days.
    pub fn new(start: Date, turn_days: u32, turns: u32) -> Builder {
        let end = start.add_days(i64::from(turn_days) * i64::from(turns) - 1);
        Builder {
            spec: WorldSpec {
                start,
                end,
                turn_days,
                params: Params::default(),
                regions: Vec::new(),
                factions: Vec::new(),
                provinces: Vec::new(),
                routes: Vec::new(),
                commanders: Vec::new(),
                armies: Vec::new(),
                relations: Vec::new(),
                tributes: Vec::new(),
                access: Vec::new(),
                objectives: Vec::new(),
                events: Arc::new(Vec::new()),
                outcomes: Arc::new(Vec::new()),
                flags: Vec::new(),
            },
        }
    }

    /// A faction: no treasury or grain, 100,000 manpower, aggressive, resists trespass,
    /// never grants access.
    pub fn faction(&mut self, key: &str) -> FactionId {
        self.spec.factions.push(FactionSpec {
            key: key.into(),
            name: key.into(),
            colour: "#888888".into(),
            capital: None,
            treasury: 0.0,
            grain: 0.0,
            manpower: 100_000.0,
            cold_adapted: false,
            posture: Posture::Aggressive,
            trespass_policy: TrespassResponse::Resist,
            sack: Sack::Never,
            grant_access_chance: 0.0,
            drain_men: 0.0,
            drain_grain: 0.0,
        });
        FactionId(self.spec.factions.len() as u32 - 1)
    }

    /// A region with an optional climate.
    pub fn region(&mut self, key: &str, climate: Option<Climate>) -> u16 {
        self.spec.regions.push(RegionSpec { key: key.into(), climate });
        self.spec.regions.len() as u16 - 1
    }

    /// A province of `owner`: plain, unwalled, 10,000 people, 5,000 shi in store, a
    /// 10,000 shi harvest in September, no garrison.
    pub fn province(&mut self, key: &str, owner: FactionId) -> ProvinceId {
        self.spec.provinces.push(ProvinceSpec {
            key: key.into(),
            name: key.into(),
            name_zh: String::new(),
            lat: 34.0,
            lon: 113.0,
            terrain: Terrain::Plain,
            fort: 0,
            population: 10_000.0,
            grain: 5_000.0,
            harvest: 10_000.0,
            harvest_month: 9,
            owner,
            controller: owner,
            regions: Vec::new(),
            garrison: 0.0,
            governor: None,
        });
        ProvinceId(self.spec.provinces.len() as u32 - 1)
    }

    /// A route of `km` between `a` and `b`, open all year.
    pub fn route(&mut self, a: ProvinceId, b: ProvinceId, km: f64, kind: RouteKind) -> RouteId {
        self.spec.routes.push(RouteSpec { a, b, km, kind, closed: [false; 4] });
        RouteId(self.spec.routes.len() as u32 - 1)
    }

    /// A commander with skill and traits.
    pub fn commander(&mut self, key: &str, faction: FactionId, skill: f64, traits: &[Trait]) -> CommanderId {
        self.spec.commanders.push(CommanderSpec {
            key: key.into(),
            name: key.into(),
            faction,
            skill,
            traits: traits.to_vec(),
            rivals: Vec::new(),
        });
        CommanderId(self.spec.commanders.len() as u32 - 1)
    }

    /// An army in the field: a horse per horseman, quality 1, morale 0.8, 20 days of
    /// food, holding its ground.
    pub fn army(&mut self, key: &str, faction: FactionId, at: ProvinceId, cavalry: f64, infantry: f64) -> ArmyId {
        self.spec.armies.push(ArmySpec {
            key: key.into(),
            name: key.into(),
            faction,
            commanders: Vec::new(),
            location: at,
            cavalry,
            infantry,
            siege: 0.0,
            horses: cavalry,
            quality: 1.0,
            morale: 0.8,
            food_days: 20.0,
            orders: OrdersSpec::Hold,
            stance: Stance::Auto,
            in_field: true,
        });
        ArmyId(self.spec.armies.len() as u32 - 1)
    }

    /// Puts `a` and `b` at war.
    pub fn war(&mut self, a: FactionId, b: FactionId) {
        self.spec.relations.push((a, b, Relation::War));
    }

    /// Adds an AI objective for all of `faction`'s AI armies.
    pub fn objective(&mut self, faction: FactionId, kind: ObjectiveKind, priority: f64) {
        self.spec.objectives.push(Objective { faction, kind, priority, armies: Vec::new() });
    }

    /// The spec so far, to adjust fields the builder has no method for.
    pub fn spec_mut(&mut self) -> &mut WorldSpec {
        &mut self.spec
    }

    /// The finished spec.
    pub fn build(self) -> WorldSpec {
        self.spec
    }
}

/// A benchmark world: a `side` x `side` grid of provinces split between three factions
/// at war, with `armies` AI armies chasing each other's capitals. Used by the criterion
/// benchmarks and the determinism tests.
pub fn grid_world(side: usize, armies: usize) -> WorldSpec {
    let start = Date { year: 1231, month: 5, day: 1 };
    let mut b = Builder::new(start, 5, 60);
    let fs = [b.faction("north"), b.faction("south"), b.faction("steppe")];
    b.spec_mut().factions[2].cold_adapted = true;
    let cold = Climate {
        chances: [[0.7, 0.25, 0.05, 0.0], [0.6, 0.4, 0.0, 0.0], [0.7, 0.2, 0.1, 0.0], [0.45, 0.05, 0.4, 0.1]],
        wet: [false; 4],
    };
    let zone = b.region("plain", Some(cold));
    let mut ids = Vec::new();
    for y in 0..side {
        for x in 0..side {
            let owner = fs[(x * 3) / side.max(1)];
            let p = b.province(&format!("p{y}_{x}"), owner);
            let spec = b.spec_mut();
            let pr = &mut spec.provinces[p.index()];
            pr.regions = vec![zone];
            pr.terrain = [Terrain::Plain, Terrain::Hills, Terrain::Mountains, Terrain::Plain][(x + 2 * y) % 4];
            if (x + y) % 4 == 0 {
                pr.fort = 2;
                pr.garrison = 2_000.0;
            }
            ids.push(p);
        }
    }
    for y in 0..side {
        for x in 0..side {
            let here = ids[y * side + x];
            let kind = if (x + y) % 5 == 0 { RouteKind::MountainPath } else { RouteKind::Road };
            if x + 1 < side {
                b.route(here, ids[y * side + x + 1], 60.0 + ((x * 7 + y * 3) % 40) as f64, kind);
            }
            if y + 1 < side {
                b.route(here, ids[(y + 1) * side + x], 55.0 + ((x * 5 + y * 11) % 45) as f64, RouteKind::Road);
            }
        }
    }
    for (i, f) in fs.iter().enumerate() {
        b.war(*f, fs[(i + 1) % 3]);
        let capital = ids[(side / 2) * side + (i * side) / 3];
        for (j, g) in fs.iter().enumerate() {
            if j != i {
                b.objective(*g, ObjectiveKind::Capture(capital), 1.0 + i as f64);
            }
        }
    }
    for k in 0..armies {
        let f = fs[k % 3];
        let col = (k % 3) * side / 3 + (k / 3) % (side / 3).max(1);
        let row = (k * 7) % side;
        let at = ids[row * side + col.min(side - 1)];
        let a = b.army(&format!("army{k}"), f, at, 3_000.0 + (k % 4) as f64 * 1_000.0, 8_000.0);
        b.spec_mut().armies[a.index()].orders = OrdersSpec::Ai;
    }
    b.build()
}
