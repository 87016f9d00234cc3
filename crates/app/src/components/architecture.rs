//! The architecture editor: the model's blocks in order, each with its explanation and paper,
//! its live output shape and parameter count, its fields edited inline, and buttons to move
//! or remove it; a palette adds any block the engine has. An invalid edit is explained at its
//! block and is not sent to the worker, which goes on with the last valid experiment.

use layerlab_spec::blocks::BlockReport;
use layerlab_spec::model::Block;
use layerlab_spec::{Analysis, Spec, SpecError};
use layerlab_worker::protocol::Problem;
use leptos::prelude::*;

use super::field::field_view;
use super::focus::refocus;
use crate::experiment;
use crate::fields::{self, Field};

/// The middle panel.
#[component]
pub fn ArchitecturePanel(
    spec: RwSignal<Spec>,
    analysis: Memo<Result<Analysis, Vec<SpecError>>>,
    /// Problems the worker found that validation could not (a learning rule that does not fit).
    worker_problems: RwSignal<Vec<Problem>>,
) -> impl IntoView {
    // A typed value that does not fit its field (text in a number): (block, message).
    let edit_error = RwSignal::new(None::<(usize, String)>);
    // The block being dragged by its handle, if any.
    let dragged = RwSignal::new(None::<usize>);
    let model = Memo::new(move |_| spec.with(|s| s.model.clone()));
    let palette_choice = RwSignal::new("dense".to_string());
    let blocks = move || {
        let analysed = analysis.get();
        let (reports, problems) = match &analysed {
            Ok(a) => (a.blocks.clone(), Vec::new()),
            Err(p) => (Vec::new(), p.clone()),
        };
        let count = model.with(Vec::len);
        model
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, block)| {
                let path = format!("model[{i}]");
                let report = reports.iter().find(|r| r.path == path).cloned();
                let here: Vec<String> =
                    experiment::problems_at(&problems, &path).iter().map(|p| p.to_string()).collect();
                let typed = edit_error.get().filter(|(at, _)| *at == i).map(|(_, m)| m);
                let step_factor = analysed.as_ref().map_or(0, |a| a.step_factor);
                view! { <BlockCard index=i count=count block=block report=report step_factor=step_factor problems=here typed=typed spec=spec edit_error=edit_error dragged=dragged /> }
            })
            .collect_view()
    };
    let general = move || {
        analysis.with(|a| match a {
            Ok(_) => Vec::new(),
            Err(p) => p.iter().filter(|e| !e.path.starts_with("model[")).map(|e| e.to_string()).collect::<Vec<_>>(),
        })
    };
    let totals = move || {
        analysis.with(|a| match a {
            Ok(a) => format!(
                "Output: {} → {}. {} parameters, {} FLOPs per step, {} of layer outputs kept per step.",
                a.head.input,
                a.head.output,
                group(a.parameters),
                short(a.flops_per_step as f64),
                bytes(a.memory.this_rule_bytes)
            ),
            Err(_) => "Not applied: fix the problems marked below; training goes on with the last valid experiment."
                .to_string(),
        })
    };
    let add = move |_| {
        let kind = palette_choice.get();
        spec.update(|s| {
            let _ = experiment::add_block(s, &kind);
        });
        let last = spec.with(|s| s.model.len().saturating_sub(1));
        refocus(format!("block-{last}-remove"));
    };
    view! {
        <section class="panel architecture" aria-labelledby="architecture-heading" data-part="architecture">
            <h2 id="architecture-heading">"Architecture"</h2>
            <p id="model-totals" class=move || if analysis.with(Result::is_ok) { "totals" } else { "totals invalid" } role="status">{totals}</p>
            <ul class="problems" role="alert">
                {move || general().into_iter().chain(worker_problems.get().into_iter().map(|p| format!("{} {}", p.path, p.message))).map(|t| view! { <li>{t}</li> }).collect_view()}
            </ul>
            <ol class="blocks" aria-label="Hidden blocks, from input to output">{blocks}</ol>
            <div class="palette" data-part="palette">
                <label for="palette">"Add a block"</label>
                <select id="palette" title="Every block the engine has; each is explained, with its paper, once added." prop:value=move || palette_choice.get() on:change=move |ev| palette_choice.set(event_target_value(&ev))>
                    {experiment::palette().iter().map(|b| { let kind = b.kind(); view! { <option value=kind title=b.about().0>{kind}</option> } }).collect_view()}
                </select>
                <button type="button" id="add-block" on:click=add title="Adds the chosen block, with its default settings, before the output layer.">"Add"</button>
            </div>
        </section>
    }
}

