//! `fmesh compat`: the Function Mesh ↔ Function Mesh Worker service version matrix.
//!
//! * `fmesh compat` — the whole matrix (table by default; `-o yaml|json` gives the loadable
//!   YAML/JSON form).
//! * `fmesh compat --worker V [-o yaml|json|table]` — `{"worker": V, "functionMesh": [...]}`,
//!   the Function Mesh versions worker `V` works with, ascending.
//! * `fmesh compat --function-mesh V [-o ...]` — `{"functionMesh": V, "worker": [...]}`, its
//!   worker ranges in normalised form and published order.
//! * `fmesh compat --check --function-mesh V --worker W` — exit 0 when compatible, 1 when not.
//! * `--matrix FILE` extends the built-in matrix with a newer page (markdown, YAML or JSON);
//!   its rows replace rows of the same Function Mesh version.
//!
//! Exit codes: invalid versions (and a Function Mesh version the matrix does not list) 2, an
//! unreadable or malformed `--matrix` file 1.

use crate::io::{read_input, render, OutputFormat};
use fm_compat::{FunctionMeshVersion, Matrix, WorkerRange, WorkerVersion};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `fmesh compat`.
#[derive(Debug, clap::Args)]
pub struct CompatArgs {
    /// Worker version (vX.Y.Z.N, or vX.Y.Z for a whole line): list the Function Mesh versions it works with.
    #[arg(long, value_name = "V")]
    worker: Option<WorkerVersion>,
    /// Function Mesh version (vX.Y.Z): list the worker versions that work with it.
    #[arg(long = "function-mesh", value_name = "V")]
    function_mesh: Option<FunctionMeshVersion>,
    /// Check one pair (needs --function-mesh and --worker): exit 0 when compatible, 1 when not.
    #[arg(long, requires_all = ["worker", "function_mesh"])]
    check: bool,
    /// Extend the built-in matrix with a newer page: its markdown, or the YAML/JSON form (`-` = stdin).
    #[arg(long, value_name = "FILE")]
    matrix: Option<String>,
    /// Output format [default: table for the whole matrix and --check, yaml otherwise].
    #[arg(short = 'o', long = "output", value_enum)]
    output: Option<CompatFormat>,
}

/// `-o` for `fmesh compat`: the shared YAML/JSON plus a plain-text table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum CompatFormat {
    /// YAML.
    Yaml,
    /// Pretty-printed JSON.
    Json,
    /// Aligned columns for people.
    Table,
}

/// `--worker` answer (keys exactly `worker`, `functionMesh`).
#[derive(Serialize)]
struct WorkerAnswer {
    worker: String,
    #[serde(rename = "functionMesh")]
    function_mesh: Vec<String>,
}

/// `--function-mesh` answer (keys exactly `functionMesh`, `worker`).
#[derive(Serialize)]
struct FunctionMeshAnswer {
    #[serde(rename = "functionMesh")]
    function_mesh: String,
    worker: Vec<String>,
}

/// `--check -o yaml|json` answer.
#[derive(Serialize)]
struct CheckAnswer {
    #[serde(rename = "functionMesh")]
    function_mesh: String,
    worker: String,
    compatible: bool,
}

/// A failure: exit code and message.
struct Failure(u8, String);

fn table(header: [&str; 2], rows: &[[String; 2]]) -> String {
    let width = rows
        .iter()
        .map(|r| r[0].len())
        .chain([header[0].len()])
        .max()
        .unwrap_or(0);
    let mut out = format!("{:<width$}  {}\n", header[0], header[1]);
    for [a, b] in rows {
        out.push_str(&format!("{a:<width$}  {b}\n"));
    }
    out
}

