//! The 2D datasets: which generator makes which, and the frame their points lie in.

use layerlab_spec::data::Dataset;
use rand_chacha::ChaCha8Rng;

use super::{playground, shapes};

/// A generated 2D example: the point, and its class index or regression target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
    pub target: f64,
}

/// The length of (dx, dy), as the Playground computes it (`sqrt` is exact everywhere, unlike
/// `hypot`).
pub(crate) fn distance(dx: f64, dy: f64) -> f64 {
    (dx * dx + dy * dy).sqrt()
}

/// Half the side of the square, centred on the origin, that a 2D dataset's points lie in (noise
/// may carry a few beyond it): 6 for the sets in TensorFlow Playground's frame, 1 for the formulas,
/// which are defined on [-1, 1]². None for datasets that are not 2D.
pub(crate) fn extent(dataset: &Dataset) -> Option<f64> {
    match dataset {
        Dataset::Formula { .. } => Some(1.0),
        other if other.is_planar() => Some(6.0),
        _ => None,
    }
}

/// The `n` examples of a 2D dataset, in generation order (the caller shuffles); None for datasets
/// that are not 2D.
pub(crate) fn generate(dataset: &Dataset, rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Option<Vec<Point>> {
    Some(match *dataset {
        Dataset::Circle => playground::circle(rng, n, noise),
        Dataset::Xor => playground::xor(rng, n, noise),
        Dataset::Gaussian => playground::gaussian(rng, n, noise),
        Dataset::Spiral => playground::spiral(rng, n, noise),
        Dataset::Plane => playground::plane(rng, n, noise),
        Dataset::MultiGaussian => playground::multi_gaussian(rng, n, noise),
        Dataset::TwoMoons => shapes::two_moons(rng, n, noise),
        Dataset::Checkerboard { cells } => shapes::checkerboard(rng, n, noise, cells),
        Dataset::ArmSpiral { arms } => shapes::arm_spiral(rng, n, noise, arms),
        Dataset::Formula { formula } => shapes::formula(rng, n, noise, formula),
        _ => return None,
    })
}
