//! The parameter table: every constant that shapes behaviour, with its documented default.
//!
//! Each entry is defined once, here; the scenario format, `--set params.NAME=V`, the
//! `SetParam` event effect and docs/rules.md all read this table.

use bevy_ecs::prelude::Resource;
use serde::{Deserialize, Serialize};

/// One parameter's definition: name, default, unit and meaning.
#[derive(Clone, Copy, Debug)]
pub struct ParamDef {
    /// The name used in scenarios, overrides and events.
    pub name: &'static str,
    /// The default value.
    pub default: f64,
    /// The unit (`km/day`, `fraction/day`, `factor`, ...).
    pub unit: &'static str,
    /// What it does.
    pub doc: &'static str,
}

macro_rules! params {
    ($( #[doc = $doc:literal] $name:ident : $default:expr , $unit:literal ; )*) => {
        /// All tunable constants of the rules (see [`PARAM_DEFS`] for units and meaning).
        #[derive(Clone, Debug, PartialEq, Resource, Serialize, Deserialize)]
        pub struct Params {
            $( #[doc = $doc] pub $name: f64, )*
        }

        impl Default for Params {
            fn default() -> Self {
                Self { $( $name: $default, )* }
            }
        }

        /// The definitions of every parameter, in documentation order.
        pub const PARAM_DEFS: &[ParamDef] = &[
            $( ParamDef { name: stringify!($name), default: $default, unit: $unit, doc: $doc.trim_ascii() }, )*
        ];

        impl Params {
            /// The value of the parameter called `name`, if there is one.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($name) => Some(self.$name), )*
                    _ => None,
                }
            }

            /// Sets the parameter called `name`; `false` if there is no such parameter.
            #[must_use]
            pub fn set(&mut self, name: &str, value: f64) -> bool {
                match name {
                    $( stringify!($name) => { self.$name = value; true } )*
                    _ => false,
                }
            }
        }
    };
}

