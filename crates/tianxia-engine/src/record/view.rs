//! Read-only views: one army, province or faction gathered from its components, for
//! tools, tests and text output. Rules never use these; they query components.

use crate::ids::{ArmyId, CommanderId, FactionId, ProvinceId};
use crate::model::army::*;
use crate::model::commander::{Fallen, Skill, Traits};
use crate::model::faction::{Coffers, Stragglers, Weariness};
use crate::model::index::Index;
use crate::model::province::{Control, Granary, Population, Siege, Walls};
use bevy_ecs::prelude::*;

/// An army as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct ArmyView {
    /// Its id.
    pub id: ArmyId,
    /// Who it serves.
    pub faction: FactionId,
    /// Its commanders.
    pub commanders: Vec<CommanderId>,
    /// Where it is.
    pub location: Location,
    /// Men by arm and horses.
    pub strength: Strength,
    /// Training and equipment.
    pub quality: f64,
    /// Morale 0..1.
    pub morale: f64,
    /// Cohesion 0..1.
    pub cohesion: f64,
    /// Fatigue 0..1.
    pub fatigue: f64,
    /// Grain carried (shi).
    pub food: f64,
    /// Days unfed ([`Hunger`]).
    pub hunger_days: f64,
    /// Cold stress 0..1 ([`Exposure`]).
    pub exposure: f64,
    /// Men committed, establishment, men lost, routs.
    pub ledger: Ledger,
    /// Routed until this day number.
    pub routed_until: Option<i64>,
    /// Guided until this day number.
    pub guides_until: Option<i64>,
    /// The province it is besieging.
    pub besieging: Option<ProvinceId>,
    /// Short of food at the last supply phase.
    pub starving: bool,
    /// Dissolved.
    pub destroyed: bool,
}

impl ArmyView {
    /// Men of all arms.
    pub fn men(&self) -> f64 {
        self.strength.men()
    }

    /// The army `id` in `world`, if it has taken the field.
    pub fn of(world: &World, id: ArmyId) -> Option<ArmyView> {
        let e = world.get_entity(*world.resource::<Index>().armies.get(id.index())?).ok()?;
        Some(ArmyView {
            id,
            faction: e.get::<Allegiance>()?.0,
            commanders: e.get::<Commanders>()?.0.clone(),
            location: e.get::<Position>()?.0,
            strength: *e.get::<Strength>()?,
            quality: e.get::<Quality>()?.0,
            morale: e.get::<Spirit>()?.morale,
            cohesion: e.get::<Spirit>()?.cohesion,
            fatigue: e.get::<Fatigue>()?.0,
            food: e.get::<Supplies>()?.food,
            hunger_days: e.get::<Hunger>()?.days,
            exposure: e.get::<Exposure>()?.0,
            ledger: *e.get::<Ledger>()?,
            routed_until: e.get::<Routed>().map(|r| r.until),
            guides_until: e.get::<Guided>().map(|g| g.until),
            besieging: e.get::<Besieging>().map(|b| b.0),
            starving: e.contains::<Starving>(),
            destroyed: e.contains::<Dissolved>(),
        })
    }
}

/// A province as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct ProvinceView {
    /// Its id.
    pub id: ProvinceId,
    /// Owner and controller.
    pub control: Control,
    /// Walls and garrison.
    pub walls: Walls,
    /// Grain in store, harvest.
    pub granary: Granary,
    /// People.
    pub population: f64,
    /// The siege under way, if any.
    pub siege: Siege,
}

impl ProvinceView {
    /// The province `id` in `world`.
    pub fn of(world: &World, id: ProvinceId) -> Option<ProvinceView> {
        let e = world.get_entity(*world.resource::<Index>().provinces.get(id.index())?).ok()?;
        Some(ProvinceView {
            id,
            control: *e.get::<Control>()?,
            walls: *e.get::<Walls>()?,
            granary: *e.get::<Granary>()?,
            population: e.get::<Population>()?.0,
            siege: *e.get::<Siege>()?,
        })
    }
}

/// A faction as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct FactionView {
    /// Its id.
    pub id: FactionId,
    /// Silver, grain, manpower.
    pub coffers: Coffers,
    /// War weariness and losses.
    pub weariness: Weariness,
    /// Men of broken armies on their way home.
    pub stragglers: f64,
}

impl FactionView {
    /// The faction `id` in `world`.
    pub fn of(world: &World, id: FactionId) -> Option<FactionView> {
        let e = world.get_entity(*world.resource::<Index>().factions.get(id.index())?).ok()?;
        Some(FactionView {
            id,
            coffers: *e.get::<Coffers>()?,
            weariness: *e.get::<Weariness>()?,
            stragglers: e.get::<Stragglers>()?.men,
        })
    }
}

/// A commander as it stands.
#[derive(Clone, Debug, PartialEq)]
pub struct CommanderView {
    /// Its id.
    pub id: CommanderId,
    /// Skill 0..1.
    pub skill: f64,
    /// Traits.
    pub traits: Traits,
    /// Died or left service on this date.
    pub fallen: Option<crate::calendar::Date>,
}

impl CommanderView {
    /// The commander `id` in `world`.
    pub fn of(world: &World, id: CommanderId) -> Option<CommanderView> {
        let e = world.get_entity(*world.resource::<Index>().commanders.get(id.index())?).ok()?;
        Some(CommanderView {
            id,
            skill: e.get::<Skill>()?.0,
            traits: e.get::<Traits>()?.clone(),
            fallen: e.get::<Fallen>().map(|f| f.on),
        })
    }
}
