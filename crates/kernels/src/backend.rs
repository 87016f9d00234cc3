//! The backend interface: the few operations training needs, on buffers that live wherever the
//! backend computes (host memory for the CPU, GPU memory for WebGPU). The CPU backend
//! ([`crate::cpu::Cpu`]) is the reference every other backend is tested against.
//!
//! Matrices are row-major; a batch is `rows` examples of `cols` numbers. Ops take their shapes
//! in small structs rather than loose integers and flags.

use layerlab_spec::model::{Activation, NormKind, PoolMode};
use layerlab_spec::train::Loss;

pub use crate::cpu::gemm::Gemm;
use crate::real::Real;

/// A rows × cols batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub rows: usize,
    pub cols: usize,
}

impl Dims {
    pub fn len(self) -> usize {
        self.rows * self.cols
    }
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A normalisation, forward or backward.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormOp {
    pub kind: NormKind,
    pub dims: Dims,
    pub eps: f64,
    /// BatchNorm: normalise with the batch's statistics and update the running ones (training),
    /// or with the running ones (evaluation). Ignored by the other kinds.
    pub train: bool,
    /// BatchNorm: weight of the new batch in the running statistics.
    pub momentum: f64,
}

/// The buffers a normalisation keeps for its backward pass.
pub struct NormSaved<'a, B: Backend + ?Sized> {
    /// The normalised input, before gain and shift.
    pub xhat: &'a mut B::Buf,
    /// 1/σ per row (LayerNorm, RMSNorm) or per column (BatchNorm).
    pub inv_std: &'a mut B::Buf,
}

/// Where one training step keeps its numbers on the backend, so the step reads nothing back
/// until its end (and, on a device, could read them later): the batch's loss, the gradients'
/// sum of squares, and whether the update went ahead.
pub const STAT_LOSS: usize = 0;
pub const STAT_NORM: usize = 1;
pub const STAT_OK: usize = 2;
/// 1 until a sticky guard refuses a step, 0 after: deferred steps (read back later) stop
/// updating at the first refused one, so the weights stay those before it.
pub const STAT_HEALTHY: usize = 3;
/// The first good step's loss, kept by the guard (−1 before it): the reference of the ceiling.
pub const STAT_FIRST: usize = 4;
/// Numbers in a step's stats buffer.
pub const STATS: usize = 5;

/// When a step's update may go ahead: the loss is finite and at most `explosion` times the
/// first good step's (any loss, for the first step), the gradient norm is finite, and the
/// largest move of a weight, `reach_per_norm · norm + reach_fixed`, stays within `max_update`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guard {
    pub explosion: f64,
    pub reach_per_norm: f64,
    pub reach_fixed: f64,
    pub max_update: f64,
    /// Also refuse once an earlier sticky guard refused (`stats[STAT_HEALTHY]` is 0), and
    /// record a refusal there.
    pub sticky: bool,
}

impl Guard {
    /// The highest loss allowed, given the first good step's (negative: there is none yet).
    pub fn ceiling(&self, first: f64) -> f64 {
        if first < 0.0 { f64::INFINITY } else { self.explosion * first.max(1e-6) }
    }

    /// The rule every backend applies (the GPU's optim.wgsl states it again).
    pub fn allows(&self, loss: f64, sum_squares: f64, first: f64) -> bool {
        let norm = sum_squares.sqrt();
        loss.is_finite()
            && loss <= self.ceiling(first)
            && norm.is_finite()
            && self.reach_per_norm * norm + self.reach_fixed <= self.max_update
    }
}

/// One optimizer update of one parameter tensor ([`Update::new`] fills in the bias corrections).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    pub rule: UpdateRule,
    pub learning_rate: f64,
    /// Adam's bias corrections at step t, `1 − β₁ᵗ` and `√(1 − β₂ᵗ)`, computed once per step
    /// rather than per tensor (the powers took 7 % of the tiny MLP's step); 1 for other rules.
    pub bias: (f64, f64),
}

