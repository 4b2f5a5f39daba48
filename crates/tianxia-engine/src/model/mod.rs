//! The world's data: components (one thing each) and resources. No rule lives here.

pub mod army;
pub mod commander;
pub mod diplomacy;
pub mod faction;
pub mod index;
pub mod province;
pub mod route;
pub mod script;
pub mod weather;
