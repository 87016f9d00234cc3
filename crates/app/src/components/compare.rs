//! Presets and comparison: up to four experiments trained side by side, each in a worker of its
//! own (on the CPU, so a preset gives the same numbers in every browser), their curves overlaid
//! in one chart and their parameters, FLOPs, final metrics and time in one table. A preset is
//! such a list, with what it shows and the paper it comes from.

use layerlab_protocol::{WorkerInput, WorkerOutput};
use layerlab_spec::Spec;
use layerlab_spec::presets::{self, Preset};
use leptos::html::Canvas;
use leptos::prelude::*;

use super::app::{Sender, now_ms};
use crate::compare::{self, Curve, Entry, MAX_RUNS};
use crate::plots;
use crate::run::RunView;
use crate::worker_link::{self, Events, WORKER_URL, WorkerLink};

/// One run of the comparison as it trains: what its worker said, when it started and ended,
/// and what went wrong.
#[derive(Debug, Clone, Default, PartialEq)]
struct Live {
    view: RunView,
    started: Option<f64>,
    ended: Option<f64>,
    problem: Option<String>,
}

#[component]
pub fn Compare(spec: RwSignal<Spec>, sender: Sender) -> impl IntoView {
    let all_presets = StoredValue::new(presets::all());
    let chosen = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<Entry>::new());
    let live = RwSignal::new(Vec::<Live>::new());
    let links = StoredValue::new_local(Vec::<WorkerLink>::new());
    // Counts the comparisons started, so a stopped one's late messages are dropped.
    let generation = StoredValue::new(0u32);
    let curve = RwSignal::new(Curve::TestLoss);
    let log_scale = RwSignal::new(true);
    let message = RwSignal::new(String::new());
    let canvas = NodeRef::<Canvas>::new();

    let preset = move || {
        let id = chosen.get();
        all_presets.with_value(|all| all.iter().find(|p| p.id == id).cloned())
    };
    let stop_all = move || {
        links.update_value(|l| l.drain(..).for_each(|link| link.terminate()));
        generation.update_value(|g| *g += 1);
    };
    let run_all = move || {
        stop_all();
        let list = entries.get_untracked();
        if list.is_empty() {
            message.set("Add an experiment or choose a preset first.".into());
            return;
        }
        // The playground's run yields the cores to the comparison.
        sender.send(WorkerInput::Pause);
        let now = now_ms();
        live.set(list.iter().map(|_| Live { started: Some(now), ..Live::default() }).collect());
        let this = generation.get_value();
        for (i, entry) in list.into_iter().enumerate() {
            let ours = move || generation.get_value() == this;
            let on_output = move |output: WorkerOutput| {
                if !ours() {
                    return;
                }
                live.update(|all| {
                    let Some(run) = all.get_mut(i) else { return };
                    match &output {
                        WorkerOutput::Stopped { .. } => run.ended = Some(now_ms()),
                        WorkerOutput::Invalid { problems } => {
                            run.problem = problems.first().map(|p| format!("{}: {}", p.path, p.message));
                        }
                        WorkerOutput::Error { message } => run.problem = Some(message.clone()),
                        _ => {}
                    }
                    run.view.apply(&output);
                });
            };
            let on_failure = move |why: String| {
                if ours() {
                    live.update(|all| all.get_mut(i).into_iter().for_each(|run| run.problem = Some(why.clone())));
                }
            };
            let events = Events { on_output: Box::new(on_output), on_failure: Box::new(on_failure) };
            match worker_link::start(WORKER_URL, events) {
                Ok(link) => {
                    link.send(WorkerInput::Load { spec: Box::new(entry.spec) });
                    link.send(WorkerInput::Play);
                    links.update_value(|l| l.push(link));
                }
                Err(why) => live.update(|all| all[i].problem = Some(why)),
            }
        }
        message.set(String::new());
    };
    let load_preset = move |run_now: bool| {
        let Some(p) = preset() else {
            message.set("Choose a preset first.".into());
            return;
        };
        stop_all();
        entries.set(compare::from_preset(&p));
        live.set(Vec::new());
        if run_now {
            run_all();
        }
    };
    let add_current = move |_| {
        let mut list = entries.get_untracked();
        match compare::add(&mut list, spec.get_untracked()) {
            Ok(()) => {
                entries.set(list);
                message.set(String::new());
            }
            Err(why) => message.set(format!("Not added: {why}.")),
        }
    };

    // The chart follows the runs' histories, the curve chosen and the scale.
    Effect::new(move |_| {
        let (curve, log) = (curve.get(), log_scale.get());
        let Some(c) = canvas.get() else { return };
        with_runs(entries, live, |runs| plots::compare::draw(&c, runs, curve, log));
    });

    let rows = move || {
        let list = entries.get();
        // Each row read from its run in place: a run's view holds its whole history, which a
        // table redrawn on every progress report should not copy.
        let cells: Vec<(compare::Row, Option<String>)> = live.with(|runs| {
            let waiting = Live::default();
            list.iter()
                .enumerate()
                .map(|(i, entry)| {
                    let run = runs.get(i).unwrap_or(&waiting);
                    let seconds = run.started.map(|s| (run.ended.unwrap_or_else(now_ms) - s) / 1000.0);
                    (compare::row(entry, &run.view, seconds), run.problem.clone())
                })
                .collect()
        });
        list.iter()
            .zip(cells)
            .enumerate()
            .map(|(i, (entry, (row, problem)))| {
                let state = problem.unwrap_or(row.state);
                let open = {
                    let spec_of = entry.spec.clone();
                    move |_| spec.set(spec_of.clone())
                };
                let remove = move |_| {
                    stop_all();
                    entries.update(|e| {
                        e.remove(i);
                    });
                    live.set(Vec::new());
                };
                view! {
                    <tr>
                        <th scope="row">{row.label}</th>
                        <td>{row.parameters}</td>
                        <td>{row.flops}</td>
                        <td>{row.steps}</td>
                        <td>{row.train_loss}</td>
                        <td>{row.test_loss}</td>
                        <td>{row.quality}</td>
                        <td>{row.seconds}</td>
                        <td class="compare-state">{state}</td>
                        <td>
                            <button type="button" id=format!("compare-open-{i}") on:click=open
                                title="Open this experiment in the playground, to look inside it and change it.">"Open"</button>
                            <button type="button" id=format!("compare-remove-{i}") on:click=remove
                                title="Take this experiment out of the comparison.">"Remove"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    // Where the linear axis stops short of a diverging run's peak, in words (a closure: a Memo of
    // its type cost the page 0.7 KB gzipped, by hand).
    let cut_note = move || {
        let (curve, log) = (curve.get(), log_scale.get());
        let top = if log { None } else { with_runs(entries, live, |runs| plots::compare::cut_off(runs, curve)) }?;
        Some(plots::cut_sentence("Values", top))
    };
    let chart_label = move || {
        let names: Vec<String> = entries.with(|e| e.iter().map(|e| e.label.clone()).collect());
        let note = cut_note().map(|n| format!(" {n}")).unwrap_or_default();
        format!(
            "{} of each run over the steps: {}. The table below gives the numbers.{note}",
            curve.get().title(),
            names.join("; ")
        )
    };

    view! {
        <section class="compare" id="compare" data-part="compare" aria-labelledby="compare-heading">
            <h2 id="compare-heading">"Presets and comparison"</h2>
            <div class="preset-picker">
                <label for="preset">"Preset"</label>
                <select id="preset" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))
                    title="Experiments that show a claim of one of the papers LayerLab grew from, each two to four runs to compare.">
                    <option value="">"Choose a preset…"</option>
                    {all_presets.with_value(|all| all.iter().map(|p| view! { <option value=p.id>{p.title.clone()}</option> }).collect_view())}
                </select>
                <button type="button" id="run-preset" on:click=move |_| load_preset(true)
                    title="Put the preset's runs in the comparison and train them all, each in a worker of its own.">"Run preset"</button>
                <button type="button" id="load-preset" on:click=move |_| load_preset(false)
                    title="Put the preset's runs in the comparison without training them, to change them first.">"Load without running"</button>
            </div>
            {move || preset().map(|p| about(&p))}
            <div class="compare-actions">
                <button type="button" id="compare-add" on:click=add_current
                    title=format!("Add the playground's experiment as it is now to the comparison (at most {MAX_RUNS} runs).")>"Add this experiment"</button>
                <button type="button" id="compare-run" on:click=move |_| run_all()
                    title="Train every experiment of the comparison from step 0, side by side; the playground's run pauses.">"Run comparison"</button>
                <button type="button" id="compare-stop" on:click=move |_| stop_all()
                    title="Stop every run of the comparison where it is.">"Stop"</button>
                <label for="compare-curve">"Chart"</label>
                <select id="compare-curve" prop:value=move || curve.get().name() on:change=move |ev| curve.set(Curve::from_name(&event_target_value(&ev)))
                    title="What the chart shows of each run over the steps.">
                    {Curve::ALL.iter().map(|c| view! { <option value=c.name()>{c.title()}</option> }).collect_view()}
                </select>
                <label><input type="checkbox" id="compare-log" prop:checked=move || log_scale.get()
                    on:change=move |ev| log_scale.set(event_target_checked(&ev)) />" log scale"</label>
                <span id="compare-message" role="status" aria-live="polite">{move || message.get()}</span>
            </div>
            <figure class="chart">
                <canvas id="compare-chart" node_ref=canvas width="480" height="220" role="img" aria-label=chart_label></canvas>
                <figcaption id="compare-cut" class="readout" hidden=move || cut_note().is_none()>{move || cut_note()}</figcaption>
            </figure>
            <table id="compare-table" class="compare-table">
                <caption>"The runs side by side (the last measurement of each)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Run"</th><th scope="col">"Parameters"</th><th scope="col">"FLOPs per step"</th>
                        <th scope="col">"Steps"</th><th scope="col">"Training loss"</th><th scope="col">"Test loss"</th>
                        <th scope="col">"Test quality"</th><th scope="col">"Seconds"</th><th scope="col">"State"</th><th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// What a preset shows and where to look, with its paper.
/// Runs `read` on each run's label and history, as the chart reads them, borrowed in place.
fn with_runs<T>(
    entries: RwSignal<Vec<Entry>>,
    live: RwSignal<Vec<Live>>,
    read: impl FnOnce(&[(&str, &[crate::run::Point])]) -> T,
) -> T {
    entries.with(|e| {
        live.with(|l| {
            let runs: Vec<_> = e.iter().zip(l).map(|(e, l)| (e.label.as_str(), l.view.history.as_slice())).collect();
            read(&runs)
        })
    })
}

fn about(p: &Preset) -> impl IntoView + use<> {
    view! {
        <div id="preset-about" class="preset-about">
            <p>{p.about.clone()}</p>
            <p><strong>"Watch: "</strong>{p.watch.clone()}</p>
            <p class="paper">"Paper: " <cite>{p.paper.clone()}</cite></p>
        </div>
    }
}
