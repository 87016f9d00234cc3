//! An experiment carried out to PyTorch, for when a user outgrows the browser: the model as a
//! self-contained `nn.Module` file, its weights as safetensors, the training recipe as a short
//! script, the data it trained on, and a sample of inputs with LayerLab's outputs for them, which
//! `python model.py` checks the PyTorch model against.
//!
//! Every block exports: the dense family through nn.Linear, attention through
//! `scaled_dot_product_attention`, and the blocks PyTorch has no layer for (KAN layers, group
//! rationals, mixtures of experts, rearrangements) with their own small module code in the
//! file's layer library. So do the learning rules: a network trained by DFA, target projection
//! or Mono-Forward predicts with its own forward pass; a Forward-Forward network exports as the
//! library's `ForwardForward`, which predicts by goodness per label and trains by its local loss.

mod recipe;
pub mod torch;

use layerlab_spec::Spec;
use layerlab_spec::data::Task;
use layerlab_spec::train::LearningRule;
use safetensors::{Dtype, tensor::TensorView};

use crate::backend::Backend;
use crate::data::{self, DataFile, Examples};
use crate::model::{self, Node, ParamKind};
use crate::rules::Local;
use crate::train::Trainer;
use torch::{Ends, Slot, Source};

/// Examples in `sample.safetensors`.
pub const SAMPLE: usize = 32;

/// One exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub name: &'static str,
    pub bytes: Vec<u8>,
}

/// The files of a PyTorch export of the trainer's model as it is now: `model.py`, `train.py`,
/// `weights.safetensors`, `data.safetensors`, `sample.safetensors` and `spec.json`.
pub fn pytorch<B: Backend>(trainer: &mut Trainer<B>, spec: &Spec) -> Result<Vec<File>, String> {
    let library = data::with_bytes(DataFile::TorchLibrary, |bytes| String::from_utf8_lossy(bytes).into_owned())
        .map_err(|e| format!("the model file's layer library: {}", e.message))?;
    let nodes = &trainer.model.nodes;
    let code = match trainer.rule() {
        Some(Local::ForwardForward(ff)) => {
            torch::forward_forward(&nodes[..nodes.len() - 1], ff.embed(), ff.classes(), ff.binary())
        }
        _ => {
            let ends = Ends {
                tokens: matches!(nodes.first(), Some(Node::Embed { .. })),
                sequence: matches!(trainer.data.task, Task::Sequence { .. }),
            };
            torch::model(nodes, ends)
        }
    };
    let values = tensor_values(trainer, &code.slots);
    let weights = safetensors(
        code.slots.iter().map(|s| s.key.as_str()).zip(values.iter().map(|(shape, v)| (shape.clone(), v.as_slice()))),
    )?;

    let keys = |keep: &dyn Fn(ParamKind, bool) -> bool| -> Vec<String> {
        code.slots
            .iter()
            .filter_map(|s| match s.source {
                Source::Param(i) => {
                    let p = &trainer.model.params[i];
                    keep(p.kind, p.trainable).then(|| s.key.clone())
                }
                Source::Buffer(_) => None,
            })
            .collect()
    };
    let recipe = recipe::Recipe {
        training: &spec.training,
        loss: trainer.loss,
        batch: trainer.batch,
        steps: trainer.total_steps,
        seed: spec.seed,
        threshold: match spec.training.rule {
            LearningRule::ForwardForward { threshold } => Some(threshold),
            _ => None,
        },
        penalised: keys(&|kind, trainable| trainable && kind == ParamKind::Weight),
        frozen: keys(&|_, trainable| !trainable),
    };

    let width = trainer.model.inputs;
    // The first test examples (training examples when a tiny set left the test split empty).
    let source = if trainer.data.test.len > 0 { &trainer.data.test } else { &trainer.data.train };
    let n = source.len.min(SAMPLE);
    let inputs = source.inputs[..n * width].to_vec();
    let outputs = trainer.predict(&inputs);
    let per = outputs.len() / n.max(1);
    let sample = safetensors([
        ("inputs", (vec![n, width], inputs.as_slice())),
        ("outputs", (vec![n, per], outputs.as_slice())),
    ])?;

    let data = &trainer.data;
    let data = safetensors([
        ("train_inputs", inputs_of(&data.train)),
        ("train_targets", targets_of(&data.train)),
        ("test_inputs", inputs_of(&data.test)),
        ("test_targets", targets_of(&data.test)),
    ])?;

    Ok(vec![
        File { name: "model.py", bytes: model_file(spec, &library, &code.expression).into_bytes() },
        File { name: "train.py", bytes: recipe::script(&recipe).into_bytes() },
        File { name: "weights.safetensors", bytes: weights },
        File { name: "data.safetensors", bytes: data },
        File { name: "sample.safetensors", bytes: sample },
        File { name: "spec.json", bytes: layerlab_spec::json::to_json(spec).into_bytes() },
    ])
}

