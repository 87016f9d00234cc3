//! The command line, read into a [`Command`]. Every mistake is a message saying what would be valid.

use std::path::PathBuf;

use layerlab_spec::Every;
use layerlab_spec::train::LearningRule;

pub const USAGE: &str = "usage:
  layerlab train [SPEC.json | LINK] [options]   train headless; with no spec, the page's opening experiment
      --steps N          train N steps (overrides the spec's length)
      --seed N           the experiment's seed
      --lr RATE          the optimizer's learning rate
      --every N|auto     measure, evaluate and print every N steps (overrides the spec's metrics.every)
      --rule RULE        the learning rule: backprop, dfa, forward-forward, mono-forward or target-projection
      --dataset NAME     a dataset by name (see `layerlab datasets`), or its JSON: '{\"checkerboard\":{\"cells\":6}}'
      --backend cpu|gpu  where to train: the CPU (the default), or the GPU through Vulkan; without a
                         usable GPU it trains on the CPU and the summary says why
      --csv FILE         the CSV file a spec with a csv dataset refers to
      --out FILE.csv     also write the metrics as CSV
      --export DIR       then write the trained model for PyTorch into DIR: model.py, train.py,
                         weights.safetensors, data.safetensors, sample.safetensors, spec.json
  layerlab datasets                           list the datasets and their parameters
  layerlab blocks                             list the block kinds, their parameters and papers";

#[derive(Debug, Default)]
pub struct TrainOptions {
    /// A path to a spec file, or a link (a URL with a `#v2.` fragment, or the fragment).
    pub spec: Option<String>,
    pub steps: Option<u64>,
    pub seed: Option<u64>,
    pub learning_rate: Option<f32>,
    pub every: Option<Every>,
    pub rule: Option<LearningRule>,
    pub dataset: Option<String>,
    pub csv: Option<PathBuf>,
    pub out: Option<PathBuf>,
    /// A folder for the PyTorch export of the trained model.
    pub export: Option<PathBuf>,
    pub backend: BackendChoice,
}

/// Where `train` computes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum BackendChoice {
    #[default]
    Cpu,
    Gpu,
}

pub enum Command {
    Train(TrainOptions),
    Datasets,
    Blocks,
    Help,
}

pub fn parse(argv: &[String]) -> Result<Command, String> {
    let Some(first) = argv.first() else { return Ok(Command::Help) };
    match first.as_str() {
        "train" => train(&argv[1..]).map(Command::Train),
        "datasets" if argv.len() == 1 => Ok(Command::Datasets),
        "datasets" => Err(format!("`datasets` takes no arguments, got `{}`", argv[1..].join(" "))),
        "blocks" if argv.len() == 1 => Ok(Command::Blocks),
        "blocks" => Err(format!("`blocks` takes no arguments, got `{}`", argv[1..].join(" "))),
        "help" | "--help" | "-h" => Ok(Command::Help),
        other => Err(format!("unknown command `{other}`: use `train`, `datasets` or `blocks`")),
    }
}

fn train(argv: &[String]) -> Result<TrainOptions, String> {
    let mut opts = TrainOptions::default();
    let mut it = argv.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| it.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--steps" => opts.steps = Some(number("--steps", &value("--steps")?)?),
            "--seed" => opts.seed = Some(number("--seed", &value("--seed")?)?),
            "--dataset" => opts.dataset = Some(value("--dataset")?),
            "--lr" => {
                let text = value("--lr")?;
                let rate = text.parse().map_err(|_| format!("--lr = `{text}` is not a number"))?;
                opts.learning_rate = Some(rate);
            }
            "--every" => {
                let text = value("--every")?;
                opts.every = Some(match text.as_str() {
                    "auto" => Every::Auto,
                    _ => Every::Steps(
                        text.parse()
                            .map_err(|_| format!("--every = `{text}` is not a whole number of steps or `auto`"))?,
                    ),
                });
            }
            "--rule" => opts.rule = Some(rule(&value("--rule")?)?),
            "--csv" => opts.csv = Some(value("--csv")?.into()),
            "--backend" => {
                opts.backend = match value("--backend")?.as_str() {
                    "cpu" => BackendChoice::Cpu,
                    "gpu" => BackendChoice::Gpu,
                    other => return Err(format!("--backend = `{other}` is not a backend: use cpu or gpu")),
                }
            }
            "--out" => opts.out = Some(value("--out")?.into()),
            "--export" => opts.export = Some(value("--export")?.into()),
            flag if flag.starts_with("--") => {
                return Err(format!(
                    "unknown option `{flag}`: use --steps, --seed, --lr, --every, --rule, --dataset, --backend, --csv, --out or --export"
                ));
            }
            spec if opts.spec.is_none() => opts.spec = Some(spec.to_string()),
            extra => {
                return Err(format!(
                    "one spec at a time: `{extra}` comes after `{}`",
                    opts.spec.as_deref().unwrap_or("")
                ));
            }
        }
    }
    Ok(opts)
}

/// A learning rule as the command line spells it (Forward-Forward with its usual threshold, 2).
fn rule(text: &str) -> Result<LearningRule, String> {
    Ok(match text {
        "backprop" => LearningRule::Backprop,
        "dfa" => LearningRule::FeedbackAlignment,
        "forward-forward" => LearningRule::ForwardForward { threshold: 2.0 },
        "mono-forward" => LearningRule::MonoForward,
        "target-projection" => LearningRule::TargetProjection,
        other => {
            return Err(format!(
                "--rule = `{other}` is not a learning rule: use backprop, dfa, forward-forward, mono-forward or target-projection"
            ));
        }
    })
}

fn number(flag: &str, text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| format!("{flag} = `{text}` is not a whole number ≥ 0"))
}
