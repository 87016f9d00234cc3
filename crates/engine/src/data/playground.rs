//! TensorFlow Playground's six generators, with the semantics of its `src/dataset.ts`: the same
//! shapes, the same noise, and the label read from the noisy point where it does so. Its labels
//! +1 and -1 become classes 1 and 0 here. `noise` is the Playground's fraction (its slider's
//! percentage over 100: 0.5 is its "50"). Points lie in the Playground's frame, about [-6, 6]².
//!
//! Where the Playground's `for (i = 0; i < n / 2; i++)` gives one example too many for odd `n`,
//! the first half gets the extra one and the second does without, so there are exactly `n`.

use std::f64::consts::PI;

use rand_chacha::ChaCha8Rng;

use super::planar::{Point, distance};
use super::sample::{normal, uniform};

/// The halves of `n`: the larger first.
fn halves(n: usize) -> [usize; 2] {
    [n - n / 2, n / 2]
}

fn class(positive: bool) -> f64 {
    if positive { 1.0 } else { 0.0 }
}

/// Points in a disc of radius 2.5 (class 1) and a ring from 3.5 to 5 (class 0); the label is that
/// of the point moved by up to 5 × noise on each axis.
pub(crate) fn circle(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    let radius = 5.0;
    let label = |x: f64, y: f64| class(distance(x, y) < radius * 0.5);
    let mut points = Vec::with_capacity(n);
    for (count, (r_min, r_max)) in halves(n).into_iter().zip([(0.0, radius * 0.5), (radius * 0.7, radius)]) {
        for _ in 0..count {
            let r = uniform(rng, r_min, r_max);
            let angle = uniform(rng, 0.0, 2.0 * PI);
            let x = r * libm::sin(angle);
            let y = r * libm::cos(angle);
            let noise_x = uniform(rng, -radius, radius) * noise;
            let noise_y = uniform(rng, -radius, radius) * noise;
            points.push(Point { x, y, target: label(x + noise_x, y + noise_y) });
        }
    }
    points
}

/// Points in [-5, 5]² pushed 0.3 away from the axes; class 1 where x·y ≥ 0 at the point moved by
/// up to 5 × noise on each axis.
pub(crate) fn xor(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    let padding = 0.3;
    let pad = |v: f64| if v > 0.0 { v + padding } else { v - padding };
    (0..n)
        .map(|_| {
            let x = pad(uniform(rng, -5.0, 5.0));
            let y = pad(uniform(rng, -5.0, 5.0));
            let noise_x = uniform(rng, -5.0, 5.0) * noise;
            let noise_y = uniform(rng, -5.0, 5.0) * noise;
            Point { x, y, target: class((x + noise_x) * (y + noise_y) >= 0.0) }
        })
        .collect()
}

/// Two gaussian clusters, at (2, 2) (class 1) and (-2, -2) (class 0). The Playground maps noise
/// linearly from [0, 0.5] to a *variance* in [0.5, 4] (d3's scale, not clamped: noise 1 gives
/// 7.5), so the standard deviation is its square root.
pub(crate) fn gaussian(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    let variance = 0.5 + noise / 0.5 * (4.0 - 0.5);
    let deviation = variance.sqrt();
    let mut points = Vec::with_capacity(n);
    for (count, (centre, target)) in halves(n).into_iter().zip([(2.0, 1.0), (-2.0, 0.0)]) {
        for _ in 0..count {
            let x = centre + deviation * normal(rng);
            let y = centre + deviation * normal(rng);
            points.push(Point { x, y, target });
        }
    }
    points
}

/// Two interleaved spiral arms (class 1 at angle offset 0, class 0 at π), radius growing to 5 over
/// 1.75 turns; each point moved by up to noise on each axis.
pub(crate) fn spiral(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    let half = n as f64 / 2.0;
    let mut points = Vec::with_capacity(n);
    for (count, (delta, target)) in halves(n).into_iter().zip([(0.0, 1.0), (PI, 0.0)]) {
        for i in 0..count {
            let (x, y) = spiral_point(rng, i as f64 / half, delta, noise);
            points.push(Point { x, y, target });
        }
    }
    points
}

/// The point a fraction `along` of the way out of a spiral arm turned by `delta`, as the
/// Playground's `genSpiral`: r = 5·along, t = 1.75·along·2π + delta.
pub(crate) fn spiral_point(rng: &mut ChaCha8Rng, along: f64, delta: f64, noise: f64) -> (f64, f64) {
    let r = along * 5.0;
    let t = 1.75 * along * 2.0 * PI + delta;
    let x = r * libm::sin(t) + uniform(rng, -1.0, 1.0) * noise;
    let y = r * libm::cos(t) + uniform(rng, -1.0, 1.0) * noise;
    (x, y)
}

/// Regression: points in [-6, 6]², target (x + y) / 10 at the point moved by up to 6 × noise on
/// each axis. As in the Playground the scale from [-10, 10] to [-1, 1] is not clamped, so targets
/// reach ±1.2 at noise 0 (and further with noise).
pub(crate) fn plane(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    regression(rng, n, noise, |x, y| (x + y) / 10.0)
}

/// The six gaussians of the Playground's `regressGaussian`: (centre x, centre y, sign).
const GAUSSIANS: [(f64, f64, f64); 6] =
    [(-4.0, 2.5, 1.0), (0.0, 2.5, -1.0), (4.0, 2.5, 1.0), (-4.0, -2.5, -1.0), (0.0, -2.5, 1.0), (4.0, -2.5, -1.0)];

/// Regression: points in [-6, 6]², target the bump of largest magnitude among six signed bumps
/// sign · clamp(1 - distance / 2, 0, 1), read at the point moved by up to 6 × noise on each axis.
pub(crate) fn multi_gaussian(rng: &mut ChaCha8Rng, n: usize, noise: f64) -> Vec<Point> {
    regression(rng, n, noise, |x, y| {
        let mut label: f64 = 0.0;
        for (cx, cy, sign) in GAUSSIANS {
            let bump = sign * (1.0 - distance(x - cx, y - cy) / 2.0).clamp(0.0, 1.0);
            if bump.abs() > label.abs() {
                label = bump;
            }
        }
        label
    })
}

fn regression(rng: &mut ChaCha8Rng, n: usize, noise: f64, label: impl Fn(f64, f64) -> f64) -> Vec<Point> {
    let radius = 6.0;
    (0..n)
        .map(|_| {
            let x = uniform(rng, -radius, radius);
            let y = uniform(rng, -radius, radius);
            let noise_x = uniform(rng, -radius, radius) * noise;
            let noise_y = uniform(rng, -radius, radius) * noise;
            Point { x, y, target: label(x + noise_x, y + noise_y) }
        })
        .collect()
}
