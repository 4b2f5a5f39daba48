//! Sacking: an army that takes, or stands in, an undefended foreign place may strip it.
//!
//! Whether it does is its faction's [`Sack`] policy (or an event's order): `hostile`
//! sacks places of factions it is at war with and foreign places its side took this turn;
//! `foreign` also the undefended places of neutrals whose land it crosses. A sack takes
//! `sack_grain_share` of the stock (the army carries off what it can, the rest is
//! spoilt), kills or drives off `sack_population_loss` of the people, spoils
//! `sack_harvest_loss` of the next harvest, and gives the army guides from the town; the
//! place cannot be sacked again for `sack_interval` days.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::faction::{Policy, Sack};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Ravage, Walls};
use crate::params::Params;
use crate::record::log::{EventLog, LogKind};
use crate::rules::baggage::take_baggage;
use bevy_ecs::prelude::*;

/// Whether an army of faction `f` may sack a place held as `control` behind `walls`, on
/// day `today`, under `policy` (`None`: an event orders it, whatever the policy).
pub fn sackable(
    f: FactionId,
    control: &Control,
    walls: &Walls,
    ravage: &Ravage,
    policy: Option<Sack>,
    diplomacy: &Diplomacy,
    today: i64,
) -> bool {
    if ravage.until > today {
        return false;
    }
    let undefended = walls.garrison < 1.0;
    let taken_now = control.controller == f && control.taken == Some(today) && !diplomacy.friendly(f, control.owner);
    let hostile = undefended && diplomacy.at_war(f, control.controller);
    let neutral = undefended && !diplomacy.friendly(f, control.controller) && !diplomacy.at_war(f, control.controller);
    match policy {
        Some(Sack::Never) => false,
        Some(Sack::Hostile) => taken_now || hostile,
        Some(Sack::Foreign) | None => taken_now || hostile || neutral,
    }
}

/// What a sack took: grain carried off, grain spoilt, people lost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spoils {
    /// Grain the army carried off (shi).
    pub grain: f64,
    /// Grain spoilt (shi).
    pub spoilt: f64,
    /// People killed or driven off.
    pub people: f64,
}

/// Strips a place: `sack_grain_share` of its grain (the army of strength `s` carries
/// what it can), `sack_population_loss` of its people and `sack_harvest_loss` of its
/// next harvest; it cannot be sacked again for `sack_interval` days.
#[allow(clippy::too_many_arguments)]
pub fn plunder(
    granary: &mut Granary,
    people: &mut Population,
    ravage: &mut Ravage,
    supplies: &mut Supplies,
    s: &Strength,
    p: &Params,
    cal: &Calendar,
) -> Spoils {
    let stripped = granary.grain * p.sack_grain_share.clamp(0.0, 1.0);
    granary.grain -= stripped;
    let grain = take_baggage(supplies, s, stripped, p, cal);
    let lost = people.0 * p.sack_population_loss.clamp(0.0, 1.0);
    people.0 -= lost;
    ravage.harvest_loss = ravage.harvest_loss.max(p.sack_harvest_loss.clamp(0.0, 1.0));
    // At least until the next turn: one sack per place per turn.
    ravage.until = days_after(cal.date.to_days(), p.sack_interval).max(cal.date.to_days() + 1);
    ravage.sacks = ravage.sacks.saturating_add(1);
    Spoils { grain, spoilt: stripped - grain, people: lost }
}

type Sacker = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Position,
    &'static Strength,
    &'static mut Supplies,
    Has<Routed>,
    Has<Guided>,
);

type Town = (&'static Control, &'static Walls, &'static mut Granary, &'static mut Population, &'static mut Ravage);

/// Siege phase, after the captures: each army (by id) standing in a place its faction's
/// policy lets it sack, sacks it (one sack per place).
#[allow(clippy::too_many_arguments)]
pub fn sack_towns(
    cal: Res<Calendar>,
    params: Res<Params>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    policies: Query<&Policy>,
    mut armies: Query<Sacker, Without<Dissolved>>,
    mut towns: Query<Town>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
) {
    let p = &*params;
    let today = cal.date.to_days();
    // Nothing to do unless some faction sacks.
    let policy_of = |f: FactionId| index.factions.get(f.index()).and_then(|e| policies.get(*e).ok()).map(|x| x.sack);
    if !policies.iter().any(|x| x.sack != Sack::Never) {
        return;
    }
    for e in &index.armies {
        let Ok((&army, al, pos, s, mut supplies, routed, guided)) = armies.get_mut(*e) else { continue };
        let Some(q) = pos.0.province() else { continue };
        let policy = policy_of(al.0);
        if routed || policy.is_none_or(|x| x == Sack::Never) {
            continue;
        }
        let Ok((control, walls, mut granary, mut people, mut ravage)) = towns.get_mut(index.provinces[q.index()])
        else {
            continue;
        };
        if !sackable(al.0, control, walls, &ravage, policy, &diplomacy, today) {
            continue;
        }
        let spoils = plunder(&mut granary, &mut people, &mut ravage, &mut supplies, s, p, &cal);
        if !guided {
            commands.entity(*e).insert(Guided { until: days_after(today, p.guides_days) });
        }
        log_sack(&mut log, &cal, q, army, spoils);
    }
}

/// Logs a sack.
pub fn log_sack(log: &mut EventLog, cal: &Calendar, province: ProvinceId, army: ArmyId, s: Spoils) {
    log.push(cal, LogKind::Sacked { province, army, grain: s.grain, spoilt: s.spoilt, people: s.people });
}
