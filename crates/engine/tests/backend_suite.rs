//! The backend suite against the CPU backend in f32: every op and every block agrees with the
//! f64 reference to the suite's tolerances. The GPU crate runs the same suite on the GPU.

use layerlab_engine::cpu::Cpu;
use layerlab_engine::suite::{blocks::block_cases, check_blocks, check_ops, ops::op_cases};

/// Blocks chain a few ops in f32; 1e-4 of the reference (with the suite's 1% floor).
const BLOCK_TOLERANCE: f64 = 1e-4;

#[test]
fn every_op_in_f32_matches_the_f64_reference() {
    let problems = check_ops(&mut Cpu::<f32>::new(), &op_cases());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_block_in_f32_matches_the_f64_reference() {
    let problems = check_blocks(&mut Cpu::<f32>::new(), &block_cases(), BLOCK_TOLERANCE);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn deferred_training_on_the_cpu_matches_immediate_training() {
    let problems = layerlab_engine::suite::runs::check_runs(Cpu::<f32>::new, 0.0);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
