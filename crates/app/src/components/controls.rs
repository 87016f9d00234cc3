//! The training controls, as in TensorFlow Playground's top bar: reset, play/pause, one step,
//! the step counter, the speed, and the recipe (learning rate, optimizer, batch size, regularisation,
//! learning rule, seed). A recipe change applies to the running training without restarting;
//! the seed and the learning rule start a new run.

use layerlab_protocol::WorkerInput;
use layerlab_spec::Spec;
use layerlab_spec::number::number_f32;
use leptos::prelude::*;

use super::app::Sender;
use super::rule::RuleChoice;
use crate::experiment::{self, LEARNING_RATES};
use crate::run::RunView;

const L2: [f32; 6] = [0.0, 0.00001, 0.0001, 0.001, 0.01, 0.1];
/// The speed limits offered: the option's value and label, and the steps a second.
const SPEEDS: [(&str, &str, Option<f64>); 6] = [
    ("full", "full speed", None),
    ("1000", "1,000 steps/s", Some(1000.0)),
    ("100", "100 steps/s", Some(100.0)),
    ("10", "10 steps/s", Some(10.0)),
    ("2", "2 steps/s", Some(2.0)),
    ("0.5", "a step every 2 s", Some(0.5)),
];

#[component]
pub fn Controls(spec: RwSignal<Spec>, run: RwSignal<RunView>, sender: Sender) -> impl IntoView {
    let playing = move || run.with(|r| r.playing);
    let step = move || run.with(|r| r.progress.as_ref().map_or(0, |p| p.step));
    let rate = move || spec.with(|s| s.training.optimizer.learning_rate());
    view! {
        <section class="controls" aria-label="Training controls" data-part="controls">
            <button type="button" id="reset" data-part="reset" title="Start over: the same seed gives the same data and the same initial weights." on:click=move |_| sender.send(WorkerInput::Reset)>"⟲ Reset"</button>
            <button
                type="button" id="play" class="play" data-part="play"
                aria-pressed=move || playing().to_string()
                title="Train until paused (or until the run's length or stop condition)."
                on:click=move |_| sender.send(if playing() { WorkerInput::Pause } else { WorkerInput::Play })
            >{move || if playing() { "❚❚ Pause" } else { "▶ Play" }}</button>
            <button type="button" id="step" data-part="step" title="Pause and train one step." on:click=move |_| sender.send(WorkerInput::Step)>"Step"</button>
            <p class="counter" aria-label="Step">"Step " <span id="step-count">{move || crate::components::architecture::group(step())}</span></p>
            <label data-part="speed" title="How fast training runs: as fast as this machine can, or slowed down to watch the decision surface and the curves move step by step. A setting of this page, not of the experiment.">"Speed"
                <select id="speed" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some((_, _, rate)) = SPEEDS.iter().find(|(v, _, _)| *v == value) {
                        sender.send(WorkerInput::Speed { steps_per_second: *rate });
                    }
                }>
                    {SPEEDS.iter().map(|(v, label, _)| view! { <option value=*v>{*label}</option> }).collect_view()}
                </select>
            </label>
            <label data-part="learning-rate" title="How far each step moves the weights.">"Learning rate"
                <select id="learning-rate" prop:value=move || rate().to_string() on:change=move |ev| {
                    if let Some(v) = number_f32(&event_target_value(&ev)) {
                        spec.update(|s| s.training.optimizer.set_learning_rate(v));
                    }
                }>
                    {LEARNING_RATES.iter().map(|r| view! { <option value=r.to_string()>{r.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <label data-part="optimizer" title="How the gradient becomes a step: plain SGD, with momentum, Adam or AdamW (\"Adam: A Method for Stochastic Optimization\"; \"Decoupled Weight Decay Regularization\").">"Optimizer"
                <select id="optimizer" prop:value=move || spec.with(|s| experiment::optimizer_name(&s.training.optimizer)) on:change=move |ev| {
                    let name = event_target_value(&ev);
                    spec.update(|s| {
                        if let Some(o) = experiment::optimizer_named(&name, s.training.optimizer.learning_rate()) {
                            s.training.optimizer = o;
                        }
                    });
                }>
                    <option value="sgd">"SGD"</option>
                    <option value="momentum">"Momentum"</option>
                    <option value="adam">"Adam"</option>
                    <option value="adam_w">"AdamW"</option>
                </select>
            </label>
            <label data-part="batch-size" title="Examples per step.">"Batch size"
                <input type="number" id="batch-size" min="1" max="4096" prop:value=move || spec.with(|s| s.training.batch_size.to_string()) on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<u32>() {
                        spec.update(|s| s.training.batch_size = v);
                    }
                } />
            </label>
            <label data-part="l2" title="L2 penalty on the weights (weight decay in the loss).">"L2"
                <select id="l2" prop:value=move || spec.with(|s| s.training.l2.to_string()) on:change=move |ev| {
                    if let Some(v) = number_f32(&event_target_value(&ev)) {
                        spec.update(|s| s.training.l2 = v);
                    }
                }>
                    {L2.iter().map(|r| view! { <option value=r.to_string()>{r.to_string()}</option> }).collect_view()}
                </select>
            </label>
            <RuleChoice spec=spec run=run />
            <label data-part="seed" title="The seed of the data, the initial weights and the batches. Changing it starts a new run.">"Seed"
                <input type="number" id="seed" min="0" prop:value=move || spec.with(|s| s.seed.to_string()) on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<u64>() {
                        spec.update(|s| s.seed = v);
                    }
                } />
            </label>
        </section>
    }
}
