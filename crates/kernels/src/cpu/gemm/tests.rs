//! Every path of `sgemm` against `gemm_reference`, over shapes given as data. They run natively
//! (`cargo test`) and in headless Chromium (`cargo test --target wasm32-unknown-unknown`).

use super::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// (m, n, k): degenerate and odd sizes, tile and block edges (MR, NR, KC, MC, NC on every kernel),
/// both sides of each rule that picks the direct path (see `prefers_direct`) and of each choice
/// inside it, and training shapes.
const SHAPES: &[(usize, usize, usize)] = &[
    (0, 5, 3),
    (4, 0, 3),
    (4, 5, 0),
    (1, 1, 1),
    (1, 1, 7),
    (1, 9, 1),
    (9, 1, 1),
    (2, 3, 4),
    (3, 5, 7),
    (10, 8, 2),
    (4, 8, 16),
    (14, 32, 40),
    (17, 33, 65),
    (64, 64, 64),
    (256, 64, 64),
    (129, 127, 255),
    // The 3×12 wasm tile's edges: 12 and 13 columns, MC = 129 rows and one more.
    (6, 12, 8),
    (6, 13, 8),
    (130, 24, 20),
    (300, 7, 513),
    // k in three equal blocks (KC 512 in wasm, 256 elsewhere), the last a step shorter.
    (9, 30, 1025),
    (7, 300, 33),
    (700, 33, 40),
    (13, 4133, 3),
    // m·n·k at TINY_WORK and past it.
    (4, 4, 8),
    (4, 4, 9),
    // m ≤ 2 (matrix-vector).
    (2, 64, 64),
    (3, 64, 64),
    // n ≤ 2 with k ≥ 16 (a dot product per row).
    (64, 2, 16),
    (64, 2, 15),
    (64, 3, 16),
    // B read in place up to B_IN_PLACE_MAX_M rows (16 in wasm, 64 on x86), with a ragged last panel.
    (16, 70, 20),
    (17, 70, 20),
    (64, 70, 20),
    (65, 70, 20),
    // k ≤ DIRECT_MAX_K.
    (256, 64, 2),
    (256, 64, 3),
    // The direct path's two forms: dots for a transposed B when k > 4, and for n ≤ 2.
    (5, 6, 4),
    (5, 6, 5),
    (5, 2, 9),
    (5, 3, 9),
];

type Path = fn(Gemm, &[f32], &[f32], &mut [f32], &mut Scratch);

/// The paths to check: `sgemm` as dispatched, and each path and kernel this machine can run on its
/// own, whatever size `sgemm` would send it (but not empty products, which only `sgemm` handles).
fn paths(g: Gemm) -> Vec<(&'static str, Path)> {
    if g.m == 0 || g.n == 0 || g.k == 0 {
        return vec![("sgemm", sgemm)];
    }
    let mut paths: Vec<(&'static str, Path)> = Vec::new();
    paths.extend::<[(&'static str, Path); 3]>([
        ("sgemm", sgemm),
        ("direct", |g, a, b, c, s| direct(g, a, b, c, s)),
        ("scalar", |g, a, b, c, s| blocked(scalar::Scalar, g, a, b, c, s)),
    ]);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    paths.push(("simd128 4x8", |g, a, b, c, s| blocked(simd128::TILE_4X8, g, a, b, c, s)));
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    paths.push(("simd128 3x12", |g, a, b, c, s| blocked(simd128::TILE_3X12, g, a, b, c, s)));
    #[cfg(target_arch = "x86_64")]
    {
        if x86::Avx512::detect().is_some() {
            paths.push(("avx512", |g, a, b, c, s| blocked(x86::Avx512::detect().unwrap(), g, a, b, c, s)));
        }
        if x86::Avx2::detect().is_some() {
            paths.push(("avx2", |g, a, b, c, s| blocked(x86::Avx2::detect().unwrap(), g, a, b, c, s)));
        }
    }
    paths
}

/// A small deterministic generator (xorshift), so the tests need no dependency.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Integers in -3..=3: every product and sum below is exact in f32.
    fn small_int(&mut self) -> f32 {
        (self.next() % 7) as f32 - 3.0
    }
    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

fn variants() -> impl Iterator<Item = (bool, bool, bool)> {
    (0..8).map(|v| (v & 1 != 0, v & 2 != 0, v & 4 != 0))
}

/// Integer inputs: every path must equal the reference exactly, whatever its order of summation.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn exact_on_integers() {
    let mut rng = Numbers(0x9e37_79b9_7f4a_7c15);
    let mut scratch = Scratch::default();
    for &(m, n, k) in SHAPES {
        for (a_trans, b_trans, accumulate) in variants() {
            let g = Gemm { m, n, k, a_trans, b_trans, accumulate };
            let a: Vec<f32> = (0..m * k).map(|_| rng.small_int()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.small_int()).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| if accumulate { rng.small_int() } else { f32::NAN }).collect();
            let mut expected = c0.clone();
            gemm_reference(g, &a, &b, &mut expected);
            for (name, path) in paths(g) {
                let mut c = c0.clone();
                path(g, &a, &b, &mut c, &mut scratch);
                if let Some(i) = (0..c.len()).find(|&i| c[i] != expected[i]) {
                    panic!("{name} {g:?}: C[{}, {}] = {}, expected {}", i / n, i % n, c[i], expected[i]);
                }
            }
        }
    }
}

