//! Shuffling the examples and splitting them into train and test, as TensorFlow Playground does:
//! a Fisher–Yates shuffle, then the first ⌊n × train fraction⌋ examples train and the rest test.

use layerlab_spec::number::number;

use super::Examples;
use super::sample::index;
use crate::rng::{Stream, rng};

/// Examples before the split, in the order they were made or read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rows {
    pub inputs: Vec<f32>,
    /// `target_width` values per example (one for classes and single values).
    pub targets: Vec<f32>,
    pub width: usize,
    pub target_width: usize,
    /// The raw (x, y) of 2D examples and image pixels; empty otherwise.
    pub points: Vec<f32>,
}

impl Rows {
    /// Rows of `width` inputs and one target each.
    pub(crate) fn new(width: usize) -> Self {
        Self { width, target_width: 1, ..Self::default() }
    }

    /// How many examples there are.
    pub(crate) fn len(&self) -> usize {
        self.targets.len().checked_div(self.target_width).unwrap_or(0)
    }
}

/// How many of `n` examples train: ⌊n × fraction⌋, but at least one each side when n ≥ 2. The
/// product is taken as the fraction is written (the f32's shortest decimal form, with a margin
/// far below one example for the last bit of rounding), so 0.7 of 500 is 350 and 0.29 of 100 is
/// 29, as in the Playground (`⌊n × percent / 100⌋`), where the f32 nearest 0.7 (0.699999988…)
/// would give 349.
pub fn train_count(n: usize, fraction: f32) -> usize {
    let fraction = number(&fraction.to_string()).unwrap_or(f64::from(fraction));
    let count = (n as f64 * fraction.clamp(0.0, 1.0) + 1e-9).floor() as usize;
    if n >= 2 { count.clamp(1, n - 1) } else { count.min(n) }
}

/// Shuffles the rows on the seed's split stream and cuts them into (train, test).
pub(crate) fn shuffle_split(rows: &Rows, fraction: f32, seed: u64) -> (Examples, Examples) {
    let n = rows.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = rng(seed, Stream::Split);
    for counter in (1..=n).rev() {
        let pick = index(&mut rng, counter);
        order.swap(counter - 1, pick);
    }
    let (train, test) = order.split_at(train_count(n, fraction));
    (gather(rows, train), gather(rows, test))
}

fn gather(rows: &Rows, order: &[usize]) -> Examples {
    let (width, target_width) = (rows.width, rows.target_width);
    let mut examples = Examples {
        inputs: Vec::with_capacity(order.len() * width),
        targets: Vec::with_capacity(order.len() * target_width),
        width,
        target_width,
        len: order.len(),
        points: Vec::new(),
    };
    for &i in order {
        examples.inputs.extend_from_slice(&rows.inputs[i * width..(i + 1) * width]);
        examples.targets.extend_from_slice(&rows.targets[i * target_width..(i + 1) * target_width]);
        if !rows.points.is_empty() {
            examples.points.extend_from_slice(&rows.points[2 * i..2 * i + 2]);
        }
    }
    examples
}
