//! The worker's run, driven as the page drives it (load, play, ticks, pause, step, reset, a new
//! recipe mid-run), natively: the same code the worker runs in the browser.

use layerlab_engine::train::SurfaceValues;
use layerlab_spec::Spec;
use layerlab_spec::limits::MAX_STEPS;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::{Length, Optimizer};
use layerlab_worker::protocol::{Progress, StopReason, WorkerOutput};
use layerlab_worker::session::{Host, MIN_PROGRESS_MS, MIN_SNAPSHOT_MS, SURFACE_SIDE, TICK_MS};

/// Spiral through three hidden tanh layers of 16: the page's end-to-end experiment.
fn spiral() -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = layerlab_spec::data::Dataset::Spiral;
    let hidden = Block::Dense(Dense { units: 16, activation: Activation::Tanh, bias: true });
    spec.model = vec![hidden.clone(), hidden.clone(), hidden];
    // As on the page: the run goes on until paused.
    spec.training.length = Length::Steps(MAX_STEPS);
    // These tests are about the page's pace: a fixed interval, not the one "auto" picks.
    spec.metrics.every = layerlab_spec::Every::Steps(50);
    spec
}

/// A clock that advances `per_call` milliseconds each time it is read.
fn fake_clock(per_call: f64) -> impl FnMut() -> f64 {
    let mut t = 0.0;
    move || {
        t += per_call;
        t
    }
}

fn progresses(out: &[WorkerOutput]) -> Vec<&Progress> {
    out.iter().filter_map(|o| if let WorkerOutput::Progress { progress } = o { Some(progress) } else { None }).collect()
}

fn last_progress(out: &[WorkerOutput]) -> Progress {
    progresses(out).last().map(|p| (*p).clone()).unwrap_or_else(|| panic!("no progress in {out:?}"))
}

#[test]
fn a_loaded_run_reports_its_points_and_surface_and_learns_spiral_while_playing() {
    let mut host = Host::default();
    let out = host.load(spiral(), 0.0);
    let WorkerOutput::Loaded { info } = &out[0] else { panic!("{out:?}") };
    let points = info.points.as_ref().expect("spiral is a 2D task");
    assert_eq!((info.classes, points.train.len(), points.train_labels.len()), (2, 500, 250));
    assert_eq!(info.parameters, 2 * 16 + 16 + 2 * (16 * 16 + 16) + 16 + 1);
    let start = last_progress(&out);
    assert_eq!((start.step, start.playing), (0, false));
    assert_eq!(start.layers.as_ref().map(|s| s.layers.len()), Some(4), "the layers at step 0");
    let surface = start.surface.clone().expect("a surface");
    assert_eq!(surface.side as usize, SURFACE_SIDE);
    let SurfaceValues::Binary { p } = &surface.values else { panic!("spiral has two classes") };
    assert_eq!(p.len(), SURFACE_SIDE * SURFACE_SIDE);
    let neurons = start.neurons.as_ref().expect("neuron pictures");
    assert_eq!(neurons.layers.iter().map(|l| l.units.len()).collect::<Vec<_>>(), [16, 16, 16]);

    assert!(host.play(0.0).is_empty());
    let mut clock = {
        let begun = std::time::Instant::now();
        move || begun.elapsed().as_secs_f64() * 1000.0
    };
    let mut latest = start.clone();
    for _ in 0..20_000 {
        let out = host.tick(&mut clock);
        if let Some(p) = progresses(&out).last() {
            latest = (*p).clone();
        }
        if latest.test_loss < 0.1 {
            break;
        }
    }
    assert!(latest.test_loss < 0.1, "test loss {} at step {}", latest.test_loss, latest.step);
    assert!(latest.test_accuracy.unwrap() > 0.95);
    assert!(latest.playing && host.playing());
    assert_ne!(latest.surface, start.surface, "the surface follows the training");
    let paused = last_progress(&host.pause(clock()));
    assert!(!paused.playing && !host.playing());
    assert!(host.tick(&mut clock).is_empty(), "a paused run does not train");
}

