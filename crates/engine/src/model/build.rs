//! From the spec's blocks to the node tree: each block's nodes, its parameters drawn in the
//! canonical order, and the shapes flowing between blocks.

use layerlab_spec::model::{Activation, Block, GluKind, KanBasis, Merge, NormKind, Positions};
use layerlab_spec::train::Init;
use layerlab_spec::{Shape, SpecError};
use rand::Rng;

use super::{Model, Node, Param, ParamKind, Plan, PositionTable, Swap};
use crate::backend::Backend;
use crate::cpu::kan;
use crate::init::{self, SirenLayer};
use crate::real::Real;

pub use crate::cpu::kan::RATIONAL_GELU;

/// The sinusoidal positions of "Attention Is All You Need": position `t`, column `2i` is
/// `sin(t / 10000^(2i/dim))`, column `2i+1` the cosine of the same angle.
pub fn sinusoidal_positions(len: usize, dim: usize) -> Vec<f64> {
    let mut table = vec![0.0; len * dim];
    for t in 0..len {
        for c in 0..dim {
            let angle = t as f64 / 10000f64.powf((c / 2 * 2) as f64 / dim as f64);
            table[t * dim + c] = if c % 2 == 0 { angle.sin() } else { angle.cos() };
        }
    }
    table
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
        let Plan { input, output, init, rng } = plan;
        let mut builder = Builder { backend, init, rng, params: Vec::new(), buffers: Vec::new(), sites: 0 };
        let (mut nodes, shape) = builder.sequence(blocks, input, "model")?;
        let (width, outputs, answer) = match (shape, output) {
            (Shape::Flat(width), Shape::Flat(outputs)) => (width, outputs, 1),
            (Shape::Seq { len, dim }, Shape::Seq { len: answer, dim: outputs }) if len >= answer => {
                if len > answer {
                    nodes.push(Node::Last { len: len as usize, keep: answer as usize, dim: dim as usize });
                }
                (dim, outputs, answer)
            }
            (shape, output) => {
                return Err(SpecError::new(
                    "model",
                    format!("ends in {shape}, from which an output layer cannot give {output}"),
                ));
            }
        };
        let head = builder.dense(width as usize, outputs as usize, Activation::Identity, true);
        nodes.push(head);
        let (outputs, answer) = (outputs as usize, answer as usize);
        Ok(Model {
            nodes,
            params: builder.params,
            buffers: builder.buffers,
            inputs: input.elements() as usize,
            outputs,
            answer,
        })
    }
}

