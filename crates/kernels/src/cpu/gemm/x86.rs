//! x86-64 micro-kernels, chosen at run time: AVX-512F (`R×16V` tile in `R·V` zmm accumulators) and
//! AVX2+FMA (`R×8V` in ymm). `detect()` is the only way to get a kernel, so holding one proves the
//! CPU has the features its `#[target_feature]` function needs. The tiles: 12×32 with AVX-512 (24
//! accumulators and 2 rows of B of the 32 registers, A broadcast from memory; 14×32 and 6×64 were
//! no faster, 8×48 slower), 6×16 with AVX2 (12 + 2 + 1 of 16).
#![allow(unsafe_code)]

use std::arch::x86_64::{
    _mm256_add_ps, _mm256_fmadd_ps, _mm256_loadu_ps, _mm256_set1_ps, _mm256_setzero_ps, _mm256_storeu_ps,
    _mm512_add_ps, _mm512_fmadd_ps, _mm512_loadu_ps, _mm512_set1_ps, _mm512_setzero_ps, _mm512_storeu_ps,
};

use super::{Kernel, Panel, Strip, Tile, store_tile};

#[derive(Debug, Clone, Copy)]
pub(super) struct Avx512Tile<const R: usize, const V: usize>(());

pub(super) type Avx512 = Avx512Tile<12, 2>;

impl<const R: usize, const V: usize> Avx512Tile<R, V> {
    pub(super) fn detect() -> Option<Self> {
        is_x86_feature_detected!("avx512f").then_some(Self(()))
    }
}

impl<const R: usize, const V: usize> Kernel for Avx512Tile<R, V> {
    const MR: usize = R;
    const NR: usize = 16 * V;
    const KC: usize = 256;
    const MC: usize = 384;
    const NC: usize = 4096;
    const A_IN_PLACE_MAX_N: usize = 256;
    const AT_IN_PLACE_MAX_N: usize = 256;
    const B_IN_PLACE_MAX_M: usize = 64;
    const DIRECT_MAX_K: usize = 0;

    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile) {
        check(kc, a, b, c, t, R, 16 * V);
        // SAFETY: `self` exists only where `detect` found AVX-512F; `check` bounds every access.
        unsafe {
            if a.rs == 1 && a.cs == R {
                tile_avx512::<R, V, true>(kc, a, b, c, t)
            } else {
                tile_avx512::<R, V, false>(kc, a, b, c, t)
            }
        }
    }
}

/// The bounds the kernels' unchecked loads and stores rely on.
fn check(kc: usize, a: Strip<'_>, b: Panel<'_>, c: &[f32], t: Tile, mr: usize, nr: usize) {
    assert!(kc >= 1 && (mr - 1) * a.rs + (kc - 1) * a.cs < a.data.len(), "gemm kernel: A strip too short");
    assert!((kc - 1) * b.rs + nr <= b.data.len(), "gemm kernel: B panel too short");
    assert!(t.rows >= 1 && t.rows <= mr && t.cols >= 1 && t.cols <= nr, "gemm kernel: bad tile");
    assert!(c.len() >= (t.rows - 1) * t.ldc + t.cols, "gemm kernel: tile outside C");
    if t.rows == mr && t.cols == nr {
        assert!(t.ldc >= nr, "gemm kernel: rows overlap");
    }
}

