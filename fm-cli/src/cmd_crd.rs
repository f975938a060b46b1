//! `fmesh crd`: print the generated CustomResourceDefinitions. (Being written.)

use std::process::ExitCode;

/// Arguments of `fmesh crd`.
#[derive(Debug, clap::Args)]
pub struct CrdArgs {}

/// Runs `fmesh crd`.
pub fn run(_args: CrdArgs) -> ExitCode {
    eprintln!("fmesh crd: not implemented yet");
    ExitCode::from(1)
}
