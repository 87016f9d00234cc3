//! The wasm simd128 micro-kernels: an `MR`×`4·NV` tile of C in `MR·NV` `v128` accumulators. Each
//! step loads a row of the packed B panel (`NV` `v128.load`) and the step's `MR` elements of A
//! (`v128.load32_splat`), then does `MR·NV` multiply-adds: wasm has no fused multiply-add outside
//! relaxed-simd (with `+relaxed-simd`, `madd` uses it). Accumulators, B's vectors and one broadcast
//! element of A must fit the 15 vector registers V8 allocates on x86-64 (larger tiles spill and run
//! at half speed). Two tiles are used:
//! - 4×8 ([`TILE_4X8`]): 8 accumulators + 2 + 1 = 11 registers.
//! - 3×12 ([`TILE_3X12`]), in the relaxed-SIMD build: 9 accumulators + 3 + 1 = 13. A fused
//!   multiply-add has a 4-cycle latency and two can start per cycle, so 8 chains of accumulation
//!   are just enough to keep both units busy and any stall shows; 9 leave slack. Measured in
//!   Chromium on the Intel Xeon of bench/results, runs alternated within the hour: 512³ at 44–49
//!   GFLOP/s against 40–41 for 4×8 (that core's 128-bit FMA peak, `peak/fma128` in the gemm
//!   benchmark, is 56.7–58.2). With a separate multiply and add (the plain build) the adds, not
//!   the latency, bound it, and 4×8 is as fast or faster (36.8 against 35.4). On the AMD EPYC
//!   (Zen 4) of 2026-12-06, with relaxed SIMD and aligned packing, the tiles measured alike at
//!   512³: 3×12 47.1–50.0, 4×8 47.0–47.7, 2×16 45.9–50.3 GFLOP/s (runs alternated; peak 55.8).
//!
//! The 3×12 tile pads n up to a multiple of 12, so `sgemm` takes it only where that padding costs
//! less than its speed gains ([`prefers_wide`]).
#![allow(unsafe_code)]

use core::arch::wasm32::{f32x4_add, f32x4_splat, v128, v128_load, v128_load32_splat, v128_store};

use super::{Kernel, Panel, Strip, Tile, store_tile};

/// A kernel of `MR` rows and `NV` vectors (`4·NV` columns).
#[derive(Debug, Clone, Copy)]
pub(super) struct Simd128<const MR: usize, const NV: usize>;

pub(super) const TILE_4X8: Simd128<4, 2> = Simd128;
#[cfg(any(test, target_feature = "relaxed-simd"))]
pub(super) const TILE_3X12: Simd128<3, 3> = Simd128;

/// Whether the 3×12 tile beats the 4×8 on a product with `n` columns: it is ~15 % faster per
/// element computed, so it wins unless rounding n up to a multiple of 12 adds 10 % more columns
/// than rounding it up to a multiple of 8 (n = 64: 72 against 64 columns, where 4×8 measured 7 %
/// faster on the medium MLP; n = 256: 264 against 256).
#[cfg(target_feature = "relaxed-simd")]
pub(super) fn prefers_wide(n: usize) -> bool {
    10 * n.next_multiple_of(12) <= 11 * n.next_multiple_of(8)
}

