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
    let message = e.into_inner().to_string();
    // serde_yaml_ng puts the path in front of its message; keep it only once.
    let message = match message.strip_prefix(&format!("{path}: ")) {
        Some(rest) if !path.is_empty() => rest.to_owned(),
        _ => message,
    };
    ParseError {
        message: hide_values(&message),
        path,
    }
}

/// Hides the input value serde quotes in its messages (`invalid type: string "…"`,
/// `invalid value: string "…"`, ``unknown variant `…` ``), keeping what was expected: a secret
/// sent in the wrong field (a token where a number or an enum value belongs) never reaches an
/// error message. The field path is reported beside the message.
pub(crate) fn hide_values(message: &str) -> String {
    const SHOWN: &str = "(value not shown)";
    for marker in ["invalid type: string \"", "invalid value: string \""] {
        if let Some(start) = message.find(marker) {
            let (head, rest) = message.split_at(start + marker.len() - 1);
            if let Some(end) = rest.rfind("\", expected") {
                let tail = rest.get(end + 1..).unwrap_or_default();
                return format!("{} {SHOWN}{tail}", head.trim_end_matches(' '));
            }
        }
    }
    const VARIANT: &str = "unknown variant `";
    if let Some(start) = message.find(VARIANT) {
        let head = message.get(..start + VARIANT.len() - 1).unwrap_or_default();
        let rest = message.get(start + VARIANT.len()..).unwrap_or_default();
        // serde writes ``unknown variant `VALUE`, expected …`` (or `, there are no variants`);
        // the last such end is the value's, whatever backticks the value holds.
        let end = ["`, expected ", "`, there are no variants"]
            .iter()
            .filter_map(|end| rest.rfind(end))
            .max();
        let tail = end.and_then(|end| rest.get(end + 1..)).unwrap_or_default();
        return format!("{head}{SHOWN}{tail}");
    }
    message.to_owned()
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
    use serde::de::{
        self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor,
    };
    use std::borrow::Cow;
    use std::fmt;

    /// Marks the scan's own error among the deserialiser's errors.
    const MARK: &str = "\u{1}duplicate key ";

    /// Objects with at most this many keys are checked by comparing each key with the earlier
    /// ones; larger objects by sorting their keys.
    const LINEAR: usize = 24;

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

    impl<'de> de::Deserialize<'de> for DupCheck {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            // One key stack for the whole document: each object pushes its keys and pops them.
            let mut keys = Vec::new();
            Seed { keys: &mut keys }.deserialize(d)
        }
    }

    /// A value anywhere in the document, sharing the key stack.
    struct Seed<'a, 'de> {
        keys: &'a mut Vec<Cow<'de, str>>,
    }

    impl<'de> DeserializeSeed<'de> for Seed<'_, 'de> {
        type Value = DupCheck;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<DupCheck, D::Error> {
            d.deserialize_any(self)
        }
    }

    fn duplicate<E: de::Error>(key: &str) -> E {
        E::custom(format_args!("{MARK}{key}\u{1}"))
    }

    impl<'de> Visitor<'de> for Seed<'_, 'de> {
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
            self.deserialize(d)
        }
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<DupCheck, D::Error> {
            self.deserialize(d)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<DupCheck, A::Error> {
            // A YAML tag: its value is not walked (the typed parse took it as it is).
            let (IgnoredAny, variant) = data.variant::<IgnoredAny>()?;
            de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
            Ok(DupCheck)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<DupCheck, A::Error> {
            while seq
                .next_element_seed(Seed {
                    keys: &mut *self.keys,
                })?
                .is_some()
            {}
            Ok(DupCheck)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DupCheck, A::Error> {
            let start = self.keys.len();
            while let Some(key) = map.next_key_seed(KeySeed)? {
                if let Some(key) = key {
                    // ok: `start` is the stack's length before this object's keys were pushed.
                    let mine = self.keys.get(start..).unwrap_or_default();
                    if mine.len() < LINEAR && mine.contains(&key) {
                        return Err(duplicate(&key));
                    }
                    self.keys.push(key);
                }
                map.next_value_seed(Seed {
                    keys: &mut *self.keys,
                })?;
            }
            let mut result = Ok(DupCheck);
            if let Some(mine) = self.keys.get_mut(start..).filter(|k| k.len() > LINEAR) {
                mine.sort_unstable();
                if let Some(w) = mine.windows(2).find(|w| w.first() == w.get(1)) {
                    result = Err(duplicate(w.first().map_or("", |k| k)));
                }
            }
            self.keys.truncate(start);
            result
        }
    }

    /// Reads an object key as text (numbers and booleans are YAML keys too); other keys are
    /// skipped (`None`).
    struct KeySeed;

    impl<'de> DeserializeSeed<'de> for KeySeed {
        type Value = Option<Cow<'de, str>>;

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for KeySeed {
        type Value = Option<Cow<'de, str>>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a key")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v)))
        }
        fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_string())))
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed("null")))
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed("null")))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
}
