//! A model built from the spec's blocks: a tree of [`Node`]s that refer by index to a flat list
//! of [`Param`]s (in the canonical order: depth-first through the blocks, then the output layer),
//! and the activations one batch needs ([`Acts`], allocated once per batch size). `build.rs`
//! turns the spec's blocks into nodes.

mod build;

pub use build::{RATIONAL_GELU, sinusoidal_positions};

use layerlab_spec::Shape;
use layerlab_spec::model::{Activation, Merge, NormKind, PoolMode};
use layerlab_spec::train::Init;
use rand::Rng;

use crate::backend::Backend;
use crate::layers::{self, Pass, State};
use crate::real::Real;

/// What a parameter tensor is; the L1 and L2 penalties apply to weights only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    Weight,
    Bias,
    Gain,
    Shift,
}

pub struct Param<B: Backend> {
    pub value: B::Buf,
    pub grad: B::Buf,
    pub len: usize,
    pub kind: ParamKind,
    /// Frozen parameters keep their initial values.
    pub trainable: bool,
}

/// One layer of the tree. Indices point into [`Model::params`] and [`Model::buffers`].
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Dense {
        w: usize,
        b: Option<usize>,
        act: Activation,
        inputs: usize,
        units: usize,
    },
    /// `(xW + b) ⊙ gate(xV + c)`: a gated linear unit (sigmoid gate), SwiGLU (silu) or the
    /// bilinear layer (identity).
    Glu {
        w: usize,
        b: usize,
        v: usize,
        c: usize,
        gate: Activation,
        inputs: usize,
        units: usize,
    },
    Norm {
        kind: NormKind,
        gain: usize,
        shift: Option<usize>,
        running: Option<usize>,
        width: usize,
    },
    Dropout {
        rate: f64,
        width: usize,
        site: u32,
    },
    Residual {
        body: Vec<Node>,
        drop_path: f64,
        width: usize,
        site: u32,
    },
    Parallel {
        branches: Vec<Vec<Node>>,
        merge: Merge,
        widths: Vec<usize>,
        width: usize,
    },
    /// Token ids (`len` per example, below `vocab`) to `dim`-wide vectors: a learned table plus
    /// learned positions. Turns each example's row into `len` token rows.
    Embed {
        table: usize,
        pos: PositionTable,
        vocab: usize,
        len: usize,
        dim: usize,
    },
    /// `len` token rows per example to one row: their mean, or the last.
    Pool {
        mode: PoolMode,
        len: usize,
        dim: usize,
    },
    /// Multi-head self-attention: `qkv = x·Wqkv + bqkv` (token rows `[q | k | v]`), attention
    /// per head, then `y = o·Wo + bo`. The skip and the MLP of the spec's block are nodes around it.
    Attention {
        qkv: usize,
        qkv_bias: usize,
        out: usize,
        out_bias: usize,
        heads: usize,
        causal: bool,
        len: usize,
        dim: usize,
    },
    /// A Kolmogorov-Arnold layer with B-splines: each input's features `[silu(x), B₀(x), …]`
    /// times the weights `w` (`inputs·(grid+order+1) × units`: per edge a base weight and the
    /// spline's coefficients).
    Kan {
        w: usize,
        grid: usize,
        order: usize,
        inputs: usize,
        units: usize,
        /// The grid's interior: [−1, 1] at first, wider after refinements.
        lo: f64,
        hi: f64,
        /// Grid refinement: (every so many steps, up to this many intervals).
        refine: Option<(u64, usize)>,
    },
    /// A mixture of experts: the `router` (a dense layer to one logit per expert) picks each
    /// row's `top_k` experts; each expert is a GELU MLP (a sequence of two dense nodes), and the
    /// output is the chosen experts' outputs weighted by their router probabilities. Every
    /// expert runs on every row (unchosen ones are weighted 0): the same numbers as sparse
    /// dispatch, at dense cost.
    Moe {
        router: Box<Node>,
        experts: Vec<Vec<Node>>,
        top_k: usize,
        balance: f64,
        units: usize,
    },
    /// One rational function `P/(1+|Q|)` per group of consecutive columns (10 coefficients each).
    Rational {
        coeffs: usize,
        groups: usize,
        width: usize,
    },
    /// Reorders each example's numbers (`swap`), regrouping them into rows of `width_out`
    /// instead of `width_in`: a Mixer's turn from tokens to channels and back, an image's cut
    /// into patches.
    Rearrange {
        swap: Swap,
        width_in: usize,
        width_out: usize,
    },
    /// The last `keep` of `len` token rows per example: the positions a sequence task answers at.
    Last {
        len: usize,
        keep: usize,
        dim: usize,
    },
}

