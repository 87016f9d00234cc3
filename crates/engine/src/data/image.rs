//! An implicit neural representation: a network learns an image as a function from a pixel's
//! coordinates to its brightness ("Implicit Neural Representations with Periodic Activation
//! Functions"; "Fourier Features Let Networks Learn High Frequency Functions in Low Dimensional
//! Domains").
//!
//! One example per pixel of a `side` × `side` image, row by row from the top, each row from left
//! to right. The inputs are the pixel's centre (x, y) in [-1, 1]², x to the right and y up (pixel
//! (row r, column c) is at x = (2c + 1) / side − 1, y = 1 − (2r + 1) / side), also kept as the
//! example's point for drawing; the target is its brightness in [0, 1] (0 black, 1 white).
//! Nothing is random: the image is fixed and only the split follows the seed, so the dataset's
//! `samples` (and `noise`) are ignored.
//!
//! - [`BundledImage::Scene`]: the 256 × 256 scene `assets/data/make_scene.py` generates, as
//!   bundled; at a smaller side, each pixel is the exact area average of the scene's pixels it
//!   covers (a box filter, for any side from 1 to 256).
//! - [`BundledImage::Checker`]: an 8 × 8 checkerboard over the square, computed: the cell of the
//!   pixel's centre is white (1) when its column plus its row (from the top-left, both 0 to 7) is
//!   even, black (0) otherwise. Every pixel is 0 or 1; when 8 divides the side each pixel lies
//!   in one cell, so it is also the exact area average.

use layerlab_spec::data::BundledImage;

use super::DataError;
use super::split::Rows;
use super::tables::{self, SCENE_SIDE};

/// The largest side: the scene's own (there is no upsampling).
const MAX_SIDE: usize = SCENE_SIDE;
/// Cells on a side of the checkerboard.
const CELLS: usize = 8;

/// The image's pixels as examples, in the order the module describes.
pub(crate) fn rows(image: BundledImage, side: u32) -> Result<Rows, DataError> {
    let side = side as usize;
    if !(1..=MAX_SIDE).contains(&side) {
        let message = format!(
            "is {side}: use 1 to {MAX_SIDE} pixels a side (the bundled images are {MAX_SIDE} × {MAX_SIDE}; the \
             spec's own limit is MAX_IMAGE_SIDE)"
        );
        return Err(DataError::new("data.dataset.side", message));
    }
    let brightness = match image {
        BundledImage::Scene => box_filter(&tables::scene()?, SCENE_SIDE, side),
        BundledImage::Checker => checker(side),
    };
    let mut rows = Rows::new(2);
    rows.inputs.reserve(2 * side * side);
    rows.points.reserve(2 * side * side);
    let centre = |i: usize| ((2 * i + 1) as f64 / side as f64 - 1.0) as f32;
    for row in 0..side {
        for column in 0..side {
            let (x, y) = (centre(column), -centre(row));
            rows.inputs.extend([x, y]);
            rows.points.extend([x, y]);
        }
    }
    rows.targets = brightness;
    Ok(rows)
}

/// The checkerboard at `side` pixels a side, sampled at the pixel centres in exact integer
/// arithmetic (the centre of pixel i lies in cell ⌊(2i + 1) · CELLS / (2 · side)⌋).
fn checker(side: usize) -> Vec<f32> {
    let cell = |i: usize| (2 * i + 1) * CELLS / (2 * side);
    let mut values = Vec::with_capacity(side * side);
    for row in 0..side {
        values.extend((0..side).map(|column| if (cell(row) + cell(column)) % 2 == 0 { 1.0 } else { 0.0 }));
    }
    values
}

/// Shrinks the `source` × `source` 8-bit image `pixels` to `side` × `side` (side ≤ source) by
/// the area average, scaled to [0, 1]. In units of 1 / (source · side) of the image's width,
/// source pixel s spans [s · side, (s + 1) · side) and target pixel j spans [j · source,
/// (j + 1) · source), so each weight is a whole number and the sum is exact.
fn box_filter(pixels: &[u8], source: usize, side: usize) -> Vec<f32> {
    // For each target pixel along an axis: (first source pixel, weight of each one it overlaps).
    let spans: Vec<(usize, Vec<u64>)> = (0..side)
        .map(|j| {
            let (start, end) = (j * source, (j + 1) * source);
            let (first, last) = (start / side, (end - 1) / side);
            let weights = (first..=last).map(|s| (end.min((s + 1) * side) - start.max(s * side)) as u64).collect();
            (first, weights)
        })
        .collect();
    let total = (source * source * 255) as f64;
    let mut values = Vec::with_capacity(side * side);
    for (row_first, row_weights) in &spans {
        for (column_first, column_weights) in &spans {
            let mut sum = 0u64;
            for (r, row_weight) in row_weights.iter().enumerate() {
                let line = &pixels[(row_first + r) * source + column_first..];
                let across: u64 = column_weights.iter().zip(line).map(|(w, &p)| w * u64::from(p)).sum();
                sum += row_weight * across;
            }
            values.push((sum as f64 / total) as f32);
        }
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_filter_averages_whole_and_partial_pixels() {
        // 4 × 4 → 2 × 2: each output is the mean of a 2 × 2 block.
        let pixels: Vec<u8> = (0..16).map(|i| i * 17).collect();
        let means = [(17 + 68 + 85) as f32 / 4.0, (34 + 51 + 102 + 119) as f32 / 4.0];
        let got = box_filter(&pixels, 4, 2);
        assert_eq!(got[..2], [means[0] / 255.0, means[1] / 255.0]);
        // 3 × 3 → 2 × 2: the middle row and column count half to each side.
        let pixels = [255, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(box_filter(&pixels, 3, 2), [4.0 / 9.0, 0.0, 0.0, 0.0]);
        // Down to one pixel: the mean of all; at the same size: unchanged.
        assert_eq!(box_filter(&[255, 0, 255, 0], 2, 1), [0.5]);
        assert_eq!(box_filter(&[255, 0, 51, 0], 2, 2), [1.0, 0.0, 0.2, 0.0]);
    }
}
