//! The rest of the recipe, under the training bar: the learning-rate schedule, the optimizer's
//! own settings, L1, gradient clipping and noise, the initialisation, the run's length and its
//! stop condition. As with the bar, a change applies to the running training (the
//! initialisation starts a new run); a value out of range is explained here and not applied.

use layerlab_spec::number::number_f32;
use layerlab_spec::{Analysis, Spec, SpecError};
use leptos::prelude::*;

use super::field::{payload_fields, problem_items};
use crate::experiment::{self, CLIP_NORMS, GRADIENT_NOISES, INITS, L_PENALTIES, SCHEDULES};

/// One `<select>` of numbers, "off" for `None`, labelled, with a tooltip.
fn number_choice(
    id: &'static str,
    label: &'static str,
    title: &'static str,
    options: &'static [f32],
    current: impl Fn() -> Option<f32> + Send + Sync + 'static,
    set: impl Fn(Option<f32>) + Send + Sync + 'static,
) -> impl IntoView {
    let value = move || current().map_or_else(|| "off".to_string(), |v| v.to_string());
    view! {
        <label title=title>{label}
            <select id=id prop:value=value on:change=move |ev| set(number_f32(&event_target_value(&ev)))>
                <option value="off">"off"</option>
                {options.iter().map(|v| view! { <option value=v.to_string()>{v.to_string()}</option> }).collect_view()}
            </select>
        </label>
    }
}

