//! Editing the experiment: the operations the page's panels perform on the spec, as pure
//! functions (tested natively). The page holds one `Spec`; every control maps to one of these.

use layerlab_spec::data::{Dataset, Feature};
use layerlab_spec::limits::MAX_STEPS;
use layerlab_spec::model::Block;
use layerlab_spec::train::{GradientNoise, Init, Length, Optimizer, Schedule, Stop};
use layerlab_spec::{Spec, SpecError};

use crate::tree::{self, Place};

/// The experiment the page opens with: TensorFlow Playground's (circle, two hidden tanh layers
/// of 4 and 2), training until paused.
pub fn starting_spec() -> Spec {
    let mut spec = Spec::default();
    spec.training.length = Length::Steps(MAX_STEPS);
    spec
}

/// Every dataset the page offers, by its stable name, in catalogue order (the CSV upload is a
/// control of its own, so it is left out here).
pub fn dataset_names() -> Vec<String> {
    Dataset::catalogue().iter().filter(|d| !matches!(d, Dataset::Csv(_))).map(Dataset::name).collect()
}

/// Switches to the dataset named `name`, with its default parameters.
pub fn set_dataset(spec: &mut Spec, name: &str) -> Result<(), String> {
    let dataset = Dataset::catalogue()
        .into_iter()
        .find(|d| d.name() == name)
        .ok_or_else(|| format!("there is no dataset '{name}': pick one of {}", dataset_names().join(", ")))?;
    // Fourier features apply to the 2D sets only.
    if !dataset.is_planar() {
        spec.data.fourier = None;
    }
    spec.data.dataset = dataset;
    Ok(())
}

/// Turns the random Fourier features of a 2D input on (with their usual count and scale) or off.
pub fn set_fourier(spec: &mut Spec, on: bool) {
    spec.data.fourier = on.then(|| spec.data.fourier.unwrap_or_default());
}

/// The input features of 2D datasets, with the label the page shows.
pub const FEATURES: [(Feature, &str); 7] = [
    (Feature::X, "x"),
    (Feature::Y, "y"),
    (Feature::XSquared, "x²"),
    (Feature::YSquared, "y²"),
    (Feature::XTimesY, "x·y"),
    (Feature::SinX, "sin x"),
    (Feature::SinY, "sin y"),
];

/// Turns `feature` on or off, keeping the features in the order of [`FEATURES`] (listed in
/// that order rather than sorted: a sort is compiled once per element type and key).
pub fn toggle_feature(spec: &mut Spec, feature: Feature, on: bool) {
    let old = &spec.data.features;
    let chosen = |f: &Feature| if *f == feature { on } else { old.contains(f) };
    spec.data.features = FEATURES.iter().map(|&(f, _)| f).filter(chosen).collect();
}

/// Every block kind with its default payload: the palette.
pub fn palette() -> Vec<Block> {
    Block::defaults()
}

/// Adds a block of `kind` (its default payload) at the end of the list at `place` (the model,
/// or a container's body or branch); the index it landed at.
pub fn add_block(spec: &mut Spec, place: &Place, kind: &str) -> Result<usize, String> {
    let block = palette().into_iter().find(|b| b.kind() == kind).ok_or_else(|| {
        let kinds: Vec<&str> = palette().iter().map(Block::kind).collect();
        format!("there is no block '{kind}': pick one of {}", kinds.join(", "))
    })?;
    tree::add(spec, place, block).ok_or_else(|| format!("{} is no longer there", place.path()))
}

/// The problems about `path` or anything inside it (`model[2]` has `model[2].units`).
pub fn problems_at<'a>(problems: &'a [SpecError], path: &str) -> Vec<&'a SpecError> {
    problems
        .iter()
        .filter(|p| {
            p.path == path
                || p.path.strip_prefix(path).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .collect()
}

/// The learning rates the page offers, as TensorFlow Playground does.
pub const LEARNING_RATES: [f32; 11] = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0];

/// The optimizers by name, each with its usual settings and `learning_rate`.
pub fn optimizer_named(name: &str, learning_rate: f32) -> Option<Optimizer> {
    let (beta1, beta2, epsilon) = (0.9, 0.999, 1e-8);
    Some(match name {
        "sgd" => Optimizer::Sgd { learning_rate },
        "momentum" => Optimizer::Momentum { learning_rate, momentum: 0.9 },
        "adam" => Optimizer::Adam { learning_rate, beta1, beta2, epsilon },
        "adam_w" => Optimizer::AdamW { learning_rate, beta1, beta2, epsilon, weight_decay: 0.01 },
        _ => return None,
    })
}

/// The name of an optimizer, as [`optimizer_named`] reads it.
pub fn optimizer_name(optimizer: &Optimizer) -> &'static str {
    match optimizer {
        Optimizer::Sgd { .. } => "sgd",
        Optimizer::Momentum { .. } => "momentum",
        Optimizer::Adam { .. } => "adam",
        Optimizer::AdamW { .. } => "adam_w",
    }
}