#[target_feature(enable = "avx512f")]
fn tile_avx512<const R: usize, const V: usize, const PACKED: bool>(
    kc: usize,
    a: Strip<'_>,
    b: Panel<'_>,
    c: &mut [f32],
    t: Tile,
) {
    // A packed strip has constant strides, so that the loads take immediate offsets.
    let (rs, cs) = if PACKED { (1, R) } else { (a.rs, a.cs) };
    let (ldb, a, b) = (b.rs, a.data.as_ptr(), b.data.as_ptr());
    let mut acc = [[_mm512_setzero_ps(); V]; R];
    for p in 0..kc {
        let mut bv = [_mm512_setzero_ps(); V];
        for (v, y) in bv.iter_mut().enumerate() {
            // SAFETY: p < kc and v < V, so p·ldb + 16v + 15 ≤ (kc-1)·ldb + 16V - 1 < b.len() (checked).
            *y = unsafe { _mm512_loadu_ps(b.add(p * ldb + v * 16)) };
        }
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: r < R and p < kc, so r·rs + p·cs ≤ ·rs + (kc-1)·cs < a.len() (checked).
            let x = _mm512_set1_ps(unsafe { *a.add(r * rs + p * cs) });
            for (sum, &y) in row.iter_mut().zip(&bv) {
                *sum = _mm512_fmadd_ps(x, y, *sum);
            }
        }
    }
    if t.rows == R && t.cols == 16 * V {
        let c = c.as_mut_ptr();
        for (r, row) in acc.iter().enumerate() {
            for (v, &sum) in row.iter().enumerate() {
                // SAFETY: a full tile: r·ldc + 16v + 15 < (R-1)·ldc + 16V ≤ c.len() (checked).
                unsafe {
                    let dst = c.add(r * t.ldc + v * 16);
                    let sum = if t.add { _mm512_add_ps(_mm512_loadu_ps(dst), sum) } else { sum };
                    _mm512_storeu_ps(dst, sum);
                }
            }
        }
    } else {
        let mut out = [[[0.0f32; 16]; V]; R];
        for (o_row, row) in out.iter_mut().zip(&acc) {
            for (o, &sum) in o_row.iter_mut().zip(row) {
                // SAFETY: `o` is 16 floats.
                unsafe { _mm512_storeu_ps(o.as_mut_ptr(), sum) };
            }
        }
        store_tile(out.as_flattened().as_flattened(), 16 * V, c, t);
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Avx2Tile<const R: usize, const V: usize>(());

pub(super) type Avx2 = Avx2Tile<6, 2>;

impl<const R: usize, const V: usize> Avx2Tile<R, V> {
    pub(super) fn detect() -> Option<Self> {
        (is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")).then_some(Self(()))
    }
}

impl<const R: usize, const V: usize> Kernel for Avx2Tile<R, V> {
    const MR: usize = R;
    const NR: usize = 8 * V;
    const KC: usize = 256;
    const MC: usize = 192;
    const NC: usize = 4096;
    const A_IN_PLACE_MAX_N: usize = 256;
    const AT_IN_PLACE_MAX_N: usize = 256;
    const B_IN_PLACE_MAX_M: usize = 64;
    const DIRECT_MAX_K: usize = 0;

    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile) {
        check(kc, a, b, c, t, R, 8 * V);
        // SAFETY: `self` exists only where `detect` found AVX2 and FMA; `check` bounds every access.
        unsafe {
            if a.rs == 1 && a.cs == R {
                tile_avx2::<R, V, true>(kc, a, b, c, t)
            } else {
                tile_avx2::<R, V, false>(kc, a, b, c, t)
            }
        }
    }
}

#[target_feature(enable = "avx2,fma")]
fn tile_avx2<const R: usize, const V: usize, const PACKED: bool>(
    kc: usize,
    a: Strip<'_>,
    b: Panel<'_>,
    c: &mut [f32],
    t: Tile,
) {
    // A packed strip has constant strides, so that the loads take immediate offsets.
    let (rs, cs) = if PACKED { (1, R) } else { (a.rs, a.cs) };
    let (ldb, a, b) = (b.rs, a.data.as_ptr(), b.data.as_ptr());
    let mut acc = [[_mm256_setzero_ps(); V]; R];
    for p in 0..kc {
        let mut bv = [_mm256_setzero_ps(); V];
        for (v, y) in bv.iter_mut().enumerate() {
            // SAFETY: p < kc and v < V, so p·ldb + 8v + 7 ≤ (kc-1)·ldb + 8V - 1 < b.len() (checked).
            *y = unsafe { _mm256_loadu_ps(b.add(p * ldb + v * 8)) };
        }
        for (r, row) in acc.iter_mut().enumerate() {
            // SAFETY: r < R and p < kc, so r·rs + p·cs ≤ ·rs + (kc-1)·cs < a.len() (checked).
            let x = _mm256_set1_ps(unsafe { *a.add(r * rs + p * cs) });
            for (sum, &y) in row.iter_mut().zip(&bv) {
                *sum = _mm256_fmadd_ps(x, y, *sum);
            }
        }
    }
    if t.rows == R && t.cols == 8 * V {
        let c = c.as_mut_ptr();
        for (r, row) in acc.iter().enumerate() {
            for (v, &sum) in row.iter().enumerate() {
                // SAFETY: a full tile: r·ldc + 8v + 7 < (R-1)·ldc + 8V ≤ c.len() (checked).
                unsafe {
                    let dst = c.add(r * t.ldc + v * 8);
                    let sum = if t.add { _mm256_add_ps(_mm256_loadu_ps(dst), sum) } else { sum };
                    _mm256_storeu_ps(dst, sum);
                }
            }
        }
    } else {
        let mut out = [[[0.0f32; 8]; V]; R];
        for (o_row, row) in out.iter_mut().zip(&acc) {
            for (o, &sum) in o_row.iter_mut().zip(row) {
                // SAFETY: `o` is 8 floats.
                unsafe { _mm256_storeu_ps(o.as_mut_ptr(), sum) };
            }
        }
        store_tile(out.as_flattened().as_flattened(), 8 * V, c, t);
    }
}
