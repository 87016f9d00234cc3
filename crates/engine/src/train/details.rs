//! What the page shows beyond the losses, from the latest evaluation: the test set's confusion
//! matrix (classification), its accuracy at each answer position (sequence tasks), and an image
//! task's picture as the model paints it, beside the target.

use serde::{Deserialize, Serialize};

use super::{Trainer, predicted_class};
use crate::backend::Backend;
use crate::data::Examples;

/// Confusion matrices are kept up to this many classes (97 classes of modular addition would
/// be a table nobody reads).
pub const MAX_CONFUSION: usize = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Details {
    pub confusion: Option<Confusion>,
    /// Sequence tasks: test accuracy at each answer position, in order.
    pub per_position: Option<Vec<f64>>,
    /// Image tasks: the model's brightness at every pixel.
    pub image: Option<Picture>,
    /// Classification of one answer per example: the class the model gives each of the first
    /// [`SAMPLES`] test examples, for the page to show beside them.
    pub samples: Option<Vec<u32>>,
}

/// How many test examples the page shows with the model's answer.
pub const SAMPLES: usize = 8;

/// `counts[t * classes + p]`: test examples of class `t` predicted as `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub classes: u32,
    pub counts: Vec<u32>,
}

/// A `side × side` grey image, row by row from the top, brightness in [0, 1] (a model's may
/// stray outside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Picture {
    pub side: u32,
    pub pixels: Vec<f32>,
}

impl<B: Backend> Trainer<B> {
    /// The details of the latest [`Trainer::evaluate`] (`None` before the first), and for an
    /// image task, the model's picture now.
    pub fn details(&mut self) -> Option<Details> {
        let tally = self.test_tally.clone();
        if !tally.measured {
            return None;
        }
        let confusion =
            (tally.classes > 0).then(|| Confusion { classes: tally.classes as u32, counts: tally.confusion.clone() });
        let per_position = (tally.at_position.len() > 1)
            .then(|| tally.at_position.iter().map(|&c| c as f64 / tally.examples.max(1) as f64).collect());
        let image = self.image.map(|side| {
            let centre = |i: usize| ((2 * i + 1) as f64 / side as f64 - 1.0) as f32;
            let inputs: Vec<f32> = (0..side * side).flat_map(|p| [centre(p % side), -centre(p / side)]).collect();
            Picture { side: side as u32, pixels: self.predict(&inputs) }
        });
        let samples = (tally.classes > 0 && self.model.answer == 1).then(|| {
            let (width, outputs) = (self.model.inputs, self.model.outputs);
            let inputs = self.data.test.inputs[..SAMPLES.min(self.data.test.len) * width].to_vec();
            let answers = self.predict(&inputs);
            answers.chunks(outputs).map(|row| predicted_class(row, self.loss) as u32).collect()
        });
        Some(Details { confusion, per_position, image, samples })
    }

    /// An image task's target picture, put together from the training and test pixels.
    pub fn target_picture(&self) -> Option<Picture> {
        let side = self.image?;
        let mut pixels = vec![0.0; side * side];
        for examples in [&self.data.train, &self.data.test] {
            place(examples, side, &mut pixels);
        }
        Some(Picture { side: side as u32, pixels })
    }
}

/// Writes each example's target at its pixel, found from its point (the pixel's centre).
fn place(examples: &Examples, side: usize, pixels: &mut [f32]) {
    let index = |v: f32| (((f64::from(v) + 1.0) * side as f64 / 2.0).floor() as usize).min(side - 1);
    for (i, point) in examples.points.chunks_exact(2).enumerate() {
        let (column, row) = (index(point[0]), index(-point[1]));
        pixels[row * side + column] = examples.targets[i * examples.target_width];
    }
}

#[cfg(test)]
mod tests {
    use layerlab_spec::Spec;
    use layerlab_spec::data::{BundledImage, Dataset};

    use super::*;
    use crate::cpu::Cpu;

    #[test]
    fn the_target_picture_is_the_checkerboard_and_the_models_has_its_size() {
        let mut spec = Spec::default();
        spec.data.dataset = Dataset::Image { image: BundledImage::Checker, side: 16 };
        let mut t = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap();
        let target = t.target_picture().unwrap();
        // 8 × 8 cells of 2 × 2 pixels, white where column + row is even.
        for (p, &v) in target.pixels.iter().enumerate() {
            let (row, column) = (p / 16, p % 16);
            assert_eq!(v, if (row / 2 + column / 2) % 2 == 0 { 1.0 } else { 0.0 }, "pixel {p}");
        }
        assert!(t.details().is_none(), "nothing evaluated yet");
        t.evaluate();
        let details = t.details().unwrap();
        assert_eq!(details.image.unwrap().pixels.len(), 256);
        assert!(details.confusion.is_none() && details.per_position.is_none());
    }

    #[test]
    fn the_confusion_matrix_counts_every_test_example_once_and_agrees_with_accuracy() {
        let mut spec = Spec::default();
        spec.data.dataset = Dataset::Digits;
        let mut t = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap();
        for _ in 0..100 {
            t.step().unwrap();
        }
        let e = t.evaluate();
        let c = t.details().unwrap().confusion.unwrap();
        assert_eq!(c.classes, 10);
        let total: u32 = c.counts.iter().sum();
        assert_eq!(total as usize, t.data.test.len);
        let diagonal: u32 = (0..10).map(|k| c.counts[k * 10 + k]).sum();
        assert!((f64::from(diagonal) / f64::from(total) - e.test_accuracy.unwrap()).abs() < 1e-12);
    }
}
