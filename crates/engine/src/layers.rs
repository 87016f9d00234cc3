//! Forward and backward passes through the node tree, each layer's two directions side by side.
//!
//! Conventions: `x` is the input batch (rows × the node's input width); a node writes its output
//! into its `Acts::y`. Before a node's backward pass, its `Acts::grad` holds the gradient of the
//! loss with respect to `y`; the node writes its parameters' gradients and, when asked, the
//! gradient with respect to `x` into `dx`. An empty sequence (an empty residual body or
//! parallel branch) is the identity.

use layerlab_spec::model::{Activation, Merge};

use crate::backend::{
    AttentionOp, Backend, CopyCols, Dims, DropoutOp, EmbedOp, GateOp, Gemm, KanOp, MoeOp, NormOp, NormSaved, PoolOp,
    RationalOp, SwapAxes,
};
use crate::model::{Acts, Node, Param, PositionTable, Saved, Swap};
use crate::rng::{self, Stream};

/// What kind of pass this is: training (dropout on, BatchNorm on batch statistics) or not, and
/// which step, for the dropout masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub train: bool,
    pub seed: u64,
    pub step: u64,
}

/// Epsilon of every normalisation (PyTorch's default).
pub const NORM_EPS: f64 = 1e-5;
/// BatchNorm's running-statistics momentum (PyTorch's default).
pub const BATCH_NORM_MOMENTUM: f64 = 0.1;

/// The parts of a model a pass reads and writes, besides the activations.
pub struct State<'a, B: Backend> {
    pub params: &'a mut [Param<B>],
    pub buffers: &'a mut [B::Buf],
}

/// The output of a sequence: its last node's, or its input when it is empty.
pub fn output<'a, B: Backend>(acts: &'a [Acts<B>], x: &'a B::Buf) -> &'a B::Buf {
    acts.last().map_or(x, |a| &a.y)
}

pub fn forward<B: Backend>(
    b: &mut B,
    nodes: &[Node],
    st: &mut State<'_, B>,
    acts: &mut [Acts<B>],
    x: &B::Buf,
    rows: usize,
    pass: Pass,
) {
    let mut rows = rows;
    for (i, node) in nodes.iter().enumerate() {
        let (done, rest) = acts.split_at_mut(i);
        let input = done.last().map_or(x, |a| &a.y);
        forward_node(b, node, st, &mut rest[0], input, rows, pass);
        rows = node.rows_out(rows);
    }
}

/// Rows going into node `i` of a sequence that `rows` rows enter.
fn rows_into(nodes: &[Node], i: usize, rows: usize) -> usize {
    nodes[..i].iter().fold(rows, |r, n| n.rows_out(r))
}

/// Backward through a sequence whose last node's `grad` is set (or, when the sequence is empty,
/// whose output gradient the caller already put in `dx`).
pub fn backward<B: Backend>(
    b: &mut B,
    nodes: &[Node],
    st: &mut State<'_, B>,
    acts: &mut [Acts<B>],
    x: &B::Buf,
    mut dx: Option<&mut B::Buf>,
    rows: usize,
) {
    for i in (0..nodes.len()).rev() {
        let (done, rest) = acts.split_at_mut(i);
        let (input, d_input) = match done.last_mut() {
            Some(prev) => (&prev.y, Some(&mut prev.grad)),
            None => (x, dx.as_deref_mut()),
        };
        backward_node(b, &nodes[i], st, &mut rest[0], input, d_input, rows_into(nodes, i, rows));
    }
}

/// Where the gradient of a sequence's output goes: its last node's `grad`, or, for an empty
/// sequence (the identity), straight into the input gradient `dx`.
fn top_grad<'a, B: Backend>(acts: &'a mut [Acts<B>], dx: Option<&'a mut B::Buf>) -> Option<&'a mut B::Buf> {
    match acts.last_mut() {
        Some(last) => Some(&mut last.grad),
        None => dx,
    }
}

