//! Parsing Function Mesh resources from JSON or YAML with errors that name the field path.

use serde::de::DeserializeOwned;

/// A resource document that does not match the Function Mesh types: the same error as
/// [`crate::parse::ParseError`] (field path and what was expected).
pub type ResourceParseError = crate::parse::ParseError;

/// Parses a JSON or YAML document (YAML is a superset of JSON) into a Function Mesh type such as
/// [`super::Function`], [`super::Sink`], [`super::Source`] or any spec type.
pub fn parse_resource<T: DeserializeOwned>(text: &str) -> Result<T, ResourceParseError> {
    // The YAML reader is quadratic in flow nesting depth; refuse absurd depths first.
    crate::parse::check_flow_depth(text)?;
    let de = serde_yaml_ng::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let path = if path == "." || path == "?" {
            String::new()
        } else {
            path
        };
        // serde_yaml_ng prefixes its own message with the path; keep it only once.
        let inner = err.inner().to_string();
        let inner = inner
            .strip_prefix(&format!("{path}: "))
            .map(str::to_owned)
            .unwrap_or(inner);
        ResourceParseError {
            message: redact_string_values(&inner),
            path,
        }
    })
}

/// Replaces the quoted value in serde's `invalid type: string "…", expected …` /
/// `invalid value: string "…", expected …` messages, so a misplaced secret never reaches an error.
fn redact_string_values(message: &str) -> String {
    for prefix in ["invalid type: string \"", "invalid value: string \""] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some(end) = rest.rfind("\", expected") {
                // ok: `end` comes from rfind on `rest`, so it is a char boundary within `rest`.
                let tail = &rest[end + 1..];
                let kind = prefix.trim_end_matches(" \"");
                return format!("{kind} (value not shown){tail}");
            }
        }
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_string_values() {
        assert_eq!(
            redact_string_values("invalid type: string \"s3cr3t\", expected i32"),
            "invalid type: string (value not shown), expected i32"
        );
        assert_eq!(
            redact_string_values("unknown variant `x`, expected `a`"),
            "unknown variant `x`, expected `a`"
        );
    }
}
