//! The output pictures: loss curves and layer metrics over time (plotters on a canvas) and the decision surface with the
//! data (pixels and markers on a canvas). `colors` holds the pure colour functions.

pub mod colors;
pub mod layers;
pub mod loss;
pub mod surface;
