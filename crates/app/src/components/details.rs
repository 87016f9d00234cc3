//! Results by kind of task: the test set's confusion matrix (classification up to 20 classes),
//! its accuracy at each answer position and the first attention layer's maps (sequence tasks),
//! and for an image task the model's picture beside the target, with the PSNR.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::plots::colors::share_background;
use crate::plots::surface::{draw_attention, draw_picture};
use crate::run::RunView;

#[component]
pub fn Details(run: RwSignal<RunView>) -> impl IntoView {
    let target = NodeRef::<Canvas>::new();
    let painted = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        run.with(|r| {
            if let (Some(picture), Some(canvas)) = (r.info.as_ref().and_then(|i| i.target_image.as_ref()), target.get())
            {
                draw_picture(&canvas, &picture.pixels, picture.side);
            }
            let model = r.progress.as_ref().and_then(|p| p.details.as_ref()).and_then(|d| d.image.as_ref());
            if let (Some(picture), Some(canvas)) = (model, painted.get()) {
                draw_picture(&canvas, &picture.pixels, picture.side);
            }
        });
    });
    // The first layer with attention maps: its name, heads and sequence length.
    let attention_shape = Memo::new(move |_| {
        run.with(|r| {
            let layers = &r.layers.as_ref()?.layers;
            layers.iter().find_map(|l| l.attention.as_ref().map(|a| (l.name.clone(), a.heads, a.len)))
        })
    });
    Effect::new(move |_| {
        attention_shape.track();
        run.with(|r| {
            let Some(snapshot) = r.layers.as_ref() else { return };
            let Some(map) = snapshot.layers.iter().find_map(|l| l.attention.as_ref()) else { return };
            for (h, rows) in map.probs.iter().enumerate() {
                let canvas = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.get_element_by_id(&format!("attention-{h}")))
                    .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlCanvasElement>(e).ok());
                if let Some(canvas) = canvas {
                    draw_attention(&canvas, rows);
                }
            }
        });
    });
    let attention = move || {
        attention_shape.get().map(|(name, heads, len)| {
            let maps = (0..heads)
                .map(|h| {
                    let label = format!("{name}, head {}: row i shows how much token i attends to each of the {len} tokens (darker is more).", h + 1);
                    view! {
                        <figure>
                            <canvas class="attention" id=format!("attention-{h}") width="16" height="16" role="img" aria-label=label></canvas>
                            <figcaption>{format!("head {}", h + 1)}</figcaption>
                        </figure>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="attention-heading">
                    <h3 id="attention-heading">{format!("Attention of {name}, first probe example")}</h3>
                    <div class="attention-maps">{maps}</div>
                </section>
            }
        })
    };
    let has_image = move || run.with(|r| r.info.as_ref().is_some_and(|i| i.target_image.is_some()));
    let psnr = move || {
        run.with(|r| r.progress.as_ref().and_then(|p| p.test_psnr).map_or("—".to_string(), |v| format!("{v:.1} dB")))
    };
    let confusion = move || {
        run.with(|r| {
            let c = r.progress.as_ref()?.details.as_ref()?.confusion.clone()?;
            let k = c.classes as usize;
            let header = (0..k).map(|p| view! { <th scope="col">{p}</th> }).collect_view();
            let rows = (0..k)
                .map(|t| {
                    let row = &c.counts[t * k..][..k];
                    let total = row.iter().sum::<u32>().max(1);
                    let cells = row
                        .iter()
                        .enumerate()
                        .map(|(p, &n)| {
                            let style = format!("background:{}", share_background(f64::from(n) / f64::from(total)));
                            let strong = p == t;
                            view! { <td style=style class:diagonal=strong>{n}</td> }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{t}</th>{cells}</tr> }
                })
                .collect_view();
            Some(view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Confusion matrix, scrollable">
                    <table id="confusion">
                        <caption>"Confusion matrix of the test set: rows are the true classes, columns the predicted ones; the diagonal is right."</caption>
                        <thead><tr><th scope="col">"true \\ predicted"</th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })
        })
    };
    let positions = move || {
        run.with(|r| {
            let per = r.progress.as_ref()?.details.as_ref()?.per_position.clone()?;
            let items = per
                .iter()
                .enumerate()
                .map(|(i, a)| view! { <li><span class="position">{format!("position {}", i + 1)}</span><meter min="0" max="1" value=*a></meter>{format!("{:.1}%", a * 100.0)}</li> })
                .collect_view();
            Some(view! {
                <section aria-labelledby="positions-heading">
                    <h3 id="positions-heading">"Test accuracy by answer position"</h3>
                    <ol id="per-position" class="positions">{items}</ol>
                </section>
            })
        })
    };
    view! {
        <section class="images" class:hidden=move || !has_image() aria-label="Image task: target and the model's picture">
            <figure>
                <canvas id="target-image" node_ref=target width="16" height="16" role="img" aria-label="The target image"></canvas>
                <figcaption>"Target"</figcaption>
            </figure>
            <figure>
                <canvas id="model-image" node_ref=painted width="16" height="16" role="img" aria-label="The image as the model paints it now"></canvas>
                <figcaption>"Model, PSNR " <span id="psnr">{psnr}</span></figcaption>
            </figure>
        </section>
        {confusion}
        {positions}
        {attention}
    }
}
