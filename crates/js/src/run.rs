//! An experiment's run, without JavaScript, so it can be tested natively: the CPU trainer (the
//! whole run on the CPU; on WebGPU the shadow that takes each read-back's weights, so
//! evaluations, snapshots and predictions run on it, as in the page's worker) and the GPU's
//! trainer when there is one ([`GpuRun`], shared with the worker). A lost device leaves the
//! run on the CPU at the last read-back, and the report says why.

use std::cell::RefCell;

use layerlab_engine::cpu::Cpu;
use layerlab_engine::train::Trainer;
use layerlab_gpu::Gpu;
use layerlab_spec::{Spec, SpecError};
use layerlab_worker::gpu_run::{Finish, GpuRun, ReadJob};
use layerlab_worker::{BackendReport, CpuReason};

/// One experiment's run on its backend.
pub struct Run {
    pub spec: Spec,
    /// The CPU trainer: the run itself, or the GPU's shadow.
    pub trainer: Trainer<Cpu<f32>>,
    gpu: Option<GpuRun>,
    report: BackendReport,
}

impl Run {
    /// The run `spec` describes (`csv`: the text of the file a CSV dataset names), on `gpu`
    /// when there is one (then `report` says which adapter), else on the CPU for the reason in
    /// `report`. A spec the GPU cannot train (a KAN that refines its grid) trains on the CPU,
    /// and the report says so.
    pub fn new(spec: Spec, csv: Option<&str>, report: BackendReport, gpu: Option<Gpu>) -> Result<Run, Vec<SpecError>> {
        let trainer = Trainer::new(Cpu::<f32>::new(), &spec, csv)?;
        Ok(Run::with(spec, trainer, csv, report, gpu))
    }

    /// [`Run::new`] with the CPU trainer already built (from the same `spec` and `csv`).
    pub fn with(
        spec: Spec,
        mut trainer: Trainer<Cpu<f32>>,
        csv: Option<&str>,
        report: BackendReport,
        gpu: Option<Gpu>,
    ) -> Run {
        let (gpu, report) = match gpu {
            None => (None, report),
            Some(device) => match GpuRun::new(device, &spec, csv, &mut trainer) {
                Ok(run) => (Some(run), report),
                Err(refused) => (None, BackendReport::Cpu { reason: CpuReason::Unsupported { message: refused.1 } }),
            },
        };
        Run { spec, trainer, gpu, report }
    }

    /// The backend in use and why.
    pub fn report(&self) -> &BackendReport {
        &self.report
    }

    /// The GPU device, while the run trains on it.
    pub fn gpu(&self) -> Option<&Gpu> {
        self.gpu.as_ref().map(|g| &g.trainer.b)
    }

    /// Records up to `left` steps on the GPU (the last one of a call alone, so the layer
    /// metrics' update ratio measures it) and starts reading them back. `None` when the run is
    /// on the CPU or over.
    pub fn record(&mut self, left: u64) -> Option<ReadJob> {
        let gpu = self.gpu.as_mut()?;
        let room = self.trainer.total_steps.saturating_sub(self.trainer.steps()).min(left);
        if room == 0 {
            return None;
        }
        Some(gpu.record(0, if room > 1 { room - 1 } else { 1 }, 0.0))
    }

    /// Takes a read-back [`Run::record`] started: the steps it brings and the last one's loss.
    /// A device that failed leaves the run on the CPU at the last read-back (no step counted
    /// that was not read back) and changes the report; a divergence is an error naming it.
    pub fn land(
        &mut self,
        history: Result<Vec<f32>, String>,
        state: Vec<Result<Vec<f32>, String>>,
    ) -> Result<(u64, Option<f64>), String> {
        let Some(gpu) = self.gpu.as_mut() else { return Ok((0, None)) };
        let before = self.trainer.steps();
        match gpu.finish(history, state, 0.0, &mut self.trainer) {
            Ok(losses) => Ok((self.trainer.steps() - before, losses.last().copied())),
            Err(Finish::Lost(message)) => {
                self.gpu = None;
                self.report = BackendReport::Cpu { reason: CpuReason::DeviceLost { message } };
                Ok((0, None))
            }
            Err(Finish::Diverged(error)) => Err(error.to_string()),
        }
    }

    /// Up to `n` steps on the CPU (fewer when the run ends first): how many, and the last loss.
    pub fn cpu_steps(&mut self, n: u64) -> Result<(u64, Option<f64>), String> {
        let mut loss = None;
        for taken in 0..n {
            if self.trainer.finished(None) {
                return Ok((taken, loss));
            }
            loss = Some(self.trainer.step().map_err(|e| e.to_string())?);
        }
        Ok((n, loss))
    }
}

/// Takes up to `n` steps of `run` (fewer when the run ends first) and gives the last one's
/// training loss (NaN when none was taken). On the GPU it awaits each read-back without holding
/// `run` borrowed, so the run can be measured in between (at the last read-back's weights).
pub async fn advance(run: &RefCell<Run>, n: u64) -> Result<f64, String> {
    let mut left = n;
    let mut loss = f64::NAN;
    while left > 0 {
        let job = run.borrow_mut().record(left);
        let Some(job) = job else {
            // On the CPU (from the start, or since the device failed), or the run is over.
            if run.borrow().gpu.is_none() {
                let (_, last) = run.borrow_mut().cpu_steps(left)?;
                loss = last.unwrap_or(loss);
            }
            break;
        };
        let history = job.history.await;
        let mut state = Vec::with_capacity(job.state.len());
        for reading in job.state {
            state.push(reading.await);
        }
        let (taken, last) = run.borrow_mut().land(history, state)?;
        if taken == 0 && run.borrow().gpu.is_some() {
            return Err("the GPU read back no steps".to_string());
        }
        loss = last.unwrap_or(loss);
        left -= taken.min(left);
    }
    Ok(loss)
}