/// Uniform inputs: every path within the rounding bound of a k-term dot product, against the
/// reference run in f64: |error| ≤ (k + 2)·ε·(|C₀| + Σₚ |A(i,p)|·|B(p,j)|).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn within_rounding_on_floats() {
    let mut rng = Numbers(0x2545_f491_4f6c_dd1d);
    let mut scratch = Scratch::default();
    for &(m, n, k) in SHAPES {
        for (a_trans, b_trans, accumulate) in variants() {
            let g = Gemm { m, n, k, a_trans, b_trans, accumulate };
            let a: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.unit()).collect();
            let c0: Vec<f32> = (0..m * n).map(|_| if accumulate { rng.unit() } else { f32::NAN }).collect();
            let wide = |v: &[f32], f: fn(f64) -> f64| v.iter().map(|&x| f(f64::from(x))).collect::<Vec<f64>>();
            let mut exact = wide(&c0, |x| x);
            gemm_reference(g, &wide(&a, |x| x), &wide(&b, |x| x), &mut exact);
            let mut bound = wide(&c0, f64::abs);
            gemm_reference(g, &wide(&a, f64::abs), &wide(&b, f64::abs), &mut bound);
            let eps = f64::from(f32::EPSILON) * (k + 2) as f64;
            for (name, path) in paths(g) {
                let mut c = c0.clone();
                path(g, &a, &b, &mut c, &mut scratch);
                for i in 0..c.len() {
                    let error = (f64::from(c[i]) - exact[i]).abs();
                    assert!(
                        error <= eps * bound[i] + 1e-30,
                        "{name} {g:?}: C[{}, {}] = {}, expected {} (error {error:e}, bound {:e})",
                        i / n,
                        i % n,
                        c[i],
                        exact[i],
                        eps * bound[i]
                    );
                }
            }
        }
    }
}

/// The reference itself, by hand, in f64 as the engine's f64 backend uses it.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn reference_by_hand() {
    // A = [1 2 3; 4 5 6], B = [1 0; 0 1; 1 1].
    let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let b = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let mut c = [1.0f64; 4];
    let g = Gemm { m: 2, n: 2, k: 3, a_trans: false, b_trans: false, accumulate: false };
    gemm_reference(g, &a, &b, &mut c);
    assert_eq!(c, [4.0, 5.0, 10.0, 11.0]);
    // Aᵀ stored (3×2) and Bᵀ stored (2×3), accumulating onto the previous C.
    let at = [1.0, 4.0, 2.0, 5.0, 3.0, 6.0];
    let bt = [1.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    gemm_reference(Gemm { a_trans: true, b_trans: true, accumulate: true, ..g }, &at, &bt, &mut c);
    assert_eq!(c, [8.0, 10.0, 20.0, 22.0]);
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[should_panic(expected = "gemm: B has 5 elements, expected k·n = 3·2 = 6")]
fn wrong_length_panics() {
    let g = Gemm { m: 2, n: 2, k: 3, a_trans: false, b_trans: false, accumulate: false };
    sgemm(g, &[0.0; 6], &[0.0; 5], &mut [0.0; 4], &mut Scratch::default());
}

#[test]
fn packing_buffers_start_on_a_cache_line() {
    // Whatever alignment the allocator gave, and however the buffer grew.
    let mut v = Vec::new();
    for len in [1, 7, 12 * 256, 100_000, 3, 129 * 256] {
        let buf = buffer(&mut v, len);
        assert_eq!(buf.len(), len);
        assert_eq!(buf.as_ptr() as usize % 64, 0, "a buffer of {len} starts mid-line");
    }
}
