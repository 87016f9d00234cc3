//! What the layer metrics cost: 50 training steps of the 64-256-256-10 digits MLP (one default
//! metrics interval), with and without the snapshot that ends the interval.
//! `cargo xtask bench` prints the overhead.

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
    for with_snapshot in [false, true] {
        let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec");
        let id = if with_snapshot { "interval_with_snapshot" } else { "interval_without_snapshot" };
        group.bench_function(id, |b| {
            b.iter(|| {
                for _ in 0..every {
                    trainer.step().expect("finite");
                }
                if with_snapshot {
                    trainer.snapshot();
                }
            });
        });
    }
    group.finish();
}

criterion_group!(benches, interval);
criterion_main!(benches);
