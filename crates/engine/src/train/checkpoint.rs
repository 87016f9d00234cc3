//! A run's whole state read back to the host, to carry it to another backend: when the GPU is
//! lost mid-training, a CPU trainer built from the same spec restores the last checkpoint and
//! replays the steps since (the batches come in the same order), so the run goes on without
//! losing a step.

use rand_chacha::ChaCha8Rng;

use super::Trainer;
use crate::backend::Backend;
use crate::model::{read, write};
use crate::rules::Local;

/// Everything a step changes: weights, BatchNorm statistics, optimizer state, the position in
/// the shuffled training set, and the learning rule's host-side draws (Forward-Forward's wrong
/// labels).
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub steps: u64,
    params: Vec<Vec<f64>>,
    buffers: Vec<Vec<f64>>,
    optimizer: Vec<(Vec<f64>, Vec<f64>)>,
    order: Vec<usize>,
    cursor: usize,
    shuffle: ChaCha8Rng,
    first_loss: Option<f64>,
    negatives: Option<ChaCha8Rng>,
}

impl<B: Backend> Trainer<B> {
    /// Reads the run's state back (a wait for the device on the GPU).
    pub fn checkpoint(&mut self) -> Checkpoint {
        let (b, buffers) = self.state_buffers();
        let values = buffers.into_iter().map(|buf| read(b, buf)).collect();
        self.checkpoint_from(values)
    }

    /// Puts `c` into this run, built from the same spec. Refuses a checkpoint whose tensors do
    /// not fit (a KAN grid refined since the spec was built).
    pub fn restore(&mut self, c: &Checkpoint) -> Result<(), String> {
        let fits = c.params.len() == self.model.params.len()
            && c.params.iter().zip(&self.model.params).all(|(h, p)| h.len() == p.len)
            && c.buffers.len() == self.model.buffers.len()
            && c.order.len() == self.order.len();
        if !fits {
            return Err("the checkpoint's tensors do not fit this model (its shapes changed while training)".into());
        }
        let b = &mut self.b;
        for (p, values) in self.model.params.iter_mut().zip(&c.params) {
            write(b, &mut p.value, values);
        }
        for (buf, values) in self.model.buffers.iter_mut().zip(&c.buffers) {
            write(b, buf, values);
        }
        for ((m, v), (hm, hv)) in self.optimizer.state_mut().iter_mut().zip(&c.optimizer) {
            if b.len(m) == hm.len() && b.len(v) == hv.len() {
                write(b, m, hm);
                write(b, v, hv);
            }
        }
        self.optimizer.steps = c.steps;
        self.order.clone_from(&c.order);
        self.cursor = c.cursor;
        self.shuffle = c.shuffle.clone();
        self.first_loss = c.first_loss;
        self.optimizer.set_first_loss(b, c.first_loss);
        if let (Some(Local::ForwardForward(ff)), Some(draws)) = (self.rule.as_mut(), &c.negatives) {
            ff.set_negatives(draws);
        }
        Ok(())
    }
}

/// Carries a run to backend `to`: a trainer built from the run's `spec` (and `csv`, for a CSV
/// dataset), restored from `checkpoint` and replayed up to `steps` good steps, the batches
/// coming in the same order, so no step is lost.
pub fn resume<C: Backend>(
    to: C,
    spec: &layerlab_spec::Spec,
    csv: Option<&str>,
    checkpoint: &Checkpoint,
    steps: u64,
) -> Result<Trainer<C>, String> {
    let mut trainer = Trainer::new(to, spec, csv).map_err(|e| {
        let problems: Vec<String> = e.iter().map(ToString::to_string).collect();
        problems.join("; ")
    })?;
    trainer.restore(checkpoint)?;
    while trainer.steps() < steps {
        trainer.step().map_err(|e| e.to_string())?;
    }
    Ok(trainer)
}

impl<B: Backend> Trainer<B> {
    /// The backend, and the buffers a checkpoint reads from it in the order
    /// [`Trainer::checkpoint_from`] takes their values: the parameters, the model's buffers
    /// (BatchNorm statistics), then each parameter's optimizer state (first and second
    /// moments). For reading them back at once or asynchronously, as a browser must.
    pub fn state_buffers(&mut self) -> (&mut B, Vec<&B::Buf>) {
        let params = self.model.params.iter().map(|p| &p.value);
        let state = self.optimizer.state().iter().flat_map(|(m, v)| [m, v]);
        (&mut self.b, params.chain(&self.model.buffers).chain(state).collect())
    }

    /// A checkpoint from the values of [`Trainer::state_buffers`], read back by the caller, and
    /// the run's host-side state (the step, the position in the data).
    pub fn checkpoint_from(&self, mut values: Vec<Vec<f64>>) -> Checkpoint {
        let (p, m) = (self.model.params.len(), self.model.buffers.len());
        let rest = values.split_off(p);
        let (buffers, state) = {
            let mut rest = rest;
            let state = rest.split_off(m);
            (rest, state)
        };
        let mut moments = state.into_iter();
        let optimizer = std::iter::from_fn(|| Some((moments.next()?, moments.next()?))).collect();
        Checkpoint {
            steps: self.optimizer.steps,
            params: values,
            buffers,
            optimizer,
            order: self.order.clone(),
            cursor: self.cursor,
            shuffle: self.shuffle.clone(),
            first_loss: self.first_loss,
            negatives: match &self.rule {
                Some(Local::ForwardForward(ff)) => Some(ff.negatives().clone()),
                _ => None,
            },
        }
    }
}
