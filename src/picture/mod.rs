//! Pictures: the scenario's map (`tianxia map`), the report of one run (`tianxia report
//! run`), the report of a batch folder (`tianxia report batch`) and of an odds folder
//! (`tianxia report odds`). Each is one
//! self-contained file (inline SVG, a little inline CSS and JS, nothing fetched) with the
//! data attributes of DESIGN.md ("Pictures") for tools and tests.

pub mod batch;
pub mod chart;
pub mod map;
pub mod odds;
pub mod run;
mod svg;
