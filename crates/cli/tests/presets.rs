//! Every preset played with its defaults through `layerlab train`, as the page's Compare plays
//! it, and its effect checked in the numbers. The figures in each check's comment are the last
//! measured ones.

use std::process::Command;

use layerlab_spec::presets::{self, Preset};
use serde_json::Value;

/// What one run of a preset printed: every evaluation line, then the summary.
struct Played {
    evals: Vec<Value>,
    last: Value,
    flops: u64,
}

fn play(id: &str) -> (Preset, Vec<Played>) {
    let preset = presets::find(id).unwrap_or_else(|| panic!("no preset {id}"));
    let played = preset
        .runs
        .iter()
        .enumerate()
        .map(|(i, run)| {
            let path = std::env::temp_dir().join(format!("layerlab-preset-{}-{id}-{i}.json", std::process::id()));
            std::fs::write(&path, layerlab_spec::json::to_json(&run.spec)).expect("temp dir is writable");
            let out = Command::new(env!("CARGO_BIN_EXE_layerlab")).arg("train").arg(&path).output().expect("runs");
            assert!(out.status.success(), "{id} `{}`: {}", run.label, String::from_utf8_lossy(&out.stderr));
            let mut lines: Vec<Value> =
                String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
            let last = lines.pop().expect("a summary");
            let flops = layerlab_spec::analyse(&run.spec).expect("valid").flops_per_step;
            eprintln!("{id} `{}`: {last}", run.label);
            Played { evals: lines, last, flops }
        })
        .collect();
    (preset, played)
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// A layer metric of the layer `name` in one evaluation line.
fn layer(eval: &Value, name: &str, metric: &str) -> f64 {
    let layers = eval["layers"].as_array().expect("layers");
    let l = layers.iter().find(|l| l["name"] == name).unwrap_or_else(|| panic!("no layer {name}"));
    num(l, metric)
}

/// Deep (8 × 12 tanh, 1,141 parameters) against one layer and three parallel branches of two
/// (985): last measured, test accuracy 0.604 against 0.948.
#[test]
fn deep_vs_parallel() {
    let (_, r) = play("deep_vs_parallel");
    let (deep, parallel) = (num(&r[0].last, "test_accuracy"), num(&r[1].last, "test_accuracy"));
    let (pd, pp) = (num(&r[0].last, "parameters"), num(&r[1].last, "parameters"));
    assert!((pp - pd).abs() / pd < 0.2, "about equal parameters: {pd} and {pp}");
    assert!(parallel >= 0.9 && parallel >= deep + 0.1, "deep {deep}, parallel {parallel}");
}

/// The frozen-lift hourglass (11,290 trained parameters) against 64 → 128 → 32 (12,778):
/// last measured, training loss 0.073 against 0.103, test accuracy 0.945 against 0.949.
#[test]
fn hourglass_vs_mlp() {
    let (_, r) = play("hourglass_vs_mlp");
    let (h, m) = (&r[0].last, &r[1].last);
    assert!(num(h, "parameters") < num(m, "parameters"));
    assert!(num(h, "train_loss") < num(m, "train_loss"), "hourglass {h}\nMLP {m}");
    assert!((num(h, "test_accuracy") - num(m, "test_accuracy")).abs() < 0.03, "hourglass {h}\nMLP {m}");
}

/// KAN [2, 5, 1] (137 parameters) against a 2 × 32 tanh MLP (1,185): last measured, test RMSE
/// 0.0043 against 0.030.
#[test]
fn kan_vs_mlp() {
    let (_, r) = play("kan_vs_mlp");
    let (kan, mlp) = (num(&r[0].last, "test_rmse"), num(&r[1].last, "test_rmse"));
    assert!(kan <= 0.02 && kan * 3.0 < mlp, "KAN {kan}, MLP {mlp}");
    assert!(num(&r[0].last, "parameters") * 5.0 < num(&r[1].last, "parameters"));
}

/// Four pure attention layers against four with skip and MLP, reversing 6 tokens: last measured,
/// the fourth layer's effective rank 1.0 against 4.4 or more, test accuracy 0.36 against 0.99.
#[test]
fn attention_rank() {
    let (_, r) = play("attention_rank");
    let end = |p: &Played| p.evals.last().expect("evaluated").clone();
    let pure = layer(&end(&r[0]), "model[4]", "effective_rank");
    let kept = layer(&end(&r[1]), "model[4]", "effective_rank");
    assert!(pure < 1.5 && kept > 3.0, "effective rank: pure {pure}, with skips {kept}");
    let (pa, ka) = (num(&r[0].last, "test_accuracy"), num(&r[1].last, "test_accuracy"));
    assert!(pa < 0.5 && ka >= 0.95, "accuracy: pure {pa}, with skips {ka}");
}

/// Three ReLU layers from pixel coordinates, 128 and 384 wide: last measured, the second
/// layer's share of zeros 0.55 → 0.58 (128) and 0.63 → 0.75 (384) from the first metrics
/// interval to the last.
#[test]
fn lazy_neurons() {
    let (_, r) = play("lazy_neurons");
    let sparsity = |p: &Played, at: usize| layer(&p.evals[at], "model[1]", "sparsity");
    for p in &r {
        let (first, last) = (sparsity(p, 0), sparsity(p, p.evals.len() - 1));
        assert!(first >= 0.45 && last > first, "sparsity {first} → {last}");
    }
    let (narrow, wide) = (sparsity(&r[0], r[0].evals.len() - 1), sparsity(&r[1], r[1].evals.len() - 1));
    assert!(wide > narrow + 0.1, "128 wide {narrow}, 384 wide {wide}");
}

/// 64-256-256-10 on the digits four ways: last measured, test accuracy backprop 0.976,
/// Forward-Forward 0.967, Mono-Forward 0.969, DFA 0.967; Mono-Forward holds 133,632 bytes of
/// activations per step against backprop's 208,640.
#[test]
fn learning_rules() {
    let (preset, r) = play("learning_rules");
    let backprop = num(&r[0].last, "test_accuracy");
    assert!(backprop >= 0.95, "backprop {backprop}");
    let memory = |p: &Played| num(&p.last["memory"], "activations");
    for (run, p) in preset.runs.iter().zip(&r).skip(1) {
        let accuracy = num(&p.last, "test_accuracy");
        assert!(accuracy >= backprop - 0.03, "{}: {accuracy}, backprop {backprop}", run.label);
    }
    let (mono, all) = (memory(&r[2]), memory(&r[0]));
    assert!(mono < 0.7 * all, "Mono-Forward holds {mono} bytes of activations, backprop {all}");
}

/// (a + b) mod 97 from half of the pairs, one attention layer with AdamW and weight decay 1:
/// last measured, train accuracy ≥ 0.99 at step 1,400 (test 0.08 then), test accuracy jumping
/// from 0.31 at step 1,800 to 0.99 at 2,400, where the run stops.
#[test]
fn grokking() {
    let (_, r) = play("grokking");
    assert!(num(&r[0].last, "test_accuracy") >= 0.99, "{}", r[0].last);
    let first = |key: &str| r[0].evals.iter().find(|e| num(e, key) >= 0.99).map(|e| e["step"].as_u64().expect("step"));
    let train = first("train_accuracy").expect("the training set is learned");
    let test = first("test_accuracy").expect("the test pairs are learned");
    assert!(test >= train + 300, "no delay between memorising ({train}) and generalising ({test})");
}

/// Three layers of 64 from pixel coordinates to the 64 × 64 scene: last measured, PSNR 27.8 dB
/// (sine, SIREN's initialisation) against 21.7 dB (ReLU, Kaiming's).
#[test]
fn sine_vs_relu() {
    let (_, r) = play("sine_vs_relu");
    let (sine, relu) = (num(&r[0].last, "test_psnr"), num(&r[1].last, "test_psnr"));
    assert_eq!(r[0].last["parameters"], r[1].last["parameters"], "the same size");
    assert!(sine > relu + 2.0, "sine {sine} dB, ReLU {relu} dB");
}

/// Eight experts (top 1) against the same MLP once, on a 6 × 6 checkerboard: last measured,
/// 4,553 parameters against 609 at about the same FLOPs, training loss 0.209 against 0.322.
#[test]
fn experts_vs_dense() {
    let (_, r) = play("experts_vs_dense");
    let (moe, dense) = (&r[0], &r[1]);
    assert!(num(&moe.last, "parameters") > 5.0 * num(&dense.last, "parameters"));
    assert!((moe.flops as f64) < 1.3 * dense.flops as f64, "FLOPs {} against {}", moe.flops, dense.flops);
    assert!(num(&moe.last, "train_loss") < num(&dense.last, "train_loss"), "{}\n{}", moe.last, dense.last);
}

/// Twelve sigmoid layers, plain or each in a residual block: last measured, the plain network's
/// first layer gets a gradient 1e-8 of its last hidden layer's and stays at chance (0.50); the
/// residual one's gradients stay within a factor of 10 and it reaches 0.996.
#[test]
fn vanishing_gradients() {
    let (_, r) = play("vanishing_gradients");
    let end = |p: &Played| p.evals.last().expect("evaluated").clone();
    let (plain, residual) = (end(&r[0]), end(&r[1]));
    let ratio = layer(&plain, "model[0]", "grad_norm") / layer(&plain, "model[11]", "grad_norm");
    assert!(ratio < 1e-4, "plain: first layer's gradient {ratio} of the last's");
    assert!(layer(&residual, "model[0]", "grad_norm") > 1e-3, "{residual}");
    let (pa, ra) = (num(&r[0].last, "test_accuracy"), num(&r[1].last, "test_accuracy"));
    assert!(pa <= 0.6 && ra >= 0.95, "plain {pa}, residual {ra}");
}
