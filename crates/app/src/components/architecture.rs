//! The architecture editor: the model's blocks in order (and the blocks inside residual and
//! parallel containers, at any depth), each with its explanation and paper, its live output
//! shape and parameter count, its fields edited inline, and buttons to move or remove it; a
//! palette adds any block the engine has; ticked neighbours wrap in a residual or a parallel. An invalid edit is explained at its
//! block and is not sent to the worker, which goes on with the last valid experiment.

use layerlab_protocol::Problem;
use layerlab_spec::{Analysis, Spec, SpecError};
use leptos::prelude::*;

use super::block_card::{Editor, Verdicts, block_list};
use super::focus::refocus;
use crate::experiment;
use crate::tree::{self, Addr, Place, Wrap};

/// The middle panel.
#[component]
pub fn ArchitecturePanel(
    spec: RwSignal<Spec>,
    analysis: Memo<Result<Analysis, Vec<SpecError>>>,
    /// Problems the worker found that validation could not (a learning rule that does not fit).
    worker_problems: RwSignal<Vec<Problem>>,
) -> impl IntoView {
    let editor = Editor {
        spec,
        edit_error: RwSignal::new(None),
        dragged: RwSignal::new(None),
        selected: RwSignal::new(None),
        palette_choice: RwSignal::new("dense".to_string()),
    };
    let palette_choice = editor.palette_choice;
    let model = Memo::new(move |_| spec.with(|s| s.model.clone()));
    let blocks = move || {
        let verdicts = match analysis.get() {
            Ok(a) => Verdicts { reports: a.blocks.clone(), problems: Vec::new(), step_factor: a.step_factor },
            Err(p) => Verdicts { problems: p, ..Verdicts::default() },
        };
        editor.edit_error.track();
        model.with(|m| block_list(editor, &Place::Model, m, &verdicts))
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
        let mut added = None;
        spec.update(|s| added = experiment::add_block(s, &Place::Model, &kind).ok());
        if let Some(at) = added {
            refocus(format!("block-{at}-remove"));
        }
    };
    let wrap_message = RwSignal::new(String::new());
    let wrap = move |how: Wrap| {
        let Some((place, indices)) = editor.selected.get_untracked() else {
            wrap_message.set("Tick the blocks to wrap first (the box beside each block's name).".to_string());
            return;
        };
        let mut outcome = Ok(0);
        spec.update(|s| outcome = tree::wrap(s, &place, &indices, how));
        match outcome {
            Ok(at) => {
                editor.selected.set(None);
                wrap_message.set(String::new());
                refocus(format!("{}-unwrap", Addr { list: place, index: at }.id()));
            }
            Err(why) => wrap_message.set(format!("Not wrapped: {why}.")),
        }
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
            <div class="wrap" data-part="palette" role="group" aria-label="Wrap the ticked blocks">
                <span>"Wrap the ticked blocks in "</span>
                <button type="button" id="wrap-residual" on:click=move |_| wrap(Wrap::Residual)
                    title="The ticked neighbours become the body of a residual block, x + body(x) (\"Deep Residual Learning for Image Recognition\").">"a residual"</button>
                <button type="button" id="wrap-parallel" on:click=move |_| wrap(Wrap::Parallel)
                    title="Each ticked block becomes a branch of a parallel block, side by side and summed; a single block goes beside a copy of itself (\"Make Deep Networks Shallow Again\").">"a parallel"</button>
                <span id="wrap-message" role="alert">{move || wrap_message.get()}</span>
            </div>
        </section>
    }
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
