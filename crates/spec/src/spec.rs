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
    /// Measure (and evaluate, and check the stop condition) every this many steps, or as often
    /// as keeps the measuring cheap ([`Every::Auto`], the default).
    pub every: Every,
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
        Self { every: Every::Auto, probe_size: 256, rank: true, sparsity: true, gradients: true, similarity: false }
    }
}

/// The metrics interval: a number of steps, or `"auto"`: the smallest round number of steps
/// (10, 20, 50, 100, …) whose training costs at least twenty times a measurement of every
/// layer, so that measuring adds about 5 % to training, but at most a tenth of the run, so that
/// a short run is measured ten times (the engine's cost model, `metrics/interval.rs`, decides
/// it from the spec alone). In JSON: `50` or `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    Auto,
    Steps(u32),
}

impl Serialize for Every {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Every::Auto => serializer.serialize_str("auto"),
            Every::Steps(n) => serializer.serialize_u32(n),
        }
    }
}

impl<'de> Deserialize<'de> for Every {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = Every;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a whole number of steps or \"auto\"")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Every, E> {
                u32::try_from(n)
                    .map(Every::Steps)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
            }
            // JavaScript numbers reach here as integers or floats (the worker's messages).
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Every, E> {
                u64::try_from(n).map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(n), &self))?;
                self.visit_u64(n.unsigned_abs())
            }
            fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Every, E> {
                if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) {
                    return Ok(Every::Steps(x as u32));
                }
                Err(E::invalid_value(serde::de::Unexpected::Float(x), &self))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Every, E> {
                match text {
                    "auto" => Ok(Every::Auto),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(text), &self)),
                }
            }
        }
        deserializer.deserialize_any(Visit)
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