#[test]
fn progress_comes_at_most_thirty_times_a_second_however_fast_training_runs() {
    let mut host = Host::default();
    host.load(spiral(), 0.0);
    host.play(0.0);
    // Every read of the clock advances it 0.05 ms: a very fast machine (hundreds of steps a tick).
    let mut clock = fake_clock(0.05);
    let (mut sent, mut steps, mut snapshots) = (0, 0, Vec::new());
    for _ in 0..300 {
        let out = host.tick(&mut clock);
        sent += progresses(&out).len();
        steps = progresses(&out).last().map_or(steps, |p| p.step);
        snapshots.extend(progresses(&out).iter().filter_map(|p| p.layers.clone()));
    }
    let elapsed = clock();
    assert!(elapsed >= 100.0 * TICK_MS, "most ticks train for a whole tick: {elapsed} ms");
    let most = (elapsed / MIN_PROGRESS_MS).ceil() as usize + 1;
    assert!(sent >= 2 && sent <= most, "{sent} progress messages in {elapsed} ms (at most {most})");
    assert!(steps > 1000, "{steps} steps");
    // Layer metrics: at the spec's interval (50 steps), at most ten a second.
    let most = (elapsed / MIN_SNAPSHOT_MS).ceil() as usize + 1;
    assert!(snapshots.len() >= 2 && snapshots.len() <= most, "{} snapshots in {elapsed} ms", snapshots.len());
    for s in &snapshots {
        assert_eq!(s.step % 50, 0);
        let names: Vec<&str> = s.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["model[0]", "model[1]", "model[2]", "output"]);
        assert!(s.layers.iter().all(|l| l.effective_rank.is_some() && l.grad_norm.is_some()));
        assert!(s.layers[0].update_ratio.is_some(), "taken where the update ratio is known");
    }
}

#[test]
fn reset_gives_the_same_run_again_and_step_takes_one_step() {
    let mut host = Host::default();
    let first = last_progress(&host.load(spiral(), 0.0));
    let mut after_five = None;
    for i in 1..=5 {
        let p = last_progress(&host.step(0.0));
        assert_eq!(p.step, i);
        after_five = Some(p);
    }
    let again = last_progress(&host.reset(0.0));
    assert_eq!(again, first, "same spec, same seed: the same initial weights and data");
    for _ in 0..5 {
        host.step(0.0);
    }
    assert_eq!(last_progress(&host.pause(0.0)).train_loss, after_five.unwrap().train_loss);
}

#[test]
fn a_new_recipe_goes_on_and_a_new_architecture_starts_over() {
    let mut host = Host::default();
    let spec = spiral();
    host.load(spec.clone(), 0.0);
    for _ in 0..5 {
        host.step(0.0);
    }
    let mut faster = spec;
    faster.training.optimizer.set_learning_rate(0.03);
    faster.training.batch_size = 30;
    let out = host.load(faster.clone(), 0.0);
    assert!(matches!(out[0], WorkerOutput::Retuned { .. }), "{out:?}");
    assert_eq!(last_progress(&out).step, 5, "the run goes on");

    let mut wider = faster;
    wider.model[0] = Block::Dense(Dense { units: 8, activation: Activation::Relu, bias: true });
    let out = host.load(wider, 0.0);
    assert!(matches!(out[0], WorkerOutput::Loaded { .. }), "{out:?}");
    assert_eq!(last_progress(&out).step, 0, "a new architecture is a new run");
}

#[test]
fn an_invalid_spec_is_explained_and_leaves_the_run_alone() {
    let mut host = Host::default();
    host.load(spiral(), 0.0);
    host.step(0.0);
    let mut broken = spiral();
    broken.model[1] = Block::Dense(Dense { units: 0, activation: Activation::Tanh, bias: true });
    let out = host.load(broken, 0.0);
    let [WorkerOutput::Invalid { problems }] = out.as_slice() else { panic!("{out:?}") };
    assert_eq!(problems[0].path, "model[1].units");
    assert!(problems[0].message.contains("at least"), "{problems:?}");
    assert_eq!(last_progress(&host.step(0.0)).step, 2, "the run in place goes on");

    let mut fresh = Host::default();
    assert!(matches!(fresh.play(0.0).as_slice(), [WorkerOutput::Error { .. }]), "nothing loaded");
}

#[test]
fn a_stop_condition_that_already_holds_is_said_at_once() {
    let mut host = Host::default();
    let mut spec = spiral();
    host.load(spec.clone(), 0.0);
    for _ in 0..3 {
        host.step(0.0);
    }
    // Any loss is below 100: the condition holds at the next measurement, a retune's.
    spec.training.stop = Some(layerlab_spec::train::Stop::LossBelow(100.0));
    host.play(0.0);
    let out = host.load(spec, 0.0);
    assert!(matches!(out[0], WorkerOutput::Retuned { .. }), "{out:?}");
    assert!(
        matches!(out.last(), Some(WorkerOutput::Stopped { step: 3, reason: StopReason::StopCondition })),
        "{out:?}"
    );
    assert!(!host.playing());
}

