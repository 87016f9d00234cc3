//! What the worker does with each message. The browser loop (`web.rs`) only moves messages in
//! and out and schedules training ticks; the answers are made here.

use layerlab_gpu::Gpu;

use crate::backend;
use crate::protocol::{WorkerInput, WorkerOutput};
use crate::session::Host;

/// Answers a message about training at once, from the worker's state (`now`: the clock in
/// milliseconds). The messages [`handle`] answers come back as `Err`.
pub fn handle_now(host: &mut Host, input: WorkerInput, now: f64) -> Result<Vec<WorkerOutput>, WorkerInput> {
    Ok(match input {
        WorkerInput::Load { spec } => host.load(*spec, now),
        WorkerInput::Play => host.play(now),
        WorkerInput::Pause => host.pause(now),
        WorkerInput::Step => host.step(now),
        WorkerInput::Reset => host.reset(now),
        WorkerInput::Speed { steps_per_second } => host.set_speed(steps_per_second, now),
        WorkerInput::Csv { name, text } => host.csv(name, text, now),
        WorkerInput::ExportTorch => host.export_torch(),
        other @ (WorkerInput::Ping { .. } | WorkerInput::DetectBackend { .. }) => return Err(other),
    })
}

/// Answers a message that may wait on the browser (backend detection) or needs no state. A
/// detection that settles on WebGPU comes with the device opened on it, for the host to train on.
pub async fn handle(input: WorkerInput) -> (Vec<WorkerOutput>, Option<Result<Gpu, String>>) {
    match input {
        WorkerInput::Ping { nonce } => (vec![WorkerOutput::Pong { nonce }], None),
        WorkerInput::DetectBackend { request, choice } => {
            let (report, gpu) = backend::choose(choice).await;
            (vec![WorkerOutput::Backend { request, report }], gpu)
        }
        // Named, not written out with Debug: that would compile every spec type's Debug in.
        other => {
            let message = format!("the message `{}` needs the worker's state", other.name());
            (vec![WorkerOutput::Error { message }], None)
        }
    }
}
