//! The rules: one module per phase of a turn, each with its systems. A rule reads and
//! writes components and resources of [`model`](crate::model) and logs through
//! [`record`](crate::record); no rule calls into the [`Sim`](crate::Sim).
//!
//! [`install`] adds every rule to the turn schedule, phase by phase.

pub mod ai;
pub mod baggage;
pub mod combat;
pub mod command;
pub mod diplomacy;
pub mod dissolution;
pub mod economy;
pub mod evasion;
pub mod events;
pub mod exposure;
pub mod flood;
pub mod lookup;
pub mod movement;
pub mod routes;
pub mod sack;
pub mod siege;
pub mod supply;
pub mod trespass;
pub mod weather;

use crate::record::state::{close_turn, hash_state};
use bevy_ecs::prelude::*;

/// The phases of a turn, in order (DESIGN.md, "A turn").
#[derive(SystemSet, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TurnSystems {
    /// States that run out by date, route state, weather draws.
    Weather,
    /// Scripted events.
    Events,
    /// Treaties, tribute, requests.
    Diplomacy,
    /// Orders and plans.
    Ai,
    /// Marching, and answers to trespass.
    Movement,
    /// Supply and attrition.
    Supply,
    /// Battles.
    Combat,
    /// Sieges and captures.
    Sieges,
    /// Harvests, manpower, reinforcements.
    Economy,
    /// State hash, end check, calendar.
    Record,
}

/// Adds the phases, chained in order, and every rule's systems to `schedule`.
pub fn install(schedule: &mut Schedule) {
    use TurnSystems::*;
    schedule
        .configure_sets((Weather, Events, Diplomacy, Ai, Movement, Supply, Combat, Sieges, Economy, Record).chain());
    schedule.add_systems((
        (weather::expire_states, flood::flood_rivers, routes::refresh_routes, weather::draw_weather)
            .chain()
            .in_set(Weather),
        events::fire_events.in_set(Events),
        diplomacy::conduct_diplomacy.in_set(Diplomacy),
        (command::assess_command, ai::plan_orders).chain().in_set(Ai),
        (movement::move_armies, trespass::answer_trespass).chain().in_set(Movement),
        (supply::supply_armies, exposure::expose_armies, dissolution::dissolve_broken).chain().in_set(Supply),
        (evasion::harass_columns, combat::resolve_battles, dissolution::pursue_routed, dissolution::dissolve_broken)
            .chain()
            .in_set(Combat),
        (siege::conduct_sieges, sack::sack_towns, dissolution::dissolve_broken).chain().in_set(Sieges),
        economy::run_economy.in_set(Economy),
        (supply::report_wastage, hash_state, close_turn).chain().in_set(Record),
    ));
}
