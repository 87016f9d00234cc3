//! The worker's run on the GPU, natively (Vulkan: lavapipe here): steps recorded without
//! waiting and read back a batch at a time, measured on the CPU shadow; the same losses as a
//! run on the CPU; a lost device leaves the run training on the CPU, and the page is told.
#![cfg(not(target_arch = "wasm32"))]

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_gpu::Gpu;
use layerlab_spec::Spec;
use layerlab_spec::model::{Activation, Block, Dense, Kan, KanRefine};
use layerlab_worker::protocol::{BackendReport, CpuReason, GpuAdapter, Progress, WorkerOutput};
use layerlab_worker::session::Host;

fn spiral() -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = layerlab_spec::data::Dataset::Spiral;
    spec.model = vec![Block::Dense(Dense { units: 16, activation: Activation::Tanh, bias: true }); 3];
    // Measured within the 150 steps these tests play: a fixed interval, not the one "auto" picks.
    spec.metrics.every = layerlab_spec::Every::Steps(50);
    spec
}

/// Plays `host` until its reported step reaches `steps`, doing in turn what the worker's loop
/// (`web.rs`) does: a tick, then the read-back it asked for (awaited at once here). Returns
/// every output.
fn play_until(host: &mut Host, clock: &mut f64, steps: u64) -> Vec<WorkerOutput> {
    let mut out = host.play(*clock);
    for _ in 0..100_000 {
        *clock += 5.0;
        let now = *clock;
        out.extend(host.tick(&mut || now));
        if let Some(job) = host.take_read() {
            let history = pollster::block_on(job.history);
            let state = job.state.into_iter().map(pollster::block_on).collect();
            *clock += 5.0;
            out.extend(host.finish_read(job.run, history, state, 5.0, *clock));
        }
        if last_step(&out) >= steps {
            return out;
        }
    }
    panic!("the run never reached step {steps}: {:?}", out.last());
}

fn progresses(out: &[WorkerOutput]) -> Vec<&Progress> {
    out.iter().filter_map(|o| if let WorkerOutput::Progress { progress } = o { Some(progress) } else { None }).collect()
}

fn last_step(out: &[WorkerOutput]) -> u64 {
    progresses(out).last().map_or(0, |p| p.step)
}

fn webgpu() -> BackendReport {
    BackendReport::WebGpu { adapter: GpuAdapter { description: "lavapipe".into(), ..GpuAdapter::default() } }
}

fn gpu() -> Gpu {
    Gpu::native().expect("a Vulkan adapter (lavapipe: mesa-vulkan-drivers)")
}

#[test]
fn a_run_on_the_gpu_reports_the_losses_of_the_same_run_on_the_cpu() {
    let mut host = Host::default();
    assert!(host.use_gpu(gpu(), webgpu()).is_empty());
    let mut clock = 0.0;
    let loaded = host.load(spiral(), clock);
    assert!(matches!(loaded[0], WorkerOutput::Loaded { .. }), "{loaded:?}");
    assert!(host.gpu().is_some(), "the run trains on the GPU");
    let out = play_until(&mut host, &mut clock, 150);
    let last = progresses(&out).last().copied().cloned().expect("progress");
    assert!(last.surface.is_some(), "the surface is measured on the CPU shadow");
    let snapshot =
        progresses(&out).iter().find_map(|p| p.layers.clone().filter(|_| p.step > 0)).expect("layer metrics");
    assert!(
        snapshot.layers.iter().all(|l| l.update_ratio.is_some_and(|r| r > 0.0 && r.is_finite())),
        "the update ratio of the interval's last step: {:?}",
        snapshot.layers
    );

    // The same spec on the CPU, to the reported step.
    let mut cpu = Trainer::new(Cpu::<f32>::new(), &spiral(), None).expect("valid");
    for _ in 0..last.step {
        cpu.step().expect("no divergence");
    }
    let want = cpu.evaluate();
    assert!(
        (last.train_loss - want.train_loss).abs() < 1e-3,
        "step {}: GPU run {} vs CPU {}",
        last.step,
        last.train_loss,
        want.train_loss
    );
    assert!(last.train_loss < progresses(&out)[0].train_loss, "it learns");
}

#[test]
fn a_lost_gpu_leaves_the_run_training_on_the_cpu() {
    let mut host = Host::default();
    host.use_gpu(gpu(), webgpu());
    let mut clock = 0.0;
    host.load(spiral(), clock);
    let before = play_until(&mut host, &mut clock, 40);
    let at = last_step(&before);
    host.gpu().expect("on the GPU").destroy_device();
    let after = play_until(&mut host, &mut clock, at + 60);
    let changed = after.iter().find_map(|o| match o {
        WorkerOutput::BackendChanged { report: BackendReport::Cpu { reason: CpuReason::DeviceLost { message } } } => {
            Some(message.clone())
        }
        _ => None,
    });
    assert!(changed.is_some(), "the page is told: {after:?}");
    assert!(host.gpu().is_none(), "the run trains on the CPU");
    assert!(last_step(&after) >= at + 60, "and goes on");
}

#[test]
fn a_kan_that_refines_its_grid_trains_on_the_cpu_and_the_next_run_goes_back_to_the_gpu() {
    let mut host = Host::default();
    host.use_gpu(gpu(), webgpu());
    let mut refining = spiral();
    refining.model = vec![Block::Kan(Kan { refine: Some(KanRefine { every: 50, max_grid: 20 }), ..Kan::default() })];
    let out = host.load(refining, 0.0);
    let moved = out.iter().find_map(|o| match o {
        WorkerOutput::BackendChanged { report: BackendReport::Cpu { reason: CpuReason::Unsupported { message } } } => {
            Some(message.clone())
        }
        _ => None,
    });
    assert!(moved.is_some_and(|m| m.contains("refines its grid")), "{out:?}");
    assert!(host.gpu().is_none(), "the refining run trains on the CPU");

    let out = host.load(spiral(), 1.0);
    assert!(host.gpu().is_some(), "the next run is on the GPU again");
    assert!(
        out.iter().any(|o| matches!(o, WorkerOutput::BackendChanged { report: BackendReport::WebGpu { .. } })),
        "and the page is told: {out:?}"
    );
}

#[test]
fn a_run_on_the_gpu_stops_at_the_metrics_interval_where_its_condition_holds() {
    let mut spec = spiral();
    // Any loss is below 100: the first interval stops the run.
    spec.training.stop = Some(layerlab_spec::train::Stop::LossBelow(100.0));
    let every = layerlab_engine::train::Trainer::new(layerlab_engine::cpu::Cpu::<f32>::new(), &spec, None)
        .expect("a valid spec")
        .metrics_every;
    let mut host = Host::default();
    host.use_gpu(gpu(), webgpu());
    host.load(spec, 0.0);
    let mut clock = 0.0;
    let out = play_until(&mut host, &mut clock, every);
    let stopped: Vec<u64> = out
        .iter()
        .filter_map(|o| if let WorkerOutput::Stopped { step, .. } = o { Some(*step) } else { None })
        .collect();
    assert_eq!(stopped, [every], "{out:?}");
    assert_eq!(last_step(&out), every);
    assert!(!host.playing());
}
