//! The training recipe: optimizer, schedule, batch, regularisation, learning rule, loss, length.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Training {
    pub optimizer: Optimizer,
    pub schedule: Schedule,
    pub batch_size: u32,
    /// L1 penalty on the weights.
    pub l1: f32,
    /// L2 penalty on the weights.
    pub l2: f32,
    /// Clip the global gradient norm to this value.
    pub clip_norm: Option<f32>,
    /// Annealed Gaussian gradient noise ("Adding Gradient Noise Improves Learning for Very Deep
    /// Networks"): variance `eta / (1 + step)^gamma`.
    pub gradient_noise: Option<GradientNoise>,
    pub rule: LearningRule,
    /// The loss; `None` picks the task's natural one.
    pub loss: Option<Loss>,
    pub init: Init,
    /// How long to train.
    pub length: Length,
    pub stop: Option<Stop>,
}

/// How long a run trains: a number of optimizer steps, or of passes over the training set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    Steps(u64),
    Epochs(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Optimizer {
    Sgd { learning_rate: f32 },
    Momentum { learning_rate: f32, momentum: f32 },
    Adam { learning_rate: f32, beta1: f32, beta2: f32, epsilon: f32 },
    AdamW { learning_rate: f32, beta1: f32, beta2: f32, epsilon: f32, weight_decay: f32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    #[default]
    Constant,
    /// Multiply the rate by `factor` every `every` steps.
    Step { every: u64, factor: f32 },
    /// Linear warm-up, then cosine decay to zero at the last step.
    Cosine { warmup: u64 },
    /// Multiply the rate by `gamma` each step.
    Exponential { gamma: f32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GradientNoise {
    pub eta: f32,
    pub gamma: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LearningRule {
    #[default]
    Backprop,
    /// "The Forward-Forward Algorithm": each layer tells positive from negative data by its
    /// goodness, against `threshold`.
    ForwardForward { threshold: f32 },
    /// "Mono-Forward: Backpropagation-Free Algorithm for Efficient Neural Network Training
    /// Harnessing Local Errors".
    MonoForward,
    /// Direct Feedback Alignment: the output error reaches each layer through a fixed random matrix.
    FeedbackAlignment,
    /// Target projection ("Learning with Local Gradients at the Edge"): each layer regresses a
    /// random projection of the labels.
    TargetProjection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    Mse,
    BinaryCrossEntropy,
    CrossEntropy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    Kaiming,
    #[default]
    Xavier,
    Orthogonal,
    /// For sine networks ("Implicit Neural Representations with Periodic Activation
    /// Functions"), with ω₀ = 30 folded into the weights: the first layer U(±30/fan_in), later
    /// sine layers U(±√(6/fan_in)), other layers U(±√(6/fan_in)/30).
    Siren,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// Stop once the training loss falls below this.
    LossBelow(f32),
    /// Stop once the test accuracy reaches this fraction.
    AccuracyAbove(f32),
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::Adam { learning_rate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}
impl Default for GradientNoise {
    fn default() -> Self {
        Self { eta: 0.01, gamma: 0.55 }
    }
}
impl Default for Training {
    fn default() -> Self {
        Self {
            optimizer: Optimizer::default(),
            schedule: Schedule::Constant,
            batch_size: 10,
            l1: 0.0,
            l2: 0.0,
            clip_norm: None,
            gradient_noise: None,
            rule: LearningRule::Backprop,
            loss: None,
            init: Init::Xavier,
            length: Length::Steps(5_000),
            stop: None,
        }
    }
}

impl Optimizer {
    pub fn set_learning_rate(&mut self, rate: f32) {
        match self {
            Optimizer::Sgd { learning_rate }
            | Optimizer::Momentum { learning_rate, .. }
            | Optimizer::Adam { learning_rate, .. }
            | Optimizer::AdamW { learning_rate, .. } => *learning_rate = rate,
        }
    }

    pub fn learning_rate(&self) -> f32 {
        match *self {
            Optimizer::Sgd { learning_rate }
            | Optimizer::Momentum { learning_rate, .. }
            | Optimizer::Adam { learning_rate, .. }
            | Optimizer::AdamW { learning_rate, .. } => learning_rate,
        }
    }
}

impl LearningRule {
    /// The rule's stable name, as links and files spell it (`feedback_alignment`).
    pub fn name(&self) -> String {
        match serde_json::to_value(self).expect("a learning rule always serializes") {
            serde_json::Value::String(name) => name,
            serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
            other => other.to_string(),
        }
    }

    /// Every rule, with Forward-Forward at its usual threshold (2): the choices a page offers.
    pub const ALL: [LearningRule; 5] = [
        LearningRule::Backprop,
        LearningRule::FeedbackAlignment,
        LearningRule::TargetProjection,
        LearningRule::MonoForward,
        LearningRule::ForwardForward { threshold: 2.0 },
    ];

    /// The rule's name for people.
    pub fn title(&self) -> &'static str {
        match self {
            LearningRule::Backprop => "Backpropagation",
            LearningRule::FeedbackAlignment => "Direct Feedback Alignment",
            LearningRule::TargetProjection => "Target projection",
            LearningRule::MonoForward => "Mono-Forward",
            LearningRule::ForwardForward { .. } => "Forward-Forward",
        }
    }

    /// How the rule trains, in a sentence or two, and the title of its paper: the text the page
    /// shows (the engine's `rules` module says the same at length).
    pub fn about(&self) -> (&'static str, &'static str) {
        match self {
            LearningRule::Backprop => (
                "The output error travels back through every layer by the chain rule; every layer's activations are kept until it arrives.",
                "Learning representations by back-propagating errors",
            ),
            LearningRule::FeedbackAlignment => (
                "Each hidden layer receives the output error through its own fixed random matrix instead of the weights above it, so no layer waits for the one above (but all activations are still kept until the error exists). Blocks of tokens receive each position's error; there it lags backprop further (MLP-Mixer on the digits: 77% against 96%) and learns little of the algorithmic sequence tasks (copying: about 20% against 100%).",
                "Direct Feedback Alignment Scales to Modern Deep Learning Tasks and Architectures",
            ),
            LearningRule::TargetProjection => (
                "Each hidden layer regresses a fixed random projection of the labels as its own target, right after it runs: no error travels between layers, one layer's activations at a time. Where one layer cannot separate the classes (the circle, the spiral) its targets are out of reach and it learns little.",
                "Learning with Local Gradients at the Edge",
            ),
            LearningRule::MonoForward => (
                "Each hidden layer owns a learned projection to the class scores and minimises the task's loss on it, right after it runs: one layer's activations at a time.",
                "Mono-Forward: Backpropagation-Free Algorithm for Efficient Neural Network Training Harnessing Local Errors",
            ),
            LearningRule::ForwardForward { .. } => (
                "No output loss: each layer learns high goodness (mean square activity) for an example with its true label and low goodness for a wrong label, against the threshold; the prediction is the label with the most goodness.",
                "The Forward-Forward Algorithm; Layer Collaboration in the Forward-Forward Algorithm",
            ),
        }
    }

    /// Whether the rule trains each block from local signals, so only one block's activations
    /// need to be held at a time.
    pub fn is_local(&self) -> bool {
        !matches!(self, LearningRule::Backprop)
    }
}
