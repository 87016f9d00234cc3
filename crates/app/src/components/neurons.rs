//! TensorFlow Playground's neuron pictures: for a 2D task, every hidden unit's output over the
//! plane (layers up to 32 wide), a small picture each; hovering or focusing one shows it large.
//! The pictures are redrawn in place at each progress; the elements change only when the
//! layers do.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::plots::surface::draw_unit;
use crate::run::RunView;

#[component]
pub fn Neurons(run: RwSignal<RunView>) -> impl IntoView {
    // (layer name, units) of each layer with pictures: the elements to make.
    let shape = Memo::new(move |_| {
        run.with(|r| {
            r.progress
                .as_ref()
                .and_then(|p| p.neurons.as_ref())
                .map_or_else(Vec::new, |n| n.layers.iter().map(|l| (l.name.clone(), l.units.len())).collect::<Vec<_>>())
        })
    });
    let selected = RwSignal::new((0usize, 0usize));
    Effect::new(move |_| {
        let (sl, su) = selected.get();
        shape.track();
        run.with(|r| {
            let Some(maps) = r.progress.as_ref().and_then(|p| p.neurons.as_ref()) else { return };
            for (l, layer) in maps.layers.iter().enumerate() {
                for (j, unit) in layer.units.iter().enumerate() {
                    if let Some(canvas) = canvas_by_id(&format!("neuron-{l}-{j}")) {
                        draw_unit(&canvas, unit, maps.side);
                    }
                }
            }
            let unit = maps.layers.get(sl).and_then(|l| l.units.get(su));
            if let (Some(unit), Some(canvas)) = (unit, canvas_by_id("neuron-large")) {
                draw_unit(&canvas, unit, maps.side);
            }
        });
    });
    let large_label = move || {
        let (l, j) = selected.get();
        shape.with(|s| s.get(l).map_or(String::new(), |(name, _)| format!("{name}, unit {}", j + 1)))
    };
    let rows = move || {
        shape
            .get()
            .into_iter()
            .enumerate()
            .map(|(l, (name, units))| {
                let pictures = (0..units)
                    .map(|j| {
                        let label = format!("{name}, unit {}: its output over the plane", j + 1);
                        view! {
                            <canvas
                                class="neuron" id=format!("neuron-{l}-{j}") width="16" height="16"
                                tabindex="0" role="img" aria-label=label.clone() title=label
                                on:mouseenter=move |_| selected.set((l, j))
                                on:focus=move |_| selected.set((l, j))
                            ></canvas>
                        }
                    })
                    .collect_view();
                view! { <div class="neuron-row"><span class="neuron-layer">{name}</span>{pictures}</div> }
            })
            .collect_view()
    };
    view! {
        <section class="neurons" aria-labelledby="neurons-heading" class:hidden=move || shape.with(Vec::is_empty)>
            <h3 id="neurons-heading">"Neurons"</h3>
            <p class="explain">"Each hidden unit's output over the plane, as in TensorFlow Playground: orange negative, white zero, blue positive, scaled to the unit's largest output. Hover or focus one to see it large."</p>
            <div class="neuron-grid">
                <div class="neuron-rows">{rows}</div>
                <figure class="neuron-zoom">
                    <canvas id="neuron-large" width="16" height="16" role="img" aria-label=large_label></canvas>
                    <figcaption>{large_label}</figcaption>
                </figure>
            </div>
        </section>
    }
}

fn canvas_by_id(id: &str) -> Option<web_sys::HtmlCanvasElement> {
    web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into().ok()
}
