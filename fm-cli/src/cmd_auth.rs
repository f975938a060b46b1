//! `fmesh auth`: inspect per-user authentication Secrets. (Filled by the auth work.)

use std::process::ExitCode;

/// Arguments of `fmesh auth`.
#[derive(Debug, clap::Args)]
pub struct AuthArgs {}

/// Runs `fmesh auth`.
pub fn run(_args: AuthArgs) -> ExitCode {
    eprintln!("fmesh auth: not implemented yet");
    ExitCode::from(1)
}
