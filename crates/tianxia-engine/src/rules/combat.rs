//! Battles: hostile armies standing in one province, or met at one point of a route, fight.
//!
//! Power = (infantry + cavalry x cavalry_power x ground + siege crews x siege_crew_power)
//! x quality x morale x cohesion x fatigue x cold stress x hunger x command x weather x
//! defender ground, then a log-normal draw on each side. The ratio of the two decides
//! winner and losses; a hungry army breaks sooner.

use crate::calendar::{Calendar, days_after};
use crate::ids::{ArmyId, FactionId, ProvinceId, RouteId};
use crate::model::army::*;
use crate::model::diplomacy::Diplomacy;
use crate::model::index::Index;
use crate::model::province::Terrain;
use crate::model::route::RouteGraph;
use crate::model::weather::Weather;
use crate::params::Params;
use crate::record::log::{BattleArmy, EventLog, LogKind};
use crate::record::outcome::{BattleRecord, Metrics};
use crate::rng::Rngs;
use crate::rules::baggage::{lose_baggage, take_baggage};
use crate::rules::dissolution::{Loss, lose_commanders};
use crate::rules::evasion::{catch_chance, pace, refuses, route_terrain};
use crate::rules::exposure::hunger_share;
use crate::rules::lookup::{Leaders, Natures, Places};
use bevy_ecs::prelude::*;
use rand::{Rng, RngExt};
use rand_distr::StandardNormal;

/// Where a fight happens, as far as power is concerned.
#[derive(Clone, Copy, Debug)]
pub struct Ground {
    /// The province's terrain.
    pub terrain: Terrain,
    /// The weather there.
    pub weather: Weather,
    /// Whether this side holds the province (defender bonus applies).
    pub defending: bool,
}

/// What an army brings to a fight, read off its components.
#[derive(Clone, Copy, Debug)]
pub struct Fighting<'a> {
    /// Men and horses.
    pub strength: &'a Strength,
    /// Training and equipment.
    pub quality: f64,
    /// Morale and cohesion.
    pub spirit: &'a Spirit,
    /// Fatigue 0..1.
    pub fatigue: f64,
    /// Cold stress 0..1 ([`Exposure`]).
    pub exposure: f64,
    /// Hunger share 0..1 ([`hunger_share`]).
    pub hunger: f64,
}

impl<'a> Fighting<'a> {
    /// What an army brings to a fight, from its components.
    pub fn of(
        (strength, quality, spirit, fatigue): (&'a Strength, &Quality, &'a Spirit, &Fatigue),
        (exposure, hunger): (&Exposure, &Hunger),
        p: &Params,
    ) -> Fighting<'a> {
        Fighting {
            strength,
            quality: quality.0,
            spirit,
            fatigue: fatigue.0,
            exposure: exposure.0,
            hunger: hunger_share(hunger, p),
        }
    }
}

/// The deterministic power of an army on `ground` (no noise). Used by combat and by the
/// AI's estimate of the odds, so both read one formula.
pub fn army_power(a: Fighting, p: &Params, ground: Ground, cold_adapted: bool, command: f64) -> f64 {
    let s = a.strength;
    let mounted = s.mounted();
    let on_foot = s.infantry + (s.cavalry - mounted);
    let cav_ground = match ground.terrain {
        Terrain::Plain => 1.0,
        Terrain::Hills => p.cavalry_hills,
        Terrain::Mountains | Terrain::Pass => p.cavalry_mountains,
        Terrain::River | Terrain::Marsh => p.cavalry_marsh,
    };
    let men = on_foot + mounted * p.cavalry_power * cav_ground + s.siege * p.siege_crew_power;
    let weather = match (ground.weather, cold_adapted) {
        (Weather::Rain, _) => p.combat_rain,
        (Weather::Snow, false) => p.combat_snow,
        (Weather::Blizzard, false) => p.combat_blizzard,
        _ => 1.0,
    };
    let defend = if ground.defending {
        match ground.terrain {
            Terrain::Hills => p.defend_hills,
            Terrain::Mountains => p.defend_mountains,
            Terrain::Pass => p.defend_pass,
            _ => 1.0,
        }
    } else {
        1.0
    };
    men * a.quality
        * (0.5 + 0.5 * a.spirit.morale)
        * (0.5 + 0.5 * a.spirit.cohesion)
        * (1.0 - p.fatigue_combat_penalty * a.fatigue)
        * (1.0 - p.exposure_combat_penalty * a.exposure).max(0.0)
        * (1.0 - p.hunger_combat_penalty * a.hunger).max(0.0)
        * command
        * weather
        * defend
}