/// The L1 penalties the page offers (besides off).
pub const L_PENALTIES: [f32; 5] = [0.00001, 0.0001, 0.001, 0.01, 0.1];
/// The gradient-norm clips the page offers (besides off).
pub const CLIP_NORMS: [f32; 6] = [0.1, 0.5, 1.0, 5.0, 10.0, 100.0];
/// The starting variances of gradient noise the page offers (besides off).
pub const GRADIENT_NOISES: [f32; 4] = [0.001, 0.01, 0.1, 1.0];

/// The learning-rate schedules' names, as [`schedule_named`] reads them, in the page's order.
pub const SCHEDULES: [&str; 4] = ["constant", "step", "cosine", "exponential"];

/// The learning-rate schedules by name, each with usual settings.
pub fn schedule_named(name: &str) -> Option<Schedule> {
    Some(match name {
        "constant" => Schedule::Constant,
        "step" => Schedule::Step { every: 1000, factor: 0.5 },
        "cosine" => Schedule::Cosine { warmup: 100 },
        "exponential" => Schedule::Exponential { gamma: 0.999 },
        _ => return None,
    })
}

/// The name of a schedule, as [`schedule_named`] reads it (and serde writes it).
pub fn schedule_name(schedule: &Schedule) -> &'static str {
    match schedule {
        Schedule::Constant => "constant",
        Schedule::Step { .. } => "step",
        Schedule::Cosine { .. } => "cosine",
        Schedule::Exponential { .. } => "exponential",
    }
}

/// Turns gradient noise off (`None`) or sets its starting variance, keeping its decay.
pub fn set_gradient_noise(spec: &mut Spec, eta: Option<f32>) {
    let gamma = spec.training.gradient_noise.unwrap_or_default().gamma;
    spec.training.gradient_noise = eta.map(|eta| GradientNoise { eta, gamma });
}

/// The initialisations, by the names serde gives them.
pub const INITS: [(Init, &str); 4] =
    [(Init::Kaiming, "kaiming"), (Init::Xavier, "xavier"), (Init::Orthogonal, "orthogonal"), (Init::Siren, "siren")];

/// The run's length as a number and its unit, "steps" or "epochs".
pub fn length_parts(spec: &Spec) -> (u64, &'static str) {
    match spec.training.length {
        Length::Steps(n) => (n, "steps"),
        Length::Epochs(n) => (u64::from(n), "epochs"),
    }
}

/// Sets the run's length to `n` steps or epochs (`unit`); out-of-range numbers are left to the
/// spec's validation, which names the limit.
pub fn set_length(spec: &mut Spec, n: u64, unit: &str) {
    spec.training.length = match unit {
        "epochs" => Length::Epochs(u32::try_from(n).unwrap_or(u32::MAX)),
        _ => Length::Steps(n),
    };
}

/// The stop condition's name: "never", "loss_below" or "accuracy_above".
pub fn stop_name(stop: Option<Stop>) -> &'static str {
    match stop {
        None => "never",
        Some(Stop::LossBelow(_)) => "loss_below",
        Some(Stop::AccuracyAbove(_)) => "accuracy_above",
    }
}

/// The stop condition's threshold (0 when there is none).
pub fn stop_value(stop: Option<Stop>) -> f32 {
    match stop {
        None => 0.0,
        Some(Stop::LossBelow(v) | Stop::AccuracyAbove(v)) => v,
    }
}

/// Sets the stop condition `kind` ("never", "loss_below", "accuracy_above") at `value`, or at
/// the kind's usual value (a loss of 0.1, 95% accuracy) when `value` is `None`.
pub fn set_stop(spec: &mut Spec, kind: &str, value: Option<f32>) {
    spec.training.stop = match kind {
        "loss_below" => Some(Stop::LossBelow(value.unwrap_or(0.1))),
        "accuracy_above" => Some(Stop::AccuracyAbove(value.unwrap_or(0.95))),
        _ => None,
    };
}

/// New examples from the same seed, for the same initial weights: the next draw of the data.
pub fn new_data(spec: &mut Spec) {
    spec.data.draw = spec.data.draw.wrapping_add(1);
}

#[cfg(test)]
mod tests {
    use layerlab_spec::analyse;
    use layerlab_spec::data::FourierInput;

    use super::*;

    #[test]
    fn the_starting_experiment_is_valid_and_trains_until_paused() {
        let spec = starting_spec();
        assert!(analyse(&spec).is_ok());
        assert_eq!(spec.training.length, Length::Steps(MAX_STEPS));
        assert_eq!(spec.model.len(), 2);
    }

    #[test]
    fn every_offered_number_reads_back_as_itself() {
        // The selects write each option with f32's Display and read the choice with
        // `number_f32`: every option must come back as the same f32.
        let offered = [&LEARNING_RATES[..], &L_PENALTIES, &CLIP_NORMS, &GRADIENT_NOISES];
        for &v in offered.into_iter().flatten() {
            assert_eq!(layerlab_spec::number::number_f32(&v.to_string()), Some(v), "{v}");
        }
    }

