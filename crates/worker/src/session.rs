//! One training run in the worker, and the worker's state between messages: what `load`,
//! `play`, `pause`, `step` and `reset` do, and when progress goes back to the page.
//!
//! Pure logic over a clock the caller passes in, so it is tested natively; `web.rs` only
//! schedules [`Host::tick`] while the run plays and posts what comes back.

use std::rc::Rc;

use layerlab_engine::cpu::Cpu;
use layerlab_engine::data::CsvSummary;
use layerlab_engine::metrics::Snapshot;
use layerlab_engine::train::{Surface, Trainer};
use layerlab_gpu::Gpu;
use layerlab_spec::data::{Dataset, Task};
use layerlab_spec::{Spec, SpecError, analyse};

use crate::chunks::{self, Failed};
use crate::gpu_run::{Finish, GpuRun, ReadJob};
use crate::pace::Pace;
use crate::preview::preview;
use crate::protocol::{
    BackendReport, CpuReason, ExportedFile, Points, Problem, Progress, RunInfo, StopReason, WorkerOutput,
};

/// Training time per tick while playing; between ticks the worker reads its messages, so a
/// pause takes effect within about this long.
pub const TICK_MS: f64 = 20.0;
/// Progress reaches the page at most this often (30 a second), however fast training runs.
pub const MIN_PROGRESS_MS: f64 = 1000.0 / 30.0;
/// Measuring (losses on both sets, the surface) takes at most this share of the time.
pub const MEASURE_SHARE: f64 = 0.2;
/// The decision surface's grid: `SURFACE_SIDE²` points.
pub const SURFACE_SIDE: usize = 100;
/// Layer metrics are measured at most this often (10 a second), at the spec's metrics
/// interval, and less often when they would take more than [`MEASURE_SHARE`] of the time.
pub const MIN_SNAPSHOT_MS: f64 = 100.0;

/// A run: the spec it was built from and its trainer. With a GPU run, the GPU takes the steps
/// and `trainer` (the shadow) holds the weights of the last read-back, measures and reports.
pub struct Session {
    spec: Spec,
    /// The text of the CSV file the spec names, when it names one (shared with the host).
    csv: Option<Rc<str>>,
    trainer: Trainer<Cpu<f32>>,
    gpu: Option<GpuRun>,
    /// One step was asked for (the Step button): report once it is read back.
    single_step: bool,
    /// Set once the run reached its length or stop condition, or diverged; playing stops.
    stopped: Option<StopReason>,
    /// When the last progress was sent, the step it reported, and what measuring took.
    last_progress: Option<(f64, u64)>,
    measure_ms: f64,
    /// The latest layer metrics not yet sent, when the last ones were taken, and their cost.
    layers: Option<Snapshot>,
    last_snapshot: f64,
    snapshot_ms: f64,
    /// The step just taken ends a metrics interval: measure the layers next tick, before any
    /// further step.
    snapshot_pending: bool,
}

/// The worker's state: the run, if one is loaded, and whether it plays; the GPU device to
/// train on, when the backend is WebGPU; a read-back waiting to be started.
#[derive(Default)]
pub struct Host {
    session: Option<Session>,
    playing: bool,
    /// The device, while no run trains on it, and what detection said of it.
    spare_gpu: Option<Gpu>,
    gpu_report: Option<BackendReport>,
    /// The loaded run stays on the CPU though a device is there (it needs what only the CPU
    /// does): the page was told, and is told again when a run goes back to the GPU.
    moved_off: bool,
    /// Counts the runs built, so a read-back of a replaced run is dropped.
    run: u64,
    job: Option<ReadJob>,
    /// The speed limit the page set (none: full speed).
    pace: Pace,
    /// The user's CSV file, by name, as last chosen and read.
    csv: Option<(String, Rc<str>)>,
}

impl Session {
    /// Builds the run `spec` describes; every problem comes back with the field it is about.
    /// `csv`: the text of the CSV file the spec names, if any.
    pub fn new(spec: Spec, csv: Option<Rc<str>>) -> Result<Self, Vec<Problem>> {
        let trainer = Trainer::new(Cpu::<f32>::new(), &spec, csv.as_deref()).map_err(|e| problems(&e))?;
        Ok(Self {
            spec,
            csv,
            trainer,
            gpu: None,
            single_step: false,
            stopped: None,
            last_progress: None,
            measure_ms: 0.0,
            layers: None,
            last_snapshot: f64::NEG_INFINITY,
            snapshot_ms: 0.0,
            snapshot_pending: false,
        })
    }

