//! Sieges and captures.
//!
//! An army ending its turn in a province of a faction it is at war with takes it at once
//! if no garrison holds it. If a garrison holds the walls and the army's orders say
//! besiege, it lays siege: inside, the garrison and the people eat the grain; when it is
//! gone the garrison starves and may surrender. Each turn the besiegers assault if their
//! power is at least `assault_odds` times the fortified garrison's.

use crate::calendar::Calendar;
use crate::ids::{ArmyId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Siege, Walls};
use crate::params::Params;
use crate::record::log::{Cause, EventLog, LogKind};
use crate::record::outcome::Metrics;
use crate::rng::Rngs;
use crate::rules::baggage::take_baggage;
use crate::rules::combat::{battle_losses, noise};
use bevy_ecs::prelude::*;
use rand::RngExt;

/// Power of a garrison behind walls of level `fort`.
pub fn garrison_power(men: f64, fort: u8, p: &Params) -> f64 {
    men * (1.0 + p.fort_defense * f64::from(fort))
}

/// Assault power of an army: its men, with the siege train counted at `siege_assault_power`.
pub fn assault_power(s: &Strength, quality: f64, spirit: &Spirit, p: &Params) -> f64 {
    (s.infantry + s.cavalry + s.siege * p.siege_assault_power) * quality * (0.5 + 0.5 * spirit.morale)
}

/// An army standing in an enemy province: (province, army, faction, ordered to besiege).
type Before = (ProvinceId, ArmyId, FactionId, bool);

/// Buffers the siege phase reuses from turn to turn.
#[derive(Default)]
pub struct SiegeScratch {
    at: Vec<Before>,
    besieged: Vec<bool>,
    marked: Vec<Option<ProvinceId>>,
}

type Besieger = (
    &'static ArmyId,
    &'static Allegiance,
    &'static Position,
    &'static Orders,
    &'static mut Strength,
    &'static Quality,
    &'static Spirit,
    &'static mut Ledger,
    &'static mut Supplies,
    Has<Routed>,
    Has<Besieging>,
);

type Town = (
    &'static ProvinceId,
    &'static mut Control,
    &'static mut Walls,
    &'static mut Granary,
    &'static Population,
    &'static mut Siege,
);

