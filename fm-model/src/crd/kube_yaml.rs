//! YAML rendering that Kubernetes tools read back unchanged.
//!
//! `serde_yaml_ng` follows YAML 1.2 and writes strings such as `off`, `Off`, `yes`, `on`, `y`
//! as plain scalars. kubectl and the API server read YAML with YAML 1.1 rules, where those are
//! booleans, so an enum value like `log.level: off` or the CRD enum `[Off, Initial, ...]` would
//! silently turn into `false`. This renderer quotes every string that is not unambiguously a
//! string under both YAML 1.1 and 1.2 (with JSON escapes, which YAML double quotes accept).

use serde::Serialize;
use serde_json::Value;

/// Renders a value as block-style YAML that parses back to the same JSON value under YAML 1.1
/// and YAML 1.2 (kubectl, the API server, serde_yaml_ng). Newline-terminated.
pub fn to_kube_yaml<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let value = serde_json::to_value(value)?;
    let mut out = match &value {
        Value::Object(m) if !m.is_empty() => block(&value, 0),
        Value::Array(a) if !a.is_empty() => block(&value, 0),
        other => scalar(other),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Words YAML 1.1 reads as booleans or null (compared case-insensitively).
const YAML11_WORDS: [&str; 10] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
];

/// True when `s` can be written unquoted and still reads as this string everywhere.
fn is_safe_plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        && !YAML11_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn string(s: &str) -> String {
    if is_safe_plain(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_yaml_printable(c) => out.push(c),
            // Only BMP characters are not printable, so four hex digits suffice.
            c => out.push_str(&format!("\\u{:04X}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Characters written as-is inside double quotes: YAML-printable, and not a YAML 1.1 line break
/// (NEL, LS, PS) or a byte-order mark.
fn is_yaml_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

fn is_nonempty_collection(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
        _ => false,
    }
}

/// Renders a non-empty collection with every line indented by `indent` spaces.
fn block(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    match v {
        Value::Object(map) => {
            for (key, val) in map {
                out.push_str(&pad);
                out.push_str(&string(key));
                out.push(':');
                match val {
                    Value::Object(_) if is_nonempty_collection(val) => {
                        out.push('\n');
                        out.push_str(&block(val, indent + 2));
                    }
                    Value::Array(_) if is_nonempty_collection(val) => {
                        out.push('\n');
                        out.push_str(&block(val, indent));
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&scalar(val));
                        out.push('\n');
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                if is_nonempty_collection(item) {
                    let inner = block(item, indent + 2);
                    // The inner block starts with `indent + 2` spaces: put the dash into them.
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(inner.get(indent + 2..).unwrap_or_default());
                } else {
                    out.push_str(&pad);
                    out.push_str("- ");
                    out.push_str(&scalar(item));
                    out.push('\n');
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_yaml11_booleans_and_special_strings() {
        let v = json!({"a": ["off", "Off", "ON", "y", "No", "1", "[B", "", "x: y", "-1", "~"]});
        let y = to_kube_yaml(&v).unwrap();
        assert_eq!(
            y,
            "a:\n- \"off\"\n- \"Off\"\n- \"ON\"\n- \"y\"\n- \"No\"\n- \"1\"\n- \"[B\"\n- \"\"\n- \"x: y\"\n- \"-1\"\n- \"~\"\n"
        );
    }

    #[test]
    fn nested_blocks() {
        let v = json!({"m": {"k": [{"a": 1, "b": [true, null]}, [1, 2], {}, []]}, "e": {}});
        let y = to_kube_yaml(&v).unwrap();
        assert_eq!(
            y,
            "m:\n  k:\n  - a: 1\n    b:\n    - true\n    - null\n  - - 1\n    - 2\n  - {}\n  - []\ne: {}\n"
        );
        let back: Value = serde_yaml_ng::from_str(&y).unwrap();
        assert_eq!(back, v);
    }
}
