//! What happens inside each layer, measured on a fixed probe batch: the rank of its output
//! (effective, stable, numerical), how sparse it is and which units are dead, the norms of its
//! weights and their gradients, and the size of the last update relative to the weights; and,
//! when asked, how similar every layer is to every other (linear CKA). One [`Snapshot`] per
//! metrics interval, which the CLI prints and the worker will stream to the page.

pub mod csv;
pub mod interval;
mod stats;

use layerlab_spec::MetricsSpec;
use serde::{Deserialize, Serialize};

pub use stats::{Matrix, RankConfig, Ranks, Sparsity, cka_matrix, linear_cka, ranks, singular_values, sparsity};

use crate::backend::Backend;
use crate::model::{Acts, Node, Param, PositionTable, Saved};

/// |a| below this counts as near zero in the sparsity figures.
pub const NEAR_ZERO: f32 = 1e-3;

/// Every metric of one layer (one node of the model) at one step. Figures the spec's metrics
/// settings switched off, or that a layer does not have (weights of a norm), are `None` (`null`
/// in JSON: every field is written, as the page's messages, whose format is positional, need).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerMetrics {
    /// Where the layer is, as the spec names it (`model[1].body[0]`; `output` for the head).
    pub name: String,
    pub kind: String,
    /// Numbers per example the layer outputs.
    pub width: usize,
    pub effective_rank: Option<f64>,
    pub stable_rank: Option<f64>,
    pub numerical_rank: Option<usize>,
    /// Share of exact zeros in the output.
    pub sparsity: Option<f64>,
    /// Share with |a| < [`NEAR_ZERO`].
    pub near_zero: Option<f64>,
    /// Units never positive on the probe batch.
    pub dead_units: Option<usize>,
    pub weight_norm: Option<f64>,
    pub grad_norm: Option<f64>,
    /// ‖W_t − W_{t−1}‖ / ‖W_{t−1}‖ for the step just taken.
    pub update_ratio: Option<f64>,
    /// Root mean square of the output: its scale, which a well-initialised stack keeps.
    pub output_rms: Option<f64>,
    /// Mixture of experts: the share of the probe's routing choices each expert received.
    pub expert_load: Option<Vec<f64>>,
    /// Attention: the first probe example's attention probabilities, for plotting.
    pub attention: Option<AttentionMap>,
}

/// One example's attention: `probs[h][i][j]`, how much token `i` attends to token `j` in head
/// `h` (each row sums to 1; a causal mask leaves `j > i` at 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttentionMap {
    pub heads: usize,
    pub len: usize,
    pub probs: Vec<Vec<Vec<f64>>>,
}

/// Attention maps larger than this (heads × len², numbers) are left out of snapshots: they
/// would swamp the stream at every interval.
pub const MAX_ATTENTION_MAP: usize = 16_384;

/// All layers at one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub step: u64,
    pub layers: Vec<LayerMetrics>,
    /// Linear CKA between every pair of layers, in `layers` order (when asked for).
    pub similarity: Option<Vec<Vec<f64>>>,
}

/// One layer found by [`walk`]: its name, node, activations, and the tokens per example of
/// its output (1 for vectors).
pub struct Visit<'a, B: Backend> {
    pub name: String,
    pub node: &'a Node,
    pub acts: &'a Acts<B>,
    pub tokens: usize,
}

/// Every node with its activations, depth-first: a container before its contents, as the page
/// draws them. Top-level nodes are `model[i]`, the last (the output layer) `output`.
pub fn walk<'a, B: Backend>(nodes: &'a [Node], acts: &'a [Acts<B>]) -> Vec<Visit<'a, B>> {
    let mut out = Vec::new();
    let last = nodes.len().saturating_sub(1);
    let mut tokens = 1;
    for (i, (node, a)) in nodes.iter().zip(acts).enumerate() {
        let name = match node {
            _ if i == last => "output".to_string(),
            Node::Last { .. } => "answer".to_string(),
            _ => format!("model[{i}]"),
        };
        visit(name, node, a, tokens, &mut out);
        tokens = node.tokens_out(tokens);
    }
    out
}

