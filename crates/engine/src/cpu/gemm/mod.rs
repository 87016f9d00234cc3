//! Matrix multiply. Placeholder reference path until the blocked kernels land.

/// C (m×n, row-major) = A·B, or C += A·B when `accumulate`. A is m×k row-major, or stored k×m
/// when `a_trans`; B is k×n, or stored n×k when `b_trans`.
#[derive(Debug, Clone, Copy)]
pub struct Gemm {
    pub m: usize,
    pub n: usize,
    pub k: usize,
    pub a_trans: bool,
    pub b_trans: bool,
    pub accumulate: bool,
}

/// Packing buffers reused across calls.
#[derive(Debug, Default)]
pub struct Scratch {}

pub fn sgemm(g: Gemm, a: &[f32], b: &[f32], c: &mut [f32], _scratch: &mut Scratch) {
    gemm_reference(g, a, b, c);
}

/// The plain triple loop.
pub fn gemm_reference<T>(g: Gemm, a: &[T], b: &[T], c: &mut [T])
where
    T: Copy + std::ops::Add<Output = T> + std::ops::Mul<Output = T> + Default,
{
    assert_eq!(a.len(), g.m * g.k, "gemm: A has {} elements, expected m·k = {}", a.len(), g.m * g.k);
    assert_eq!(b.len(), g.k * g.n, "gemm: B has {} elements, expected k·n = {}", b.len(), g.k * g.n);
    assert_eq!(c.len(), g.m * g.n, "gemm: C has {} elements, expected m·n = {}", c.len(), g.m * g.n);
    for i in 0..g.m {
        for j in 0..g.n {
            let mut sum = T::default();
            for p in 0..g.k {
                let x = if g.a_trans { a[p * g.m + i] } else { a[i * g.k + p] };
                let y = if g.b_trans { b[j * g.k + p] } else { b[p * g.n + j] };
                sum = sum + x * y;
            }
            let out = &mut c[i * g.n + j];
            *out = if g.accumulate { *out + sum } else { sum };
        }
    }
}
