//! `fmesh compat`: the Function Mesh ↔ worker version matrix. (Filled by the compat work.)

use std::process::ExitCode;

/// Arguments of `fmesh compat`.
#[derive(Debug, clap::Args)]
pub struct CompatArgs {}

/// Runs `fmesh compat`.
pub fn run(_args: CompatArgs) -> ExitCode {
    eprintln!("fmesh compat: not implemented yet");
    ExitCode::from(1)
}
