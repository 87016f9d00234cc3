//! [`Backend`] for [`Gpu`]: each op records one or two dispatches of a WGSL kernel; only
//! `download` and the ops that return a number (a loss, a sum of squares) wait for the GPU.

use layerlab_engine::backend::{
    AttentionOp, Backend, CopyCols, Dims, DropoutOp, EmbedOp, GateOp, Gemm, Guard, KanOp, MoeOp, NormOp, NormSaved,
    PoolOp, RationalOp, STAT_LOSS, STAT_NORM, SwapAxes, Update, UpdateRule,
};
use layerlab_spec::model::{Activation, NormKind, PoolMode};
use layerlab_spec::train::Loss;

use crate::context::{Context, GROUP, GpuBuf, groups_1d};
use crate::kernels::{self as k, Kernel};
use crate::{Gpu, partial_count};

/// A count or an index as a parameter word.
fn w(x: usize) -> u32 {
    u32::try_from(x).expect("GPU ops index with 32 bits")
}

/// A real as a parameter word (the kernels compute in f32).
fn f(x: f64) -> u32 {
    (x as f32).to_bits()
}

fn flag(b: bool) -> u32 {
    u32::from(b)
}

/// The activation's number in activation.wgsl.
fn act_code(act: Activation) -> u32 {
    match act {
        Activation::Relu => 0,
        Activation::LeakyRelu => 1,
        Activation::Gelu => 2,
        Activation::Silu => 3,
        Activation::Tanh => 4,
        Activation::Sigmoid => 5,
        Activation::Sine => 6,
        Activation::Identity => 7,
    }
}

/// One sum on the GPU: `out[slot] = scale · Σ x² (or Σ x)` over the first `n` numbers.
#[derive(Clone, Copy)]
struct Sum {
    n: usize,
    square: bool,
    slot: usize,
    scale: f64,
}

/// Records a sum, in two dispatches through the `partials` scratch.
fn reduce_into(ctx: &mut Context, partials: &GpuBuf, x: &GpuBuf, sum: Sum, out: &GpuBuf) {
    let groups = sum.n.div_ceil(GROUP as usize).clamp(1, partial_count(ctx.emulator));
    ctx.dispatch(k::PARTIAL_SUMS, &[w(sum.n), flag(sum.square)], &[x, partials], [w(groups), 1, 1]);
    ctx.dispatch(k::FINAL_SUM, &[w(groups), w(sum.slot), f(sum.scale)], &[partials, out], [1, 1, 1]);
}

/// Records a loss's gradient into `grad` and its mean into `out[STAT_LOSS]` (the first number,
/// in a step's stats as in the results `loss` reads back), through the `terms` scratch.
fn loss_into(
    ctx: &mut Context,
    (partials, terms): (&GpuBuf, &mut GpuBuf),
    (loss, dims): (Loss, Dims),
    [outputs, targets, grad]: [&GpuBuf; 3],
    out: &GpuBuf,
) {
    let (kernel, n) = match loss {
        Loss::Mse => (k::MSE, dims.len()),
        Loss::BinaryCrossEntropy => (k::BINARY_CROSS_ENTROPY, dims.rows),
        Loss::CrossEntropy => (k::CROSS_ENTROPY, dims.rows),
    };
    Gpu::ensure(ctx, terms, n);
    ctx.dispatch(kernel, &[w(dims.rows), w(dims.cols)], &[outputs, targets, grad, terms], groups_1d(n));
    let sum = Sum { n, square: false, slot: STAT_LOSS, scale: 1.0 / n.max(1) as f64 };
    reduce_into(ctx, partials, terms, sum, out);
}

impl Gpu {
    /// Records `results[slot] = Σ x²` over all of `x`.
    fn square_sum(&mut self, x: &GpuBuf, slot: usize) {
        Gpu::ensure(&mut self.ctx, &mut self.results, slot + 1);
        let sum = Sum { n: x.len, square: true, slot, scale: 1.0 };
        reduce_into(&mut self.ctx, &self.partials, x, sum, &self.results);
    }

    /// Reads back the first `count` reduced numbers (one wait for all of them).
    fn read_results(&mut self, count: usize) -> &[f32] {
        if self.results_host.len() < count {
            self.results_host.resize(count, 0.0);
        }
        self.ctx.download(&self.results, &mut self.results_host[..count]);
        &self.results_host[..count]
    }

