//! The experiment: one value that the page edits, the worker trains, the CLI runs and a link
//! carries.

use serde::{Deserialize, Serialize};

use crate::data::DataSpec;
use crate::model::Block;
use crate::train::Training;

/// A whole experiment: dataset, architecture, training recipe, seed and what to measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spec {
    pub data: DataSpec,
    /// The hidden blocks, in order; the output layer follows from the task.
    pub model: Vec<Block>,
    pub training: Training,
    pub seed: u64,
    pub metrics: MetricsSpec,
}

/// What is measured while training, on a fixed probe batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetricsSpec {
    /// Measure every this many steps.
    pub every: u32,
    /// Examples in the probe batch.
    pub probe_size: u32,
    /// Effective, stable and numerical rank of each layer's activations.
    pub rank: bool,
    /// Activation sparsity and dead units.
    pub sparsity: bool,
    /// Weight and gradient norms.
    pub gradients: bool,
    /// Layer-by-layer similarity (linear CKA); costly, so off unless asked for.
    pub similarity: bool,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        Self { every: 50, probe_size: 256, rank: true, sparsity: true, gradients: true, similarity: false }
    }
}

impl Default for Spec {
    /// TensorFlow Playground's opening experiment: circle, two hidden tanh layers.
    fn default() -> Self {
        use crate::model::{Activation, Dense};
        let hidden = |units| Block::Dense(Dense { units, activation: Activation::Tanh, bias: true });
        Self {
            data: DataSpec::default(),
            model: vec![hidden(4), hidden(2)],
            training: Training::default(),
            seed: 1,
            metrics: MetricsSpec::default(),
        }
    }
}