#[test]
fn a_run_stops_when_done_or_diverged_and_says_why() {
    let mut short = spiral();
    short.training.length = Length::Steps(30);
    let mut host = Host::default();
    host.load(short.clone(), 0.0);
    host.play(0.0);
    let mut clock = fake_clock(0.5);
    // The 30 steps, the layers measured at the last, then the stop with the final numbers.
    let out: Vec<WorkerOutput> = (0..3).flat_map(|_| host.tick(&mut clock)).collect();
    let stop = out.iter().find_map(|o| {
        if let WorkerOutput::Stopped { step, reason } = o { Some((*step, reason.clone())) } else { None }
    });
    assert_eq!(stop, Some((30, StopReason::Finished)), "{out:?}");
    let measured = progresses(&out).iter().filter_map(|p| p.layers.as_ref().map(|l| l.step)).collect::<Vec<_>>();
    assert_eq!(measured, [30], "a run shorter than the metrics interval is measured at its end: {out:?}");
    assert!(!host.playing());
    assert!(matches!(host.play(0.0).as_slice(), [WorkerOutput::Stopped { .. }]), "a finished run stays stopped");
    // A longer length lets it go on.
    short.training.length = Length::Steps(40);
    assert!(matches!(host.load(short, 0.0)[0], WorkerOutput::Retuned { .. }));
    assert!(host.play(0.0).is_empty() && host.playing());

    let mut wild = spiral();
    wild.training.optimizer = Optimizer::Adam { learning_rate: 100.0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    host.load(wild, 0.0);
    host.play(0.0);
    let mut message = None;
    for _ in 0..50 {
        for o in host.tick(&mut clock) {
            if let WorkerOutput::Stopped { reason: StopReason::Diverged { message: m }, .. } = o {
                message = Some(m);
            }
        }
    }
    let message = message.expect("Adam at 100 diverges");
    assert!(message.contains("learning rate") && message.contains("too high"), "{message}");
    let kept = last_progress(&host.pause(0.0));
    assert!(kept.train_loss.is_finite(), "the last good weights are kept");
}

/// Ticks `host` until the run stops; the step it stopped at.
fn play_until_stopped(host: &mut Host, clock: &mut dyn FnMut() -> f64) -> u64 {
    host.play(0.0);
    for _ in 0..10_000 {
        for output in host.tick(clock) {
            if let WorkerOutput::Stopped { step, reason } = output {
                assert_eq!(reason, StopReason::StopCondition);
                return step;
            }
        }
    }
    panic!("the run never stopped");
}

#[test]
fn a_playing_run_stops_at_the_first_metrics_interval_where_the_condition_holds_however_fast_it_trains() {
    let mut spec = spiral();
    spec.training.stop = Some(layerlab_spec::train::Stop::LossBelow(0.5));
    // The command line's rule: evaluate at every interval, stop at the first that holds.
    let mut trainer =
        layerlab_engine::train::Trainer::new(layerlab_engine::cpu::Cpu::<f32>::new(), &spec, None).unwrap();
    let every = layerlab_engine::train::Trainer::new(layerlab_engine::cpu::Cpu::<f32>::new(), &spec, None)
        .expect("a valid spec")
        .metrics_every;
    let expected = loop {
        trainer.step().unwrap();
        if trainer.steps().is_multiple_of(every) {
            let e = trainer.evaluate();
            if trainer.stop_holds(&e) {
                break trainer.steps();
            }
        }
    };
    assert!(expected > every, "the condition takes some training to hold ({expected})");
    // Fast and slow clocks measure progress at different steps; the stop is the same.
    for per_call in [0.001, 0.05, 0.7] {
        let mut host = Host::default();
        host.load(spec.clone(), 0.0);
        assert_eq!(play_until_stopped(&mut host, &mut fake_clock(per_call)), expected, "clock {per_call} ms");
        assert!(!host.playing());
    }
}

#[test]
fn a_speed_limit_slows_training_to_its_rate_and_full_speed_lifts_it() {
    let mut host = Host::default();
    host.load(spiral(), 0.0);
    assert!(
        matches!(host.set_speed(Some(0.0), 0.0).as_slice(), [WorkerOutput::Error { message }] if message.contains("positive"))
    );
    assert!(host.set_speed(Some(50.0), 0.0).is_empty());
    host.play(0.0);
    // Ticks as the worker makes them: at once, or after the wait the limit asks for.
    let time = std::cell::Cell::new(0.0);
    let mut clock = || {
        time.set(time.get() + 0.5);
        time.get()
    };
    while time.get() < 2000.0 {
        let wait = host.wait_ms();
        time.set(time.get() + wait);
        host.tick(&mut clock);
    }
    let slow = last_progress(&host.pause(time.get())).step;
    // 50 a second for two seconds, and the first at once.
    assert!((98..=102).contains(&slow), "{slow} steps at 50 a second over 2 s");
    assert!(host.set_speed(None, time.get()).is_empty());
    host.play(time.get());
    let start = time.get();
    while time.get() < start + 2000.0 {
        host.tick(&mut clock);
    }
    let fast = last_progress(&host.pause(time.get())).step - slow;
    assert!(fast > 1000, "{fast} steps in 2 s at full speed");
}

#[test]
fn the_layer_similarity_can_be_switched_on_mid_run_and_is_measured_from_then_on() {
    let mut spec = spiral();
    let mut host = Host::default();
    host.load(spec.clone(), 0.0);
    let before = last_progress(&host.step(0.0)).layers.expect("a step measures the layers");
    assert!(before.similarity.is_none(), "off unless asked for");
    spec.metrics.similarity = true;
    let out = host.load(spec, 0.0);
    assert!(matches!(out[0], WorkerOutput::Retuned { .. }), "the run goes on: {out:?}");
    let after = last_progress(&host.step(0.0));
    assert_eq!(after.step, 2);
    let similarity = after.layers.expect("measured").similarity.expect("now asked for");
    // Three hidden layers and the output, each as similar to itself as can be.
    assert_eq!(similarity.len(), 4);
    for (i, row) in similarity.iter().enumerate() {
        assert_eq!(row.len(), 4);
        assert!((row[i] - 1.0).abs() < 1e-6, "{row:?}");
    }
}

#[test]
fn a_chosen_csv_is_read_at_once_kept_and_trained_on_and_a_broken_one_is_refused_by_row() {
    use layerlab_spec::data::{CsvTask, Dataset};
    let mut host = Host::default();
    // A spec that names a file the worker has not been given: the message says to choose it.
    let mut spec = Spec::default();
    let text: String = "x,y,label\n".to_string()
        + &(0..40).map(|i| format!("{},{},{}\n", i % 7, i % 5, u8::from(i % 7 > 3))).collect::<String>();
    let summary = match &host.csv("points.csv".into(), text.clone(), 0.0)[..] {
        [WorkerOutput::CsvRead { name, summary }] => {
            assert_eq!(name, "points.csv");
            summary.clone()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!((summary.columns.len(), summary.rows, summary.preview.len()), (3, 40, 5));
    assert_eq!(summary.classes, [Some(7), Some(5), Some(2)]);
    let reference = summary.reference("points.csv", 2);
    assert_eq!((reference.inputs, reference.task), (2, CsvTask::Classes { classes: 2 }));
    spec.data.dataset = Dataset::Csv(reference.clone());
    let out = host.load(spec.clone(), 0.0);
    let WorkerOutput::Loaded { info } = &out[0] else { panic!("{out:?}") };
    assert_eq!((info.classes, info.train_examples + info.test_examples), (2, 40));

    // Choosing the file again starts the run over on it; a broken file is refused by row and
    // column and the kept file stays.
    let again = host.csv("points.csv".into(), text.replace("6,1,1", "6,1,0"), 0.0);
    assert!(matches!(again[..], [WorkerOutput::CsvRead { .. }, WorkerOutput::Loaded { .. }, ..]), "{again:?}");
    let broken = host.csv("points.csv".into(), "x,y,label\n1,2,0\n3,oops,1\n".into(), 0.0);
    let [WorkerOutput::CsvRejected { message, .. }] = &broken[..] else { panic!("{broken:?}") };
    assert_eq!(message, "in `points.csv`, row 3, column `y`: `oops` is not a number");
    assert!(matches!(host.reset(0.0)[0], WorkerOutput::Loaded { .. }), "the kept file still trains");

    let mut other = spec;
    other.data.dataset = Dataset::Csv(layerlab_spec::data::CsvRef { name: "other.csv".into(), ..reference });
    let out = host.load(other, 0.0);
    let WorkerOutput::Invalid { problems } = &out[0] else { panic!("{out:?}") };
    assert_eq!(problems[0].message, "the CSV file `other.csv` is not loaded: choose the file again");
}

#[test]
fn digits_come_as_pictures_with_the_models_answers_tables_as_rows_and_sequences_written_out() {
    use layerlab_spec::data::Dataset;
    use layerlab_worker::protocol::Preview;
    let mut host = Host::default();
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Digits;
    spec.model = vec![Block::Dense(Dense { units: 16, activation: Activation::Relu, bias: true })];
    let out = host.load(spec, 0.0);
    let WorkerOutput::Loaded { info } = &out[0] else { panic!("{out:?}") };
    let Some(Preview::Pictures { side, pictures, labels }) = &info.preview else { panic!("{:?}", info.preview) };
    assert_eq!((*side, pictures.len(), labels.len()), (8, 8, 8));
    assert!(pictures.iter().all(|p| p.len() == 64) && labels.iter().all(|l| *l < 10));
    let answers = last_progress(&host.step(0.0)).details.and_then(|d| d.samples).expect("the model's answers");
    assert_eq!(answers.len(), 8);
    assert!(answers.iter().all(|a| *a < 10));

    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Iris;
    let out = host.load(spec, 0.0);
    let WorkerOutput::Loaded { info } = &out[0] else { panic!("{out:?}") };
    let Some(Preview::Rows { rows, labels }) = &info.preview else { panic!("{:?}", info.preview) };
    assert_eq!((rows.len(), rows[0].len(), labels.len()), (5, 4, 5));
    assert!(labels.iter().all(|l| *l < 3));

    let mut spec = Spec::default();
    spec.data.dataset = Dataset::ModularAddition { modulus: 7 };
    let of = |kind: &str| Block::defaults().into_iter().find(|b| b.kind() == kind).unwrap();
    spec.model =
        vec![of("embed"), of("pool"), Block::Dense(Dense { units: 16, activation: Activation::Relu, bias: true })];
    let out = host.load(spec, 0.0);
    let WorkerOutput::Loaded { info } = &out[0] else { panic!("{out:?}") };
    let Some(Preview::Sequences { examples }) = &info.preview else { panic!("{:?}", info.preview) };
    assert_eq!(examples.len(), 3);
    for e in examples {
        let [a, b, equals] = &e.input[..] else { panic!("{e:?}") };
        let (a, b, c): (u32, u32, u32) = (a.parse().unwrap(), b.parse().unwrap(), e.answer[0].parse().unwrap());
        assert_eq!((equals.as_str(), (a + b) % 7), ("=", c), "{e:?}");
    }
}

#[test]
fn the_run_exports_for_pytorch_at_its_step_forward_forward_too_and_without_a_run_says_so() {
    let mut host = Host::default();
    match host.export_torch().as_slice() {
        [WorkerOutput::ExportFailed { message }] => assert_eq!(message, "no run is loaded yet"),
        other => panic!("{other:?}"),
    }
    host.load(spiral(), 0.0);
    for _ in 0..3 {
        host.step(0.0);
    }
    match host.export_torch().as_slice() {
        [WorkerOutput::Exported { step, files }] => {
            assert_eq!(*step, 3);
            let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
            assert_eq!(
                names,
                ["model.py", "train.py", "weights.safetensors", "data.safetensors", "sample.safetensors", "spec.json"]
            );
            let model = String::from_utf8(files[0].bytes.clone()).expect("text");
            assert!(model.contains("Dense(2, 16, \"tanh\")"), "{model}");
        }
        other => panic!("{other:?}"),
    }
    let mut spec = spiral();
    spec.training.rule = layerlab_spec::train::LearningRule::ForwardForward { threshold: 0.5 };
    host.load(spec, 0.0);
    // A Forward-Forward network exports as one that predicts by goodness per label.
    match host.export_torch().as_slice() {
        [WorkerOutput::Exported { files, .. }] => {
            let model = String::from_utf8(files[0].bytes.clone()).expect("text");
            assert!(model.contains("return ForwardForward("), "{model}");
        }
        other => panic!("{other:?}"),
    }
}
