//! The two commands: `train` (load, override, train, report) and `datasets` (the catalogue).

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use layerlab_engine::backend::Backend;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::export;
use layerlab_engine::metrics::Snapshot;
use layerlab_engine::metrics::csv::{LAYERS_HEADER, layer_rows};
use layerlab_engine::train::{Checkpoint, Evaluation, TrainError, Trainer, resume};
use layerlab_gpu::Gpu;
use layerlab_spec::data::Dataset;
use layerlab_spec::train::{LearningRule, Length};
use layerlab_spec::{Spec, SpecError, json, link};
use serde_json::{Map, Value, json};

use crate::args::{BackendChoice, TrainOptions};

pub fn datasets() {
    for d in Dataset::catalogue() {
        let task = match d.task() {
            layerlab_spec::data::Task::Classify { classes } => format!("classify, {classes} classes"),
            layerlab_spec::data::Task::Regress { outputs } => format!("regress {outputs} output(s)"),
            layerlab_spec::data::Task::Sequence { length, vocabulary } => {
                format!("predict {length} tokens of {vocabulary}")
            }
        };
        let params = match serde_json::to_value(&d).expect("a dataset serializes") {
            Value::Object(map) => map.values().next().map(Value::to_string).unwrap_or_default(),
            _ => String::new(),
        };
        let generated = if d.is_generated() { "samples, noise, train_fraction" } else { "train_fraction" };
        // A closed pipe (`layerlab datasets | head`) ends the listing quietly.
        if writeln!(std::io::stdout(), "{:<18} {:<28} {params:<48} ({generated})", d.name(), task).is_err() {
            return;
        }
    }
}

/// Every block kind with its parameters (at their defaults), what it does and its paper.
pub fn blocks() {
    for block in layerlab_spec::model::Block::defaults() {
        let (what, paper) = block.about();
        // `{"kind":{…}}` → `{…}`, keeping serde_json's shortest f32 digits (0.1, not 0.10000000149).
        let json = serde_json::to_string(&block).expect("a block serializes");
        let params = json.split_once(':').map_or("", |(_, rest)| &rest[..rest.len() - 1]);
        let optional = block.optional().map(|o| format!("           optional: {o}\n")).unwrap_or_default();
        let entry = format!("{:<10} {params}\n{optional}           {what}\n           paper: {paper}\n", block.kind());
        if writeln!(std::io::stdout(), "{entry}").is_err() {
            return;
        }
    }
}

pub fn train(opts: &TrainOptions) -> Result<(), Failure> {
    let spec = load(opts)?;
    let csv = match (&spec.data.dataset, &opts.csv) {
        (Dataset::Csv(r), None) => {
            return Err(format!("the spec trains on the CSV file `{}`: give it with --csv FILE", r.name).into());
        }
        (_, Some(path)) => Some(std::fs::read_to_string(path).map_err(|e| format!("--csv {}: {e}", path.display()))?),
        _ => None,
    };
    let csv = csv.as_deref();
    let mut outs = Outputs::open(opts)?;
    let cpu = || Trainer::new(Cpu::<f32>::new(), &spec, csv).map_err(|e| messages(&e));
    match opts.backend {
        BackendChoice::Cpu => run(cpu()?, &spec, &mut outs, None).map(drop),
        BackendChoice::Gpu => match Gpu::native() {
            Ok(gpu) => {
                let trainer = Trainer::new(gpu, &spec, csv).map_err(|e| messages(&e))?;
                let Some(lost) = run(trainer, &spec, &mut outs, None)? else { return Ok(()) };
                let why = format!("{}; went on on the CPU from step {}", lost.why, lost.step);
                eprintln!("layerlab: {why}");
                let trainer = resume(Cpu::<f32>::new(), &spec, csv, &lost.checkpoint, lost.step)?;
                run(trainer, &spec, &mut outs, Some(why)).map(drop)
            }
            Err(e) => {
                let why = format!("{e}; trained on the CPU instead");
                eprintln!("layerlab: {why}");
                run(cpu()?, &spec, &mut outs, Some(why)).map(drop)
            }
        },
    }
}

/// The CSV files `--out` asks for, open for the whole run (whichever backend trains it).
struct Outputs {
    csv: Option<std::fs::File>,
    layers: Option<std::fs::File>,
    /// The folder the PyTorch export goes to, created before training.
    export: Option<PathBuf>,
}

