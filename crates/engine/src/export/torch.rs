//! The model as PyTorch code: each node of the tree becomes a constructor call of the layer
//! library (`layerlab_torch.py`, which the file carries whole: a data file, see
//! [`DataFile::TorchLibrary`](crate::data::DataFile::TorchLibrary)), and each parameter or buffer a
//! named tensor whose name is the key PyTorch's `state_dict` gives it there.

use layerlab_spec::model::{Activation, Merge, NormKind, PoolMode};

use crate::model::{Node, PositionTable};

/// Where a tensor's numbers come from in the engine's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Param(usize),
    Buffer(usize),
}

/// One tensor of the exported `state_dict`: its key, its shape there, and its numbers as the
/// engine keeps them; `transpose` when the engine's `rows × cols` matrix is PyTorch's
/// `cols × rows` (nn.Linear's weights).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub key: String,
    pub source: Source,
    pub shape: Vec<usize>,
    pub transpose: bool,
}

/// The Python expression that builds the model, and the tensors its `state_dict` holds.
#[derive(Debug, Default)]
pub struct Code {
    pub expression: String,
    pub slots: Vec<Slot>,
}

/// How the model reads its input and gives its output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ends {
    /// The input is token ids (the model begins with an embedding).
    pub tokens: bool,
    /// The output is a sequence of answer positions.
    pub sequence: bool,
}

/// The model's nodes (the output layer included) as a `Model(...)` expression.
pub fn model(nodes: &[Node], ends: Ends) -> Code {
    let mut code = Code::default();
    let net = code.list(nodes, "net", 2);
    let args =
        [net, format!("tokens={}", python_bool(ends.tokens)), format!("sequence={}", python_bool(ends.sequence))];
    code.expression = bracket("Model(", &args, ")", 1);
    code
}

/// A Forward-Forward network: its hidden dense layers, the label weights `embed` (a parameter
/// index, `classes × units` of the first layer) and whether the task is binary. Its output layer
/// predicts nothing (goodness does), so it is left out.
pub fn forward_forward(hidden: &[Node], embed: usize, classes: usize, binary: bool) -> Code {
    let mut code = Code::default();
    let layers = code.list(hidden, "layers", 2);
    let units = hidden.first().map_or(0, Node::width);
    code.slot("embed".into(), Source::Param(embed), vec![classes, units], false);
    let args = [layers, format!("classes={classes}"), format!("binary={}", python_bool(binary))];
    code.expression = bracket("ForwardForward(", &args, ")", 1);
    code
}

impl Code {
    /// A Python list of the nodes, their keys under `prefix` (nn.Sequential numbers them),
    /// written at `depth` levels of indentation.
    fn list(&mut self, nodes: &[Node], prefix: &str, depth: usize) -> String {
        let items: Vec<String> =
            nodes.iter().enumerate().map(|(i, n)| self.node(n, &format!("{prefix}.{i}"), depth + 1)).collect();
        bracket("[", &items, "]", depth)
    }

    fn slot(&mut self, key: String, source: Source, shape: Vec<usize>, transpose: bool) {
        self.slots.push(Slot { key, source, shape, transpose });
    }

    /// nn.Linear's weight (units × inputs, the engine's transposed) and bias.
    fn linear(&mut self, prefix: &str, w: usize, b: Option<usize>, inputs: usize, units: usize) {
        self.slot(format!("{prefix}.weight"), Source::Param(w), vec![units, inputs], true);
        if let Some(b) = b {
            self.slot(format!("{prefix}.bias"), Source::Param(b), vec![units], false);
        }
    }