impl Update {
    /// The update of `step`, the 1-based count of updates so far.
    pub fn new(rule: UpdateRule, learning_rate: f64, step: u64) -> Self {
        let bias = match rule {
            UpdateRule::Adam { beta1, beta2, .. } => {
                let t = step.min(i32::MAX as u64) as i32;
                (1.0 - beta1.powi(t), (1.0 - beta2.powi(t)).sqrt())
            }
            UpdateRule::Sgd | UpdateRule::Momentum { .. } => (1.0, 1.0),
        };
        Self { rule, learning_rate, bias }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UpdateRule {
    Sgd,
    /// PyTorch's SGD with momentum: `v = μv + g; p -= lr·v`.
    Momentum {
        momentum: f64,
    },
    /// Adam, or AdamW when `weight_decay` > 0 (decoupled: `p *= 1 - lr·wd` first).
    Adam {
        beta1: f64,
        beta2: f64,
        epsilon: f64,
        weight_decay: f64,
    },
}

/// A random keep-or-drop mask, reproducible on every backend: element `i` is kept when
/// [`crate::rng::uniform`]`(key, i)` ≥ `rate`, and kept elements are scaled by `1/(1-rate)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropoutOp {
    pub len: usize,
    pub rate: f64,
    pub key: u32,
}

/// What a backend must do. Buffers are created zeroed at a fixed length and never resized.
/// Every parameter is used once per forward pass, so backward ops write (not add to) gradients.
pub trait Backend {
    type R: Real;
    type Buf;

    /// A short name for messages ("CPU (f32)").
    fn name(&self) -> String;
    /// Why this backend can no longer compute (its GPU was lost), once that has happened; its
    /// results since are not to be trusted.
    fn fault(&self) -> Option<String> {
        None
    }
    /// Whether this backend's device can be lost mid-run (then a run keeps checkpoints to go on
    /// elsewhere).
    fn can_be_lost(&self) -> bool {
        false
    }
    fn alloc(&mut self, len: usize) -> Self::Buf;
    fn len(&self, buf: &Self::Buf) -> usize;
    fn upload(&mut self, buf: &mut Self::Buf, data: &[Self::R]);
    fn download(&mut self, buf: &Self::Buf, out: &mut [Self::R]);

    /// `c = a·b` or `c += a·b`.
    fn matmul(&mut self, g: Gemm, a: &Self::Buf, b: &Self::Buf, c: &mut Self::Buf);
    /// `z += bias` (per column, when given), then `y = act(z)`.
    fn bias_act(&mut self, dims: Dims, bias: Option<&Self::Buf>, act: Activation, z: &mut Self::Buf, y: &mut Self::Buf);
    /// `g *= act'(z)` in place: from the gradient of `y = act(z)` to the gradient of `z`.
    fn act_backward(&mut self, dims: Dims, act: Activation, z: &Self::Buf, y: &Self::Buf, g: &mut Self::Buf);
    /// `out (+)= the column sums of x`.
    fn col_sum(&mut self, dims: Dims, x: &Self::Buf, out: &mut Self::Buf, accumulate: bool);
    /// `y = a·x + b·y` over the first `len` elements.
    fn axpby(&mut self, len: usize, a: f64, x: &Self::Buf, b: f64, y: &mut Self::Buf);
    /// Copies a block of columns: `dst[:, dst_at..dst_at+width] (+)= src[:, src_at..src_at+width]`,
    /// for concatenating branches and splitting their gradients.
    fn copy_cols(&mut self, op: CopyCols, src: &Self::Buf, dst: &mut Self::Buf);
    #[allow(clippy::too_many_arguments)]
    fn norm_forward(
        &mut self,
        op: NormOp,
        x: &Self::Buf,
        gain: &Self::Buf,
        shift: Option<&Self::Buf>,
        running: Option<(&mut Self::Buf, &mut Self::Buf)>,
        saved: NormSaved<'_, Self>,
        y: &mut Self::Buf,
    );
    /// From the gradient of the output `g` to `dx` (when asked for), writing the gain's and shift's gradients.
    #[allow(clippy::too_many_arguments)]
    fn norm_backward(
        &mut self,
        op: NormOp,
        g: &Self::Buf,
        gain: &Self::Buf,
        xhat: &Self::Buf,
        inv_std: &Self::Buf,
        d_gain: &mut Self::Buf,
        d_shift: Option<&mut Self::Buf>,
        dx: Option<&mut Self::Buf>,
    );
    /// `y = mask ⊙ x` with a fresh mask, which is kept in `mask` for the backward pass
    /// (`dx = mask ⊙ dy`, an [`Backend::mul`]).
    fn dropout(&mut self, op: DropoutOp, x: &Self::Buf, mask: &mut Self::Buf, y: &mut Self::Buf);
    /// `y = x ⊙ m` over the first `len` elements.
    fn mul(&mut self, len: usize, x: &Self::Buf, m: &Self::Buf, y: &mut Self::Buf);
    /// The mean loss of a batch, and its gradient with respect to the outputs in `grad`.
    /// Targets: MSE, rows × cols values; binary cross-entropy, one 0/1 per row (cols = 1);
    /// cross-entropy, one class index per row.
    fn loss(&mut self, loss: Loss, dims: Dims, outputs: &Self::Buf, targets: &Self::Buf, grad: &mut Self::Buf) -> f64;
    /// `y *= s` over the whole buffer.
    fn scale(&mut self, s: f64, y: &mut Self::Buf);
    /// Σ x² over the whole buffer.
    fn sum_squares(&mut self, x: &Self::Buf) -> f64;
    /// `stats[STAT_LOSS]` = the batch's mean loss, as [`Backend::loss`] computes it (and its
    /// gradient in `grad`), without reading it back.
    fn loss_to(
        &mut self,
        loss: Loss,
        dims: Dims,
        outputs: &Self::Buf,
        targets: &Self::Buf,
        grad: &mut Self::Buf,
        stats: &mut Self::Buf,
    );
    /// `stats[STAT_NORM]` = Σ x² over all of `xs`, without reading it back. (A `dyn` iterator:
    /// a generic method would be compiled where it is called, at the caller's opt-level, and a
    /// collected list would allocate every step; see the CPU backend.)
    fn sum_squares_to(&mut self, xs: &mut dyn Iterator<Item = &Self::Buf>, stats: &mut Self::Buf);
    /// `stats[STAT_OK]` = 1 when [`Guard::allows`] the step's update (and, when sticky, no
    /// earlier sticky guard refused), 0 otherwise; the first allowed step's loss goes to
    /// `stats[STAT_FIRST]`.
    fn guard(&mut self, guard: Guard, stats: &mut Self::Buf);
    /// Gradient clipping by the global norm in `stats[STAT_NORM]` (a sum of squares): when the
    /// norm exceeds `clip`, `y *= clip / (norm + 1e-6)`.
    fn clip(&mut self, clip: f64, stats: &Self::Buf, y: &mut Self::Buf);
    /// `g += l1·sign(p) + l2·p`: the gradient of the L1 and L2 penalties.
    fn penalty(&mut self, l1: f64, l2: f64, p: &Self::Buf, g: &mut Self::Buf);
    /// `g += std · N(0, 1)`, with normals drawn from [`crate::rng::normal`]`(key, i)`.
    fn add_noise(&mut self, std: f64, key: u32, g: &mut Self::Buf);
    /// One optimizer step, taken only when `stats[STAT_OK]` is not 0; `m` and `v` are the
    /// optimizer's state (unused ones may be empty).
    fn update(
        &mut self,
        u: Update,
        p: &mut Self::Buf,
        g: &Self::Buf,
        m: &mut Self::Buf,
        v: &mut Self::Buf,
        stats: &Self::Buf,
    );

