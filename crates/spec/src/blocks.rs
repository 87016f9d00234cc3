//! Shape inference and cost of each block, in one place: given a block and the shape coming in,
//! the shape going out and what the block costs — or errors naming the field at fault.

use crate::error::Errors;
use crate::limits::*;
use crate::model::*;
use crate::shape::{Cost, Shape};

/// Walks a sequence of blocks.
pub struct Walker<'a> {
    pub errors: &'a mut Errors,
    /// Every block seen so far: (path, kind, input, output, cost).
    pub blocks: Vec<BlockReport>,
    pub count: usize,
}

/// One block as the page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockReport {
    pub path: String,
    pub kind: &'static str,
    pub input: Shape,
    pub output: Shape,
    /// The block's own cost, its nested blocks included.
    pub cost: Cost,
}

impl Walker<'_> {
    /// The output shape and total cost of `blocks` on `input`; `None` once a block is invalid.
    pub fn sequence(&mut self, blocks: &[Block], input: Shape, path: &str, depth: usize) -> Option<(Shape, Cost)> {
        let mut shape = input;
        let mut total = Cost::default();
        for (i, block) in blocks.iter().enumerate() {
            let at = format!("{path}[{i}]");
            self.count += 1;
            if self.count == MAX_BLOCKS + 1 {
                self.errors.push(
                    at.clone(),
                    format!("is block number {} and exceeds the limit of {MAX_BLOCKS} blocks (MAX_BLOCKS)", self.count),
                );
            }
            if self.count > MAX_BLOCKS {
                return None;
            }
            let (out, cost) = self.block(block, shape, &at, depth)?;
            self.blocks.push(BlockReport { path: at, kind: block.kind(), input: shape, output: out, cost });
            shape = out;
            total = total.plus(cost);
        }
        Some((shape, total))
    }

    fn width(&mut self, path: String, value: u32) -> bool {
        self.errors.int(path, value.into(), 1, MAX_WIDTH.into(), "MAX_WIDTH")
    }

    /// Width and token count of a per-token input.
    fn per_token(&mut self, input: Shape, path: &str, kind: &str) -> Option<(u32, u32)> {
        match input {
            Shape::Flat(d) => Some((d, 1)),
            Shape::Seq { len, dim } => Some((dim, len)),
            Shape::Tokens { .. } => {
                self.errors.push(path, format!("({kind}) receives token ids {input}: put an embed block first"));
                None
            }
        }
    }

    fn sequence_input(&mut self, input: Shape, path: &str, kind: &str) -> Option<(u32, u32)> {
        match input {
            Shape::Seq { len, dim } => Some((len, dim)),
            _ => {
                let hint = if matches!(input, Shape::Tokens { .. }) {
                    "an embed block"
                } else {
                    "a patchify block (images) or an embed block (sequences)"
                };
                self.errors.push(
                    path,
                    format!("({kind}) needs a sequence of tokens but receives {input}: put {hint} before it"),
                );
                None
            }
        }
    }

    fn block(&mut self, block: &Block, input: Shape, path: &str, depth: usize) -> Option<(Shape, Cost)> {
        let field = |name: &str| format!("{path}.{name}");
        match block {
            Block::Dense(d) => {
                let (width, tokens) = self.per_token(input, path, "dense")?;
                self.width(field("units"), d.units).then_some(())?;
                Some((with_width(input, d.units), Cost::linear(width, d.units, tokens, d.bias)))
            }
            Block::Norm(n) => {
                let (width, tokens) = self.per_token(input, path, "norm")?;
                let params = if n.kind == NormKind::Rms { width } else { 2 * width };
                let elements = u64::from(width) * u64::from(tokens);
                Some((input, Cost { params: params.into(), frozen: 0, flops: 8 * elements, activations: elements }))
            }
            Block::Dropout(d) => {
                self.per_token(input, path, "dropout")?;
                self.errors.real(field("rate"), d.rate, 0.0, 1.0, true).then_some(())?;
                Some((input, Cost { params: 0, frozen: 0, flops: input.elements(), activations: input.elements() }))
            }
            Block::Residual(r) => {
                self.errors.real(field("drop_path"), r.drop_path, 0.0, 1.0, true).then_some(())?;
                let (out, cost) = self.nested(&r.body, input, &field("body"), depth)?;
                if out != input {
                    self.errors.push(
                        field("body"),
                        format!("turns {input} into {out}: a residual's body must give back the shape it receives"),
                    );
                    return None;
                }
                let add = Cost { params: 0, frozen: 0, flops: input.elements(), activations: input.elements() };
                Some((out, cost.plus(add)))
            }
            Block::Parallel(p) => self.parallel(p, input, path, depth),
            Block::Hourglass(h) => {
                let (width, tokens) = self.per_token(input, path, "hourglass")?;
                let ok = self.width(field("wide"), h.wide) & self.width(field("narrow"), h.narrow);
                (ok && self.errors.int(field("depth"), h.depth.into(), 1, MAX_BLOCKS as u64, "MAX_BLOCKS"))
                    .then_some(())?;
                let mut cost = Cost::default();
                if width != h.wide {
                    let lift = Cost::linear(width, h.wide, tokens, true);
                    cost = if h.frozen_lift { Cost { frozen: lift.params, params: 0, ..lift } } else { lift };
                }
                for _ in 0..h.depth {
                    let step =
                        Cost::linear(h.wide, h.narrow, tokens, true).plus(Cost::linear(h.narrow, h.wide, tokens, true));
                    cost = cost.plus(step);
                }
                Some((with_width(input, h.wide), cost))
            }
            Block::Kan(k) => {
                let (width, tokens) = self.per_token(input, path, "kan")?;
                self.width(field("units"), k.units).then_some(())?;
                let (i, o, t) = (u64::from(width), u64::from(k.units), u64::from(tokens));
                let cost = match k.basis {
                    KanBasis::BSpline => {
                        let ok = self.errors.int(field("grid"), k.grid.into(), 1, MAX_KAN_GRID.into(), "MAX_KAN_GRID")
                            & self.errors.int(field("order"), k.order.into(), 1, MAX_KAN_ORDER.into(), "MAX_KAN_ORDER");
                        ok.then_some(())?;
                        if let Some(r) = k.refine {
                            let ok = self.errors.int(field("refine.every"), r.every.into(), 1, MAX_STEPS, "MAX_STEPS")
                                & self.errors.int(
                                    field("refine.max_grid"),
                                    r.max_grid.into(),
                                    k.grid.into(),
                                    MAX_KAN_GRID.into(),
                                    "MAX_KAN_GRID",
                                );
                            ok.then_some(())?;
                        }
                        // Per edge: a base weight and grid + order spline coefficients (at the
                        // starting grid; refinement adds coefficients as it goes).
                        let basis = u64::from(k.grid + k.order);
                        Cost {
                            params: i * o * (basis + 1),
                            frozen: 0,
                            flops: t * (2 * i * o * (basis + 1) + 4 * i * basis * u64::from(k.order)),
                            activations: t * (i * basis + o),
                        }
                    }
                    KanBasis::GroupRational => {
                        if k.refine.is_some() {
                            self.errors.push(
                                field("refine"),
                                "applies to B-spline KAN layers only: remove it or use basis b_spline",
                            );
                            return None;
                        }
                        self.errors
                            .int(field("groups"), k.groups.into(), 1, width.into(), "the input width")
                            .then_some(())?;
                        if width % k.groups != 0 {
                            self.errors.push(
                                field("groups"),
                                format!("= {} does not divide the input width {width}: use a divisor of it", k.groups),
                            );
                            return None;
                        }
                        // A rational function of degree (5, 4) per group, then a linear map.
                        let linear = Cost::linear(width, k.units, tokens, true);
                        Cost {
                            params: linear.params + u64::from(k.groups) * 10,
                            frozen: 0,
                            flops: linear.flops + t * i * 20,
                            activations: linear.activations + t * i,
                        }
                    }
                };
                Some((with_width(input, k.units), cost))
            }
            Block::Glu(g) => {
                let (width, tokens) = self.per_token(input, path, "glu")?;
                self.width(field("units"), g.units).then_some(())?;
                let two = Cost::linear(width, g.units, tokens, true).plus(Cost::linear(width, g.units, tokens, true));
                let gate = u64::from(g.units) * u64::from(tokens);
                Some((
                    with_width(input, g.units),
                    Cost { flops: two.flops + 2 * gate, activations: two.activations + gate, ..two },
                ))
            }
            Block::Moe(m) => {
                let (width, tokens) = self.per_token(input, path, "moe")?;
                let ok = self.errors.int(field("experts"), m.experts.into(), 1, MAX_EXPERTS.into(), "MAX_EXPERTS")
                    & self.width(field("hidden"), m.hidden)
                    & self.width(field("units"), m.units)
                    & self.errors.real(field("balance"), m.balance, 0.0, 10.0, false);
                ok.then_some(())?;
                self.errors
                    .int(field("top_k"), m.top_k.into(), 1, m.experts.into(), "the number of experts")
                    .then_some(())?;
                let expert =
                    Cost::linear(width, m.hidden, tokens, true).plus(Cost::linear(m.hidden, m.units, tokens, true));
                let router = Cost::linear(width, m.experts, tokens, true);
                let (e, k) = (u64::from(m.experts), u64::from(m.top_k));
                let cost = Cost {
                    params: router.params + e * expert.params,
                    frozen: 0,
                    flops: router.flops + k * expert.flops,
                    activations: router.activations + k * expert.activations,
                };
                Some((with_width(input, m.units), cost))
            }
            Block::Mixer(m) => {
                let (len, dim) = self.sequence_input(input, path, "mixer")?;
                (self.width(field("token_hidden"), m.token_hidden)
                    & self.width(field("channel_hidden"), m.channel_hidden))
                .then_some(())?;
                let tokens =
                    Cost::linear(len, m.token_hidden, dim, true).plus(Cost::linear(m.token_hidden, len, dim, true));
                let channels =
                    Cost::linear(dim, m.channel_hidden, len, true).plus(Cost::linear(m.channel_hidden, dim, len, true));
                let norms = Cost {
                    params: 4 * u64::from(dim),
                    frozen: 0,
                    flops: 16 * input.elements(),
                    activations: 4 * input.elements(),
                };
                Some((input, tokens.plus(channels).plus(norms)))
            }
            Block::Attention(a) => {
                let (len, dim) = self.sequence_input(input, path, "attention")?;
                self.errors.int(field("heads"), a.heads.into(), 1, MAX_HEADS.into(), "MAX_HEADS").then_some(())?;
                if dim % a.heads != 0 {
                    self.errors.push(
                        field("heads"),
                        format!("= {} does not divide the model width {dim}: use a divisor of it", a.heads),
                    );
                    return None;
                }
                if a.mlp_hidden > 0 {
                    self.width(field("mlp_hidden"), a.mlp_hidden).then_some(())?;
                }
                let (l, d, h) = (u64::from(len), u64::from(dim), u64::from(a.heads));
                let projections = Cost::linear(dim, 4 * dim, len, true);
                let mut cost = Cost {
                    flops: projections.flops + 4 * l * l * d,
                    activations: projections.activations + h * l * l,
                    ..projections
                };
                if a.mlp_hidden > 0 {
                    cost = cost.plus(Cost::linear(dim, a.mlp_hidden, len, true)).plus(Cost::linear(
                        a.mlp_hidden,
                        dim,
                        len,
                        true,
                    ));
                }
                Some((input, cost))
            }
            Block::Patchify(p) => {
                let Shape::Flat(pixels) = input else {
                    self.errors.push(path, format!("(patchify) needs a flat square image but receives {input}"));
                    return None;
                };
                let side = (1..=pixels.min(1 << 16)).find(|s| s * s >= pixels).unwrap_or(0);
                if side * side != pixels {
                    self.errors.push(
                        path,
                        format!("(patchify) needs a square image but receives {pixels} numbers, which is no square"),
                    );
                    return None;
                }
                (self.errors.int(field("patch"), p.patch.into(), 1, side.into(), "the image side")
                    & self.width(field("dim"), p.dim))
                .then_some(())?;
                if side % p.patch != 0 {
                    self.errors.push(
                        field("patch"),
                        format!("= {} does not divide the image side {side}: use a divisor of it", p.patch),
                    );
                    return None;
                }
                let len = (side / p.patch) * (side / p.patch);
                Some((Shape::Seq { len, dim: p.dim }, Cost::linear(p.patch * p.patch, p.dim, len, true)))
            }
            Block::Embed(e) => {
                let Shape::Tokens { len, vocab } = input else {
                    self.errors.push(
                        path,
                        format!(
                            "(embed) needs token ids but receives {input}: embed blocks go first on sequence datasets"
                        ),
                    );
                    return None;
                };
                self.width(field("dim"), e.dim).then_some(())?;
                let out = Shape::Seq { len, dim: e.dim };
                let positions = if e.positions == Positions::Learned { u64::from(len) } else { 0 };
                let params = (u64::from(vocab) + positions) * u64::from(e.dim);
                Some((out, Cost { params, frozen: 0, flops: out.elements(), activations: out.elements() }))
            }
            Block::Pool(_) => {
                let (_, dim) = self.sequence_input(input, path, "pool")?;
                Some((
                    Shape::Flat(dim),
                    Cost { params: 0, frozen: 0, flops: input.elements(), activations: dim.into() },
                ))
            }
        }
    }

    fn nested(&mut self, blocks: &[Block], input: Shape, path: &str, depth: usize) -> Option<(Shape, Cost)> {
        if depth >= MAX_NESTING {
            self.errors.push(
                path,
                format!("nests containers {} deep, beyond the limit of {MAX_NESTING} (MAX_NESTING)", depth + 1),
            );
            return None;
        }
        self.sequence(blocks, input, path, depth + 1)
    }

    fn parallel(&mut self, p: &Parallel, input: Shape, path: &str, depth: usize) -> Option<(Shape, Cost)> {
        let branches_path = format!("{path}.branches");
        self.errors
            .int(branches_path.clone(), p.branches.len() as u64, 1, MAX_BRANCHES as u64, "MAX_BRANCHES")
            .then_some(())?;
        let mut outs = Vec::new();
        let mut cost = Cost::default();
        for (i, branch) in p.branches.iter().enumerate() {
            let (out, c) = self.nested(branch, input, &format!("{branches_path}[{i}]"), depth)?;
            outs.push(out);
            cost = cost.plus(c);
        }
        let first = outs[0];
        let out = match p.merge {
            Merge::Sum => {
                if let Some(i) = outs.iter().position(|o| *o != first) {
                    self.errors.push(format!("{branches_path}[{i}]"), format!("gives {} but branch 0 gives {first}: summed branches must agree in shape (or merge by concat)", outs[i]));
                    return None;
                }
                first
            }
            Merge::Concat => {
                let mut total: u64 = 0;
                for (i, o) in outs.iter().enumerate() {
                    let width = match (*o, first) {
                        (Shape::Flat(w), Shape::Flat(_)) => w,
                        (Shape::Seq { len, dim }, Shape::Seq { len: first_len, .. }) if len == first_len => dim,
                        _ => {
                            self.errors.push(format!("{branches_path}[{i}]"), format!("gives {o} but branch 0 gives {first}: concatenated branches must be vectors, or sequences of one length"));
                            return None;
                        }
                    };
                    total += u64::from(width);
                }
                let width = u32::try_from(total).unwrap_or(u32::MAX);
                self.width(format!("{path}.merge"), width).then_some(())?;
                with_width(first, width)
            }
        };
        let merge =
            Cost { params: 0, frozen: 0, flops: out.elements() * outs.len() as u64, activations: out.elements() };
        Some((out, cost.plus(merge)))
    }
}

/// The shape with its per-token width replaced.
pub fn with_width(shape: Shape, width: u32) -> Shape {
    match shape {
        Shape::Seq { len, .. } => Shape::Seq { len, dim: width },
        _ => Shape::Flat(width),
    }
}
