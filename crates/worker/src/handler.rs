//! What the worker does with each message. The binary (`main.rs`) only moves messages in and
//! out; the answers are made here.

use crate::backend;
use crate::protocol::{WorkerInput, WorkerOutput};

/// Answers one message.
pub async fn handle(input: WorkerInput) -> WorkerOutput {
    match input {
        WorkerInput::Ping { nonce } => WorkerOutput::Pong { nonce },
        WorkerInput::DetectBackend { request, choice } => {
            WorkerOutput::Backend { request, report: backend::detect(choice).await }
        }
    }
}
