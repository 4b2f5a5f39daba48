//! Lookups several rules share, each written once: the commanders of an army (command
//! factor, traits, rivalry), what a faction is like, and where a province is (ground,
//! weather, controller).

use crate::ids::{CommanderId, FactionId, ProvinceId};
use crate::model::commander::{Rivals, Skill, Trait, Traits};
use crate::model::faction::{Nature, Posture};
use crate::model::index::Index;
use crate::model::province::{Control, Site, Terrain, Walls, Zone};
use crate::model::weather::{Regions, Weather};
use crate::params::Params;
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// The commanders, by id.
#[derive(SystemParam)]
pub struct Leaders<'w, 's> {
    index: Res<'w, Index>,
    commanders: Query<'w, 's, (&'static CommanderId, &'static Skill, &'static Traits, &'static Rivals)>,
}

impl Leaders<'_, '_> {
    fn get(&self, c: CommanderId) -> Option<(CommanderId, f64, &Traits, &Rivals)> {
        let e = *self.index.commanders.get(c.index())?;
        self.commanders.get(e).ok().map(|(id, s, t, r)| (*id, s.0, t, r))
    }

    /// Whether any commander in `ids` has trait `t`.
    pub fn any_has(&self, ids: &[CommanderId], t: Trait) -> bool {
        ids.iter().filter_map(|c| self.get(*c)).any(|(_, _, traits, _)| traits.has(t))
    }

    /// Whether two commanders of `ids` are rivals.
    pub fn rivalry(&self, ids: &[CommanderId]) -> bool {
        self.rivalry_across(ids, ids)
    }

    /// Whether a commander of `a` counts one of `b` as a rival.
    pub fn rivalry_across(&self, a: &[CommanderId], b: &[CommanderId]) -> bool {
        a.iter()
            .filter_map(|c| self.get(*c))
            .any(|(_, _, _, rivals)| b.iter().filter_map(|d| self.get(*d)).any(|(d, _, _, _)| rivals.0.contains(&d)))
    }

    /// Commanders factor of an army led by `ids`: its best commander's skill, less the
    /// rivalry penalty when two rivals share the command.
    pub fn command_factor(&self, ids: &[CommanderId], p: &Params) -> f64 {
        let best = ids
            .iter()
            .filter_map(|c| self.get(*c))
            .map(|(_, s, _, _)| s)
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))));
        let skill = best.unwrap_or(0.5);
        (1.0 + p.command_weight * (skill - 0.5)) * if self.rivalry(ids) { 1.0 - p.rivalry_penalty } else { 1.0 }
    }
}

/// What each faction is like.
#[derive(SystemParam)]
pub struct Natures<'w, 's> {
    index: Res<'w, Index>,
    natures: Query<'w, 's, &'static Nature>,
}

impl Natures<'_, '_> {
    /// Whether the faction's armies suffer cold far less.
    pub fn cold_adapted(&self, f: FactionId) -> bool {
        self.index.factions.get(f.index()).and_then(|e| self.natures.get(*e).ok()).is_some_and(|n| n.cold_adapted)
    }

    /// The faction's AI posture (defensive if unknown).
    pub fn posture(&self, f: FactionId) -> Posture {
        self.index
            .factions
            .get(f.index())
            .and_then(|e| self.natures.get(*e).ok())
            .map_or(Posture::Defensive, |n| n.posture)
    }
}

/// Where each province is: its ground, its weather, who holds it.
#[derive(SystemParam)]
pub struct Places<'w, 's> {
    index: Res<'w, Index>,
    regions: Res<'w, Regions>,
    places: Query<'w, 's, (&'static Site, &'static Zone)>,
    control: Query<'w, 's, (&'static Control, &'static Walls)>,
}

impl Places<'_, '_> {
    /// The province's terrain.
    pub fn terrain(&self, p: ProvinceId) -> Terrain {
        self.places.get(self.index.provinces[p.index()]).map_or(Terrain::Plain, |(s, _)| s.terrain)
    }

    /// The weather in the province's zone.
    pub fn weather(&self, p: ProvinceId) -> Weather {
        self.places.get(self.index.provinces[p.index()]).map_or(Weather::Clear, |(_, z)| self.regions.weather(z.zone))
    }

    /// Who holds the province.
    pub fn controller(&self, p: ProvinceId) -> Option<FactionId> {
        self.control.get(self.index.provinces[p.index()]).ok().map(|(c, _)| c.controller)
    }

    /// Men on the province's walls.
    pub fn garrison(&self, p: ProvinceId) -> f64 {
        self.control.get(self.index.provinces[p.index()]).map_or(0.0, |(_, w)| w.garrison)
    }
}