fn join(ranges: &[WorkerRange]) -> String {
    ranges
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn structured<T: Serialize>(value: &T, format: CompatFormat) -> Result<String, Failure> {
    let format = match format {
        CompatFormat::Json => OutputFormat::Json,
        CompatFormat::Yaml | CompatFormat::Table => OutputFormat::Yaml,
    };
    render(value, format).map_err(|e| Failure(1, e))
}

fn load_matrix(path: Option<&str>) -> Result<Matrix, Failure> {
    let mut matrix = Matrix::published();
    if let Some(path) = path {
        let text = read_input(path).map_err(|e| Failure(1, e))?;
        let extra = Matrix::from_any(&text).map_err(|e| Failure(1, format!("{path}: {e}")))?;
        matrix.extend_with(extra);
    }
    Ok(matrix)
}

/// Runs the command; `Ok((stdout, exit code))`.
fn execute(args: &CompatArgs) -> Result<(String, u8), Failure> {
    if !args.check && args.worker.is_some() && args.function_mesh.is_some() {
        return Err(Failure(
            2,
            "give either --worker or --function-mesh, or both with --check".to_owned(),
        ));
    }
    let matrix = load_matrix(args.matrix.as_deref())?;
    let unknown = |e: fm_compat::QueryError| Failure(2, e.to_string());
    match (args.check, &args.worker, &args.function_mesh) {
        (true, Some(worker), Some(fm)) => {
            let compatible = matrix.is_compatible(fm, worker).map_err(unknown)?;
            let out = match args.output.unwrap_or(CompatFormat::Table) {
                CompatFormat::Table => {
                    if compatible {
                        format!("compatible: Function Mesh {fm} works with worker {worker}\n")
                    } else {
                        format!(
                            "not compatible: Function Mesh {fm} works with worker {}\n",
                            join(matrix.worker_ranges(fm).map_err(unknown)?)
                        )
                    }
                }
                format => structured(
                    &CheckAnswer {
                        function_mesh: fm.to_string(),
                        worker: worker.to_string(),
                        compatible,
                    },
                    format,
                )?,
            };
            Ok((out, if compatible { 0 } else { 1 }))
        }
        (_, Some(worker), None) => {
            let fms = matrix.function_mesh_for(worker);
            let answer = WorkerAnswer {
                worker: worker.to_string(),
                function_mesh: fms.iter().map(ToString::to_string).collect(),
            };
            let out = match args.output.unwrap_or(CompatFormat::Yaml) {
                CompatFormat::Table => {
                    let list = if answer.function_mesh.is_empty() {
                        "(none)".to_owned()
                    } else {
                        answer.function_mesh.join(", ")
                    };
                    table(["WORKER", "FUNCTION MESH"], &[[answer.worker, list]])
                }
                format => structured(&answer, format)?,
            };
            Ok((out, 0))
        }
        (_, None, Some(fm)) => {
            let ranges = matrix.worker_ranges(fm).map_err(unknown)?;
            let out = match args.output.unwrap_or(CompatFormat::Yaml) {
                CompatFormat::Table => table(
                    ["FUNCTION MESH", "FUNCTION MESH WORKER SERVICE"],
                    &[[fm.to_string(), join(ranges)]],
                ),
                format => structured(
                    &FunctionMeshAnswer {
                        function_mesh: fm.to_string(),
                        worker: ranges.iter().map(ToString::to_string).collect(),
                    },
                    format,
                )?,
            };
            Ok((out, 0))
        }
        _ => {
            let out = match args.output.unwrap_or(CompatFormat::Table) {
                CompatFormat::Table => {
                    let rows: Vec<[String; 2]> = matrix
                        .rows()
                        .iter()
                        .map(|r| [r.function_mesh.to_string(), join(&r.worker)])
                        .collect();
                    table(["FUNCTION MESH", "FUNCTION MESH WORKER SERVICE"], &rows)
                }
                format => structured(&matrix, format)?,
            };
            Ok((out, 0))
        }
    }
}

/// Runs `fmesh compat`.
pub fn run(args: CompatArgs) -> ExitCode {
    match execute(&args) {
        Ok((out, code)) => {
            print!("{out}");
            ExitCode::from(code)
        }
        Err(Failure(code, message)) => {
            eprintln!("fmesh compat: {message}");
            ExitCode::from(code)
        }
    }
}
