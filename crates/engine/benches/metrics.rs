//! What the layer metrics cost at the default interval (`"auto"`): for each model, the steps of
//! one metrics interval and the snapshot that ends it, measured on the same trainer (so that
//! machine noise hits both alike). `cargo xtask bench` prints snapshot / interval per model; the
//! 64-256-256-10 digits MLP is the one issue 7 bounds at 10 %.

use criterion::{Criterion, criterion_group, criterion_main};
use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::Length;

/// The models: TensorFlow Playground's opening one, the digits MLP, and two literature blocks
/// from `bench/blocks/`, each at the default metrics settings.
fn cases() -> Vec<(&'static str, Spec)> {
    let mut digits = Spec::default();
    digits.data.dataset = Dataset::Digits;
    digits.model = vec![Block::Dense(Dense { units: 256, activation: Activation::Relu, bias: true }); 2];
    digits.training.batch_size = 64;
    let block = |name: &str| {
        let path = format!("{}/../../bench/blocks/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut spec = layerlab_spec::json::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e:?}")).spec;
        spec.metrics = Default::default();
        spec
    };
    let mut all = vec![("playground", Spec::default()), ("digits_mlp", digits), ("attention", block("attention"))];
    all.push(("mixer", block("mixer")));
    // The default length too: `"auto"` measures a short run at least ten times.
    for (_, spec) in &mut all {
        spec.training.length = layerlab_spec::train::Training::default().length;
    }
    all
}

fn interval(c: &mut Criterion) {
    let mut group = c.benchmark_group("metrics_cost");
    group.sample_size(20);
    for (name, mut spec) in cases() {
        // The interval the run of the default length gets; then long enough for every sample.
        let every = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec").metrics_every;
        spec.training.length = Length::Steps(layerlab_spec::limits::MAX_STEPS);
        let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("a valid spec");
        // The interval in the name, for the report.
        group.bench_function(format!("{name}_steps_{every}"), |b| {
            b.iter(|| {
                for _ in 0..every {
                    trainer.step().expect("finite");
                }
            });
        });
        group.bench_function(format!("{name}_snapshot"), |b| b.iter(|| trainer.snapshot()));
    }
    group.finish();
}

criterion_group!(benches, interval);
criterion_main!(benches);
