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
        // Quotes every string a YAML 1.1 reader such as kubectl could take for something else.
        OutputFormat::Yaml => {
            fm_convert::crd::to_kube_yaml(value).map_err(|e| format!("cannot render YAML: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn ambiguous_strings_are_quoted_and_the_document_reads_back() {
        let v = json!({"env": [{"name": "X", "value": "on"}, {"name": "Y", "value": "012"}],
            "t": "persistent://a/b/c", "n": 3, "e": {}, "l": [], "k8s.io/x": "a: b", "s": "~",
            "nested": [[1, 2], {"a": [true, null]}]});
        let text = render(&v, OutputFormat::Yaml).unwrap();
        assert!(
            text.contains("value: \"on\"") || text.contains("value: 'on'"),
            "{text}"
        );
        assert!(
            text.contains("value: \"012\"") || text.contains("value: '012'"),
            "{text}"
        );
        let back: Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, v, "{text}");
    }
}
