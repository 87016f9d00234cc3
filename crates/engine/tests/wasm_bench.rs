//! The benchmark workloads in headless Chromium: median µs per training step of each MLP and
//! GFLOP/s of the matrix multiply, printed as `LAYERLAB_BENCH {json}` lines for
//! `cargo xtask bench` (which runs this file alone, in release mode; `cargo xtask test` does not).
#![cfg(target_arch = "wasm32")]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::cpu::gemm::{Gemm, Scratch, sgemm};
use layerlab_engine::workloads::{MLPS, StepBench};
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().expect("a window").performance().expect("performance").now()
}

/// The median milliseconds of `f` over about `budget_ms` after a warm-up.
fn median_ms(budget_ms: f64, mut f: impl FnMut()) -> f64 {
    for _ in 0..10 {
        f();
    }
    let mut times = Vec::new();
    let end = now_ms() + budget_ms;
    while now_ms() < end || times.len() < 5 {
        let t = now_ms();
        f();
        times.push(now_ms() - t);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[wasm_bindgen_test]
fn bench() {
    for &mlp in MLPS {
        let mut bench = StepBench::new(Cpu::<f32>::new(), mlp);
        // Small steps take less than performance.now()'s resolution: time runs of 100.
        let reps = if mlp.rows * mlp.inputs < 1000 { 100 } else { 1 };
        let ms = median_ms(2000.0, || {
            for _ in 0..reps {
                bench.step();
            }
        }) / reps as f64;
        console_log!("LAYERLAB_BENCH {{\"kind\":\"step\",\"id\":\"{}\",\"us\":{}}}", mlp.id, ms * 1000.0);
    }
    let mut scratch = Scratch::default();
    for n in [256usize, 512] {
        let g = Gemm { m: n, n, k: n, a_trans: false, b_trans: false, accumulate: false };
        let a: Vec<f32> = (0..n * n).map(|i| (i % 17) as f32 / 17.0).collect();
        let b = a.clone();
        let mut c = vec![0.0; n * n];
        // Four seconds: this shared machine has spells of a second or two at two thirds of its
        // speed (512³ at 32-35 against 46-50 GFLOP/s, both within one run and between runs of
        // the same binary), which a median over 1.5 s could fall into whole. Each time spans
        // about 20 ms of products: Chromium coarsens performance.now() to 0.1 ms in a page that
        // is not cross-origin isolated, 2 % of one 512³ product (5.3 ms).
        let reps = (500_000_000 / (n * n * n)).max(1);
        let ms = median_ms(4000.0, || {
            for _ in 0..reps {
                sgemm(g, &a, &b, &mut c, &mut scratch);
            }
        }) / reps as f64;
        let gflops = 2.0 * (n * n * n) as f64 / (ms * 1e-3) / 1e9;
        console_log!("LAYERLAB_BENCH {{\"kind\":\"gemm\",\"id\":\"sgemm_{n}\",\"gflops\":{gflops}}}");
    }
}
