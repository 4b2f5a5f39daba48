//! Commander components.

use crate::calendar::Date;
use crate::ids::CommanderId;
use bevy_ecs::prelude::*;
use serde::{Deserialize, Serialize};

/// A commander's traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trait {
    /// Waits for better odds.
    Cautious,
    /// Attacks at worse odds.
    Reckless,
    /// Likely to flee before trespassers or superior enemies.
    Coward,
    /// Supply losses halved.
    Logistician,
    /// Cold attrition as if cold-adapted.
    ColdVeteran,
    /// Resists trespassers whatever the policy.
    Zealous,
}

/// Skill 0..1 (0.5 ordinary).
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Skill(pub f64);

/// A commander's traits.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Traits(pub Vec<Trait>);

impl Traits {
    /// Whether the commander has trait `t`.
    pub fn has(&self, t: Trait) -> bool {
        self.0.contains(&t)
    }
}

/// Rivals: sharing a side with one costs power.
#[derive(Component, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rivals(pub Vec<CommanderId>);

/// How a commander left the field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fate {
    /// Killed (in battle, as his army broke up, or by an event).
    Killed,
    /// Taken prisoner.
    Captured,
    /// Got away when his army broke up: free, in no army.
    Escaped,
}

/// Marker: died or left service on this date.
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fallen {
    /// When.
    pub on: Date,
    /// Killed or captured.
    pub fate: Fate,
}

/// Marker: got away when his army broke up, on this date (free, in no army).
#[derive(Component, Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Escaped {
    /// When.
    pub on: Date,
}
