//! The architecture: a sequence of blocks, where a block may itself hold sequences (residual,
//! parallel). Each block's payload has defaults, so a link or file names only what differs.

use serde::{Deserialize, Serialize};

/// One block of the model. Hidden layers only: the output layer (a dense layer to the task's
/// outputs) is implied by the task and added after the last block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// A fully connected layer and its activation.
    Dense(Dense),
    /// LayerNorm, RMSNorm or BatchNorm.
    Norm(Norm),
    /// Dropout during training.
    Dropout(Dropout),
    /// `x + body(x)`; the body must keep the shape.
    Residual(Residual),
    /// Branches on the same input, summed or concatenated.
    Parallel(Parallel),
    /// Wide-narrow-wide residual MLP ("Rethinking the shape convention of an MLP").
    Hourglass(Hourglass),
    /// A Kolmogorov-Arnold layer: learnable functions on edges.
    Kan(Kan),
    /// Gated linear unit or bilinear layer.
    Glu(Glu),
    /// Mixture of experts: a router sends each example to its top-k expert MLPs.
    Moe(Moe),
    /// An MLP-Mixer block: token mixing then channel mixing, each with a skip.
    Mixer(Mixer),
    /// Multi-head self-attention, optionally with skip and MLP.
    Attention(Attention),
    /// Cuts a square image into patches and embeds each as a token.
    Patchify(Patchify),
    /// Embeds input tokens and their positions.
    Embed(Embed),
    /// Pools a sequence into one vector.
    Pool(Pool),
}

/// Activation functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Relu,
    LeakyRelu,
    Gelu,
    Silu,
    #[default]
    Tanh,
    Sigmoid,
    /// sin(x), as in SIREN ("Implicit Neural Representations with Periodic Activation Functions").
    Sine,
    Identity,
}

