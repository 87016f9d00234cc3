//! The examples an experiment trains and tests on, made from its [`DataSpec`]: generated 2D sets
//! (TensorFlow Playground's and more), the bundled real data, an image to fit from pixel
//! coordinates, the sequence tasks (token ids as f32), and the user's CSV. Everything
//! random comes from the seed's streams ([`Stream::Data`] to generate, `Split` to shuffle and
//! split, `Fourier` for Fourier features), so the same spec and seed give the same bytes on every
//! platform.

mod csv;
mod features;
mod files;
mod image;
mod planar;
mod playground;
mod sample;
mod sequences;
mod shapes;
mod split;
mod tables;

use std::fmt;

use layerlab_spec::data::{DataSpec, Dataset, Task};
use layerlab_spec::limits::{MAX_CLASSES, MAX_FOURIER_FEATURES, MAX_SAMPLES};

pub use csv::{CsvSummary, PREVIEW_ROWS};
pub use features::PlanarEncoder;
pub(crate) use files::with_bytes;
pub use files::{BUNDLED_FILES, DataFile, fnv1a, is_available, supply};
pub use split::train_count;

use crate::rng::{Stream, rng};
use split::Rows;
use tables::Table;

/// Examples as rows: `inputs` is len × width row-major; `targets` is len × target_width
/// (classification: one column holding the class index as f32; regression: the values;
/// [`Task::Sequence`]: the `length` token ids the model must output at the last `length`
/// positions). Sequence datasets' inputs are token ids as f32, width the sequence length.
#[derive(Debug, Clone, PartialEq)]
pub struct Examples {
    pub inputs: Vec<f32>,
    pub targets: Vec<f32>,
    pub width: usize,
    pub target_width: usize,
    pub len: usize,
    /// 2D datasets and images: the raw (x, y) of each example, len × 2, for drawing; empty
    /// otherwise.
    pub points: Vec<f32>,
}

/// An experiment's data, split.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub train: Examples,
    pub test: Examples,
    pub task: Task,
    /// 2D datasets: how a point becomes the model's input (for the decision-surface grid).
    pub encoder: Option<PlanarEncoder>,
}

/// Why the data could not be made: the spec path at fault and what would be valid.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    pub path: String,
    pub message: String,
}

impl DataError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for DataError {}

/// Makes the data `spec` describes under `seed`. `csv` is the text of the user's file for
/// [`Dataset::Csv`] (ignored otherwise). The spec should have passed `layerlab_spec::analyse`;
/// what would make the data impossible is checked again here and reported, never a panic.
///
/// Sequence datasets make `samples` examples (modular addition: all p² pairs when `samples` ≥ p²);
/// an image has one example per pixel whatever `samples` says (see the `image` module).
pub fn load(spec: &DataSpec, seed: u64, csv: Option<&str>) -> Result<Data, DataError> {
    let fraction = spec.train_fraction;
    if !(fraction > 0.0 && fraction < 1.0) {
        return Err(DataError::new("data.train_fraction", format!("is {fraction}: use a share between 0 and 1")));
    }
    let (rows, encoder) = match &spec.dataset {
        dataset if dataset.is_planar() => {
            let (rows, encoder) = planar_rows(spec, seed)?;
            (rows, Some(encoder))
        }
        Dataset::Digits => (tables::digits()?, None),
        Dataset::Iris => (tables::table(Table::Iris)?, None),
        Dataset::Wine => (tables::table(Table::Wine)?, None),
        Dataset::BreastCancer => (tables::table(Table::BreastCancer)?, None),
        Dataset::Csv(reference) => (csv::read(reference, csv)?, None),
        Dataset::Image { image, side } => (image::rows(*image, *side)?, None),
        dataset if dataset.token_input().is_some() => {
            check_samples(spec.samples)?;
            (sequences::rows(dataset, spec.samples, seed)?, None)
        }
        other => return Err(not_available(other)),
    };
    let (train, test) = split::shuffle_split(&rows, fraction, seed);
    Ok(Data { train, test, task: spec.dataset.task(), encoder })
}

/// Generates a 2D dataset and encodes its points.
fn planar_rows(spec: &DataSpec, seed: u64) -> Result<(Rows, PlanarEncoder), DataError> {
    check_samples(spec.samples)?;
    if !(spec.noise.is_finite() && spec.noise >= 0.0) {
        return Err(DataError::new("data.noise", format!("is {}: use a noise from 0 to 1", spec.noise)));
    }
    match spec.dataset {
        Dataset::Checkerboard { cells: 0 } => {
            return Err(DataError::new("data.dataset.cells", "is 0: use 2 to 16 cells a side"));
        }
        Dataset::ArmSpiral { arms } if !(1..=MAX_CLASSES).contains(&arms) => {
            let message = format!("is {arms}: use 2 to {MAX_CLASSES} arms (MAX_CLASSES)");
            return Err(DataError::new("data.dataset.arms", message));
        }
        _ => {}
    }
    if let Some(fourier) = spec.fourier {
        if fourier.count > MAX_FOURIER_FEATURES {
            let message = format!("is {}: use 1 to {MAX_FOURIER_FEATURES} (MAX_FOURIER_FEATURES)", fourier.count);
            return Err(DataError::new("data.fourier.count", message));
        }
        if !fourier.scale.is_finite() {
            return Err(DataError::new("data.fourier.scale", "is not a number: use a scale from 0 to 1000"));
        }
    }
    let extent = planar::extent(&spec.dataset).unwrap_or(1.0);
    let mut rng = rng(seed, Stream::Data);
    let points = planar::generate(&spec.dataset, &mut rng, spec.samples as usize, f64::from(spec.noise))
        .ok_or_else(|| not_available(&spec.dataset))?;
    let encoder = PlanarEncoder::new(&spec.features, spec.fourier, extent, seed);
    let width = encoder.width();
    let mut rows = Rows::new(width);
    rows.inputs = vec![0.0; points.len() * width];
    for (i, point) in points.iter().enumerate() {
        let (x, y) = (point.x as f32, point.y as f32);
        encoder.encode(x, y, &mut rows.inputs[i * width..(i + 1) * width]);
        rows.points.extend([x, y]);
        rows.targets.push(point.target as f32);
    }
    Ok((rows, encoder))
}

/// An error unless a generated dataset's `samples` lies in 1..=MAX_SAMPLES.
fn check_samples(samples: u32) -> Result<(), DataError> {
    if (1..=MAX_SAMPLES).contains(&samples) {
        return Ok(());
    }
    let message = format!("is {samples}: generate 1 to {MAX_SAMPLES} examples (MAX_SAMPLES)");
    Err(DataError::new("data.samples", message))
}

/// The error for a dataset this version cannot make (every dataset but next-token arithmetic,
/// which says so itself, is made: this is a guard for one added later).
fn not_available(dataset: &Dataset) -> DataError {
    let message = format!("`{}` is not available in this version of the engine", dataset.name());
    DataError::new("data.dataset", message)
}