impl Node {
    /// Numbers per row this node outputs: per example for vectors, per token for sequences.
    pub fn width(&self) -> usize {
        match *self {
            Node::Dense { units, .. } | Node::Glu { units, .. } => units,
            Node::Norm { width, .. } | Node::Dropout { width, .. } | Node::Residual { width, .. } => width,
            Node::Parallel { width, .. } => width,
            Node::Embed { dim, .. } | Node::Pool { dim, .. } | Node::Attention { dim, .. } | Node::Last { dim, .. } => {
                dim
            }
            Node::Rearrange { width_out, .. } => width_out,
            Node::Kan { units, .. } | Node::Moe { units, .. } => units,
            Node::Rational { width, .. } => width,
        }
    }

    /// Rows this node outputs for `rows` input rows. A batch of sequences has one row per token,
    /// so only the nodes that make, pool or cut sequences change the count.
    pub fn rows_out(&self, rows: usize) -> usize {
        match *self {
            Node::Embed { len, .. } => rows * len,
            Node::Pool { len, .. } => rows / len,
            Node::Last { len, keep, .. } => rows / len * keep,
            Node::Rearrange { width_in, width_out, .. } => rows * width_in / width_out,
            // Branches agree in rows (they are summed or concatenated): follow the first.
            Node::Parallel { ref branches, .. } => {
                branches.first().map_or(rows, |b| b.iter().fold(rows, |r, n| n.rows_out(r)))
            }
            _ => rows,
        }
    }

    /// Tokens per example after this node, given the tokens per example before it.
    pub fn tokens_out(&self, tokens: usize) -> usize {
        match *self {
            Node::Embed { len, .. } => len,
            Node::Pool { .. } => 1,
            Node::Last { keep, .. } => keep,
            Node::Rearrange { width_in, width_out, .. } => tokens * width_in / width_out,
            Node::Parallel { ref branches, .. } => {
                branches.first().map_or(tokens, |b| b.iter().fold(tokens, |t, n| n.tokens_out(t)))
            }
            _ => tokens,
        }
    }
}

pub struct Model<B: Backend> {
    /// The hidden blocks, then (for a sequence task whose model ends in more tokens than the
    /// answer) a [`Node::Last`], then the output layer.
    pub nodes: Vec<Node>,
    pub params: Vec<Param<B>>,
    /// Non-trainable state (BatchNorm's running mean and variance, in that order).
    pub buffers: Vec<B::Buf>,
    /// Numbers per example going in (token ids for sequence data).
    pub inputs: usize,
    /// Outputs per answer position: classes (logits) or values.
    pub outputs: usize,
    /// Positions each example answers at: 1, or a sequence task's answer length. The output is
    /// `rows · answer` rows of `outputs`.
    pub answer: usize,
}

