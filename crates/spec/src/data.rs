//! The data of an experiment: which dataset, with which parameters, seen through which features.

use serde::{Deserialize, Serialize};

/// Where the examples come from. All are deterministic given the experiment's seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    // 2D classification, TensorFlow Playground's four and more.
    Circle,
    Xor,
    Gaussian,
    Spiral,
    TwoMoons,
    Checkerboard {
        cells: u32,
    },
    /// A spiral with `arms` arms, one class per arm.
    ArmSpiral {
        arms: u32,
    },
    // 2D regression.
    Plane,
    MultiGaussian,
    /// Fitting a formula of x and y, as in the KAN papers.
    Formula {
        formula: Formula,
    },
    // Images and small real tables, bundled under assets/.
    Digits,
    Iris,
    Wine,
    BreastCancer,
    /// An implicit neural representation: a bundled image's brightness from pixel coordinates.
    Image {
        image: BundledImage,
        side: u32,
    },
    // Sequences.
    /// (a + b) mod `modulus`, the grokking task.
    ModularAddition {
        modulus: u32,
    },
    /// The parity of `bits` bits.
    Parity {
        bits: u32,
    },
    /// Copy a sequence of `length` tokens from a vocabulary of `vocabulary`.
    Copy {
        length: u32,
        vocabulary: u32,
    },
    /// Reverse a sequence.
    Reverse {
        length: u32,
        vocabulary: u32,
    },
    /// Next-token addition of `digits`-digit numbers, optionally with chain-of-thought tokens.
    Arithmetic {
        digits: u32,
        chain_of_thought: bool,
    },
    /// The user's own CSV, by reference: the page keeps the file, the spec its name and layout.
    Csv(CsvRef),
}

/// Formulas for function fitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Formula {
    /// exp(sin(pi x) + y^2)
    ExpSinSquare,
    /// x * y
    Product,
    /// A Bessel-like ring: J0(20 r) approximated by sin(20 r) / (20 r).
    BesselRing,
    /// sin(pi x) * cos(pi y)
    SinCos,
}

/// The images bundled for implicit neural representations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BundledImage {
    Cameraman,
    Checker,
}

/// A user CSV: numeric columns, one of them the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CsvRef {
    /// The file's name, as the user chose it.
    pub name: String,
    /// Number of input columns (all columns but the target).
    pub inputs: u32,
    /// The target column's name.
    pub target: String,
    /// The task the target implies.
    pub task: CsvTask,
}

/// What a CSV's target column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvTask {
    Classes { classes: u32 },
    Regression,
}

/// An input feature of a 2D dataset, as in TensorFlow Playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    X,
    Y,
    XSquared,
    YSquared,
    XTimesY,
    SinX,
    SinY,
}

/// The dataset and how it is presented to the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DataSpec {
    pub dataset: Dataset,
    /// Examples to generate (generated datasets only).
    pub samples: u32,
    /// Label or position noise, 0 to 1 (generated 2D datasets only).
    pub noise: f32,
    /// Share of the examples used for training; the rest is the test set.
    pub train_fraction: f32,
    /// The input features of a 2D dataset.
    pub features: Vec<Feature>,
    /// Random Fourier features added to a 2D input: how many, and their frequency scale.
    pub fourier: Option<FourierInput>,
}

/// Random Fourier features of the input ("Fourier Features Let Networks Learn High Frequency
/// Functions in Low Dimensional Domains").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FourierInput {
    pub count: u32,
    pub scale: f32,
}

impl Default for CsvRef {
    fn default() -> Self {
        Self { name: String::new(), inputs: 1, target: String::new(), task: CsvTask::Regression }
    }
}

impl Default for FourierInput {
    fn default() -> Self {
        Self { count: 16, scale: 1.0 }
    }
}

impl Default for DataSpec {
    fn default() -> Self {
        Self {
            dataset: Dataset::Circle,
            samples: 500,
            noise: 0.0,
            train_fraction: 0.5,
            features: vec![Feature::X, Feature::Y],
            fourier: None,
        }
    }
}

/// What the model must predict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// One of `classes` classes (2 for binary).
    Classify { classes: u32 },
    /// `outputs` real numbers.
    Regress { outputs: u32 },
    /// A token from `vocabulary` at each of `length` positions.
    Sequence { length: u32, vocabulary: u32 },
}

