//! Peak memory of a training step, by what it holds: counted from the buffers the engine
//! allocated for this run, so a learning rule's saving shows as it is.

use serde::{Deserialize, Serialize};

use super::Trainer;
use crate::backend::Backend;
use crate::rules;

/// Bytes a training step holds at its peak, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Memory {
    /// Every parameter's values (a learning rule's own included).
    pub parameters: usize,
    /// The gradients of the trained parameters.
    pub gradients: usize,
    /// The optimizer's state (momentum, second moments).
    pub optimizer: usize,
    /// The activations the rule must keep at once, with the batch's inputs (see [`rules::Held`]).
    pub activations: usize,
    /// The rule's own fixed buffers (feedback matrices, Forward-Forward's label rows).
    pub rule: usize,
}

impl Memory {
    /// Everything at once.
    pub fn peak(&self) -> usize {
        self.parameters + self.gradients + self.optimizer + self.activations + self.rule
    }
}

impl<B: Backend> Trainer<B> {
    /// What a training step of this run holds (see [`Memory`]).
    pub fn memory(&self) -> Memory {
        let b = &self.b;
        let size = std::mem::size_of::<B::R>();
        let params = &self.model.params;
        let trained = params.iter().filter(|p| p.trainable);
        let held = rules::held(b, self.rule.as_ref(), &self.acts, b.len(&self.x));
        Memory {
            parameters: params.iter().map(|p| b.len(&p.value)).sum::<usize>() * size,
            gradients: trained.map(|p| b.len(&p.grad)).sum::<usize>() * size,
            optimizer: self.optimizer.state().iter().map(|(m, v)| b.len(m) + b.len(v)).sum::<usize>() * size,
            activations: held.activations * size,
            rule: held.rule * size,
        }
    }
}