    fn elementwise(&mut self, kernel: Kernel, params: &[u32], buffers: &[&GpuBuf], n: usize) {
        self.ctx.dispatch(kernel, params, buffers, groups_1d(n));
    }
}

impl Backend for Gpu {
    type R = f32;
    type Buf = GpuBuf;

    fn name(&self) -> String {
        format!("GPU (f32, {})", self.ctx.adapter)
    }
    fn fault(&self) -> Option<String> {
        self.ctx.fault()
    }
    fn can_be_lost(&self) -> bool {
        true
    }
    fn alloc(&mut self, len: usize) -> GpuBuf {
        self.ctx.alloc(len)
    }
    fn len(&self, buf: &GpuBuf) -> usize {
        buf.len
    }
    fn upload(&mut self, buf: &mut GpuBuf, data: &[f32]) {
        self.ctx.upload(buf, data);
    }
    fn download(&mut self, buf: &GpuBuf, out: &mut [f32]) {
        self.ctx.download(buf, out);
    }

    fn matmul(&mut self, g: Gemm, a: &GpuBuf, b: &GpuBuf, c: &mut GpuBuf) {
        let params = [w(g.m), w(g.n), w(g.k), flag(g.a_trans), flag(g.b_trans), flag(g.accumulate)];
        let tiles = self.matmul.tiles(g.m, g.n);
        let size = [w(g.n.div_ceil(tiles.cols)), w(g.m.div_ceil(tiles.rows)), 1];
        let kernel = tiles.kernel(self.matmul.checks);
        self.ctx.dispatch(kernel, &params, &[a, b, c], size);
    }
    fn bias_act(&mut self, dims: Dims, bias: Option<&GpuBuf>, act: Activation, z: &mut GpuBuf, y: &mut GpuBuf) {
        let params = [w(dims.len()), w(dims.cols), act_code(act), flag(bias.is_some())];
        let bias = bias.unwrap_or(&self.dummy);
        self.ctx.dispatch(k::BIAS_ACT, &params, &[bias, z, y], groups_1d(dims.len()));
    }
    fn act_backward(&mut self, dims: Dims, act: Activation, z: &GpuBuf, y: &GpuBuf, g: &mut GpuBuf) {
        if act != Activation::Identity {
            self.elementwise(k::ACT_BACKWARD, &[w(dims.len()), act_code(act)], &[z, y, g], dims.len());
        }
    }
    fn col_sum(&mut self, dims: Dims, x: &GpuBuf, out: &mut GpuBuf, accumulate: bool) {
        self.elementwise(k::COL_SUM, &[w(dims.rows), w(dims.cols), flag(accumulate)], &[x, out], dims.cols);
    }
    fn axpby(&mut self, len: usize, a: f64, x: &GpuBuf, b: f64, y: &mut GpuBuf) {
        self.elementwise(k::AXPBY, &[w(len), f(a), f(b)], &[x, y], len);
    }
    fn copy_cols(&mut self, op: CopyCols, src: &GpuBuf, dst: &mut GpuBuf) {
        let params =
            [w(op.rows), w(op.width), w(op.src_cols), w(op.src_at), w(op.dst_cols), w(op.dst_at), flag(op.accumulate)];
        self.elementwise(k::COPY_COLS, &params, &[src, dst], op.rows * op.width);
    }
    fn norm_forward(
        &mut self,
        op: NormOp,
        x: &GpuBuf,
        gain: &GpuBuf,
        shift: Option<&GpuBuf>,
        running: Option<(&mut GpuBuf, &mut GpuBuf)>,
        saved: NormSaved<'_, Self>,
        y: &mut GpuBuf,
    ) {
        let Dims { rows, cols } = op.dims;
        let has_shift = flag(shift.is_some());
        let shift = shift.unwrap_or(&self.dummy);
        match op.kind {
            NormKind::Layer | NormKind::Rms => {
                let params = [w(rows), w(cols), f(op.eps), flag(op.kind == NormKind::Rms), has_shift];
                let buffers = [x, gain, shift, &*saved.xhat, &*saved.inv_std, &*y];
                self.ctx.dispatch(k::NORM_ROWS_FORWARD, &params, &buffers, groups_1d(rows));
            }
            NormKind::Batch => {
                let has_running = flag(running.is_some());
                // Evaluation reads the running statistics; training without them (never built
                // so) updates two throwaway numbers.
                let spare;
                let (mean, var): (&GpuBuf, &GpuBuf) = match &running {
                    Some((m, v)) => (m, v),
                    None => {
                        spare = (self.ctx.alloc(cols), self.ctx.alloc(cols));
                        (&spare.0, &spare.1)
                    }
                };
                let params = [w(rows), w(cols), f(op.eps), flag(op.train), has_running, f(op.momentum), has_shift];
                let buffers = [x, gain, shift, mean, var, &*saved.xhat, &*saved.inv_std, &*y];
                self.ctx.dispatch(k::NORM_BATCH_FORWARD, &params, &buffers, groups_1d(cols));
            }
        }
    }
    fn norm_backward(
        &mut self,
        op: NormOp,
        g: &GpuBuf,
        gain: &GpuBuf,
        xhat: &GpuBuf,
        inv_std: &GpuBuf,
        d_gain: &mut GpuBuf,
        d_shift: Option<&mut GpuBuf>,
        dx: Option<&mut GpuBuf>,
    ) {
        let Dims { rows, cols } = op.dims;
        let has_shift = flag(d_shift.is_some());
        let d_shift: &GpuBuf = d_shift.map_or(&self.dummy, |b| &*b);
        self.ctx.dispatch(
            k::NORM_PARAM_GRADS,
            &[w(rows), w(cols), has_shift],
            &[g, xhat, d_gain, d_shift],
            groups_1d(cols),
        );
        let Some(dx) = dx else { return };
        let (mode, threads) = match (op.kind, op.train) {
            (NormKind::Layer, _) => (0, rows),
            (NormKind::Rms, _) => (1, rows),
            (NormKind::Batch, true) => (2, cols),
            (NormKind::Batch, false) => (3, rows * cols),
        };
        self.elementwise(k::NORM_INPUT_GRAD, &[w(rows), w(cols), mode], &[g, gain, xhat, inv_std, dx], threads);
    }
    fn dropout(&mut self, op: DropoutOp, x: &GpuBuf, mask: &mut GpuBuf, y: &mut GpuBuf) {
        let keep = 1.0 / (1.0 - op.rate);
        self.elementwise(k::DROPOUT, &[w(op.len), op.key, f(op.rate), f(keep)], &[x, mask, y], op.len);
    }
    fn mul(&mut self, len: usize, x: &GpuBuf, m: &GpuBuf, y: &mut GpuBuf) {
        self.elementwise(k::MUL, &[w(len)], &[x, m, y], len);
    }
    fn loss(&mut self, loss: Loss, dims: Dims, outputs: &GpuBuf, targets: &GpuBuf, grad: &mut GpuBuf) -> f64 {
        Gpu::ensure(&mut self.ctx, &mut self.results, 1);
        let scratch = (&self.partials, &mut self.terms);
        loss_into(&mut self.ctx, scratch, (loss, dims), [outputs, targets, grad], &self.results);
        f64::from(self.read_results(1)[0])
    }
    fn loss_to(
        &mut self,
        loss: Loss,
        dims: Dims,
        outputs: &GpuBuf,
        targets: &GpuBuf,
        grad: &mut GpuBuf,
        stats: &mut GpuBuf,
    ) {
        let scratch = (&self.partials, &mut self.terms);
        loss_into(&mut self.ctx, scratch, (loss, dims), [outputs, targets, grad], stats);
    }
    fn sum_squares_to(&mut self, xs: &mut dyn Iterator<Item = &GpuBuf>, stats: &mut GpuBuf) {
        // Each tensor's sum into its slot of `results`, then those into the stats.
        let mut count = 0;
        for (slot, x) in xs.enumerate() {
            self.square_sum(x, slot);
            count = slot + 1;
        }
        Gpu::ensure(&mut self.ctx, &mut self.results, 1);
        self.ctx.dispatch(k::FINAL_SUM, &[w(count), w(STAT_NORM), f(1.0)], &[&self.results, stats], [1, 1, 1]);
    }
    fn guard(&mut self, guard: Guard, stats: &mut GpuBuf) {
        let params = [
            f(guard.explosion),
            f(guard.reach_per_norm),
            f(guard.reach_fixed),
            f(guard.max_update),
            flag(guard.sticky),
        ];
        self.ctx.dispatch(k::GUARD, &params, &[stats], [1, 1, 1]);
    }
    fn clip(&mut self, clip: f64, stats: &GpuBuf, y: &mut GpuBuf) {
        self.elementwise(k::CLIP, &[w(y.len), f(clip)], &[stats, y], y.len);
    }
    fn scale(&mut self, s: f64, y: &mut GpuBuf) {
        self.elementwise(k::SCALE, &[w(y.len), f(s)], &[y], y.len);
    }
    fn sum_squares(&mut self, x: &GpuBuf) -> f64 {
        self.square_sum(x, 0);
        f64::from(self.read_results(1)[0])
    }
    fn penalty(&mut self, l1: f64, l2: f64, p: &GpuBuf, g: &mut GpuBuf) {
        let n = p.len.min(g.len);
        self.elementwise(k::PENALTY, &[w(n), f(l1), f(l2)], &[p, g], n);
    }
    fn add_noise(&mut self, std: f64, key: u32, g: &mut GpuBuf) {
        self.elementwise(k::ADD_NOISE, &[w(g.len), key, f(std)], &[g], g.len);
    }
    fn update(&mut self, u: Update, p: &mut GpuBuf, g: &GpuBuf, m: &mut GpuBuf, v: &mut GpuBuf, stats: &GpuBuf) {
        let n = p.len;
        let lr = u.learning_rate;
        match u.rule {
            UpdateRule::Sgd => self.elementwise(k::SGD, &[w(n), f(lr)], &[stats, p, g], n),
            UpdateRule::Momentum { momentum } => {
                self.elementwise(k::MOMENTUM, &[w(n), f(lr), f(momentum)], &[stats, p, g, m], n);
            }
            UpdateRule::Adam { beta1, beta2, epsilon, weight_decay } => {
                // The bias corrections as the CPU takes them, in f64, then rounded once.
                let (bc1, bc2_sqrt) = u.bias;
                let params = [
                    w(n),
                    f(lr / bc1),
                    f(beta1),
                    f(beta2),
                    f(epsilon),
                    f(bc2_sqrt),
                    f(1.0 - lr * weight_decay),
                    flag(weight_decay != 0.0),
                ];
                self.elementwise(k::ADAM, &params, &[stats, p, g, m, v], n);
            }
        }
    }