/// The activations of one node for a batch of `rows`: its output `y`, the gradient of the loss
/// with respect to `y`, and what its backward pass needs.
pub struct Acts<B: Backend> {
    pub y: B::Buf,
    pub grad: B::Buf,
    pub saved: Saved<B>,
}
pub enum Saved<B: Backend> {
    Dense {
        z: B::Buf,
    },
    /// The value branch before and after its bias, the gate's pre-activation and output, and
    /// the two branches' gradients.
    Glu {
        z: B::Buf,
        a: B::Buf,
        zg: B::Buf,
        gate: B::Buf,
        da: B::Buf,
        dg: B::Buf,
    },
    Norm {
        xhat: B::Buf,
        inv_std: B::Buf,
    },
    Dropout {
        mask: B::Buf,
    },
    Residual {
        body: Vec<Acts<B>>,
        tmp: B::Buf,
        kept: bool,
    },
    Parallel {
        branches: Vec<Vec<Acts<B>>>,
        tmp: B::Buf,
    },
    /// Nothing: embedding, pooling and cutting keep no intermediate values.
    None,
    /// The router's activations (its logits in `y`), its probabilities, the gates, their
    /// gradient, the balancing loss (1 number), each expert's activations, and scratch for
    /// summing the input gradient.
    Moe {
        router: Box<Acts<B>>,
        probs: B::Buf,
        gates: B::Buf,
        d_gates: B::Buf,
        aux: B::Buf,
        experts: Vec<Vec<Acts<B>>>,
        tmp: B::Buf,
    },
    /// Each input's base and spline features, and their gradient.
    Kan {
        features: B::Buf,
        d_features: B::Buf,
    },
    /// The projections before and after their bias, the attention probabilities (for plotting
    /// too), the heads' output before the output projection, and their gradients.
    Attention {
        qkv_z: B::Buf,
        qkv: B::Buf,
        probs: B::Buf,
        o: B::Buf,
        z: B::Buf,
        d_o: B::Buf,
        d_qkv: B::Buf,
    },
}

impl<B: Backend> Acts<B> {
    /// Numbers in every buffer of these activations, nested ones included.
    pub fn floats(&self, b: &B) -> usize {
        let nested = |list: &[Acts<B>]| list.iter().map(|a| a.floats(b)).sum::<usize>();
        let own = |bufs: &[&B::Buf]| bufs.iter().map(|x| b.len(x)).sum::<usize>();
        let saved = match &self.saved {
            Saved::Dense { z } => own(&[z]),
            Saved::Glu { z, a, zg, gate, da, dg } => own(&[z, a, zg, gate, da, dg]),
            Saved::Norm { xhat, inv_std } => own(&[xhat, inv_std]),
            Saved::Dropout { mask } => own(&[mask]),
            Saved::Residual { body, tmp, .. } => nested(body) + own(&[tmp]),
            Saved::Parallel { branches, tmp } => branches.iter().map(|br| nested(br)).sum::<usize>() + own(&[tmp]),
            Saved::None => 0,
            Saved::Moe { router, probs, gates, d_gates, aux, experts, tmp } => {
                router.floats(b)
                    + own(&[probs, gates, d_gates, aux, tmp])
                    + experts.iter().map(|e| nested(e)).sum::<usize>()
            }
            Saved::Kan { features, d_features } => own(&[features, d_features]),
            Saved::Attention { qkv_z, qkv, probs, o, z, d_o, d_qkv } => own(&[qkv_z, qkv, probs, o, z, d_o, d_qkv]),
        };
        b.len(&self.y) + b.len(&self.grad) + saved
    }
}

/// Where an embedding's position vectors live: a learned parameter, or a fixed buffer of sines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PositionTable {
    Learned(usize),
    Fixed(usize),
}

/// An example's numbers as an `outer × a × b × inner` block whose middle axes a
/// [`Node::Rearrange`] swaps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Swap {
    pub outer: usize,
    pub a: usize,
    pub b: usize,
    pub inner: usize,
}

impl Swap {
    /// Numbers per example.
    pub fn size(self) -> usize {
        self.outer * self.a * self.b * self.inner
    }
}

/// How to build: the shape of an example going in, the shape the output layer gives (as the
/// spec's analysis infers them), and the initialiser. Weights come from `rng`.
pub struct Plan<'a, G: Rng> {
    pub input: Shape,
    pub output: Shape,
    pub init: Init,
    pub rng: &'a mut G,
}

impl<B: Backend> Model<B> {
    /// Appends a parameter no layer uses (a learning rule's own, trained by the optimizer with
    /// the rest), returning its index.
    pub fn add_param(&mut self, b: &mut B, values: &[f64], kind: ParamKind, trainable: bool) -> usize {
        let mut value = b.alloc(values.len());
        write(b, &mut value, values);
        let grad = b.alloc(values.len());
        self.params.push(Param { value, grad, len: values.len(), kind, trainable });
        self.params.len() - 1
    }

