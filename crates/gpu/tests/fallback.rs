//! The fallback to the CPU: a run whose GPU is lost mid-training goes on on the CPU from its last
//! checkpoint without losing a step (its loss curve is the CPU's own), and the error says what
//! happened.
#![cfg(not(target_arch = "wasm32"))]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::{TrainError, Trainer, resume};
use layerlab_gpu::Gpu;
use layerlab_spec::{Spec, json};

fn spiral() -> Spec {
    let path = format!("{}/../cli/tests/specs/spiral.json", env!("CARGO_MANIFEST_DIR"));
    json::from_json(&std::fs::read_to_string(&path).expect("the spiral spec")).expect("a valid spec").spec
}

#[test]
fn a_run_whose_gpu_is_lost_goes_on_on_the_cpu_without_losing_a_step() {
    let spec = spiral();
    let reference: Vec<f64> = {
        let mut cpu = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec");
        (0..120).map(|_| cpu.step().expect("no divergence")).collect()
    };

    let mut gpu = Trainer::new(Gpu::native().expect("a Vulkan adapter"), &spec, None).expect("a valid spec");
    let mut losses = Vec::new();
    let mut checkpoint = gpu.checkpoint();
    for _ in 0..70 {
        losses.push(gpu.step().expect("the GPU trains"));
        if gpu.steps().is_multiple_of(25) {
            checkpoint = gpu.checkpoint();
        }
    }
    assert_eq!(checkpoint.steps, 50, "the last checkpoint is at the last metrics interval");
    gpu.b.destroy_device();
    let error = gpu.step().expect_err("a lost device fails the step");
    let TrainError::DeviceLost { step, why } = &error else { panic!("not a lost device: {error}") };
    eprintln!("{error}");
    assert_eq!(*step, 70, "{error}");
    assert!(why.contains("lost") || why.contains("GPU"), "{why}");

    let mut cpu = resume(Cpu::<f32>::new(), &spec, None, &checkpoint, *step).expect("the run carries over");
    assert_eq!(cpu.steps(), 70, "no step is lost");
    while cpu.steps() < 120 {
        losses.push(cpu.step().expect("the CPU trains"));
    }
    for (i, (got, want)) in losses.iter().zip(&reference).enumerate() {
        assert!((got - want).abs() < 1e-3, "step {i}: {got} after the fallback, {want} on the CPU alone");
    }
}
