//! `fmesh convert` and `fmesh validate`: Pulsar configs ⇄ Function Mesh resources.

use crate::documents;
use crate::io::{read_input, render, OutputFormat};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{AnyConfig, AnyResource, ComponentKind, Converted, Request, Worker};
use k8s_openapi::api::core::v1::Secret;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Which kind of component (the command line's spelling of [`ComponentKind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A Pulsar function (FunctionConfig ⇄ Function).
    Function,
    /// A Pulsar IO sink (SinkConfig ⇄ Sink).
    Sink,
    /// A Pulsar IO source (SourceConfig ⇄ Source).
    Source,
}

impl From<Kind> for ComponentKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Function => ComponentKind::Function,
            Kind::Sink => ComponentKind::Sink,
            Kind::Source => ComponentKind::Source,
        }
    }
}

/// What the input file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Input {
    /// A Pulsar config (what `pulsar-admin … --*-config-file` takes).
    #[default]
    Pulsar,
    /// A Function Mesh resource.
    Crd,
}

/// Options shared by `convert` and `validate`: what the worker knows.
#[derive(Debug, clap::Args)]
pub struct ContextArgs {
    /// Pulsar worker config (`functions_worker.yml`, YAML or JSON).
    #[arg(long, value_name = "FILE")]
    pub worker_config: Option<String>,
    /// Built-in connector catalogue (YAML or JSON list of connector definitions).
    #[arg(long, value_name = "FILE")]
    pub connectors: Option<String>,
    /// Package URL of the call (`function://…`, `sink://…`, `source://…`, `http(s)://…`).
    #[arg(long, value_name = "URL")]
    pub package_url: Option<String>,
    /// File name of the package (Pulsar package metadata `fileName`).
    #[arg(long, value_name = "NAME")]
    pub package_file_name: Option<String>,
    /// Pulsar cluster name (default: the worker config's `pulsarFunctionsCluster`, else the
    /// `clusterName` environment variable, else `standalone`).
    #[arg(long, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The caller's role (per-user authentication).
    #[arg(long, value_name = "ROLE")]
    pub client_role: Option<String>,
    /// The caller's token or `Authorization` header value (token pass-through).
    #[arg(long, value_name = "TOKEN")]
    pub client_token: Option<String>,
    /// Secrets that exist in the job namespace (YAML/JSON Secret, list of Secrets, or v1 List).
    #[arg(long, value_name = "FILE")]
    pub secrets: Option<String>,
    /// Produce a resource for this (older) Function Mesh release.
    #[arg(long, value_name = "VERSION")]
    pub target_version: Option<String>,
}

/// Arguments of `fmesh convert`.
#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// Kind of component (required for a Pulsar config; with `--from crd` each document's own
    /// `kind` is used, and this only fills in for documents without one).
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// What the input holds.
    #[arg(long, value_enum, default_value_t = Input::Pulsar)]
    pub from: Input,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Yaml)]
    pub output: OutputFormat,
    /// Print Secret values (auth/TLS Secrets) instead of `<redacted>`, e.g. to pipe into kubectl.
    #[arg(long)]
    pub reveal_secrets: bool,
    /// What the worker knows.
    #[command(flatten)]
    pub context: ContextArgs,
    /// Input file, or `-` for standard input.
    pub file: String,
}

/// Arguments of `fmesh validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Kind of component.
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// Output format of the problem list.
    #[arg(short = 'o', long = "output", value_enum)]
    pub output: Option<OutputFormat>,
    /// What the worker knows.
    #[command(flatten)]
    pub context: ContextArgs,
    /// Input file, or `-` for standard input.
    pub file: String,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(1)
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, String> {
    fm_convert::parse::parse::<T>(text).map_err(|e| format!("{what}: {e}"))
}

/// Builds the worker and the request from the command line. The `clusterName` environment
/// variable is read here, at the edge, as the Java worker's last resort for the cluster.
pub fn worker_and_request(args: &ContextArgs) -> Result<(Worker, Request), String> {
    let config = match &args.worker_config {
        Some(path) => parse::<WorkerConfig>(path, &read_input(path)?)?,
        None => WorkerConfig::default(),
    };
    let connectors = match &args.connectors {
        Some(path) => parse::<Vec<ConnectorDefinition>>(path, &read_input(path)?)?,
        None => Vec::new(),
    };
    let env_cluster = std::env::var("clusterName").ok();
    let mut builder = Worker::builder(config)
        .connectors(connectors)
        .cluster(args.cluster.as_deref())
        .fallback_cluster(Some(
            env_cluster
                .as_deref()
                .filter(|c| !c.is_empty())
                .unwrap_or(fm_convert::DEFAULT_CLUSTER),
        ));
    if let Some(v) = &args.target_version {
        let version: fm_compat::FunctionMeshVersion =
            v.parse().map_err(|e| format!("--target-version: {e}"))?;
        builder = builder.target_release(version);
    }
    let mut request = Request::new()
        .package_url(args.package_url.as_deref())
        .package_file_name(args.package_file_name.as_deref())
        .caller(fm_auth::Caller {
            role: args.client_role.clone(),
            authorization: args.client_token.clone().map(fm_auth::Sensitive::new),
        });
    if let Some(path) = &args.secrets {
        let text = read_input(path)?;
        let value: Value = fm_convert::parse::parse(&text).map_err(|e| format!("{path}: {e}"))?;
        request = request
            .secrets(fm_auth::secrets_from_value(&value).map_err(|e| format!("{path}: {e}"))?);
    }
    Ok((builder.build(), request))
}