    /// Measures every layer now (the spec's metrics settings say which figures).
    fn snapshot(&mut self, clock: &mut dyn FnMut() -> f64) {
        let start = clock();
        self.layers = Some(self.trainer.snapshot());
        let end = clock();
        self.snapshot_ms = end - start;
        self.last_snapshot = end;
    }

    /// Whether the layer metrics are due after the step just taken: at the metrics interval
    /// (where the update ratio is known), no more often than the time allows; and at the run's
    /// last step, as the command line measures it, so a run shorter than the interval is
    /// measured too.
    fn snapshot_due(&self, now: f64) -> bool {
        let every = self.trainer.metrics_every;
        self.trainer.finished(None)
            || self.trainer.steps().is_multiple_of(every)
                && now - self.last_snapshot >= MIN_SNAPSHOT_MS.max(self.snapshot_ms / MEASURE_SHARE)
    }

    /// What the page shows about the run before it trains: sizes and the data's points.
    fn info(&self) -> RunInfo {
        let analysis = analyse(&self.spec).ok();
        let data = &self.trainer.data;
        let points = data.encoder.as_ref().map(|encoder| Points {
            extent: encoder.extent(),
            train: data.train.points.clone(),
            train_labels: first_targets(&data.train),
            test: data.test.points.clone(),
            test_labels: first_targets(&data.test),
        });
        RunInfo {
            parameters: analysis.as_ref().map_or(0, |a| a.parameters),
            flops_per_step: analysis.as_ref().map_or(0, |a| a.flops_per_step),
            total_steps: self.trainer.total_steps,
            classes: match data.task {
                Task::Classify { classes } => classes,
                _ => 0,
            },
            train_examples: data.train.len as u64,
            test_examples: data.test.len as u64,
            points,
            target_image: self.trainer.target_picture(),
            preview: preview(&self.spec.data.dataset, &data.train, &data.test),
            memory: self.trainer.memory(),
        }
    }

    /// Whether the stop condition holds after the step just taken, checked as the command line
    /// checks it: at each metrics interval, so a link stops at the same step however fast the
    /// page trains. Stops the run and says so.
    fn stop_at_interval(&mut self) -> Option<WorkerOutput> {
        let step = self.trainer.steps();
        let every = self.trainer.metrics_every;
        if self.stopped.is_some() || self.trainer.stop.is_none() || !step.is_multiple_of(every) {
            return None;
        }
        let e = self.trainer.evaluate();
        self.trainer.stop_holds(&e).then(|| {
            self.stopped = Some(StopReason::StopCondition);
            WorkerOutput::Stopped { step, reason: StopReason::StopCondition }
        })
    }

    /// Losses, accuracy and the surface now, with the training speed since the last progress;
    /// and whether the stop condition holds by these numbers.
    fn progress(&mut self, now: f64, playing: bool) -> (Progress, bool) {
        let e = self.trainer.evaluate();
        let holds = self.trainer.steps() > 0 && self.trainer.stop_holds(&e);
        let surface: Option<Surface> = self.trainer.surface(SURFACE_SIDE);
        let neurons = self.trainer.neurons();
        let details = self.trainer.details();
        let step = self.trainer.steps();
        let steps_per_second = match self.last_progress {
            Some((at, from)) if now > at && step > from => (step - from) as f64 * 1000.0 / (now - at),
            _ => 0.0,
        };
        let progress = Progress {
            step,
            total_steps: self.trainer.total_steps,
            train_loss: e.train_loss,
            test_loss: e.test_loss,
            train_accuracy: e.train_accuracy,
            test_accuracy: e.test_accuracy,
            test_rmse: e.test_rmse,
            test_psnr: e.test_psnr,
            steps_per_second,
            playing,
            surface,
            neurons,
            details,
            layers: self.layers.take(),
        };
        (progress, holds)
    }
}

impl Host {
    /// Whether the run should train on the next tick.
    pub fn playing(&self) -> bool {
        self.playing && self.session.as_ref().is_some_and(|s| s.stopped.is_none())
    }

