//! Whole runs of the backend suite: deferred training (read back later, as a browser must)
//! against immediate training on the same backend, for a healthy run and a diverging one.

use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::Optimizer;

use crate::backend::Backend;
use crate::model::read;
use crate::train::{TrainError, Trainer};

/// A spiral MLP with Adam and clipping: a healthy run.
pub fn healthy_spec() -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Spiral;
    spec.training.clip_norm = Some(1.0);
    spec.model = vec![Block::Dense(Dense { units: 12, activation: Activation::Tanh, bias: true }); 2];
    spec
}

/// SGD at a learning rate of 10 on the plane: diverges within a few dozen steps.
pub fn diverging_spec() -> Spec {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Plane;
    spec.training.optimizer = Optimizer::Sgd { learning_rate: 10.0 };
    spec.model = vec![Block::Dense(Dense { units: 32, activation: Activation::Relu, bias: true }); 2];
    spec
}

fn weights<B: Backend>(t: &mut Trainer<B>) -> Vec<Vec<f64>> {
    let Trainer { b, model, .. } = t;
    model.params.iter().map(|p| read(b, &p.value)).collect()
}

/// Trains deferred, collecting every `every` steps, until `steps` or an error.
fn deferred<B: Backend>(t: &mut Trainer<B>, steps: u64, every: u64) -> (Vec<f64>, Option<TrainError>) {
    let mut losses = Vec::new();
    while t.steps() < steps {
        t.step_deferred();
        if t.steps().is_multiple_of(every) || t.steps() == steps {
            match t.collect_now() {
                Ok(l) => losses.extend(l),
                Err(e) => return (losses, Some(e)),
            }
        }
    }
    (losses, None)
}

/// Deferred and immediate training on backends from `make` agree: the same losses (to
/// `tolerance`), the same failing step, the same weights kept. Each disagreement as a message.
pub fn check_runs<B: Backend>(make: impl Fn() -> B, tolerance: f64) -> Vec<String> {
    let mut problems = Vec::new();
    let spec = healthy_spec();
    let mut now = Trainer::new(make(), &spec, None).expect("a valid spec");
    let immediate: Vec<f64> = (0..60).map(|_| now.step().expect("a healthy run")).collect();
    let mut later = Trainer::new(make(), &spec, None).expect("a valid spec");
    let (losses, error) = deferred(&mut later, 60, 25);
    if let Some(e) = error {
        problems.push(format!("healthy run, deferred: {e}"));
    }
    if let Some(p) = super::compare("deferred losses", &losses, &immediate, tolerance) {
        problems.push(format!("healthy run: {p}"));
    }

    let spec = diverging_spec();
    let mut now = Trainer::new(make(), &spec, None).expect("a valid spec");
    let (want, kept) = loop {
        let before = weights(&mut now);
        match now.step() {
            Ok(_) if now.steps() < 1000 => {}
            Ok(_) => return vec!["the diverging run never diverged".into()],
            Err(e) => break (e, before),
        }
    };
    let mut later = Trainer::new(make(), &spec, None).expect("a valid spec");
    let (_, got) = deferred(&mut later, 1000, 7);
    match (&want, got) {
        (TrainError::Diverged { step: s, .. }, Some(TrainError::Diverged { step, .. })) if step == *s => {
            let flat = |w: Vec<Vec<f64>>| w.into_iter().flatten().collect::<Vec<f64>>();
            if let Some(p) = super::compare("kept weights", &flat(weights(&mut later)), &flat(kept), tolerance) {
                problems.push(format!("diverging run: {p}"));
            }
            if later.steps() != *s {
                problems.push(format!("diverging run: {} steps counted after step {s} failed", later.steps()));
            }
        }
        (_, got) => problems.push(format!("diverging run: immediately {want}, deferred {got:?}")),
    }
    problems
}
