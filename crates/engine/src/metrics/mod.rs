//! What happens inside each layer, measured on a fixed probe batch: the rank of its output
//! (effective, stable, numerical), how sparse it is and which units are dead, the norms of its
//! weights and their gradients, and the size of the last update relative to the weights; and,
//! when asked, how similar every layer is to every other (linear CKA). One [`Snapshot`] per
//! metrics interval, which the CLI prints and the worker will stream to the page.

mod stats;

use layerlab_spec::MetricsSpec;
use serde::Serialize;

pub use stats::{Matrix, RankConfig, Ranks, Sparsity, cka_matrix, linear_cka, ranks, singular_values, sparsity};

use crate::backend::Backend;
use crate::model::{Acts, Node, Param, Saved};

/// |a| below this counts as near zero in the sparsity figures.
pub const NEAR_ZERO: f32 = 1e-3;

/// Every metric of one layer (one node of the model) at one step. Figures the spec's metrics
/// settings switched off, or that a layer does not have (weights of a norm), are absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerMetrics {
    /// Where the layer is, as the spec names it (`model[1].body[0]`; `output` for the head).
    pub name: String,
    pub kind: &'static str,
    /// Numbers per example the layer outputs.
    pub width: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_rank: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stable_rank: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub numerical_rank: Option<usize>,
    /// Share of exact zeros in the output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sparsity: Option<f64>,
    /// Share with |a| < [`NEAR_ZERO`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near_zero: Option<f64>,
    /// Units never positive on the probe batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dead_units: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_norm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grad_norm: Option<f64>,
    /// ‖W_t − W_{t−1}‖ / ‖W_{t−1}‖ for the step just taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_ratio: Option<f64>,
}

/// All layers at one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub step: u64,
    pub layers: Vec<LayerMetrics>,
    /// Linear CKA between every pair of layers, in `layers` order (when asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub similarity: Option<Vec<Vec<f64>>>,
}

/// One layer found by [`walk`]: its name, node, activations and depth-first index.
pub struct Visit<'a, B: Backend> {
    pub name: String,
    pub node: &'a Node,
    pub acts: &'a Acts<B>,
}

/// Every node with its activations, depth-first: a container before its contents, as the page
/// draws them. Top-level nodes are `model[i]`, the last (the output layer) `output`.
pub fn walk<'a, B: Backend>(nodes: &'a [Node], acts: &'a [Acts<B>]) -> Vec<Visit<'a, B>> {
    let mut out = Vec::new();
    let last = nodes.len().saturating_sub(1);
    for (i, (node, a)) in nodes.iter().zip(acts).enumerate() {
        let name = if i == last { "output".to_string() } else { format!("model[{i}]") };
        visit(name, node, a, &mut out);
    }
    out
}

fn visit<'a, B: Backend>(name: String, node: &'a Node, acts: &'a Acts<B>, out: &mut Vec<Visit<'a, B>>) {
    let at = out.len();
    out.push(Visit { name, node, acts });
    let name = out[at].name.clone();
    match (node, &acts.saved) {
        (Node::Residual { body, .. }, Saved::Residual { body: inner, .. }) => {
            for (j, (n, a)) in body.iter().zip(inner).enumerate() {
                visit(format!("{name}.body[{j}]"), n, a, out);
            }
        }
        (Node::Parallel { branches, .. }, Saved::Parallel { branches: inner, .. }) => {
            for (b, (branch, acts)) in branches.iter().zip(inner).enumerate() {
                for (j, (n, a)) in branch.iter().zip(acts).enumerate() {
                    visit(format!("{name}.branches[{b}][{j}]"), n, a, out);
                }
            }
        }
        _ => {}
    }
}

/// The node's kind, as the metrics name it.
pub fn kind(node: &Node) -> &'static str {
    match node {
        Node::Dense { .. } => "dense",
        Node::Glu { .. } => "glu",
        Node::Norm { .. } => "norm",
        Node::Dropout { .. } => "dropout",
        Node::Residual { .. } => "residual",
        Node::Parallel { .. } => "parallel",
    }
}

/// The weight matrices a node owns itself (not its children's).
pub fn weights(node: &Node) -> Vec<usize> {
    match *node {
        Node::Dense { w, .. } => vec![w],
        Node::Glu { w, v, .. } => vec![w, v],
        _ => Vec::new(),
    }
}

/// Every parameter a node owns itself (not its children's), without allocating.
pub fn params(node: &Node) -> impl Iterator<Item = usize> {
    let own = match *node {
        Node::Dense { w, b, .. } => [Some(w), b, None, None],
        Node::Glu { w, b, v, c, .. } => [Some(w), Some(b), Some(v), Some(c)],
        Node::Norm { gain, shift, .. } => [Some(gain), shift, None, None],
        _ => [None; 4],
    };
    own.into_iter().flatten()
}

/// Measures one layer's output (`rows` probe examples) and weights.
pub fn layer<B: Backend>(
    b: &mut B,
    visit: &Visit<'_, B>,
    rows: usize,
    params: &[Param<B>],
    previous: Option<&[Vec<f64>]>,
    settings: &MetricsSpec,
) -> LayerMetrics {
    let width = visit.node.width();
    let output: Vec<f32> = crate::model::read(b, &visit.acts.y)[..rows * width].iter().map(|&v| v as f32).collect();
    let m = Matrix { data: &output, rows, cols: width };
    let r = settings.rank.then(|| ranks(m, RankConfig::default()));
    let s = settings.sparsity.then(|| sparsity(m, NEAR_ZERO));
    let own = weights(visit.node);
    let has_weights = settings.gradients && !own.is_empty();
    let norm = |b: &mut B, pick: &dyn Fn(&Param<B>) -> &B::Buf| -> f64 {
        own.iter().map(|&i| b.sum_squares(pick(&params[i]))).sum::<f64>().sqrt()
    };
    let weight_norm = has_weights.then(|| norm(b, &|p| &p.value));
    let grad_norm = has_weights.then(|| norm(b, &|p| &p.grad));
    let update_ratio = match (has_weights, previous) {
        (true, Some(prev)) => {
            let (mut diff, mut base) = (0.0, 0.0);
            for &i in &own {
                let now = crate::model::read(b, &params[i].value);
                for (x, y) in now.iter().zip(&prev[i]) {
                    diff += (x - y).powi(2);
                    base += y * y;
                }
            }
            Some(diff.sqrt() / base.sqrt().max(f64::MIN_POSITIVE))
        }
        _ => None,
    };
    LayerMetrics {
        name: visit.name.clone(),
        kind: kind(visit.node),
        width,
        effective_rank: r.map(|r| r.effective),
        stable_rank: r.map(|r| r.stable),
        numerical_rank: r.map(|r| r.numerical),
        sparsity: s.map(|s| s.zeros),
        near_zero: s.map(|s| s.near_zero),
        dead_units: s.map(|s| s.dead_units),
        weight_norm,
        grad_norm,
        update_ratio,
    }
}