fn visit<'a, B: Backend>(name: String, node: &'a Node, acts: &'a Acts<B>, tokens: usize, out: &mut Vec<Visit<'a, B>>) {
    let at = out.len();
    out.push(Visit { name, node, acts, tokens: node.tokens_out(tokens) });
    let name = out[at].name.clone();
    let inner_sequence = |nodes: &'a [Node], acts: &'a [Acts<B>], prefix: &str, out: &mut Vec<Visit<'a, B>>| {
        let mut t = tokens;
        for (j, (n, a)) in nodes.iter().zip(acts).enumerate() {
            visit(format!("{prefix}[{j}]"), n, a, t, out);
            t = n.tokens_out(t);
        }
    };
    match (node, &acts.saved) {
        (Node::Residual { body, .. }, Saved::Residual { body: inner, .. }) => {
            inner_sequence(body, inner, &format!("{name}.body"), out);
        }
        (Node::Parallel { branches, .. }, Saved::Parallel { branches: inner, .. }) => {
            for (b, (branch, acts)) in branches.iter().zip(inner).enumerate() {
                inner_sequence(branch, acts, &format!("{name}.branches[{b}]"), out);
            }
        }
        (Node::Moe { router, experts, .. }, Saved::Moe { router: r, experts: inner, .. }) => {
            visit(format!("{name}.router"), router, r, tokens, out);
            for (e, (expert, acts)) in experts.iter().zip(inner).enumerate() {
                inner_sequence(expert, acts, &format!("{name}.experts[{e}]"), out);
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
        Node::Embed { .. } => "embed",
        Node::Pool { .. } => "pool",
        Node::Attention { .. } => "attention",
        Node::Last { .. } => "answer",
        Node::Rearrange { .. } => "rearrange",
        Node::Kan { .. } => "kan",
        Node::Moe { .. } => "moe",
        Node::Rational { .. } => "rational",
    }
}

/// The weight matrices a node owns itself (not its children's).
pub fn weights(node: &Node) -> Vec<usize> {
    match *node {
        Node::Dense { w, .. } => vec![w],
        Node::Glu { w, v, .. } => vec![w, v],
        Node::Embed { table, pos: PositionTable::Learned(pos), .. } => vec![table, pos],
        Node::Embed { table, .. } => vec![table],
        Node::Attention { qkv, out, .. } => vec![qkv, out],
        Node::Kan { w, .. } => vec![w],
        _ => Vec::new(),
    }
}

/// Every parameter a node owns itself (not its children's), without allocating.
pub fn params(node: &Node) -> impl Iterator<Item = usize> {
    let own = match *node {
        Node::Dense { w, b, .. } => [Some(w), b, None, None],
        Node::Glu { w, b, v, c, .. } => [Some(w), Some(b), Some(v), Some(c)],
        Node::Norm { gain, shift, .. } => [Some(gain), shift, None, None],
        Node::Embed { table, pos: PositionTable::Learned(pos), .. } => [Some(table), Some(pos), None, None],
        Node::Embed { table, .. } => [Some(table), None, None, None],
        Node::Attention { qkv, qkv_bias, out, out_bias, .. } => [Some(qkv), Some(qkv_bias), Some(out), Some(out_bias)],
        Node::Kan { w, .. } => [Some(w), None, None, None],
        Node::Rational { coeffs, .. } => [Some(coeffs), None, None, None],
        _ => [None; 4],
    };
    own.into_iter().flatten()
}

/// The ranks of a sequence layer: of each example's tokens × width matrix, averaged over the
/// probe examples (the numerical rank is the rounded mean). Not centred: when attention makes a
/// sequence's tokens all alike ("Attention is Not All You Need: Pure Attention Loses Rank
/// Doubly Exponentially with Depth") the matrix tends to rank 1, and its effective rank to 1;
/// centred, the shrinking remainder would be measured as noise of any rank.
fn sequence_ranks(output: &[f32], tokens: usize, width: usize) -> Ranks {
    let examples = output.len() / (tokens * width);
    let each: Vec<Ranks> = output
        .chunks_exact(tokens * width)
        .map(|x| {
            ranks(Matrix { data: x, rows: tokens, cols: width }, RankConfig { centre: false, ..RankConfig::default() })
        })
        .collect();
    let n = examples.max(1) as f64;
    Ranks {
        effective: each.iter().map(|r| r.effective).sum::<f64>() / n,
        stable: each.iter().map(|r| r.stable).sum::<f64>() / n,
        numerical: (each.iter().map(|r| r.numerical as f64).sum::<f64>() / n).round() as usize,
    }
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
    let tokens = visit.tokens;
    let rows = rows * tokens;
    let output: Vec<f32> = crate::model::read(b, &visit.acts.y)[..rows * width].iter().map(|&v| v as f32).collect();
    let m = Matrix { data: &output, rows, cols: width };
    let r = settings
        .rank
        .then(|| if tokens > 1 { sequence_ranks(&output, tokens, width) } else { ranks(m, RankConfig::default()) });
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
    let expert_load = match (visit.node, &visit.acts.saved) {
        (Node::Moe { experts, top_k, .. }, Saved::Moe { gates, .. }) => {
            let gates = crate::model::read(b, gates);
            let e = experts.len();
            let mut load = vec![0.0; e];
            for row in gates[..rows * e].chunks_exact(e) {
                row.iter().zip(&mut load).filter(|(g, _)| **g != 0.0).for_each(|(_, l)| *l += 1.0);
            }
            let total = (rows * top_k).max(1) as f64;
            Some(load.into_iter().map(|l| l / total).collect())
        }
        _ => None,
    };
    let attention = match (visit.node, &visit.acts.saved) {
        (&Node::Attention { heads, len, .. }, Saved::Attention { probs, .. })
            if heads * len * len <= MAX_ATTENTION_MAP =>
        {
            let all = crate::model::read(b, probs);
            let probs = all[..heads * len * len]
                .chunks_exact(len * len)
                .map(|h| h.chunks_exact(len).map(<[f64]>::to_vec).collect())
                .collect();
            Some(AttentionMap { heads, len, probs })
        }
        _ => None,
    };
    let output_rms = (!output.is_empty())
        .then(|| (output.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / output.len() as f64).sqrt());
    LayerMetrics {
        output_rms,
        attention,
        expert_load,
        name: visit.name.clone(),
        kind: kind(visit.node).to_string(),
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
