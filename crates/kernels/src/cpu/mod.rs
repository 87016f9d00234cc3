//! The CPU backend: the reference implementation of [`Backend`], generic over the element type
//! so the same code trains in `f32` and checks gradients in `f64`. Each op is a plain function
//! over slices in one of the files beside this one; this file only routes to them.

mod elementwise;
pub mod gemm;
pub mod kan;
mod loss;
mod moe;
mod norm;
mod optim;
mod sequence;
#[cfg(test)]
mod subnormal;

use std::marker::PhantomData;

use crate::real::Real;

/// `x·y` with `LANES` partial sums, so that it vectorises (a single running sum would not: float
/// addition does not reassociate). As many lanes as the vectors are long: 16 for the matrix
/// multiply's long rows, 4 for an attention head's few numbers.
pub(crate) fn dot<R: Real, const LANES: usize>(x: &[R], y: &[R]) -> R {
    let mut partial = [R::zero(); LANES];
    let (xs, ys) = (x.chunks_exact(LANES), y.chunks_exact(LANES));
    let tail = xs.remainder().iter().zip(ys.remainder()).fold(R::zero(), |s, (&a, &b)| s + a * b);
    for (xs, ys) in xs.zip(ys) {
        for ((s, &a), &b) in partial.iter_mut().zip(xs).zip(ys) {
            *s += a * b;
        }
    }
    partial.iter().fold(R::zero(), |s, &p| s + p) + tail
}

/// The CPU backend. It holds only the matrix multiply's packing buffers, reused across calls.
#[derive(Debug, Default)]
pub struct Cpu<R> {
    scratch: gemm::Scratch,
    _real: PhantomData<R>,
}

impl<R: Real> Cpu<R> {
    pub fn new() -> Self {
        Self { scratch: gemm::Scratch::default(), _real: PhantomData }
    }
}