fn forward_node<B: Backend>(
    b: &mut B,
    node: &Node,
    st: &mut State<'_, B>,
    a: &mut Acts<B>,
    x: &B::Buf,
    rows: usize,
    pass: Pass,
) {
    let out = node.rows_out(rows) * node.width();
    match (node, &mut a.saved) {
        (&Node::Embed { table, pos, vocab, len, dim }, Saved::None) => {
            let op = EmbedOp { rows, len, vocab, dim };
            let pos = match pos {
                PositionTable::Learned(p) => &st.params[p].value,
                PositionTable::Fixed(f) => &st.buffers[f],
            };
            b.embed_forward(op, x, &st.params[table].value, pos, &mut a.y);
        }
        (&Node::Pool { mode, len, dim }, Saved::None) => {
            b.pool_forward(PoolOp { rows: rows / len, len, dim, mode }, x, &mut a.y);
        }
        (&Node::Last { len, keep, dim }, Saved::None) => {
            b.copy_cols(last_tokens(rows / len, len, keep, dim, true), x, &mut a.y);
        }
        (&Node::Rearrange { swap, width_in, .. }, Saved::None) => {
            b.swap_axes(swap_op(swap, rows, width_in), x, &mut a.y);
        }
        (&Node::Kan { w, grid, order, inputs, units, lo, hi, .. }, Saved::Kan { features, .. }) => {
            b.kan_basis(KanOp { rows, width: inputs, grid, order, lo, hi }, x, features);
            let k = inputs * (grid + order + 1);
            let mm = Gemm { m: rows, n: units, k, a_trans: false, b_trans: false, accumulate: false };
            b.matmul(mm, features, &st.params[w].value, &mut a.y);
        }
        (
            Node::Moe { router, experts, top_k, balance, units },
            Saved::Moe { router: r, probs, gates, aux, experts: ex, .. },
        ) => {
            let op = MoeOp { rows, experts: experts.len(), top_k: *top_k, balance: *balance };
            forward_node(b, router, st, r, x, rows, pass);
            b.moe_route(op, &r.y, probs, gates, aux);
            for (e, (expert, acts)) in experts.iter().zip(ex.iter_mut()).enumerate() {
                forward(b, expert, st, acts, x, rows, pass);
                let gate = GateOp { moe: op, expert: e, cols: *units, accumulate: e > 0 };
                b.gate_rows(gate, gates, output(acts, x), &mut a.y);
            }
        }
        (&Node::Rational { coeffs, groups, width }, Saved::None) => {
            b.rational_forward(RationalOp { rows, width, groups }, x, &st.params[coeffs].value, &mut a.y);
        }
        (
            &Node::Attention { qkv: w, qkv_bias, out: wo, out_bias, heads, causal, len, dim },
            Saved::Attention { qkv_z, qkv, probs, o, z, .. },
        ) => {
            let three = Gemm { m: rows, n: 3 * dim, k: dim, a_trans: false, b_trans: false, accumulate: false };
            b.matmul(three, x, &st.params[w].value, qkv_z);
            b.bias_act(
                Dims { rows, cols: 3 * dim },
                Some(&st.params[qkv_bias].value),
                Activation::Identity,
                qkv_z,
                qkv,
            );
            b.attention_forward(AttentionOp { rows: rows / len, len, dim, heads, causal }, qkv, probs, o);
            b.matmul(Gemm { n: dim, ..three }, o, &st.params[wo].value, z);
            b.bias_act(Dims { rows, cols: dim }, Some(&st.params[out_bias].value), Activation::Identity, z, &mut a.y);
        }
        (&Node::Dense { w, b: bias, act, inputs, units }, Saved::Dense { z }) => {
            b.matmul(
                Gemm { m: rows, n: units, k: inputs, a_trans: false, b_trans: false, accumulate: false },
                x,
                &st.params[w].value,
                z,
            );
            let bias = bias.map(|i| &st.params[i].value);
            b.bias_act(Dims { rows, cols: units }, bias, act, z, &mut a.y);
        }
        (&Node::Glu { w, b: bw, v, c, gate, inputs, units }, Saved::Glu { z, a: value, zg, gate: g, .. }) => {
            let dims = Dims { rows, cols: units };
            let mm = Gemm { m: rows, n: units, k: inputs, a_trans: false, b_trans: false, accumulate: false };
            b.matmul(mm, x, &st.params[w].value, z);
            b.bias_act(dims, Some(&st.params[bw].value), Activation::Identity, z, value);
            b.matmul(mm, x, &st.params[v].value, zg);
            b.bias_act(dims, Some(&st.params[c].value), gate, zg, g);
            b.mul(out, value, g, &mut a.y);
        }
        (&Node::Norm { kind, gain, shift, running, width }, Saved::Norm { xhat, inv_std }) => {
            let op = norm_op(kind, rows, width, pass.train);
            let running = running.map(|r| {
                let (mean, var) = st.buffers[r..].split_at_mut(1);
                (&mut mean[0], &mut var[0])
            });
            let shift = shift.map(|i| &st.params[i].value);
            b.norm_forward(op, x, &st.params[gain].value, shift, running, NormSaved { xhat, inv_std }, &mut a.y);
        }
        (&Node::Dropout { rate, site, .. }, Saved::Dropout { mask }) => {
            if pass.train && rate > 0.0 {
                let key = rng::key(pass.seed, Stream::Dropout, pass.step, site);
                b.dropout(DropoutOp { len: out, rate, key }, x, mask, &mut a.y);
            } else {
                b.axpby(out, 1.0, x, 0.0, &mut a.y);
            }
        }
        (Node::Residual { body, drop_path, site, .. }, Saved::Residual { body: acts, kept, .. }) => {
            *kept = !pass.train
                || *drop_path == 0.0
                || f64::from(rng::uniform(rng::key(pass.seed, Stream::Dropout, pass.step, *site), 0)) >= *drop_path;
            if *kept {
                forward(b, body, st, acts, x, rows, pass);
                let scale = residual_scale(*drop_path, pass.train);
                b.axpby(out, 1.0, x, 0.0, &mut a.y);
                b.axpby(out, scale, output(acts, x), 1.0, &mut a.y);
            } else {
                b.axpby(out, 1.0, x, 0.0, &mut a.y);
            }
        }
        (Node::Parallel { branches, merge, widths, width }, Saved::Parallel { branches: acts, .. }) => {
            let mut at = 0;
            for (j, (branch, br_acts)) in branches.iter().zip(acts.iter_mut()).enumerate() {
                forward(b, branch, st, br_acts, x, rows, pass);
                let y = output(br_acts, x);
                match merge {
                    Merge::Sum => b.axpby(out, 1.0, y, if j == 0 { 0.0 } else { 1.0 }, &mut a.y),
                    Merge::Concat => {
                        let op = CopyCols {
                            rows,
                            width: widths[j],
                            src_cols: widths[j],
                            src_at: 0,
                            dst_cols: *width,
                            dst_at: at,
                            accumulate: false,
                        };
                        b.copy_cols(op, y, &mut a.y);
                    }
                }
                at += widths[j];
            }
        }
        _ => unreachable!("activations are allocated from the same nodes"),
    }
}