    /// `y[e, t] = table[ids[e, t]] + pos[t]`: token ids (one row of `len` per example) to vectors.
    fn embed_forward(&mut self, op: EmbedOp, ids: &Self::Buf, table: &Self::Buf, pos: &Self::Buf, y: &mut Self::Buf);
    /// Writes the table's gradient and, for learned positions, the positions' from the output's.
    fn embed_backward(
        &mut self,
        op: EmbedOp,
        ids: &Self::Buf,
        g: &Self::Buf,
        d_table: &mut Self::Buf,
        d_pos: Option<&mut Self::Buf>,
    );
    /// One vector per sequence (the mean of its tokens, or its last).
    fn pool_forward(&mut self, op: PoolOp, x: &Self::Buf, y: &mut Self::Buf);
    fn pool_backward(&mut self, op: PoolOp, g: &Self::Buf, dx: &mut Self::Buf);
    /// Swaps the two middle axes of each example's `outer × a × b × inner` block of numbers:
    /// the transposes behind MLP-Mixer's token mixing and behind cutting an image into patches.
    /// Its backward is the same op with `a` and `b` exchanged.
    fn swap_axes(&mut self, op: SwapAxes, x: &Self::Buf, y: &mut Self::Buf);
    /// A Kolmogorov-Arnold layer's per-edge features of each input: `[silu(x), B₀(x), …]`.
    fn kan_basis(&mut self, op: KanOp, x: &Self::Buf, features: &mut Self::Buf);
    /// From the features' gradient to the input's.
    fn kan_basis_backward(&mut self, op: KanOp, x: &Self::Buf, d_features: &Self::Buf, dx: &mut Self::Buf);
    /// `y = P(x) / (1 + |Q(x)|)`, one rational function per group of columns.
    fn rational_forward(&mut self, op: RationalOp, x: &Self::Buf, coeffs: &Self::Buf, y: &mut Self::Buf);
    /// Writes the coefficients' gradients and, when asked, `dx`.
    fn rational_backward(
        &mut self,
        op: RationalOp,
        x: &Self::Buf,
        coeffs: &Self::Buf,
        g: &Self::Buf,
        d_coeffs: &mut Self::Buf,
        dx: Option<&mut Self::Buf>,
    );
    /// Router probabilities, gates (probabilities of the top-k experts, 0 elsewhere) and the
    /// load-balancing loss in `aux[0]`, from the router's logits.
    fn moe_route(
        &mut self,
        op: MoeOp,
        logits: &Self::Buf,
        probs: &mut Self::Buf,
        gates: &mut Self::Buf,
        aux: &mut Self::Buf,
    );
    /// From the gates' gradient and the balancing loss to the router logits' gradient.
    fn moe_route_backward(
        &mut self,
        op: MoeOp,
        probs: &Self::Buf,
        gates: &Self::Buf,
        d_gates: &Self::Buf,
        d_logits: &mut Self::Buf,
    );
    /// `y (+)= gates[:, expert] ⊙ x` row by row (`x` and `y` are rows × cols).
    fn gate_rows(&mut self, op: GateOp, gates: &Self::Buf, x: &Self::Buf, y: &mut Self::Buf);
    /// `d_gates[:, expert] = rowsum(g ⊙ x)`.
    fn gate_grad(&mut self, op: GateOp, g: &Self::Buf, x: &Self::Buf, d_gates: &mut Self::Buf);
    /// Scaled dot-product attention per example and head on `qkv` (token rows `[q | k | v]`),
    /// keeping the probabilities in `probs` (`rows × heads × len × len`).
    fn attention_forward(&mut self, op: AttentionOp, qkv: &Self::Buf, probs: &mut Self::Buf, o: &mut Self::Buf);
    /// From the gradient of the attention's output to that of `qkv`.
    fn attention_backward(
        &mut self,
        op: AttentionOp,
        qkv: &Self::Buf,
        probs: &Self::Buf,
        d_o: &Self::Buf,
        d_qkv: &mut Self::Buf,
    );
}

/// An embedding lookup: `rows` sequences of `len` ids below `vocab`, to `dim` numbers each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedOp {
    pub rows: usize,
    pub len: usize,
    pub vocab: usize,
    pub dim: usize,
}

