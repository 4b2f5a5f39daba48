//! What a run leaves behind: the event log and its digest, the per-turn state hash, the
//! metrics and outcomes, and read-only views of the world for tools and tests.

pub mod log;
pub mod outcome;
pub mod state;
pub mod view;

use crate::ids::Names;
use bevy_ecs::prelude::Resource;
use std::sync::Arc;

/// The scenario's names of everything, shared by every run of one scenario.
#[derive(Resource, Clone, Debug, Default)]
pub struct NameTable(pub Arc<Names>);
