//! The number type the engine computes in: `f32` for training, `f64` for gradient checks.

use std::fmt::Debug;
use std::ops::{AddAssign, MulAssign};

use num_traits::Float;

use crate::cpu::gemm::{Gemm, Scratch};

/// A floating-point element type. Everything numeric in the CPU backend is generic over it.
pub trait Real: Float + Default + Debug + Send + Sync + AddAssign + MulAssign + 'static {
    fn of(x: f64) -> Self;
    fn to64(self) -> f64;
    /// The error function, for the exact GELU.
    fn erf(self) -> Self;
    /// `(erf(x), exp(−x²))`: GELU's derivative needs both, and erf's approximation computes the
    /// second on the way.
    fn erf_and_gauss(self) -> (Self, Self);
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
    fn gemm(g: Gemm, a: &[Self], b: &[Self], c: &mut [Self], _: &mut Scratch) {
        crate::cpu::gemm::gemm_reference(g, a, b, c);
    }
}
