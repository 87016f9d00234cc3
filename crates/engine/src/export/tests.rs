//! The export's layout, checked exactly: keys, shapes, transposition, and the sample. Its
//! numbers against PyTorch are checked by `cargo xtask test` (the `export` step, tests/export).

use layerlab_spec::Spec;
use safetensors::SafeTensors;

use super::{File, pytorch};
use crate::cpu::Cpu;
use crate::model;
use crate::train::Trainer;

fn spec(json: &str) -> Spec {
    layerlab_spec::json::from_json(json).expect("a valid spec").spec
}

fn exported(spec: &Spec, steps: u64) -> (Trainer<Cpu<f32>>, Vec<File>) {
    let mut trainer = Trainer::new(Cpu::<f32>::new(), spec, None).expect("builds");
    for _ in 0..steps {
        trainer.step().expect("trains");
    }
    let files = pytorch(&mut trainer, spec).expect("exports");
    (trainer, files)
}

fn file<'a>(files: &'a [File], name: &str) -> &'a [u8] {
    &files.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no {name}")).bytes
}

fn floats(tensors: &SafeTensors<'_>, key: &str) -> (Vec<usize>, Vec<f32>) {
    let view = tensors.tensor(key).unwrap_or_else(|e| panic!("{key}: {e}"));
    let values = view.data().chunks(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    (view.shape().to_vec(), values)
}

#[test]
fn dense_weights_are_transposed_into_linear_layout_and_biases_kept() {
    let spec = spec(r#"{"model":[{"dense":{"units":3,"activation":"relu"}}],"data":{"dataset":"circle"}}"#);
    let (mut trainer, files) = exported(&spec, 5);
    let weights = SafeTensors::deserialize(file(&files, "weights.safetensors")).expect("safetensors");
    let engine: Vec<Vec<f64>> =
        (0..trainer.model.params.len()).map(|i| model::read(&mut trainer.b, &trainer.model.params[i].value)).collect();
    // The engine's first weights are 2 inputs × 3 units; PyTorch's are 3 × 2.
    let (shape, w) = floats(&weights, "net.0.weight");
    assert_eq!(shape, [3, 2]);
    for u in 0..3 {
        for i in 0..2 {
            assert_eq!(w[u * 2 + i], engine[0][i * 3 + u] as f32, "unit {u}, input {i}");
        }
    }
    let (shape, b) = floats(&weights, "net.0.bias");
    assert_eq!(shape, [3]);
    assert_eq!(b, engine[1].iter().map(|&v| v as f32).collect::<Vec<_>>());
    assert_eq!(floats(&weights, "net.1.weight").0, [1, 3], "the output layer: one logit for two classes");
    let model_py = String::from_utf8(file(&files, "model.py").to_vec()).expect("text");
    assert!(model_py.contains("Dense(2, 3, \"relu\")") && model_py.contains("Dense(3, 1, \"identity\")"), "{model_py}");
}

#[test]
fn keys_follow_the_module_nesting_and_buffers_travel() {
    let spec = spec(
        r#"{"model":[
            {"dense":{"units":4}},
            {"norm":{"kind":"batch"}},
            {"residual":{"body":[{"dense":{"units":4,"bias":false}}]}},
            {"parallel":{"branches":[[{"glu":{"units":2}}],[]],"merge":"concat"}},
            {"hourglass":{"wide":8,"narrow":2,"depth":1}}
        ],"data":{"dataset":"xor"}}"#,
    );
    let (_, files) = exported(&spec, 3);
    let weights = SafeTensors::deserialize(file(&files, "weights.safetensors")).expect("safetensors");
    let mut keys: Vec<String> = weights.names().into_iter().map(str::to_string).collect();
    keys.sort();
    let want = [
        "net.0.bias",
        "net.0.weight",
        "net.1.bias",
        "net.1.running_mean",
        "net.1.running_var",
        "net.1.weight",
        "net.2.body.0.weight",
        "net.3.branches.0.0.gate.bias",
        "net.3.branches.0.0.gate.weight",
        "net.3.branches.0.0.value.bias",
        "net.3.branches.0.0.value.weight",
        "net.4.0.bias",
        "net.4.0.weight",
        "net.4.1.body.0.bias",
        "net.4.1.body.0.weight",
        "net.4.1.body.1.bias",
        "net.4.1.body.1.weight",
        "net.5.bias",
        "net.5.weight",
    ];
    assert_eq!(keys, want);
    // BatchNorm's running mean moved off zero while training.
    assert!(floats(&weights, "net.1.running_mean").1.iter().any(|&m| m != 0.0));
    // The concatenation of a 2-wide GLU and the 4-wide identity branch feeds the 8-wide lift.
    assert_eq!(floats(&weights, "net.4.0.weight").0, [8, 6]);
    let train_py = String::from_utf8(file(&files, "train.py").to_vec()).expect("text");
    assert!(train_py.contains(r#"FROZEN = ["net.4.0.weight", "net.4.0.bias"]"#), "{train_py}");
}

#[test]
fn the_sample_holds_test_inputs_and_layerlabs_outputs_for_them() {
    let spec = spec(r#"{"model":[{"dense":{"units":5}}],"data":{"dataset":"iris"}}"#);
    let (mut trainer, files) = exported(&spec, 10);
    let sample = SafeTensors::deserialize(file(&files, "sample.safetensors")).expect("safetensors");
    let (shape, inputs) = floats(&sample, "inputs");
    let n = trainer.data.test.len.min(super::SAMPLE);
    assert_eq!(shape, [n, 4]);
    assert_eq!(inputs, trainer.data.test.inputs[..n * 4]);
    let (shape, outputs) = floats(&sample, "outputs");
    assert_eq!(shape, [n, 3]);
    assert_eq!(outputs, trainer.predict(&inputs));
    let data = SafeTensors::deserialize(file(&files, "data.safetensors")).expect("safetensors");
    assert_eq!(floats(&data, "train_targets").0, [trainer.data.train.len, 1]);
}

#[test]
fn a_forward_forward_network_exports_its_layers_and_label_weights() {
    let spec = spec(
        r#"{"model":[{"dense":{"units":6,"activation":"relu"}},{"dense":{"units":5,"activation":"relu"}}],
            "training":{"rule":{"forward_forward":{"threshold":1.0}}},"data":{"dataset":"iris"}}"#,
    );
    let (mut trainer, files) = exported(&spec, 5);
    let weights = SafeTensors::deserialize(file(&files, "weights.safetensors")).expect("safetensors");
    let mut keys: Vec<&str> = weights.names();
    keys.sort_unstable();
    // The output layer predicts nothing (goodness does): it stays out.
    assert_eq!(keys, ["embed", "layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"]);
    let Some(crate::rules::Local::ForwardForward(ff)) = trainer.rule() else { panic!("a Forward-Forward run") };
    let embed = ff.embed();
    let (shape, values) = floats(&weights, "embed");
    assert_eq!(shape, [3, 6]);
    let engine = model::read(&mut trainer.b, &trainer.model.params[embed].value);
    assert_eq!(values, engine.iter().map(|&v| v as f32).collect::<Vec<_>>());
    let sample = SafeTensors::deserialize(file(&files, "sample.safetensors")).expect("safetensors");
    assert_eq!(floats(&sample, "outputs").0[1], 3, "a goodness per label");
    let model_py = String::from_utf8(file(&files, "model.py").to_vec()).expect("text");
    assert!(model_py.contains("return ForwardForward(") && model_py.contains("classes=3"), "{model_py}");
    let train_py = String::from_utf8(file(&files, "train.py").to_vec()).expect("text");
    assert!(train_py.contains("loss = model.local_loss(x, y.reshape(-1).long(), 1)"), "{train_py}");
}