fn inputs_of(e: &Examples) -> (Vec<usize>, &[f32]) {
    (vec![e.len, e.width], &e.inputs)
}

fn targets_of(e: &Examples) -> (Vec<usize>, &[f32]) {
    (vec![e.len, e.target_width], &e.targets)
}

/// Each slot's shape and numbers (f32, in PyTorch's layout).
fn tensor_values<B: Backend>(trainer: &mut Trainer<B>, slots: &[Slot]) -> Vec<(Vec<usize>, Vec<f32>)> {
    slots
        .iter()
        .map(|slot| {
            let buf = match slot.source {
                Source::Param(i) => &trainer.model.params[i].value,
                Source::Buffer(i) => &trainer.model.buffers[i],
            };
            let host = model::read(&mut trainer.b, buf);
            let values: Vec<f32> = if slot.transpose {
                // The engine's rows × cols is PyTorch's cols × rows: shape[1] rows of shape[0].
                let (cols, rows) = (slot.shape[0], slot.shape[1]);
                (0..cols).flat_map(|c| (0..rows).map(move |r| (r, c))).map(|(r, c)| host[r * cols + c] as f32).collect()
            } else {
                host.iter().map(|&v| v as f32).collect()
            };
            (slot.shape.clone(), values)
        })
        .collect()
}

/// Named f32 tensors as a safetensors file.
fn safetensors<'a>(tensors: impl IntoIterator<Item = (&'a str, (Vec<usize>, &'a [f32]))>) -> Result<Vec<u8>, String> {
    let bytes: Vec<(&str, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, (shape, values))| (name, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect()))
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, data)| TensorView::new(Dtype::F32, shape.clone(), data).map(|view| (*name, view)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a tensor does not fit its shape: {e}"))?;
    safetensors::serialize(views, None).map_err(|e| format!("the weights could not be written: {e}"))
}

/// `model.py`: what it is, the layer library, and `build()`.
fn model_file(spec: &Spec, library: &str, expression: &str) -> String {
    let blocks: Vec<&str> = spec.model.iter().map(|b| b.kind()).collect();
    format!(
        r#""""A LayerLab experiment as a PyTorch module: {dataset}, blocks {blocks}, then the output layer.

    import model
    net = model.load()        # build() with weights.safetensors, in evaluation mode
    python model.py           # checks PyTorch's outputs against LayerLab's on sample.safetensors
    python train.py           # trains on data.safetensors with the experiment's recipe

The inputs are the features LayerLab fed the model (data.safetensors holds them for every example).
"""
{library}

def build():
    """The model, with PyTorch's initial weights; `load()` gives it LayerLab's."""
    return {expression}


if __name__ == "__main__":
    check()
"#,
        dataset = spec.data.dataset.name(),
        blocks = if blocks.is_empty() { "none".to_string() } else { blocks.join(", ") },
        library = library.trim_end(),
    )
}

#[cfg(test)]
mod tests;