/// The share of its power an army brings to a fight: less when it is routed.
pub fn routed_factor(routed: bool, p: &Params) -> f64 {
    if routed { p.routed_power } else { 1.0 }
}

/// Losses of (loser, winner) as fractions, for a power ratio `r >= 1`.
pub fn battle_losses(r: f64, p: &Params) -> (f64, f64) {
    let k = r.max(1.0).powf(p.battle_loss_exponent);
    ((p.battle_loss * k).min(p.battle_loss_cap), p.battle_loss * p.winner_loss_share / k)
}

/// A log-normal factor with log-sd `sigma`: the luck of one side in one fight.
pub fn noise(rng: &mut impl Rng, sigma: f64) -> f64 {
    let z: f64 = rng.sample(StandardNormal);
    (sigma.max(0.0) * z).exp()
}

/// Where an army stands at the start of the combat phase: in a province, or at a point of
/// a route (where it met an enemy on the way).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Place {
    /// In a province.
    At(ProvinceId),
    /// `x` km from the route's `a` end, heading from `from` to `to`.
    Road {
        /// The route.
        route: RouteId,
        /// Km from its `a` end.
        x: f64,
        /// Where the army came from.
        from: ProvinceId,
        /// Where it was going.
        to: ProvinceId,
    },
}

/// An army at the start of the combat phase.
#[derive(Clone, Copy, Debug)]
pub struct Fighter {
    id: ArmyId,
    entity: Entity,
    faction: FactionId,
    place: Place,
    /// The province of the place, or the nearer end of its route (weather, the chronicle).
    near: ProvinceId,
    /// Armies with the same key fight together: a province's index, or past the provinces,
    /// one per cluster of armies at one point of a route.
    key: usize,
}

/// Buffers the combat phase reuses from turn to turn.
#[derive(Default)]
pub struct CombatScratch {
    fighters: Vec<Fighter>,
    factions: Vec<FactionId>,
    side_a: Vec<usize>,
    side_b: Vec<usize>,
    tally: Vec<(FactionId, f64)>,
    retreats: Vec<usize>,
    baggage: Vec<(ArmyId, f64)>,
    outs: Vec<(f64, ProvinceId, FactionId)>,
    /// Where armies that slipped away this phase went, and their factions.
    moved: Vec<(ProvinceId, FactionId)>,
}

