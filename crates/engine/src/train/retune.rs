//! Changing the training recipe of a running [`Trainer`] without starting over, as TensorFlow
//! Playground does when the learning rate is changed mid-run: the weights, the step count and,
//! where the optimizer keeps its kind, its state stay.

use layerlab_spec::SpecError;
use layerlab_spec::train::Training;

use super::Trainer;
use crate::backend::Backend;
use crate::optim::Optimizer;

impl<B: Backend> Trainer<B> {
    /// Applies `training` to this run. Only what can change mid-run may differ from the recipe
    /// the run was built with: the optimizer and its parameters, the schedule, the batch size,
    /// the penalties, clipping, gradient noise, the length and the stop condition. A different
    /// learning rule, loss or initialisation changes what the run is, so it comes back as an
    /// error naming the field (the caller rebuilds the trainer instead). `training` must have
    /// passed `layerlab_spec::analyse` as part of a spec.
    pub fn retune(&mut self, built: &Training, training: &Training) -> Result<(), SpecError> {
        if let Some(field) = rebuild_needed(built, training) {
            return Err(SpecError::new(
                format!("training.{field}"),
                "changes what the run is, so it cannot change while training: reset to apply it",
            ));
        }
        let batch = (training.batch_size as usize).min(self.data.train.len).max(1);
        if batch != self.batch {
            self.batch = batch;
            let width = self.data.train.width;
            self.x = self.b.alloc(batch * width);
            self.t = self.b.alloc(batch * self.target_row());
            self.acts = self.model.activations(&mut self.b, batch);
        }
        self.total_steps = super::total_steps(training.length, self.data.train.len, self.batch);
        self.stop = training.stop;
        self.base_rate = training.optimizer.learning_rate();
        let mut next = Optimizer::new(&mut self.b, training, &self.model.params, self.total_steps, self.seed);
        next.carry_over(&mut self.optimizer);
        self.optimizer = next;
        Ok(())
    }
}

/// The first field of the recipe that cannot change mid-run and differs, if any.
pub fn rebuild_needed(built: &Training, training: &Training) -> Option<&'static str> {
    if built.rule != training.rule {
        Some("rule")
    } else if built.loss != training.loss {
        Some("loss")
    } else if built.init != training.init {
        Some("init")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use layerlab_spec::Spec;
    use layerlab_spec::train::{LearningRule, Optimizer as Rule};

    use super::*;
    use crate::cpu::Cpu;

    fn weights(t: &mut Trainer<Cpu<f32>>) -> Vec<f32> {
        t.model.params.iter().flat_map(|p| crate::model::read(&mut t.b, &p.value)).map(|v| v as f32).collect()
    }

    /// A retuned run goes on from its weights and step count, and trains exactly as a run built
    /// with the new recipe would from there: Adam's moments carry over, a new batch size applies.
    #[test]
    fn retuning_keeps_the_run_and_applies_the_new_recipe() {
        let spec = Spec::default();
        let mut t = Trainer::new(Cpu::<f32>::new(), &spec, None).unwrap();
        for _ in 0..20 {
            t.step().unwrap();
        }
        let before = weights(&mut t);
        let mut faster = spec.training.clone();
        faster.optimizer.set_learning_rate(0.1);
        faster.batch_size = 25;
        t.retune(&spec.training, &faster).unwrap();
        assert_eq!((t.steps(), t.batch), (20, 25));
        assert_eq!(weights(&mut t), before, "retuning changes no weight");
        let loss = t.step().unwrap();
        assert!(loss.is_finite());
        assert_eq!(t.last.unwrap().learning_rate, 0.1f32 as f64);
        assert_eq!(t.steps(), 21);

        let mut sgd = faster.clone();
        sgd.optimizer = Rule::Sgd { learning_rate: 0.5 };
        t.retune(&spec.training, &sgd).unwrap();
        t.step().unwrap();
        assert_eq!(t.last.unwrap().learning_rate, 0.5f32 as f64);

        let mut other = spec.training.clone();
        other.rule = LearningRule::FeedbackAlignment;
        let error = t.retune(&spec.training, &other).unwrap_err();
        assert_eq!(error.path, "training.rule");
        assert!(error.message.contains("reset"), "{error}");
    }
}
