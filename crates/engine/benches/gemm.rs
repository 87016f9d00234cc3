//! The matrix multiply's throughput (criterion's elements/s are FLOP/s: 2·m·n·k per product) at
//! 256³, 512³ and 1024³, and at the shapes training the benchmark MLPs produces; and, as the
//! measure of what a 128-bit kernel can reach, this core's 128-bit multiply-add peak.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use layerlab_engine::cpu::gemm::{Gemm, Scratch, sgemm};

/// (id, m, n, k, a_trans, b_trans): the square sizes the peers quote, then an MLP layer's
/// forward (NN), weight-gradient (TN) and input-gradient (NT) products.
const SHAPES: &[(&str, usize, usize, usize, bool, bool)] = &[
    ("sgemm_256", 256, 256, 256, false, false),
    ("sgemm_512", 512, 512, 512, false, false),
    ("sgemm_1024", 1024, 1024, 1024, false, false),
    ("mnist_fwd_128x256x784", 128, 256, 784, false, false),
    ("mnist_dw_784x256x128", 784, 256, 128, true, false),
    ("mlp64_dx_256x64x64", 256, 64, 64, false, true),
    ("tiny_fwd_10x8x2", 10, 8, 2, false, false),
];

fn products(c: &mut Criterion) {
    let mut group = c.benchmark_group("sgemm");
    let mut scratch = Scratch::default();
    for &(id, m, n, k, a_trans, b_trans) in SHAPES {
        let g = Gemm { m, n, k, a_trans, b_trans, accumulate: false };
        let a: Vec<f32> = (0..m * k).map(|i| (i % 13) as f32 / 13.0).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 7) as f32 / 7.0).collect();
        let mut out = vec![0.0; m * n];
        group.throughput(Throughput::Elements(2 * (m * n * k) as u64));
        group.bench_function(id, |bench| bench.iter(|| sgemm(g, black_box(&a), black_box(&b), &mut out, &mut scratch)));
    }
    group.finish();
}

/// This core's peak with 128-bit fused multiply-adds, the width of wasm's simd128: ten independent
/// `_mm_fmadd_ps` chains in registers, nothing loaded or stored (criterion's elements are FLOPs).
/// `cargo xtask bench` reports the wasm matrix multiply as a share of it, which reads alike on
/// machines whose cores differ.
fn fma128_peak(c: &mut Criterion) {
    #[cfg(target_arch = "x86_64")]
    x86_fma128_peak(c);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = c;
}

#[cfg(target_arch = "x86_64")]
fn x86_fma128_peak(c: &mut Criterion) {
    const STEPS: usize = 100_000;
    #[target_feature(enable = "fma")]
    fn chains(steps: usize) -> f32 {
        use std::arch::x86_64::{_mm_add_ps, _mm_cvtss_f32, _mm_fmadd_ps, _mm_set1_ps, _mm_setzero_ps};
        let (a, b) = (_mm_set1_ps(1.000_1), _mm_set1_ps(0.999_9));
        let mut sums = [_mm_setzero_ps(); 10];
        for _ in 0..steps {
            for s in &mut sums {
                *s = _mm_fmadd_ps(a, b, *s);
            }
        }
        _mm_cvtss_f32(sums.iter().fold(_mm_setzero_ps(), |t, &s| _mm_add_ps(t, s)))
    }
    if !is_x86_feature_detected!("fma") {
        return;
    }
    let mut group = c.benchmark_group("peak");
    group.throughput(Throughput::Elements((STEPS * 10 * 8) as u64));
    // SAFETY: the CPU has FMA (checked above).
    #[allow(unsafe_code)]
    group.bench_function("fma128", |bench| bench.iter(|| unsafe { chains(black_box(STEPS)) }));
    group.finish();
}

criterion_group!(benches, products, fma128_peak);
criterion_main!(benches);
