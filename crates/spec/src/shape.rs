//! Shapes that flow between blocks, and the cost of one block: what validation infers and the
//! page shows live.

use std::fmt;

/// The shape of one example as it enters or leaves a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A vector of this many numbers.
    Flat(u32),
    /// `len` tokens of `dim` numbers each.
    Seq { len: u32, dim: u32 },
    /// `len` token ids from a vocabulary of `vocab` (sequence datasets, before an embed block).
    Tokens { len: u32, vocab: u32 },
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Flat(n) => write!(f, "[{n}]"),
            Shape::Seq { len, dim } => write!(f, "[{len} tokens × {dim}]"),
            Shape::Tokens { len, vocab } => write!(f, "[{len} token ids < {vocab}]"),
        }
    }
}

impl Shape {
    /// Numbers in one example.
    pub fn elements(&self) -> u64 {
        match *self {
            Shape::Flat(n) => u64::from(n),
            Shape::Seq { len, dim } => u64::from(len) * u64::from(dim),
            Shape::Tokens { len, .. } => u64::from(len),
        }
    }
}

/// What one block costs, per example.
///
/// FLOPs count a multiply-add as two and cover the forward pass; a training step's FLOPs follow
/// from them in [`crate::analysis`]. Activations are the numbers the block produces and a
/// backward pass must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cost {
    /// Trainable parameters.
    pub params: u64,
    /// Parameters kept at their initial values (a frozen Hourglass lift).
    pub frozen: u64,
    pub flops: u64,
    pub activations: u64,
}

impl Cost {
    pub fn plus(self, other: Cost) -> Cost {
        Cost {
            params: self.params.saturating_add(other.params),
            frozen: self.frozen.saturating_add(other.frozen),
            flops: self.flops.saturating_add(other.flops),
            activations: self.activations.saturating_add(other.activations),
        }
    }

    /// A dense map from `inputs` to `outputs` with bias, applied to `tokens` tokens.
    pub fn linear(inputs: u32, outputs: u32, tokens: u32, bias: bool) -> Cost {
        let (i, o, t) = (u64::from(inputs), u64::from(outputs), u64::from(tokens));
        Cost { params: i * o + if bias { o } else { 0 }, frozen: 0, flops: 2 * i * o * t, activations: o * t }
    }
}
