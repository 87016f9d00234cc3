//! The matrix multiply's throughput (criterion's elements/s are FLOP/s: 2·m·n·k per product) at
//! 256³, 512³ and 1024³, and at the shapes training the benchmark MLPs produces.

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

criterion_group!(benches, products);
criterion_main!(benches);
