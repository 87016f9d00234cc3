//! A model built from the spec's blocks: a tree of [`Node`]s that refer by index to a flat list
//! of [`Param`]s (in the canonical order: depth-first through the blocks, then the output layer),
//! and the activations one batch needs ([`Acts`], allocated once per batch size).

use layerlab_spec::SpecError;
use layerlab_spec::model::{Activation, Block, GluKind, Merge, NormKind};
use layerlab_spec::train::Init;
use rand::Rng;

use crate::backend::Backend;
use crate::init;
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
}

impl Node {
    /// Numbers per example this node outputs.
    pub fn width(&self) -> usize {
        match *self {
            Node::Dense { units, .. } | Node::Glu { units, .. } => units,
            Node::Norm { width, .. } | Node::Dropout { width, .. } | Node::Residual { width, .. } => width,
            Node::Parallel { width, .. } => width,
        }
    }
}

pub struct Model<B: Backend> {
    /// The hidden blocks, then the output layer.
    pub nodes: Vec<Node>,
    pub params: Vec<Param<B>>,
    /// Non-trainable state (BatchNorm's running mean and variance, in that order).
    pub buffers: Vec<B::Buf>,
    pub inputs: usize,
    pub outputs: usize,
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
}

/// How to build: the input and output widths and the initialiser. Weights come from `rng`.
pub struct Plan<'a, G: Rng> {
    pub inputs: usize,
    pub outputs: usize,
    pub init: Init,
    pub rng: &'a mut G,
}

struct Builder<'a, B: Backend, G: Rng> {
    backend: &'a mut B,
    init: Init,
    rng: &'a mut G,
    params: Vec<Param<B>>,
    buffers: Vec<B::Buf>,
    sites: u32,
}

impl<B: Backend> Model<B> {
    /// Builds `blocks` followed by the output layer (dense, identity, with bias).
    pub fn build<G: Rng>(backend: &mut B, blocks: &[Block], plan: Plan<'_, G>) -> Result<Self, SpecError> {
        let Plan { inputs, outputs, init, rng } = plan;
        let mut builder = Builder { backend, init, rng, params: Vec::new(), buffers: Vec::new(), sites: 0 };
        let (mut nodes, width) = builder.sequence(blocks, inputs, "model")?;
        let head = builder.dense(width, outputs, Activation::Identity, true);
        nodes.push(head);
        Ok(Model { nodes, params: builder.params, buffers: builder.buffers, inputs, outputs })
    }

    /// Activations for batches of `rows` examples.
    pub fn activations(&self, backend: &mut B, rows: usize) -> Vec<Acts<B>> {
        alloc_sequence(backend, &self.nodes, self.inputs, rows)
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

    /// Trainable numbers in the model.
    pub fn parameter_count(&self) -> usize {
        self.params.iter().filter(|p| p.trainable).map(|p| p.len).sum()
    }
}

impl<B: Backend, G: Rng> Builder<'_, B, G> {
    fn sequence(&mut self, blocks: &[Block], inputs: usize, path: &str) -> Result<(Vec<Node>, usize), SpecError> {
        let mut width = inputs;
        let mut nodes = Vec::with_capacity(blocks.len());
        for (i, block) in blocks.iter().enumerate() {
            let node = self.block(block, width, &format!("{path}[{i}]"))?;
            width = node.width();
            nodes.push(node);
        }
        Ok((nodes, width))
    }

