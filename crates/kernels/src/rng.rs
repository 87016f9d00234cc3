//! Every random number the engine draws comes from here: a ChaCha8 generator seeded by the
//! experiment's seed, on a separate stream per purpose, so that adding draws to one purpose
//! (say, a new initialiser) never changes another (the dataset). No global randomness.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What the numbers are for; each purpose has its own ChaCha stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Generating a dataset's examples.
    Data = 1,
    /// Shuffling examples and splitting them into train and test.
    Split = 2,
    /// Initial weights.
    Init = 3,
    /// The order of training examples, batch by batch.
    Batches = 4,
    /// Random Fourier feature frequencies.
    Fourier = 5,
    /// Dropout masks and stochastic depth.
    Dropout = 6,
    /// Gradient noise.
    Noise = 7,
    /// The fixed probe batch the layer metrics are measured on.
    Probe = 8,
    /// Fixed random feedback matrices of local learning rules.
    Feedback = 9,
    /// The wrong labels of Forward-Forward's negative data.
    Negatives = 10,
}

/// The generator for `purpose` under `seed`: the same numbers on every platform.
pub fn rng(seed: u64, purpose: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(purpose as u64);
    rng
}

/// The seed the data is made from: the experiment's own for draw 0, another for each later
/// draw (the spec's `data.draw`), while the weights keep the experiment's seed.
pub fn data_seed(seed: u64, draw: u32) -> u64 {
    if draw == 0 { seed } else { splitmix(seed ^ u64::from(draw).wrapping_mul(0xD1B5_4A32_D192_ED03)) }
}

/// A 32-bit key for counter-based draws (dropout masks, gradient noise), from the seed and what
/// the draw is for: every backend computes the same numbers from `(key, index)` alone, so a GPU
/// can draw them in parallel and match the CPU exactly.
pub fn key(seed: u64, purpose: Stream, step: u64, site: u32) -> u32 {
    let mut h = seed ^ (purpose as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h = splitmix(h ^ step.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    h = splitmix(h ^ u64::from(site));
    (h ^ (h >> 32)) as u32
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The PCG hash (Jarzynski and Olano, "Hash Functions for GPU Rendering"): 32-bit arithmetic
/// only, so WGSL computes it identically.
pub fn pcg(x: u32) -> u32 {
    let state = x.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// A uniform number in [0, 1) for element `index` under `key`, exact in f32 (24 bits).
pub fn uniform(key: u32, index: u32) -> f32 {
    let bits = pcg(key ^ pcg(index));
    (bits >> 8) as f32 * (1.0 / 16_777_216.0)
}

/// A standard normal number for element `index` under `key` (Box-Muller on two uniforms).
pub fn normal(key: u32, index: u32) -> f32 {
    let u1 = uniform(key, index.wrapping_mul(2)).max(1.0 / 16_777_216.0);
    let u2 = uniform(key, index.wrapping_mul(2).wrapping_add(1));
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_draws_cover_the_unit_interval_evenly() {
        let n = 100_000;
        let mut bins = [0u32; 10];
        for i in 0..n {
            let u = uniform(12345, i);
            assert!((0.0..1.0).contains(&u), "{u}");
            bins[(u * 10.0) as usize] += 1;
        }
        for (i, &b) in bins.iter().enumerate() {
            assert!((9_500..10_500).contains(&b), "bin {i} has {b} of {n}: {bins:?}");
        }
    }

    #[test]
    fn normal_draws_have_mean_zero_and_variance_one() {
        let n = 100_000u32;
        let xs: Vec<f64> = (0..n).map(|i| f64::from(normal(7, i))).collect();
        let mean = xs.iter().sum::<f64>() / f64::from(n);
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(n);
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "variance {var}");
    }

    #[test]
    fn keys_differ_by_seed_step_and_site() {
        let base = key(1, Stream::Dropout, 0, 0);
        assert_ne!(base, key(2, Stream::Dropout, 0, 0));
        assert_ne!(base, key(1, Stream::Dropout, 1, 0));
        assert_ne!(base, key(1, Stream::Dropout, 0, 1));
        assert_ne!(base, key(1, Stream::Noise, 0, 0));
        assert_eq!(base, key(1, Stream::Dropout, 0, 0));
    }
}
