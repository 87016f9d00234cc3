//! One block of the architecture, at any depth: what it is, its shape and size, its fields, its
//! buttons, a box to choose it for wrapping, and for a residual or a parallel the blocks inside
//! it, each a card of its own (edited, moved and removed the same way), with a button that adds
//! the palette's block there.

use std::sync::Arc;

use layerlab_spec::Spec;
use layerlab_spec::blocks::BlockReport;
use layerlab_spec::model::Block;
use leptos::prelude::*;

use super::architecture::{group, short};
use super::field::field_view;
use super::focus::refocus;
use crate::experiment;
use crate::fields::{self, Field};
use crate::tree::{self, Addr, Place};

/// What every card shares: the experiment, the editor's state, and the analysis of the spec.
#[derive(Clone, Copy)]
pub struct Editor {
    pub spec: RwSignal<Spec>,
    /// A typed value that does not fit its field (text in a number), at its block.
    pub edit_error: RwSignal<Option<(Addr, String)>>,
    /// The block being dragged by its handle, if any.
    pub dragged: RwSignal<Option<Addr>>,
    /// The blocks ticked for wrapping: one list's, by index.
    pub selected: RwSignal<Option<(Place, Vec<usize>)>>,
    /// The block kind the palette offers.
    pub palette_choice: RwSignal<String>,
}

/// What validation says of the whole model, for the cards to look up their own.
#[derive(Clone, Default)]
pub struct Verdicts {
    pub reports: Vec<BlockReport>,
    pub problems: Vec<layerlab_spec::SpecError>,
    /// FLOPs of a step per forward FLOP (`Analysis::step_factor`).
    pub step_factor: u64,
}

/// The cards of the list at `place`.
pub fn block_list(editor: Editor, place: &Place, blocks: &[Block], verdicts: &Verdicts) -> AnyView {
    let count = blocks.len();
    blocks
        .iter()
        .enumerate()
        .map(|(i, block)| card(editor, &Addr { list: place.clone(), index: i }, count, block, verdicts))
        .collect_view()
        .into_any()
}

fn card(editor: Editor, addr: &Addr, count: usize, block: &Block, verdicts: &Verdicts) -> AnyView {
    let Editor { spec, edit_error, dragged, selected, palette_choice } = editor;
    let path = addr.path();
    let id = addr.id();
    let report = verdicts.reports.iter().find(|r| r.path == path).cloned();
    let mut here: Vec<String> = problems_here(&verdicts.problems, &path);
    here.extend(edit_error.get_untracked().filter(|(at, _)| at == addr).map(|(_, m)| m));
    let (about, paper) = block.about();
    let kind = block.kind();
    let shape = report.map(|r| {
        let flops = short(r.cost.flops.saturating_mul(verdicts.step_factor) as f64);
        format!("{} → {} · {} parameters · {flops} FLOPs per step", r.input, r.output, group(r.cost.params))
    });
    let (index, label) = (addr.index, addr.label());
    let (first, last) = (index == 0, index + 1 >= count);
    let heading = format!("{id}-heading");
    let labelled_by = heading.clone();
    let card_class = if here.is_empty() { "block" } else { "block invalid" };
    let fields = fields::fields(&block, kind)
        .into_iter()
        .filter(|f| f.key != "body" && f.key != "branches")
        .map(|field| field_input(addr, block, field, spec, edit_error))
        .collect_view();
    let inner = tree::inner_lists(block, addr)
        .into_iter()
        .map(|(place, name)| {
            let blocks = spec.with_untracked(|s| tree::list(s, &place).cloned().unwrap_or_default());
            let list_id = place.id();
            let add_place = place.clone();
            let add = move |_| {
                let kind = palette_choice.get_untracked();
                let mut added = None;
                spec.update(|s| added = experiment::add_block(s, &add_place, &kind).ok());
                if let Some(at) = added {
                    refocus(format!("{}-remove", Addr { list: add_place.clone(), index: at }.id()));
                }
            };
            view! {
                <div class="inner-list" role="group" aria-label=format!("{name} of block {label}")>
                    <p class="inner-name">{name.clone()}</p>
                    <ol class="blocks">{block_list(editor, &place, &blocks, verdicts)}</ol>
                    <button type="button" id=format!("{list_id}-add") on:click=add
                        title="Adds the block chosen in the palette at the end of this list.">{format!("+ Add the palette's block to the {name}")}</button>
                </div>
            }
        })
        .collect_view();
    let is_container = matches!(block, Block::Residual(_) | Block::Parallel(_));
    let moved = {
        let addr = addr.clone();
        move |up: bool| {
            let to = if up { addr.index.wrapping_sub(1) } else { addr.index + 1 };
            let mut ok = false;
            spec.update(|s| ok = tree::move_to(s, &addr, to));
            if ok {
                refocus(format!("{}-{}", addr.sibling(to).id(), if up { "up" } else { "down" }));
            }
        }
    };
    let remove = {
        let addr = addr.clone();
        move |_| {
            spec.update(|s| tree::remove(s, &addr));
            edit_error.set(None);
            selected.set(None);
            refocus(if addr.index + 1 < count { format!("{}-remove", addr.id()) } else { "add-block".to_string() });
        }
    };
    let unwrap = {
        let addr = addr.clone();
        move |_| {
            spec.update(|s| {
                tree::unwrap(s, &addr);
            });
            selected.set(None);
            refocus(format!("{}-remove", addr.id()));
        }
    };
    let (tick_place, drop_list, drag_addr, ticked_place) =
        (addr.list.clone(), addr.list.clone(), addr.clone(), addr.list.clone());
    let ticked = move || selected.with(|s| s.as_ref().is_some_and(|(p, l)| *p == ticked_place && l.contains(&index)));
    let tick = move |ev| {
        let on = event_target_checked(&ev);
        selected.update(|s| {
            let mut list = match s.take() {
                Some((p, l)) if p == tick_place => l,
                _ => Vec::new(),
            };
            list.retain(|i| *i != index);
            if on {
                list.push(index);
            }
            *s = (!list.is_empty()).then(|| (tick_place.clone(), list));
        });
    };
    let same_list = move || dragged.with(|d| d.as_ref().is_some_and(|d| d.list == drop_list && d.index != index));
    view! {
        <li
            class=card_class aria-labelledby=labelled_by data-kind=kind
            class:drop-target=same_list.clone()
            on:dragover=move |ev| if same_list() { ev.prevent_default() }
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(from) = dragged.get_untracked() {
                    dragged.set(None);
                    edit_error.set(None);
                    spec.update(|s| { tree::move_to(s, &from, index); });
                }
            }
        >
            <div class="block-head">
                // The buttons move a block from the keyboard; the handle by drag and drop.
                <span
                    class="drag-handle" id=format!("{id}-drag") draggable="true" aria-hidden="true"
                    title="Drag onto another block of the same list to move this one there (or use the arrow buttons)."
                    on:dragstart=move |ev| {
                        if let Some(data) = ev.data_transfer() {
                            let _ = data.set_data("text/plain", &drag_addr.path());
                            data.set_effect_allowed("move");
                        }
                        dragged.set(Some(drag_addr.clone()));
                    }
                    on:dragend=move |_| dragged.set(None)
                >"⠿"</span>
                <input type="checkbox" class="choose" id=format!("{id}-select") prop:checked=ticked on:change=tick
                    aria-label=format!("Choose block {label} for wrapping") title="Tick neighbouring blocks, then wrap them in a residual or a parallel container." />
                <h3 id=heading>{format!("{label}. {kind}")}</h3>
                <span class="shape">{shape}</span>
                <span class="block-buttons">
                    {is_container.then(|| view! {
                        <button type="button" id=format!("{id}-unwrap") aria-label=format!("Unwrap block {label}") title="Put the blocks inside this container in its place (a parallel's branches one after another)." on:click=unwrap.clone()>"Unwrap"</button>
                    })}
                    <button type="button" id=format!("{id}-up") disabled=first aria-label=format!("Move block {label} up") title="Move towards the input" on:click={let m = moved.clone(); move |_| m(true)}>"↑"</button>
                    <button type="button" id=format!("{id}-down") disabled=last aria-label=format!("Move block {label} down") title="Move towards the output" on:click=move |_| moved(false)>"↓"</button>
                    <button type="button" id=format!("{id}-remove") aria-label=format!("Remove block {label}") title="Remove this block" on:click=remove>"×"</button>
                </span>
            </div>
            <p class="about">{about} <cite>{paper}</cite></p>
            <div class="fields">{fields}</div>
            <ul class="problems" role="alert">
                {here.into_iter().map(|t| view! { <li>{format!("⚠ {t}")}</li> }).collect_view()}
            </ul>
            {inner}
        </li>
    }
    .into_any()
}

