//! Reading documents (JSON or the YAML `pulsar-admin … --*-config-file` takes) into typed values,
//! with errors that name the field path.

use serde::de::DeserializeOwned;

/// The format of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML (a superset of JSON, as `pulsar-admin` reads config files).
    Yaml,
}

impl Format {
    /// Guesses the format: a document whose first non-blank character is `{` or `[` is JSON.
    pub fn detect(text: &str) -> Format {
        match text.trim_start().chars().next() {
            Some('{') | Some('[') => Format::Json,
            _ => Format::Yaml,
        }
    }
}

/// A document that could not be read into the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", path_prefix(path))]
pub struct ParseError {
    /// Dotted path of the offending field (`resources.cpu`, `inputSpecs.t1.receiverQueueSize`);
    /// empty when the document itself is malformed.
    pub path: String,
    /// What was wrong and what was expected.
    pub message: String,
}

fn path_prefix(path: &str) -> String {
    if path.is_empty() {
        String::new()
    } else {
        format!("{path}: ")
    }
}

/// Parses `text` as `T`, in the given format.
pub fn parse_as<T: DeserializeOwned>(text: &str, format: Format) -> Result<T, ParseError> {
    match format {
        Format::Json => {
            let de = &mut serde_json::Deserializer::from_str(text);
            let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
                let path = clean_path(&e.path().to_string());
                ParseError {
                    path,
                    message: e.into_inner().to_string(),
                }
            })?;
            Ok(value)
        }
        Format::Yaml => {
            if text.trim().is_empty() {
                return Err(ParseError {
                    path: String::new(),
                    message: "the document is empty".into(),
                });
            }
            let de = serde_yaml_ng::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = clean_path(&e.path().to_string());
                ParseError {
                    path,
                    message: e.into_inner().to_string(),
                }
            })
        }
    }
}

/// Parses `text` as `T`, detecting JSON or YAML.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ParseError> {
    parse_as(text, Format::detect(text))
}

fn clean_path(p: &str) -> String {
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}