    fn block(&mut self, block: &Block, width: usize, path: &str) -> Result<Node, SpecError> {
        Ok(match block {
            Block::Dense(d) => self.dense(width, d.units as usize, d.activation, d.bias),
            Block::Norm(n) => {
                let gain = self.param(vec![1.0; width], ParamKind::Gain, true);
                let shift = (n.kind != NormKind::Rms).then(|| self.param(vec![0.0; width], ParamKind::Shift, true));
                let running = (n.kind == NormKind::Batch).then(|| {
                    let mean = self.buffer(&vec![0.0; width]);
                    self.buffer(&vec![1.0; width]);
                    mean
                });
                Node::Norm { kind: n.kind, gain, shift, running, width }
            }
            Block::Dropout(d) => Node::Dropout { rate: f64::from(d.rate), width, site: self.site() },
            Block::Residual(r) => {
                let (body, out) = self.sequence(&r.body, width, &format!("{path}.body"))?;
                if out != width {
                    return Err(SpecError::new(
                        path,
                        format!("maps {width} numbers to {out} in its body; a residual body must keep the width"),
                    ));
                }
                Node::Residual { body, drop_path: f64::from(r.drop_path), width, site: self.site() }
            }
            Block::Parallel(p) => {
                let mut branches = Vec::with_capacity(p.branches.len());
                let mut widths = Vec::with_capacity(p.branches.len());
                for (j, branch) in p.branches.iter().enumerate() {
                    let (nodes, out) = self.sequence(branch, width, &format!("{path}.branches[{j}]"))?;
                    branches.push(nodes);
                    widths.push(out);
                }
                let out = match p.merge {
                    Merge::Concat => widths.iter().sum(),
                    Merge::Sum => {
                        if widths.iter().any(|&w| w != widths[0]) {
                            return Err(SpecError::new(
                                path,
                                format!("sums branches of widths {widths:?}; summed branches must have one width"),
                            ));
                        }
                        widths.first().copied().unwrap_or(width)
                    }
                };
                Node::Parallel { branches, merge: p.merge, widths, width: out }
            }
            Block::Hourglass(h) => {
                // "Rethinking the shape convention of an MLP": lift to the wide width (a frozen
                // random projection when asked), then residual steps through the narrow width.
                let (wide, narrow) = (h.wide as usize, h.narrow as usize);
                let mut nodes = Vec::new();
                if width != wide {
                    nodes.push(self.dense_with(width, wide, Activation::Identity, !h.frozen_lift));
                }
                for _ in 0..h.depth {
                    let body = vec![
                        self.dense(wide, narrow, h.activation, true),
                        self.dense(narrow, wide, Activation::Identity, true),
                    ];
                    nodes.push(Node::Residual { body, drop_path: 0.0, width: wide, site: self.site() });
                }
                // A sequence as one node: a residual-free chain is a parallel of one branch.
                Node::Parallel { branches: vec![nodes], merge: Merge::Sum, widths: vec![wide], width: wide }
            }
            Block::Glu(g) => {
                let units = g.units as usize;
                let gate = match g.kind {
                    GluKind::Glu => Activation::Sigmoid,
                    GluKind::Bilinear => Activation::Identity,
                    GluKind::Swiglu => Activation::Silu,
                };
                let w = init::weights(self.init, width, units, self.rng);
                let w = self.param(w, ParamKind::Weight, true);
                let b = self.param(vec![0.0; units], ParamKind::Bias, true);
                let v = init::weights(self.init, width, units, self.rng);
                let v = self.param(v, ParamKind::Weight, true);
                let c = self.param(vec![0.0; units], ParamKind::Bias, true);
                Node::Glu { w, b, v, c, gate, inputs: width, units }
            }
            other => {
                let name = other.kind();
                return Err(SpecError::new(
                    path,
                    format!(
                        "is a {name} block, which this version of the engine cannot train yet; \
                         dense, norm, dropout, residual, parallel, hourglass and glu blocks it can"
                    ),
                ));
            }
        })
    }

    fn dense(&mut self, inputs: usize, units: usize, act: Activation, bias: bool) -> Node {
        let w = init::weights(self.init, inputs, units, self.rng);
        let w = self.param(w, ParamKind::Weight, true);
        let b = bias.then(|| self.param(vec![0.0; units], ParamKind::Bias, true));
        Node::Dense { w, b, act, inputs, units }
    }

    /// A dense layer with bias whose parameters are trained or kept at their initial values.
    fn dense_with(&mut self, inputs: usize, units: usize, act: Activation, trainable: bool) -> Node {
        let w = init::weights(self.init, inputs, units, self.rng);
        let w = self.param(w, ParamKind::Weight, trainable);
        let b = Some(self.param(vec![0.0; units], ParamKind::Bias, trainable));
        Node::Dense { w, b, act, inputs, units }
    }

    fn param(&mut self, values: Vec<f64>, kind: ParamKind, trainable: bool) -> usize {
        let len = values.len();
        let mut value = self.backend.alloc(len);
        let host: Vec<B::R> = values.into_iter().map(B::R::of).collect();
        self.backend.upload(&mut value, &host);
        let grad = self.backend.alloc(len);
        self.params.push(Param { value, grad, len, kind, trainable });
        self.params.len() - 1
    }

    fn buffer(&mut self, values: &[f64]) -> usize {
        let mut buf = self.backend.alloc(values.len());
        let host: Vec<B::R> = values.iter().map(|&v| B::R::of(v)).collect();
        self.backend.upload(&mut buf, &host);
        self.buffers.push(buf);
        self.buffers.len() - 1
    }

    fn site(&mut self) -> u32 {
        self.sites += 1;
        self.sites
    }
}

fn alloc_sequence<B: Backend>(b: &mut B, nodes: &[Node], inputs: usize, rows: usize) -> Vec<Acts<B>> {
    let mut width = inputs;
    let mut acts = Vec::with_capacity(nodes.len());
    for node in nodes {
        acts.push(alloc_node(b, node, width, rows));
        width = node.width();
    }
    acts
}

fn alloc_node<B: Backend>(b: &mut B, node: &Node, inputs: usize, rows: usize) -> Acts<B> {
    let out = rows * node.width();
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
    };
    Acts { y: b.alloc(out), grad: b.alloc(out), saved }
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
