//! One optimizer step over all parameters: penalties, clipping, noise, the learning-rate
//! schedule, then each tensor's update on the backend. The order is PyTorch's (penalty terms in
//! the gradient, `clip_grad_norm_`, then `optimizer.step()`); the parity fixtures hold it to it.

use layerlab_spec::train::{GradientNoise, Optimizer as Rule, Schedule, Training};

use crate::backend::{
    Backend, CopyCols, Guard, STAT_FIRST, STAT_HEALTHY, STAT_LOSS, STAT_NORM, STAT_OK, STATS, Update, UpdateRule,
};
use crate::model::{Param, ParamKind};
use crate::real::Real;
use crate::rng::{self, Stream};
use crate::train::LOSS_EXPLOSION;

/// The learning rate at 0-based `step` of `total`.
pub fn learning_rate(base: f64, schedule: Schedule, step: u64, total: u64) -> f64 {
    match schedule {
        Schedule::Constant => base,
        Schedule::Step { every, factor } => {
            let times = step / every.max(1);
            base * f64::from(factor).powf(times as f64)
        }
        Schedule::Cosine { warmup } => {
            if step < warmup {
                base * (step + 1) as f64 / warmup as f64
            } else {
                let span = total.saturating_sub(1).saturating_sub(warmup).max(1);
                let progress = ((step - warmup) as f64 / span as f64).min(1.0);
                base * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
            }
        }
        Schedule::Exponential { gamma } => base * f64::from(gamma).powf(step as f64),
    }
}

/// What one step did, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInfo {
    pub learning_rate: f64,
    /// The global gradient norm before clipping.
    pub grad_norm: f64,
    pub clipped: bool,
}

/// The optimizer and its state (momentum, Adam's moments), one pair per parameter tensor.
pub struct Optimizer<B: Backend> {
    rule: UpdateRule,
    base: f64,
    schedule: Schedule,
    total: u64,
    l1: f64,
    l2: f64,
    clip: Option<f64>,
    noise: Option<GradientNoise>,
    seed: u64,
    state: Vec<(B::Buf, B::Buf)>,
    /// The running step's numbers on the backend (see [`crate::backend::STATS`]), and their copy.
    stats: B::Buf,
    stats_host: [B::R; STATS],
    /// The numbers of each deferred step not yet collected, and its learning rate.
    history: B::Buf,
    pending: Vec<f64>,
    /// Steps taken so far.
    pub steps: u64,
}

impl<B: Backend> Optimizer<B> {
    /// State for `params`, for a run of `total` steps (the cosine schedule ends there).
    pub fn new(b: &mut B, training: &Training, params: &[Param<B>], total: u64, seed: u64) -> Self {
        let rule = match training.optimizer {
            Rule::Sgd { .. } => UpdateRule::Sgd,
            Rule::Momentum { momentum, .. } => UpdateRule::Momentum { momentum: f64::from(momentum) },
            Rule::Adam { beta1, beta2, epsilon, .. } => UpdateRule::Adam {
                beta1: f64::from(beta1),
                beta2: f64::from(beta2),
                epsilon: f64::from(epsilon),
                weight_decay: 0.0,
            },
            Rule::AdamW { beta1, beta2, epsilon, weight_decay, .. } => UpdateRule::Adam {
                beta1: f64::from(beta1),
                beta2: f64::from(beta2),
                epsilon: f64::from(epsilon),
                weight_decay: f64::from(weight_decay),
            },
        };
        let (first, second) = match rule {
            UpdateRule::Sgd => (false, false),
            UpdateRule::Momentum { .. } => (true, false),
            UpdateRule::Adam { .. } => (true, true),
        };
        let state = params
            .iter()
            .map(|p| {
                let n = if p.trainable { p.len } else { 0 };
                (b.alloc(if first { n } else { 0 }), b.alloc(if second { n } else { 0 }))
            })
            .collect();
        let mut stats = b.alloc(STATS);
        b.upload(&mut stats, &healthy());
        Self {
            rule,
            base: f64::from(training.optimizer.learning_rate()),
            schedule: training.schedule,
            total,
            l1: f64::from(training.l1),
            l2: f64::from(training.l2),
            clip: training.clip_norm.map(f64::from),
            noise: training.gradient_noise,
            seed,
            state,
            stats,
            stats_host: [<B::R as num_traits::Zero>::zero(); STATS],
            history: b.alloc(STATS * HISTORY),
            pending: Vec::with_capacity(HISTORY),
            steps: 0,
        }
    }

