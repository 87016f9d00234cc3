//! The backend suite on the GPU (natively through wgpu's Vulkan backend: lavapipe on our
//! machines, a real GPU where there is one): every op and every block agrees with the CPU
//! reference to the suite's tolerances.
#![cfg(not(target_arch = "wasm32"))]

use layerlab_engine::suite::{blocks::block_cases, check_blocks, check_ops, ops::op_cases};
use layerlab_gpu::kernels::{Checks, MATMUL_TILES};
use layerlab_gpu::{Gpu, MatmulChoice};

const BLOCK_TOLERANCE: f64 = 1e-4;

fn gpu() -> Gpu {
    Gpu::native().unwrap_or_else(|e| panic!("{e}: install a Vulkan driver (Debian: mesa-vulkan-drivers)"))
}

#[test]
fn every_op_on_the_gpu_matches_the_cpu_reference() {
    let mut gpu = gpu();
    eprintln!("adapter: {}", gpu.adapter());
    let problems = check_ops(&mut gpu, &op_cases());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_block_on_the_gpu_matches_the_cpu_reference() {
    let problems = check_blocks(&mut gpu(), &block_cases(), BLOCK_TOLERANCE);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn deferred_training_on_the_gpu_matches_immediate_training() {
    let problems = layerlab_engine::suite::runs::check_runs(gpu, 1e-6);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_op_with_each_matrix_multiply_kernel_matches_the_cpu_reference() {
    // Every compiled form must hold at every shape, with and without naga's checks, whichever
    // the adapter picks.
    let mut gpu = gpu();
    let matmuls: Vec<_> = op_cases().into_iter().filter(|c| c.name.starts_with("matmul")).collect();
    assert!(matmuls.len() >= 12, "the suite's matrix products");
    let mut problems = Vec::new();
    for tiles in MATMUL_TILES {
        for checks in [Checks::All, Checks::Nothing] {
            let choice = gpu.matmul_choice();
            gpu.set_matmul_choice(MatmulChoice { forced: Some(tiles), checks, ..choice });
            problems.extend(
                check_ops(&mut gpu, &matmuls)
                    .into_iter()
                    .map(|p| format!("{} ({checks:?} checks): {p}", tiles.describe())),
            );
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
