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
    let TrainError::Diverged { step, layer, cause } = &error;
    assert_eq!(*step, trainer.steps(), "the failing step is the one after the last good one");
    assert!(layer.starts_with("model[") || layer == "output", "{error}");
    assert!(cause.contains("learning rate"), "{error}");
    let after: Vec<Vec<f32>> = trainer.model.params.iter().map(|p| p.value.clone()).collect();
    assert_eq!(after, before, "the failing step changed no weight");
    assert!(after.iter().flatten().all(|v| v.is_finite()), "the kept weights are finite");
}
