//! The number type the engine computes in: `f32` for training, `f64` for gradient checks.

use std::fmt::Debug;
use std::ops::{AddAssign, MulAssign};

use num_traits::Float;

use crate::cpu::gemm::{Gemm, Scratch};

/// Below this size the CPU backend takes an optimizer moment or a gradient as zero. Numbers on
/// their way to zero pass through the subnormal numbers (below 1.2e-38 in f32), where x86 CPUs
/// take a slow path for every operation, and training makes many: the moments of a weight whose
/// gradient stopped (an always-blank input pixel, a dead unit) decay geometrically, and once a
/// classifier is confident its loss gradients are tiny and shrink further layer by layer.
/// Measured late in training: the digits MLP's steps ran 4–5× slower, most of the time in the
/// Adam update, and a mixture of experts' about 2× slower in its backward matrix multiplies.
/// Natively the CPU could flush subnormals itself (MXCSR), but WebAssembly has no such mode, so
/// the engine flushes where they arise: the moments in the update, the loss gradients, the
/// gradient after each activation's backward (which every layer's passes through), and the
/// router's probabilities (`cpu::moe::RULED_OUT`). Harmless at this size: Adam moves a weight by
/// at most lr·m/ε, and ε ≥ 1e-12 (the spec's bound) makes that below lr·1e-18 for such an m;
/// √v < 1e-15 is under ε in the denominator; a gradient element of 1e-30 is lost in any f32 sum
/// with one of the batch's other rows. `optim.wgsl` flushes the moments alike (GPUs mostly flush
/// subnormals anyway).
pub const TINY: f64 = 1e-30;

/// `x`, or zero when it is below [`TINY`] in size.
#[inline(always)]
pub fn flush<R: Real>(x: R) -> R {
    if x.abs() < R::of(TINY) { R::zero() } else { x }
}

/// A floating-point element type. Everything numeric in the CPU backend is generic over it.
pub trait Real: Float + Default + Debug + Send + Sync + AddAssign + MulAssign + 'static {
    fn of(x: f64) -> Self;
    fn to64(self) -> f64;
    /// The error function, for the exact GELU.
    fn erf(self) -> Self;
    /// `(erf(x), exp(−x²))`: GELU's derivative needs both, and erf's approximation computes the
    /// second on the way.
    fn erf_and_gauss(self) -> (Self, Self);
    /// The hyperbolic tangent, for the activation: within about an ulp of the exact value.
    fn fast_tanh(self) -> Self;
    /// `C = A·B` (or `C += A·B`) with this type's fastest kernel.
    fn gemm(g: Gemm, a: &[Self], b: &[Self], c: &mut [Self], scratch: &mut Scratch);
}

impl Real for f32 {
    fn of(x: f64) -> Self {
        x as f32
    }
    fn to64(self) -> f64 {
        f64::from(self)
    }
    /// Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under f32's resolution of
    /// erf near 1), as the WGSL kernels compute it: a third of the cost of `libm::erff`, which
    /// took a third of an attention block's step through GELU.
    fn erf(self) -> Self {
        self.erf_and_gauss().0
    }
    fn erf_and_gauss(self) -> (Self, Self) {
        let x = self.abs();
        let t = 1.0 / (1.0 + 0.327_591_1 * x);
        let poly = t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
        let gauss = (-x * x).exp();
        ((1.0 - poly * gauss).copysign(self), gauss)
    }
    #[inline(always)]
    fn fast_tanh(self) -> Self {
        tanh_f32(self)
    }
    fn gemm(g: Gemm, a: &[Self], b: &[Self], c: &mut [Self], scratch: &mut Scratch) {
        crate::cpu::gemm::sgemm(g, a, b, c, scratch);
    }
}

impl Real for f64 {
    fn of(x: f64) -> Self {
        x
    }
    fn to64(self) -> f64 {
        self
    }
    fn erf(self) -> Self {
        libm::erf(self)
    }
    fn erf_and_gauss(self) -> (Self, Self) {
        (libm::erf(self), (-self * self).exp())
    }
    fn fast_tanh(self) -> Self {
        self.tanh()
    }
    fn gemm(g: Gemm, a: &[Self], b: &[Self], c: &mut [Self], _: &mut Scratch) {
        crate::cpu::gemm::gemm_reference(g, a, b, c);
    }
}

/// tanh in f32 without a call, so that a loop of it vectorises: glibc's `tanhf` (and, in wasm,
/// Rust's libm) took a third of the tiny MLP's training step. Two branch-free pieces, the one
/// that applies selected: below |x| = 0.9, x + x³·P(x²), P fitted near-minimax by
/// `crates/engine/tests/parity/fit_tanh.py`; above, 1 − 2/(e^{2|x|} + 1) with e^y by range
/// reduction (y = n·ln 2 + r, |r| ≤ ln 2 / 2) and its Taylor polynomial to r⁶, 2ⁿ put in the
/// exponent bits. At most 1.2 ulp from the exact value (the test below checks every 127th f32);
/// NaN stays NaN and ±∞ gives ±1.
#[inline(always)]
fn tanh_f32(x: f32) -> f32 {
    const P: [f32; 7] =
        [-0.333_333_22, 0.133_329_99, -0.053_930_946, 0.021_669_554, -0.008_275_677, 0.002_592_815, -0.000_459_077_8];
    let a = x.abs();
    let t = x * x;
    let p = P.iter().rev().fold(0.0, |acc, &c| acc * t + c);
    let small = x + x * (t * p);
    // e^{2|x|}; past |x| = 9.5 tanh rounds to 1 in f32 (and the comparison keeps NaN).
    let y = 2.0 * if a > 9.5 { 9.5 } else { a };
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding and subtracting it rounds to an integer.
    let n = (y * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = (y - n * 0.693_145_75) - n * 1.428_606_8e-6;
    let e_r = [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0].iter().fold(0.0, |acc, &c| acc * r + c);
    let e = f32::from_bits(e_r.to_bits().wrapping_add((n as i32 as u32) << 23));
    let large = 1.0 - 2.0 / (e + 1.0);
    // The sign from x (the small piece has it already, but for −0).
    (if a < 0.9 { small } else { large }).copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `tanh_f32` against f64's tanh on every 127th f32 from 0 to past 10 (and their negatives),
    /// in units in the last place of the f32 result; and the special values.
    #[test]
    fn tanh_f32_is_within_an_ulp_or_so() {
        let mut worst = (0.0f64, 0.0f32);
        for bits in (0..=10.5f32.to_bits()).step_by(127) {
            let x = f32::from_bits(bits);
            let exact = f64::from(x).tanh();
            let ulp =
                f64::from((exact as f32).abs().next_up() - (exact as f32).abs()).max(f64::from(f32::from_bits(1)));
            for x in [x, -x] {
                let err = (f64::from(tanh_f32(x)) - x.signum() as f64 * exact).abs() / ulp;
                if err > worst.0 {
                    worst = (err, x);
                }
            }
        }
        assert!(worst.0 <= 1.2, "{:.3} ulp at {:e}", worst.0, worst.1);
        assert!(tanh_f32(f32::NAN).is_nan());
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(tanh_f32(-0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(tanh_f32(1e-40), 1e-40);
        assert_eq!(tanh_f32(-30.0), -1.0);
    }
}
