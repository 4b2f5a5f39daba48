//! The engine's input and how a world is made from it: the spec (plain data, every
//! reference resolved to a stable id), building a world from a spec, snapshots of a
//! running world and forks of them, and a builder of specs in Rust for tests and
//! benchmarks.

pub mod build;
pub mod builder;
pub mod finite;
pub mod fork;
pub mod snapshot;
pub mod spec;