    /// Milliseconds to wait before the next tick can train (0: at once): the speed limit's.
    pub fn wait_ms(&self) -> f64 {
        self.pace.wait_ms()
    }

    /// Sets the speed limit (steps a second; `None`: full speed); a rate that is not a positive
    /// number is refused and the limit stays.
    pub fn set_speed(&mut self, steps_per_second: Option<f64>, now: f64) -> Vec<WorkerOutput> {
        match Pace::new(steps_per_second) {
            Ok(mut pace) => {
                pace.restart(now);
                self.pace = pace;
                Vec::new()
            }
            Err(message) => vec![WorkerOutput::Error { message }],
        }
    }

    /// Whether a read-back from the GPU is in flight (ticks wait for it).
    pub fn busy(&self) -> bool {
        self.session.as_ref().and_then(|s| s.gpu.as_ref()).is_some_and(|g| g.reading)
    }

    /// The device the loaded run trains on, if it trains on the GPU.
    pub fn gpu(&self) -> Option<&Gpu> {
        self.session.as_ref()?.gpu.as_ref().map(|g| &g.trainer.b)
    }

    /// Trains on `gpu` (as detection `report`ed it) from now on: the loaded run moves onto it
    /// (same weights, same step).
    pub fn use_gpu(&mut self, gpu: Gpu, report: BackendReport) -> Vec<WorkerOutput> {
        self.spare_gpu = Some(gpu);
        self.gpu_report = Some(report);
        self.moved_off = false;
        match self.session.as_mut() {
            Some(session) if session.gpu.is_none() => {
                attach(session, &mut self.spare_gpu, &self.gpu_report, &mut self.moved_off).into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Trains on the CPU from now on (the user forced it): the run keeps the weights of the
    /// last read-back.
    pub fn drop_gpu(&mut self) {
        self.spare_gpu = None;
        self.gpu_report = None;
        self.moved_off = false;
        if let Some(session) = self.session.as_mut() {
            session.gpu = None;
        }
        self.job = None;
    }

    /// The read-back the last call started, for the caller to await and hand to
    /// [`Host::finish_read`].
    pub fn take_read(&mut self) -> Option<ReadJob> {
        self.job.take()
    }

    /// Takes a finished read-back: the steps are counted, the shadow takes their weights, and
    /// whatever they lead to is reported (a stop, progress when due, a lost GPU).
    pub fn finish_read(
        &mut self,
        run: u64,
        history: Result<Vec<f32>, String>,
        state: Vec<Result<Vec<f32>, String>>,
        elapsed: f64,
        now: f64,
    ) -> Vec<WorkerOutput> {
        let Some(session) = self.session.as_mut().filter(|_| run == self.run) else { return Vec::new() };
        let Some(gpu) = session.gpu.as_mut() else { return Vec::new() };
        let mut out = Vec::new();
        match chunks::loaded(chunks::now(chunks::gpu_finish(gpu, history, state, elapsed, &mut session.trainer))) {
            Ok(_) => {}
            Err(Finish::Lost(message)) => {
                session.gpu = None;
                let report = BackendReport::Cpu { reason: CpuReason::DeviceLost { message } };
                out.push(WorkerOutput::BackendChanged { report });
            }
            Err(Finish::Diverged(error)) => {
                let reason = StopReason::Diverged { message: error.to_string() };
                session.stopped = Some(reason.clone());
                self.playing = false;
                out.push(WorkerOutput::Stopped { step: session.trainer.steps(), reason });
                return Self::report(session, &mut self.playing, &mut || now, out);
            }
        }
        if std::mem::take(&mut session.single_step) {
            session.snapshot(&mut || now);
            return Self::report(session, &mut self.playing, &mut || now, out);
        }
        if !self.playing {
            // Paused while these steps were read back: the page hears where the run stands.
            return Self::report(session, &mut self.playing, &mut || now, out);
        }
        if let Some(stop) = session.stop_at_interval() {
            self.playing = false;
            out.push(stop);
            return Self::report(session, &mut self.playing, &mut || now, out);
        }
        if session.snapshot_due(now) {
            session.snapshot_pending = true;
        }
        out
    }

    /// Loads `spec`. When a run is loaded and only its recipe changed (optimizer, learning
    /// rate, batch size, regularisation, length…), the run goes on with the new recipe, as in
    /// TensorFlow Playground; otherwise a new run is built from the spec (paused, step 0) and
    /// the reply says the run restarted. An invalid spec changes nothing.
    pub fn load(&mut self, spec: Spec, now: f64) -> Vec<WorkerOutput> {
        if let Err(errors) = analyse(&spec) {
            return vec![WorkerOutput::Invalid { problems: problems(&errors) }];
        }
        if let Some(session) = self.session.as_mut()
            && retunable(&session.spec, &spec)
        {
            if let Err(error) = session.trainer.retune(&session.spec.training, &spec.training) {
                return vec![WorkerOutput::Invalid { problems: problems(&[error]) }];
            }
            if let Some(gpu) = session.gpu.as_mut()
                && let Err(error) = chunks::loaded(chunks::now(chunks::gpu_retune(gpu, &session.spec.training, &spec)))
            {
                return vec![WorkerOutput::Invalid { problems: problems(&[error]) }];
            }
            session.trainer.measure_as(&spec);
            session.spec = spec;
            // A longer run, or a looser stop condition, can go on.
            session.stopped = None;
            let mut out = vec![WorkerOutput::Retuned { info: session.info() }];
            out.extend(Self::report(session, &mut self.playing, &mut || now, Vec::new()));
            return out;
        }
        self.build(spec, now)
    }

    /// Builds a run from `spec` anew: the same spec and seed give the same initial weights.
    fn build(&mut self, spec: Spec, now: f64) -> Vec<WorkerOutput> {
        // The device comes back from the run it trained.
        if let Some(old) = self.session.as_mut().and_then(|s| s.gpu.take()) {
            self.spare_gpu.get_or_insert(old.trainer.b);
        }
        self.job = None;
        let csv = match (&spec.data.dataset, &self.csv) {
            (Dataset::Csv(wanted), Some((name, text))) if &wanted.name == name => Some(Rc::clone(text)),
            _ => None,
        };
        match Session::new(spec, csv) {
            Ok(mut session) => {
                self.playing = false;
                self.run += 1;
                let moved = attach(&mut session, &mut self.spare_gpu, &self.gpu_report, &mut self.moved_off);
                session.snapshot(&mut || now);
                let mut out = vec![WorkerOutput::Loaded { info: session.info() }];
                out.extend(moved);
                out.extend(Self::report(&mut session, &mut self.playing, &mut || now, Vec::new()));
                self.session = Some(session);
                out
            }
            Err(problems) => vec![WorkerOutput::Invalid { problems }],
        }
    }

    /// Starts training; ticks follow while [`Host::playing`].
    pub fn play(&mut self, now: f64) -> Vec<WorkerOutput> {
        let Some(session) = self.session.as_mut() else { return vec![no_run()] };
        if let Some(reason) = session.stopped.clone() {
            return vec![WorkerOutput::Stopped { step: session.trainer.steps(), reason }];
        }
        self.playing = true;
        self.pace.restart(now);
        session.last_progress = Some((now, session.trainer.steps()));
        Vec::new()
    }

    /// Stops training after the current tick and reports where it stands.
    pub fn pause(&mut self, now: f64) -> Vec<WorkerOutput> {
        self.playing = false;
        match self.session.as_mut() {
            Some(session) => Self::report(session, &mut self.playing, &mut || now, Vec::new()),
            None => Vec::new(),
        }
    }

    /// One training step, then progress (training pauses first).
    pub fn step(&mut self, now: f64) -> Vec<WorkerOutput> {
        self.playing = false;
        let Some(session) = self.session.as_mut() else { return vec![no_run()] };
        if let Some(gpu) = session.gpu.as_mut() {
            // On the GPU: one step recorded, reported once read back (as is a read in flight).
            if gpu.reading {
                return Vec::new();
            }
            if session.stopped.is_none() && !session.trainer.finished(None) {
                session.single_step = true;
                self.job = Some(chunks::loaded(chunks::now(chunks::gpu_record(gpu, self.run, 1, now))));
                return Vec::new();
            }
            // Stopped, or at the run's end (then the stop is said again): nothing to train.
            let stop = if session.stopped.is_none() { train_one(session) } else { None };
            return Self::report(session, &mut self.playing, &mut || now, stop.into_iter().collect());
        }
        let mut out = Vec::new();
        if session.stopped.is_none() {
            out.extend(train_one(session));
        }
        session.snapshot(&mut || now);
        Self::report(session, &mut self.playing, &mut || now, out)
    }

    /// Reads the user's CSV file and keeps it; a run on a file of that name starts over on it.
    pub fn csv(&mut self, name: String, text: String, now: f64) -> Vec<WorkerOutput> {
        let summary = match CsvSummary::read(&name, &text) {
            Ok(summary) => summary,
            Err(error) => return vec![WorkerOutput::CsvRejected { name, message: error.message }],
        };
        self.csv = Some((name.clone(), text.into()));
        let mut out = vec![WorkerOutput::CsvRead { name: name.clone(), summary }];
        let uses_it =
            self.session.as_ref().is_some_and(|s| matches!(&s.spec.data.dataset, Dataset::Csv(c) if c.name == name));
        if uses_it && let Some(session) = self.session.take() {
            out.extend(self.build(session.spec, now));
        }
        out
    }

    /// The run's model for PyTorch as it is now (a GPU run's: as of its last read-back).
    pub fn export_torch(&mut self) -> Vec<WorkerOutput> {
        let Some(session) = self.session.as_mut() else {
            return vec![WorkerOutput::ExportFailed { message: "no run is loaded yet".into() }];
        };
        let step = session.trainer.steps();
        let not_loaded = || Err(Failed("the export's code was not loaded before the export".into()));
        vec![match chunks::now(chunks::torch_files(&mut session.trainer, &session.spec)).unwrap_or_else(not_loaded) {
            Ok(files) => WorkerOutput::Exported {
                step,
                files: files.into_iter().map(|f| ExportedFile { name: f.name.into(), bytes: f.bytes }).collect(),
            },
            Err(Failed(message)) => WorkerOutput::ExportFailed { message },
        }]
    }

    /// Starts the run over from the same spec: same seed, same initial weights, same data.
    pub fn reset(&mut self, now: f64) -> Vec<WorkerOutput> {
        match self.session.take() {
            Some(session) => self.build(session.spec, now),
            None => vec![no_run()],
        }
    }

    /// One slice of work while playing, by `clock` (milliseconds): either the layer metrics
    /// marked due at the step just taken, or a measurement when progress is due (at most every
    /// [`MIN_PROGRESS_MS`], less often when measuring takes over [`MEASURE_SHARE`] of the time),
    /// or about [`TICK_MS`] of training. One at a time, so a pause waits for the longest of the
    /// three, never their sum.
    pub fn tick(&mut self, clock: &mut dyn FnMut() -> f64) -> Vec<WorkerOutput> {
        if !self.playing() {
            return Vec::new();
        }
        let Some(session) = self.session.as_mut() else { return Vec::new() };
        if session.snapshot_pending {
            session.snapshot_pending = false;
            session.snapshot(clock);
            return Vec::new();
        }
        let now = clock();
        let interval = MIN_PROGRESS_MS.max(session.measure_ms / MEASURE_SHARE);
        // A measurement when one is due and the run moved since (slowed down, it may not have).
        let steps = session.trainer.steps();
        if session.last_progress.is_none_or(|(at, step)| now - at >= interval && step != steps) {
            // Measured when the time says, so not a place to stop: that is the interval's.
            return vec![Self::measure(session, self.playing, clock).0];
        }
        if let Some(gpu) = session.gpu.as_mut() {
            if !gpu.reading {
                let trainer = &session.trainer;
                if trainer.finished(None) {
                    return train_one(session).into_iter().collect();
                }
                // Up to the end of the metrics interval or of the run but its last step, which
                // goes alone: the layer metrics measure the last weights, and the update ratio
                // the change its last step made.
                let every = trainer.metrics_every;
                let to_end = (every - trainer.steps() % every).min(trainer.total_steps - trainer.steps());
                let limit = (if to_end > 1 { to_end - 1 } else { 1 }).min(self.pace.allowed(now));
                if limit > 0 {
                    self.job = Some(chunks::loaded(chunks::now(chunks::gpu_record(gpu, self.run, limit, now))));
                    self.pace.spend(gpu.recorded);
                }
            }
            return Vec::new();
        }
        let mut out = Vec::new();
        let start = now;
        let mut allowed = self.pace.allowed(now);
        loop {
            let now = clock();
            if now - start >= TICK_MS || allowed == 0 {
                break;
            }
            allowed -= 1;
            self.pace.spend(1);
            out.extend(train_one(session));
            out.extend(session.stop_at_interval());
            if session.stopped.is_some() {
                self.playing = false;
                // The final numbers go with the stop.
                return Self::report(session, &mut self.playing, clock, out);
            }
            if session.snapshot_due(now) {
                session.snapshot_pending = true;
                break;
            }
        }
        out
    }

    /// Measures and reports progress, followed by `stops` and the stop condition, if it holds
    /// now (then training stops): where the user acted (a step, a pause, a new recipe) or the
    /// run ended.
    fn report(
        session: &mut Session,
        playing: &mut bool,
        clock: &mut dyn FnMut() -> f64,
        stops: Vec<WorkerOutput>,
    ) -> Vec<WorkerOutput> {
        let (progress, holds) = Self::measure(session, *playing, clock);
        let step = session.trainer.steps();
        let mut replies = vec![progress];
        replies.extend(stops);
        if session.stopped.is_none() && holds {
            session.stopped = Some(StopReason::StopCondition);
            *playing = false;
            replies.push(WorkerOutput::Stopped { step, reason: StopReason::StopCondition });
        }
        replies
    }

    /// Measures progress (every progress goes through here), timing the measurement; and
    /// whether the stop condition holds by it.
    fn measure(session: &mut Session, playing: bool, clock: &mut dyn FnMut() -> f64) -> (WorkerOutput, bool) {
        let now = clock();
        let (progress, holds) = session.progress(now, playing);
        let after = clock();
        session.measure_ms = after - now;
        session.last_progress = Some((after, progress.step));
        (WorkerOutput::Progress { progress }, holds)
    }
}

/// One step; a stop (length reached, stop condition met, divergence) comes back as a message.
fn train_one(session: &mut Session) -> Option<WorkerOutput> {
    let trainer = &mut session.trainer;
    if trainer.finished(None) {
        session.stopped = Some(StopReason::Finished);
        return Some(WorkerOutput::Stopped { step: trainer.steps(), reason: StopReason::Finished });
    }
    if let Err(error) = trainer.step() {
        let reason = StopReason::Diverged { message: error.to_string() };
        session.stopped = Some(reason.clone());
        return Some(WorkerOutput::Stopped { step: trainer.steps(), reason });
    }
    None
}

/// Moves `session` onto the spare device, if there is one. When that fails the run stays on
/// the CPU and the message says why; when a run goes back to the GPU after that, the message
/// says so too.
fn attach(
    session: &mut Session,
    spare: &mut Option<Gpu>,
    report: &Option<BackendReport>,
    moved_off: &mut bool,
) -> Option<WorkerOutput> {
    let gpu = spare.take()?;
    let csv = session.csv.as_deref();
    match chunks::loaded(chunks::now(chunks::gpu_run(gpu, &session.spec, csv, &mut session.trainer))) {
        Ok(run) => {
            session.gpu = Some(run);
            let back = std::mem::take(moved_off).then(|| report.clone()).flatten();
            back.map(|report| WorkerOutput::BackendChanged { report })
        }
        Err(refused) => {
            let (device, message) = *refused;
            *spare = device;
            *moved_off = true;
            Some(WorkerOutput::BackendChanged {
                report: BackendReport::Cpu { reason: CpuReason::Unsupported { message } },
            })
        }
    }
}

/// Whether `next` differs from `built` only in what a run can change mid-way.
fn retunable(built: &Spec, next: &Spec) -> bool {
    built.data == next.data
        && built.model == next.model
        && built.seed == next.seed
        // The probe batch is built with the run; which metrics are measured on it, and how
        // often, may change as it goes.
        && built.metrics.probe_size == next.metrics.probe_size
        && layerlab_engine::train::rebuild_needed(&built.training, &next.training).is_none()
}

fn problems(errors: &[SpecError]) -> Vec<Problem> {
    errors.iter().map(|e| Problem { path: e.path.clone(), message: e.message.clone() }).collect()
}

fn first_targets(examples: &layerlab_engine::data::Examples) -> Vec<f32> {
    examples.targets.iter().step_by(examples.target_width.max(1)).copied().collect()
}

fn no_run() -> WorkerOutput {
    WorkerOutput::Error { message: "no experiment is loaded yet: send load with a spec first".to_string() }
}
