//! The output panel: the numbers of the latest progress, the loss curves, and for 2D tasks the
//! decision surface with the training (filled) and test (hollow) points.

use layerlab_spec::Spec;
use leptos::html::Canvas;
use leptos::prelude::*;

use super::app::Sender;
use super::details::Details;
use super::export::{Export, TorchExport};
use super::layers::LayerMetrics;
use super::neurons::Neurons;
use super::preview::SamplePredictions;
use super::similarity::LayerSimilarity;
use crate::plots;
use crate::run::{RunView, nearest};

#[component]
pub fn OutputPanel(
    spec: RwSignal<Spec>,
    run: RwSignal<RunView>,
    torch: RwSignal<TorchExport>,
    sender: Sender,
) -> impl IntoView {
    let loss_canvas = NodeRef::<Canvas>::new();
    let surface_canvas = NodeRef::<Canvas>::new();
    let log_scale = RwSignal::new(false);
    let show_test = RwSignal::new(true);

    // The step whose exact values are read out (hovered, or picked with the arrow keys), and
    // where the steps lie across the chart as last drawn.
    let cursor = RwSignal::new(None::<u64>);
    let span = StoredValue::new(None::<plots::loss::Span>);
    Effect::new(move |_| {
        let log = log_scale.get();
        let at = cursor.get();
        run.with(|r| {
            if let Some(canvas) = loss_canvas.get() {
                span.set_value(plots::loss::draw(&canvas, &r.history, log, at));
            }
        });
    });
    let hover = move |ev: leptos::ev::MouseEvent| {
        let (Some(canvas), Some(span)) = (loss_canvas.get(), span.get_value()) else { return };
        // From CSS pixels to the canvas's own.
        let scale = f64::from(canvas.width()) / f64::from(canvas.client_width().max(1));
        let step = span.step_at(f64::from(ev.offset_x()) * scale);
        cursor.set(run.with(|r| nearest(&r.history, step).map(|i| r.history[i].step)));
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let next = run.with(|r| {
            let last = r.history.len().checked_sub(1)?;
            let here = cursor.get().and_then(|s| nearest(&r.history, s)).unwrap_or(last);
            let index = match ev.key().as_str() {
                "ArrowLeft" => here.saturating_sub(1),
                "ArrowRight" => (here + 1).min(last),
                "Home" => 0,
                "End" => last,
                _ => return None,
            };
            Some(r.history[index].step)
        });
        if let Some(step) = next {
            ev.prevent_default();
            cursor.set(Some(step));
        }
    };
    let readout = move || {
        let Some(step) = cursor.get() else {
            return "Point at the chart, or focus it and use the arrow keys, for the exact values at a step."
                .to_string();
        };
        run.with(|r| {
            let p = &r.history[nearest(&r.history, step)?];
            let accuracy = p.test_accuracy.map(|a| format!(", test accuracy {:.1}%", a * 100.0)).unwrap_or_default();
            Some(format!(
                "Step {}: training loss {:.4}, test loss {:.4}{accuracy}",
                crate::components::architecture::group(p.step),
                p.train_loss,
                p.test_loss
            ))
        })
        .unwrap_or_default()
    };
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
    // Where the linear axis stops short of a diverging run's peak, in words (a closure: a Memo of
    // its type cost the page 0.7 KB gzipped, by hand).
    let cut_note = move || {
        let top = if log_scale.get() { None } else { run.with(|r| plots::loss::cut_off(&r.history)) }?;
        Some(plots::cut_sentence("Losses", top))
    };
    let loss_label = move || {
        let curves = run.with(|r| match r.history.last() {
            Some(p) => format!(
                "Loss curves up to step {}: training loss {:.4} (solid line), test loss {:.4} (dashed line).",
                p.step, p.train_loss, p.test_loss
            ),
            None => "Loss curves: no training yet.".to_string(),
        });
        match cut_note() {
            Some(note) => format!("{curves} {note}"),
            None => curves,
        }
    };
    view! {
        <section class="panel output" aria-labelledby="output-heading" data-part="output">
            <h2 id="output-heading">"Output"</h2>
            <dl class="stats">
                <div><dt>"Test loss"</dt><dd id="test-loss">{stat(|r| r.progress.as_ref().map(|p| p.test_loss), 4)}</dd></div>
                <div><dt>"Training loss"</dt><dd id="train-loss">{stat(|r| r.progress.as_ref().map(|p| p.train_loss), 4)}</dd></div>
                <div><dt>"Test accuracy"</dt><dd id="test-accuracy">{percent(|r| r.progress.as_ref().and_then(|p| p.test_accuracy))}</dd></div>
                <div><dt>"Steps per second"</dt><dd id="steps-per-second">{stat(|r| r.progress.as_ref().map(|p| p.steps_per_second).filter(|v| *v > 0.0), 0)}</dd></div>
            </dl>
            <p id="run-stopped" class="stopped" role="alert">{move || run.with(|r| r.stopped.clone())}</p>
            <Export run=run torch=torch sender=sender />
            <figure class="chart">
                <canvas
                    id="loss-chart" node_ref=loss_canvas width="320" height="170" role="img" aria-label=loss_label
                    tabindex="0" aria-describedby="loss-readout"
                    on:mousemove=hover on:mouseleave=move |_| cursor.set(None) on:keydown=keys on:blur=move |_| cursor.set(None)
                ></canvas>
                <figcaption>
                    <p id="loss-readout" class="readout" aria-live="polite">{readout}</p>
                    <p id="loss-cut" class="readout" hidden=move || cut_note().is_none()>{move || cut_note()}</p>
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
            <SamplePredictions run=run />
            <Neurons run=run />
            <LayerMetrics run=run />
            <LayerSimilarity spec=spec run=run />
        </section>
    }
}