/// Routing `rows` rows among `experts`, `top_k` each, with the balancing loss weighted `balance`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoeOp {
    pub rows: usize,
    pub experts: usize,
    pub top_k: usize,
    pub balance: f64,
}

/// One expert's gate applied to (or differentiated against) its rows × cols output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateOp {
    pub moe: MoeOp,
    pub expert: usize,
    pub cols: usize,
    pub accumulate: bool,
}

/// B-spline features of `rows × width` inputs: `grid` intervals over [`lo`, `hi`] (extended by
/// `order` knots each side), splines of `order`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KanOp {
    pub rows: usize,
    pub width: usize,
    pub grid: usize,
    pub order: usize,
    pub lo: f64,
    pub hi: f64,
}

impl KanOp {
    /// The spacing of the knots.
    pub fn step(self) -> f64 {
        (self.hi - self.lo) / self.grid as f64
    }
}

/// Group-rational functions on `rows × width` inputs, `width / groups` columns per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RationalOp {
    pub rows: usize,
    pub width: usize,
    pub groups: usize,
}

/// `examples` blocks of `outer × a × b × inner` numbers, each rearranged to `outer × b × a × inner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwapAxes {
    pub examples: usize,
    pub outer: usize,
    pub a: usize,
    pub b: usize,
    pub inner: usize,
}

impl SwapAxes {
    /// The op that undoes this one.
    pub fn inverse(self) -> SwapAxes {
        SwapAxes { a: self.b, b: self.a, ..self }
    }
}

/// Pooling `rows` sequences of `len` tokens of `dim` numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOp {
    pub rows: usize,
    pub len: usize,
    pub dim: usize,
    pub mode: PoolMode,
}

/// Self-attention over `rows` sequences of `len` tokens of model width `dim`, split into `heads`.
/// With `causal`, token `i` sees tokens `0..=i` only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttentionOp {
    pub rows: usize,
    pub len: usize,
    pub dim: usize,
    pub heads: usize,
    pub causal: bool,
}

/// A block of columns to move between two batches of the same rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyCols {
    pub rows: usize,
    pub width: usize,
    pub src_cols: usize,
    pub src_at: usize,
    pub dst_cols: usize,
    pub dst_at: usize,
    pub accumulate: bool,
}
