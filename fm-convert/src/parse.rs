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
///
/// A key that appears twice in one object is an error naming the object's path and the key
/// (`userConfig: duplicate key `suffix``), for struct fields and maps alike: serde would keep the
/// last value of a map silently, and which value a duplicated key should mean is a guess
/// (Jackson keeps the last, some YAML readers the first). Deliberately stricter than Pulsar.
///
/// Anything but whitespace after the JSON value is an error (`trailing characters`).
///
/// The document is read once without path tracking; only when that fails (or a key is
/// duplicated) is it read again to find the path of the problem.
pub fn parse_as<T: DeserializeOwned>(text: &str, format: Format) -> Result<T, ParseError> {
    match format {
        Format::Json => {
            let fast: Result<T, _> = serde_json::from_str(text);
            let value = match fast {
                Ok(v) => v,
                Err(_) => {
                    let de = &mut serde_json::Deserializer::from_str(text);
                    return Err(match serde_path_to_error::deserialize::<_, T>(&mut *de) {
                        Err(e) => path_error(e),
                        // The value read, but something follows it.
                        Ok(_) => ParseError {
                            path: String::new(),
                            message: de.end().err().map_or_else(
                                || "the document cannot be read".into(),
                                |e| e.to_string(),
                            ),
                        },
                    });
                }
            };
            if serde_json::from_str::<dup::DupCheck>(text).is_err() {
                let de = &mut serde_json::Deserializer::from_str(text);
                if let Err(e) = serde_path_to_error::deserialize::<_, dup::DupCheck>(de) {
                    if let Some(err) = dup::duplicate_error(e) {
                        return Err(err);
                    }
                }
            }
            Ok(value)
        }
        Format::Yaml => {
            if text.trim().is_empty() {
                return Err(ParseError {
                    path: String::new(),
                    message: "the document is empty".into(),
                });
            }
            check_flow_depth(text)?;
            let de = serde_yaml_ng::Deserializer::from_str(text);
            let value: T = serde_path_to_error::deserialize(de).map_err(path_error)?;
            let de = serde_yaml_ng::Deserializer::from_str(text);
            if let Err(e) = serde_path_to_error::deserialize::<_, dup::DupCheck>(de) {
                if let Some(err) = dup::duplicate_error(e) {
                    return Err(err);
                }
            }
            Ok(value)
        }
    }
}

/// The most `[`/`{` a YAML document may have open at once (see [`check_flow_depth`]).
pub const MAX_YAML_FLOW_DEPTH: usize = 1024;

/// Refuses a YAML document with more than [`MAX_YAML_FLOW_DEPTH`] unclosed `[` / `{` at any
/// point. The YAML scanner's time grows with the square of the flow nesting depth (100,000 `[`
/// take about a minute), long before the reader's own limit of 128 levels is reached; this
/// check is linear. It counts brackets inside quoted strings too, so a string with more than
/// 1024 unbalanced brackets is refused as well; no real config has one.
pub fn check_flow_depth(text: &str) -> Result<(), ParseError> {
    let mut depth: usize = 0;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_YAML_FLOW_DEPTH {
                    return Err(ParseError {
                        path: String::new(),
                        message: format!(
                            "the document nests `[`/`{{` more than {MAX_YAML_FLOW_DEPTH} levels deep"
                        ),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn path_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> ParseError {
    let path = clean_path(&e.path().to_string());
    ParseError {
        path,
        message: e.into_inner().to_string(),
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

/// The duplicate-key scan: walks a document and fails on the first key seen twice in one object.
mod dup {
    use super::{clean_path, ParseError};
    use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    use std::borrow::Cow;
    use std::collections::HashSet;
    use std::fmt;

    /// Marks the scan's own error among the deserialiser's errors.
    const MARK: &str = "\u{1}duplicate key ";

    /// Any document; deserialising it fails on a duplicated key.
    pub(super) struct DupCheck;

    /// If the error is the scan's duplicate-key error, the [`ParseError`] to report. Other errors
    /// (a YAML tag, a key that is not a scalar) are not this scan's concern: the typed parse
    /// already accepted the document.
    pub(super) fn duplicate_error<E: fmt::Display>(
        e: serde_path_to_error::Error<E>,
    ) -> Option<ParseError> {
        let path = clean_path(&e.path().to_string());
        let message = e.into_inner().to_string();
        let start = message.find(MARK)?;
        let rest = message.get(start + MARK.len()..)?;
        let key = rest.split('\u{1}').next().unwrap_or(rest);
        Some(ParseError {
            path,
            message: format!("duplicate key `{key}`"),
        })
    }

    impl<'de> Deserialize<'de> for DupCheck {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(DupVisitor)
        }
    }

    struct DupVisitor;

    impl<'de> Visitor<'de> for DupVisitor {
        type Value = DupCheck;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any value")
        }

        fn visit_bool<E>(self, _: bool) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_i64<E>(self, _: i64) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_u64<E>(self, _: u64) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_f64<E>(self, _: f64) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_str<E>(self, _: &str) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_unit<E>(self) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_none<E>(self) -> Result<DupCheck, E> {
            Ok(DupCheck)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<DupCheck, D::Error> {
            DupCheck::deserialize(d)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<DupCheck, D::Error> {
            DupCheck::deserialize(d)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<DupCheck, A::Error> {
            // A YAML tag: its value is not walked (the typed parse took it as it is).
            let (IgnoredAny, variant) = data.variant::<IgnoredAny>()?;
            de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
            Ok(DupCheck)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DupCheck, A::Error> {
            while seq.next_element::<DupCheck>()?.is_some() {}
            Ok(DupCheck)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DupCheck, A::Error> {
            // Small objects (most of them) are checked by a linear scan, large ones by hashing.
            let mut few: Vec<Key<'de>> = Vec::new();
            let mut many: HashSet<Key<'de>> = HashSet::new();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                let seen = if many.is_empty() && few.len() < 16 {
                    let seen = few.contains(&key);
                    if !seen {
                        few.push(key.clone());
                    }
                    seen
                } else {
                    many.extend(few.drain(..));
                    !many.insert(key.clone())
                };
                if seen {
                    return Err(de::Error::custom(format_args!("{MARK}{}\u{1}", key.0)));
                }
                map.next_value::<DupCheck>()?;
            }
            Ok(DupCheck)
        }
    }

    /// An object key as text (numbers and booleans are YAML keys too); other keys never match.
    #[derive(Clone, PartialEq, Eq, Hash)]
    struct Key<'de>(Cow<'de, str>);

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(KeyVisitor)
        }
    }

    struct KeyVisitor;

    impl<'de> Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v)))
        }
        fn visit_bool<E>(self, v: bool) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_string())))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_string())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Owned(v.to_string())))
        }
        fn visit_unit<E>(self) -> Result<Key<'de>, E> {
            Ok(Key(Cow::Borrowed("null")))
        }
    }
}
