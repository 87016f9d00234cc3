//! Every limit of an experiment, named. Validation checks each and names it in its message, so
//! a link can never ask the browser for more than it can hold.

/// Blocks in the whole model, nested ones included.
pub const MAX_BLOCKS: usize = 64;
/// How deep containers (residual, parallel) may nest.
pub const MAX_NESTING: usize = 6;
/// Branches of one parallel container.
pub const MAX_BRANCHES: usize = 8;
/// Units of any layer, and the model dimension of sequence blocks.
pub const MAX_WIDTH: u32 = 4096;
/// Trainable parameters of the whole model.
pub const MAX_PARAMETERS: u64 = 20_000_000;
/// The largest learning rate (high enough to show a network diverging).
pub const MAX_LEARNING_RATE: f32 = 100.0;
/// Examples per batch.
pub const MAX_BATCH: u32 = 4096;
/// Examples in a generated dataset.
pub const MAX_SAMPLES: u32 = 100_000;
/// Tokens per sequence.
pub const MAX_SEQUENCE: u32 = 256;
/// Token vocabulary (and modulus) of the sequence tasks.
pub const MAX_VOCABULARY: u32 = 1024;
/// Experts of a mixture-of-experts block.
pub const MAX_EXPERTS: u32 = 64;
/// Heads of an attention block.
pub const MAX_HEADS: u32 = 32;
/// Grid intervals of a KAN B-spline.
pub const MAX_KAN_GRID: u32 = 64;
/// Spline order (degree) of a KAN layer.
pub const MAX_KAN_ORDER: u32 = 5;
/// Classes of a classification task.
pub const MAX_CLASSES: u32 = 64;
/// Fourier features of the input encoding.
pub const MAX_FOURIER_FEATURES: u32 = 1024;
/// Training steps of one run.
pub const MAX_STEPS: u64 = 10_000_000;
/// Passes over the training set of one run.
pub const MAX_EPOCHS: u32 = 100_000;
/// Samples in the fixed probe batch the metrics are measured on.
pub const MAX_PROBE: u32 = 1024;
/// Characters of a link's fragment that the decoder will look at.
pub const MAX_LINK_CHARS: usize = 16_384;
/// Bytes of JSON a link or file may unpack to.
pub const MAX_JSON_BYTES: usize = 262_144;
/// Characters of a name the user types (a CSV's name, a column's name).
pub const MAX_NAME_CHARS: usize = 128;
/// Pixels on the side of the bundled images an implicit neural representation fits.
pub const MAX_IMAGE_SIDE: u32 = 128;
