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
        OutputFormat::Yaml => serde_json::to_value(value)
            .map(|v| yaml::to_string(&v))
            .map_err(|e| format!("cannot render YAML: {e}")),
    }
}

/// A small YAML emitter for JSON values that quotes every string a YAML 1.1 reader (such as
/// kubectl's) could take for something else: `on`, `no`, `y`, `1:20`, `012`, `~` …
pub mod yaml {
    use serde_json::Value;

    const SPECIAL: [&str; 28] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
        "NULL", "~", "=", "<<",
    ];

    fn plain_ok(s: &str) -> bool {
        let mut bytes = s.bytes();
        let first_ok = bytes
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'/');
        first_ok
            && s.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'@' | b'+' | b'-')
            })
            && !SPECIAL.contains(&s)
    }

    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) if plain_ok(s) => s.clone(),
            Value::String(s) => Value::String(s.clone()).to_string(),
            other => other.to_string(),
        }
    }

    fn is_collection(v: &Value) -> bool {
        matches!(v, Value::Object(o) if !o.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty())
    }

    fn emit(v: &Value, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match v {
            Value::Object(o) if !o.is_empty() => {
                for (k, val) in o {
                    out.push_str(&pad);
                    out.push_str(&scalar(&Value::String(k.clone())));
                    out.push(':');
                    write_value(val, indent, out);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for item in a {
                    out.push_str(&pad);
                    out.push('-');
                    if is_collection(item) {
                        let mut nested = String::new();
                        emit(item, indent + 2, &mut nested);
                        out.push(' ');
                        out.push_str(nested.get(indent + 2..).unwrap_or(""));
                    } else {
                        out.push(' ');
                        out.push_str(&inline(item));
                        out.push('\n');
                    }
                }
            }
            other => {
                out.push_str(&pad);
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }

    fn inline(v: &Value) -> String {
        match v {
            Value::Object(_) => "{}".into(),
            Value::Array(_) => "[]".into(),
            other => scalar(other),
        }
    }

    fn write_value(val: &Value, indent: usize, out: &mut String) {
        match val {
            Value::Object(o) if !o.is_empty() => {
                out.push('\n');
                emit(val, indent + 2, out);
            }
            Value::Array(a) if !a.is_empty() => {
                out.push('\n');
                emit(val, indent, out);
            }
            other => {
                out.push(' ');
                out.push_str(&inline(other));
                out.push('\n');
            }
        }
    }

    /// Renders a JSON value as a YAML document.
    pub fn to_string(v: &Value) -> String {
        let mut out = String::new();
        emit(v, 0, &mut out);
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn ambiguous_strings_are_quoted_and_the_document_reads_back() {
            let v = json!({"env": [{"name": "X", "value": "on"}, {"name": "Y", "value": "012"}],
                "t": "persistent://a/b/c", "n": 3, "e": {}, "l": [], "k8s.io/x": "a: b", "s": "~",
                "nested": [[1, 2], {"a": [true, null]}]});
            let text = to_string(&v);
            assert!(text.contains("value: \"on\""), "{text}");
            assert!(text.contains("value: \"012\""), "{text}");
            let back: Value = serde_yaml_ng::from_str(&text).unwrap();
            assert_eq!(back, v, "{text}");
        }
    }
}
