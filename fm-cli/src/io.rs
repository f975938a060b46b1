//! Input and output helpers shared by every `fmesh` subcommand.

use std::io::Read;
use std::path::Path;

/// The largest input `fmesh` reads (file or stdin), in bytes. Larger inputs are refused.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// How a command prints its result (`-o yaml|json`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// YAML (the default).
    #[default]
    Yaml,
    /// Pretty-printed JSON.
    Json,
}

/// Reads a whole input: a file path, or `-` for standard input. Enforces [`MAX_INPUT_BYTES`].
pub fn read_input(path: &str) -> Result<String, String> {
    let mut buf = Vec::new();
    let limit = MAX_INPUT_BYTES + 1;
    let read = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut buf)
    } else {
        std::fs::File::open(Path::new(path)).and_then(|f| f.take(limit).read_to_end(&mut buf))
    };
    read.map_err(|e| format!("cannot read {path}: {e}"))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{path}: input is larger than the {MAX_INPUT_BYTES}-byte limit"
        ));
    }
    String::from_utf8(buf).map_err(|e| {
        format!(
            "{path}: input is not valid UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Renders a serialisable value in the requested format (YAML or pretty JSON, newline-terminated).
pub fn render<T: serde::Serialize>(value: &T, format: OutputFormat) -> Result<String, String> {
    match format {
        OutputFormat::Json => serde_json::to_string_pretty(value)
            .map(|s| s + "\n")
            .map_err(|e| format!("cannot render JSON: {e}")),
        OutputFormat::Yaml => {
            serde_yaml_ng::to_string(value).map_err(|e| format!("cannot render YAML: {e}"))
        }
    }
}
