//! Parsing Function Mesh resources from JSON or YAML with errors that name the field path.

use serde::de::DeserializeOwned;

/// A resource document that does not match the Function Mesh types: the same error as
/// [`crate::parse::ParseError`] (field path and what was expected).
pub type ResourceParseError = crate::parse::ParseError;

/// Parses a JSON or YAML document into a Function Mesh type such as [`super::Function`],
/// [`super::Sink`], [`super::Source`] or any spec type.
///
/// A JSON document (first non-blank character `{` or `[`) is read as JSON, not through the YAML
/// reader: YAML 1.1 takes U+2028/U+2029 for line breaks, so a JSON key holding one was refused
/// as a broken flow mapping. JSON also gets the config reader's duplicate-key check.
pub fn parse_resource<T: DeserializeOwned>(text: &str) -> Result<T, ResourceParseError> {
    if crate::parse::Format::detect(text) == crate::parse::Format::Json {
        return crate::parse::parse_as(text, crate::parse::Format::Json);
    }
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
            message: crate::parse::hide_values(&inner),
            path,
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::parse::hide_values;

    #[test]
    fn json_keys_with_unicode_line_separators_are_read_as_json() {
        let text = "{\"labels\": {\"a\u{2028}b\": \"x\u{2029}y\"}}";
        let v: serde_json::Value = super::parse_resource(text).unwrap();
        assert_eq!(v["labels"]["a\u{2028}b"], "x\u{2029}y");
        // The same document through the YAML reader is refused: the reason for the JSON path.
        let yaml: Result<serde_json::Value, _> = serde_yaml_ng::from_str(text);
        assert!(yaml.is_err());
    }

    #[test]
    fn json_resources_refuse_duplicate_keys() {
        let e = super::parse_resource::<serde_json::Value>("{\"a\": 1, \"a\": 2}").unwrap_err();
        assert!(e.message.contains("duplicate"), "{e}");
    }

    #[test]
    fn hides_string_values() {
        assert_eq!(
            hide_values("invalid type: string \"s3cr3t\", expected i32"),
            "invalid type: string (value not shown), expected i32"
        );
        assert_eq!(
            hide_values("spec: invalid value: string \"s3cr3t\", expected a number"),
            "spec: invalid value: string (value not shown), expected a number"
        );
    }

    #[test]
    fn hides_unknown_variants() {
        assert_eq!(
            hide_values("unknown variant `s3cr3t`, expected `a` or `b` at line 3 column 4"),
            "unknown variant (value not shown), expected `a` or `b` at line 3 column 4"
        );
        assert_eq!(
            hide_values("unknown variant `a`, expected `b`, `s3`, expected `c`"),
            "unknown variant (value not shown), expected `c`"
        );
        assert_eq!(
            hide_values("unknown variant `s3cr3t`, there are no variants"),
            "unknown variant (value not shown), there are no variants"
        );
        assert_eq!(
            hide_values("unknown variant `s3cr3t"),
            "unknown variant (value not shown)"
        );
        assert_eq!(hide_values("plain"), "plain");
    }
}
