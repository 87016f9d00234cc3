//! `cargo xtask fuzz [--seconds N]`: runs the link decoder's fuzz target (cargo-fuzz, libFuzzer,
//! the pinned nightly Rust) for N seconds (600 by default), installing cargo-fuzz and that nightly if missing.

use std::process::Command;

use crate::cmd;
use crate::tools;

const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn run(args: &[String]) -> Result<(), String> {
    let seconds: u64 = match args {
        [] => 600,
        [flag, value] if flag == "--seconds" => {
            value.parse().map_err(|_| format!("--seconds {value}: give a whole number of seconds"))?
        }
        _ => return Err(format!("fuzz takes only --seconds N, not {args:?}")),
    };
    let root = cmd::workspace_root();
    tools::ensure_nightly()?;
    let tools_dir = root.join(".tools");
    tools::ensure_cargo_tool(
        &tools_dir,
        tools::CargoTool { krate: "cargo-fuzz", version: CARGO_FUZZ_VERSION, bin: "cargo-fuzz", locked: true },
    )?;
    let mut path = vec![tools_dir.join("bin")];
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    let path = std::env::join_paths(path).map_err(|e| e.to_string())?;
    cmd::run(
        Command::new("cargo")
            .args([
                &format!("+{}", crate::build::NIGHTLY),
                "fuzz",
                "run",
                "link_decode",
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ])
            .current_dir(root.join("crates/spec"))
            .env("PATH", path),
    )
}
