//! `fmesh convert` and `fmesh validate`: Pulsar configs ⇄ Function Mesh resources.

use crate::io::{read_input, render, OutputFormat};
use fm_convert::convert::{
    function_to_resource, sink_to_resource, source_to_resource, ConversionContext, ConvertError,
    Converted, Features,
};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::validate::{validate_function, validate_sink, validate_source, ValidationErrors};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use k8s_openapi::api::core::v1::Secret;
use serde_json::{json, Value};
use std::process::ExitCode;

/// Which kind of component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A Pulsar function (FunctionConfig ⇄ Function).
    Function,
    /// A Pulsar IO sink (SinkConfig ⇄ Sink).
    Sink,
    /// A Pulsar IO source (SourceConfig ⇄ Source).
    Source,
}

/// What the input file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum From {
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
    /// Kind of component.
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// What the input holds.
    #[arg(long, value_enum, default_value_t = From::Pulsar)]
    pub from: From,
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

/// Builds the conversion context from the command line.
pub fn context(args: &ContextArgs) -> Result<ConversionContext, String> {
    let mut ctx = ConversionContext::default();
    if let Some(path) = &args.worker_config {
        ctx.worker = parse::<WorkerConfig>(path, &read_input(path)?)?;
    }
    if let Some(path) = &args.connectors {
        ctx.connectors = parse::<Vec<ConnectorDefinition>>(path, &read_input(path)?)?;
    }
    ctx.package_url = args.package_url.clone();
    ctx.package_file_name = args.package_file_name.clone();
    ctx.cluster = args.cluster.clone().or_else(|| {
        if ctx
            .worker
            .pulsar_functions_cluster
            .as_deref()
            .is_some_and(|c| !c.is_empty())
        {
            None
        } else {
            Some(
                std::env::var("clusterName")
                    .ok()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "standalone".into()),
            )
        }
    });
    ctx.caller = fm_auth::Caller {
        role: args.client_role.clone(),
        authorization: args.client_token.clone().map(fm_auth::Sensitive::new),
    };
    if let Some(path) = &args.secrets {
        let text = read_input(path)?;
        let value: Value = fm_convert::parse::parse(&text).map_err(|e| format!("{path}: {e}"))?;
        ctx.existing_secrets =
            fm_auth::secrets_from_value(&value).map_err(|e| format!("{path}: {e}"))?;
    }
    if let Some(v) = &args.target_version {
        let version: fm_compat::FunctionMeshVersion =
            v.parse().map_err(|e| format!("--target-version: {e}"))?;
        ctx.features = Features(fm_auth::FeatureLevel::for_function_mesh(
            u64::from(version.major),
            u64::from(version.minor),
            u64::from(version.patch),
        ));
    }
    Ok(ctx)
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

fn kind_of(kind: Kind) -> fm_compat::target::ResourceKind {
    match kind {
        Kind::Function => fm_compat::target::ResourceKind::Function,
        Kind::Sink => fm_compat::target::ResourceKind::Sink,
        Kind::Source => fm_compat::target::ResourceKind::Source,
    }
}

fn document<R: serde::Serialize>(
    converted: Converted<R>,
    args: &ConvertArgs,
) -> Result<Value, String> {
    let mut resource = serde_json::to_value(&converted.resource).map_err(|e| e.to_string())?;
    if let Some(v) = &args.context.target_version {
        let target: fm_compat::FunctionMeshVersion =
            v.parse().map_err(|e| format!("--target-version: {e}"))?;
        let dropped =
            fm_compat::target::prune_for_target(kind_of(args.kind), &mut resource, &target)
                .map_err(|e| e.to_string())?;
        for d in dropped {
            eprintln!("warning: {d}");
        }
    }
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

fn convert_error(e: ConvertError) -> String {
    e.to_string()
}

/// Runs `fmesh convert`.
pub fn run(args: ConvertArgs) -> ExitCode {
    match convert(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(message),
    }
}

fn convert(args: &ConvertArgs) -> Result<String, String> {
    let ctx = context(&args.context)?;
    let text = read_input(&args.file)?;
    let file = &args.file;
    let value = match (args.from, args.kind) {
        (From::Pulsar, Kind::Function) => {
            let c: FunctionConfig = parse(file, &text)?;
            document(function_to_resource(&c, &ctx).map_err(convert_error)?, args)?
        }
        (From::Pulsar, Kind::Sink) => {
            let c: SinkConfig = parse(file, &text)?;
            document(sink_to_resource(&c, &ctx).map_err(convert_error)?, args)?
        }
        (From::Pulsar, Kind::Source) => {
            let c: SourceConfig = parse(file, &text)?;
            document(source_to_resource(&c, &ctx).map_err(convert_error)?, args)?
        }
        (From::Crd, Kind::Function) => {
            let r: fm_convert::crd::Function =
                fm_convert::crd::parse_resource(&text).map_err(|e| format!("{file}: {e}"))?;
            serde_json::to_value(
                fm_convert::reverse::function_config(&r, &ctx).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
        }
        (From::Crd, Kind::Sink) => {
            let r: fm_convert::crd::Sink =
                fm_convert::crd::parse_resource(&text).map_err(|e| format!("{file}: {e}"))?;
            serde_json::to_value(
                fm_convert::reverse::sink_config(&r, &ctx).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
        }
        (From::Crd, Kind::Source) => {
            let r: fm_convert::crd::Source =
                fm_convert::crd::parse_resource(&text).map_err(|e| format!("{file}: {e}"))?;
            serde_json::to_value(
                fm_convert::reverse::source_config(&r, &ctx).map_err(|e| e.to_string())?,
            )
            .map_err(|e| e.to_string())?
        }
    };
    render(&value, args.output)
}

/// Runs `fmesh validate`: prints every problem, exits 1 when there is one.
pub fn run_validate(args: ValidateArgs) -> ExitCode {
    let result = (|| -> Result<Result<(), ValidationErrors>, String> {
        let ctx = context(&args.context)?;
        let text = read_input(&args.file)?;
        Ok(match args.kind {
            Kind::Function => validate_function(&parse::<FunctionConfig>(&args.file, &text)?, &ctx),
            Kind::Sink => validate_sink(&parse::<SinkConfig>(&args.file, &text)?, &ctx),
            Kind::Source => validate_source(&parse::<SourceConfig>(&args.file, &text)?, &ctx),
        })
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
                    render(&json!({"valid": false, "problems": problems.0}), f).unwrap_or_default()
                ),
                None => {
                    for p in &problems.0 {
                        eprintln!("{}: {}", p.path, p.message);
                    }
                }
            }
            eprintln!(
                "{}: {} problem{}",
                args.file,
                problems.0.len(),
                if problems.0.len() == 1 { "" } else { "s" }
            );
            ExitCode::from(1)
        }
    }
}