    /// Activations for batches of `rows` examples.
    pub fn activations(&self, backend: &mut B, rows: usize) -> Vec<Acts<B>> {
        alloc_sequence(backend, &self.nodes, self.inputs, rows)
    }

    /// Rows of the output for a batch of `rows` examples.
    pub fn output_rows(&self, rows: usize) -> usize {
        rows * self.answer
    }

    /// Runs the batch `x` of `rows` examples through the model; the output is in the last
    /// node's `y` ([`Model::output`]).
    pub fn forward(&mut self, b: &mut B, acts: &mut [Acts<B>], x: &B::Buf, rows: usize, pass: Pass) {
        let mut st = State { params: &mut self.params, buffers: &mut self.buffers };
        layers::forward(b, &self.nodes, &mut st, acts, x, rows, pass);
    }

    /// Backpropagates the gradient in the output node's `grad` (the loss writes it there),
    /// writing every parameter's gradient and, when `dx` is given, the input's.
    pub fn backward(&mut self, b: &mut B, acts: &mut [Acts<B>], x: &B::Buf, dx: Option<&mut B::Buf>, rows: usize) {
        let mut st = State { params: &mut self.params, buffers: &mut self.buffers };
        layers::backward(b, &self.nodes, &mut st, acts, x, dx, rows);
    }

    /// The model's output after [`Model::forward`].
    pub fn output<'a>(&self, acts: &'a [Acts<B>]) -> &'a B::Buf {
        &acts.last().expect("a model has at least its output layer").y
    }

    /// Where the loss writes the gradient of the output.
    pub fn output_grad<'a>(&self, acts: &'a mut [Acts<B>]) -> &'a mut B::Buf {
        &mut acts.last_mut().expect("a model has at least its output layer").grad
    }

    /// Adds [`Model::aux_loss`] into the step's loss on the backend, reading nothing back.
    pub fn add_aux_loss(&self, b: &mut B, acts: &[Acts<B>], stats: &mut B::Buf) {
        const { assert!(crate::backend::STAT_LOSS == 0) };
        add_aux(b, &self.nodes, acts, stats);
    }

    /// The auxiliary losses of the last forward pass (the experts' load balancing), summed: part
    /// of the loss being minimised, whose gradient the backward pass includes.
    pub fn aux_loss(&self, b: &mut B, acts: &[Acts<B>]) -> f64 {
        aux_loss(b, &self.nodes, acts)
    }

    /// Trainable numbers in the model.
    pub fn parameter_count(&self) -> usize {
        self.params.iter().filter(|p| p.trainable).map(|p| p.len).sum()
    }
}

/// `rows` is the number of rows going into the first node (token rows, for sequences).
fn alloc_sequence<B: Backend>(b: &mut B, nodes: &[Node], inputs: usize, rows: usize) -> Vec<Acts<B>> {
    let (mut width, mut rows) = (inputs, rows);
    let mut acts = Vec::with_capacity(nodes.len());
    for node in nodes {
        acts.push(alloc_node(b, node, width, rows));
        width = node.width();
        rows = node.rows_out(rows);
    }
    acts
}

