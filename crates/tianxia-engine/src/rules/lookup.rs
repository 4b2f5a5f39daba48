//! Lookups several rules share, each written once: the commanders of an army (command
//! factor, traits, rivalry), what a faction is like, and where a province is (ground,
//! weather, controller).

use crate::ids::{CommanderId, FactionId, ProvinceId};
use crate::model::army::Leadership;
use crate::model::commander::{Rivals, Skill, Traits};
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::{Nature, Posture};
use crate::model::index::Index;
use crate::model::province::{Control, Site, Terrain, Zone};
use crate::model::weather::{Regions, Weather};
use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;

/// The commanders, by id.
#[derive(SystemParam)]
pub struct Leaders<'w, 's> {
    index: Res<'w, Index>,
    commanders: Query<'w, 's, (&'static CommanderId, &'static Skill, &'static Traits, &'static Rivals)>,
}

impl Leaders<'_, '_> {
    fn get(&self, c: CommanderId) -> Option<(f64, &Traits, &Rivals)> {
        let e = *self.index.commanders.get(c.index())?;
        self.commanders.get(e).ok().map(|(_, s, t, r)| (s.0, t, r))
    }

    /// What the commanders `ids` bring to an army, read with one lookup each.
    pub fn led(&self, ids: &[CommanderId]) -> Leadership {
        let mut led = Leadership::default();
        for c in ids {
            let Some((skill, traits, rivals)) = self.get(*c) else { continue };
            led.best = Some(led.best.map_or(skill, |m: f64| m.max(skill)));
            for t in &traits.0 {
                led.traits |= 1 << (*t as u32);
            }
            led.rivalry |= rivals.0.iter().any(|r| ids.contains(r) && self.get(*r).is_some());
        }
        led
    }

    /// Whether a commander of `a` counts one of `b` as a rival.
    pub fn rivalry_across(&self, a: &[CommanderId], b: &[CommanderId]) -> bool {
        a.iter()
            .filter_map(|c| self.get(*c))
            .any(|(_, _, rivals)| rivals.0.iter().any(|r| b.contains(r) && self.get(*r).is_some()))
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
    control: Query<'w, 's, &'static Control>,
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

    /// The weather in the province's zone and how many of the `days` from `today` on it
    /// holds ([`Regions::weather_days`]).
    pub fn weather_for(&self, p: ProvinceId, today: i64, days: f64) -> (Weather, f64) {
        self.places.get(self.index.provinces[p.index()]).map_or((Weather::Clear, days), |(_, z)| {
            (self.regions.weather(z.zone), self.regions.weather_days(z.zone, today, days))
        })
    }

    /// Who holds the province.
    pub fn controller(&self, p: ProvinceId) -> Option<FactionId> {
        self.control.get(self.index.provinces[p.index()]).ok().map(|c| c.controller)
    }
}

/// Whether each faction may draw grain in each province ([`Diplomacy::may_draw`]), kept
/// across turns: recomputed whole when relations or access have changed, and only for the
/// provinces whose controller changed otherwise.
#[derive(Default)]
pub struct DrawTable {
    controllers: Vec<Option<FactionId>>,
    relations: Vec<crate::model::diplomacy::Relation>,
    access: Vec<crate::model::diplomacy::Access>,
    nf: usize,
    table: Vec<bool>,
    generation: u64,
    /// Bumped when the whole table was recomputed.
    whole: u64,
    /// Provinces whose controller changed at the last update (when the table was not
    /// recomputed whole).
    changed: Vec<ProvinceId>,
}

impl DrawTable {
    /// Brings the table up to date with `controllers` (by province) and `diplomacy`;
    /// `diplomacy_changed` is whether relations or access may have changed since the last
    /// update (from change detection: relations and access are compared only then).
    pub fn update(
        &mut self,
        diplomacy: &Diplomacy,
        diplomacy_changed: bool,
        controllers: &[Option<FactionId>],
        nf: usize,
    ) {
        self.changed.clear();
        let np = controllers.len();
        let same_terms = self.nf == nf
            && self.controllers.len() == np
            && self.table.len() == nf * np
            && (!diplomacy_changed || (self.relations == diplomacy.relations() && self.access == diplomacy.access));
        if same_terms {
            if self.controllers == controllers {
                return;
            }
            // Only control changed: recompute those provinces.
            for (q, (old, new)) in self.controllers.iter_mut().zip(controllers).enumerate() {
                if old == new {
                    continue;
                }
                *old = *new;
                let province = ProvinceId(q as u32);
                self.changed.push(province);
                for f in 0..nf {
                    self.table[f * np + q] = new.is_some_and(|c| diplomacy.may_draw(FactionId(f as u32), c, province));
                }
            }
            self.generation += 1;
            return;
        }
        self.nf = nf;
        self.controllers.clear();
        self.controllers.extend_from_slice(controllers);
        self.relations.clear();
        self.relations.extend_from_slice(diplomacy.relations());
        self.access.clone_from(&diplomacy.access);
        self.generation += 1;
        self.whole += 1;
        self.table.clear();
        for f in 0..nf {
            let f = FactionId(f as u32);
            self.table.extend(
                controllers
                    .iter()
                    .enumerate()
                    .map(|(q, c)| c.is_some_and(|c| diplomacy.may_draw(f, c, ProvinceId(q as u32)))),
            );
        }
    }

    /// Changes whenever the table is recomputed whole (relations or access changed).
    pub fn whole_generation(&self) -> u64 {
        self.whole
    }

    /// The provinces recomputed at the last update, if it did not recompute the table
    /// whole (empty if nothing changed).
    pub fn changed(&self) -> &[ProvinceId] {
        &self.changed
    }

    /// Changes whenever the table is recomputed.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether faction `f` may draw in each province, by province.
    pub fn row(&self, f: FactionId) -> &[bool] {
        let np = self.controllers.len();
        &self.table[f.index() * np..(f.index() + 1) * np]
    }
}