/// One node's backward pass with no input gradient: its parameters' gradients from the
/// gradient already in its `grad` (for learning rules that feed each layer its own signal).
pub fn backward_local<B: Backend>(
    b: &mut B,
    node: &Node,
    st: &mut State<'_, B>,
    a: &mut Acts<B>,
    x: &B::Buf,
    rows: usize,
) {
    backward_node(b, node, st, a, x, None, rows);
}

fn backward_node<B: Backend>(
    b: &mut B,
    node: &Node,
    st: &mut State<'_, B>,
    a: &mut Acts<B>,
    x: &B::Buf,
    dx: Option<&mut B::Buf>,
    rows: usize,
) {
    let out = node.rows_out(rows) * node.width();
    match (node, &mut a.saved) {
        (&Node::Embed { table, pos, vocab, len, dim }, Saved::None) => {
            let op = EmbedOp { rows, len, vocab, dim };
            let learned = match pos {
                PositionTable::Learned(p) => Some(p),
                PositionTable::Fixed(_) => None,
            };
            let (t, p) = two(st.params, table, learned);
            b.embed_backward(op, x, &a.grad, &mut t.grad, p.map(|p| &mut p.grad));
            // Token ids have no gradient.
            if let Some(dx) = dx {
                b.scale(0.0, dx);
            }
        }
        (&Node::Pool { mode, len, dim }, Saved::None) => {
            if let Some(dx) = dx {
                b.pool_backward(PoolOp { rows: rows / len, len, dim, mode }, &a.grad, dx);
            }
        }
        (&Node::Last { len, keep, dim }, Saved::None) => {
            if let Some(dx) = dx {
                b.scale(0.0, dx);
                b.copy_cols(last_tokens(rows / len, len, keep, dim, false), &a.grad, dx);
            }
        }
        (&Node::Rearrange { swap, width_in, .. }, Saved::None) => {
            if let Some(dx) = dx {
                b.swap_axes(swap_op(swap, rows, width_in).inverse(), &a.grad, dx);
            }
        }
        (&Node::Kan { w, grid, order, inputs, units, lo, hi, .. }, Saved::Kan { features, d_features }) => {
            let k = inputs * (grid + order + 1);
            let gw = Gemm { m: k, n: units, k: rows, a_trans: true, b_trans: false, accumulate: false };
            b.matmul(gw, features, &a.grad, &mut st.params[w].grad);
            if let Some(dx) = dx {
                let gf = Gemm { m: rows, n: k, k: units, a_trans: false, b_trans: true, accumulate: false };
                b.matmul(gf, &a.grad, &st.params[w].value, d_features);
                b.kan_basis_backward(KanOp { rows, width: inputs, grid, order, lo, hi }, x, d_features, dx);
            }
        }
        (
            Node::Moe { router, experts, top_k, balance, units },
            Saved::Moe { router: r, probs, gates, d_gates, experts: ex, tmp, .. },
        ) => {
            let op = MoeOp { rows, experts: experts.len(), top_k: *top_k, balance: *balance };
            let mut dx = dx;
            for (e, (expert, acts)) in experts.iter().zip(ex.iter_mut()).enumerate() {
                let gate = GateOp { moe: op, expert: e, cols: *units, accumulate: false };
                b.gate_grad(gate, &a.grad, output(acts, x), d_gates);
                let target = if e == 0 { dx.as_deref_mut() } else { dx.is_some().then_some(&mut *tmp) };
                if let Some(top) = top_grad(acts, target) {
                    b.gate_rows(gate, gates, &a.grad, top);
                }
                let target = if e == 0 { dx.as_deref_mut() } else { dx.is_some().then_some(&mut *tmp) };
                backward(b, expert, st, acts, x, target, rows);
                if e > 0
                    && let Some(dx) = dx.as_deref_mut()
                {
                    b.axpby(b.len(tmp), 1.0, tmp, 1.0, dx);
                }
            }
            b.moe_route_backward(op, probs, gates, d_gates, &mut r.grad);
            let target = dx.is_some().then_some(&mut *tmp);
            backward_node(b, router, st, r, x, target, rows);
            if let Some(dx) = dx {
                b.axpby(b.len(tmp), 1.0, tmp, 1.0, dx);
            }
        }
        (&Node::Rational { coeffs, groups, width }, Saved::None) => {
            let op = RationalOp { rows, width, groups };
            let p = &mut st.params[coeffs];
            b.rational_backward(op, x, &p.value, &a.grad, &mut p.grad, dx);
        }
        (
            &Node::Attention { qkv: w, qkv_bias, out: wo, out_bias, heads, causal, len, dim },
            Saved::Attention { qkv, probs, o, d_o, d_qkv, .. },
        ) => {
            let g = &a.grad;
            let (d1, d3) = (Dims { rows, cols: dim }, Dims { rows, cols: 3 * dim });
            b.matmul(
                Gemm { m: dim, n: dim, k: rows, a_trans: true, b_trans: false, accumulate: false },
                o,
                g,
                &mut st.params[wo].grad,
            );
            b.col_sum(d1, g, &mut st.params[out_bias].grad, false);
            b.matmul(
                Gemm { m: rows, n: dim, k: dim, a_trans: false, b_trans: true, accumulate: false },
                g,
                &st.params[wo].value,
                d_o,
            );
            b.attention_backward(AttentionOp { rows: rows / len, len, dim, heads, causal }, qkv, probs, d_o, d_qkv);
            b.matmul(
                Gemm { m: dim, n: 3 * dim, k: rows, a_trans: true, b_trans: false, accumulate: false },
                x,
                d_qkv,
                &mut st.params[w].grad,
            );
            b.col_sum(d3, d_qkv, &mut st.params[qkv_bias].grad, false);
            if let Some(dx) = dx {
                let gx = Gemm { m: rows, n: dim, k: 3 * dim, a_trans: false, b_trans: true, accumulate: false };
                b.matmul(gx, d_qkv, &st.params[w].value, dx);
            }
        }
        (&Node::Dense { w, b: bias, act, inputs, units }, Saved::Dense { z }) => {
            let g = &mut a.grad;
            b.act_backward(Dims { rows, cols: units }, act, z, &a.y, g);
            let gw = Gemm { m: inputs, n: units, k: rows, a_trans: true, b_trans: false, accumulate: false };
            b.matmul(gw, x, g, &mut st.params[w].grad);
            if let Some(i) = bias {
                b.col_sum(Dims { rows, cols: units }, g, &mut st.params[i].grad, false);
            }
            if let Some(dx) = dx {
                let gx = Gemm { m: rows, n: inputs, k: units, a_trans: false, b_trans: true, accumulate: false };
                b.matmul(gx, g, &st.params[w].value, dx);
            }
        }
        (&Node::Glu { w, b: bw, v, c, gate, inputs, units }, Saved::Glu { a: value, zg, gate: g, da, dg, .. }) => {
            let dims = Dims { rows, cols: units };
            // y = value ⊙ gate: each branch's gradient is the other branch times the output's.
            b.mul(out, &a.grad, g, da);
            b.mul(out, &a.grad, value, dg);
            b.act_backward(dims, gate, zg, g, dg);
            let gw = Gemm { m: inputs, n: units, k: rows, a_trans: true, b_trans: false, accumulate: false };
            b.matmul(gw, x, da, &mut st.params[w].grad);
            b.col_sum(dims, da, &mut st.params[bw].grad, false);
            b.matmul(gw, x, dg, &mut st.params[v].grad);
            b.col_sum(dims, dg, &mut st.params[c].grad, false);
            if let Some(dx) = dx {
                let gx = Gemm { m: rows, n: inputs, k: units, a_trans: false, b_trans: true, accumulate: false };
                b.matmul(gx, da, &st.params[w].value, dx);
                b.matmul(Gemm { accumulate: true, ..gx }, dg, &st.params[v].value, dx);
            }
        }
        (&Node::Norm { kind, gain, shift, width, .. }, Saved::Norm { xhat, inv_std }) => {
            let op = norm_op(kind, rows, width, true);
            let (gain_p, shift_p) = two(st.params, gain, shift);
            b.norm_backward(
                op,
                &a.grad,
                &gain_p.value,
                xhat,
                inv_std,
                &mut gain_p.grad,
                shift_p.map(|p| &mut p.grad),
                dx,
            );
        }
        (Node::Dropout { rate, .. }, Saved::Dropout { mask }) => {
            if let Some(dx) = dx {
                if *rate > 0.0 {
                    b.mul(out, &a.grad, mask, dx);
                } else {
                    b.axpby(out, 1.0, &a.grad, 0.0, dx);
                }
            }
        }
        (Node::Residual { body, drop_path, .. }, Saved::Residual { body: acts, tmp, kept }) => {
            if !*kept {
                // The body was skipped: its parameters get no gradient this step (gradients are
                // written, not added, so last step's must not be applied again).
                zero_grads(b, body, st);
                if let Some(dx) = dx {
                    b.axpby(out, 1.0, &a.grad, 0.0, dx);
                }
                return;
            }
            let scale = residual_scale(*drop_path, true);
            let has_dx = dx.is_some();
            if let Some(top) = top_grad(acts, has_dx.then_some(&mut *tmp)) {
                b.axpby(out, scale, &a.grad, 0.0, top);
            }
            backward(b, body, st, acts, x, has_dx.then_some(&mut *tmp), rows);
            if let Some(dx) = dx {
                b.axpby(out, 1.0, &a.grad, 0.0, dx);
                b.axpby(out, 1.0, tmp, 1.0, dx);
            }
        }
        (Node::Parallel { branches, merge, widths, width }, Saved::Parallel { branches: acts, tmp }) => {
            let inputs = b.len(tmp);
            let mut dx = dx;
            let mut at = 0;
            for (j, (branch, br_acts)) in branches.iter().zip(acts.iter_mut()).enumerate() {
                // The first branch writes the input gradient, the others add theirs through `tmp`.
                let target = match dx.as_deref_mut() {
                    Some(dx) if j == 0 => Some(dx),
                    Some(_) => Some(&mut *tmp),
                    None => None,
                };
                let has_target = target.is_some();
                if let Some(top) = top_grad(br_acts, target) {
                    match merge {
                        Merge::Sum => b.axpby(out, 1.0, &a.grad, 0.0, top),
                        Merge::Concat => {
                            let op = CopyCols {
                                rows,
                                width: widths[j],
                                src_cols: *width,
                                src_at: at,
                                dst_cols: widths[j],
                                dst_at: 0,
                                accumulate: false,
                            };
                            b.copy_cols(op, &a.grad, top);
                        }
                    }
                }
                at += widths[j];
                let target = match dx.as_deref_mut() {
                    Some(dx) if j == 0 => Some(dx),
                    Some(_) => Some(&mut *tmp),
                    None => None,
                };
                debug_assert_eq!(target.is_some(), has_target);
                backward(b, branch, st, br_acts, x, target, rows);
                if j > 0
                    && let Some(dx) = dx.as_deref_mut()
                {
                    b.axpby(inputs, 1.0, tmp, 1.0, dx);
                }
            }
        }
        _ => unreachable!("activations are allocated from the same nodes"),
    }
}

