//! Exposure: the cold, army by army and day by day.
//!
//! An army in snow or a blizzard gains cold stress ([`Exposure`], 0..1) every day, loses
//! cohesion and morale, and loses men and horses to frostbite. All of it is scaled by how
//! hard the weather is (a blizzard counts `blizzard_cold_factor` days of snow), by whether
//! its faction or one of its commanders is used to the cold, by whether it shelters in a
//! walled province its faction holds, and by how hungry it is. Out of the cold the stress
//! falls day by day. Combat reads the stress (see [`army_power`](super::combat::army_power)).

use crate::calendar::Calendar;
use crate::ids::ArmyId;
use crate::model::army::*;
use crate::model::commander::Trait;
use crate::model::index::Index;
use crate::model::province::Walls;
use crate::model::route::RouteGraph;
use crate::model::weather::{Regions, Weather};
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rules::lookup::{Natures, Places};
use bevy_ecs::prelude::*;

/// How hard the cold bites an army: 0 out of the cold, 1 for a day of snow for a fed,
/// unadapted army in the open, scaled by the documented factors otherwise.
pub fn cold_severity(weather: Weather, adapted: bool, sheltered: bool, hunger: f64, p: &Params) -> f64 {
    let base = match weather {
        Weather::Snow => 1.0,
        Weather::Blizzard => p.blizzard_cold_factor,
        _ => return 0.0,
    };
    base * if adapted { p.cold_adapted_factor } else { 1.0 }
        * if sheltered { p.exposure_shelter_factor } else { 1.0 }
        * (1.0 + p.exposure_hunger_factor * hunger)
}

/// An army's hunger share 0..1: days unfed over `hunger_full_days`.
pub fn hunger_share(h: &Hunger, p: &Params) -> f64 {
    if p.hunger_full_days > 0.0 { (h.days / p.hunger_full_days).clamp(0.0, 1.0) } else { 0.0 }
}

type Exposed = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Leadership,
    &'static Position,
    &'static Hunger,
    &'static mut Strength,
    &'static mut Spirit,
    &'static mut Exposure,
    &'static mut Ledger,
    &'static mut Wastage,
);

/// Supply phase, after the armies have eaten: the cold's toll on each army (by id).
#[allow(clippy::too_many_arguments)]
pub fn expose_armies(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    index: Res<Index>,
    regions: Res<Regions>,
    natures: Natures,
    places: Places,
    walls: Query<&Walls>,
    mut armies: Query<Exposed, Without<Dissolved>>,
    mut log: ResMut<EventLog>,
) {
    let p = &*params;
    let days = cal.days();
    // Most turns are warm everywhere: then only armies still thawing need a look.
    let cold_somewhere = regions.0.iter().any(|r| matches!(r.weather, Weather::Snow | Weather::Blizzard));
    for e in &index.armies {
        let Ok((id, al, led, pos, hunger, mut s, mut spirit, mut exposure, mut ledger, mut wastage)) =
            armies.get_mut(*e)
        else {
            continue;
        };
        if !cold_somewhere && exposure.0 == 0.0 {
            continue;
        }
        // A forced spell of weather lasts its days, not the whole turn.
        let (weather, cold_days) = if cold_somewhere {
            places.weather_for(pos.0.nearest(|r| graph.way(r).km), cal.date.to_days(), days)
        } else {
            (Weather::Clear, days)
        };
        let severity = if matches!(weather, Weather::Snow | Weather::Blizzard) {
            let adapted = natures.cold_adapted(al.0) || led.has(Trait::ColdVeteran);
            // Shelter is a walled town of one's own, not the road beside it.
            let sheltered = pos.0.province().is_some_and(|q| {
                places.controller(q) == Some(al.0) && walls.get(index.provinces[q.index()]).is_ok_and(|w| w.fort > 0)
            });
            cold_severity(weather, adapted, sheltered, hunger_share(hunger, p), p)
        } else {
            0.0
        };
        let before = exposure.0;
        if severity > 0.0 {
            exposure.0 = (exposure.0 + p.exposure_per_day * severity * cold_days).min(1.0);
            spirit.cohesion = (spirit.cohesion - p.exposure_cohesion_loss * severity * cold_days).max(0.0);
            spirit.morale = (spirit.morale - p.exposure_morale_loss * severity * cold_days).max(0.0);
            let lost = s.lose(p.cold_attrition * severity * cold_days);
            ledger.lost += lost;
            wastage.cold += lost;
            // The rest of the turn, out of the cold.
            exposure.0 = (exposure.0 - p.exposure_recovery_per_day * (days - cold_days)).max(0.0);
        } else {
            exposure.0 = (exposure.0 - p.exposure_recovery_per_day * days).max(0.0);
        }
        if before <= p.exposure_report && exposure.0 > p.exposure_report {
            log.push(&cal, LogKind::Freezing { army: *id, province: pos.0.province() });
        }
    }
}
