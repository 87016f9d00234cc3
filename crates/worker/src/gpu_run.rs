//! A run's GPU side. The GPU trainer takes the steps, recorded without waiting (deferred) and
//! read back asynchronously a batch at a time; the session's CPU trainer, the shadow, takes the
//! weights of each read-back, so every measurement (losses on both sets, the surface, the
//! layer metrics) runs on the CPU without stalling the GPU, and a lost GPU leaves the run on the
//! CPU at the last read-back, with no step lost that the page was told of.

use std::future::Future;
use std::pin::Pin;

use layerlab_engine::backend::Backend as _;
use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::{TrainError, Trainer};
use layerlab_gpu::Gpu;
use layerlab_spec::Spec;
use layerlab_spec::model::Block;

use crate::session::TICK_MS;

/// A value read back from the GPU, later.
pub type Reading = Pin<Box<dyn Future<Output = Result<Vec<f32>, String>>>>;

/// Most steps recorded per read-back.
const MAX_BATCH: u64 = 256;

/// The reads of one batch of steps: their history, and the run's whole state after them.
pub struct ReadJob {
    /// Which run recorded them: a read-back of a run since replaced is dropped.
    pub run: u64,
    pub history: Reading,
    pub state: Vec<Reading>,
    /// When the read started (milliseconds).
    pub started: f64,
}

/// The GPU trainer of a run.
pub struct GpuRun {
    pub trainer: Trainer<Gpu>,
    /// Steps recorded per read-back: doubled while a cycle takes under a tick, halved when it
    /// takes over two.
    batch: u64,
    /// Whether a read-back is in flight, and how many steps it brings.
    pub reading: bool,
    pub recorded: u64,
}

impl GpuRun {
    /// The run `spec` describes on `gpu`, from the shadow's state (same weights, step, data).
    /// A KAN whose grid is refined while training stays on the CPU: refining reads the
    /// coefficients back in the middle of the steps, which a browser cannot wait for.
    /// On failure, the device comes back when it is still usable.
    pub fn new(
        gpu: Gpu,
        spec: &Spec,
        csv: Option<&str>,
        shadow: &mut Trainer<Cpu<f32>>,
    ) -> Result<Self, Box<(Option<Gpu>, String)>> {
        if refines(&spec.model) {
            let why = "a KAN layer refines its grid while training, which only the CPU does";
            return Err(Box::new((Some(gpu), why.to_string())));
        }
        let mut trainer = Trainer::new(gpu, spec, csv).map_err(|e| {
            let problems: Vec<String> = e.iter().map(ToString::to_string).collect();
            Box::new((None, problems.join("; ")))
        })?;
        if let Err(e) = trainer.restore(&shadow.checkpoint()) {
            return Err(Box::new((Some(trainer.b), e)));
        }
        Ok(Self { trainer, batch: 1, reading: false, recorded: 0 })
    }

    /// Records up to `limit` steps (at least one) and starts reading them back with the state.
    pub fn record(&mut self, run: u64, limit: u64, now: f64) -> ReadJob {
        let steps = self.batch.min(limit).max(1);
        self.recorded = steps;
        for _ in 0..steps {
            self.trainer.step_deferred();
        }
        self.reading = true;
        let (history, count) = self.trainer.optimizer.history();
        let history: Reading = Box::pin(self.trainer.b.read_async(history, count));
        let state = self.read_state();
        ReadJob { run, history, state, started: now }
    }

    /// Starts reading [`Trainer::state_buffers`] back, in that order.
    fn read_state(&mut self) -> Vec<Reading> {
        let (b, buffers) = self.trainer.state_buffers();
        buffers
            .into_iter()
            .map(|buf| {
                let len = b.len(buf);
                Box::pin(b.read_async(buf, len)) as Reading
            })
            .collect()
    }

    /// Takes a finished read-back: the steps' losses are collected (and returned, in order),
    /// and the shadow takes the state. `Err` with the GPU's fault when the device failed (then the shadow keeps the
    /// state of the read-back before), or the divergence the steps ran into.
    pub fn finish(
        &mut self,
        history: Result<Vec<f32>, String>,
        state: Vec<Result<Vec<f32>, String>>,
        elapsed: f64,
        shadow: &mut Trainer<Cpu<f32>>,
    ) -> Result<Vec<f64>, Finish> {
        self.reading = false;
        let lost = |why: String| Finish::Lost(self.trainer.b.fault().unwrap_or(why));
        let history = history.map_err(lost)?;
        let state: Vec<Vec<f64>> = state
            .into_iter()
            .map(|r| r.map(|v| v.into_iter().map(f64::from).collect()))
            .collect::<Result<_, _>>()
            .map_err(|why| Finish::Lost(self.trainer.b.fault().unwrap_or(why)))?;
        if let Some(fault) = self.trainer.b.fault() {
            return Err(Finish::Lost(fault));
        }
        let collected = self.trainer.collect(&history);
        // The weights are those of the last good step either way. Before a single step (the
        // last of a metrics interval), the shadow's weights are those just before it: kept for
        // the layer metrics' update ratio.
        if self.recorded == 1 {
            shadow.remember_weights();
        }
        let checkpoint = self.trainer.checkpoint_from(state);
        shadow.restore(&checkpoint).map_err(Finish::Lost)?;
        match collected {
            Ok(losses) => {
                self.batch = if elapsed < TICK_MS {
                    (self.batch * 2).min(MAX_BATCH)
                } else if elapsed > 2.0 * TICK_MS {
                    (self.batch / 2).max(1)
                } else {
                    self.batch
                };
                Ok(losses)
            }
            Err(e) => Err(Finish::Diverged(e)),
        }
    }
}

/// Whether any KAN block in `blocks` (containers included) refines its grid.
fn refines(blocks: &[Block]) -> bool {
    blocks.iter().any(|block| match block {
        Block::Kan(k) => k.refine.is_some(),
        Block::Residual(r) => refines(&r.body),
        Block::Parallel(p) => p.branches.iter().any(|b| refines(b)),
        _ => false,
    })
}

/// Why a read-back ended the GPU's part.
pub enum Finish {
    /// The device failed: the run goes on on the CPU.
    Lost(String),
    /// The run diverged (the weights are those of the last good step).
    Diverged(TrainError),
}
