//! Tianxia's simulation core.
//!
//! An ECS world (bevy_ecs) of factions, provinces, routes, armies and commanders, run by
//! one turn schedule of ordered systems on a single thread. Build one with
//! [`Sim::new`] from a [`WorldSpec`], then [`Sim::run`].
//!
//! The layout says what is where, and types flow one way:
//! - [`model`]: components (one thing each) and resources: the world's data;
//! - [`world`]: the spec and how a world is built from it;
//! - [`rules`]: one module per phase of a turn, with its systems;
//! - [`record`]: the event log and digest, the state hash, metrics and outcomes;
//! - [`sim`]: the schedule and the facade that runs it.
//!
//! `ids`, `calendar`, `params` and `rng` are the vocabulary every layer uses.
//!
//! Architecture invariants: this crate does no IO, reads no clock or environment, and
//! draws randomness only from the per-subsystem ChaCha streams in [`rng`]. The only source
//! of variation between two runs of one spec is the seed.

pub mod calendar;
pub mod ids;
pub mod model;
pub mod params;
pub mod record;
pub mod rng;
pub mod rules;
pub mod sim;
pub mod world;

pub use record::log::LogKind;
pub use sim::{RunResult, Sim};
pub use world::build::BuildError;
pub use world::builder;
pub use world::spec::WorldSpec;

/// The engine's version, recorded in every result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