#[component]
pub fn Recipe(spec: RwSignal<Spec>, analysis: Memo<Result<Analysis, Vec<SpecError>>>) -> impl IntoView {
    // A typed value that does not fit its field (text in a number).
    let typed = RwSignal::new(None::<String>);
    let schedule_name = move || spec.with(|s| experiment::schedule_name(&s.training.schedule));
    let schedule_fields = move || {
        let schedule = spec.with(|s| s.training.schedule);
        let kind = experiment::schedule_name(&schedule);
        payload_fields(&schedule, kind, "schedule", &[], typed, move |next| spec.update(|s| s.training.schedule = next))
    };
    let optimizer_fields = move || {
        let optimizer = spec.with(|s| s.training.optimizer);
        let kind = experiment::optimizer_name(&optimizer);
        // The learning rate has its own control on the bar.
        let apply = move |next| spec.update(|s| s.training.optimizer = next);
        payload_fields(&optimizer, kind, "optimizer", &["learning_rate"], typed, apply)
    };
    let problems = problem_items(analysis, "training", typed);
    let stop_kind = move || spec.with(|s| experiment::stop_name(s.training.stop));
    let stop_value = move || spec.with(|s| experiment::stop_value(s.training.stop));
    view! {
        <details class="recipe" id="recipe" data-part="recipe">
            <summary title="The learning-rate schedule, the optimizer's own settings, regularisation, clipping, noise, initialisation, length and stop condition.">"More training settings"</summary>
            <div class="recipe-fields">
                <label title="How the learning rate changes over the run: constant; cut by a factor every so many steps; a linear warm-up then a cosine decay to zero (\"SGDR: Stochastic Gradient Descent with Warm Restarts\"); or shrunk a little every step.">"Schedule"
                    <select id="schedule" prop:value=schedule_name on:change=move |ev| {
                        let name = event_target_value(&ev);
                        spec.update(|s| {
                            if let Some(next) = experiment::schedule_named(&name) {
                                s.training.schedule = next;
                            }
                        });
                    }>
                        {SCHEDULES.iter().map(|name| view! { <option value=*name>{*name}</option> }).collect_view()}
                    </select>
                </label>
                <div class="fields" role="group" aria-label="Schedule settings">{schedule_fields}</div>
                <div class="fields" role="group" aria-label="Optimizer settings">{optimizer_fields}</div>
                {number_choice(
                    "l1", "L1",
                    "L1 penalty on the weights: pushes small weights to exactly zero, so the network becomes sparse.",
                    &L_PENALTIES,
                    move || spec.with(|s| (s.training.l1 > 0.0).then_some(s.training.l1)),
                    move |v| spec.update(|s| s.training.l1 = v.unwrap_or(0.0)),
                )}
                {number_choice(
                    "clip", "Clip gradient norm",
                    "Scales the whole gradient down when its norm is larger than this, so one bad batch cannot throw the weights far (\"On the difficulty of training Recurrent Neural Networks\").",
                    &CLIP_NORMS,
                    move || spec.with(|s| s.training.clip_norm),
                    move |v| spec.update(|s| s.training.clip_norm = v),
                )}
                {number_choice(
                    "gradient-noise", "Gradient noise",
                    "Adds Gaussian noise to the gradient, its variance shrinking as training goes on (\"Adding Gradient Noise Improves Learning for Very Deep Networks\"): the variance at the start.",
                    &GRADIENT_NOISES,
                    move || spec.with(|s| s.training.gradient_noise.map(|n| n.eta)),
                    move |v| spec.update(|s| experiment::set_gradient_noise(s, v)),
                )}
                <label title="How the initial weights are drawn: Kaiming (\"Delving Deep into Rectifiers\"), Xavier (\"Understanding the difficulty of training deep feedforward neural networks\"), orthogonal (\"Exact solutions to the nonlinear dynamics of learning in deep linear neural networks\") or SIREN's (\"Implicit Neural Representations with Periodic Activation Functions\"). Changing it starts a new run.">"Initialisation"
                    <select id="init" prop:value=move || spec.with(|s| init_name(s.training.init)) on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if let Some((init, _)) = INITS.iter().find(|(_, n)| *n == name) {
                            spec.update(|s| s.training.init = *init);
                        }
                    }>
                        {INITS.iter().map(|(_, name)| view! { <option value=*name>{*name}</option> }).collect_view()}
                    </select>
                </label>
                <label title="How long the run trains before it stops by itself: optimizer steps, or passes over the training set.">"Length"
                    <input type="number" id="length" min="1" prop:value=move || spec.with(|s| experiment::length_parts(s).0.to_string()) on:change=move |ev| {
                        let raw = event_target_value(&ev);
                        match raw.trim().parse::<u64>() {
                            Ok(v) => {
                                typed.set(None);
                                spec.update(|s| {
                                    let unit = experiment::length_parts(s).1;
                                    experiment::set_length(s, v, unit);
                                });
                            }
                            Err(_) => typed.set(Some(format!("the length must be a whole number of 1 or more, not '{}'", raw.trim()))),
                        }
                    } />
                </label>
                <label title="What the length counts.">"counted in"
                    <select id="length-unit" prop:value=move || spec.with(|s| experiment::length_parts(s).1) on:change=move |ev| {
                        let unit = event_target_value(&ev);
                        spec.update(|s| {
                            let n = experiment::length_parts(s).0;
                            experiment::set_length(s, n, &unit);
                        });
                    }>
                        <option value="steps">"steps"</option>
                        <option value="epochs">"epochs"</option>
                    </select>
                </label>
                <label title="Stop the run early: once the training loss falls below a value, or the test accuracy reaches one.">"Stop when"
                    <select id="stop" prop:value=stop_kind on:change=move |ev| {
                        let kind = event_target_value(&ev);
                        spec.update(|s| experiment::set_stop(s, &kind, None));
                    }>
                        <option value="never">"never (run to the end)"</option>
                        <option value="loss_below">"training loss below"</option>
                        <option value="accuracy_above">"test accuracy reaches"</option>
                    </select>
                </label>
                <Show when=move || stop_kind() != "never">
                    <label title="The loss, or the accuracy as a fraction from 0 to 1, at which the run stops.">"Stop value"
                        <input type="number" id="stop-value" step="any" min="0" prop:value=move || stop_value().to_string() on:change=move |ev| {
                            let raw = event_target_value(&ev);
                            match number_f32(&raw) {
                                Some(v) if v.is_finite() => {
                                    typed.set(None);
                                    let kind = stop_kind();
                                    spec.update(|s| experiment::set_stop(s, kind, Some(v)));
                                }
                                _ => typed.set(Some(format!("the stop value must be a number, not '{}'", raw.trim()))),
                            }
                        } />
                    </label>
                </Show>
            </div>
            <ul class="problems" role="alert">{problems}</ul>
        </details>
    }
}

/// The name serde gives an initialisation (and the page's `<option>` value).
fn init_name(init: layerlab_spec::train::Init) -> &'static str {
    INITS.iter().find(|(i, _)| *i == init).map_or("xavier", |(_, name)| name)
}