impl Dataset {
    /// One of each dataset, its parameters at their defaults, in the order the page lists them.
    pub fn catalogue() -> Vec<Dataset> {
        use Dataset::*;
        vec![
            Circle,
            Xor,
            Gaussian,
            Spiral,
            TwoMoons,
            Checkerboard { cells: 4 },
            ArmSpiral { arms: 3 },
            Plane,
            MultiGaussian,
            Formula { formula: self::Formula::ExpSinSquare },
            Digits,
            Iris,
            Wine,
            BreastCancer,
            Image { image: BundledImage::Cameraman, side: 64 },
            ModularAddition { modulus: 97 },
            Parity { bits: 8 },
            Copy { length: 8, vocabulary: 10 },
            Reverse { length: 8, vocabulary: 10 },
            Arithmetic { digits: 3, chain_of_thought: false },
            Csv(CsvRef::default()),
        ]
    }

    /// The dataset's stable name, as links and files spell it (`arm_spiral`).
    pub fn name(&self) -> String {
        match serde_json::to_value(self).expect("a dataset always serializes") {
            serde_json::Value::String(name) => name,
            serde_json::Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
            other => other.to_string(),
        }
    }

    /// Whether the dataset is one of the 2D sets that features apply to.
    pub fn is_planar(&self) -> bool {
        matches!(
            self,
            Dataset::Circle
                | Dataset::Xor
                | Dataset::Gaussian
                | Dataset::Spiral
                | Dataset::TwoMoons
                | Dataset::Checkerboard { .. }
                | Dataset::ArmSpiral { .. }
                | Dataset::Plane
                | Dataset::MultiGaussian
                | Dataset::Formula { .. }
        )
    }

    /// Whether examples are generated (so `samples` and `noise` apply) rather than bundled.
    pub fn is_generated(&self) -> bool {
        self.is_planar() || self.token_input().is_some()
    }

    /// The task, as far as the dataset alone decides it.
    pub fn task(&self) -> Task {
        match *self {
            Dataset::Circle | Dataset::Xor | Dataset::Gaussian | Dataset::Spiral | Dataset::TwoMoons => {
                Task::Classify { classes: 2 }
            }
            Dataset::Checkerboard { .. } => Task::Classify { classes: 2 },
            Dataset::ArmSpiral { arms } => Task::Classify { classes: arms },
            Dataset::Plane | Dataset::MultiGaussian | Dataset::Formula { .. } | Dataset::Image { .. } => {
                Task::Regress { outputs: 1 }
            }
            Dataset::Digits => Task::Classify { classes: 10 },
            Dataset::Iris | Dataset::Wine => Task::Classify { classes: 3 },
            Dataset::BreastCancer => Task::Classify { classes: 2 },
            Dataset::ModularAddition { modulus } => Task::Classify { classes: modulus },
            Dataset::Parity { .. } => Task::Classify { classes: 2 },
            Dataset::Copy { length, vocabulary } | Dataset::Reverse { length, vocabulary } => {
                Task::Sequence { length, vocabulary }
            }
            // The answer: `digits + 1` digit tokens (0-9).
            Dataset::Arithmetic { digits, .. } => Task::Sequence { length: digits + 1, vocabulary: 10 },
            Dataset::Csv(ref csv) => match csv.task {
                CsvTask::Classes { classes } => Task::Classify { classes },
                CsvTask::Regression => Task::Regress { outputs: 1 },
            },
        }
    }

    /// For sequence datasets: (sequence length, vocabulary) of the input tokens.
    pub fn token_input(&self) -> Option<(u32, u32)> {
        match *self {
            // a, b, "="
            Dataset::ModularAddition { modulus } => Some((3, modulus + 1)),
            Dataset::Parity { bits } => Some((bits, 2)),
            Dataset::Copy { length, vocabulary } | Dataset::Reverse { length, vocabulary } => {
                Some((length, vocabulary))
            }
            // Two numbers, "+", "=", and (with chain of thought) a carry token per digit.
            Dataset::Arithmetic { digits, chain_of_thought } => {
                let cot = if chain_of_thought { digits } else { 0 };
                Some((2 * digits + 2 + cot, 13))
            }
            _ => None,
        }
    }

    /// Width of the flat input vector of non-sequence, non-planar datasets.
    pub fn flat_inputs(&self) -> Option<u32> {
        match *self {
            Dataset::Digits => Some(64),
            Dataset::Iris => Some(4),
            Dataset::Wine => Some(13),
            Dataset::BreastCancer => Some(30),
            Dataset::Image { .. } => Some(2),
            Dataset::Csv(ref csv) => Some(csv.inputs),
            _ => None,
        }
    }
}