fn secret_value(s: &Secret, reveal: bool) -> Result<Value, String> {
    let shown = if reveal {
        s.clone()
    } else {
        fm_auth::redacted_secret(s)
    };
    let mut v = serde_json::to_value(&shown).map_err(|e| e.to_string())?;
    if let Some(o) = v.as_object_mut() {
        o.insert("apiVersion".into(), json!("v1"));
        o.insert("kind".into(), json!("Secret"));
    }
    Ok(v)
}

fn document(converted: Converted<AnyResource>, args: &ConvertArgs) -> Result<Value, String> {
    for d in &converted.dropped {
        eprintln!("warning: {d}");
    }
    for w in &converted.warnings {
        eprintln!("warning: {w}");
    }
    let resource = converted.document().map_err(|e| e.to_string())?;
    if converted.secrets.is_empty() {
        return Ok(resource);
    }
    if !args.reveal_secrets {
        eprintln!(
            "note: Secret values are shown as <redacted>; pass --reveal-secrets to print them"
        );
    }
    let mut items = converted
        .secrets
        .iter()
        .map(|s| secret_value(s, args.reveal_secrets))
        .collect::<Result<Vec<_>, _>>()?;
    items.push(resource);
    Ok(json!({"apiVersion": "v1", "kind": "List", "items": items}))
}

/// Runs `fmesh convert`.
pub fn run(args: ConvertArgs) -> ExitCode {
    if args.from == Input::Pulsar && args.kind.is_none() {
        // A usage error, like clap's own (exit code 2).
        eprintln!("error: --kind is required to read a Pulsar config (only `--from crd` takes the kind from the document)");
        return ExitCode::from(2);
    }
    match convert(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(message),
    }
}

fn convert(args: &ConvertArgs) -> Result<String, String> {
    let (worker, request) = worker_and_request(&args.context)?;
    let text = read_input(&args.file)?;
    let file = &args.file;
    match args.from {
        Input::Pulsar => {
            let kind = args
                .kind
                .map(ComponentKind::from)
                .ok_or("--kind is required to read a Pulsar config")?;
            let config = AnyConfig::parse(kind, &text).map_err(|e| format!("{file}: {e}"))?;
            let converted = worker
                .convert_any(&config, &request)
                .map_err(|e| e.to_string())?;
            render(&document(converted, args)?, args.output)
        }
        Input::Crd => {
            let (resources, several) =
                documents::resources(&text, args.kind.map(ComponentKind::from))
                    .map_err(|e| format!("{file}: {e}"))?;
            let mut configs = Vec::new();
            for r in &resources {
                let config = worker.reverse_any(r).map_err(|e| e.to_string())?;
                configs.push(config.to_value().map_err(|e| e.to_string())?);
            }
            match (several, args.output) {
                (false, _) => render(&configs.first(), args.output),
                (true, OutputFormat::Json) => render(&configs, args.output),
                // One YAML document per resource, in order.
                (true, OutputFormat::Yaml) => configs
                    .iter()
                    .map(|c| render(c, args.output))
                    .collect::<Result<Vec<_>, _>>()
                    .map(|docs| docs.join("---\n")),
            }
        }
    }
}

/// Runs `fmesh validate`: prints every problem, exits 1 when there is one.
pub fn run_validate(args: ValidateArgs) -> ExitCode {
    let result = (|| -> Result<Result<(), fm_convert::ValidationErrors>, String> {
        let (worker, request) = worker_and_request(&args.context)?;
        let text = read_input(&args.file)?;
        let config =
            AnyConfig::parse(args.kind.into(), &text).map_err(|e| format!("{}: {e}", args.file))?;
        Ok(worker.validate_any(&config, &request))
    })();
    match result {
        Err(message) => fail(message),
        Ok(Ok(())) => {
            match args.output {
                Some(f) => print!(
                    "{}",
                    render(&json!({"valid": true, "problems": []}), f).unwrap_or_default()
                ),
                None => println!("{}: valid", args.file),
            }
            ExitCode::SUCCESS
        }
        Ok(Err(problems)) => {
            match args.output {
                Some(f) => print!(
                    "{}",
                    render(&json!({"valid": false, "problems": problems.issues()}), f)
                        .unwrap_or_default()
                ),
                None => {
                    for p in &problems {
                        eprintln!("{}: {}", p.path, p.message);
                    }
                }
            }
            eprintln!(
                "{}: {} problem{}",
                args.file,
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
    }
}
