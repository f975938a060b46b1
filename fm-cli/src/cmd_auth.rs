//! `fmesh auth`: inspect per-user authentication Secrets.
//!
//! `fmesh auth inspect [-o yaml|json] SECRET_FILE|-` parses one Kubernetes Secret (YAML or
//! JSON, `data` base64 or `stringData`) and prints what was understood: format, client id,
//! issuer URL, audience, scope, where the private key is. Secret values are always
//! printed as `<redacted>`. A malformed Secret exits 1 with the reason and field path.

use crate::io::{read_input, render, OutputFormat};
use fm_auth::{OAuth2Secret, DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY};
use serde::Serialize;
use std::process::ExitCode;

/// Arguments of `fmesh auth`.
#[derive(Debug, clap::Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    command: AuthCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuthCommand {
    /// Parse one OAuth2 Secret and print what was understood (secret values redacted).
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
struct InspectArgs {
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = OutputFormat::Yaml)]
    output: OutputFormat,
    /// Annotation whose value is the role owning the Secret (`oauth2SecretAnnotationKey`).
    #[arg(long, default_value = DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY)]
    annotation_key: String,
    /// The Secret, as a YAML or JSON file, or `-` for standard input.
    #[arg(value_name = "SECRET_FILE")]
    file: String,
}

/// The role annotation of an inspected Secret.
#[derive(Serialize)]
struct RoleAnnotation<'a> {
    key: &'a str,
    value: &'a str,
}

/// What `inspect` prints.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Report<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    role_annotation: Option<RoleAnnotation<'a>>,
    #[serde(flatten)]
    secret: &'a OAuth2Secret,
}

/// Parses the Secret text into an [`OAuth2Secret`]; errors never quote the input.
fn inspect(text: &str, file: &str) -> Result<OAuth2Secret, String> {
    let value: serde_json::Value =
        serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
            Some(loc) => format!(
                "{file}: not a valid YAML or JSON document (at line {} column {})",
                loc.line(),
                loc.column()
            ),
            None => format!("{file}: not a valid YAML or JSON document"),
        })?;
    let secret = fm_auth::secret_from_value(&value).map_err(|e| format!("{file}: {e}"))?;
    OAuth2Secret::parse(&secret).map_err(|e| format!("{file}: {e}"))
}

fn run_inspect(args: &InspectArgs) -> Result<String, String> {
    let text = read_input(&args.file)?;
    let parsed = inspect(&text, &args.file)?;
    let role_annotation = parsed
        .annotations
        .get_key_value(&args.annotation_key)
        .map(|(key, value)| RoleAnnotation { key, value });
    render(
        &Report {
            role_annotation,
            secret: &parsed,
        },
        args.output,
    )
}

/// Runs `fmesh auth`.
pub fn run(args: AuthArgs) -> ExitCode {
    match args.command {
        AuthCommand::Inspect(inspect_args) => match run_inspect(&inspect_args) {
            Ok(out) => {
                print!("{out}");
                ExitCode::SUCCESS
            }
            Err(msg) => {
                eprintln!("fmesh auth inspect: {msg}");
                ExitCode::from(1)
            }
        },
    }
}