/// One block: what it is, its shape and size, its fields, and its buttons.
#[component]
fn BlockCard(
    index: usize,
    count: usize,
    block: Block,
    report: Option<BlockReport>,
    /// FLOPs of a step per forward FLOP (`Analysis::step_factor`).
    step_factor: u64,
    problems: Vec<String>,
    typed: Option<String>,
    spec: RwSignal<Spec>,
    edit_error: RwSignal<Option<(usize, String)>>,
    dragged: RwSignal<Option<usize>>,
) -> impl IntoView {
    let (about, paper) = block.about();
    let kind = block.kind();
    let shape = report.map(|r| {
        let flops = short(r.cost.flops.saturating_mul(step_factor) as f64);
        format!("{} → {} · {} parameters · {flops} FLOPs per step", r.input, r.output, group(r.cost.params))
    });
    let invalid = !problems.is_empty() || typed.is_some();
    let (first, last) = (index == 0, index + 1 >= count);
    let heading = format!("block-{index}-heading");
    let labelled_by = heading.clone();
    let fields = fields::fields(&block, kind)
        .into_iter()
        .map(|field| field_input(index, &block, field, spec, edit_error))
        .collect_view();
    let moved = move |up: bool| {
        let mut ok = false;
        spec.update(|s| ok = experiment::move_block(s, index, up));
        if ok {
            let to = if up { index - 1 } else { index + 1 };
            refocus(format!("block-{to}-{}", if up { "up" } else { "down" }));
        }
    };
    view! {
        <li
            class=if invalid { "block invalid" } else { "block" } aria-labelledby=labelled_by data-kind=kind
            class:drop-target=move || dragged.get().is_some_and(|d| d != index)
            on:dragover=move |ev| if dragged.get_untracked().is_some() { ev.prevent_default() }
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(from) = dragged.get_untracked() {
                    dragged.set(None);
                    edit_error.set(None);
                    spec.update(|s| { experiment::move_block_to(s, from, index); });
                }
            }
        >
            <div class="block-head">
                // The buttons move a block from the keyboard; the handle by drag and drop.
                <span
                    class="drag-handle" id=format!("block-{index}-drag") draggable="true" aria-hidden="true"
                    title="Drag onto another block to move this one there (or use the arrow buttons)."
                    on:dragstart=move |ev| {
                        if let Some(data) = ev.data_transfer() {
                            let _ = data.set_data("text/plain", &index.to_string());
                            data.set_effect_allowed("move");
                        }
                        dragged.set(Some(index));
                    }
                    on:dragend=move |_| dragged.set(None)
                >"⠿"</span>
                <h3 id=heading>{format!("{}. {kind}", index + 1)}</h3>
                <span class="shape">{shape}</span>
                <span class="block-buttons">
                    <button type="button" id=format!("block-{index}-up") disabled=first aria-label=format!("Move block {} up", index + 1) title="Move towards the input" on:click=move |_| moved(true)>"↑"</button>
                    <button type="button" id=format!("block-{index}-down") disabled=last aria-label=format!("Move block {} down", index + 1) title="Move towards the output" on:click=move |_| moved(false)>"↓"</button>
                    <button type="button" id=format!("block-{index}-remove") aria-label=format!("Remove block {}", index + 1) title="Remove this block" on:click=move |_| {
                        spec.update(|s| experiment::remove_block(s, index));
                        edit_error.set(None);
                        refocus(if index + 1 < count { format!("block-{index}-remove") } else { "add-block".to_string() });
                    }>"×"</button>
                </span>
            </div>
            <p class="about">{about} <cite>{paper}</cite></p>
            <div class="fields">{fields}</div>
            <ul class="problems" role="alert">
                {problems.into_iter().chain(typed).map(|t| view! { <li>{format!("⚠ {t}")}</li> }).collect_view()}
            </ul>
        </li>
    }
}

/// The input for one field, writing the edited block back into the spec.
fn field_input(
    index: usize,
    block: &Block,
    field: Field,
    spec: RwSignal<Spec>,
    edit_error: RwSignal<Option<(usize, String)>>,
) -> AnyView {
    let id = format!("block-{index}-{}", field.key);
    let key = field.key.clone();
    let current = block.clone();
    let commit = move |raw: String| {
        match fields::set_field(&current, current.kind(), &key, &raw) {
            Ok(block) => {
                edit_error.set(None);
                spec.update(|s| {
                    if let Some(slot) = s.model.get_mut(index) {
                        *slot = block;
                    }
                });
            }
            Err(message) => edit_error.set(Some((index, message))),
        }
        refocus(format!("block-{index}-{key}"));
    };
    field_view(id, field, commit)
}

/// 12345 → "12,345".
pub fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 1.5e6 → "1.5 M".
pub fn short(x: f64) -> String {
    match x {
        x if x >= 1e9 => format!("{:.1} G", x / 1e9),
        x if x >= 1e6 => format!("{:.1} M", x / 1e6),
        x if x >= 1e3 => format!("{:.1} k", x / 1e3),
        x => format!("{x:.0}"),
    }
}

/// Bytes in KiB or MiB.
pub fn bytes(n: u64) -> String {
    if n >= 1 << 20 { format!("{:.1} MiB", n as f64 / 1048576.0) } else { format!("{:.1} KiB", n as f64 / 1024.0) }
}