/// Sets the gradient of every parameter under `nodes` to zero.
fn zero_grads<B: Backend>(b: &mut B, nodes: &[Node], st: &mut State<'_, B>) {
    for node in nodes {
        match node {
            Node::Residual { body, .. } => zero_grads(b, body, st),
            Node::Parallel { branches, .. } => branches.iter().for_each(|branch| zero_grads(b, branch, st)),
            Node::Moe { router, experts, .. } => {
                zero_grads(b, std::slice::from_ref(router.as_ref()), st);
                experts.iter().for_each(|expert| zero_grads(b, expert, st));
            }
            _ => {}
        }
        for i in crate::metrics::params(node) {
            b.scale(0.0, &mut st.params[i].grad);
        }
    }
}

/// The last `keep` of `len` tokens of each of `examples` sequences, as a block of columns of the
/// examples' rows: from the whole sequences (`forward`) or back into them.
pub(crate) fn last_tokens(examples: usize, len: usize, keep: usize, dim: usize, forward: bool) -> CopyCols {
    let (whole, part, at) = (len * dim, keep * dim, (len - keep) * dim);
    if forward {
        CopyCols {
            rows: examples,
            width: part,
            src_cols: whole,
            src_at: at,
            dst_cols: part,
            dst_at: 0,
            accumulate: false,
        }
    } else {
        CopyCols {
            rows: examples,
            width: part,
            src_cols: part,
            src_at: 0,
            dst_cols: whole,
            dst_at: at,
            accumulate: false,
        }
    }
}

