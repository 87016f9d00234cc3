//! The LayerLab experiment as one value ([`Spec`]): dataset, architecture, training recipe, seed
//! and metrics. This crate validates it ([`analyse`]), counts what it costs, and carries it in
//! JSON ([`json`]) and in links ([`link`]). It knows nothing of computing or of the DOM.

pub mod analysis;
pub mod blocks;
pub mod data;
pub mod error;
pub mod json;
pub mod limits;
pub mod link;
pub mod model;
pub mod number;
pub mod presets;
pub mod shape;
pub mod spec;
pub mod train;

pub use analysis::{Analysis, analyse};
pub use error::SpecError;
pub use shape::{Cost, Shape};
pub use spec::{Every, MetricsSpec, Spec};