    /// Updates every trainable parameter from the gradients the backward pass left, once the
    /// step's loss is in the stats buffer ([`Optimizer::stats_mut`]); returns the loss and what
    /// the step did. When the loss is not finite or above [`LOSS_EXPLOSION`] times the first
    /// step's, a gradient is NaN or
    /// infinite, or the update could push a weight past [`MAX_UPDATE`], nothing is updated (the
    /// backend decides before anything leaves it) and the error says why. The step's numbers
    /// are read back once, at its end.
    pub fn step(&mut self, b: &mut B, params: &mut [Param<B>]) -> Result<(f64, StepInfo), Refused> {
        let lr = self.record(b, params, false);
        b.download(&self.stats, &mut self.stats_host);
        let (loss, sum_squares) = (self.stats_host[STAT_LOSS].to64(), self.stats_host[STAT_NORM].to64());
        if self.stats_host[STAT_OK] == <B::R as num_traits::Zero>::zero() {
            let ceiling = self.guard(0.0).ceiling(self.stats_host[STAT_FIRST].to64());
            return Err(refusal(b, params, loss, ceiling));
        }
        self.steps += 1;
        Ok((loss, self.info(lr, sum_squares)))
    }

    /// [`Optimizer::step`] without reading anything back: the step's numbers go to the history
    /// on the backend, to be read when the caller can ([`Optimizer::collect`]). Once a deferred
    /// step is refused, the ones after it are refused too, so the weights stay those before it.
    pub fn step_deferred(&mut self, b: &mut B, params: &mut [Param<B>]) {
        let slot = self.pending.len();
        assert!(slot < HISTORY, "at most {HISTORY} deferred steps wait to be collected");
        let lr = self.record(b, params, true);
        let row = CopyCols {
            rows: 1,
            width: STATS,
            src_cols: STATS,
            src_at: 0,
            dst_cols: STATS * HISTORY,
            dst_at: STATS * slot,
            accumulate: false,
        };
        b.copy_cols(row, &self.stats, &mut self.history);
        self.pending.push(lr);
        self.steps += 1;
    }

    /// The history of the steps waiting to be collected: the buffer, and how many of its
    /// numbers to read.
    pub fn history(&self) -> (&B::Buf, usize) {
        (&self.history, self.pending.len() * STATS)
    }

    /// Takes the history of the waiting steps, read back: each good step's loss and report in
    /// order and, when one was refused, why (then the count of steps is that of the good ones,
    /// and training may go on from there).
    pub fn collect(&mut self, b: &mut B, host: &[B::R]) -> (Vec<(f64, StepInfo)>, Option<Refused>) {
        let waiting = self.pending.len();
        let mut good = Vec::with_capacity(waiting);
        let mut refused = None;
        for (record, &lr) in host.chunks_exact(STATS).zip(&self.pending) {
            let (loss, sum_squares) = (record[STAT_LOSS].to64(), record[STAT_NORM].to64());
            if record[STAT_OK] == <B::R as num_traits::Zero>::zero() {
                let ceiling = self.guard(0.0).ceiling(record[STAT_FIRST].to64());
                refused = Some(if !loss.is_finite() {
                    Refused::Loss(loss)
                } else if loss > ceiling {
                    Refused::Exploded { loss, ceiling }
                } else {
                    Refused::Norm(sum_squares.sqrt())
                });
                break;
            }
            good.push((loss, self.info(lr, sum_squares)));
        }
        self.steps -= (waiting - good.len()) as u64;
        self.pending.clear();
        if refused.is_some() {
            // Healthy again, with the same first loss, for training to go on from here.
            let first = host.chunks_exact(STATS).next().map_or(-1.0, |r| r[STAT_FIRST].to64());
            self.set_first_loss(b, (first >= 0.0).then_some(first));
        }
        (good, refused)
    }

    /// Sets the stats as before a step: healthy, and with `first` as the first good loss (the
    /// ceiling's reference), as after a restore or a retune.
    pub fn set_first_loss(&mut self, b: &mut B, first: Option<f64>) {
        let mut stats = healthy::<B::R>();
        stats[STAT_FIRST] = B::R::of(first.unwrap_or(-1.0));
        b.upload(&mut self.stats, &stats);
    }

