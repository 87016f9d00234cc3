//! The 2D datasets beyond TensorFlow Playground's: two moons, a checkerboard, spirals with any
//! number of arms, and formulas to fit as in the KAN papers.

use std::f64::consts::PI;

use layerlab_spec::data::Formula;
use rand_chacha::ChaCha8Rng;

use super::planar::{Point, distance};
use super::playground::spiral_point;
use super::sample::{normal, uniform};

/// How much the moons are enlarged to fill the Playground's frame.
const MOON_SCALE: f64 = 4.0;

/// Two interleaving half circles, as scikit-learn's `make_moons`: the upper moon (class 0,
/// ⌊n/2⌋ points) and the lower one (class 1, the rest), evenly spaced along each, plus gaussian
/// noise of standard deviation `noise` on each coordinate. Then centred (moved by (-0.5, -0.25))
/// and enlarged 4 times into the Playground's frame: x in [-6, 6], y in [-3, 3] before noise.
pub(crate) fn two_moons(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    let outer = n / 2;
    let inner = n - outer;
    // numpy's linspace(0, π, count).
    let angle = |i: usize, count: usize| if count > 1 { PI * i as f64 / (count - 1) as f64 } else { 0.0 };
    let mut points = Vec::with_capacity(n);
    for i in 0..outer {
        let t = angle(i, outer);
        points.push((libm::cos(t), libm::sin(t), 0.0));
    }
    for i in 0..inner {
        let t = angle(i, inner);
        points.push((1.0 - libm::cos(t), 1.0 - libm::sin(t) - 0.5, 1.0));
    }
    points
        .into_iter()
        .map(|(x, y, target)| {
            let x = x + noise * normal(rng);
            let y = y + noise * normal(rng);
            Point { x: (x - 0.5) * MOON_SCALE, y: (y - 0.25) * MOON_SCALE, target }
        })
        .collect()
}

/// Points uniform in [-6, 6]² cut into `cells` × `cells` squares, coloured alternately: the class
/// is the parity of (column + row), read at the point moved by up to noise × one cell's side on
/// each axis (so noise 1 blurs each border over a cell's width).
pub(crate) fn checkerboard(rng: &mut ChaCha8Rng, n: usize, noise: f64, cells: u32) -> Vec<Point> {
    let side = 12.0 / f64::from(cells.max(1));
    let cell = |v: f64| ((v + 6.0) / side).floor() as i64;
    (0..n)
        .map(|_| {
            let x = uniform(rng, -6.0, 6.0);
            let y = uniform(rng, -6.0, 6.0);
            let noise_x = uniform(rng, -1.0, 1.0) * noise * side;
            let noise_y = uniform(rng, -1.0, 1.0) * noise * side;
            let parity = (cell(x + noise_x) + cell(y + noise_y)).rem_euclid(2);
            Point { x, y, target: parity as f64 }
        })
        .collect()
}

/// The Playground's spiral with `arms` arms turned 2π/arms apart, arm k being class k; the first
/// n mod arms arms get one point more. Two arms give the Playground's spiral with its classes
/// swapped (arm 0, its class 1, is class 0 here).
pub(crate) fn arm_spiral(rng: &mut ChaCha8Rng, n: usize, noise: f64, arms: u32) -> Vec<Point> {
    let arms = arms.max(1) as usize;
    let mut points = Vec::with_capacity(n);
    for arm in 0..arms {
        let count = n / arms + usize::from(arm < n % arms);
        let delta = 2.0 * PI * arm as f64 / arms as f64;
        for i in 0..count {
            let (x, y) = spiral_point(rng, i as f64 / count as f64, delta, noise);
            points.push(Point { x, y, target: arm as f64 });
        }
    }
    points
}

/// Points uniform in [-1, 1]², target the formula plus gaussian noise of standard deviation
/// `noise`.
pub(crate) fn formula(rng: &mut ChaCha8Rng, n: usize, noise: f64, formula: Formula) -> Vec<Point> {
    (0..n)
        .map(|_| {
            let x = uniform(rng, -1.0, 1.0);
            let y = uniform(rng, -1.0, 1.0);
            let target = evaluate(formula, x, y) + noise * normal(rng);
            Point { x, y, target }
        })
        .collect()
}

/// The value of a formula at (x, y).
pub(crate) fn evaluate(formula: Formula, x: f64, y: f64) -> f64 {
    match formula {
        Formula::ExpSinSquare => libm::exp(libm::sin(PI * x) + y * y),
        Formula::Product => x * y,
        Formula::BesselRing => {
            let r = 20.0 * distance(x, y);
            if r == 0.0 { 1.0 } else { libm::sin(r) / r }
        }
        Formula::SinCos => libm::sin(PI * x) * libm::cos(PI * y),
    }
}