type Combatant = (
    &'static ArmyId,
    &'static Allegiance,
    &'static mut Commanders,
    &'static Leadership,
    &'static mut Strength,
    &'static Quality,
    &'static mut Spirit,
    &'static mut Fatigue,
    &'static mut Ledger,
    &'static mut Position,
    Has<Routed>,
    (&'static Exposure, &'static Hunger),
    (&'static mut Supplies, &'static Stance, Has<Besieging>, &'static mut Orders),
);

/// The provinces army `f` could fall back or slip away to, with the km to each and its
/// controller, into `outs`: the neighbours by open routes of its province, or the two ends
/// of the route it stands on; none where an enemy army stands in a province (at the start
/// of the phase, or having slipped away there since: `moved`).
#[allow(clippy::too_many_arguments)]
fn ways_out(
    outs: &mut Vec<(f64, ProvinceId, FactionId)>,
    graph: &RouteGraph,
    places: &Places,
    diplomacy: &Diplomacy,
    fighters: &[Fighter],
    moved: &[(ProvinceId, FactionId)],
    f: Fighter,
) {
    outs.clear();
    let mut add = |km: f64, n: ProvinceId| {
        let enemy = fighters.iter().any(|x| x.place == Place::At(n) && diplomacy.at_war(f.faction, x.faction))
            || moved.iter().any(|&(q, g)| q == n && diplomacy.at_war(f.faction, g));
        if let Some(c) = places.controller(n).filter(|_| !enemy) {
            outs.push((km, n, c));
        }
    };
    match f.place {
        Place::At(here) => {
            for &(r, n) in graph.neighbours(here) {
                if graph.is_open(r) {
                    add(graph.way(r).km, n);
                }
            }
        }
        Place::Road { route, x, .. } => {
            let w = graph.way(route);
            add(x, w.a);
            add(w.km - x, w.b);
        }
    }
}

/// Where an army that refuses battle can go, of [`ways_out`]: land held by its side or by
/// an enemy (not a neutral's), its own side's first, then the nearest, then the lowest id.
fn escape(outs: &[(f64, ProvinceId, FactionId)], diplomacy: &Diplomacy, f: FactionId) -> Option<ProvinceId> {
    outs.iter()
        .filter(|(_, _, c)| diplomacy.friendly(f, *c) || diplomacy.at_war(f, *c))
        .min_by(|x, y| {
            let foreign = |c: FactionId| !diplomacy.friendly(f, c);
            foreign(x.2).cmp(&foreign(y.2)).then(x.0.total_cmp(&y.0)).then(x.1.cmp(&y.1))
        })
        .map(|(_, n, _)| *n)
}

/// Where a beaten army falls back to, of [`ways_out`]: land its side holds, the nearest,
/// then the lowest id.
fn retreat(outs: &[(f64, ProvinceId, FactionId)], diplomacy: &Diplomacy, f: FactionId) -> Option<ProvinceId> {
    outs.iter()
        .filter(|(_, _, c)| diplomacy.friendly(f, *c))
        .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)))
        .map(|(_, n, _)| *n)
}

