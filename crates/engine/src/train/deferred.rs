//! Training steps that read nothing back, for a device the caller cannot wait for (WebGPU in a
//! browser): each step's loss, gradient norm and verdict stay in a history on the backend,
//! which the caller reads when it can (asynchronously in a browser, at once natively) and hands
//! to [`Trainer::collect`]. The steps compute exactly what [`Trainer::step`] computes; a
//! refused step stops the updates of every step after it, so a divergence found late leaves
//! the weights of the last good step, as an immediate one does.

use super::{TrainError, Trainer};
use crate::backend::Backend;
use crate::optim::HISTORY;

use super::divergence;

impl<B: Backend> Trainer<B> {
    /// One training step on the next batch, read back later. At most [`HISTORY`] steps may wait
    /// for [`Trainer::collect`]. KAN grids are not refined and the update ratio is not measured
    /// between collections.
    pub fn step_deferred(&mut self) {
        self.next_batch();
        let (b, model, acts, optimizer, batch) = self.parts();
        super::step_deferred(b, model, acts, optimizer, batch);
    }

    /// What to read back for [`Trainer::collect`]: the history buffer and how many of its
    /// numbers hold waiting steps.
    pub fn waiting(&self) -> (&B::Buf, usize) {
        self.optimizer.history()
    }

    /// Takes the history of the waiting steps (read back from [`Trainer::waiting`]) and
    /// returns their losses in order. A refused step ends them: the error names its step and
    /// what went wrong (not the layer: the failing step's activations are gone, and reading the
    /// device is what a browser cannot wait for), and the weights are those before it.
    pub fn collect(&mut self, history: &[B::R]) -> Result<Vec<f64>, TrainError> {
        let (good, refused) = self.optimizer.collect(&mut self.b, history);
        if let Some(&(_, info)) = good.last() {
            self.last = Some(info);
        }
        if let Some(&(first, _)) = good.first() {
            self.first_loss.get_or_insert(first);
        }
        match refused {
            Some(r) => Err(self.diverged(divergence(r), None, "")),
            None => Ok(good.into_iter().map(|(loss, _)| loss).collect()),
        }
    }

    /// Reads the waiting steps back and collects them, waiting for the device (natively).
    pub fn collect_now(&mut self) -> Result<Vec<f64>, TrainError> {
        let (history, count) = self.optimizer.history();
        let mut host = vec![<B::R as num_traits::Zero>::zero(); count];
        self.b.download(history, &mut host);
        self.collect(&host)
    }
}

const _: () = assert!(HISTORY >= 1024, "a browser tick may record hundreds of steps");