/// Siege phase.
#[allow(clippy::too_many_arguments)]
pub fn conduct_sieges(
    cal: Res<Calendar>,
    params: Res<Params>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    mut armies: Query<Besieger, Without<Dissolved>>,
    mut provinces: Query<Town>,
    mut rngs: ResMut<Rngs>,
    mut log: ResMut<EventLog>,
    mut metrics: ResMut<Metrics>,
    mut commands: Commands,
    mut scratch: Local<SiegeScratch>,
) {
    let p = &*params;
    let days = cal.days();
    let SiegeScratch { at, besieged, marked } = &mut *scratch;
    // Armies standing in enemy provinces, grouped by province (then army id).
    at.clear();
    marked.clear();
    marked.resize(index.armies.len(), None);
    for (id, al, pos, o, .., routed, _) in &armies {
        let Some(q) = pos.0.province() else { continue };
        if routed {
            continue;
        }
        let Ok((_, c, ..)) = provinces.get(index.provinces[q.index()]) else { continue };
        if diplomacy.at_war(al.0, c.controller) {
            at.push((q, *id, al.0, o.besiege && o.goal == Some(q)));
        }
    }
    at.sort_by_key(|x| (x.0, x.1));

    besieged.clear();
    besieged.resize(index.provinces.len(), false);
    let mut i = 0;
    while i < at.len() {
        let q = at[i].0;
        let n = at[i..].iter().take_while(|x| x.0 == q).count();
        let group = &at[i..i + n];
        i += n;
        // The first army ordered to besiege leads; if none is, the first army there.
        let lead = group.iter().find(|x| x.3).unwrap_or(&group[0]).2;
        let pe = index.provinces[q.index()];
        let Ok((_, mut control, mut walls, mut granary, population, mut siege)) = provinces.get_mut(pe) else {
            continue;
        };
        let from = control.controller;
        let mut town = Captured {
            control: &mut control,
            walls: &mut walls,
            granary: &mut granary,
            siege: &mut siege,
            province: q,
            from,
        };

        if town.walls.garrison < 1.0 {
            town.capture(lead, group, &mut armies, marked, &index, p, &cal, &mut log, Cause::Undefended);
            continue;
        }
        // Only armies ordered to besiege sit down before the walls; others pass by.
        if !group.iter().any(|x| x.3) {
            continue;
        }
        besieged[q.index()] = true;
        if town.siege.besieger.is_none() {
            town.siege.besieger = Some(lead);
            town.siege.days = 0.0;
            log.push(
                &cal,
                LogKind::SiegeBegun {
                    province: q,
                    besieger: lead,
                    garrison: town.walls.garrison,
                    grain: town.granary.grain,
                },
            );
        }
        for x in group.iter().filter(|x| x.3) {
            marked[x.1.index()] = Some(q);
        }
        town.siege.days += days;

        // Hunger inside the walls.
        let eat = (town.walls.garrison * p.ration + population.0 * p.civilian_ration) * days;
        let had = town.granary.grain;
        town.granary.grain = (town.granary.grain - eat).max(0.0);
        if town.granary.grain <= 0.0 {
            if had > 0.0 {
                log.push(&cal, LogKind::SiegeStarving { province: q });
            }
            let short_days = if eat > 0.0 { days * (1.0 - had / eat) } else { days };
            town.walls.garrison *= (1.0 - p.siege_starvation * short_days).max(0.0);
            // A chance per day without food, so the same on any turn length.
            let surrender = 1.0 - (1.0 - p.starving_surrender_chance.clamp(0.0, 1.0)).powf(short_days);
            if rngs.siege.random::<f64>() < surrender {
                town.capture(lead, group, &mut armies, marked, &index, p, &cal, &mut log, Cause::Starved);
                continue;
            }
        }

        // Assault if the odds allow.
        let besiegers = || group.iter().filter(|x| x.3).map(|x| index.armies[x.1.index()]);
        let attack: f64 = besiegers()
            .filter_map(|e| armies.get(e).ok())
            .map(|(_, _, _, _, s, q, sp, ..)| assault_power(s, q.0, sp, p))
            .sum();
        let defence = garrison_power(town.walls.garrison, town.walls.fort, p);
        if defence > 0.0 && attack / defence >= p.assault_odds {
            let na = attack * noise(&mut rngs.siege, p.combat_noise);
            let nd = defence * noise(&mut rngs.siege, p.combat_noise);
            let success = na > nd;
            let r = if success { na / nd } else { nd / na };
            let (beaten, victor) = battle_losses(r, p);
            let scale = p.assault_loss / p.battle_loss.max(1e-9);
            let (att_frac, def_frac) =
                if success { (victor * scale, beaten * scale) } else { (beaten * scale, victor * scale) };
            let att_frac = (att_frac * p.assault_attacker_factor).min(1.0);
            let mut attackers = 0.0;
            let mut att_lost = 0.0;
            for e in besiegers() {
                if let Ok((_, _, _, _, mut s, _, _, mut ledger, ..)) = armies.get_mut(e) {
                    attackers += s.men();
                    let lost = s.lose(att_frac);
                    ledger.lost += lost;
                    att_lost += lost;
                }
            }
            let garrison = town.walls.garrison;
            let def_lost = garrison * def_frac.min(1.0);
            town.walls.garrison -= def_lost;
            let carried = success && town.walls.garrison < garrison * p.assault_carry_share;
            metrics.clash(lead, town.control.controller);
            log.push(
                &cal,
                LogKind::Assault {
                    province: q,
                    attackers,
                    garrison,
                    success: carried,
                    attacker_lost: att_lost,
                    defender_lost: def_lost,
                },
            );
            if carried {
                town.capture(lead, group, &mut armies, marked, &index, p, &cal, &mut log, Cause::Assault);
            }
        }
    }
    // Whoever besieges this turn is marked; every other army is not.
    for (id, .., has) in &armies {
        let e = index.armies[id.index()];
        match (marked[id.index()], has) {
            (Some(q), false) => {
                commands.entity(e).insert(Besieging(q));
            }
            (None, true) => {
                commands.entity(e).remove::<Besieging>();
            }
            _ => {}
        }
    }
    // Sieges with nobody left before the walls are lifted.
    for (id, .., mut siege) in &mut provinces {
        if siege.besieger.is_some() && !besieged[id.index()] {
            siege.lift();
        }
    }
}

/// A province changing hands, with the components that change.
struct Captured<'a, 'w> {
    control: &'a mut Mut<'w, Control>,
    walls: &'a mut Mut<'w, Walls>,
    granary: &'a mut Mut<'w, Granary>,
    siege: &'a mut Mut<'w, Siege>,
    province: ProvinceId,
    from: FactionId,
}

impl Captured<'_, '_> {
    /// `by` takes the province: its armies there share the loot, and leave a garrison if
    /// there are walls to hold.
    #[allow(clippy::too_many_arguments)]
    fn capture(
        &mut self,
        by: FactionId,
        group: &[Before],
        armies: &mut Query<Besieger, Without<Dissolved>>,
        marked: &mut [Option<ProvinceId>],
        index: &Index,
        p: &Params,
        cal: &Calendar,
        log: &mut EventLog,
        how: Cause,
    ) {
        self.control.controller = by;
        self.control.taken = Some(cal.date.to_days());
        self.siege.lift();
        let loot = self.granary.grain * p.capture_loot;
        let mut garrison = 0.0;
        let takers = group.iter().filter(|x| x.2 == by);
        let share = loot / takers.clone().count().max(1) as f64;
        for x in takers {
            marked[x.1.index()] = None;
            let Ok((.., mut s, _, _, mut ledger, mut supplies, _, _)) = armies.get_mut(index.armies[x.1.index()])
            else {
                continue;
            };
            // Each carries off what it can; the rest stays in the granary.
            self.granary.grain -= take_baggage(&mut supplies, &s, share, p, cal);
            if self.walls.fort > 0 {
                let left = s.men() * p.occupation_share;
                let frac = if s.men() > 0.0 { left / s.men() } else { 0.0 };
                s.infantry *= 1.0 - frac;
                s.cavalry *= 1.0 - frac;
                s.siege *= 1.0 - frac;
                ledger.establishment -= left;
                garrison += left;
            }
        }
        self.walls.garrison = garrison;
        log.push(cal, LogKind::Captured { province: self.province, by, from: self.from, how });
    }
}
