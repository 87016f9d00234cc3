//! The package's run natively, on the GPU through Vulkan (lavapipe here) and on the CPU: the
//! same spec gives the same losses on both; a lost device leaves the run on the CPU with no
//! step lost and the report saying why; what the GPU cannot train stays on the CPU; a run that
//! diverges on the GPU is an error naming the step. The browser's side of the same is
//! tests/in_browser.rs and the e2e package spec.
#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;

use layerlab::{Run, advance};
use layerlab_gpu::Gpu;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense, Kan, KanRefine};
use layerlab_worker::{BackendReport, CpuReason, GpuAdapter};

fn spiral() -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Spiral;
    spec.model = vec![Block::Dense(Dense { units: 16, activation: Activation::Tanh, bias: true }); 3];
    spec
}

fn webgpu() -> BackendReport {
    BackendReport::WebGpu { adapter: GpuAdapter { description: "lavapipe".into(), ..GpuAdapter::default() } }
}

fn on_gpu(spec: Spec) -> RefCell<Run> {
    let gpu = Gpu::native().expect("a Vulkan adapter (lavapipe: mesa-vulkan-drivers)");
    RefCell::new(Run::new(spec, None, webgpu(), Some(gpu)).expect("valid"))
}

fn on_cpu(spec: Spec) -> RefCell<Run> {
    RefCell::new(Run::new(spec, None, BackendReport::Cpu { reason: CpuReason::Forced }, None).expect("valid"))
}

fn advance_now(run: &RefCell<Run>, n: u64) -> Result<f64, String> {
    pollster::block_on(advance(run, n))
}

/// Every loss of both evaluations within 1e-3 (issue 8's training parity).
fn assert_same_losses(gpu: &RefCell<Run>, cpu: &RefCell<Run>) {
    let (g, c) = (gpu.borrow_mut().trainer.evaluate(), cpu.borrow_mut().trainer.evaluate());
    assert_eq!(g.step, c.step);
    for (what, a, b) in [("train", g.train_loss, c.train_loss), ("test", g.test_loss, c.test_loss)] {
        assert!((a - b).abs() < 1e-3, "step {}: {what} loss {a} from the GPU, {b} from the CPU", g.step);
    }
}

#[test]
fn two_hundred_steps_on_the_gpu_give_the_losses_of_the_cpu() {
    let (gpu, cpu) = (on_gpu(spiral()), on_cpu(spiral()));
    assert!(gpu.borrow().gpu().is_some(), "the run trains on the GPU: {:?}", gpu.borrow().report());
    let first = gpu.borrow_mut().trainer.evaluate().train_loss;
    let g = advance_now(&gpu, 200).expect("trains");
    let c = advance_now(&cpu, 200).expect("trains");
    assert_eq!(gpu.borrow().trainer.steps(), 200);
    assert!((g - c).abs() < 1e-3, "the last step's loss: {g} on the GPU, {c} on the CPU");
    assert_same_losses(&gpu, &cpu);
    assert!(gpu.borrow_mut().trainer.evaluate().train_loss < first, "it learns");
    // The call's last step went alone: the layer metrics measure its update.
    let snapshot = gpu.borrow_mut().trainer.snapshot();
    assert!(
        snapshot.layers.iter().all(|l| l.update_ratio.is_some_and(|r| r > 0.0 && r.is_finite())),
        "{:?}",
        snapshot.layers
    );
}

#[test]
fn a_lost_device_leaves_the_run_on_the_cpu_with_no_step_lost() {
    let (gpu, cpu) = (on_gpu(spiral()), on_cpu(spiral()));
    advance_now(&gpu, 40).expect("trains");
    gpu.borrow().gpu().expect("on the GPU").destroy_device();
    advance_now(&gpu, 60).expect("goes on on the CPU");
    let report = gpu.borrow().report().clone();
    assert!(
        matches!(&report, BackendReport::Cpu { reason: CpuReason::DeviceLost { .. } }),
        "the report says why: {report:?}"
    );
    assert!(report.explanation().contains("stopped working"), "{}", report.explanation());
    assert!(gpu.borrow().gpu().is_none());
    assert_eq!(gpu.borrow().trainer.steps(), 100, "every step asked for was taken");
    advance_now(&cpu, 100).expect("trains");
    assert_same_losses(&gpu, &cpu);
}

#[test]
fn a_run_ends_at_its_length_on_either_backend() {
    let mut spec = spiral();
    spec.training.length = layerlab_spec::train::Length::Steps(30);
    for run in [on_gpu(spec.clone()), on_cpu(spec)] {
        let loss = advance_now(&run, 1000).expect("trains");
        assert!(loss.is_finite());
        assert_eq!(run.borrow().trainer.steps(), 30);
        assert!(advance_now(&run, 10).expect("nothing to do").is_nan(), "no step after the end");
    }
}

#[test]
fn a_kan_that_refines_its_grid_trains_on_the_cpu_and_says_so() {
    let mut spec = spiral();
    spec.model = vec![Block::Kan(Kan { refine: Some(KanRefine { every: 50, max_grid: 20 }), ..Kan::default() })];
    let run = on_gpu(spec);
    assert!(run.borrow().gpu().is_none());
    let report = run.borrow().report().clone();
    assert!(
        matches!(&report, BackendReport::Cpu { reason: CpuReason::Unsupported { message } } if message.contains("refines its grid")),
        "{report:?}"
    );
    advance_now(&run, 60).expect("trains on the CPU");
    assert_eq!(run.borrow().trainer.steps(), 60);
}

#[test]
fn a_run_that_diverges_on_the_gpu_is_an_error_naming_the_step() {
    let mut spec = spiral();
    spec.training.optimizer =
        layerlab_spec::train::Optimizer::Adam { learning_rate: 100.0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    let run = on_gpu(spec);
    assert!(run.borrow().gpu().is_some(), "on the GPU");
    let error = advance_now(&run, 200).expect_err("Adam at a learning rate of 100 diverges");
    assert!(error.contains("step"), "{error}");
    let steps = run.borrow().trainer.steps();
    assert!(steps < 200, "the weights are those of the last good step ({steps})");
    let loss = run.borrow_mut().trainer.evaluate().train_loss;
    assert!(loss.is_finite(), "the kept weights are sound: {loss}");
}
