//! Running commands: one place that prints what runs, and reads test counts from the output.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;

/// The workspace root (the parent of this crate's folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Runs a command with its output passed through; an error names the command when it fails.
pub fn run(command: &mut Command) -> Result<(), String> {
    echo(command);
    let status = command.status().map_err(|e| format!("could not run {}: {e}", program(command)))?;
    if status.success() { Ok(()) } else { Err(format!("{} failed ({status})", describe(command))) }
}

/// Runs a command and returns its standard output, or `None` when it cannot run or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What a test-running command reported.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
}

/// Runs a test command, passing its output through, and adds up the counts it prints
/// (cargo test and wasm-bindgen-test: `test result: … N passed; M failed`; node's test runner:
/// `ℹ pass N` / `ℹ fail M` or TAP's `# pass N`). Returns whether it succeeded, and the counts.
pub fn run_counting(command: &mut Command) -> (bool, Counts) {
    echo(command);
    let mut child = match command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("could not run {}: {e}", program(command));
            return (false, Counts::default());
        }
    };
    let (tx, rx) = mpsc::channel::<String>();
    let pumps = [
        pump(child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>), tx.clone(), false),
        pump(child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>), tx, true),
    ];
    let mut counts = Counts::default();
    for line in rx {
        let line_counts = parse_counts(&line);
        counts.passed += line_counts.passed;
        counts.failed += line_counts.failed;
    }
    for pump in pumps {
        let _ = pump.join();
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, counts)
}

fn pump(
    stream: Option<Box<dyn Read + Send>>,
    tx: mpsc::Sender<String>,
    to_stderr: bool,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let Some(stream) = stream else { return };
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if to_stderr {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
            let _ = tx.send(line);
        }
    })
}

/// The counts one output line reports, if it is a summary line.
pub fn parse_counts(line: &str) -> Counts {
    let line = line.trim();
    let number_before = |text: &str, word: &str| -> Option<u64> {
        let at = text.find(word)?;
        text[..at].split_whitespace().last()?.parse().ok()
    };
    if let Some(rest) = line.strip_prefix("test result:") {
        return Counts {
            passed: number_before(rest, " passed").unwrap_or(0),
            failed: number_before(rest, " failed").unwrap_or(0),
        };
    }
    for prefix in ["ℹ ", "# "] {
        if let Some(rest) = line.strip_prefix(prefix) {
            let mut words = rest.split_whitespace();
            match (words.next(), words.next().and_then(|n| n.parse().ok()), words.next()) {
                (Some("pass"), Some(n), None) => return Counts { passed: n, failed: 0 },
                (Some("fail"), Some(n), None) => return Counts { passed: 0, failed: n },
                _ => {}
            }
        }
    }
    Counts::default()
}

fn echo(command: &Command) {
    println!("\n$ {}", describe(command));
}

fn program(command: &Command) -> String {
    command.get_program().to_string_lossy().into_owned()
}

fn describe(command: &Command) -> String {
    let args: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("{} {}", program(command), args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_of_every_runner_are_counted() {
        let cases: &[(&str, u64, u64)] = &[
            ("test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s", 12, 0),
            ("test result: FAILED. 3 passed; 2 failed; 0 ignored", 3, 2),
            ("ℹ pass 7", 7, 0),
            ("ℹ fail 1", 0, 1),
            ("# pass 4", 4, 0),
            ("# fail 0", 0, 0),
            ("ℹ passing tests are good", 0, 0),
            ("running 3 tests", 0, 0),
            ("# Subtest: pass 3 things", 0, 0),
        ];
        for &(line, passed, failed) in cases {
            assert_eq!(parse_counts(line), Counts { passed, failed }, "{line}");
        }
    }
}
