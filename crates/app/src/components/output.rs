//! The output panel: the numbers of the latest progress, the loss curves, and for 2D tasks the
//! decision surface with the training (filled) and test (hollow) points.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::details::Details;
use super::layers::LayerMetrics;
use super::neurons::Neurons;
use crate::plots;
use crate::run::RunView;

#[component]
pub fn OutputPanel(run: RwSignal<RunView>) -> impl IntoView {
    let loss_canvas = NodeRef::<Canvas>::new();
    let surface_canvas = NodeRef::<Canvas>::new();
    let log_scale = RwSignal::new(false);
    let show_test = RwSignal::new(true);

    Effect::new(move |_| {
        let log = log_scale.get();
        run.with(|r| {
            if let Some(canvas) = loss_canvas.get() {
                plots::loss::draw(&canvas, &r.history, log);
            }
        });
    });
    Effect::new(move |_| {
        let test = show_test.get();
        run.with(|r| {
            if let Some(canvas) = surface_canvas.get() {
                let surface = r.progress.as_ref().and_then(|p| p.surface.as_ref());
                let points = r.info.as_ref().and_then(|i| i.points.as_ref());
                let classes = r.info.as_ref().map_or(0, |i| i.classes);
                plots::surface::draw(&canvas, surface, points, classes, test);
            }
        });
    });

    let number = |v: Option<f64>, digits: usize| {
        v.filter(|v| v.is_finite()).map_or("—".to_string(), |v| format!("{v:.digits$}"))
    };
    let stat = move |pick: fn(&RunView) -> Option<f64>, digits: usize| move || run.with(|r| number(pick(r), digits));
    let percent = move |pick: fn(&RunView) -> Option<f64>| {
        move || run.with(|r| pick(r).map_or("—".to_string(), |v| format!("{:.1}%", v * 100.0)))
    };
    let has_surface = move || run.with(|r| r.info.as_ref().is_some_and(|i| i.points.is_some()));
    let surface_label = move || {
        run.with(|r| match &r.progress {
            Some(p) => format!(
                "Decision surface at step {}: the model's answer over the plane, behind the training points (filled) and test points (hollow); the class is shown by marker shape as well as colour.",
                p.step
            ),
            None => "Decision surface: not trained yet.".to_string(),
        })
    };
    let loss_label = move || {
        run.with(|r| match r.history.last() {
            Some(p) => format!(
                "Loss curves up to step {}: training loss {:.4} (solid line), test loss {:.4} (dashed line).",
                p.step, p.train_loss, p.test_loss
            ),
            None => "Loss curves: no training yet.".to_string(),
        })
    };
    view! {
        <section class="panel output" aria-labelledby="output-heading">
            <h2 id="output-heading">"Output"</h2>
            <dl class="stats">
                <div><dt>"Test loss"</dt><dd id="test-loss">{stat(|r| r.progress.as_ref().map(|p| p.test_loss), 4)}</dd></div>
                <div><dt>"Training loss"</dt><dd id="train-loss">{stat(|r| r.progress.as_ref().map(|p| p.train_loss), 4)}</dd></div>
                <div><dt>"Test accuracy"</dt><dd id="test-accuracy">{percent(|r| r.progress.as_ref().and_then(|p| p.test_accuracy))}</dd></div>
                <div><dt>"Steps per second"</dt><dd id="steps-per-second">{stat(|r| r.progress.as_ref().map(|p| p.steps_per_second).filter(|v| *v > 0.0), 0)}</dd></div>
            </dl>
            <p id="run-stopped" class="stopped" role="alert">{move || run.with(|r| r.stopped.clone())}</p>
            <figure class="chart">
                <canvas id="loss-chart" node_ref=loss_canvas width="320" height="170" role="img" aria-label=loss_label></canvas>
                <figcaption>
                    <label class="check" title="Show the loss on a logarithmic axis, where late, small improvements stay visible.">
                        <input type="checkbox" id="log-scale" prop:checked=move || log_scale.get() on:change=move |ev| log_scale.set(event_target_checked(&ev)) />
                        "Log scale"
                    </label>
                </figcaption>
            </figure>
            <figure class="surface" class:hidden=move || !has_surface()>
                <canvas id="surface" node_ref=surface_canvas width="320" height="320" role="img" aria-label=surface_label></canvas>
                <figcaption>
                    <label class="check" title="Draw the test examples too, as hollow markers.">
                        <input type="checkbox" id="show-test" prop:checked=move || show_test.get() on:change=move |ev| show_test.set(event_target_checked(&ev)) />
                        "Show test data"
                    </label>
                </figcaption>
            </figure>
            <Details run=run />
            <Neurons run=run />
            <LayerMetrics run=run />
        </section>
    }
}
