//! Strict, leak-free JSON field access.
//!
//! Input is parsed into a [`serde_json::Value`] first (whose syntax errors never quote the
//! input), then fields are read one by one so that every error names a path and a type,
//! never a value.

use crate::error::AuthError;
use serde_json::{Map, Value};

/// Parses JSON text; the error reason is the parser's category and position only.
pub(crate) fn parse(text: &str, path: &str) -> Result<Value, AuthError> {
    serde_json::from_str(text).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "invalid data",
            serde_json::error::Category::Io => "read error",
        };
        AuthError::NotJson {
            path: path.to_string(),
            reason: format!("{what} at line {} column {}", e.line(), e.column()),
        }
    })
}

/// The JSON type name of a value, for error messages.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The value as an object, or a typed error.
pub(crate) fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, AuthError> {
    v.as_object().ok_or_else(|| AuthError::WrongType {
        path: path.to_string(),
        expected: "a JSON object",
        found: type_name(v),
    })
}

/// Joins a parent path and a field name.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A required non-empty string field.
pub(crate) fn req_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, AuthError> {
    match opt_str(map, key, path)? {
        None => Err(AuthError::MissingField {
            path: join(path, key),
            expected: "a non-empty string",
        }),
        Some("") => Err(AuthError::WrongType {
            path: join(path, key),
            expected: "a non-empty string",
            found: "an empty string",
        }),
        Some(s) => Ok(s),
    }
}

/// An optional string field (absent or null → `None`).
pub(crate) fn opt_str<'a>(
    map: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<&'a str>, AuthError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(AuthError::WrongType {
            path: join(path, key),
            expected: "a string",
            found: type_name(other),
        }),
    }
}

/// An optional boolean; Pulsar's YAML loader also accepts the strings `"true"`/`"false"`.
pub(crate) fn opt_bool(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<bool>, AuthError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(AuthError::WrongType {
            path: join(path, key),
            expected: "a boolean",
            found: match other {
                Value::String(_) => "a string other than true/false",
                v => type_name(v),
            },
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_error_has_position_not_content() {
        let err = parse("{\"client_secret\": CANARY-json}", "p").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("p: not valid JSON (syntax error at line 1 column"));
        assert!(!msg.contains("CANARY"));
        let eof = parse("{\"a\": \"CANARY", "p").unwrap_err().to_string();
        assert!(eof.contains("unexpected end of input"), "{eof}");
        assert!(!eof.contains("CANARY"));
    }

    #[test]
    fn field_errors() {
        let v = json!({"s": "x", "e": "", "n": 1, "b": "yes", "t": "TRUE"});
        let m = object(&v, "root").unwrap();
        assert_eq!(req_str(m, "s", "root").unwrap(), "x");
        assert_eq!(
            req_str(m, "missing", "root").unwrap_err(),
            AuthError::MissingField {
                path: "root.missing".into(),
                expected: "a non-empty string"
            }
        );
        assert!(matches!(
            req_str(m, "e", "root").unwrap_err(),
            AuthError::WrongType {
                found: "an empty string",
                ..
            }
        ));
        assert!(matches!(
            opt_str(m, "n", "").unwrap_err(),
            AuthError::WrongType { ref path, found: "a number", .. } if path == "n"
        ));
        assert!(opt_bool(m, "b", "").is_err());
        assert_eq!(opt_bool(m, "t", "").unwrap(), Some(true));
        assert!(object(&json!([1]), "x").is_err());
        assert_eq!(type_name(&json!(null)), "null");
        assert_eq!(type_name(&json!(true)), "a boolean");
    }
}