/// Combat phase: in each province (by id) where armies of factions at war stand, the
/// two sides fight one battle, unless one side slips away first
/// ([`evasion`](crate::rules::evasion)).
#[allow(clippy::too_many_arguments)]
pub fn resolve_battles(
    cal: Res<Calendar>,
    params: Res<Params>,
    graph: Res<RouteGraph>,
    diplomacy: Res<Diplomacy>,
    index: Res<Index>,
    places: Places,
    leaders: Leaders,
    natures: Natures,
    mut armies: Query<Combatant, Without<Dissolved>>,
    mut rngs: ResMut<Rngs>,
    mut metrics: ResMut<Metrics>,
    mut log: ResMut<EventLog>,
    mut commands: Commands,
    mut scratch: Local<CombatScratch>,
) {
    let p = &*params;
    let today = cal.date.to_days();
    let CombatScratch { fighters, factions, side_a, side_b, tally, retreats, baggage, outs, moved } = &mut *scratch;
    moved.clear();
    fighters.clear();
    for (id, al, .., pos, _, _, _) in &armies {
        let (place, near) = match pos.0 {
            Location::At(q) => (Place::At(q), q),
            Location::OnRoute { route, from, to, done } => {
                let w = graph.way(route);
                let x = if from == w.a { done } else { w.km - done };
                (Place::Road { route, x, from, to }, pos.0.nearest(|r| graph.way(r).km))
            }
        };
        let entity = index.armies[id.index()];
        fighters.push(Fighter { id: *id, entity, faction: al.0, place, near, key: near.index() });
    }
    // Armies on a route fight where they stand together (within 10 m).
    let np = index.provinces.len();
    let road = |f: &Fighter| match f.place {
        Place::Road { route, x, .. } => Some((route, x)),
        Place::At(_) => None,
    };
    fighters.sort_by(|a, b| match (road(a), road(b)) {
        (Some((ra, xa)), Some((rb, xb))) => ra.cmp(&rb).then(xa.total_cmp(&xb)).then(a.id.cmp(&b.id)),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
    let mut cluster = np;
    let mut last: Option<(RouteId, f64)> = None;
    for f in fighters.iter_mut() {
        if let Some((r, x)) = road(f) {
            if last.is_some_and(|(lr, lx)| lr != r || x - lx > 0.01) {
                cluster += 1;
            }
            last = Some((r, x));
            f.key = cluster;
        }
    }
    fighters.sort_by_key(|f| (f.key, f.id));

    let mut start = 0;
    while start < fighters.len() {
        let key = fighters[start].key;
        let here = fighters[start].near;
        let on_road = match fighters[start].place {
            Place::Road { route, .. } => Some(route),
            Place::At(_) => None,
        };
        let end = start + fighters[start..].iter().take_while(|f| f.key == key).count();
        let group = start..end;
        start = end;
        // The first faction (by id) with an enemy present leads side A.
        factions.clear();
        factions.extend(fighters[group.clone()].iter().map(|f| f.faction));
        factions.sort();
        factions.dedup();
        let Some(&lead) = factions.iter().find(|&&a| factions.iter().any(|&b| diplomacy.at_war(a, b))) else {
            continue;
        };
        side_b.clear();
        side_b.extend(group.clone().filter(|&i| diplomacy.at_war(lead, fighters[i].faction)));
        side_a.clear();
        side_a.extend(group.clone().filter(|&i| {
            diplomacy.friendly(lead, fighters[i].faction)
                && side_b.iter().any(|&b| diplomacy.at_war(fighters[i].faction, fighters[b].faction))
        }));
        if side_a.is_empty() || side_b.is_empty() {
            continue;
        }
        // Nobody holds a road: no defender's ground there.
        let controller = match on_road {
            None => match places.controller(here) {
                Some(c) => Some(c),
                None => continue,
            },
            Some(_) => None,
        };
        let terrain = on_road.map_or_else(|| places.terrain(here), |r| route_terrain(graph.way(r).kind));
        let weather = places.weather(here);
        let power_of = |armies: &Query<Combatant, Without<Dissolved>>, side: &[usize]| -> f64 {
            let command = |i: usize| armies.get(fighters[i].entity).map_or(&[][..], |a| a.2.0.as_slice());
            let rivalry = side.iter().any(|&i| side.iter().any(|&j| leaders.rivalry_across(command(i), command(j))));
            let mut total = 0.0;
            for &i in side {
                let f = fighters[i];
                let Ok((_, _, _, led, s, q, sp, fa, _, _, routed, (ex, hu), _)) = armies.get(f.entity) else {
                    continue;
                };
                let mut c = led.command_factor(p);
                if rivalry && !led.rivalry() {
                    c *= 1.0 - p.rivalry_penalty;
                }
                let defending = controller.is_some_and(|c| diplomacy.friendly(f.faction, c));
                let ground = Ground { terrain, weather, defending };
                let fighting = Fighting::of((s, q, sp, fa), (ex, hu), p);
                total += army_power(fighting, p, ground, natures.cold_adapted(f.faction), c) * routed_factor(routed, p);
            }
            total
        };
        // Armies that would rather not fight, and can, try to slip away first.
        let (base_a, base_b) = (power_of(&armies, side_a), power_of(&armies, side_b));
        let odds_a = if base_b > 0.0 { base_a / base_b } else { f64::INFINITY };
        let odds_b = if base_a > 0.0 { base_b / base_a } else { f64::INFINITY };
        let sides = (side_a.len(), side_b.len());
        let pace_of = |side: &[usize]| {
            let mut fastest = 0.0_f64;
            let mut horse = 0.0;
            for &i in side {
                if let Ok(a) = armies.get(fighters[i].entity) {
                    fastest = fastest.max(pace(a.4, a.7.0, p));
                    horse += a.4.mounted();
                }
            }
            (fastest, horse)
        };
        let (chase_a, chase_b) = (pace_of(side_b), pace_of(side_a));
        for (side, odds, (chaser, horse)) in [(&mut *side_a, odds_a, chase_a), (&mut *side_b, odds_b, chase_b)] {
            let mut k = 0;
            while k < side.len() {
                let f = fighters[side[k]];
                let Ok((_, _, _, _, s, _, _, fa, _, _, routed, _, (_, stance, besieging, _))) = armies.get(f.entity)
                else {
                    k += 1;
                    continue;
                };
                if routed || besieging || !refuses(*stance, odds, p) {
                    k += 1;
                    continue;
                }
                let own = pace(s, fa.0, p);
                let way_out = (own > chaser)
                    .then(|| {
                        ways_out(outs, &graph, &places, &diplomacy, fighters, moved, f);
                        escape(outs, &diplomacy, f.faction)
                    })
                    .flatten();
                let Some(to) = way_out else {
                    k += 1;
                    continue;
                };
                let caught = catch_chance(chaser, own, horse, s.men(), terrain, weather, p);
                if rngs.evasion.random::<f64>() < caught {
                    log.push(&cal, LogKind::Caught { army: f.id, province: here });
                    k += 1;
                    continue;
                }
                if let Ok((.., mut fa, _, mut pos, _, _, (_, _, _, mut orders))) = armies.get_mut(f.entity) {
                    pos.0 = Location::At(to);
                    fa.0 = (fa.0 + p.evade_fatigue).min(1.0);
                    // Its path started where it stood; the next plan starts where it is.
                    orders.path.clear();
                }
                log.push(&cal, LogKind::Evaded { army: f.id, from: here, to });
                // Later ways out this phase see it where it went.
                moved.push((to, f.faction));
                side.remove(k);
            }
        }
        if side_a.is_empty() || side_b.is_empty() {
            continue;
        }
        // The powers before the noise change only if someone slipped away.
        let (base_a, base_b) = if sides == (side_a.len(), side_b.len()) {
            (base_a, base_b)
        } else {
            (power_of(&armies, side_a), power_of(&armies, side_b))
        };
        let pa = base_a * noise(&mut rngs.combat, p.combat_noise);
        let pb = base_b * noise(&mut rngs.combat, p.combat_noise);
        if pa <= 0.0 || pb <= 0.0 {
            continue;
        }
        let (winners, losers, r) = if pa >= pb { (&*side_a, &*side_b, pa / pb) } else { (&*side_b, &*side_a, pb / pa) };
        let (loser_loss, winner_loss) = battle_losses(r, p);
        let men_of = |armies: &Query<Combatant, Without<Dissolved>>, i: usize| {
            armies.get(fighters[i].entity).map_or(0.0, |a| a.4.men())
        };
        let winner_cav: f64 =
            winners.iter().filter_map(|i| armies.get(fighters[*i].entity).ok()).map(|a| a.4.mounted()).sum();
        let loser_men: f64 = losers.iter().map(|&i| men_of(&armies, i)).sum();
        let rout_by_ratio = r >= p.rout_ratio;
        let mut any_rout = false;

        let mut won = Vec::with_capacity(winners.len());
        for &i in winners {
            let f = fighters[i];
            let Ok((_, _, mut cmd, _, mut s, _, mut sp, _, mut ledger, ..)) = armies.get_mut(f.entity) else {
                continue;
            };
            let chance = p.commander_loss_victor;
            lose_commanders(&mut cmd, chance, Loss::Battle, p, &mut rngs.combat, &index, &cal, &mut commands, &mut log);
            let men = s.men();
            let lost = s.lose(winner_loss);
            ledger.lost += lost;
            sp.morale = (sp.morale + p.victory_morale_gain).min(1.0);
            sp.cohesion = (sp.cohesion - winner_loss).max(0.0);
            won.push(BattleArmy { army: f.id, faction: f.faction, men, lost });
        }
        let mut lost_side = Vec::with_capacity(losers.len());
        retreats.clear();
        baggage.clear();
        for &i in losers {
            let f = fighters[i];
            let Ok((_, _, mut cmd, _, mut s, _, mut sp, _, mut ledger, _, _, (_, hu), (mut sup, ..))) =
                armies.get_mut(f.entity)
            else {
                continue;
            };
            let men = s.men();
            let mut frac = loser_loss;
            sp.morale = (sp.morale - p.defeat_morale_loss).max(0.0);
            sp.cohesion = (sp.cohesion - 2.0 * loser_loss).max(0.0);
            // A hungry army breaks sooner.
            let rout = rout_by_ratio || sp.morale < p.rout_morale + p.hunger_rout_morale * hunger_share(hu, p);
            if rout {
                any_rout = true;
                frac += p.pursuit_loss * (winner_cav / loser_men.max(1.0)).min(1.0);
                ledger.routs += 1;
                let until = days_after(today, p.rout_days);
                if until > today {
                    commands.entity(f.entity).insert(Routed { until });
                }
            }
            let lost = s.lose(frac);
            ledger.lost += lost;
            let share = if rout { p.baggage_loss_rout } else { p.baggage_loss_defeat };
            let food = lose_baggage(&mut sup, share);
            if food > 0.0 {
                baggage.push((f.id, food));
            }
            let chance = p.commander_loss_beaten * if rout { p.commander_loss_rout_factor } else { 1.0 };
            lose_commanders(&mut cmd, chance, Loss::Battle, p, &mut rngs.combat, &index, &cal, &mut commands, &mut log);
            commands.entity(f.entity).remove::<Besieging>();
            lost_side.push(BattleArmy { army: f.id, faction: f.faction, men, lost });
            retreats.push(i);
        }
        // The victors take what they can carry of the lost baggage, by their men.
        let spoils: f64 = baggage.iter().map(|b| b.1).sum::<f64>() * p.baggage_capture_share.clamp(0.0, 1.0);
        let mut taken = 0.0;
        if spoils > 0.0 {
            let victors: f64 = winners.iter().map(|&i| men_of(&armies, i)).sum();
            for &i in winners {
                let Ok((_, _, _, _, s, .., (mut sup, ..))) = armies.get_mut(fighters[i].entity) else { continue };
                let share = if victors > 0.0 { s.men() / victors } else { 0.0 };
                taken += take_baggage(&mut sup, &s, spoils * share, p, &cal);
            }
        }
        // The faction with the most men on the winning side is named the winner.
        tally.clear();
        for &i in winners {
            let (faction, m) = (fighters[i].faction, men_of(&armies, i));
            match tally.iter_mut().find(|x| x.0 == faction) {
                Some(x) => x.1 += m,
                None => tally.push((faction, m)),
            }
        }
        let winner_faction = tally
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map_or(fighters[winners[0]].faction, |x| x.0);
        let engaged: f64 = won.iter().chain(lost_side.iter()).map(|b| b.men).sum();
        let mut wf: Vec<FactionId> = winners.iter().map(|&i| fighters[i].faction).collect();
        let mut lf: Vec<FactionId> = losers.iter().map(|&i| fighters[i].faction).collect();
        wf.sort();
        wf.dedup();
        lf.sort();
        lf.dedup();
        // The named winner leads the list, so outcomes and the chronicle agree.
        wf.retain(|f| *f != winner_faction);
        wf.insert(0, winner_faction);
        for (&w, &l) in wf.iter().flat_map(|w| lf.iter().map(move |l| (w, l))) {
            metrics.clash(w, l);
        }
        metrics.battles.push(BattleRecord {
            winners: wf,
            losers: lf,
            men: engaged,
            day: cal.date.to_days(),
            province: here,
        });
        log.push(
            &cal,
            LogKind::Battle {
                province: here,
                weather,
                winner: winner_faction,
                ratio: r,
                rout: any_rout,
                winners: won,
                losers: lost_side,
            },
        );
        let lost_food: f64 = baggage.iter().map(|b| b.1).sum();
        for &(army, food) in baggage.iter() {
            log.push(&cal, LogKind::BaggageLost { army, food, taken: taken * food / lost_food });
        }

        // The beaten fall back to a neighbouring province (or an end of their road) their
        // side holds, without enemies.
        for &i in retreats.iter() {
            let f = fighters[i];
            ways_out(outs, &graph, &places, &diplomacy, fighters, moved, f);
            let dest = retreat(outs, &diplomacy, f.faction);
            let Ok((_, _, _, _, mut s, _, _, _, mut ledger, mut pos, ..)) = armies.get_mut(f.entity) else { continue };
            match dest {
                Some(to) => {
                    pos.0 = Location::At(to);
                    log.push(&cal, LogKind::Retreat { army: f.id, from: here, to });
                }
                None => {
                    ledger.lost += s.lose(p.no_retreat_loss);
                    log.push(&cal, LogKind::Trapped { army: f.id, province: here });
                }
            }
        }
    }
}
