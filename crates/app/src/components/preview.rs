//! What the data looks like before training: a 2D set's points, an image task's picture, digits
//! as small pictures, sequence tasks written out with their answers, a table's size; and in the
//! output panel, the same digits with the model's answer for each.

use layerlab_protocol::{Preview, RunInfo};
use leptos::html::Canvas;
use leptos::prelude::*;

use crate::plots::surface::{draw, draw_picture};
use crate::run::RunView;

/// The data panel's preview of the loaded run's data.
#[component]
pub fn DataPreview(run: RwSignal<RunView>) -> impl IntoView {
    let points = NodeRef::<Canvas>::new();
    let image = NodeRef::<Canvas>::new();
    let info = Memo::new(move |_| run.with(|r| r.info.clone()));
    Effect::new(move |_| {
        info.with(|i| {
            let Some(i) = i else { return };
            if let (Some(p), Some(canvas)) = (&i.points, points.get()) {
                draw(&canvas, None, Some(p), i.classes, true);
            }
            if let (Some(picture), Some(canvas)) = (&i.target_image, image.get()) {
                draw_picture(&canvas, &picture.pixels, picture.side);
            }
        });
    });
    let has = move |pick: fn(&RunInfo) -> bool| move || info.with(|i| i.as_ref().is_some_and(pick));
    let size = move || {
        info.with(|i| {
            i.as_ref().map(|i| format!("{} training and {} test examples.", i.train_examples, i.test_examples))
        })
    };
    let examples = move || {
        info.with(|i| match i.as_ref()?.preview.clone()? {
            Preview::Pictures { side, pictures, labels } => {
                let items = pictures
                    .into_iter()
                    .zip(labels)
                    .map(|(pixels, label)| {
                        view! { <li><Thumb pixels=pixels side=side label=format!("a {label}") /><span>{label}</span></li> }
                    })
                    .collect_view();
                Some(view! { <ol id="digit-samples" class="thumbs" aria-label="The first test examples and their classes">{items}</ol> }.into_any())
            }
            Preview::Rows { rows, labels } => {
                let width = rows.first().map_or(0, Vec::len);
                let head = (1..=width).map(|i| view! { <th scope="col">{format!("x{i}")}</th> }).collect_view();
                let body = rows
                    .into_iter()
                    .zip(labels)
                    .map(|(row, label)| {
                        view! { <tr>{row.iter().map(|v| view! { <td>{format!("{v:.2}")}</td> }).collect_view()}<td>{label}</td></tr> }
                    })
                    .collect_view();
                Some(view! {
                    <table id="table-samples" class="csv-preview">
                        <caption>"The first training rows, standardised, and their class"</caption>
                        <thead><tr>{head}<th scope="col">"class"</th></tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                }.into_any())
            }
            Preview::Sequences { examples } => {
                let items = examples
                    .into_iter()
                    .map(|s| view! { <li><code>{s.input.join(" ")}</code>" → "<code>{s.answer.join(" ")}</code></li> })
                    .collect_view();
                Some(view! { <ol id="sequence-samples" class="sequences" aria-label="Training examples: the input, then the answer">{items}</ol> }.into_any())
            }
        })
    };
    view! {
        <figure class="data-preview" aria-labelledby="data-preview-caption">
            <canvas id="data-preview" node_ref=points width="160" height="160" class:hidden=move || !has(|i| i.points.is_some())()
                role="img" aria-label="The training points (filled) and test points (hollow); the class is shown by marker shape as well as colour."></canvas>
            <canvas id="data-preview-image" node_ref=image width="16" height="16" class:hidden=move || !has(|i| i.target_image.is_some())()
                role="img" aria-label="The image to learn"></canvas>
            {examples}
            <figcaption id="data-preview-caption">{size}</figcaption>
        </figure>
    }
}

/// The model's answers for the pictures the data panel shows (digits), once measured.
#[component]
pub fn SamplePredictions(run: RwSignal<RunView>) -> impl IntoView {
    let items = move || {
        run.with(|r| {
            let Some(Preview::Pictures { side, pictures, labels }) = r.info.as_ref()?.preview.clone() else { return None };
            let answers = r.progress.as_ref()?.details.as_ref()?.samples.clone()?;
            let right = answers.iter().zip(&labels).filter(|(a, l)| a == l).count();
            let heading = format!("Sample predictions: {right} of {} right", answers.len());
            let items = pictures
                .into_iter()
                .zip(labels)
                .zip(answers)
                .map(|((pixels, label), answer)| {
                    let verdict = if answer == label { "right" } else { "wrong" };
                    let said = format!("a {label}, read as {answer}: {verdict}");
                    view! {
                        <li class=verdict><Thumb pixels=pixels side=side label=said />
                            <span aria-hidden="true">{format!("{label} → {answer} {}", if answer == label { "✓" } else { "✗" })}</span></li>
                    }
                })
                .collect_view();
            Some(view! {
                <section aria-labelledby="samples-heading">
                    <h3 id="samples-heading">{heading}</h3>
                    <ol id="sample-predictions" class="thumbs">{items}</ol>
                </section>
            })
        })
    };
    view! { {items} }
}

/// A small grey picture, its brightness stretched to its own range.
#[component]
fn Thumb(pixels: Vec<f32>, side: u32, label: String) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let (low, high) = pixels.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), v| (l.min(*v), h.max(*v)));
    let stretched: Vec<f32> = pixels.iter().map(|v| (v - low) / (high - low).max(1e-6)).collect();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            draw_picture(&c, &stretched, side);
        }
    });
    view! { <canvas class="thumb" node_ref=canvas width="8" height="8" role="img" aria-label=label></canvas> }
}