/// The backend for one element type `R`, written once and implemented for `f32` and `f64` in
/// the modules below (where `R` names the type) rather than generically, and each op kept out of
/// line. A generic impl is compiled in the crate that instantiates it, at that crate's opt-level,
/// and under link-time optimisation a function called once is inlined into its caller and
/// optimised as the caller is: the page's wasm module compiles the worker size-first, and its
/// training steps ran ~38 % slower with the kernels compiled there (digits MLP in the page,
/// measured by hand: 1,563-1,572 against 2,463-2,635 steps per second). These ops are compiled
/// here, with this crate's opt-level, whoever trains.
macro_rules! backend_for_r {
    () => {
        use layerlab_spec::model::Activation;
        use layerlab_spec::train::Loss;

        use super::{Cpu, elementwise, kan, loss, moe, norm, optim, sequence};
        use crate::backend::{
            AttentionOp, Backend, CopyCols, Dims, DropoutOp, EmbedOp, GateOp, Gemm, Guard, KanOp, MoeOp, NormOp,
            NormSaved, PoolOp, RationalOp, STAT_FIRST, STAT_HEALTHY, STAT_LOSS, STAT_NORM, STAT_OK, SwapAxes, Update,
        };
        use num_traits::{One, Zero};

        use crate::real::Real;

        impl Backend for Cpu<R> {
            type R = R;
            type Buf = Vec<R>;

            fn name(&self) -> String {
                format!("CPU ({})", std::any::type_name::<R>())
            }
            fn alloc(&mut self, len: usize) -> Vec<R> {
                vec![R::zero(); len]
            }
            fn len(&self, buf: &Vec<R>) -> usize {
                buf.len()
            }
            fn upload(&mut self, buf: &mut Vec<R>, data: &[R]) {
                buf[..data.len()].copy_from_slice(data);
            }
            fn download(&mut self, buf: &Vec<R>, out: &mut [R]) {
                let n = out.len();
                out.copy_from_slice(&buf[..n]);
            }
            #[inline(never)]
            fn matmul(&mut self, g: Gemm, a: &Vec<R>, b: &Vec<R>, c: &mut Vec<R>) {
                let (a, b) = (&a[..g.m * g.k], &b[..g.k * g.n]);
                R::gemm(g, a, b, &mut c[..g.m * g.n], &mut self.scratch);
            }
            #[inline(never)]
            fn bias_act(&mut self, dims: Dims, bias: Option<&Vec<R>>, act: Activation, z: &mut Vec<R>, y: &mut Vec<R>) {
                elementwise::bias_act(dims, bias.map(|b| &b[..]), act, z, y);
            }
            #[inline(never)]
            fn act_backward(&mut self, dims: Dims, act: Activation, z: &Vec<R>, y: &Vec<R>, g: &mut Vec<R>) {
                elementwise::act_backward(dims, act, z, y, g);
            }
            #[inline(never)]
            fn col_sum(&mut self, dims: Dims, x: &Vec<R>, out: &mut Vec<R>, accumulate: bool) {
                elementwise::col_sum(dims, x, out, accumulate);
            }
            #[inline(never)]
            fn axpby(&mut self, len: usize, a: f64, x: &Vec<R>, b: f64, y: &mut Vec<R>) {
                elementwise::axpby(len, a, x, b, y);
            }
            #[inline(never)]
            fn copy_cols(&mut self, op: CopyCols, src: &Vec<R>, dst: &mut Vec<R>) {
                elementwise::copy_cols(op, src, dst);
            }
            #[inline(never)]
            fn norm_forward(
                &mut self,
                op: NormOp,
                x: &Vec<R>,
                gain: &Vec<R>,
                shift: Option<&Vec<R>>,
                running: Option<(&mut Vec<R>, &mut Vec<R>)>,
                saved: NormSaved<'_, Self>,
                y: &mut Vec<R>,
            ) {
                let saved = norm::Saved { xhat: saved.xhat, inv_std: saved.inv_std };
                let running = running.map(|(m, v)| (&mut m[..], &mut v[..]));
                norm::forward(op, x, gain, shift.map(|s| &s[..]), running, saved, y);
            }
            #[inline(never)]
            fn norm_backward(
                &mut self,
                op: NormOp,
                g: &Vec<R>,
                gain: &Vec<R>,
                xhat: &Vec<R>,
                inv_std: &Vec<R>,
                d_gain: &mut Vec<R>,
                d_shift: Option<&mut Vec<R>>,
                dx: Option<&mut Vec<R>>,
            ) {
                norm::backward(op, g, gain, xhat, inv_std, d_gain, d_shift.map(|s| &mut s[..]), dx.map(|d| &mut d[..]));
            }
            #[inline(never)]
            fn dropout(&mut self, op: DropoutOp, x: &Vec<R>, mask: &mut Vec<R>, y: &mut Vec<R>) {
                elementwise::dropout(op, x, mask, y);
            }
            #[inline(never)]
            fn mul(&mut self, len: usize, x: &Vec<R>, m: &Vec<R>, y: &mut Vec<R>) {
                elementwise::mul(len, x, m, y);
            }
            #[inline(never)]
            fn loss(&mut self, loss: Loss, dims: Dims, outputs: &Vec<R>, targets: &Vec<R>, grad: &mut Vec<R>) -> f64 {
                loss::loss(loss, dims, outputs, targets, grad)
            }
            #[inline(never)]
            fn scale(&mut self, s: f64, y: &mut Vec<R>) {
                let s = R::of(s);
                y.iter_mut().for_each(|v| *v *= s);
            }
            #[inline(never)]
            fn sum_squares(&mut self, x: &Vec<R>) -> f64 {
                elementwise::sum_squares(x)
            }
            #[inline(never)]
            fn penalty(&mut self, l1: f64, l2: f64, p: &Vec<R>, g: &mut Vec<R>) {
                elementwise::penalty(l1, l2, p, g);
            }
            #[inline(never)]
            fn add_noise(&mut self, std: f64, key: u32, g: &mut Vec<R>) {
                elementwise::add_noise(std, key, g);
            }
            #[inline(never)]
            fn loss_to(
                &mut self,
                loss: Loss,
                dims: Dims,
                outputs: &Vec<R>,
                targets: &Vec<R>,
                grad: &mut Vec<R>,
                stats: &mut Vec<R>,
            ) {
                stats[STAT_LOSS] = R::of(loss::loss(loss, dims, outputs, targets, grad));
            }
            #[inline(never)]
            fn sum_squares_to(&mut self, xs: &mut dyn Iterator<Item = &Vec<R>>, stats: &mut Vec<R>) {
                stats[STAT_NORM] = R::of(xs.map(|x| elementwise::sum_squares(x)).sum());
            }
            #[inline(never)]
            fn guard(&mut self, guard: Guard, stats: &mut Vec<R>) {
                let healthy = !guard.sticky || stats[STAT_HEALTHY] != R::zero();
                let first = stats[STAT_FIRST].to64();
                let allows = healthy && guard.allows(stats[STAT_LOSS].to64(), stats[STAT_NORM].to64(), first);
                stats[STAT_OK] = if allows { R::one() } else { R::zero() };
                if allows && first < 0.0 {
                    stats[STAT_FIRST] = stats[STAT_LOSS];
                }
                if guard.sticky && !allows {
                    stats[STAT_HEALTHY] = R::zero();
                }
            }
            #[inline(never)]
            fn clip(&mut self, clip: f64, stats: &Vec<R>, y: &mut Vec<R>) {
                let norm = stats[STAT_NORM].to64().sqrt();
                if norm > clip {
                    self.scale(clip / (norm + 1e-6), y);
                }
            }
            #[inline(never)]
            fn update(
                &mut self,
                u: Update,
                p: &mut Vec<R>,
                g: &Vec<R>,
                m: &mut Vec<R>,
                v: &mut Vec<R>,
                stats: &Vec<R>,
            ) {
                if stats[STAT_OK] == R::zero() {
                    return;
                }
                optim::update(u, p, g, m, v);
            }
            #[inline(never)]
            fn embed_forward(&mut self, op: EmbedOp, ids: &Vec<R>, table: &Vec<R>, pos: &Vec<R>, y: &mut Vec<R>) {
                sequence::embed_forward(op, ids, table, pos, y);
            }
            #[inline(never)]
            fn embed_backward(
                &mut self,
                op: EmbedOp,
                ids: &Vec<R>,
                g: &Vec<R>,
                d_table: &mut Vec<R>,
                d_pos: Option<&mut Vec<R>>,
            ) {
                sequence::embed_backward(op, ids, g, d_table, d_pos.map(|d| &mut d[..]));
            }
            #[inline(never)]
            fn pool_forward(&mut self, op: PoolOp, x: &Vec<R>, y: &mut Vec<R>) {
                sequence::pool_forward(op, x, y);
            }
            #[inline(never)]
            fn pool_backward(&mut self, op: PoolOp, g: &Vec<R>, dx: &mut Vec<R>) {
                sequence::pool_backward(op, g, dx);
            }
            #[inline(never)]
            fn kan_basis(&mut self, op: KanOp, x: &Vec<R>, features: &mut Vec<R>) {
                kan::kan_basis(op, x, features);
            }
            #[inline(never)]
            fn kan_basis_backward(&mut self, op: KanOp, x: &Vec<R>, d_features: &Vec<R>, dx: &mut Vec<R>) {
                kan::kan_basis_backward(op, x, d_features, dx);
            }
            #[inline(never)]
            fn rational_forward(&mut self, op: RationalOp, x: &Vec<R>, coeffs: &Vec<R>, y: &mut Vec<R>) {
                kan::rational_forward(op, x, coeffs, y);
            }
            #[inline(never)]
            fn rational_backward(
                &mut self,
                op: RationalOp,
                x: &Vec<R>,
                coeffs: &Vec<R>,
                g: &Vec<R>,
                d_coeffs: &mut Vec<R>,
                dx: Option<&mut Vec<R>>,
            ) {
                kan::rational_backward(op, x, coeffs, g, d_coeffs, dx.map(|d| &mut d[..]));
            }
            #[inline(never)]
            fn moe_route(
                &mut self,
                op: MoeOp,
                logits: &Vec<R>,
                probs: &mut Vec<R>,
                gates: &mut Vec<R>,
                aux: &mut Vec<R>,
            ) {
                moe::route(op, logits, probs, gates, aux);
            }
            #[inline(never)]
            fn moe_route_backward(
                &mut self,
                op: MoeOp,
                probs: &Vec<R>,
                gates: &Vec<R>,
                d_gates: &Vec<R>,
                d_logits: &mut Vec<R>,
            ) {
                moe::route_backward(op, probs, gates, d_gates, d_logits);
            }
            #[inline(never)]
            fn gate_rows(&mut self, op: GateOp, gates: &Vec<R>, x: &Vec<R>, y: &mut Vec<R>) {
                moe::gate_rows(op.moe, op.expert, op.cols, gates, x, y, op.accumulate);
            }
            #[inline(never)]
            fn gate_grad(&mut self, op: GateOp, g: &Vec<R>, x: &Vec<R>, d_gates: &mut Vec<R>) {
                moe::gate_grad(op.moe, op.expert, op.cols, g, x, d_gates);
            }
            #[inline(never)]
            fn swap_axes(&mut self, op: SwapAxes, x: &Vec<R>, y: &mut Vec<R>) {
                sequence::swap_axes(op, x, y);
            }
            #[inline(never)]
            fn attention_forward(&mut self, op: AttentionOp, qkv: &Vec<R>, probs: &mut Vec<R>, o: &mut Vec<R>) {
                sequence::attention_forward(op, qkv, probs, o);
            }
            #[inline(never)]
            fn attention_backward(
                &mut self,
                op: AttentionOp,
                qkv: &Vec<R>,
                probs: &Vec<R>,
                d_o: &Vec<R>,
                d_qkv: &mut Vec<R>,
            ) {
                sequence::attention_backward(op, qkv, probs, d_o, d_qkv);
            }
        }
    };
}

mod backend_f32 {
    type R = f32;
    backend_for_r!();
}

mod backend_f64 {
    type R = f64;
    backend_for_r!();
}
