//! The portable micro-kernel, for targets with no SIMD kernel of their own (and x86-64 CPUs without
//! AVX2): plain arrays that the compiler keeps in registers, and vectorises where it can.

use super::{Kernel, Panel, Strip, Tile, store_tile};

const MR: usize = 4;
/// 4×4 in wasm without simd128 (16 scalar accumulators fit; 32 spill), 4×8 where the compiler
/// vectorises the rows (8 vector accumulators).
const NR: usize = if cfg!(target_arch = "wasm32") { 4 } else { 8 };

#[derive(Debug, Clone, Copy)]
pub(super) struct Scalar;

impl Kernel for Scalar {
    const MR: usize = MR;
    const NR: usize = NR;
    const KC: usize = 256;
    const MC: usize = 128;
    const NC: usize = 2048;
    const A_IN_PLACE_MAX_N: usize = usize::MAX;
    const AT_IN_PLACE_MAX_N: usize = 0;
    const B_IN_PLACE_MAX_M: usize = 0;
    const DIRECT_MAX_K: usize = 2;

    fn tile(self, kc: usize, a: Strip<'_>, b: Panel<'_>, c: &mut [f32], t: Tile) {
        let mut acc = [[0.0f32; NR]; MR];
        for p in 0..kc {
            let b_step = &b.data[p * b.rs..][..NR];
            for (r, row) in acc.iter_mut().enumerate() {
                let x = a.data[r * a.rs + p * a.cs];
                for (sum, &y) in row.iter_mut().zip(b_step) {
                    *sum += x * y;
                }
            }
        }
        store_tile(acc.as_flattened(), NR, c, t);
    }
}