params! {
    // --- movement ---
    /// Marching speed of infantry on a good road in clear weather (est.; Jin field army made ~15 km/day under harassment, JS112).
    infantry_speed: 20.0, "km/day";
    /// Marching speed of an all-cavalry army on a good road in clear weather (est.).
    cavalry_speed: 50.0, "km/day";
    /// Speed of an army that drags a siege train (engines, carts).
    siege_train_speed: 12.0, "km/day";
    /// Speed factor on a mountain path (gorge roads such as the Chencang road).
    speed_mountain_path: 0.5, "factor";
    /// Speed factor through a pass.
    speed_pass: 0.6, "factor";
    /// Speed factor for a river crossing (ferry or ford).
    speed_river_crossing: 0.6, "factor";
    /// Speed factor for river transport upstream.
    speed_river_up: 0.7, "factor";
    /// Speed factor for river transport downstream.
    speed_river_down: 1.4, "factor";
    /// Speed factor in rain (mud).
    speed_rain: 0.75, "factor";
    /// Speed factor in snow.
    speed_snow: 0.5, "factor";
    /// Speed factor in a blizzard.
    speed_blizzard: 0.2, "factor";
    /// Fatigue gained per full day of marching (fatigue runs 0..1).
    fatigue_per_march_day: 0.03, "fatigue/day";
    /// Fatigue shed per day of rest.
    fatigue_recovery_per_day: 0.06, "fatigue/day";
    /// Speed lost at full fatigue: speed x (1 - this x fatigue).
    fatigue_speed_penalty: 0.5, "factor";
    /// Speed bonus while the army has local guides: speed x (1 + this).
    guides_speed_bonus: 0.25, "factor";
    /// How long guides stay with an army.
    guides_days: 45.0, "days";
    /// Men and horses an army loses per day on a mountain path or pass: falls, exhaustion (est.).
    mountain_attrition: 0.002, "fraction/day";
    /// Mountain attrition of an army with local guides, as a share of the above (est.).
    guides_attrition_factor: 0.5, "factor";
    /// Chance that an army without guides loses its way on a mountain path or pass it sets out on (est.).
    lost_way_chance: 0.2, "probability/route";
    /// Days of marching an army that lost its way loses.
    lost_way_days: 2.0, "days";
    /// Chance per day that a river crossing or river route floods in a wet season of its region (regions without wet seasons never flood).
    flood_chance_per_day: 0.01, "chance/day";
    /// Days a flooded route stays closed.
    flood_days: 10.0, "days";

    // --- supply and attrition ---
    /// Grain ration per man per day (2 sheng; Tang manual norm, RA).
    ration: 0.02, "shi/man/day";
    /// Grain fodder per horse per day outside the grazing season (1 dou, Oct-Apr; RA).
    fodder: 0.1, "shi/horse/day";
    /// Share of the grain fodder still needed in the grazing season (May-Sep) (est.).
    grazing_fodder_share: 0.3, "fraction";
    /// Days of rations and fodder an army can carry.
    carry_days: 20.0, "days";
    /// How far, through friendly or granted provinces, an army can draw grain.
    supply_range: 250.0, "km";
    /// Grain lost in transit per 100 km overland.
    supply_loss_land: 0.15, "fraction/100km";
    /// Grain lost in transit per 100 km by river.
    supply_loss_river: 0.04, "fraction/100km";
    /// Transit losses of an army led by a logistician, as a share of the usual.
    logistician_loss: 0.5, "factor";
    /// Share of a province's grain that may be drawn for armies (the rest feeds its people).
    supply_draw_share: 0.5, "fraction";
    /// Share of a lost baggage train an army rebuilds per day while it stands in land it may draw grain from (est.: carts and animals requisitioned over some weeks).
    train_rebuild_per_day: 0.02, "fraction/day";
    /// Share of the days of snow where an army stands on which no cart reaches it (est.).
    carts_stopped_snow: 0.5, "fraction";
    /// Share of the days of blizzard where an army stands on which no cart reaches it (est.: snow a foot deep, mud to the shin, XYS).
    carts_stopped_blizzard: 1.0, "fraction";
    /// Share of the grain stock of the province it stands in that an army can forage per day.
    forage_share_per_day: 0.02, "fraction/day";
    /// Men lost per day at total hunger (scaled by the unmet share of rations).
    hunger_attrition: 0.01, "fraction/day";
    /// Morale lost per day at total hunger.
    hunger_morale_loss: 0.03, "morale/day";
    /// Horses lost per day at total lack of fodder.
    horse_starvation: 0.02, "fraction/day";
    /// Men and horses lost per day to frostbite in snow by a fed army without shelter (the exposure rule).
    cold_attrition: 0.002, "fraction/day";
    /// Frostbite and exposure multiplier in a blizzard.
    blizzard_cold_factor: 3.0, "factor";
    /// Frostbite and exposure multiplier for a cold-adapted faction or an army led by a cold veteran.
    cold_adapted_factor: 0.2, "factor";
    /// Frostbite and exposure multiplier for an army sheltering in a walled province its faction controls.
    exposure_shelter_factor: 0.2, "factor";
    /// Extra frostbite and exposure at full hunger: x (1 + this x hunger share).
    exposure_hunger_factor: 1.0, "factor";
    /// Cold stress (0..1) gained per day of snow by a fed, unadapted army without shelter (est.: three days of blizzard bring it near 1).
    exposure_per_day: 0.1, "exposure/day";
    /// Cold stress shed per day out of snow and blizzard.
    exposure_recovery_per_day: 0.1, "exposure/day";
    /// Cohesion lost per day of snow by a fed, unadapted army without shelter.
    exposure_cohesion_loss: 0.02, "cohesion/day";
    /// Morale lost per day of snow by a fed, unadapted army without shelter.
    exposure_morale_loss: 0.02, "morale/day";
    /// Power lost at full cold stress: x (1 - this x exposure).
    exposure_combat_penalty: 0.4, "factor";
    /// Cold stress above which the chronicle says an army is freezing.
    exposure_report: 0.5, "exposure";
    /// Days unfed after which hunger weighs fully in battle (est.).
    hunger_full_days: 6.0, "days";
    /// Power lost at full hunger: x (1 - this x hunger share), hunger share = min(1, days unfed / hunger_full_days).
    hunger_combat_penalty: 0.4, "factor";
    /// A beaten army at full hunger routs below rout_morale plus this (in proportion to its hunger share).
    hunger_rout_morale: 0.3, "morale";
    /// Men lost per day to disease in the field.
    disease_attrition: 0.0005, "fraction/day";
    /// Disease multiplier in summer.
    disease_summer_factor: 2.0, "factor";
    /// Disease multiplier for an army besieging a city.
    disease_siege_factor: 2.0, "factor";
    /// An army is logged as running short of food when more than this share of its need went unmet.
    starving_share: 0.25, "fraction";
    /// Men an army must lose away from battle in a month for the chronicle to say so.
    wastage_report_men: 1000.0, "men";
    /// Morale regained per day when fed.
    morale_recovery: 0.01, "morale/day";
    /// Cohesion regained per day while fed.
    cohesion_recovery: 0.02, "cohesion/day";

    // --- combat ---
    /// Combat power of a horseman relative to a footman (1.0) on open ground.
    cavalry_power: 2.0, "factor";
    /// Combat power of a man of the siege train.
    siege_crew_power: 0.3, "factor";
    /// Cavalry power factor in hills.
    cavalry_hills: 0.8, "factor";
    /// Cavalry power factor in mountains or a pass.
    cavalry_mountains: 0.5, "factor";
    /// Cavalry power factor in marsh or river land.
    cavalry_marsh: 0.6, "factor";
    /// Defender power factor in hills.
    defend_hills: 1.15, "factor";
    /// Defender power factor in mountains.
    defend_mountains: 1.3, "factor";
    /// Defender power factor in a pass.
    defend_pass: 1.6, "factor";
    /// Power factor in rain.
    combat_rain: 0.9, "factor";
    /// Power factor in snow (cold-adapted factions are exempt).
    combat_snow: 0.8, "factor";
    /// Power factor in a blizzard (cold-adapted factions are exempt).
    combat_blizzard: 0.55, "factor";
    /// Power per point of commander skill above 0.5: x (1 + this x (skill - 0.5)).
    command_weight: 0.6, "factor";
    /// Power lost when rival commanders share a side: x (1 - this) (0 by default: rivalry costs through hesitation and caution instead).
    rivalry_penalty: 0.0, "fraction";
    /// Chance per day that an army led by rival commanders cannot agree and waits (neither its orders nor its AI plan are followed that turn) (est.).
    rivalry_hesitation_per_day: 0.05, "probability/day";
    /// Odds an AI army led by rival commanders needs to attack, as a multiple of the usual.
    rivalry_attack_factor: 1.3, "factor";
    /// Power lost at full fatigue: x (1 - this x fatigue).
    fatigue_combat_penalty: 0.3, "factor";
    /// Standard deviation of the log-normal noise on each side's power.
    combat_noise: 0.25, "log-sd";
    /// Losses of the loser at even odds.
    battle_loss: 0.12, "fraction";
    /// How losses scale with the power ratio r: loser x r^this, winner / r^this.
    battle_loss_exponent: 0.7, "exponent";
    /// Winner's losses relative to the loser's at even odds.
    winner_loss_share: 0.5, "fraction";
    /// Cap on the loser's losses in one battle (before pursuit).
    battle_loss_cap: 0.5, "fraction";
    /// Morale lost by the loser of a battle.
    defeat_morale_loss: 0.3, "morale";
    /// Morale gained by the winner of a battle.
    victory_morale_gain: 0.1, "morale";
    /// A beaten army routs when its morale falls below this...
    rout_morale: 0.3, "morale";
    /// ...or when the winner's power was this many times its own.
    rout_ratio: 2.5, "ratio";
    /// Extra losses of a routed army per unit of (winner's cavalry / loser's men), capped at 1.
    pursuit_loss: 0.15, "fraction";
    /// Extra losses of a beaten army with no friendly province to fall back to.
    no_retreat_loss: 0.25, "fraction";
    /// Power of a routed army, as a share of its power in good order (combat and the AI's odds).
    routed_power: 0.5, "factor";
    /// Days an army stays routed: it flees to safety, fights at `routed_power`, takes no part in sieges, and its script (if any) is abandoned.
    rout_days: 15.0, "days";
    /// Below this many men an army disbands.
    min_army_men: 300.0, "men";
    /// Cohesion a routed army loses per day while the rout lasts.
    rout_cohesion_loss: 0.03, "cohesion/day";
    /// Men a routed army loses per day of pursuit by enemy horse within one route of it: x min(1, pursuing horsemen / its men) (est.).
    pursuit_per_day: 0.03, "fraction/day";
    /// Share of the men lost in a pursuit who are killed.
    pursuit_killed_share: 0.4, "fraction";
    /// Share of the men lost in a pursuit who are taken prisoner (the rest scatter).
    pursuit_captured_share: 0.2, "fraction";
    /// An army whose cohesion falls below this breaks up (dissolves), as one below min_army_men does.
    dissolve_cohesion: 0.05, "cohesion";
    /// Share of the scattered men (of a pursuit, or of an army that dissolves) who find their way back to the faction's manpower.
    dispersed_return_share: 0.5, "fraction";
    /// Share of the stragglers on their way back who reach the manpower pool per day.
    straggler_return_per_day: 0.02, "fraction/day";
    /// Chance that each commander of a beaten army is killed or taken in the battle (est.).
    commander_loss_beaten: 0.05, "probability";
    /// That chance's multiplier when the beaten army routs.
    commander_loss_rout_factor: 3.0, "factor";
    /// Chance that each commander of a victorious army falls in the battle (est.).
    commander_loss_victor: 0.01, "probability";
    /// Chance that each commander of an army that dissolves is killed or taken (else he escapes) (est.).
    dissolve_commander_loss: 0.5, "probability";
    /// Share of lost commanders who are killed (the rest are taken prisoner).
    commander_killed_share: 0.6, "fraction";

    // --- evasion, harassment, baggage and sacking ---
    /// An army of stance `auto` refuses battle when its side's power is below this share of the enemy's (and it is the faster, with a way out).
    evade_odds: 0.7, "ratio";
    /// Pace bonus of an all-mounted army per spare horse per rider (up to remount_spare_max): pace x (1 + this x spare) (est.).
    remount_speed_bonus: 0.1, "factor/horse";
    /// Spare horses per rider that still add pace; more are led, not ridden (est.).
    remount_spare_max: 2.0, "horses";
    /// Chance that an army refusing battle is caught, at equal pace, before the factors below.
    evade_catch_base: 1.0, "probability";
    /// How the chance of being caught falls as the evader outpaces the pursuer: x (pursuer pace / evader pace)^this.
    evade_speed_exponent: 1.0, "exponent";
    /// Chance of being caught added by the pursuers' horse: + this x min(1, pursuing horsemen / evader's men) (est.).
    evade_cavalry_catch: 0.3, "probability";
    /// Catch factor in hills.
    evade_catch_hills: 1.2, "factor";
    /// Catch factor in mountains, a pass, or on a mountain path (few ways out).
    evade_catch_mountains: 1.5, "factor";
    /// Catch factor by a river or in a marsh (crossings pin an army).
    evade_catch_marsh: 1.4, "factor";
    /// Catch factor in rain.
    evade_catch_rain: 1.1, "factor";
    /// Catch factor in snow.
    evade_catch_snow: 1.3, "factor";
    /// Catch factor in a blizzard.
    evade_catch_blizzard: 1.6, "factor";
    /// Fatigue an army gains when it refuses battle and slips away.
    evade_fatigue: 0.05, "fatigue";
    /// An army of stance `auto` harasses an enemy it refuses only if at least this share of its men are mounted.
    harass_mounted_share: 0.8, "fraction";
    /// A harasser reaches enemy columns in its province, on a route out of it, or in a province at most this far by an open route.
    harass_range: 60.0, "km";
    /// Men a harassed army loses per day at full intensity (intensity = min(1, harassing horsemen / (harass_full_ratio x its men)) x (1 - harass_screen x min(1, its horsemen / harassing horsemen))) (est.; the Jin march from Dengzhou, JS112).
    harass_loss_per_day: 0.004, "fraction/day";
    /// Harassing horsemen per man of the column that give full intensity.
    harass_full_ratio: 0.5, "ratio";
    /// How much a column's own horse screens it: intensity x (1 - this x min(1, its horsemen / harassing horsemen)).
    harass_screen: 0.5, "factor";
    /// Fatigue a harassed army gains per day at full intensity (the Jin made ~15 km/day under harassment, JS112).
    harass_fatigue_per_day: 0.03, "fatigue/day";
    /// Morale a harassed army loses per day at full intensity.
    harass_morale_per_day: 0.005, "morale/day";
    /// Share of a harassed army's baggage (carried grain) destroyed per day at full intensity (est.).
    harass_baggage_per_day: 0.03, "fraction/day";
    /// Men the harasser loses, as a share of the men it kills.
    harass_cost_share: 0.3, "fraction";
    /// Share of its baggage (carried grain) an army loses when it is beaten.
    baggage_loss_defeat: 0.25, "fraction";
    /// Share of its baggage an army loses when it is beaten and routs (instead of the above).
    baggage_loss_rout: 0.6, "fraction";
    /// Share of the lost baggage the victors take (what they can carry; the rest is destroyed).
    baggage_capture_share: 0.5, "fraction";
    /// Share of a sacked place's grain stripped (the army carries off what it can, the rest is spoilt) (est.).
    sack_grain_share: 0.8, "fraction";
    /// Share of a sacked place's people killed or driven off (est.).
    sack_population_loss: 0.05, "fraction";
    /// Share of a sacked place's next harvest spoilt (est.).
    sack_harvest_loss: 0.5, "fraction";
    /// Days before a sacked place can be sacked again.
    sack_interval: 365.0, "days";

    // --- sieges ---
    /// Garrison power factor per fortification level: x (1 + this x level).
    fort_defense: 0.6, "factor/level";
    /// Assault power of a man of the siege train (engines, sappers).
    siege_assault_power: 3.0, "factor";
    /// Attackers assault when their power is at least this many times the fortified garrison's.
    assault_odds: 1.3, "ratio";
    /// Losses of the beaten side of an assault at even odds.
    assault_loss: 0.15, "fraction";
    /// Attacker losses multiplier in an assault.
    assault_attacker_factor: 1.5, "factor";
    /// A won assault carries the walls when the garrison falls below this share of its strength before the assault.
    assault_carry_share: 0.5, "fraction";
    /// Grain a civilian eats per day inside a besieged city.
    civilian_ration: 0.008, "shi/person/day";
    /// Days of its garrison's and people's rations a walled province held by its owner keeps as a siege reserve, which field armies cannot draw below through their supply lines (0: none; a scenario sets it, est. 60-120 for a walled prefecture).
    siege_reserve_days: 0.0, "days";
    /// Garrison lost per day once the food inside is gone.
    siege_starvation: 0.02, "fraction/day";
    /// Chance per day without food that a starving city surrenders (est.; 0.35 in five days).
    starving_surrender_chance: 0.083, "probability/day";
    /// Share of a captured city's grain the captor takes.
    capture_loot: 0.5, "fraction";
    /// Share of the captor's men left behind as garrison.
    occupation_share: 0.05, "fraction";

    // --- diplomacy and trespass ---
    /// Chance a cowardly local commander flees before trespassers instead of following policy.
    coward_flee_chance: 0.8, "probability";
    /// Chance a zealous local commander resists trespassers whatever the policy.
    zealous_resist_chance: 0.9, "probability";
    /// Chance that a host commander who flees or gives way also supplies grain and guides.
    flee_supply_chance: 0.5, "probability";
    /// Days of rations a supplying host hands over.
    supply_grant_days: 15.0, "days";

    // --- AI ---
    /// An AI army attacks only at these odds or better (estimated power ratio).
    ai_attack_odds: 1.1, "ratio";
    /// Odds an AI army led by a reckless commander needs, as a share of the usual.
    ai_reckless_factor: 0.7, "factor";
    /// Odds an AI army led by a cautious commander needs, as a multiple of the usual.
    ai_cautious_factor: 1.3, "factor";
    /// Odds a defensive faction's AI armies need to attack, as a multiple of the usual.
    ai_defensive_factor: 1.2, "factor";
    /// An AI army facing worse odds than this falls back.
    ai_retreat_odds: 0.6, "ratio";
    /// Path cost added per province not friendly to the mover (no supply there).
    ai_hostile_cost: 40.0, "km";
    /// Path cost added per 1,000 units of enemy power (about 1,000 ordinary footmen) in a province.
    ai_enemy_cost: 10.0, "km/1000 power";
    /// How far (km) an army sees enemies: a defender looks this far from its place for enemies to meet, and a marching army weighs the enemies this near when it plans its way.
    ai_sight: 300.0, "km";

    // --- economy ---
    /// Share of a province's harvest sent to the faction's central granary.
    grain_tax: 0.2, "fraction";
    /// Share of a province's people who live on its granary (townspeople, the garrison's families), the rest on their own fields; all of them eat from it under siege (est.).
    granary_fed_share: 0.1, "fraction";
    /// Share of the grain the central granary sends to a city or an army that is lost on the way (est.).
    central_supply_loss: 0.3, "fraction";
    /// The central granary holds this many years of the grain tax of the provinces its faction holds; tax beyond that is sold or spoils (est.).
    central_granary_years: 3.0, "years";
    /// Share of its people a province without food loses per day (deaths and flight) (est.).
    famine_mortality: 0.002, "fraction/day";
    /// A granary holds this many harvests; grain a harvest brings beyond that is lost (est.).
    granary_capacity_harvests: 1.5, "harvests";
    /// A garrison below its establishment is refilled from the controller's manpower by this share of the establishment per day (paid in central grain at reinforce_grain a man).
    garrison_replenish_per_day: 0.005, "fraction/day";
    /// Yearly manpower per head of population.
    manpower_rate: 0.01, "men/person/year";
    /// Reinforcements per day, as a share of an army's committed men, while in own territory.
    reinforce_rate: 0.004, "fraction/day";
    /// Central grain spent per man raised.
    reinforce_grain: 2.0, "shi/man";
    /// War weariness per 10,000 men lost.
    weariness_per_loss: 0.02, "per 10k men";
    /// War weariness shed per day at peace.
    weariness_decay: 0.0005, "per day";
    /// Morale recovery lost at full war weariness: x (1 - this x weariness).
    weariness_morale: 0.5, "factor";
}