impl Activation {
    /// The largest size of an output, for the bounded activations (tanh, sigmoid, sine):
    /// their mean square stays below its square.
    pub fn bound(self) -> Option<f32> {
        match self {
            Activation::Tanh | Activation::Sigmoid | Activation::Sine => Some(1.0),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dense {
    pub units: u32,
    pub activation: Activation,
    pub bias: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormKind {
    #[default]
    Layer,
    Rms,
    Batch,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Norm {
    pub kind: NormKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dropout {
    /// Probability of dropping a unit, in [0, 1).
    pub rate: f32,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Residual {
    pub body: Vec<Block>,
    /// Stochastic depth: the probability of skipping the body for a batch, in [0, 1).
    pub drop_path: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Merge {
    #[default]
    Sum,
    Concat,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Parallel {
    pub branches: Vec<Vec<Block>>,
    pub merge: Merge,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hourglass {
    /// Width of the skip path; the input is lifted to it when its width differs.
    pub wide: u32,
    /// Width of the bottleneck each residual step passes through.
    pub narrow: u32,
    /// Residual steps.
    pub depth: u32,
    pub activation: Activation,
    /// Keep the lift at its random initialisation (the paper's proposal).
    pub frozen_lift: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KanBasis {
    /// B-splines on a grid ("KAN: Kolmogorov-Arnold Networks").
    #[default]
    BSpline,
    /// Group-rational functions ("Kolmogorov-Arnold Transformer").
    GroupRational,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Kan {
    pub units: u32,
    pub basis: KanBasis,
    /// Grid intervals (B-spline).
    pub grid: u32,
    /// Spline order (B-spline).
    pub order: u32,
    /// Groups sharing one rational function (group-rational).
    pub groups: u32,
    /// Grid refinement during training (B-spline): every `every` steps the knot spacing halves
    /// (a knot between each pair, over the splines' whole support: `G` intervals become
    /// `2G + 2·order`) while the intervals stay within `max_grid`, each time refitted so the
    /// learned functions are kept ("KAN: Kolmogorov-Arnold Networks", grid extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refine: Option<KanRefine>,
}

/// When and how far a KAN layer's grid grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KanRefine {
    pub every: u32,
    pub max_grid: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GluKind {
    /// (xW) * sigmoid(xV) ("Language Modeling with Gated Convolutional Networks").
    #[default]
    Glu,
    /// (xW) * (xV), no activation ("GLU Variants Improve Transformer").
    Bilinear,
    /// (xW) * silu(xV).
    Swiglu,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Glu {
    pub units: u32,
    pub kind: GluKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Moe {
    pub experts: u32,
    pub top_k: u32,
    /// Hidden units of each expert MLP.
    pub hidden: u32,
    /// Output units (each expert maps its input to this width).
    pub units: u32,
    /// Weight of the load-balancing loss.
    pub balance: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mixer {
    pub token_hidden: u32,
    pub channel_hidden: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Attention {
    pub heads: u32,
    pub causal: bool,
    /// Add the input back (x + attention(x)); without it, pure attention loses rank
    /// ("Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth").
    pub skip: bool,
    /// Follow with a position-wise MLP of this many hidden units (0: none).
    pub mlp_hidden: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Patchify {
    /// Side of a square patch, in pixels.
    pub patch: u32,
    /// Width of each patch's embedding.
    pub dim: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Embed {
    pub dim: u32,
    pub positions: Positions,
}

/// How an embed block tells positions apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Positions {
    /// A learned vector per position.
    #[default]
    Learned,
    /// Fixed sines and cosines of geometrically spaced frequencies ("Attention Is All You Need").
    Sinusoidal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    #[default]
    Mean,
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Pool {
    pub mode: PoolMode,
}

impl Default for Dense {
    fn default() -> Self {
        Self { units: 8, activation: Activation::Tanh, bias: true }
    }
}
impl Default for Dropout {
    fn default() -> Self {
        Self { rate: 0.1 }
    }
}
impl Default for Hourglass {
    fn default() -> Self {
        Self { wide: 32, narrow: 8, depth: 2, activation: Activation::Relu, frozen_lift: true }
    }
}
impl Default for Kan {
    fn default() -> Self {
        Self { units: 8, basis: KanBasis::BSpline, grid: 5, order: 3, groups: 8, refine: None }
    }
}
impl Default for Glu {
    fn default() -> Self {
        Self { units: 8, kind: GluKind::Glu }
    }
}
impl Default for Moe {
    fn default() -> Self {
        Self { experts: 4, top_k: 1, hidden: 16, units: 8, balance: 0.01 }
    }
}
impl Default for Mixer {
    fn default() -> Self {
        Self { token_hidden: 16, channel_hidden: 32 }
    }
}
impl Default for Attention {
    fn default() -> Self {
        Self { heads: 2, causal: false, skip: true, mlp_hidden: 0 }
    }
}
impl Default for Patchify {
    fn default() -> Self {
        Self { patch: 2, dim: 16 }
    }
}
impl Default for Embed {
    fn default() -> Self {
        Self { dim: 32, positions: Positions::Learned }
    }
}

impl Block {
    /// The stable name of the block's kind, as links and files write it.
    pub fn kind(&self) -> &'static str {
        match self {
            Block::Dense(_) => "dense",
            Block::Norm(_) => "norm",
            Block::Dropout(_) => "dropout",
            Block::Residual(_) => "residual",
            Block::Parallel(_) => "parallel",
            Block::Hourglass(_) => "hourglass",
            Block::Kan(_) => "kan",
            Block::Glu(_) => "glu",
            Block::Moe(_) => "moe",
            Block::Mixer(_) => "mixer",
            Block::Attention(_) => "attention",
            Block::Patchify(_) => "patchify",
            Block::Embed(_) => "embed",
            Block::Pool(_) => "pool",
        }
    }

    /// What the block does, in a sentence, and the title of the paper it comes from: the text
    /// the page and `layerlab blocks` show.
    pub fn about(&self) -> (&'static str, &'static str) {
        match self {
            Block::Dense(_) => (
                "A fully connected layer followed by its activation.",
                "Learning representations by back-propagating errors",
            ),
            Block::Norm(_) => (
                "Normalises each example (LayerNorm, RMSNorm) or each feature over the batch (BatchNorm).",
                "Layer Normalization; Root Mean Square Layer Normalization; Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift",
            ),
            Block::Dropout(_) => (
                "Zeroes a random share of units while training.",
                "Dropout: A Simple Way to Prevent Neural Networks from Overfitting",
            ),
            Block::Residual(_) => (
                "Adds the input back around a sub-stack (x + f(x)); drop_path skips the sub-stack at random.",
                "Deep Residual Learning for Image Recognition; Deep Networks with Stochastic Depth",
            ),
            Block::Parallel(_) => (
                "Runs branches side by side on the same input and sums or concatenates them.",
                "Make Deep Networks Shallow Again",
            ),
            Block::Hourglass(_) => (
                "Wide-narrow-wide residual steps with the skip at the wide width; the lift can stay a frozen random projection.",
                "Rethinking the shape convention of an MLP",
            ),
            Block::Kan(_) => (
                "Learnable one-dimensional functions on every edge instead of fixed activations.",
                "KAN: Kolmogorov-Arnold Networks; Kolmogorov-Arnold Transformer",
            ),
            Block::Glu(_) => (
                "Multiplies two linear maps of the input, one through a gate (GLU, SwiGLU) or none (bilinear).",
                "GLU Variants Improve Transformer; A technical note on bilinear layers for interpretability",
            ),
            Block::Moe(_) => (
                "A router sends each example to its top-k expert MLPs, with a loss that balances their load.",
                "A Review of Sparse Expert Models in Deep Learning",
            ),
            Block::Mixer(_) => (
                "Mixes across tokens, then across channels, each with an MLP, LayerNorm and a skip.",
                "MLP-Mixer: An all-MLP Architecture for Vision",
            ),
            Block::Attention(_) => (
                "Multi-head self-attention; without the skip and MLP its output loses rank with depth.",
                "Attention is Not All You Need: Pure Attention Loses Rank Doubly Exponentially with Depth",
            ),
            Block::Patchify(_) => (
                "Cuts a square image into patches and embeds each as a token.",
                "MLP-Mixer: An all-MLP Architecture for Vision",
            ),
            Block::Embed(_) => ("Embeds each input token and its position as a vector.", "Attention Is All You Need"),
            Block::Pool(_) => ("Pools a sequence of tokens into one vector (mean, or the last token).", "—"),
        }
    }

    /// Fields a block may have that its default payload leaves out, with what they do.
    pub fn optional(&self) -> Option<&'static str> {
        match self {
            Block::Kan(_) => Some(
                r#"refine: {"every": N, "max_grid": G} halves the B-spline knot spacing every N steps while the grid stays within G intervals"#,
            ),
            _ => None,
        }
    }

    /// Every kind with its default payload: the reference a link leaves out what equals.
    pub fn defaults() -> Vec<Block> {
        vec![
            Block::Dense(Dense::default()),
            Block::Norm(Norm::default()),
            Block::Dropout(Dropout::default()),
            Block::Residual(Residual::default()),
            Block::Parallel(Parallel::default()),
            Block::Hourglass(Hourglass::default()),
            Block::Kan(Kan::default()),
            Block::Glu(Glu::default()),
            Block::Moe(Moe::default()),
            Block::Mixer(Mixer::default()),
            Block::Attention(Attention::default()),
            Block::Patchify(Patchify::default()),
            Block::Embed(Embed::default()),
            Block::Pool(Pool::default()),
        ]
    }
}
