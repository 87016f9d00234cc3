//! `layerlab`: trains a LayerLab experiment without a browser.
//!
//! ```text
//! layerlab train [SPEC.json | LINK] [--steps N] [--seed N] [--dataset NAME|JSON] [--csv FILE] [--out metrics.csv]
//! layerlab datasets
//! layerlab blocks
//! ```
//! Metrics go to stdout, one JSON object per line; errors to stderr, with exit status 2 for bad
//! input and 3 when training diverged.

mod args;
mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match args::parse(&argv) {
        Ok(args::Command::Train(opts)) => report::train(&opts),
        Ok(args::Command::Datasets) => {
            report::datasets();
            Ok(())
        }
        Ok(args::Command::Blocks) => {
            report::blocks();
            Ok(())
        }
        Ok(args::Command::Help) => {
            println!("{}", args::USAGE);
            Ok(())
        }
        Err(message) => Err(report::Failure::from(format!("{message}\n\n{}", args::USAGE))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("layerlab: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}