    fn node(&mut self, node: &Node, prefix: &str, depth: usize) -> String {
        match *node {
            Node::Dense { w, b, act, inputs, units } => {
                self.linear(prefix, w, b, inputs, units);
                let bias = if b.is_some() { "" } else { ", bias=False" };
                format!("Dense({inputs}, {units}, \"{}\"{bias})", activation(act))
            }
            Node::Glu { w, b, v, c, gate, inputs, units } => {
                self.linear(&format!("{prefix}.value"), w, Some(b), inputs, units);
                self.linear(&format!("{prefix}.gate"), v, Some(c), inputs, units);
                format!("Glu({inputs}, {units}, \"{}\")", activation(gate))
            }
            Node::Norm { kind, gain, shift, running, width } => {
                self.slot(format!("{prefix}.weight"), Source::Param(gain), vec![width], false);
                if let Some(shift) = shift {
                    self.slot(format!("{prefix}.bias"), Source::Param(shift), vec![width], false);
                }
                if let Some(r) = running {
                    self.slot(format!("{prefix}.running_mean"), Source::Buffer(r), vec![width], false);
                    self.slot(format!("{prefix}.running_var"), Source::Buffer(r + 1), vec![width], false);
                }
                let kind = match kind {
                    NormKind::Layer => "layer",
                    NormKind::Rms => "rms",
                    NormKind::Batch => "batch",
                };
                format!("Norm(\"{kind}\", {width})")
            }
            Node::Dropout { rate, .. } => format!("nn.Dropout({})", short(rate)),
            Node::Residual { ref body, drop_path, .. } => {
                let body = self.list(body, &format!("{prefix}.body"), depth);
                if drop_path > 0.0 {
                    format!("Residual({body}, drop_path={})", short(drop_path))
                } else {
                    format!("Residual({body})")
                }
            }
            // One summed branch is the engine's way to make a sequence of nodes one node (an
            // hourglass, an attention block with its MLP, a mixer, a patchify): a Sequential.
            Node::Parallel { ref branches, merge: Merge::Sum, .. } if branches.len() == 1 => {
                let list = self.list(&branches[0], prefix, depth);
                format!("nn.Sequential(*{list})")
            }
            Node::Parallel { ref branches, merge, .. } => {
                let lists: Vec<String> = branches
                    .iter()
                    .enumerate()
                    .map(|(j, branch)| self.list(branch, &format!("{prefix}.branches.{j}"), depth + 2))
                    .collect();
                let merge = match merge {
                    Merge::Sum => "sum",
                    Merge::Concat => "concat",
                };
                let args = [bracket("[", &lists, "]", depth + 1), format!("merge=\"{merge}\"")];
                bracket("Parallel(", &args, ")", depth)
            }
            Node::Moe { ref router, ref experts, top_k, balance, .. } => {
                let router = self.node(router, &format!("{prefix}.router"), depth + 1);
                let lists: Vec<String> = experts
                    .iter()
                    .enumerate()
                    .map(|(e, expert)| self.list(expert, &format!("{prefix}.experts.{e}"), depth + 2))
                    .collect();
                let args = [
                    router,
                    bracket("[", &lists, "]", depth + 1),
                    format!("top_k={top_k}"),
                    format!("balance={}", short(balance)),
                ];
                bracket("Moe(", &args, ")", depth)
            }
            Node::Kan { w, grid, order, inputs, units, lo, hi, .. } => {
                self.slot(
                    format!("{prefix}.weight"),
                    Source::Param(w),
                    vec![inputs * (grid + order + 1), units],
                    false,
                );
                format!("KanSpline({inputs}, {units}, grid={grid}, order={order}, lo={lo:?}, hi={hi:?})")
            }
            Node::Rational { coeffs, groups, width } => {
                self.slot(format!("{prefix}.weight"), Source::Param(coeffs), vec![groups, 10], false);
                format!("Rational({groups}, {width})")
            }
            Node::Attention { qkv, qkv_bias, out, out_bias, heads, causal, dim, .. } => {
                self.slot(format!("{prefix}.qkv.weight"), Source::Param(qkv), vec![3 * dim, dim], true);
                self.slot(format!("{prefix}.qkv.bias"), Source::Param(qkv_bias), vec![3 * dim], false);
                self.linear(&format!("{prefix}.out"), out, Some(out_bias), dim, dim);
                format!("Attention({dim}, heads={heads}, causal={})", python_bool(causal))
            }
            Node::Embed { table, pos, vocab, len, dim } => {
                self.slot(format!("{prefix}.table.weight"), Source::Param(table), vec![vocab, dim], false);
                let (source, learned) = match pos {
                    PositionTable::Learned(p) => (Source::Param(p), true),
                    PositionTable::Fixed(f) => (Source::Buffer(f), false),
                };
                self.slot(format!("{prefix}.positions"), source, vec![len, dim], false);
                format!("Embed({vocab}, {len}, {dim}, learned={})", python_bool(learned))
            }
            Node::Pool { mode, .. } => match mode {
                PoolMode::Mean => "Pool(\"mean\")".into(),
                PoolMode::Last => "Pool(\"last\")".into(),
            },
            Node::Last { keep, .. } => format!("Last({keep})"),
            Node::Rearrange { swap, width_out, .. } => {
                format!("Rearrange({}, {}, {}, {}, {width_out})", swap.outer, swap.a, swap.b, swap.inner)
            }
        }
    }
}

/// `open`, the items one per line a level deeper than `depth`, then `close` at `depth`.
fn bracket(open: &str, items: &[String], close: &str, depth: usize) -> String {
    if items.is_empty() {
        return format!("{open}{close}");
    }
    let pad = "    ".repeat(depth + 1);
    let lines: String = items.iter().map(|item| format!("{pad}{item},\n")).collect();
    format!("{open}\n{lines}{}{close}", "    ".repeat(depth))
}

/// A rate the spec gave as an f32, written as the spec wrote it (0.1, not 0.10000000149011612).
fn short(value: f64) -> f32 {
    value as f32
}

fn python_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// The activation's name in the library's `ACTIVATIONS`.
fn activation(act: Activation) -> &'static str {
    match act {
        Activation::Relu => "relu",
        Activation::LeakyRelu => "leaky_relu",
        Activation::Gelu => "gelu",
        Activation::Silu => "silu",
        Activation::Tanh => "tanh",
        Activation::Sigmoid => "sigmoid",
        Activation::Sine => "sine",
        Activation::Identity => "identity",
    }
}