impl Outputs {
    fn open(opts: &TrainOptions) -> Result<Outputs, Failure> {
        let csv = match &opts.out {
            Some(path) => {
                let mut file = std::fs::File::create(path).map_err(|e| format!("--out {}: {e}", path.display()))?;
                writeln!(file, "step,train_loss,test_loss,test_accuracy,test_rmse,steps_per_sec")
                    .map_err(|e| e.to_string())?;
                Some(file)
            }
            None => None,
        };
        // Per-layer metrics go beside the main file: metrics.csv → metrics.layers.csv.
        let layers = match &opts.out {
            Some(path) => {
                let path = path.with_extension("layers.csv");
                let mut file = std::fs::File::create(&path).map_err(|e| format!("--out {}: {e}", path.display()))?;
                writeln!(file, "{LAYERS_HEADER}").map_err(|e| e.to_string())?;
                Some(file)
            }
            None => None,
        };
        let export = opts.export.clone();
        if let Some(dir) = &export {
            std::fs::create_dir_all(dir).map_err(|e| format!("--export {}: {e}", dir.display()))?;
        }
        Ok(Outputs { csv, layers, export })
    }
}

/// A run whose device was lost: after how many good steps, why, and the state to go on from.
struct Lost {
    step: u64,
    why: String,
    checkpoint: Checkpoint,
}

/// Trains to the end on whichever backend `trainer` has; `fallback` says why it is not the one
/// asked for. On a backend that can be lost (the GPU) the run's state is read back at every
/// metrics interval, and a lost device ends this part of the run with that checkpoint.
fn run<B: Backend>(
    mut trainer: Trainer<B>,
    spec: &Spec,
    outs: &mut Outputs,
    fallback: Option<String>,
) -> Result<Option<Lost>, Failure> {
    let keep = trainer.b.can_be_lost();
    let mut checkpoint = keep.then(|| trainer.checkpoint());
    let (csv_out, layers_out) = (&mut outs.csv, &mut outs.layers);
    let every = trainer.metrics_every;
    let progress = std::io::stderr().is_terminal();
    let (started, mut busy, mut since) = (Instant::now(), Duration::ZERO, (0u64, Duration::ZERO));
    let mut latest: Option<Evaluation> = None;
    let mut failure = None;
    while !trainer.finished(latest.as_ref()) {
        let t = Instant::now();
        match trainer.step() {
            Ok(_) => {}
            Err(TrainError::DeviceLost { step, why }) => {
                let checkpoint = checkpoint.take().expect("a backend that can be lost keeps checkpoints");
                return Ok(Some(Lost { step, why, checkpoint }));
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        busy += t.elapsed();
        let step = trainer.steps();
        if step.is_multiple_of(every) || trainer.finished(None) {
            let eval = trainer.evaluate();
            let rate = (step - since.0) as f64 / (busy - since.1).as_secs_f64().max(1e-9);
            since = (step, busy);
            let snapshot = trainer.snapshot();
            let mut layers = Map::new();
            layers.insert("layers".into(), serde_json::to_value(&snapshot.layers).map_err(|e| e.to_string())?);
            if let Some(similarity) = &snapshot.similarity {
                layers.insert("similarity".into(), json!(similarity));
            }
            if let Some(file) = layers_out.as_mut() {
                write_layers(file, &snapshot).map_err(|e| format!("--out: {e}"))?;
            }
            emit(&eval, rate, Some(layers), csv_out.as_mut())?;
            latest = Some(eval);
            if keep {
                checkpoint = Some(trainer.checkpoint());
            }
            if progress {
                bar(step, trainer.total_steps, eval.train_loss);
            }
        }
    }
    if progress {
        eprintln!();
    }
    let eval = trainer.evaluate();
    let overall = trainer.steps() as f64 / busy.as_secs_f64().max(1e-9);
    let mut extra = Map::new();
    extra.insert("summary".into(), json!(true));
    extra.insert("seconds".into(), json!(started.elapsed().as_secs_f64()));
    extra.insert("parameters".into(), json!(trainer.model.parameter_count()));
    extra.insert("backend".into(), json!(trainer.b.name()));
    let m = trainer.memory();
    extra.insert(
        "memory".into(),
        json!({
            "peak_bytes": m.peak(),
            "parameters": m.parameters,
            "gradients": m.gradients,
            "optimizer": m.optimizer,
            "activations": m.activations,
            "rule": m.rule,
        }),
    );
    if let Some(why) = fallback {
        extra.insert("fallback".into(), json!(why));
    }
    if let Some(TrainError::Diverged { step, layer, cause }) = &failure {
        extra.insert("diverged".into(), json!({ "step": step, "layer": layer, "cause": cause }));
    }
    if let (Some(dir), None) = (&outs.export, &failure) {
        let files = export::pytorch(&mut trainer, spec).map_err(|e| format!("--export: {e}"))?;
        for file in &files {
            let path = dir.join(file.name);
            std::fs::write(&path, &file.bytes).map_err(|e| format!("--export {}: {e}", path.display()))?;
        }
        let names: Vec<&str> = files.iter().map(|f| f.name).collect();
        extra.insert("exported".into(), json!({ "folder": dir.display().to_string(), "files": names }));
    }
    emit(&eval, overall, Some(extra), None)?;
    match failure {
        Some(e) => Err(Failure { message: e.to_string(), status: DIVERGED }),
        None => Ok(None),
    }
}

/// Exit status of a run whose training diverged (bad input exits with 2).
pub const DIVERGED: u8 = 3;

/// Why a command failed, and the exit status that says so.
pub struct Failure {
    pub message: String,
    pub status: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { message, status: 2 }
    }
}

/// The spec: the default experiment, a file or a link, then the command line's overrides.
fn load(opts: &TrainOptions) -> Result<Spec, String> {
    let mut spec = match &opts.spec {
        None => Spec::default(),
        Some(arg) if Path::new(arg).is_file() => {
            let text = std::fs::read_to_string(arg).map_err(|e| format!("{arg}: {e}"))?;
            let decoded = json::from_json(&text).map_err(|e| format!("{arg}:\n{}", messages(&e)))?;
            decoded.warnings.iter().for_each(|w| eprintln!("layerlab: {arg}: {w}"));
            decoded.spec
        }
        Some(arg) => {
            let fragment = arg.rsplit_once('#').map_or(arg.as_str(), |(_, f)| f);
            if !fragment.starts_with("v") || !fragment.contains('.') {
                return Err(format!("`{arg}` is neither a spec file nor a LayerLab link (which ends in #v2.…)"));
            }
            let decoded = link::decode(fragment).map_err(|e| format!("the link:\n{}", messages(&e)))?;
            decoded.warnings.iter().for_each(|w| eprintln!("layerlab: the link: {w}"));
            decoded.spec
        }
    };
    if let Some(steps) = opts.steps {
        spec.training.length = Length::Steps(steps);
    }
    if let Some(seed) = opts.seed {
        spec.seed = seed;
    }
    if let Some(rule) = opts.rule {
        // A Forward-Forward spec keeps its own threshold.
        if !matches!(
            (rule, spec.training.rule),
            (LearningRule::ForwardForward { .. }, LearningRule::ForwardForward { .. })
        ) {
            spec.training.rule = rule;
        }
    }
    if let Some(lr) = opts.learning_rate {
        spec.training.optimizer.set_learning_rate(lr);
    }
    if let Some(every) = opts.every {
        spec.metrics.every = every;
    }
    if let Some(name) = &opts.dataset {
        spec.data.dataset = dataset(name)?;
    }
    Ok(spec)
}

fn dataset(text: &str) -> Result<Dataset, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| format!("--dataset {text}: {e}"));
    }
    let all = Dataset::catalogue();
    all.iter().find(|d| d.name() == text).cloned().ok_or_else(|| {
        let names: Vec<String> = all.iter().map(Dataset::name).collect();
        format!("--dataset `{text}` is not a dataset: use one of {}", names.join(", "))
    })
}

