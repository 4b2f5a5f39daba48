//! Tianxia's simulation core.
//!
//! An ECS world (bevy_ecs) of factions, provinces, routes, armies and commanders, run by
//! one turn schedule of ordered systems on a single thread. Build one with
//! [`Sim::new`] from a [`WorldSpec`](spec::WorldSpec), then [`Sim::run`].
//!
//! Architecture invariants: this crate does no IO, reads no clock or environment, and
//! draws randomness only from the per-subsystem ChaCha streams in [`rng`]. The only source
//! of variation between two runs of one spec is the seed.

pub mod ai;
pub mod builder;
pub mod calendar;
pub mod combat;
pub mod diplomacy;
pub mod economy;
pub mod events;
pub mod ids;
pub mod log;
pub mod map;
pub mod model;
pub mod movement;
pub mod outcome;
pub mod params;
pub mod rng;
pub mod siege;
pub mod sim;
pub mod spec;
pub mod supply;
pub mod weather;

pub use sim::{BuildError, RunResult, Sim};
pub use spec::WorldSpec;

/// The engine's version, recorded in every result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
