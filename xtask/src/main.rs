//! The project's commands. `cargo xtask serve` and `cargo xtask test` work on a fresh machine:
//! they install what is missing (into `.tools/`, which git ignores), then build and serve or test.

mod bench;
mod bench_report;
mod build;
mod cmd;
mod fuzz;
mod pack;
mod rules_table;
mod server;
mod split;
mod test;
mod tools;

use std::process::ExitCode;

const HELP: &str = "\
cargo xtask <command> [options]

Commands:
  serve [--port N]   install what is missing, build the release app, serve it on 127.0.0.1:N (8080)
  test [--only S]    run every check: fmt, clippy, native, export (under PyTorch), package (node),
                     wasm (headless Chromium), e2e; --only runs one of those steps
  bench [--quick]    LayerLab beside its peers in one run: in Chromium (the CPU and WebGPU
                     backends beside TensorFlow.js wasm/cpu/webgl/webgpu), natively (beside
                     PyTorch on 1 and 2 threads, numpy's sgemm, the GPU through Vulkan) and
                     the page (bytes, time to interactive, frame times); writes
                     bench/results/DATE-MACHINE.json and .md (ratios first), then the
                     learning rules' table; --quick: a reduced set in a few minutes
  bench --rules      only the learning rules' table (accuracy, steps, peak memory, time per step)
  pack               build the `layerlab` npm package (crates/js) into target/pkg/node and target/pkg/web
  fuzz [--seconds N] fuzz the link decoder for N seconds (600) with cargo-fuzz on nightly
  help               this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(&args[1..]),
        Some("test") => test::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("pack") => pack(),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command '{other}'\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn pack() -> Result<(), String> {
    let root = cmd::workspace_root();
    let tools = tools::ensure(&root, tools::Needs { browser: false, vulkan: false })?;
    pack::build(&tools, &root).map(drop)
}

fn serve(args: &[String]) -> Result<(), String> {
    let port = match args {
        [] => 8080,
        [flag, value] if flag == "--port" => {
            value.parse::<u16>().map_err(|_| format!("--port {value}: give a port number from 1 to 65535"))?
        }
        _ => return Err(format!("serve takes only --port N, not {args:?}")),
    };
    let root = cmd::workspace_root();
    let tools = tools::ensure(&root, tools::Needs { browser: false, vulkan: false })?;
    let dist = build::release(&root, &tools)?;
    let server = server::start(&dist, port)?;
    println!("LayerLab is served at {}  (Ctrl-C stops it)", server.url());
    server.wait();
    Ok(())
}
