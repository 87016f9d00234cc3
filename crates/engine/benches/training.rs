//! Time per training step (forward, loss, backward, Adam) of the MLPs the peers were measured
//! at, on random inputs. `cargo xtask bench` runs this beside PyTorch and prints the ratios.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use layerlab_engine::backend::Backend;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::model::{self, Model, Plan};
use layerlab_engine::optim::Optimizer;
use layerlab_engine::rng::{Stream, rng};
use layerlab_engine::train::{self, Batch};
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::{Init, Loss, Training};
use rand::Rng;

/// (benchmark id, input width, hidden widths, activation, outputs, batch): the same list as
/// `peers/torch_steps.py`.
type Mlp = (&'static str, usize, &'static [u32], Activation, usize, usize);

const MLPS: &[Mlp] = &[
    ("mlp_2-8-8-1_tanh_b10", 2, &[8, 8], Activation::Tanh, 1, 10),
    ("mlp_2-64-64-64-2_relu_b256", 2, &[64, 64, 64], Activation::Relu, 2, 256),
    ("mlp_784-256-256-10_relu_b128", 784, &[256, 256], Activation::Relu, 10, 128),
];

fn steps(c: &mut Criterion) {
    let mut group = c.benchmark_group("train_step");
    for &(id, inputs, hidden, activation, outputs, rows) in MLPS {
        let mut b = Cpu::<f32>::new();
        let blocks: Vec<Block> =
            hidden.iter().map(|&units| Block::Dense(Dense { units, activation, bias: true })).collect();
        let plan = Plan { inputs, outputs, init: Init::Kaiming, rng: &mut rng(1, Stream::Init) };
        let mut model = Model::build(&mut b, &blocks, plan).expect("a valid MLP");
        let mut acts = model.activations(&mut b, rows);
        let mut opt = Optimizer::new(&mut b, &Training::default(), &model.params, u64::MAX, 1);
        let mut data = rng(2, Stream::Data);
        let (mut x, mut t) = (b.alloc(rows * inputs), b.alloc(rows));
        let xs: Vec<f64> = (0..rows * inputs).map(|_| data.random_range(-1.0..1.0)).collect();
        let ts: Vec<f64> = (0..rows).map(|_| data.random_range(0..outputs.max(2)) as f64).collect();
        model::write(&mut b, &mut x, &xs);
        model::write(&mut b, &mut t, &ts);
        let loss = if outputs == 1 { Loss::BinaryCrossEntropy } else { Loss::CrossEntropy };
        group.bench_function(id, |bench| {
            bench.iter_batched(
                || (),
                |()| {
                    let batch = Batch { x: &x, t: &t, rows, loss, seed: 1 };
                    train::step(&mut b, &mut model, &mut acts, &mut opt, batch).0
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, steps);
criterion_main!(benches);