    #[test]
    fn every_offered_dataset_and_block_can_be_picked() {
        let mut spec = starting_spec();
        for name in dataset_names() {
            set_dataset(&mut spec, &name).unwrap();
            assert_eq!(spec.data.dataset.name(), name);
        }
        assert!(set_dataset(&mut spec, "mnist").unwrap_err().contains("spiral"));
        for block in palette() {
            add_block(&mut spec, &Place::Model, block.kind()).unwrap();
            assert_eq!(spec.model.last().unwrap().kind(), block.kind());
        }
        assert!(add_block(&mut spec, &Place::Model, "conv").unwrap_err().contains("dense"));
        let nowhere = Place::Body(Box::new(crate::tree::Addr::top(0)));
        assert!(add_block(&mut spec, &nowhere, "dense").unwrap_err().contains("model[0].body"));
    }

    #[test]
    fn problems_are_found_at_their_block_and_inside_it() {
        let problems = vec![
            SpecError::new("model[1].units", "= 0"),
            SpecError::new("model[10]", "x"),
            SpecError::new("model[1]", "y"),
        ];
        let at: Vec<&str> = problems_at(&problems, "model[1]").iter().map(|p| p.message.as_str()).collect();
        assert_eq!(at, ["= 0", "y"]);
    }

    #[test]
    fn features_keep_their_order_and_optimizers_their_names() {
        let mut spec = starting_spec();
        toggle_feature(&mut spec, Feature::SinX, true);
        toggle_feature(&mut spec, Feature::XSquared, true);
        toggle_feature(&mut spec, Feature::Y, false);
        assert_eq!(spec.data.features, [Feature::X, Feature::XSquared, Feature::SinX]);
        for name in ["sgd", "momentum", "adam", "adam_w"] {
            let optimizer = optimizer_named(name, 0.1).unwrap();
            assert_eq!((optimizer_name(&optimizer), optimizer.learning_rate()), (name, 0.1));
        }
        assert!(optimizer_named("lion", 0.1).is_none());
    }

    #[test]
    fn the_recipe_settings_write_what_they_say() {
        let mut spec = starting_spec();
        for name in SCHEDULES {
            spec.training.schedule = schedule_named(name).unwrap();
            assert_eq!(schedule_name(&spec.training.schedule), name);
            assert!(analyse(&spec).is_ok(), "{name} with its usual settings is valid");
            // The name is serde's, so the generic field editor finds the payload under it.
            let json = serde_json::to_value(spec.training.schedule).unwrap();
            assert!(json == name || json.get(name).is_some(), "{json}");
        }
        assert!(schedule_named("linear").is_none());
        set_gradient_noise(&mut spec, Some(0.1));
        assert_eq!(spec.training.gradient_noise, Some(GradientNoise { eta: 0.1, gamma: 0.55 }));
        set_gradient_noise(&mut spec, None);
        assert_eq!(spec.training.gradient_noise, None);
        for (init, name) in INITS {
            assert_eq!(serde_json::to_value(init).unwrap(), name);
        }
        set_length(&mut spec, 300, "steps");
        assert_eq!((spec.training.length, length_parts(&spec)), (Length::Steps(300), (300, "steps")));
        set_length(&mut spec, 20, "epochs");
        assert_eq!((spec.training.length, length_parts(&spec)), (Length::Epochs(20), (20, "epochs")));
        set_stop(&mut spec, "loss_below", None);
        assert_eq!((stop_name(spec.training.stop), stop_value(spec.training.stop)), ("loss_below", 0.1));
        set_stop(&mut spec, "loss_below", Some(0.3));
        assert_eq!(spec.training.stop, Some(Stop::LossBelow(0.3)));
        set_stop(&mut spec, "accuracy_above", None);
        assert_eq!(spec.training.stop, Some(Stop::AccuracyAbove(0.95)));
        set_stop(&mut spec, "never", Some(1.0));
        assert_eq!((spec.training.stop, stop_value(None)), (None, 0.0));
        assert!(analyse(&spec).is_ok());
    }

    #[test]
    fn fourier_features_go_on_and_off_and_leave_with_the_2d_sets() {
        let mut spec = starting_spec();
        set_fourier(&mut spec, true);
        assert_eq!(spec.data.fourier, Some(FourierInput::default()));
        assert_eq!(analyse(&spec).unwrap().blocks[0].input.to_string(), "[34]", "x, y and 16 sine-cosine pairs");
        set_dataset(&mut spec, "spiral").unwrap();
        assert!(spec.data.fourier.is_some());
        set_dataset(&mut spec, "digits").unwrap();
        assert_eq!(spec.data.fourier, None);
        set_fourier(&mut spec, false);
        assert!(analyse(&spec).is_ok());
    }

    #[test]
    fn new_data_is_the_next_draw() {
        let mut spec = starting_spec();
        new_data(&mut spec);
        new_data(&mut spec);
        assert_eq!(spec.data.draw, 2);
        assert!(analyse(&spec).is_ok());
    }
}
