//! What the layer metrics cost: the 50 training steps of the 64-256-256-10 digits MLP that make
//! one default metrics interval, and the snapshot that ends it, measured on the same trainer
//! (so that machine noise hits both alike). `cargo xtask bench` prints snapshot / interval.

use criterion::{Criterion, criterion_group, criterion_main};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::Length;

fn interval(c: &mut Criterion) {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Digits;
    spec.model = vec![Block::Dense(Dense { units: 256, activation: Activation::Relu, bias: true }); 2];
    spec.training.batch_size = 64;
    spec.training.length = Length::Steps(layerlab_spec::limits::MAX_STEPS);
    let every = spec.metrics.every;
    let mut group = c.benchmark_group("metrics_cost");
    group.sample_size(20);
    let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec");
    group.bench_function("interval_steps", |b| {
        b.iter(|| {
            for _ in 0..every {
                trainer.step().expect("finite");
            }
        });
    });
    group.bench_function("snapshot", |b| b.iter(|| trainer.snapshot()));
    group.finish();
}

criterion_group!(benches, interval);
criterion_main!(benches);