/// The swap of a [`Node::Rearrange`] on `rows` rows of `width_in`.
fn swap_op(swap: Swap, rows: usize, width_in: usize) -> SwapAxes {
    let Swap { outer, a, b, inner } = swap;
    SwapAxes { examples: rows * width_in / swap.size(), outer, a, b, inner }
}

fn norm_op(kind: layerlab_spec::model::NormKind, rows: usize, cols: usize, train: bool) -> NormOp {
    NormOp { kind, dims: Dims { rows, cols }, eps: NORM_EPS, train, momentum: BATCH_NORM_MOMENTUM }
}

/// A residual body kept under stochastic depth is scaled by 1/(1-p) while training, so that the
/// expected output matches evaluation, where the body always runs unscaled.
fn residual_scale(drop_path: f64, train: bool) -> f64 {
    if train && drop_path > 0.0 { 1.0 / (1.0 - drop_path) } else { 1.0 }
}

/// Two distinct parameters, mutably.
fn two<B: Backend>(params: &mut [Param<B>], i: usize, j: Option<usize>) -> (&mut Param<B>, Option<&mut Param<B>>) {
    match j {
        None => (&mut params[i], None),
        Some(j) => {
            assert!(i < j, "a norm's gain comes before its shift");
            let (lo, hi) = params.split_at_mut(j);
            (&mut lo[i], Some(&mut hi[0]))
        }
    }
}
