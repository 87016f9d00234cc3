//! Sharing: the link to the experiment (copied with one click), a classroom link that hides
//! chosen controls, the HTML that embeds chosen panels in a course page, and the banner a link
//! that does not open leaves, with the link kept to fix.

use leptos::prelude::*;

use crate::browser;
use crate::options::{self, PageOptions};
use crate::parts::{PARTS, Part};
use crate::share::BadLink;

/// A link that did not open, and what the page did instead, in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkTrouble {
    pub bad: BadLink,
    pub instead: &'static str,
}

/// The share panel: the link, a copy button, and the classroom and embedding choices.
#[component]
pub fn SharePanel(
    /// The fragment of the experiment on the page (its last valid form).
    fragment: RwSignal<String>,
    /// The page's own options: a new link starts from them.
    page: PageOptions,
) -> impl IntoView {
    let PageOptions { backend, hide, embed, .. } = page;
    let (hide, embed) = (RwSignal::new(hide), RwSignal::new(embed));
    let url = Memo::new(move |_| {
        let options = PageOptions { backend, hide: hide.get(), embed: embed.get(), notices: Vec::new() };
        options::share_url(&browser::base(), &options, &fragment.get())
    });
    let status = RwSignal::new(String::new());
    let copy = move |_| {
        let text = url.get_untracked();
        status.set("Copying…".to_string());
        leptos::task::spawn_local(async move {
            status.set(match browser::copy(&text).await {
                Ok(()) => "Copied to the clipboard.".to_string(),
                Err(why) => format!("Not copied: {why}. Select the link and copy it (Ctrl+C)."),
            });
        });
    };
    let embed_code = move || {
        format!(
            "<iframe src=\"{}\" title=\"LayerLab experiment\" width=\"960\" height=\"640\" style=\"border:0\"></iframe>",
            url.get().replace('&', "&amp;").replace('"', "&quot;")
        )
    };
    view! {
        <details class="share" id="share">
            <summary title="A link that opens this experiment exactly as it is: data, architecture, training recipe and seed.">"Share"</summary>
            <div class="share-body">
                <label for="share-link">"Link to this experiment"</label>
                <div class="share-row">
                    <input type="text" id="share-link" readonly prop:value=move || url.get()
                        title="The whole experiment is in the link (after #): opening it restores the experiment, and on the CPU the same link gives the same loss curve in any browser."
                        on:focus=move |ev| { event_target::<web_sys::HtmlInputElement>(&ev).select(); } />
                    <button type="button" id="copy-link" on:click=copy title="Copy the link to the clipboard.">"Copy link"</button>
                </div>
                <p id="share-status" role="status" aria-live="polite">{move || status.get()}</p>
                <PartChoices id="hide" legend="Classroom: hide in this link" chosen=hide panels_only=false
                    explain="Students who open the link do not see the parts ticked here (as in TensorFlow Playground's classroom links)." />
                <PartChoices id="embed" legend="Embed: show only" chosen=embed panels_only=true
                    explain="A page that embeds the link shows only the panels ticked here; none ticked: the whole page." />
                <label for="embed-code">"HTML to embed this experiment in a course page"</label>
                <textarea id="embed-code" readonly rows="3" prop:value=embed_code></textarea>
            </div>
        </details>
    }
}

/// A checkbox for every part (or every panel): which ones the link names.
#[component]
fn PartChoices(
    id: &'static str,
    legend: &'static str,
    chosen: RwSignal<Vec<&'static str>>,
    panels_only: bool,
    explain: &'static str,
) -> impl IntoView {
    let boxes = PARTS
        .iter()
        .filter(|p| p.panel || !panels_only)
        .map(|&Part { name, label, .. }| {
            let box_id = format!("{id}-{name}");
            let toggle = move |ev| {
                let on = event_target_checked(&ev);
                // In the order of PARTS (listed, not sorted: a sort is compiled per type and key).
                chosen.update(|list| {
                    let next = PARTS.iter().map(|p| p.name).filter(|&n| if n == name { on } else { list.contains(&n) });
                    *list = next.collect();
                });
            };
            view! {
                <label class="check" for=box_id>
                    <input type="checkbox" id=box_id.clone() prop:checked=move || chosen.with(|l| l.contains(&name)) on:change=toggle />
                    {label}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="parts" id=format!("{id}-parts") title=explain>
            <legend>{legend}</legend>
            {boxes}
        </fieldset>
    }
}

/// The banner of a link that did not open: what is wrong, what the page did instead, the link
/// in a field to fix and open again, and (when this browser saved one) the last experiment.
#[component]
pub fn LinkProblem(
    trouble: RwSignal<Option<LinkTrouble>>,
    /// Opens the (fixed) link text.
    open_link: Callback<String>,
    /// Opens the experiment autosaved in this browser; `None` when there is none.
    restore: Option<Callback<()>>,
) -> impl IntoView {
    let edited = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(t) = trouble.get() {
            edited.set(t.bad.link);
        }
    });
    view! {
        <Show when=move || trouble.with(Option::is_some)>
            <section class="link-problem" id="link-problem" role="alert" aria-labelledby="link-problem-heading">
                <h2 id="link-problem-heading">"This link did not open"</h2>
                <p id="link-problem-text">
                    {move || trouble.get().map(|t| format!("{}. {}", t.bad.problem, t.instead))}
                </p>
                <label for="bad-link">"The link, to fix"</label>
                <div class="share-row">
                    <input type="text" id="bad-link" prop:value=move || edited.get()
                        on:input=move |ev| edited.set(event_target_value(&ev)) />
                    <button type="button" id="open-fixed-link" on:click=move |_| open_link.run(edited.get_untracked())>"Open this link"</button>
                    {restore.map(|r| view! {
                        <button type="button" id="restore-autosave" on:click=move |_| r.run(())>"Open my last experiment"</button>
                    })}
                    <button type="button" id="dismiss-link-problem" aria-label="Dismiss this message" on:click=move |_| trouble.set(None)>"×"</button>
                </div>
            </section>
        </Show>
    }
}
