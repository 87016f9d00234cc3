//! The GPU backend's throughput on whatever adapter wgpu finds (lavapipe on our machines, where
//! the figures are only a record; a real GPU elsewhere): the matrix multiply in GFLOP/s at 256³
//! to 2048³, and ms per training step of the benchmark MLPs (which, unlike a pure GPU pipeline,
//! still read the loss and the gradient norm back every step).
//!
//! Prints a table and writes the figures as JSON to `target/gpu-bench.json` for `cargo xtask
//! bench`. Timing: after a warm-up, `reps` products are recorded and one number is read back,
//! which waits for all of them; the median over rounds is reported.

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    native::main();
}

/// Natively only: a browser measures through the page.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use layerlab_engine::backend::{Backend, Gemm};
    use layerlab_engine::cpu::Cpu;
    use layerlab_engine::workloads::{MLPS, StepBench};
    use layerlab_gpu::Gpu;
    use serde_json::json;

    fn median(mut xs: Vec<f64>) -> f64 {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    }

    pub fn main() {
        // `cargo bench` passes `--bench`; nothing here takes options.
        let mut gpu = match Gpu::native() {
            Ok(gpu) => gpu,
            Err(e) => {
                println!("no GPU benchmark: {e}");
                return;
            }
        };
        let adapter = gpu.adapter().to_string();
        let default_tiles = gpu.large_tiles();
        println!("adapter: {adapter}");
        let mut rows = Vec::new();
        // Seconds per product at the last size, to skip sizes that would take minutes (lavapipe
        // computes 2048³ in about 15 s).
        let mut last = 0.0f64;
        for n in [256usize, 512, 1024, 2048] {
            if last * 8.0 > 5.0 {
                println!("matmul {n}³: skipped, about {:.0} s per product on this adapter", last * 8.0);
                continue;
            }
            let g = Gemm { m: n, n, k: n, a_trans: false, b_trans: false, accumulate: false };
            let (mut a, mut b, mut c) = (gpu.alloc(n * n), gpu.alloc(n * n), gpu.alloc(n * n));
            let values: Vec<f32> = (0..n * n).map(|i| (i % 13) as f32 / 13.0).collect();
            gpu.upload(&mut a, &values);
            gpu.upload(&mut b, &values);
            let flops = 2.0 * (n * n * n) as f64;
            // About a second of work per round on lavapipe, far less on a GPU.
            let reps = ((4e9 / flops) as usize).clamp(1, 64);
            // Both kernels, so a machine with a real GPU shows which tile size suits it.
            for (kernel, from) in [("64×64 tiles", usize::MAX), ("128×128 tiles", 0)] {
                gpu.set_large_tiles(from);
                let mut round = |gpu: &mut Gpu| {
                    let t = Instant::now();
                    for _ in 0..reps {
                        gpu.matmul(g, &a, &b, &mut c);
                    }
                    gpu.download(&c, &mut [0.0]);
                    t.elapsed().as_secs_f64() / reps as f64
                };
                let first = round(&mut gpu);
                let seconds = if first > 1.0 { first } else { median((0..3).map(|_| round(&mut gpu)).collect()) };
                last = last.max(seconds);
                let gflops = flops / seconds / 1e9;
                println!("matmul {n}³, {kernel}: {gflops:.1} GFLOP/s ({:.2} ms)", seconds * 1e3);
                rows.push(json!({ "model": format!("sgemm_{n}"), "kernel": kernel, "engine": "layerlab", "backend": "gpu", "adapter": adapter, "where": "native", "gflops": gflops }));
            }
            gpu.set_large_tiles(default_tiles);
        }
        for mlp in MLPS {
            let mut gpu_bench = StepBench::new(Gpu::native().expect("the adapter found above"), *mlp);
            let mut cpu_bench = StepBench::new(Cpu::<f32>::new(), *mlp);
            let ms = |rounds: usize, bench: &mut dyn FnMut() -> f64| {
                for _ in 0..rounds / 6 + 1 {
                    bench();
                }
                median(
                    (0..rounds)
                        .map(|_| {
                            let t = Instant::now();
                            bench();
                            t.elapsed().as_secs_f64() * 1e3
                        })
                        .collect(),
                )
            };
            let gpu_ms = ms(30, &mut || gpu_bench.step());
            // Ten steps recorded, one read-back: the GPU-resident rate a browser would see.
            let deferred_ms = ms(6, &mut || {
                for _ in 0..10 {
                    gpu_bench.step_deferred();
                }
                gpu_bench.collect()
            }) / 10.0;
            let cpu_ms = ms(30, &mut || cpu_bench.step());
            println!(
                "{}: {gpu_ms:.3} ms per step on the GPU reading each step back, {deferred_ms:.3} ms deferred, \
                 {cpu_ms:.3} ms on the CPU (GPU/CPU speed {:.3}× deferred)",
                mlp.id,
                cpu_ms / deferred_ms
            );
            rows.push(json!({ "model": mlp.id, "engine": "layerlab", "backend": "gpu-deferred", "adapter": adapter, "where": "native", "threads": 1, "ms_per_step": deferred_ms }));
            rows.push(json!({ "model": mlp.id, "engine": "layerlab", "backend": "gpu", "adapter": adapter, "where": "native", "threads": 1, "ms_per_step": gpu_ms }));
            rows.push(json!({ "model": mlp.id, "engine": "layerlab", "backend": "cpu", "where": "native", "threads": 1, "ms_per_step": cpu_ms }));
        }
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/gpu-bench.json");
        std::fs::write(path, serde_json::to_string_pretty(&rows).expect("rows serialize"))
            .expect("writing target/gpu-bench.json");
    }
}
