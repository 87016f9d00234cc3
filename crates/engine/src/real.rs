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
    fn erf(self) -> Self {
        libm::erff(self)
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
    fn gemm(g: Gemm, a: &[Self], b: &[Self], c: &mut [Self], _: &mut Scratch) {
        crate::cpu::gemm::gemm_reference(g, a, b, c);
    }
}