fn alloc_node<B: Backend>(b: &mut B, node: &Node, inputs: usize, rows: usize) -> Acts<B> {
    let out = node.rows_out(rows) * node.width();
    let saved = match node {
        Node::Dense { .. } => Saved::Dense { z: b.alloc(out) },
        Node::Glu { .. } => Saved::Glu {
            z: b.alloc(out),
            a: b.alloc(out),
            zg: b.alloc(out),
            gate: b.alloc(out),
            da: b.alloc(out),
            dg: b.alloc(out),
        },
        Node::Norm { kind, width, .. } => {
            let stats = if *kind == NormKind::Batch { *width } else { rows };
            Saved::Norm { xhat: b.alloc(out), inv_std: b.alloc(stats) }
        }
        Node::Dropout { .. } => Saved::Dropout { mask: b.alloc(out) },
        Node::Residual { body, .. } => {
            Saved::Residual { body: alloc_sequence(b, body, inputs, rows), tmp: b.alloc(rows * inputs), kept: true }
        }
        Node::Parallel { branches, .. } => Saved::Parallel {
            branches: branches.iter().map(|br| alloc_sequence(b, br, inputs, rows)).collect(),
            tmp: b.alloc(rows * inputs),
        },
        Node::Embed { .. } | Node::Pool { .. } | Node::Last { .. } | Node::Rearrange { .. } | Node::Rational { .. } => {
            Saved::None
        }
        Node::Moe { router, experts, .. } => {
            let e = experts.len();
            Saved::Moe {
                router: Box::new(alloc_node(b, router, inputs, rows)),
                probs: b.alloc(rows * e),
                gates: b.alloc(rows * e),
                d_gates: b.alloc(rows * e),
                aux: b.alloc(1),
                experts: experts.iter().map(|ex| alloc_sequence(b, ex, inputs, rows)).collect(),
                tmp: b.alloc(rows * inputs),
            }
        }
        Node::Kan { grid, order, inputs, .. } => {
            let n = rows * inputs * (grid + order + 1);
            Saved::Kan { features: b.alloc(n), d_features: b.alloc(n) }
        }
        Node::Attention { heads, len, dim, .. } => Saved::Attention {
            qkv_z: b.alloc(rows * 3 * dim),
            qkv: b.alloc(rows * 3 * dim),
            probs: b.alloc(rows * heads * len),
            o: b.alloc(out),
            z: b.alloc(out),
            d_o: b.alloc(out),
            d_qkv: b.alloc(rows * 3 * dim),
        },
    };
    Acts { y: b.alloc(out), grad: b.alloc(out), saved }
}

fn aux_loss<B: Backend>(b: &mut B, nodes: &[Node], acts: &[Acts<B>]) -> f64 {
    let mut total = 0.0;
    for (node, a) in nodes.iter().zip(acts) {
        total += match (node, &a.saved) {
            (Node::Moe { .. }, Saved::Moe { aux, .. }) => {
                let mut host = [<B::R as num_traits::Zero>::zero()];
                b.download(aux, &mut host);
                host[0].to64()
            }
            (Node::Residual { body, .. }, Saved::Residual { body: inner, kept, .. }) if *kept => {
                aux_loss(b, body, inner)
            }
            (Node::Parallel { branches, .. }, Saved::Parallel { branches: inner, .. }) => {
                branches.iter().zip(inner).map(|(br, a)| aux_loss(b, br, a)).sum()
            }
            _ => 0.0,
        };
    }
    total
}

/// Adds the auxiliary losses (the experts' balancing) into `stats[STAT_LOSS]` on the backend.
fn add_aux<B: Backend>(b: &mut B, nodes: &[Node], acts: &[Acts<B>], stats: &mut B::Buf) {
    for (node, a) in nodes.iter().zip(acts) {
        match (node, &a.saved) {
            // STAT_LOSS is the first number of the stats, so a one-number axpby adds into it.
            (Node::Moe { .. }, Saved::Moe { aux, .. }) => b.axpby(1, 1.0, aux, 1.0, stats),
            (Node::Residual { body, .. }, Saved::Residual { body: inner, kept, .. }) if *kept => {
                add_aux(b, body, inner, stats);
            }
            (Node::Parallel { branches, .. }, Saved::Parallel { branches: inner, .. }) => {
                branches.iter().zip(inner).for_each(|(br, a)| add_aux(b, br, a, stats));
            }
            _ => {}
        }
    }
}

/// Reads a buffer back as f64 (tests, checks, exports).
pub fn read<B: Backend>(b: &mut B, buf: &B::Buf) -> Vec<f64> {
    let mut host = vec![<B::R as num_traits::Zero>::zero(); b.len(buf)];
    b.download(buf, &mut host);
    host.into_iter().map(Real::to64).collect()
}

/// Writes f64 values into a buffer (tests, checks, imports).
pub fn write<B: Backend>(b: &mut B, buf: &mut B::Buf, values: &[f64]) {
    let host: Vec<B::R> = values.iter().map(|&v| B::R::of(v)).collect();
    b.upload(buf, &host);
}
