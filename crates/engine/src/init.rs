//! Initial weights, drawn from the seeded generator passed in (never a global one).

use layerlab_spec::train::Init;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A `fan_in × fan_out` weight matrix (row-major, one row per input) under `init`:
/// Xavier/Glorot uniform, Kaiming/He normal (gain √2, for ReLU-like activations), or orthogonal
/// (a Gaussian matrix orthonormalised by modified Gram-Schmidt along its longer side).
pub fn weights(init: Init, fan_in: usize, fan_out: usize, rng: &mut impl Rng) -> Vec<f64> {
    match init {
        Init::Xavier => {
            let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
            (0..fan_in * fan_out).map(|_| rng.random_range(-a..a)).collect()
        }
        Init::Kaiming => {
            let std = (2.0 / fan_in as f64).sqrt();
            (0..fan_in * fan_out).map(|_| std * normal(rng)).collect()
        }
        Init::Orthogonal => orthogonal(fan_in, fan_out, rng),
        // A layer that is neither first nor sine (see [`siren`]).
        Init::Siren => siren(fan_in, fan_out, SirenLayer::Other, rng),
    }
}

/// SIREN's frequency ω₀ ("Implicit Neural Representations with Periodic Activation Functions").
pub const SIREN_OMEGA: f64 = 30.0;

/// Where a layer sits in a sine network, for [`siren`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SirenLayer {
    First,
    Sine,
    Other,
}

/// SIREN's initialisation with ω₀ folded into the weights, so that `sin(Wx + b)` here is the
/// paper's `sin(ω₀(W'x + b'))`: the first layer U(±ω₀/fan_in), later sine layers
/// U(±√(6/fan_in)) (ω₀ times the paper's), other layers U(±√(6/fan_in)/ω₀).
pub fn siren(fan_in: usize, fan_out: usize, layer: SirenLayer, rng: &mut impl Rng) -> Vec<f64> {
    let bound = match layer {
        SirenLayer::First => SIREN_OMEGA / fan_in as f64,
        SirenLayer::Sine => (6.0 / fan_in as f64).sqrt(),
        SirenLayer::Other => (6.0 / fan_in as f64).sqrt() / SIREN_OMEGA,
    };
    (0..fan_in * fan_out).map(|_| rng.random_range(-bound..bound)).collect()
}

fn normal(rng: &mut impl Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// A rows × cols matrix whose rows (when rows ≤ cols) or columns (otherwise) are orthonormal.
fn orthogonal(rows: usize, cols: usize, rng: &mut impl Rng) -> Vec<f64> {
    // Orthonormalise `short` vectors of length `long`, then lay them out as rows or columns.
    let (short, long) = (rows.min(cols), rows.max(cols));
    let mut vs: Vec<Vec<f64>> = Vec::with_capacity(short);
    while vs.len() < short {
        let mut v: Vec<f64> = (0..long).map(|_| normal(rng)).collect();
        for u in &vs {
            let dot: f64 = v.iter().zip(u).map(|(a, b)| a * b).sum();
            for (x, y) in v.iter_mut().zip(u) {
                *x -= dot * y;
            }
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        // A draw (almost surely never) in the span of the others is drawn again.
        if norm > 1e-6 {
            vs.push(v.into_iter().map(|x| x / norm).collect());
        }
    }
    let mut out = vec![0.0; rows * cols];
    for (s, v) in vs.iter().enumerate() {
        for (l, &x) in v.iter().enumerate() {
            let (r, c) = if rows <= cols { (s, l) } else { (l, s) };
            out[r * cols + c] = x;
        }
    }
    out
}

/// `n` draws from N(0, std²): embeddings (PyTorch's `nn.Embedding` draws N(0, 1)).
pub fn normals(n: usize, std: f64, rng: &mut impl Rng) -> Vec<f64> {
    (0..n).map(|_| std * normal(rng)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, rng};

    #[test]
    fn orthogonal_matrices_are_orthonormal_along_their_short_side() {
        for (rows, cols) in [(4, 4), (3, 7), (9, 2)] {
            let w = weights(Init::Orthogonal, rows, cols, &mut rng(5, Stream::Init));
            let (short, long) = (rows.min(cols), rows.max(cols));
            let at = |s: usize, l: usize| if rows <= cols { w[s * cols + l] } else { w[l * cols + s] };
            for a in 0..short {
                for b in 0..short {
                    let dot: f64 = (0..long).map(|l| at(a, l) * at(b, l)).sum();
                    let want = if a == b { 1.0 } else { 0.0 };
                    assert!((dot - want).abs() < 1e-9, "{rows}×{cols}: <{a},{b}> = {dot}");
                }
            }
        }
    }

    #[test]
    fn scales_follow_the_fan_in_and_fan_out() {
        let n = 200;
        let var = |w: &[f64]| w.iter().map(|x| x * x).sum::<f64>() / w.len() as f64;
        let x = weights(Init::Xavier, n, n, &mut rng(1, Stream::Init));
        let k = weights(Init::Kaiming, n, n, &mut rng(1, Stream::Init));
        assert!((var(&x) - 2.0 / (2 * n) as f64).abs() < 0.1 * 2.0 / (2 * n) as f64, "xavier {}", var(&x));
        assert!((var(&k) - 2.0 / n as f64).abs() < 0.1 * 2.0 / n as f64, "kaiming {}", var(&k));
        assert_eq!(x, weights(Init::Xavier, n, n, &mut rng(1, Stream::Init)), "same seed, same weights");
    }
}

#[cfg(test)]
mod siren_tests {
    use super::*;
    use crate::rng::{Stream, rng};

    #[test]
    fn siren_bounds_follow_the_layer_position() {
        let cases = [
            (SirenLayer::First, 2, 15.0),
            (SirenLayer::Sine, 64, (6.0f64 / 64.0).sqrt()),
            (SirenLayer::Other, 64, (6.0f64 / 64.0).sqrt() / 30.0),
        ];
        for (layer, fan_in, bound) in cases {
            let w = siren(fan_in, 64, layer, &mut rng(1, Stream::Init));
            let max = w.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(max <= bound && max > 0.9 * bound, "{layer:?}: max |w| {max}, bound {bound}");
        }
    }
}
