//! What the data panel shows of a dataset's examples before training (besides the 2D points and
//! an image task's picture, which the run info carries already, and a CSV, which the page shows
//! as it was read): digits as small pictures, sequence tasks as a few examples written out token
//! by token with their answers, the bundled tables as their first rows.

use layerlab_engine::data::Examples;
use layerlab_engine::train::SAMPLES;
use layerlab_protocol::{Preview, Sequence};
use layerlab_spec::data::Dataset;

/// Table rows shown.
pub const ROWS: usize = 5;

/// Sequence examples shown.
pub const SEQUENCES: usize = 3;

/// The preview of `dataset`, whose examples are `train` and `test`; `None` for data the page
/// shows otherwise (points, tables, an image task).
pub fn preview(dataset: &Dataset, train: &Examples, test: &Examples) -> Option<Preview> {
    match dataset {
        Dataset::Digits => {
            let n = SAMPLES.min(test.len);
            Some(Preview::Pictures {
                side: 8,
                pictures: test.inputs.chunks(test.width).take(n).map(<[f32]>::to_vec).collect(),
                labels: test.targets.chunks(test.target_width.max(1)).take(n).map(|t| t[0] as u32).collect(),
            })
        }
        Dataset::Iris | Dataset::Wine | Dataset::BreastCancer => Some(Preview::Rows {
            rows: train.inputs.chunks(train.width).take(ROWS).map(<[f32]>::to_vec).collect(),
            labels: train.targets.chunks(train.target_width.max(1)).take(ROWS).map(|t| t[0] as u32).collect(),
        }),
        _ if dataset.token_input().is_some() => {
            let label = |v: &f32| dataset.token_label(*v as u32);
            let examples = train
                .inputs
                .chunks(train.width)
                .zip(train.targets.chunks(train.target_width.max(1)))
                .take(SEQUENCES)
                .map(|(input, answer)| Sequence {
                    input: input.iter().map(label).collect(),
                    answer: answer.iter().map(label).collect(),
                })
                .collect();
            Some(Preview::Sequences { examples })
        }
        _ => None,
    }
}
