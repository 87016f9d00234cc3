//! The matrix multiply's inner loop, written out for one tile size: `multiply`, which
//! matmul.wgsl calls once per slice.
//!
//! Written as loops, it indexes the thread's sums (a private array) with loop counters, and a
//! compiler that does not unroll the loops keeps the array in memory. SwiftShader (the API on the
//! CPU, which Chromium falls back to) does not, and runs each such access as a gather over the
//! threads it runs together: natively, with 32 × 64 tiles, the benchmark's large MLP took 359 ms
//! for its eight products per step with loops, 105–117 ms written out. Written out, every index
//! into the sums is a constant, whatever the compiler.
//!
//! Only this loop: writing out the loops that fetch and stash the next slice too (each with a
//! bounds test per number) made SwiftShader use all of the machine's 24 GiB compiling the
//! 32 × 64 form, and they run once per slice, not once per depth.

use std::fmt::Write;

use crate::kernels::MatmulTiles;

/// `fn multiply(lid: vec3<u32>)` for `tiles`, in WGSL: per depth of the slice in workgroup
/// memory, each of the thread's PM numbers of A times its PN/4 vectors of B, added to its sums
/// as vector multiply-adds.
pub fn multiply(tiles: MatmulTiles) -> String {
    let (pm, pn) = tiles.per;
    let mut s = String::from("fn multiply(lid: vec3<u32>) {\n    for (var d = 0u; d < DEPTH; d++) {\n");
    // Writing into a String cannot fail.
    let mut line = |text: String| writeln!(s, "        {text}").expect("writing to a String");
    for h in 0..pn / 4 {
        line(format!("let b{h} = tile_b[(d * STRIDE_B + {h}u * 4u * WX) / 4u + lid.x];"));
    }
    for g in 0..pm / 4 {
        line(format!("let a{g} = tile_a[(d * STRIDE_A + {g}u * 4u * WY) / 4u + lid.y];"));
        for c in 0..4 {
            for h in 0..pn / 4 {
                let i = (g * 4 + c) * (pn / 4) + h;
                line(format!("sums[{i}] = fma(vec4(a{g}[{c}]), b{h}, sums[{i}]);"));
            }
        }
    }
    s.push_str("    }\n}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::MATMUL_TILES;

    /// Every sum is updated once per depth, by a constant index, with its own row of A and
    /// column vector of B (the products' values are the backend suite's to check).
    #[test]
    fn each_sum_gets_one_multiply_add_per_depth() {
        for tiles in MATMUL_TILES {
            let text = multiply(tiles);
            let (pm, pn) = tiles.per;
            for r in 0..pm {
                for h in 0..pn / 4 {
                    let i = r * (pn / 4) + h;
                    let update = format!("sums[{i}] = fma(vec4(a{}[{}]), b{h}, sums[{i}]);", r / 4, r % 4);
                    assert_eq!(text.matches(&update).count(), 1, "{update} in {}", tiles.describe());
                }
            }
            assert_eq!(text.matches("fma(").count(), pm * pn / 4, "{}", tiles.describe());
        }
    }
}
