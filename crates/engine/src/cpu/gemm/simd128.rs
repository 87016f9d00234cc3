//! The wasm simd128 micro-kernel: a 4×8 tile of C in eight `v128` accumulators. With the two
//! vectors of a B row and one broadcast element of A that makes 11 live vectors, within the 15 that
//! V8 allocates on x86-64 (larger tiles spill and run at half speed). Each step loads a row of the
//! packed B panel (two `v128.load`) and the step's four elements of A (`v128.load32_splat`), then
//! does eight multiplies and eight adds: wasm has no fused multiply-add outside relaxed-simd (with
//! `+relaxed-simd`, `madd` uses it). The loop is written out by hand, so it stays in registers
//! even where the build optimises for size.
#![allow(unsafe_code)]

use core::arch::wasm32::{f32x4_add, f32x4_splat, v128, v128_load, v128_load32_splat, v128_store};

use super::{Kernel, Panel, Strip, Tile, store_tile};

const MR: usize = 4;
const NR: usize = 8;

#[derive(Debug, Clone, Copy)]
pub(super) struct Simd128;

impl Kernel for Simd128 {
    const MR: usize = MR;
    const NR: usize = NR;
    const KC: usize = 256;
    const MC: usize = 128;
    const NC: usize = 2048;
    const A_IN_PLACE_MAX_N: usize = usize::MAX;
    const AT_IN_PLACE_MAX_N: usize = 0;
    const B_IN_PLACE_MAX_M: usize = 16;
    const DIRECT_MAX_K: usize = 2;

    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile) {
        assert!(kc >= 1 && (MR - 1) * a.rs + (kc - 1) * a.cs < a.data.len(), "gemm kernel: A strip too short");
        assert!(kc >= 1 && (kc - 1) * b.rs + NR <= b.data.len(), "gemm kernel: B panel too short");
        assert!(t.rows >= 1 && t.rows <= MR && t.cols >= 1 && t.cols <= NR, "gemm kernel: bad tile");
        assert!(c.len() >= (t.rows - 1) * t.ldc + t.cols, "gemm kernel: tile outside C");
        let (a_ptr, b_ptr) = (a.data.as_ptr(), b.data.as_ptr());
        let acc = if a.rs == 1 && a.cs == MR {
            // SAFETY: the asserts bound every element read. Packed A: with constant strides the
            // loads take immediate offsets.
            unsafe { steps(kc, a_ptr, 1, MR, b_ptr, b.rs) }
        } else {
            // SAFETY: as above.
            unsafe { steps(kc, a_ptr, a.rs, a.cs, b_ptr, b.rs) }
        };
        if t.rows == MR && t.cols == NR && t.ldc >= NR {
            let c = c.as_mut_ptr();
            for (i, &sum) in acc.iter().enumerate() {
                // SAFETY: a full tile, so (i/2)·ldc + 4·(i%2) + 3 ≤ (MR-1)·ldc + NR - 1 < c.len()
                // (asserted); v128 loads and stores need no alignment.
                unsafe {
                    let dst = c.add(i / 2 * t.ldc + 4 * (i % 2)) as *mut v128;
                    v128_store(dst, if t.add { f32x4_add(v128_load(dst), sum) } else { sum });
                }
            }
        } else {
            let mut out = [[0.0f32; 4]; 2 * MR];
            for (o, &sum) in out.iter_mut().zip(&acc) {
                // SAFETY: `o` is 4 floats.
                unsafe { v128_store(o.as_mut_ptr() as *mut v128, sum) };
            }
            store_tile(out.as_flattened(), NR, c, t);
        }
    }
}

/// The kernel's loop: the 4×8 sums over `kc` steps of A(r, p)·B(p, j), with A(r, p) at
/// `a[r·rs + p·cs]` and B(p, j) at `b[p·ldb + j]`. Returns the rows' halves in order.
///
/// # Safety
/// `a[3·rs + (kc-1)·cs]` and `b[(kc-1)·ldb + 7]` must be in bounds.
#[inline(always)]
unsafe fn steps(kc: usize, mut a: *const f32, rs: usize, cs: usize, mut b: *const f32, ldb: usize) -> [v128; 8] {
    let zero = f32x4_splat(0.0);
    let [mut c00, mut c01, mut c10, mut c11, mut c20, mut c21, mut c30, mut c31] = [zero; 8];
    for _ in 0..kc {
        // SAFETY: this step's 8 floats of B and 4 of A (at a + r·rs) lie within the caller's bounds.
        unsafe {
            let b0 = v128_load(b as *const v128);
            let b1 = v128_load(b.add(4) as *const v128);
            let x = v128_load32_splat(a as *const u32);
            c00 = madd(x, b0, c00);
            c01 = madd(x, b1, c01);
            let x = v128_load32_splat(a.add(rs) as *const u32);
            c10 = madd(x, b0, c10);
            c11 = madd(x, b1, c11);
            let x = v128_load32_splat(a.add(2 * rs) as *const u32);
            c20 = madd(x, b0, c20);
            c21 = madd(x, b1, c21);
            let x = v128_load32_splat(a.add(3 * rs) as *const u32);
            c30 = madd(x, b0, c30);
            c31 = madd(x, b1, c31);
        }
        a = a.wrapping_add(cs);
        b = b.wrapping_add(ldb);
    }
    [c00, c01, c10, c11, c20, c21, c30, c31]
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
