//! Inside the layers: one metric of every layer over time (a chart), and every metric of every
//! layer now (a table, which screen readers read as well as the chart shows): effective rank,
//! near-zero share, dead units, gradient norm, update ratio, and a mixture of experts' load.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::plots::{
    self,
    layers::{self, LayerMetric},
};
use crate::run::RunView;

#[component]
pub fn LayerMetrics(run: RwSignal<RunView>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let metric = RwSignal::new(LayerMetric::EffectiveRank);
    // One line per layer, or the layer × time heatmap.
    let heatmap = RwSignal::new(false);
    Effect::new(move |_| {
        let chosen = metric.get();
        let as_heatmap = heatmap.get();
        run.with(|r| {
            if let Some(c) = canvas.get() {
                if as_heatmap {
                    plots::heatmap::draw(&c, &r.layer_history, chosen);
                } else {
                    layers::draw(&c, &r.layer_history, chosen);
                }
            }
        });
    });
    let figure = |v: Option<f64>, digits: usize| {
        v.filter(|v| v.is_finite()).map_or("—".to_string(), |v| format!("{v:.digits$}"))
    };
    let rows = move || {
        run.with(|r| {
            r.layers.as_ref().map(|s| {
                s.layers
                    .iter()
                    .map(|l| {
                        let load = l.expert_load.as_ref().map(|load| {
                            load.iter().map(|v| format!("{:.0}%", v * 100.0)).collect::<Vec<_>>().join(" ")
                        });
                        view! {
                            <tr>
                                <th scope="row">{l.name.clone()}</th>
                                <td>{l.kind.clone()}</td>
                                <td>{l.width}</td>
                                <td>{figure(l.effective_rank, 2)}</td>
                                <td>{figure(l.near_zero, 3)}</td>
                                <td>{l.dead_units.map_or("—".to_string(), |d| d.to_string())}</td>
                                <td>{l.grad_norm.filter(|v| v.is_finite()).map_or("—".to_string(), |v| format!("{v:.2e}"))}</td>
                                <td>{l.update_ratio.filter(|v| v.is_finite()).map_or("—".to_string(), |v| format!("{v:.1e}"))}</td>
                                <td>{load.unwrap_or_else(|| "—".to_string())}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let caption = move || {
        run.with(|r| {
            r.layers.as_ref().map_or("Inside the layers: not measured yet.".to_string(), |s| {
                format!("Inside the layers at step {}", s.step)
            })
        })
    };
    let chart_label = move || {
        let m = metric.get();
        run.with(|r| {
            let n = r.layer_history.len();
            if heatmap.get() {
                format!(
                    "Heatmap of the {} of every layer over {n} measurements: one row per layer, one column per measurement, darker is larger; the table below has the latest values.",
                    m.label().to_ascii_lowercase()
                )
            } else {
                format!("{} of every layer over {n} measurements; the table below has the latest values.", m.label())
            }
        })
    };
    view! {
        <figure class="chart layers">
            <label class="check" title=move || metric.get().explain()>"Layer metric "
                <select id="layer-metric" prop:value=move || metric.get().name() on:change=move |ev| {
                    if let Some(m) = LayerMetric::from_name(&event_target_value(&ev)) {
                        metric.set(m);
                    }
                }>
                    {LayerMetric::ALL.iter().map(|m| view! { <option value=m.name() title=m.explain()>{m.label()}</option> }).collect_view()}
                </select>
            </label>
            <label class="check" title="Lines show up to eight layers with their values; the heatmap shows every layer, one row each, darker where the metric is larger (on a log scale for norms and ratios).">"View "
                <select id="layer-view" prop:value=move || if heatmap.get() { "heatmap" } else { "lines" } on:change=move |ev| heatmap.set(event_target_value(&ev) == "heatmap")>
                    <option value="lines">"lines"</option>
                    <option value="heatmap">"layer × time heatmap"</option>
                </select>
            </label>
            <p class="explain">{move || metric.get().explain()}</p>
            <canvas id="layer-chart" node_ref=canvas width="320" height="190" role="img" aria-label=chart_label></canvas>
        </figure>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Layer metrics, scrollable">
            <table id="layer-table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Layer"</th><th scope="col">"Kind"</th><th scope="col">"Width"</th>
                        <th scope="col" title=LayerMetric::EffectiveRank.explain()>"Eff. rank"</th>
                        <th scope="col" title=LayerMetric::NearZero.explain()>"Near zero"</th>
                        <th scope="col" title="Units never positive on the probe batch.">"Dead"</th>
                        <th scope="col" title=LayerMetric::GradNorm.explain()>"Grad norm"</th>
                        <th scope="col" title=LayerMetric::UpdateRatio.explain()>"Update"</th>
                        <th scope="col" title="Mixture of experts: the share of routing choices each expert received (\"A Review of Sparse Expert Models in Deep Learning\").">"Expert load"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