    /// The guard of a step at learning rate `lr`.
    fn guard(&self, lr: f64) -> Guard {
        // No single update may come near the float range: SGD moves a weight by lr·g, momentum by
        // up to lr·g/(1−μ) (Adam's steps are bounded by the learning rate itself).
        let (reach_per_norm, reach_fixed) = match self.rule {
            UpdateRule::Sgd => (lr, 0.0),
            UpdateRule::Momentum { momentum } => (lr / (1.0 - momentum).max(1e-6), 0.0),
            UpdateRule::Adam { .. } => (0.0, lr),
        };
        Guard { explosion: LOSS_EXPLOSION, reach_per_norm, reach_fixed, max_update: MAX_UPDATE, sticky: false }
    }

    fn info(&self, learning_rate: f64, sum_squares: f64) -> StepInfo {
        let grad_norm = sum_squares.sqrt();
        StepInfo { learning_rate, grad_norm, clipped: self.clip.is_some_and(|clip| grad_norm > clip) }
    }

    /// A step up to its updates: penalties, the gradients' norm, the guard, clipping, noise and
    /// the guarded updates, all on the backend. Returns the learning rate.
    fn record(&mut self, b: &mut B, params: &mut [Param<B>], sticky: bool) -> f64 {
        let lr = learning_rate(self.base, self.schedule, self.steps, self.total);
        if self.l1 != 0.0 || self.l2 != 0.0 {
            for p in params.iter_mut().filter(|p| p.trainable && p.kind == ParamKind::Weight) {
                b.penalty(self.l1, self.l2, &p.value, &mut p.grad);
            }
        }
        b.sum_squares_to(&mut params.iter().filter(|p| p.trainable).map(|p| &p.grad), &mut self.stats);
        b.guard(Guard { sticky, ..self.guard(lr) }, &mut self.stats);
        if let Some(clip) = self.clip {
            params.iter_mut().filter(|p| p.trainable).for_each(|p| b.clip(clip, &self.stats, &mut p.grad));
        }
        if let Some(noise) = self.noise {
            // "Adding Gradient Noise Improves Learning for Very Deep Networks": variance η/(1+t)^γ.
            let var = f64::from(noise.eta) / (1.0 + self.steps as f64).powf(f64::from(noise.gamma));
            for (i, p) in params.iter_mut().enumerate().filter(|(_, p)| p.trainable) {
                let key = rng::key(self.seed, Stream::Noise, self.steps, i as u32);
                b.add_noise(var.sqrt(), key, &mut p.grad);
            }
        }
        let update = Update::new(self.rule, lr, self.steps + 1);
        for (p, (m, v)) in params.iter_mut().zip(self.state.iter_mut()).filter(|(p, _)| p.trainable) {
            b.update(update, &mut p.value, &p.grad, m, v, &self.stats);
        }
        lr
    }

    /// The stats buffer of the running step: the loss goes in before [`Optimizer::step`].
    pub fn stats_mut(&mut self) -> &mut B::Buf {
        &mut self.stats
    }
}

/// Why a guarded step updated nothing: the loss first, then the first parameter whose gradient
/// is not finite, else the one with the largest gradient (its update would overflow).
fn refusal<B: Backend>(b: &mut B, params: &[Param<B>], loss: f64, ceiling: f64) -> Refused {
    if !loss.is_finite() {
        return Refused::Loss(loss);
    }
    if loss > ceiling {
        return Refused::Exploded { loss, ceiling };
    }
    let sizes: Vec<(usize, f64)> =
        params.iter().enumerate().filter(|(_, p)| p.trainable).map(|(i, p)| (i, b.sum_squares(&p.grad))).collect();
    // The sum of squares kept in the stats is in the backend's precision (f32 overflows past a
    // norm of 1.8e19): each tensor's own sum, in f64 on the CPU, tells a NaN from a huge number.
    if let Some(&(first, _)) = sizes.iter().find(|(_, s)| !s.is_finite()) {
        return Refused::NotFinite(first);
    }
    Refused::Overflow(
        sizes.iter().fold((0, f64::NEG_INFINITY), |best, &(i, s)| if s > best.1 { (i, s) } else { best }).0,
    )
}

impl<B: Backend> Optimizer<B> {
    /// The state of each parameter tensor (first and second moments; empty where unused).
    pub fn state(&self) -> &[(B::Buf, B::Buf)] {
        &self.state
    }

    pub fn state_mut(&mut self) -> &mut [(B::Buf, B::Buf)] {
        &mut self.state
    }

