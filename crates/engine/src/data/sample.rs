//! The random draws the generators make, written out so that every platform gives the same
//! numbers: uniform draws straight from the generator's bits, normals by the polar method with
//! the portable `libm` logarithm (the platform's own `ln` may differ in the last bit between the
//! browser and a native build).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A uniform draw from [a, b), as TensorFlow Playground's `randUniform`.
pub(crate) fn uniform(rng: &mut ChaCha8Rng, a: f64, b: f64) -> f64 {
    rng.random::<f64>() * (b - a) + a
}

/// A standard normal draw by Marsaglia's polar method, as TensorFlow Playground's
/// `normalRandom` (which also keeps only the first of the pair).
pub(crate) fn normal(rng: &mut ChaCha8Rng) -> f64 {
    loop {
        let v1 = 2.0 * rng.random::<f64>() - 1.0;
        let v2 = 2.0 * rng.random::<f64>() - 1.0;
        let s = v1 * v1 + v2 * v2;
        if s > 0.0 && s < 1.0 {
            return (-2.0 * libm::log(s) / s).sqrt() * v1;
        }
    }
}

/// A uniform index in 0..n (n ≥ 1), drawn as a `u32` so that 32-bit wasm and 64-bit native
/// builds draw the same.
pub(crate) fn index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    rng.random_range(0..n) as usize
}
