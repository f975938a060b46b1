//! `fmesh crd`: print the generated CustomResourceDefinitions of the Function Mesh resources.

use std::process::ExitCode;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// Which CustomResourceDefinition(s) to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CrdKind {
    /// `functions.compute.functionmesh.io`.
    Function,
    /// `sinks.compute.functionmesh.io`.
    Sink,
    /// `sources.compute.functionmesh.io`.
    Source,
    /// Function, Sink and Source, as YAML documents separated by `---`.
    #[default]
    All,
}

/// Arguments of `fmesh crd`.
#[derive(Debug, clap::Args)]
pub struct CrdArgs {
    /// The CRD to print.
    #[arg(value_enum, default_value_t = CrdKind::All)]
    pub kind: CrdKind,
}

/// The CRDs selected by `kind`, in print order.
fn selected(kind: CrdKind) -> Vec<CustomResourceDefinition> {
    use fm_convert::crd::{function_crd, sink_crd, source_crd};
    match kind {
        CrdKind::Function => vec![function_crd()],
        CrdKind::Sink => vec![sink_crd()],
        CrdKind::Source => vec![source_crd()],
        CrdKind::All => vec![function_crd(), sink_crd(), source_crd()],
    }
}

/// Renders the selected CRDs as YAML documents separated by `---`.
pub fn render(kind: CrdKind) -> Result<String, String> {
    let mut docs = Vec::new();
    for crd in selected(kind) {
        docs.push(
            fm_convert::crd::to_kube_yaml(&crd).map_err(|e| format!("cannot render YAML: {e}"))?,
        );
    }
    Ok(docs.join("---\n"))
}

/// Runs `fmesh crd`.
pub fn run(args: CrdArgs) -> ExitCode {
    match render(args.kind) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("fmesh crd: {err}");
            ExitCode::from(1)
        }
    }
}
