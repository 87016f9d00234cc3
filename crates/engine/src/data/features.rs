//! What a 2D dataset's model sees of a point: the chosen features, as TensorFlow Playground
//! computes them, then random Fourier features ("Fourier Features Let Networks Learn High
//! Frequency Functions in Low Dimensional Domains").

use std::f64::consts::PI;

use layerlab_spec::data::{Feature, FourierInput};

use super::sample::normal;
use crate::rng::{Stream, rng};

/// Turns a 2D point into the model's input features: the chosen features in the spec's order,
/// then the Fourier features. The data and the decision-surface grid the page draws both go
/// through it, so they agree.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanarEncoder {
    features: Vec<Feature>,
    /// The Fourier frequencies b, one row (b_x, b_y) per feature pair.
    frequencies: Vec<[f64; 2]>,
    extent: f64,
}

impl PlanarEncoder {
    /// The encoder for `features` and `fourier` on a dataset whose points lie within `extent` of
    /// the origin on each axis. The Fourier frequencies are drawn from N(0, scale²) on the seed's
    /// Fourier stream, row by row.
    pub(crate) fn new(features: &[Feature], fourier: Option<FourierInput>, extent: f64, seed: u64) -> Self {
        let frequencies = match fourier {
            Some(FourierInput { count, scale }) => {
                let mut rng = rng(seed, Stream::Fourier);
                let scale = f64::from(scale);
                (0..count).map(|_| [scale * normal(&mut rng), scale * normal(&mut rng)]).collect()
            }
            None => Vec::new(),
        };
        Self { features: features.to_vec(), frequencies, extent }
    }

    /// The number of values [`encode`](Self::encode) writes: one per feature, and a cosine and a
    /// sine per Fourier frequency. It equals the input width the spec's validation computes.
    pub fn width(&self) -> usize {
        self.features.len() + 2 * self.frequencies.len()
    }

    /// Half the side of the square, centred on the origin, that the dataset's points lie in:
    /// the range of the grid to draw a decision surface over.
    pub fn extent(&self) -> f32 {
        self.extent as f32
    }

    /// Writes the features of the point (x, y) into `out`: first the chosen features on the raw
    /// coordinates (x, y, x², y², xy, sin x, sin y, as the Playground), then cos(2π b·v) for every
    /// frequency b, then sin(2π b·v) for every b, where v = (x, y) / extent: the point scaled to
    /// [-1, 1]² (divided by 6 for the sets in the Playground's frame, as is for the formulas,
    /// which already lie in [-1, 1]²).
    ///
    /// # Panics
    /// If `out` is not [`width`](Self::width) long.
    pub fn encode(&self, x: f32, y: f32, out: &mut [f32]) {
        assert_eq!(out.len(), self.width(), "the output must hold exactly the encoder's width");
        let (x, y) = (f64::from(x), f64::from(y));
        let (chosen, fourier) = out.split_at_mut(self.features.len());
        for (slot, feature) in chosen.iter_mut().zip(&self.features) {
            let value = match feature {
                Feature::X => x,
                Feature::Y => y,
                Feature::XSquared => x * x,
                Feature::YSquared => y * y,
                Feature::XTimesY => x * y,
                Feature::SinX => libm::sin(x),
                Feature::SinY => libm::sin(y),
            };
            *slot = value as f32;
        }
        let (cosines, sines) = fourier.split_at_mut(self.frequencies.len());
        let (vx, vy) = (x / self.extent, y / self.extent);
        for ((cosine, sine), [bx, by]) in cosines.iter_mut().zip(sines.iter_mut()).zip(&self.frequencies) {
            let phase = 2.0 * PI * (bx * vx + by * vy);
            *cosine = libm::cos(phase) as f32;
            *sine = libm::sin(phase) as f32;
        }
    }
}
