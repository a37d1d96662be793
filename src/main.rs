//! The `harmspot` binary: parse arguments, call the library, write outputs.

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    // the command as run, for manifests: verb and arguments, without the program name
    let command: Vec<String> = std::env::args().skip(1).collect();
    match cli::run(args, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed pipe (`harmspot info ... | head`) is not a failure.
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("harmspot: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