impl<const MR: usize, const NV: usize> Kernel for Simd128<MR, NV> {
    const MR: usize = MR;
    const NR: usize = 4 * NV;
    // 512 rather than 256: half the passes over C, each a C tile's load and store through L2 or
    // further per 512 steps rather than per 256. Measured in Node 20 (V8 11.3) on the AMD EPYC
    // (Zen 4) of 2026-12-06, the builds alternated within one process, medians GFLOP/s, relaxed:
    // 512³ 51.5 → 52.4, 1024³ 48.7 → 50.3, 256³ alike; with k split evenly (`blocked`) 512³
    // 47.0 → 49.5 and 1024³ 45.6 → 48.6 in a busier hour. A 3×12 tile's B panel (24 KB) and A
    // strip (6 KB) still fit Zen 4's 32 KB L1.
    const KC: usize = 512;
    const MC: usize = 128usize.next_multiple_of(MR);
    const NC: usize = 2048;
    const A_IN_PLACE_MAX_N: usize = usize::MAX;
    const AT_IN_PLACE_MAX_N: usize = 0;
    const B_IN_PLACE_MAX_M: usize = 16;
    const DIRECT_MAX_K: usize = 2;

    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile) {
        assert!(kc >= 1 && (MR - 1) * a.rs + (kc - 1) * a.cs < a.data.len(), "gemm kernel: A strip too short");
        let nr = Self::NR;
        assert!(kc >= 1 && (kc - 1) * b.rs + nr <= b.data.len(), "gemm kernel: B panel too short");
        assert!(t.rows >= 1 && t.rows <= MR && t.cols >= 1 && t.cols <= nr, "gemm kernel: bad tile");
        assert!(c.len() >= (t.rows - 1) * t.ldc + t.cols, "gemm kernel: tile outside C");
        let (a_ptr, b_ptr) = (a.data.as_ptr(), b.data.as_ptr());
        let acc = if a.rs == 1 && a.cs == MR {
            // SAFETY: the asserts bound every element read. Packed A: with constant strides the
            // loads take immediate offsets.
            unsafe { steps::<MR, NV>(kc, a_ptr, 1, MR, b_ptr, b.rs) }
        } else {
            // SAFETY: as above.
            unsafe { steps::<MR, NV>(kc, a_ptr, a.rs, a.cs, b_ptr, b.rs) }
        };
        if t.rows == MR && t.cols == nr && t.ldc >= nr {
            let c = c.as_mut_ptr();
            for (r, row) in acc.iter().enumerate() {
                for (v, &sum) in row.iter().enumerate() {
                    // SAFETY: a full tile, so r·ldc + 4·v + 3 ≤ (MR-1)·ldc + nr - 1 < c.len()
                    // (asserted); v128 loads and stores need no alignment.
                    unsafe {
                        let dst = c.add(r * t.ldc + 4 * v) as *mut v128;
                        v128_store(dst, if t.add { f32x4_add(v128_load(dst), sum) } else { sum });
                    }
                }
            }
        } else {
            let mut out = [[[0.0f32; 4]; NV]; MR];
            for (o, &sum) in out.as_flattened_mut().iter_mut().zip(acc.as_flattened()) {
                // SAFETY: `o` is 4 floats.
                unsafe { v128_store(o.as_mut_ptr() as *mut v128, sum) };
            }
            store_tile(out.as_flattened().as_flattened(), nr, c, t);
        }
    }
}

/// The kernel's loop: the `MR`×`4·NV` sums over `kc` steps of A(r, p)·B(p, j), with A(r, p) at
/// `a[r·rs + p·cs]` and B(p, j) at `b[p·ldb + j]`, by rows. The loops over the tile have constant
/// bounds, so the compiler unrolls them and keeps the accumulators in registers.
///
/// # Safety
/// `a[(MR-1)·rs + (kc-1)·cs]` and `b[(kc-1)·ldb + 4·NV - 1]` must be in bounds.
#[inline(always)]
unsafe fn steps<const MR: usize, const NV: usize>(
    kc: usize,
    mut a: *const f32,
    rs: usize,
    cs: usize,
    mut b: *const f32,
    ldb: usize,
) -> [[v128; NV]; MR] {
    let mut acc = [[f32x4_splat(0.0); NV]; MR];
    for _ in 0..kc {
        // SAFETY: this step's 4·NV floats of B and MR of A (at a + r·rs) lie within the caller's bounds.
        unsafe {
            let bv: [v128; NV] = core::array::from_fn(|v| v128_load(b.add(4 * v) as *const v128));
            for (r, row) in acc.iter_mut().enumerate() {
                let x = v128_load32_splat(a.add(r * rs) as *const u32);
                for (sum, &y) in row.iter_mut().zip(&bv) {
                    *sum = madd(x, y, *sum);
                }
            }
        }
        a = a.wrapping_add(cs);
        b = b.wrapping_add(ldb);
    }
    acc
}

/// `x·y + sum`: a multiply and an add (the same result on every machine), or with
/// `+relaxed-simd` a fused multiply-add where the CPU has one.
#[inline(always)]
fn madd(x: v128, y: v128, sum: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    return core::arch::wasm32::f32x4_relaxed_madd(x, y, sum);
    #[cfg(not(target_feature = "relaxed-simd"))]
    f32x4_add(sum, core::arch::wasm32::f32x4_mul(x, y))
}