    fn embed_forward(&mut self, op: EmbedOp, ids: &GpuBuf, table: &GpuBuf, pos: &GpuBuf, y: &mut GpuBuf) {
        let params = [w(op.rows), w(op.len), w(op.vocab), w(op.dim)];
        self.elementwise(k::EMBED_FORWARD, &params, &[ids, table, pos, y], op.rows * op.len * op.dim);
    }
    fn embed_backward(
        &mut self,
        op: EmbedOp,
        ids: &GpuBuf,
        g: &GpuBuf,
        d_table: &mut GpuBuf,
        d_pos: Option<&mut GpuBuf>,
    ) {
        let params = [w(op.rows), w(op.len), w(op.vocab), w(op.dim)];
        self.elementwise(k::EMBED_TABLE_GRAD, &params, &[ids, g, d_table], op.vocab * op.dim);
        if let Some(d_pos) = d_pos {
            self.elementwise(k::EMBED_POS_GRAD, &[w(op.rows), w(op.len), w(op.dim)], &[g, d_pos], op.len * op.dim);
        }
    }
    fn pool_forward(&mut self, op: PoolOp, x: &GpuBuf, y: &mut GpuBuf) {
        let params = [w(op.rows), w(op.len), w(op.dim), flag(op.mode == PoolMode::Last)];
        self.elementwise(k::POOL_FORWARD, &params, &[x, y], op.rows * op.dim);
    }
    fn pool_backward(&mut self, op: PoolOp, g: &GpuBuf, dx: &mut GpuBuf) {
        let params = [w(op.rows), w(op.len), w(op.dim), flag(op.mode == PoolMode::Last)];
        self.elementwise(k::POOL_BACKWARD, &params, &[g, dx], op.rows * op.len * op.dim);
    }
    fn swap_axes(&mut self, op: SwapAxes, x: &GpuBuf, y: &mut GpuBuf) {
        let blocks = op.examples * op.outer;
        let params = [w(blocks), w(op.a), w(op.b), w(op.inner)];
        self.elementwise(k::SWAP_AXES, &params, &[x, y], blocks * op.a * op.b * op.inner);
    }
    fn kan_basis(&mut self, op: KanOp, x: &GpuBuf, features: &mut GpuBuf) {
        let n = op.rows * op.width;
        let params = [w(n), w(op.grid), w(op.order), f(op.lo), f(op.hi)];
        self.elementwise(k::KAN_BASIS, &params, &[x, features], n);
    }
    fn kan_basis_backward(&mut self, op: KanOp, x: &GpuBuf, d_features: &GpuBuf, dx: &mut GpuBuf) {
        let n = op.rows * op.width;
        let params = [w(n), w(op.grid), w(op.order), f(op.lo), f(op.hi)];
        self.elementwise(k::KAN_BASIS_BACKWARD, &params, &[x, d_features, dx], n);
    }
    fn rational_forward(&mut self, op: RationalOp, x: &GpuBuf, coeffs: &GpuBuf, y: &mut GpuBuf) {
        let params = [w(op.rows), w(op.width), w(op.groups)];
        self.elementwise(k::RATIONAL_FORWARD, &params, &[x, coeffs, y], op.rows * op.width);
    }
    fn rational_backward(
        &mut self,
        op: RationalOp,
        x: &GpuBuf,
        coeffs: &GpuBuf,
        g: &GpuBuf,
        d_coeffs: &mut GpuBuf,
        dx: Option<&mut GpuBuf>,
    ) {
        let params = [w(op.rows), w(op.width), w(op.groups)];
        self.elementwise(k::RATIONAL_COEFF_GRAD, &params, &[x, coeffs, g, d_coeffs], op.groups * 10);
        if let Some(dx) = dx {
            self.elementwise(k::RATIONAL_INPUT_GRAD, &params, &[x, coeffs, g, dx], op.rows * op.width);
        }
    }
    fn moe_route(&mut self, op: MoeOp, logits: &GpuBuf, probs: &mut GpuBuf, gates: &mut GpuBuf, aux: &mut GpuBuf) {
        let params = [w(op.rows), w(op.experts), w(op.top_k), f(op.balance)];
        self.elementwise(k::MOE_ROUTE_ROWS, &params, &[logits, probs, gates], op.rows);
        self.ctx.dispatch(k::MOE_BALANCE_LOSS, &params, &[probs, gates, aux], [1, 1, 1]);
    }
    fn moe_route_backward(
        &mut self,
        op: MoeOp,
        probs: &GpuBuf,
        gates: &GpuBuf,
        d_gates: &GpuBuf,
        d_logits: &mut GpuBuf,
    ) {
        let params = [w(op.rows), w(op.experts), w(op.top_k), f(op.balance)];
        self.elementwise(k::MOE_ROUTE_BACKWARD, &params, &[probs, gates, d_gates, d_logits], op.rows);
    }
    fn gate_rows(&mut self, op: GateOp, gates: &GpuBuf, x: &GpuBuf, y: &mut GpuBuf) {
        let params = [w(op.moe.rows), w(op.cols), w(op.moe.experts), w(op.expert), flag(op.accumulate)];
        self.elementwise(k::GATE_ROWS, &params, &[gates, x, y], op.moe.rows * op.cols);
    }
    fn gate_grad(&mut self, op: GateOp, g: &GpuBuf, x: &GpuBuf, d_gates: &mut GpuBuf) {
        let params = [w(op.moe.rows), w(op.cols), w(op.moe.experts), w(op.expert)];
        self.elementwise(k::GATE_GRAD, &params, &[g, x, d_gates], op.moe.rows);
    }
    fn attention_forward(&mut self, op: AttentionOp, qkv: &GpuBuf, probs: &mut GpuBuf, o: &mut GpuBuf) {
        let params = [w(op.rows), w(op.len), w(op.dim), w(op.heads), flag(op.causal)];
        self.elementwise(k::ATTENTION_FORWARD, &params, &[qkv, probs, o], op.rows * op.heads * op.len);
    }
    fn attention_backward(&mut self, op: AttentionOp, qkv: &GpuBuf, probs: &GpuBuf, d_o: &GpuBuf, d_qkv: &mut GpuBuf) {
        let params = [w(op.rows), w(op.len), w(op.dim), w(op.heads), flag(op.causal)];
        let queries = op.rows * op.heads * op.len;
        Gpu::ensure(&mut self.ctx, &mut self.scratch, queries * op.len);
        let ds = &self.scratch;
        self.ctx.dispatch(k::ATTENTION_SCORES_GRAD, &params, &[qkv, probs, d_o, ds, d_qkv], groups_1d(queries));
        self.ctx.dispatch(k::ATTENTION_KV_GRAD, &params, &[qkv, probs, d_o, ds, d_qkv], groups_1d(queries));
    }
}