impl<B: Backend, G: Rng> Builder<'_, B, G> {
    fn sequence(&mut self, blocks: &[Block], input: Shape, path: &str) -> Result<(Vec<Node>, Shape), SpecError> {
        let mut shape = input;
        let mut nodes = Vec::with_capacity(blocks.len());
        for (i, block) in blocks.iter().enumerate() {
            let node = self.block(block, shape, &format!("{path}[{i}]"))?;
            shape = shape_after(&node, shape);
            nodes.push(node);
        }
        Ok((nodes, shape))
    }

    fn block(&mut self, block: &Block, shape: Shape, path: &str) -> Result<Node, SpecError> {
        if let Some(node) = self.sequence_block(block, shape, path)? {
            return Ok(node);
        }
        let width = match shape {
            Shape::Flat(n) | Shape::Seq { dim: n, .. } => n as usize,
            Shape::Tokens { .. } => {
                return Err(SpecError::new(path, format!("receives token ids {shape}: put an embed block first")));
            }
        };
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
                let (body, out) = self.sequence(&r.body, shape, &format!("{path}.body"))?;
                if out != shape {
                    return Err(SpecError::new(
                        path,
                        format!("turns {shape} into {out} in its body; a residual body must keep the shape"),
                    ));
                }
                Node::Residual { body, drop_path: f64::from(r.drop_path), width, site: self.site() }
            }
            Block::Parallel(p) => {
                let mut branches = Vec::with_capacity(p.branches.len());
                let mut widths = Vec::with_capacity(p.branches.len());
                for (j, branch) in p.branches.iter().enumerate() {
                    let (nodes, out) = self.sequence(branch, shape, &format!("{path}.branches[{j}]"))?;
                    branches.push(nodes);
                    widths.push(per_token(out));
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
            Block::Moe(m) => {
                let (experts, hidden, units) = (m.experts as usize, m.hidden as usize, m.units as usize);
                if m.top_k == 0 || m.top_k > m.experts {
                    return Err(SpecError::new(
                        format!("{path}.top_k"),
                        format!("= {} must be 1 to the number of experts ({experts})", m.top_k),
                    ));
                }
                let router = Box::new(self.dense(width, experts, Activation::Identity, true));
                let experts = (0..experts)
                    .map(|_| {
                        vec![
                            self.dense(width, hidden, Activation::Gelu, true),
                            self.dense(hidden, units, Activation::Identity, true),
                        ]
                    })
                    .collect();
                Node::Moe { router, experts, top_k: m.top_k as usize, balance: f64::from(m.balance), units }
            }
            Block::Kan(k) => match k.basis {
                KanBasis::BSpline => {
                    let mut node = self.kan_spline(width, k.units as usize, k.grid as usize, k.order as usize);
                    if let Node::Kan { refine, .. } = &mut node {
                        *refine = k.refine.map(|r| (u64::from(r.every), r.max_grid as usize));
                    }
                    node
                }
                KanBasis::GroupRational => {
                    let groups = k.groups as usize;
                    if groups == 0 || !width.is_multiple_of(groups) {
                        return Err(SpecError::new(
                            format!("{path}.groups"),
                            format!("= {groups} does not divide the input width {width}"),
                        ));
                    }
                    let coeffs: Vec<f64> = (0..groups).flat_map(|_| RATIONAL_GELU).collect();
                    let coeffs = self.param(coeffs, ParamKind::Gain, true);
                    let units = k.units as usize;
                    let rational = Node::Rational { coeffs, groups, width };
                    // "Kolmogorov-Arnold Transformer"'s variance-preserving initialisation: for
                    // inputs of unit variance the linear map's outputs have unit variance, given
                    // the rational's second moment E[F(x)²] under x ~ N(0, 1).
                    let std = (1.0 / (width as f64 * kan::rational_second_moment(&RATIONAL_GELU))).sqrt();
                    let w = init::normals(width * units, std, self.rng);
                    let w = self.param(w, ParamKind::Weight, true);
                    let b = Some(self.param(vec![0.0; units], ParamKind::Bias, true));
                    let linear = Node::Dense { w, b, act: Activation::Identity, inputs: width, units };
                    Node::Parallel {
                        branches: vec![vec![rational, linear]],
                        merge: Merge::Sum,
                        widths: vec![units],
                        width: units,
                    }
                }
            },
            // The sequence blocks were built (or refused with their shape) above.
            Block::Embed(_) | Block::Pool(_) | Block::Attention(_) | Block::Mixer(_) | Block::Patchify(_) => {
                unreachable!("sequence blocks are built by sequence_block")
            }
        })
    }

    /// The blocks that make, change or pool sequences; `None` for the per-token ones.
    fn sequence_block(&mut self, block: &Block, shape: Shape, path: &str) -> Result<Option<Node>, SpecError> {
        let needs = |what: &str| SpecError::new(path, format!("({}) needs {what} but receives {shape}", block.kind()));
        Ok(Some(match (block, shape) {
            (Block::Embed(e), Shape::Tokens { len, vocab }) => {
                let (len, vocab, dim) = (len as usize, vocab as usize, e.dim as usize);
                let table = init::normals(vocab * dim, 1.0, self.rng);
                let table = self.param(table, ParamKind::Weight, true);
                let pos = match e.positions {
                    Positions::Learned => {
                        let pos = init::normals(len * dim, 1.0, self.rng);
                        PositionTable::Learned(self.param(pos, ParamKind::Weight, true))
                    }
                    Positions::Sinusoidal => PositionTable::Fixed(self.buffer(&sinusoidal_positions(len, dim))),
                };
                Node::Embed { table, pos, vocab, len, dim }
            }
            (Block::Embed(_), _) => return Err(needs("token ids")),
            (Block::Pool(p), Shape::Seq { len, dim }) => {
                Node::Pool { mode: p.mode, len: len as usize, dim: dim as usize }
            }
            (Block::Attention(a), Shape::Seq { len, dim }) => self.attention(a, len as usize, dim as usize, path)?,
            (Block::Mixer(m), Shape::Seq { len, dim }) => self.mixer(m, len as usize, dim as usize),
            (Block::Patchify(p), Shape::Flat(pixels)) => self.patchify(p, pixels as usize, path)?,
            (Block::Patchify(_), _) => return Err(needs("a flat square image")),
            (Block::Pool(_) | Block::Attention(_) | Block::Mixer(_), _) => return Err(needs("a sequence of tokens")),
            _ => return Ok(None),
        }))
    }

    /// The spec's attention block: the attention itself, inside a residual when it has the skip,
    /// followed by a GELU MLP (with its own skip when the block has one) when `mlp_hidden` > 0;
    /// as one node (a parallel of one branch) when there is more than the attention.
    fn attention(
        &mut self,
        a: &layerlab_spec::model::Attention,
        len: usize,
        dim: usize,
        path: &str,
    ) -> Result<Node, SpecError> {
        let heads = a.heads as usize;
        if heads == 0 || !dim.is_multiple_of(heads) {
            return Err(SpecError::new(
                format!("{path}.heads"),
                format!("= {heads} does not divide the model width {dim}"),
            ));
        }
        // Q, K and V as one dim × 3·dim matrix: each input row is [row of Wq | of Wk | of Wv].
        let parts: Vec<Vec<f64>> = (0..3).map(|_| init::weights(self.init, dim, dim, self.rng)).collect();
        let qkv: Vec<f64> =
            (0..dim).flat_map(|i| parts.iter().flat_map(move |p| p[i * dim..(i + 1) * dim].iter().copied())).collect();
        let qkv = self.param(qkv, ParamKind::Weight, true);
        let qkv_bias = self.param(vec![0.0; 3 * dim], ParamKind::Bias, true);
        let out = init::weights(self.init, dim, dim, self.rng);
        let out = self.param(out, ParamKind::Weight, true);
        let out_bias = self.param(vec![0.0; dim], ParamKind::Bias, true);
        let core = Node::Attention { qkv, qkv_bias, out, out_bias, heads, causal: a.causal, len, dim };
        let wrap = |body: Vec<Node>, site: u32| Node::Residual { body, drop_path: 0.0, width: dim, site };
        let mut nodes = vec![if a.skip { wrap(vec![core], self.site()) } else { core }];
        if a.mlp_hidden > 0 {
            let hidden = a.mlp_hidden as usize;
            let mlp = vec![
                self.dense(dim, hidden, Activation::Gelu, true),
                self.dense(hidden, dim, Activation::Identity, true),
            ];
            if a.skip {
                nodes.push(wrap(mlp, self.site()));
            } else {
                nodes.extend(mlp);
            }
        }
        Ok(if nodes.len() == 1 {
            nodes.pop().expect("one node")
        } else {
            Node::Parallel { branches: vec![nodes], merge: Merge::Sum, widths: vec![dim], width: dim }
        })
    }

    /// "MLP-Mixer: An all-MLP Architecture for Vision": `x + Tᵀ·MLP(T·LayerNorm(x))` across
    /// tokens (T turns each example's tokens × channels into channels × tokens), then
    /// `x + MLP(LayerNorm(x))` across channels; GELU MLPs. One node: a parallel of one branch.
    fn mixer(&mut self, m: &layerlab_spec::model::Mixer, len: usize, dim: usize) -> Node {
        let (th, ch) = (m.token_hidden as usize, m.channel_hidden as usize);
        let turn = |a, b| Node::Rearrange { swap: Swap { outer: 1, a, b, inner: 1 }, width_in: b, width_out: a };
        let tokens = vec![
            self.layer_norm(dim),
            turn(len, dim),
            self.dense(len, th, Activation::Gelu, true),
            self.dense(th, len, Activation::Identity, true),
            turn(dim, len),
        ];
        let token_mixing = Node::Residual { body: tokens, drop_path: 0.0, width: dim, site: self.site() };
        let channels = vec![
            self.layer_norm(dim),
            self.dense(dim, ch, Activation::Gelu, true),
            self.dense(ch, dim, Activation::Identity, true),
        ];
        let channel_mixing = Node::Residual { body: channels, drop_path: 0.0, width: dim, site: self.site() };
        Node::Parallel {
            branches: vec![vec![token_mixing, channel_mixing]],
            merge: Merge::Sum,
            widths: vec![dim],
            width: dim,
        }
    }

    /// Cuts a `side × side` image (row-major) into `patch × patch` patches, in row-major patch
    /// order with each patch's pixels row-major, and embeds each linearly as a token.
    fn patchify(&mut self, p: &layerlab_spec::model::Patchify, pixels: usize, path: &str) -> Result<Node, SpecError> {
        let side = (pixels as f64).sqrt().round() as usize;
        let patch = p.patch as usize;
        if side * side != pixels || patch == 0 || !side.is_multiple_of(patch) {
            return Err(SpecError::new(
                format!("{path}.patch"),
                format!("= {patch} does not cut a square image of {pixels} pixels into whole patches"),
            ));
        }
        // The image as (patch rows) × (pixel row in patch) × (patch columns) × (pixel column in
        // patch); swapping the middle axes puts each patch's pixels together.
        let cut = Node::Rearrange {
            swap: Swap { outer: side / patch, a: patch, b: side / patch, inner: patch },
            width_in: pixels,
            width_out: patch * patch,
        };
        let embed = self.dense(patch * patch, p.dim as usize, Activation::Identity, true);
        let dim = p.dim as usize;
        Ok(Node::Parallel { branches: vec![vec![cut, embed]], merge: Merge::Sum, widths: vec![dim], width: dim })
    }

    /// Base weights from the initialiser, spline coefficients N(0, (0.1/√inputs)²): at first the
    /// layer is close to a dense layer on silu(x), and the splines grow as they learn.
    fn kan_spline(&mut self, inputs: usize, units: usize, grid: usize, order: usize) -> Node {
        let features = grid + order + 1;
        let base = init::weights(self.init, inputs, units, self.rng);
        let splines = init::normals(inputs * (features - 1) * units, 0.1 / (inputs as f64).sqrt(), self.rng);
        let mut w = Vec::with_capacity(inputs * features * units);
        for i in 0..inputs {
            w.extend_from_slice(&base[i * units..][..units]);
            w.extend_from_slice(&splines[i * (features - 1) * units..][..(features - 1) * units]);
        }
        let w = self.param(w, ParamKind::Weight, true);
        Node::Kan { w, grid, order, inputs, units, lo: -1.0, hi: 1.0, refine: None }
    }

    fn layer_norm(&mut self, width: usize) -> Node {
        let gain = self.param(vec![1.0; width], ParamKind::Gain, true);
        let shift = Some(self.param(vec![0.0; width], ParamKind::Shift, true));
        Node::Norm { kind: NormKind::Layer, gain, shift, running: None, width }
    }

    fn dense(&mut self, inputs: usize, units: usize, act: Activation, bias: bool) -> Node {
        let w = self.weights(inputs, units, act);
        let w = self.param(w, ParamKind::Weight, true);
        let b = bias.then(|| self.param(vec![0.0; units], ParamKind::Bias, true));
        Node::Dense { w, b, act, inputs, units }
    }

    /// A dense layer with bias whose parameters are trained or kept at their initial values.
    fn dense_with(&mut self, inputs: usize, units: usize, act: Activation, trainable: bool) -> Node {
        let w = self.weights(inputs, units, act);
        let w = self.param(w, ParamKind::Weight, trainable);
        let b = Some(self.param(vec![0.0; units], ParamKind::Bias, trainable));
        Node::Dense { w, b, act, inputs, units }
    }

    /// A dense layer's weights under the spec's initialiser; SIREN's depends on where the layer
    /// sits (the first matrix drawn, a sine layer, or another).
    fn weights(&mut self, inputs: usize, units: usize, act: Activation) -> Vec<f64> {
        let first = self.params.is_empty();
        match self.init {
            Init::Siren => {
                let layer = match (first, act) {
                    (true, _) => SirenLayer::First,
                    (false, Activation::Sine) => SirenLayer::Sine,
                    _ => SirenLayer::Other,
                };
                init::siren(inputs, units, layer, self.rng)
            }
            other => init::weights(other, inputs, units, self.rng),
        }
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

/// The shape of an example after `node`, given the shape before it.
fn shape_after(node: &Node, before: Shape) -> Shape {
    let width = node.width() as u32;
    match (node, before) {
        (Node::Embed { len, .. }, _) => Shape::Seq { len: *len as u32, dim: width },
        (Node::Pool { .. }, _) => Shape::Flat(width),
        (Node::Last { keep, .. }, _) => Shape::Seq { len: *keep as u32, dim: width },
        (Node::Parallel { branches, .. }, _) if branches.len() == 1 => {
            // A block built as one branch (hourglass, attention, mixer, patchify): follow it.
            branches[0].iter().fold(before, |shape, n| shape_after(n, shape))
        }
        (Node::Rearrange { width_in, width_out, .. }, Shape::Flat(_)) => {
            Shape::Seq { len: (width_in / width_out) as u32, dim: width }
        }
        (Node::Rearrange { width_in, width_out, .. }, Shape::Seq { len, .. }) => {
            Shape::Seq { len: len * *width_in as u32 / *width_out as u32, dim: width }
        }
        (_, Shape::Seq { len, .. }) => Shape::Seq { len, dim: width },
        _ => Shape::Flat(width),
    }
}

/// Numbers per token (per example, for a vector).
fn per_token(shape: Shape) -> usize {
    match shape {
        Shape::Flat(n) | Shape::Seq { dim: n, .. } => n as usize,
        Shape::Tokens { len, .. } => len as usize,
    }
}
