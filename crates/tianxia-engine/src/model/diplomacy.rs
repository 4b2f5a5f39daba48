//! Relations between factions, treaties (tribute, military access) and requests: the
//! diplomacy resource and the questions rules ask of it.

use crate::ids::{ArmyId, FactionId, ProvinceId, RouteId};
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The state between two factions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// At war: armies fight, provinces can be taken.
    War,
    /// At peace: entering the other's land needs access.
    Peace,
    /// A truce until a day number, then peace.
    Truce {
        /// Day number the truce ends.
        until: i64,
    },
    /// Allies: may pass and draw supply in each other's land.
    Alliance,
}

/// A yearly tribute, paid when a turn contains 1 January.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tribute {
    /// Who pays.
    pub payer: FactionId,
    /// Who receives.
    pub payee: FactionId,
    /// Silver per year (taels).
    pub silver: f64,
    /// Silk per year (bolts).
    pub silk: f64,
}

/// Military access: the grantor lets the grantee's armies pass (a "borrowed road").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Access {
    /// Host.
    pub grantor: FactionId,
    /// Guest.
    pub grantee: FactionId,
    /// Provinces covered (empty: all of the grantor's).
    pub provinces: Vec<ProvinceId>,
    /// Routes covered: entering by one of these is allowed too.
    pub routes: Vec<RouteId>,
    /// Day number the agreement ends, if it has a term.
    pub until: Option<i64>,
    /// The host sells or gives grain: the guest may draw supply in covered provinces.
    pub grain: bool,
    /// The host provides guides.
    pub guides: bool,
}

impl Access {
    /// Whether entering `province` by `route` is covered. With neither provinces nor
    /// routes named, the whole of the grantor's land is covered.
    pub fn covers(&self, province: ProvinceId, route: Option<RouteId>) -> bool {
        (self.provinces.is_empty() && self.routes.is_empty())
            || self.provinces.contains(&province)
            || route.is_some_and(|r| self.routes.contains(&r))
    }
}

/// An envoy's request for passage, answered in the next diplomacy phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessRequest {
    /// The terms asked for (grantor = the host asked).
    pub terms: Access,
    /// Length of the agreement if granted, days.
    pub days: Option<f64>,
    /// Flag set if granted.
    pub on_grant: Option<String>,
    /// Flag set if refused.
    pub on_refuse: Option<String>,
}

/// Pairwise relations, treaties and pending requests.
#[derive(Resource, Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Diplomacy {
    n: usize,
    relations: Vec<Relation>,
    /// Tribute treaties in force.
    pub tributes: Vec<Tribute>,
    /// Access agreements in force.
    pub access: Vec<Access>,
    /// Requests awaiting an answer.
    pub requests: Vec<AccessRequest>,
}

impl Diplomacy {
    /// `n` factions, all at peace.
    pub fn new(n: usize) -> Diplomacy {
        Diplomacy {
            n,
            relations: vec![Relation::Peace; n * n],
            tributes: Vec::new(),
            access: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// The relation between `a` and `b` (a faction is allied with itself).
    pub fn relation(&self, a: FactionId, b: FactionId) -> Relation {
        if a == b { Relation::Alliance } else { self.relations[a.index() * self.n + b.index()] }
    }

    /// Sets the relation both ways.
    pub fn set(&mut self, a: FactionId, b: FactionId, r: Relation) {
        if a != b {
            self.relations[a.index() * self.n + b.index()] = r;
            self.relations[b.index() * self.n + a.index()] = r;
        }
    }

    /// Back to `n` factions all at peace, with no treaties or requests (buffers kept).
    pub fn reset(&mut self, n: usize) {
        self.n = n;
        self.relations.clear();
        self.relations.resize(n * n, Relation::Peace);
        self.tributes.clear();
        self.access.clear();
        self.requests.clear();
    }

    /// How many factions the table is for.
    pub fn factions(&self) -> usize {
        self.n
    }

    /// Every pairwise relation, row by row.
    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// Whether `a` and `b` are at war.
    pub fn at_war(&self, a: FactionId, b: FactionId) -> bool {
        self.relation(a, b) == Relation::War
    }

    /// Whether `a` and `b` are the same faction or allies.
    pub fn friendly(&self, a: FactionId, b: FactionId) -> bool {
        self.relation(a, b) == Relation::Alliance
    }

    /// Whether `faction` is at war with anyone.
    pub fn at_war_with_anyone(&self, faction: FactionId) -> bool {
        (0..self.n).any(|b| self.at_war(faction, FactionId(b as u32)))
    }

    /// The access agreement letting `guest` into `host`'s `province`, if any.
    pub fn access_for(
        &self,
        host: FactionId,
        guest: FactionId,
        province: ProvinceId,
        route: Option<RouteId>,
    ) -> Option<&Access> {
        self.access.iter().find(|a| a.grantor == host && a.grantee == guest && a.covers(province, route))
    }

    /// Whether `guest`'s armies may stand in `province`, controlled by `host`, without trespass.
    pub fn may_enter(&self, guest: FactionId, host: FactionId, province: ProvinceId, route: Option<RouteId>) -> bool {
        self.friendly(guest, host)
            || self.at_war(guest, host)
            || self.access_for(host, guest, province, route).is_some()
    }

    /// Whether `guest` may draw grain in `host`'s `province`.
    pub fn may_draw(&self, guest: FactionId, host: FactionId, province: ProvinceId) -> bool {
        self.friendly(guest, host) || self.access_for(host, guest, province, None).is_some_and(|a| a.grain)
    }

    /// Ends every access agreement from `grantor` to `grantee`; returns whether any was in force.
    pub fn revoke(&mut self, grantor: FactionId, grantee: FactionId) -> bool {
        let before = self.access.len();
        self.access.retain(|a| !(a.grantor == grantor && a.grantee == grantee));
        before != self.access.len()
    }
}

/// An army that entered foreign land without access this turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Crossing {
    /// Who.
    pub army: ArmyId,
    /// Where.
    pub province: ProvinceId,
    /// Whose land.
    pub host: FactionId,
}

/// Crossings waiting for the host's answer, and the answers already given.
#[derive(Resource, Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Trespasses {
    /// This turn's crossings, in the order they happened.
    pub pending: Vec<Crossing>,
    /// (army, province, host) already answered: each place answers each army once.
    pub answered: BTreeSet<(ArmyId, ProvinceId, FactionId)>,
}

impl Trespasses {
    /// Forgets every crossing and answer.
    pub fn clear(&mut self) {
        self.pending.clear();
        self.answered.clear();
    }
}