    /// Takes over the step count of `old`, and its state where both keep the same kind
    /// (momentum's velocity, Adam's moments): a recipe changed mid-run goes on from there.
    pub fn carry_over(&mut self, old: &mut Self) {
        self.steps = old.steps;
        let kind = |rule: UpdateRule| match rule {
            UpdateRule::Sgd => 0,
            UpdateRule::Momentum { .. } => 1,
            UpdateRule::Adam { .. } => 2,
        };
        if kind(self.rule) == kind(old.rule) {
            self.state = std::mem::take(&mut old.state);
        }
        // The first loss (the ceiling's reference), the run's health and the deferred steps
        // waiting to be collected stay.
        std::mem::swap(&mut self.stats, &mut old.stats);
        std::mem::swap(&mut self.history, &mut old.history);
        std::mem::swap(&mut self.pending, &mut old.pending);
    }

    /// Fresh, zero state for parameter `index`, now `len` numbers long (a KAN layer whose grid
    /// was refined: its new coefficients start without momentum).
    pub fn reset(&mut self, b: &mut B, index: usize, len: usize) {
        let (first, second) = match self.rule {
            UpdateRule::Sgd => (0, 0),
            UpdateRule::Momentum { .. } => (len, 0),
            UpdateRule::Adam { .. } => (len, len),
        };
        self.state[index] = (b.alloc(first), b.alloc(second));
    }
}

/// Deferred steps that may wait to be collected.
pub const HISTORY: usize = 4096;

/// A step's stats before the first: nothing measured, healthy, no first loss yet.
fn healthy<R: Real>() -> [R; STATS] {
    let mut stats = [R::zero(); STATS];
    stats[STAT_HEALTHY] = R::one();
    stats[STAT_FIRST] = -R::one();
    stats
}

/// The largest change one step may make to the weights (well inside `f32`'s range of 3.4e38).
pub const MAX_UPDATE: f64 = 1e30;

/// Why [`Optimizer::step`] updated nothing: the loss, or the index of the parameter at fault.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Refused {
    /// The loss is NaN or infinite.
    Loss(f64),
    /// The loss rose above the ceiling.
    Exploded { loss: f64, ceiling: f64 },
    /// A deferred step's gradients (of this global norm) were not finite or too large; which
    /// tensor is no longer known once the step's gradients are gone.
    Norm(f64),
    /// Its gradient is NaN or infinite.
    NotFinite(usize),
    /// Its gradient (the largest) would move the weights beyond [`MAX_UPDATE`].
    Overflow(usize),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::Cpu;
    use crate::model::{Param, ParamKind};
    use layerlab_spec::train::Training;

    /// A gradient so large that lr·g would overflow `f32` is refused and the weights stay as
    /// they were; a sane one goes through.
    #[test]
    fn an_update_that_would_overflow_is_refused() {
        let mut b = Cpu::<f32>::new();
        let training = Training { optimizer: Rule::Sgd { learning_rate: 100.0 }, ..Training::default() };
        let param = |grad: f32| Param {
            value: vec![0.5f32; 4],
            grad: vec![grad; 4],
            len: 4,
            kind: ParamKind::Weight,
            trainable: true,
        };
        for (grad, refused) in [(1e29f32, true), (1e3, false)] {
            let mut params = vec![param(grad)];
            let mut opt = Optimizer::new(&mut b, &training, &params, 10, 1);
            let result = opt.step(&mut b, &mut params).map(|(_, info)| info);
            assert_eq!(result.is_err(), refused, "gradient {grad}: {result:?}");
            if refused {
                assert_eq!(result, Err(Refused::Overflow(0)));
                assert_eq!(params[0].value, vec![0.5; 4], "nothing was updated");
            }
        }
    }

    #[test]
    fn schedules_follow_their_definitions() {
        let cases: &[(Schedule, u64, f64)] = &[
            (Schedule::Constant, 99, 0.1),
            (Schedule::Step { every: 10, factor: 0.5 }, 9, 0.1),
            (Schedule::Step { every: 10, factor: 0.5 }, 25, 0.025),
            (Schedule::Cosine { warmup: 10 }, 0, 0.01),
            (Schedule::Cosine { warmup: 10 }, 9, 0.1),
            (Schedule::Cosine { warmup: 10 }, 10, 0.1),
            (Schedule::Cosine { warmup: 10 }, 55, 0.05),
            (Schedule::Cosine { warmup: 10 }, 100, 0.0),
            (Schedule::Exponential { gamma: 0.9 }, 2, 0.081),
        ];
        for &(schedule, step, want) in cases {
            let got = learning_rate(0.1, schedule, step, 101);
            // The spec holds factors in f32, so 0.9 is 0.8999999762: agreement to f32 precision.
            assert!((got - want).abs() < 1e-7, "{schedule:?} at {step}: {got}, want {want}");
        }
    }
}
