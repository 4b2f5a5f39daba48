//! Entity lookups by stable id.

use bevy_ecs::prelude::*;

/// Entity lookups by stable id.
#[derive(Resource, Clone, Debug, Default)]
pub struct Index {
    /// Faction entities by [`FactionId`](crate::ids::FactionId).
    pub factions: Vec<Entity>,
    /// Province entities by [`ProvinceId`](crate::ids::ProvinceId).
    pub provinces: Vec<Entity>,
    /// Route entities by [`RouteId`](crate::ids::RouteId).
    pub routes: Vec<Entity>,
    /// Army entities by [`ArmyId`](crate::ids::ArmyId) (`Entity::PLACEHOLDER` until an
    /// army takes the field).
    pub armies: Vec<Entity>,
    /// Commander entities by [`CommanderId`](crate::ids::CommanderId).
    pub commanders: Vec<Entity>,
}

impl Index {
    /// Empties every list, keeping the buffers.
    pub fn clear(&mut self) {
        self.factions.clear();
        self.provinces.clear();
        self.routes.clear();
        self.armies.clear();
        self.commanders.clear();
    }
}
