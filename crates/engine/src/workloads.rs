//! The benchmark workloads, shared by the native benchmarks (`benches/`), the wasm benchmark in
//! Chromium (`tests/wasm_bench.rs`) and the PyTorch peer script (`benches/peers/torch_steps.py`
//! lists the same models): MLP training steps on random inputs, at the sizes the peers were
//! measured at.

use layerlab_spec::Shape;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::{Init, Loss, Training};
use rand::Rng;

use crate::backend::Backend;
use crate::model::{self, Acts, Model, Plan};
use crate::optim::Optimizer;
use crate::rng::{Stream, rng};
use crate::train::{self, Batch};

/// An MLP to time: input width, hidden widths and their activation, outputs, batch rows.
#[derive(Debug, Clone, Copy)]
pub struct Mlp {
    pub id: &'static str,
    pub inputs: usize,
    pub hidden: &'static [u32],
    pub activation: Activation,
    pub outputs: usize,
    pub rows: usize,
}

pub const MLPS: &[Mlp] = &[
    Mlp { id: "mlp_2-8-8-1_tanh_b10", inputs: 2, hidden: &[8, 8], activation: Activation::Tanh, outputs: 1, rows: 10 },
    Mlp {
        id: "mlp_2-64-64-64-2_relu_b256",
        inputs: 2,
        hidden: &[64, 64, 64],
        activation: Activation::Relu,
        outputs: 2,
        rows: 256,
    },
    Mlp {
        id: "mlp_784-256-256-10_relu_b128",
        inputs: 784,
        hidden: &[256, 256],
        activation: Activation::Relu,
        outputs: 10,
        rows: 128,
    },
];

/// Everything one timed training step needs, built once.
pub struct StepBench<B: Backend> {
    pub b: B,
    model: Model<B>,
    acts: Vec<Acts<B>>,
    optimizer: Optimizer<B>,
    x: B::Buf,
    t: B::Buf,
    rows: usize,
    loss: Loss,
}

impl<B: Backend> StepBench<B> {
    /// The MLP with Kaiming weights, Adam at its defaults, and a fixed random batch.
    pub fn new(mut b: B, mlp: Mlp) -> Self {
        let activation = mlp.activation;
        let blocks: Vec<Block> =
            mlp.hidden.iter().map(|&units| Block::Dense(Dense { units, activation, bias: true })).collect();
        let plan = Plan {
            input: Shape::Flat(mlp.inputs as u32),
            output: Shape::Flat(mlp.outputs as u32),
            init: Init::Kaiming,
            rng: &mut rng(1, Stream::Init),
        };
        let model = Model::build(&mut b, &blocks, plan).expect("the workloads are valid MLPs");
        let acts = model.activations(&mut b, mlp.rows);
        let optimizer = Optimizer::new(&mut b, &Training::default(), &model.params, u64::MAX, 1);
        let mut data = rng(2, Stream::Data);
        let (mut x, mut t) = (b.alloc(mlp.rows * mlp.inputs), b.alloc(mlp.rows));
        let xs: Vec<f64> = (0..mlp.rows * mlp.inputs).map(|_| data.random_range(-1.0..1.0)).collect();
        let ts: Vec<f64> = (0..mlp.rows).map(|_| data.random_range(0..mlp.outputs.max(2)) as f64).collect();
        model::write(&mut b, &mut x, &xs);
        model::write(&mut b, &mut t, &ts);
        let loss = if mlp.outputs == 1 { Loss::BinaryCrossEntropy } else { Loss::CrossEntropy };
        Self { b, model, acts, optimizer, x, t, rows: mlp.rows, loss }
    }

    /// One training step that reads nothing back (see `Trainer::step_deferred`); call
    /// [`StepBench::collect`] at least every [`crate::optim::HISTORY`] steps.
    pub fn step_deferred(&mut self) {
        let batch = Batch { x: &self.x, t: &self.t, rows: self.rows, loss: self.loss, seed: 1, rule: None };
        train::step_deferred(&mut self.b, &mut self.model, &mut self.acts, &mut self.optimizer, batch);
    }

    /// Reads back the deferred steps' numbers (waiting for the device) and returns the last loss.
    pub fn collect(&mut self) -> f64 {
        let (b, history, count) = self.waiting();
        let mut host = vec![<B::R as num_traits::Zero>::zero(); count];
        b.download(history, &mut host);
        self.take(&host)
    }

    /// What to read back, where a caller cannot wait for the device (a browser): the backend,
    /// the deferred steps' history buffer and how many of its numbers to read.
    pub fn waiting(&mut self) -> (&mut B, &B::Buf, usize) {
        let (history, count) = self.optimizer.history();
        (&mut self.b, history, count)
    }

    /// Takes the history [`StepBench::waiting`] pointed at, read back, and returns the last loss.
    pub fn take(&mut self, host: &[B::R]) -> f64 {
        let (good, _) = self.optimizer.collect(&mut self.b, host);
        good.last().map_or(f64::NAN, |&(loss, _)| loss)
    }

    /// One training step (forward, loss, backward, Adam); returns the loss.
    pub fn step(&mut self) -> f64 {
        let batch = Batch { x: &self.x, t: &self.t, rows: self.rows, loss: self.loss, seed: 1, rule: None };
        train::step(&mut self.b, &mut self.model, &mut self.acts, &mut self.optimizer, batch)
            .map_or(f64::NAN, |(loss, _)| loss)
    }
}