/// The problems about the block at `path` itself and its own fields, not those of the blocks
/// inside it (their cards show them); a container's `body` or branch as a whole is its own.
fn problems_here(problems: &[layerlab_spec::SpecError], path: &str) -> Vec<String> {
    experiment::problems_at(problems, path)
        .into_iter()
        .filter(|p| {
            let rest = &p.path[path.len()..];
            let inner_block = rest.strip_prefix(".body[").is_some()
                || rest
                    .strip_prefix(".branches[")
                    .is_some_and(|r| r.split_once(']').is_some_and(|(_, t)| t.starts_with('[')));
            !inner_block
        })
        .map(ToString::to_string)
        .collect()
}

/// The input for one field, writing the edited block back into the spec.
fn field_input(
    addr: &Addr,
    block: &Block,
    field: Field,
    spec: RwSignal<Spec>,
    edit_error: RwSignal<Option<(Addr, String)>>,
) -> AnyView {
    let id = format!("{}-{}", addr.id(), field.key);
    let key = field.key.clone();
    let current = block.clone();
    let addr = addr.clone();
    let focus = id.clone();
    let commit = move |raw: String| {
        match fields::set_field(&current, current.kind(), &key, &raw) {
            Ok(block) => {
                edit_error.set(None);
                spec.update(|s| tree::set(s, &addr, block));
            }
            Err(message) => edit_error.set(Some((addr.clone(), message))),
        }
        refocus(focus.clone());
    };
    field_view(id, field, Arc::new(commit))
}

#[cfg(test)]
mod tests {
    use layerlab_spec::SpecError;

    use super::*;

    #[test]
    fn a_container_keeps_its_own_problems_and_leaves_its_blocks_theirs() {
        let problems: Vec<SpecError> = [
            "model[1].drop_path",
            "model[1].body",
            "model[1].body[0].units",
            "model[2].branches[0]",
            "model[2].branches[0][1].units",
        ]
        .iter()
        .map(|p| SpecError::new(*p, "x"))
        .collect();
        assert_eq!(problems_here(&problems, "model[1]"), ["model[1].drop_path x", "model[1].body x"]);
        assert_eq!(problems_here(&problems, "model[1].body[0]"), ["model[1].body[0].units x"]);
        assert_eq!(problems_here(&problems, "model[2]"), ["model[2].branches[0] x"]);
    }
}
