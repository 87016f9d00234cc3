//! The layer-by-layer similarity matrix: linear CKA between every pair of layers' outputs on
//! the probe batch, switched on here (it costs a product per pair at every measurement) and
//! shown as a table whose cells carry their number as well as a shade.

use layerlab_spec::Spec;
use leptos::prelude::*;

use crate::run::RunView;

const PAPER: &str = "Similarity of Neural Network Representations Revisited";

#[component]
pub fn LayerSimilarity(spec: RwSignal<Spec>, run: RwSignal<RunView>) -> impl IntoView {
    let on = move || spec.with(|s| s.metrics.similarity);
    let matrix = move || {
        run.with(|r| {
            let snapshot = r.layers.as_ref()?;
            let similarity = snapshot.similarity.as_ref()?;
            let names: Vec<String> = snapshot.layers.iter().map(|l| l.name.clone()).collect();
            let header = names.iter().map(|n| view! { <th scope="col">{n.clone()}</th> }).collect_view();
            let rows = similarity
                .iter()
                .zip(&names)
                .map(|(row, name)| {
                    let cells = row
                        .iter()
                        .map(|&v| view! { <td style=shade(v)>{if v.is_finite() { format!("{v:.2}") } else { "—".to_string() }}</td> })
                        .collect_view();
                    view! { <tr><th scope="row">{name.clone()}</th>{cells}</tr> }
                })
                .collect_view();
            Some(view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Layer similarity, scrollable">
                    <table id="similarity">
                        <caption>{format!(
                            "Linear CKA between the layers' outputs at step {} (\"{PAPER}\"): 1 is the same representation up to rotation and scale, 0 unrelated.",
                            snapshot.step
                        )}</caption>
                        <thead><tr><th scope="col">"layer"</th>{header}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })
        })
    };
    view! {
        <section class="similarity" aria-label="Layer similarity">
            <label class="check" title=format!("Measure how alike every two layers' representations are, by linear CKA (\"{PAPER}\"): a product per pair at every measurement, so off unless asked for.")>
                <input type="checkbox" id="similarity-on" prop:checked=on on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    spec.update(|s| s.metrics.similarity = checked);
                } />
                "Layer similarity (CKA)"
            </label>
            <Show when=on>{matrix}</Show>
        </section>
    }
}

/// A blue-grey from white (0) to dark (1), with text that keeps a 4.5:1 contrast on it: dark
/// text down to 64% lightness, white text from 44% (the shades between would fail both).
fn shade(v: f64) -> String {
    let v = if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 };
    let (lightness, ink) = if v < 0.6 { (100.0 - 60.0 * v, "#1b1f24") } else { (44.0 - 25.0 * (v - 0.6), "#fff") };
    format!("background: hsl(215, 25%, {lightness:.0}%); color: {ink}")
}
