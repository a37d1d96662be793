//! The `harmspot` binary: parse arguments, call the library, write outputs.

mod cli;

use clap::Parser;
use std::process::ExitCode;

/// Most worker threads harmspot starts, whatever `RAYON_NUM_THREADS` asks for.
const MAX_THREADS: usize = 256;

/// Builds the global thread pool: `RAYON_NUM_THREADS` if it is a count from 1 to
/// [`MAX_THREADS`], else the machine's parallelism; if threads cannot be started, fewer.
fn thread_pool() {
    let asked = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| (1..=MAX_THREADS).contains(n));
    let machine = std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_THREADS));
    for n in [asked.unwrap_or(machine), machine, 1] {
        if rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .is_ok()
        {
            return;
        }
    }
}

fn main() -> ExitCode {
    // arguments as the OS gives them: a non-UTF-8 file name is a path like any other
    let args = match cli::Cli::try_parse_from(std::env::args_os()) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    thread_pool();
    cli::signals::install();
    // the command as run, for manifests: verb and arguments, without the program name and
    // without `--force` (a replay never overrides output safety on a file's say-so)
    let command = cli::run::replayable(std::env::args_os());
    match cli::run(args, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe or a full disk is a failure like any other: the output is
            // incomplete (the OS error is in the message).
            eprintln!(
                "harmspot: error: {}",
                cli::flags::render(&cli::describe(&e))
            );
            ExitCode::from(2)
        }
    }
}
