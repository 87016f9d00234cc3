//! The GPU backend's throughput on whatever adapter wgpu finds (lavapipe on our machines, where
//! the figures are only a record; a real GPU elsewhere): the matrix multiply in GFLOP/s at 256³
//! to 2048³, and ms per training step of the benchmark MLPs (which, unlike a pure GPU pipeline,
//! still read the loss and the gradient norm back every step).
//!
//! Prints a table and writes the figures as JSON to `target/gpu-bench.json` for `cargo xtask
//! bench`. Timing: after a warm-up, `reps` products are recorded, then submitted together and
//! one number read back, which waits for all of them; the median over rounds is reported.

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
    use layerlab_gpu::kernels::{Checks, MATMUL_FEW_THREADS, MATMUL_LARGE, MATMUL_SMALL, MATMUL_TILES, MatmulTiles};
    use layerlab_gpu::{Gpu, MatmulChoice};
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
        let default_choice = gpu.matmul_choice();
        println!("adapter: {adapter}");
        // Every compiled form on a GPU, so a machine with one shows which suits it, and one with
        // naga's checks too; on a CPU implementation of the API, where a 1024³ product
        // takes seconds, the three the backend picks from.
        let kernels: Vec<(MatmulTiles, Checks)> = if default_choice.emulator.is_some() {
            [MATMUL_SMALL, MATMUL_FEW_THREADS, MATMUL_LARGE].map(|t| (t, default_choice.checks)).to_vec()
        } else {
            let mut all: Vec<_> = MATMUL_TILES.iter().map(|&t| (t, Checks::Nothing)).collect();
            all.extend([(MATMUL_SMALL, Checks::All), (MATMUL_SMALL, Checks::Bounds)]);
            all
        };
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
            let picked = default_choice.tiles(n, n);
            for &(tiles, checks) in &kernels {
                gpu.set_matmul_choice(MatmulChoice { forced: Some(tiles), checks, ..default_choice });
                // `reps` products recorded, then submitted and waited for together: the time is
                // the GPU's, not the recording's.
                let mut round = |gpu: &mut Gpu, reps: usize| {
                    for _ in 0..reps {
                        gpu.matmul(g, &a, &b, &mut c);
                    }
                    let t = Instant::now();
                    gpu.submit();
                    gpu.download(&c, &mut [0.0]);
                    t.elapsed().as_secs_f64() / reps as f64
                };
                // The first round compiles the kernel; the second sizes the rounds to about 50 ms.
                round(&mut gpu, 1);
                let first = round(&mut gpu, 1);
                let reps = ((0.05 / first) as usize).clamp(1, 1000);
                let seconds = if first > 1.0 { first } else { median((0..5).map(|_| round(&mut gpu, reps)).collect()) };
                last = last.max(seconds);
                let gflops = flops / seconds / 1e9;
                let kernel = format!("{}, checks: {checks:?}", tiles.describe());
                let mark = if tiles == picked && checks == default_choice.checks { " (picked)" } else { "" };
                println!("matmul {n}³, {kernel}: {gflops:.1} GFLOP/s ({:.3} ms){mark}", seconds * 1e3);
                rows.push(json!({ "model": format!("sgemm_{n}"), "kernel": kernel, "picked": !mark.is_empty(), "engine": "layerlab", "backend": "gpu", "adapter": adapter, "where": "native", "gflops": gflops }));
            }
            gpu.set_matmul_choice(default_choice);
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
            if default_choice.emulator.is_none() {
                // What naga's loop bounding costs every kernel (see `Checks::Bounds`).
                let mut checked = Gpu::native().expect("the adapter found above");
                checked.set_checks(Checks::All);
                checked.set_matmul_choice(MatmulChoice { checks: Checks::All, ..checked.matmul_choice() });
                let mut checked_bench = StepBench::new(checked, *mlp);
                let checked_ms = ms(6, &mut || {
                    for _ in 0..10 {
                        checked_bench.step_deferred();
                    }
                    checked_bench.collect()
                }) / 10.0;
                println!("{}: {checked_ms:.3} ms per step deferred with all of naga's checks", mlp.id);
            }
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
        if let Err(e) = std::fs::write(path, serde_json::to_string_pretty(&rows).expect("rows serialize")) {
            println!("could not write {path}: {e}");
        }
    }
}
