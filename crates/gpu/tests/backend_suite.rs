//! The backend suite on the GPU (natively through wgpu's Vulkan backend: lavapipe on our
//! machines, a real GPU where there is one): every op and every block agrees with the CPU
//! reference to the suite's tolerances.
#![cfg(not(target_arch = "wasm32"))]

use layerlab_engine::suite::{blocks::block_cases, check_blocks, check_ops, ops::op_cases};
use layerlab_gpu::Gpu;

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
fn every_op_with_the_large_matrix_tiles_matches_the_cpu_reference() {
    // Both matrix-multiply kernels must hold at every shape, whichever the adapter picks.
    let mut gpu = gpu();
    gpu.set_large_tiles(0);
    let problems = check_ops(&mut gpu, &op_cases());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
