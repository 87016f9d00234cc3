//! The metrics interval `"auto"` picks: the smallest round number of steps (10, 20, 50, 100,
//! 200, 500, …) whose training costs at least [`TRAINING_PER_MEASURE`] times one measurement of
//! every layer, so that measuring adds about 5 % to training whatever the model; but never more
//! than a tenth of the run (rounded down the same way), so that a short run is still measured
//! at least ten times: a short run costs little whichever way. Both costs are estimated from
//! the model alone, never timed, so every machine and backend picks the same interval and a
//! link stops at the same step everywhere.
//!
//! The estimates are in microseconds of this engine's native CPU backend, from constants fitted
//! to its measurements (`cargo xtask bench` prints the share they give on four models):
//! - a step: its FLOPs (the spec's analysis) at `FLOPS_PER_US`, plus a fixed cost;
//! - a measurement: the probe batch's forward pass at the same rate; per layer a fixed cost and
//!   reading its output (sparsity, scale); for the ranks, a spectrum of the probe × width
//!   matrix, or for a sequence layer one per example of its tokens × width matrix ([`spectrum_us`]);
//!   the weight norms and update ratio read every parameter; the similarity (CKA) multiplies
//!   every pair of layers.

use layerlab_spec::{Analysis, Every, MetricsSpec};

/// Training costs at least this many times a measurement per interval: about 5 % overhead.
pub const TRAINING_PER_MEASURE: f64 = 20.0;

/// The shortest and the longest interval `"auto"` picks.
pub const AUTO_RANGE: (u64, u64) = (10, 100_000);

/// Training's matrix products, FLOPs per microsecond (60 GFLOP/s).
const FLOPS_PER_US: f64 = 60_000.0;
/// A step's fixed cost: the batch's copy, the optimizer's loop over parameters, dispatch.
const STEP_US: f64 = 2.5;
/// A step's cost per number of activations it keeps: activation functions, norms, softmax and
/// routing, which FLOP counts of the matrix products leave out (fitted: 7–16 ns on attention,
/// MLP-Mixer, KAN and deep tanh MLPs; 42 on a mixture of experts; the matrix products of wide
/// MLPs run faster than [`FLOPS_PER_US`], and this term stays small for them).
const ACTIVATION_US: f64 = 0.006;
/// A layer's fixed cost in a measurement, and its cost per output number read.
const LAYER_US: f64 = 8.0;
const READ_US: f64 = 0.007;
/// Each parameter's share of the weight and gradient norms and the update ratio.
const PARAM_US: f64 = 0.01;
/// nalgebra's f64 matrix products (the Gram and CKA matrices), FLOPs per microsecond.
const GRAM_FLOPS_PER_US: f64 = 25_000.0;

/// One layer as the metrics see it: tokens per example and numbers per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerShape {
    pub tokens: usize,
    pub width: usize,
}

/// What the interval depends on: the spec's analysis, the layers the metrics visit, the probe
/// batch's examples and the run's length in steps.
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub analysis: &'a Analysis,
    pub layers: &'a [LayerShape],
    pub probe_rows: usize,
    pub total_steps: u64,
}

/// The interval in steps: the spec's, or the one `"auto"` picks for this run.
pub fn every(settings: &MetricsSpec, run: Run<'_>) -> u64 {
    match settings.every {
        Every::Steps(n) => u64::from(n.max(1)),
        Every::Auto => {
            let measure = measure_us(settings, run);
            let cheap = round_up(TRAINING_PER_MEASURE * measure / step_us(run.analysis));
            let tenth = round_down(run.total_steps / 10);
            cheap.min(tenth).clamp(AUTO_RANGE.0, AUTO_RANGE.1)
        }
    }
}

/// One training step.
pub fn step_us(analysis: &Analysis) -> f64 {
    let activations = analysis.memory.backprop_bytes / 4; // the input and every block's, per batch
    analysis.flops_per_step as f64 / FLOPS_PER_US + STEP_US + ACTIVATION_US * activations as f64
}

/// One measurement of every layer.
pub fn measure_us(settings: &MetricsSpec, run: Run<'_>) -> f64 {
    let Run { analysis, layers, probe_rows, .. } = run;
    let n = probe_rows as f64;
    let forward_per_example = analysis.flops_per_step as f64 / analysis.step_factor.max(1) as f64;
    let mut us = n * forward_per_example / FLOPS_PER_US;
    for &LayerShape { tokens, width } in layers {
        let (t, w) = (tokens as f64, width as f64);
        us += LAYER_US + READ_US * n * t * w;
        if settings.rank {
            us += if tokens > 1 { n * spectrum_us(t, w) } else { spectrum_us(n, w) };
        }
    }
    if settings.gradients {
        us += PARAM_US * (analysis.parameters + analysis.frozen) as f64;
    }
    if settings.similarity {
        let sizes: Vec<f64> = layers.iter().map(|l| (l.tokens * l.width) as f64).collect();
        for (i, a) in sizes.iter().enumerate() {
            for b in &sizes[i..] {
                us += 2.0 * n * (a * b + a * a + b * b) / GRAM_FLOPS_PER_US;
            }
        }
    }
    us
}

/// The singular values of a rows × cols matrix: copying and centring it in f64, the Gram
/// matrix of its smaller side (k × k), and nalgebra's symmetric eigenvalues of that, whose time
/// grows as about k^2.2 at these sizes (measured, Gram included: 4 µs at k = 8, 20–40 at 16,
/// 400–600 at 64, 1,700 at 128, 7,700 at 256).
pub fn spectrum_us(rows: f64, cols: f64) -> f64 {
    let (k, large) = (rows.min(cols), rows.max(cols));
    0.008 * rows * cols + 2.0 * large * k * k / GRAM_FLOPS_PER_US + 0.043 * k.powf(2.2)
}

/// The largest of 1, 2, 5, 10, 20, 50, … at or below `n` (1 for 0).
fn round_down(n: u64) -> u64 {
    let mut best = 1;
    let mut decade = Some(1u64);
    while let Some(d) = decade.filter(|&d| d <= n) {
        for m in [1, 2, 5] {
            if let Some(v) = d.checked_mul(m)
                && v <= n
            {
                best = v;
            }
        }
        decade = d.checked_mul(10);
    }
    best
}

/// The smallest of 1, 2, 5, 10, 20, 50, … at or above `x`.
fn round_up(x: f64) -> u64 {
    let mut decade = 1u64;
    loop {
        for m in [1, 2, 5] {
            if (m * decade) as f64 >= x {
                return m * decade;
            }
        }
        match decade.checked_mul(10) {
            Some(next) if next <= AUTO_RANGE.1 => decade = next,
            _ => return AUTO_RANGE.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_up_to_one_two_five() {
        let cases =
            [(0.3, 1), (1.0, 1), (1.01, 2), (3.0, 5), (5.0, 5), (7.0, 10), (11.0, 20), (420.0, 500), (501.0, 1000)];
        for (x, want) in cases {
            assert_eq!(round_up(x), want, "{x}");
        }
        assert_eq!(round_up(1e30), AUTO_RANGE.1);
        let cases = [(0, 1), (1, 1), (4, 2), (9, 5), (10, 10), (43, 20), (300, 200), (500, 500), (999, 500)];
        for (n, want) in cases {
            assert_eq!(round_down(n), want, "{n}");
        }
        assert_eq!(round_down(u64::MAX), 10_000_000_000_000_000_000);
    }
}
