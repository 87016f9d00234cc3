//! The data bundled under `assets/data/` (origin, licence and checksums in its README.md): the
//! 8×8 handwritten digits and three small tables, as scikit-learn ships them, and the generated
//! grayscale scene the image dataset fits, each zlib-compressed (where the bytes come from:
//! [`super::files`]).
//!
//! The digits file is 1,797 images of 65 bytes each: 64 pixels (row by row, 0 to 16) then the
//! digit. The tables are scikit-learn's CSV files, unchanged: a first line `rows,columns,class
//! names…`, then one row per example, the class index last. The scene is [`SCENE_SIDE`]² bytes
//! (`assets/data/make_scene.py`), one per pixel (0 black to 255 white), row by row from the top,
//! each row from left to right.

use layerlab_spec::number::number;

use super::DataError;
use super::files::{DataFile, with_bytes};
use super::split::Rows;

const PIXELS: usize = 64;

/// Pixels on a side of the bundled scene.
pub(crate) const SCENE_SIDE: usize = 256;

/// The bundled tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    Iris,
    Wine,
    BreastCancer,
}

fn damaged(name: &str, what: &str) -> DataError {
    DataError::new("data.dataset", format!("the bundled {name} data is damaged ({what}): rebuild the engine"))
}

fn inflate(name: &str, file: DataFile) -> Result<Vec<u8>, DataError> {
    with_bytes(file, miniz_oxide::inflate::decompress_to_vec_zlib)?
        .map_err(|e| damaged(name, &format!("{:?}", e.status)))
}

/// The digits, pixels scaled to [0, 1] (divided by 16), the digit as the class.
pub(crate) fn digits() -> Result<Rows, DataError> {
    let bytes = inflate("digits", DataFile::Digits)?;
    if bytes.is_empty() || bytes.len() % (PIXELS + 1) != 0 {
        return Err(damaged("digits", "its length is not a whole number of images"));
    }
    let mut rows = Rows::new(PIXELS);
    for image in bytes.chunks_exact(PIXELS + 1) {
        rows.inputs.extend(image[..PIXELS].iter().map(|&p| f32::from(p) / 16.0));
        rows.targets.push(f32::from(image[PIXELS]));
    }
    Ok(rows)
}

/// The scene's [`SCENE_SIDE`]² pixels, row by row from the top.
pub(crate) fn scene() -> Result<Vec<u8>, DataError> {
    let pixels = inflate("scene", DataFile::Scene)?;
    if pixels.len() != SCENE_SIDE * SCENE_SIDE {
        return Err(damaged("scene", "it is not 256 × 256 pixels"));
    }
    Ok(pixels)
}

/// A table, each input column standardised to mean 0 and standard deviation 1. The mean and
/// deviation are computed over all rows, test rows included: these are fixed, well-known tables,
/// and the scaling is the same whatever the split.
pub(crate) fn table(table: Table) -> Result<Rows, DataError> {
    let (name, file) = match table {
        Table::Iris => ("iris", DataFile::Iris),
        Table::Wine => ("wine", DataFile::Wine),
        Table::BreastCancer => ("breast cancer", DataFile::BreastCancer),
    };
    let text = String::from_utf8(inflate(name, file)?).map_err(|_| damaged(name, "not UTF-8"))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let count = |i: usize| header.get(i).and_then(|v| v.parse::<usize>().ok());
    let (Some(samples), Some(width)) = (count(0), count(1)) else {
        return Err(damaged(name, "no `rows,columns` header"));
    };
    let mut values = Vec::with_capacity(samples * width);
    let mut targets = Vec::with_capacity(samples);
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let parsed: Option<Vec<f64>> = fields.iter().map(|f| number(f)).collect();
        match parsed {
            Some(row) if row.len() == width + 1 => {
                values.extend_from_slice(&row[..width]);
                targets.push(row[width] as f32);
            }
            _ => return Err(damaged(name, "a row that is not numbers")),
        }
    }
    if targets.len() != samples {
        return Err(damaged(name, "fewer rows than its header says"));
    }
    standardise(&mut values, width);
    let mut rows = Rows::new(width);
    rows.inputs = values.into_iter().map(|v| v as f32).collect();
    rows.targets = targets;
    Ok(rows)
}

/// Scales each column of the row-major `values` to mean 0 and (population) standard deviation 1;
/// a constant column is only centred.
pub(crate) fn standardise(values: &mut [f64], width: usize) {
    if width == 0 || values.is_empty() {
        return;
    }
    let rows = (values.len() / width) as f64;
    for column in 0..width {
        let mean = values.iter().skip(column).step_by(width).sum::<f64>() / rows;
        let variance = values.iter().skip(column).step_by(width).map(|v| (v - mean) * (v - mean)).sum::<f64>() / rows;
        let deviation = if variance > 0.0 { variance.sqrt() } else { 1.0 };
        for v in values.iter_mut().skip(column).step_by(width) {
            *v = (*v - mean) / deviation;
        }
    }
}