fn messages(errors: &[SpecError]) -> String {
    errors.iter().fold(String::new(), |mut s, e| {
        let _ = writeln!(s, "  {e}");
        s
    })
}

fn emit(
    e: &Evaluation,
    steps_per_sec: f64,
    extra: Option<Map<String, Value>>,
    csv: Option<&mut std::fs::File>,
) -> Result<(), String> {
    let mut line = Map::new();
    line.insert("step".into(), json!(e.step));
    line.insert("train_loss".into(), json!(e.train_loss));
    line.insert("test_loss".into(), json!(e.test_loss));
    if let Some(a) = e.test_accuracy {
        line.insert("train_accuracy".into(), json!(e.train_accuracy));
        line.insert("test_accuracy".into(), json!(a));
    }
    if let Some(r) = e.test_rmse {
        line.insert("test_rmse".into(), json!(r));
    }
    if let Some(p) = e.test_psnr {
        line.insert("test_psnr".into(), json!(p));
    }
    line.insert("steps_per_sec".into(), json!(steps_per_sec));
    line.extend(extra.unwrap_or_default());
    writeln!(std::io::stdout(), "{}", Value::Object(line)).map_err(|e| format!("cannot write the metrics: {e}"))?;
    if let Some(file) = csv {
        let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        writeln!(
            file,
            "{},{},{},{},{},{}",
            e.step,
            e.train_loss,
            e.test_loss,
            opt(e.test_accuracy),
            opt(e.test_rmse),
            steps_per_sec
        )
        .map_err(|err| format!("--out: {err}"))?;
    }
    Ok(())
}

/// One CSV row per layer of the snapshot (the engine's format, which the page writes too).
fn write_layers(file: &mut std::fs::File, s: &Snapshot) -> std::io::Result<()> {
    file.write_all(layer_rows(s).as_bytes())
}

fn bar(step: u64, total: u64, loss: f64) {
    let width = 30;
    let done = (step.min(total) * width / total.max(1)) as usize;
    eprint!("\r[{}{}] {step}/{total} steps, train loss {loss:.4}", "#".repeat(done), ".".repeat(width as usize - done));
}
