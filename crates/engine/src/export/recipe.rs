//! The training recipe as a short PyTorch script (`train.py`): the spec's optimizer, schedule,
//! batch, penalties, clipping, noise, loss and length, on the exported data.

use layerlab_spec::train::{LearningRule, Loss, Optimizer, Schedule, Training};

/// What the script needs besides the spec's recipe.
pub struct Recipe<'a> {
    pub training: &'a Training,
    pub loss: Loss,
    pub batch: usize,
    pub steps: u64,
    pub seed: u64,
    /// Forward-Forward's goodness threshold: the network trains by its local loss.
    pub threshold: Option<f32>,
    /// Keys of the weights the L1 and L2 penalties apply to.
    pub penalised: Vec<String>,
    /// Keys of the parameters kept at their initial values.
    pub frozen: Vec<String>,
}

/// The script's text.
pub fn script(r: &Recipe<'_>) -> String {
    let t = r.training;
    let optimizer = match t.optimizer {
        Optimizer::Sgd { learning_rate } => format!("torch.optim.SGD(trained, lr={learning_rate})"),
        Optimizer::Momentum { learning_rate, momentum } => {
            format!("torch.optim.SGD(trained, lr={learning_rate}, momentum={momentum})")
        }
        Optimizer::Adam { learning_rate, beta1, beta2, epsilon } => {
            format!("torch.optim.Adam(trained, lr={learning_rate}, betas=({beta1}, {beta2}), eps={epsilon:e})")
        }
        Optimizer::AdamW { learning_rate, beta1, beta2, epsilon, weight_decay } => format!(
            "torch.optim.AdamW(trained, lr={learning_rate}, betas=({beta1}, {beta2}), eps={epsilon:e}, weight_decay={weight_decay})"
        ),
    };
    let schedule = match t.schedule {
        Schedule::Constant => "1.0".to_string(),
        Schedule::Step { every, factor } => format!("{factor} ** (step // {})", every.max(1)),
        Schedule::Cosine { warmup } => format!(
            "(step + 1) / {warmup} if step < {warmup} else 0.5 * (1 + math.cos(math.pi * min(1.0, (step - {warmup}) / max(1, STEPS - 1 - {warmup}))))"
        ),
        Schedule::Exponential { gamma } => format!("{gamma} ** step"),
    };
    let loss = match r.loss {
        Loss::Mse => "F.mse_loss(out.reshape(-1), y.reshape(-1))",
        Loss::BinaryCrossEntropy => "F.binary_cross_entropy_with_logits(out.reshape(-1), y.reshape(-1))",
        Loss::CrossEntropy => "F.cross_entropy(out.reshape(y.numel(), -1), y.reshape(-1).long())",
    };
    let correct = match r.loss {
        Loss::Mse => "None",
        Loss::BinaryCrossEntropy => "((out.reshape(-1) > 0).float() == y.reshape(-1)).float().mean().item()",
        Loss::CrossEntropy => "(out.reshape(y.numel(), -1).argmax(-1) == y.reshape(-1).long()).float().mean().item()",
    };
    let rule = match t.rule {
        LearningRule::Backprop => String::new(),
        LearningRule::ForwardForward { .. } => {
            "\nLayerLab trained this model with Forward-Forward; so does this script: each layer by its own goodness \
             loss on positive and negative data, nothing travelling back between layers.\n"
                .to_string()
        }
        other => format!(
            "\nLayerLab trained this model with {}; this script trains it with backprop (PyTorch's autograd).\n",
            other.title()
        ),
    };
    let clip = t.clip_norm.map_or(String::new(), |c| format!("        torch.nn.utils.clip_grad_norm_(trained, {c})\n"));
    let noise = t.gradient_noise.map_or(String::new(), |n| {
        format!(
            "        std = math.sqrt({} / (1 + step) ** {})\n        for p in trained:\n            p.grad += std * torch.randn_like(p)\n",
            n.eta, n.gamma
        )
    });
    let list = |keys: &[String]| keys.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ");
    format!(
        r#""""Trains the exported LayerLab model with the experiment's recipe, on the exported data.
{rule}
    python train.py            # continue from weights.safetensors
    python train.py --fresh    # start from PyTorch's initialisation instead
    python train.py --steps N  # train N steps instead of the experiment's
    python train.py --time     # print the median milliseconds per step as JSON, save nothing
    python train.py --threads N  # on N CPU threads

Writes trained.safetensors; `model.load("...")` reads it back.
"""

import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

from model import build

STEPS = {steps}
BATCH = {batch}
L1, L2 = {l1}, {l2}
PENALISED = [{penalised}]
FROZEN = [{frozen}]


def rate_factor(step):
    return {schedule}


def measure(model, x, y):
    model.eval()
    with torch.no_grad():
        out = model(x)
        loss = ({loss}).item()
        accuracy = {correct}
    model.train()
    return loss, accuracy


def main():
    steps = int(sys.argv[sys.argv.index("--steps") + 1]) if "--steps" in sys.argv else STEPS
    timing, times = "--time" in sys.argv, []
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    torch.manual_seed({seed})
    data = load_file("data.safetensors")
    model = build()
    if "--fresh" not in sys.argv:
        model.load_state_dict(load_file("weights.safetensors"))
    named = dict(model.named_parameters())
    for key in FROZEN:
        named[key].requires_grad_(False)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimizer = {optimizer}
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate_factor)
    x_train, y_train = data["train_inputs"], data["train_targets"]
    order, cursor = torch.randperm(len(x_train)), 0
    model.train()
    for step in range(steps):
        started = time.perf_counter()
        if cursor + BATCH > len(x_train):
            order, cursor = torch.randperm(len(x_train)), 0
        batch = order[cursor : cursor + BATCH]
        cursor += BATCH
        x, y = x_train[batch], y_train[batch]
        out = model(x)
        loss = {step_loss}
        # Zeros, not None: a parameter whose branch sat out this step (stochastic depth) still
        # takes its penalty and the optimizer's step, as in LayerLab.
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        with torch.no_grad():
            for p in trained:
                if p.grad is None:
                    p.grad = torch.zeros_like(p)
            for key in PENALISED:
                p = named[key]
                p.grad += L1 * torch.sign(p) + L2 * p
{clip}{noise}        optimizer.step()
        schedule.step()
        if timing:
            times.append(time.perf_counter() - started)
            continue
        if (step + 1) % max(1, steps // 10) == 0 or step + 1 == steps:
            test_loss, accuracy = measure(model, data["test_inputs"], data["test_targets"])
            shown = "" if accuracy is None else f"  test accuracy {{accuracy:.3f}}"
            print(f"step {{step + 1}}  train loss {{loss.item():.4f}}  test loss {{test_loss:.4f}}{{shown}}")
    if timing:
        # After a warm-up of a quarter of the steps (at most 20).
        kept = times[min(20, len(times) // 4) :]
        report = {{"ms_per_step": statistics.median(kept) * 1e3, "steps": len(kept), "threads": torch.get_num_threads()}}
        print(json.dumps(dict(report, train_loss=loss.item())))
        return
    save_file(model.state_dict(), "trained.safetensors")


if __name__ == "__main__":
    main()
"#,
        steps = r.steps,
        step_loss = match r.threshold {
            Some(theta) => format!("model.local_loss(x, y.reshape(-1).long(), {theta})"),
            None => format!("{loss} + model.aux_loss()"),
        },
        batch = r.batch,
        l1 = t.l1,
        l2 = t.l2,
        penalised = list(&r.penalised),
        frozen = list(&r.frozen),
        seed = r.seed,
    )
}
