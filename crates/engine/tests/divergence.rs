//! A run that diverges stops at the failing step with the weights of the last good one.

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::{TrainError, Trainer};
use layerlab_spec::Spec;
use layerlab_spec::data::Dataset;
use layerlab_spec::model::{Activation, Block, Dense};
use layerlab_spec::train::Optimizer;

#[test]
fn divergence_stops_with_the_last_good_weights() {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Plane;
    spec.training.optimizer = Optimizer::Sgd { learning_rate: 10.0 };
    spec.model = vec![Block::Dense(Dense { units: 32, activation: Activation::Relu, bias: true }); 2];
    let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid");
    let (error, before) = loop {
        let before: Vec<Vec<f32>> = trainer.model.params.iter().map(|p| p.value.clone()).collect();
        match trainer.step() {
            Ok(_) => assert!(trainer.steps() < 1000, "never diverged"),
            Err(e) => break (e, before),
        }
    };
    let TrainError::Diverged { step, layer, cause } = &error else { panic!("not a divergence: {error}") };
    assert_eq!(*step, trainer.steps(), "the failing step is the one after the last good one");
    assert!(layer.starts_with("model[") || layer == "output", "{error}");
    assert!(cause.contains("learning rate"), "{error}");
    let after: Vec<Vec<f32>> = trainer.model.params.iter().map(|p| p.value.clone()).collect();
    assert_eq!(after, before, "the failing step changed no weight");
    assert!(after.iter().flatten().all(|v| v.is_finite()), "the kept weights are finite");
}

/// A learning rate of 100 on spiral saturates every tanh: the loss climbs from 0.69 to
/// hundreds without ever being NaN. The guard stops it and leaves a usable, finite model.
#[test]
fn an_exploding_loss_on_spiral_is_caught_and_the_state_stays_intact() {
    let mut spec = Spec::default();
    spec.data.dataset = Dataset::Spiral;
    spec.training.optimizer = Optimizer::Adam { learning_rate: 100.0, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    spec.model = vec![Block::Dense(Dense { units: 16, activation: Activation::Tanh, bias: true }); 3];
    let mut trainer = Trainer::new(Cpu::<f32>::new(), &spec, None).expect("valid");
    let first = trainer.step().expect("the first step has nothing to compare with");
    let (error, before) = loop {
        let before: Vec<Vec<f32>> = trainer.model.params.iter().map(|p| p.value.clone()).collect();
        match trainer.step() {
            Ok(loss) => assert!(trainer.steps() < 200 && loss.is_finite(), "never diverged (loss {loss})"),
            Err(e) => break (e, before),
        }
    };
    let TrainError::Diverged { step, cause, .. } = &error else { panic!("not a divergence: {error}") };
    assert!(*step < 200, "{error}");
    assert!(cause.contains("more than 100 times its first value") && cause.contains("learning rate"), "{error}");
    assert!(first < 1.0, "the first loss {first} is the reference");
    let after: Vec<Vec<f32>> = trainer.model.params.iter().map(|p| p.value.clone()).collect();
    assert_eq!(after, before, "the failing step changed no weight");
    let evaluation = trainer.evaluate();
    assert!(evaluation.train_loss.is_finite() && evaluation.test_accuracy.is_some(), "{evaluation:?}");
}
