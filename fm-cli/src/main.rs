//! `fmesh`: the fmesh library's features from a shell.
//!
//! Exit codes: 0 success, 1 invalid input, 2 usage error.

mod cmd_auth;
mod cmd_compat;
mod cmd_convert;
mod cmd_crd;
mod documents;
mod io;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Convert Pulsar function and connector configs to Function Mesh resources and back.
#[derive(Debug, Parser)]
#[command(name = "fmesh", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Convert a Pulsar config to a Function Mesh resource (or back, with `--from crd`).
    Convert(cmd_convert::ConvertArgs),
    /// Check a Pulsar config against Pulsar's and Function Mesh's rules; list every problem.
    Validate(cmd_convert::ValidateArgs),
    /// Print the generated CustomResourceDefinitions as YAML.
    Crd(cmd_crd::CrdArgs),
    /// Query the Function Mesh / worker version matrix.
    Compat(cmd_compat::CompatArgs),
    /// Inspect authentication Secrets.
    Auth(cmd_auth::AuthArgs),
}

fn main() -> ExitCode {
    // On a usage error clap prints it and exits with 2; `--help` and `--version` exit with 0.
    let cli = Cli::parse();
    match cli.command {
        Command::Convert(args) => cmd_convert::run(args),
        Command::Validate(args) => cmd_convert::run_validate(args),
        Command::Crd(args) => cmd_crd::run(args),
        Command::Compat(args) => cmd_compat::run(args),
        Command::Auth(args) => cmd_auth::run(args),
    }
}
