//! The field history: which JSON path exists in which Function Mesh release, per kind, read
//! from `data/field-history.yaml`.

use super::{HistoryError, ResourceKind};
use crate::version::FunctionMeshVersion;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

const EMBEDDED_HISTORY: &str = include_str!("../../data/field-history.yaml");

pub(super) fn kind_index(kind: ResourceKind) -> usize {
    match kind {
        ResourceKind::Function => 0,
        ResourceKind::Sink => 1,
        ResourceKind::Source => 2,
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawHistory {
    releases: Vec<String>,
    api_groups: Vec<RawGroup>,
    fields: Vec<RawField>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    from: String,
    group: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawField {
    path: String,
    all: Option<RawAvail>,
    function: Option<RawAvail>,
    sink: Option<RawAvail>,
    source: Option<RawAvail>,
    #[serde(default)]
    opaque: bool,
    error: Option<String>,
    #[serde(default)]
    harmless: Vec<Value>,
    harmless_if_same_as: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum RawAvail {
    Since(String),
    Windows(Vec<RawWindow>),
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    from: String,
    before: Option<String>,
    shape: Option<String>,
    values: Option<Vec<Value>>,
    #[serde(rename = "as")]
    rename: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Shape {
    Any,
    String,
    Object,
    StringMap,
    OneOf(Vec<Value>),
}

impl Shape {
    pub(super) fn accepts(&self, value: &Value) -> bool {
        match self {
            Shape::Any => true,
            Shape::String => value.is_string(),
            Shape::Object => value.is_object(),
            Shape::StringMap => value
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_string)),
            Shape::OneOf(values) => values.contains(value),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Window {
    pub(super) from: FunctionMeshVersion,
    pub(super) before: Option<FunctionMeshVersion>,
    pub(super) shape: Shape,
    pub(super) rename: Option<String>,
}

impl Window {
    pub(super) fn covers(&self, target: &FunctionMeshVersion) -> bool {
        self.from <= *target && self.before.is_none_or(|b| *target < b)
    }
}

#[derive(Clone, Debug)]
pub(super) struct Behaviour {
    pub(super) why: String,
    pub(super) harmless: Vec<Value>,
    pub(super) same_as: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) kinds: [Option<Vec<Window>>; 3],
    pub(super) opaque: bool,
    pub(super) behaviour: Option<Behaviour>,
}

/// The per-release field history of Function, Sink and Source.
#[derive(Clone, Debug)]
pub struct FieldHistory {
    pub(super) releases: Vec<FunctionMeshVersion>,
    pub(super) api_groups: Vec<(FunctionMeshVersion, String)>,
    pub(super) entries: BTreeMap<Vec<String>, Entry>,
    /// Per kind: every proper prefix of an applicable entry's path (where pruning descends).
    pub(super) prefixes: [HashSet<Vec<String>>; 3],
}

fn version(text: &str, context: &str) -> Result<FunctionMeshVersion, HistoryError> {
    text.parse().map_err(|source| HistoryError::Version {
        context: context.to_owned(),
        source,
    })
}

fn field_error(path: &str, reason: impl Into<String>) -> HistoryError {
    HistoryError::Field {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

fn windows(raw: &RawAvail, path: &str) -> Result<Vec<Window>, HistoryError> {
    let mut out = Vec::new();
    match raw {
        RawAvail::Since(from) => out.push(Window {
            from: version(from, path)?,
            before: None,
            shape: Shape::Any,
            rename: None,
        }),
        RawAvail::Windows(list) => {
            if list.is_empty() {
                return Err(field_error(path, "empty list of windows"));
            }
            for w in list {
                let from = version(&w.from, path)?;
                let before = w.before.as_deref().map(|b| version(b, path)).transpose()?;
                if before.is_some_and(|b| b <= from) {
                    return Err(field_error(
                        path,
                        format!("window from {from} ends before it starts"),
                    ));
                }
                let shape = match (w.shape.as_deref(), &w.values) {
                    (None, None) => Shape::Any,
                    (Some("string"), None) => Shape::String,
                    (Some("object"), None) => Shape::Object,
                    (Some("string-map"), None) => Shape::StringMap,
                    (None, Some(values)) => Shape::OneOf(values.clone()),
                    (Some(other), None) => {
                        return Err(field_error(
                            path,
                            format!(
                                "unknown shape `{other}` (expected string, object or string-map)"
                            ),
                        ))
                    }
                    (Some(_), Some(_)) => {
                        return Err(field_error(path, "both `shape` and `values`"))
                    }
                };
                out.push(Window {
                    from,
                    before,
                    shape,
                    rename: w.rename.clone(),
                });
            }
        }
    }
    Ok(out)
}

fn split_path(path: &str) -> Result<Vec<String>, HistoryError> {
    let segs: Vec<String> = path.split('.').map(str::to_owned).collect();
    if segs.iter().any(String::is_empty) {
        return Err(field_error(path, "empty path segment"));
    }
    Ok(segs)
}

impl FieldHistory {
    /// The embedded history (`data/field-history.yaml`).
    pub fn embedded() -> Self {
        // The unit test `embedded_history_parses` parses the embedded YAML.
        crate::embedded(
            Self::from_yaml(EMBEDDED_HISTORY),
            "embedded field history parses",
        )
    }

    /// The embedded history's YAML text.
    pub fn embedded_yaml() -> &'static str {
        EMBEDDED_HISTORY
    }

    /// Reads a history in the format of `data/field-history.yaml`.
    pub fn from_yaml(text: &str) -> Result<Self, HistoryError> {
        let raw: RawHistory =
            serde_yaml_ng::from_str(text).map_err(|e| HistoryError::Yaml(e.to_string()))?;
        let mut releases = Vec::with_capacity(raw.releases.len());
        for r in &raw.releases {
            let v = version(r, "releases")?;
            if releases.last().is_some_and(|last| *last >= v) {
                return Err(HistoryError::Releases { at: v.to_string() });
            }
            releases.push(v);
        }
        if releases.is_empty() {
            return Err(HistoryError::Releases {
                at: "empty".to_owned(),
            });
        }
        let mut api_groups = Vec::new();
        for g in &raw.api_groups {
            api_groups.push((version(&g.from, "apiGroups")?, g.group.clone()));
        }
        api_groups.sort_by_key(|(from, _)| *from);
        let mut entries = BTreeMap::new();
        let mut prefixes: [HashSet<Vec<String>>; 3] = Default::default();
        for f in raw.fields {
            let segs = split_path(&f.path)?;
            let mut kinds: [Option<Vec<Window>>; 3] = Default::default();
            if let Some(all) = &f.all {
                if f.function.is_some() || f.sink.is_some() || f.source.is_some() {
                    return Err(field_error(&f.path, "both `all` and a per-kind key"));
                }
                let w = windows(all, &f.path)?;
                kinds = [Some(w.clone()), Some(w.clone()), Some(w)];
            } else {
                for (slot, raw) in kinds.iter_mut().zip([&f.function, &f.sink, &f.source]) {
                    *slot = raw.as_ref().map(|r| windows(r, &f.path)).transpose()?;
                }
            }
            if kinds.iter().all(Option::is_none) {
                return Err(field_error(&f.path, "no kind has this field"));
            }
            for ws in kinds.iter().flatten() {
                for (i, a) in ws.iter().enumerate() {
                    for b in ws.iter().skip(i + 1) {
                        let overlap = a.from
                            < b.before.unwrap_or(FunctionMeshVersion::new(
                                u32::MAX,
                                u32::MAX,
                                u32::MAX,
                            ))
                            && b.from
                                < a.before.unwrap_or(FunctionMeshVersion::new(
                                    u32::MAX,
                                    u32::MAX,
                                    u32::MAX,
                                ));
                        if overlap && a.shape == b.shape {
                            return Err(field_error(
                                &f.path,
                                format!("windows from {} and {} overlap", a.from, b.from),
                            ));
                        }
                    }
                }
            }
            if f.error.is_none() && (!f.harmless.is_empty() || f.harmless_if_same_as.is_some()) {
                return Err(field_error(&f.path, "`harmless` without `error`"));
            }
            let behaviour = match f.error {
                Some(why) => Some(Behaviour {
                    why,
                    harmless: f.harmless,
                    same_as: f
                        .harmless_if_same_as
                        .as_deref()
                        .map(split_path)
                        .transpose()?,
                }),
                None => None,
            };
            for (k, slot) in kinds.iter().enumerate() {
                if slot.is_some() {
                    if let Some(set) = prefixes.get_mut(k) {
                        for n in 1..segs.len() {
                            if let Some(prefix) = segs.get(..n) {
                                set.insert(prefix.to_vec());
                            }
                        }
                    }
                }
            }
            let entry = Entry {
                kinds,
                opaque: f.opaque,
                behaviour,
            };
            if entries.insert(segs, entry).is_some() {
                return Err(field_error(&f.path, "listed twice"));
            }
        }
        Ok(Self {
            releases,
            api_groups,
            entries,
            prefixes,
        })
    }

    /// The known Function Mesh releases, ascending.
    pub fn releases(&self) -> &[FunctionMeshVersion] {
        &self.releases
    }

    pub(super) fn windows_for(
        &self,
        kind: ResourceKind,
        segs: &[String],
    ) -> Option<(&Entry, &[Window])> {
        let entry = self.entries.get(segs)?;
        let ws = entry.kinds.get(kind_index(kind))?.as_deref()?;
        Some((entry, ws))
    }

    /// The entry covering a path pattern: its own, or the nearest opaque ancestor's.
    fn covering(&self, kind: ResourceKind, path: &str) -> Option<(&[Window], bool)> {
        let segs: Vec<String> = path.split('.').map(str::to_owned).collect();
        if let Some((_, ws)) = self.windows_for(kind, &segs) {
            return Some((ws, true));
        }
        (1..segs.len()).rev().find_map(|n| {
            let (entry, ws) = self.windows_for(kind, segs.get(..n)?)?;
            entry.opaque.then_some((ws, false))
        })
    }

    /// The first release in which `kind` has the field at `path` (a dot-separated pattern with
    /// `*` for map keys and list elements), directly or inside an opaque ancestor (an embedded
    /// Kubernetes type or free-form map). `None` when the history does not cover the path.
    pub fn first_release(&self, kind: ResourceKind, path: &str) -> Option<FunctionMeshVersion> {
        let (ws, _) = self.covering(kind, path)?;
        ws.iter().map(|w| w.from).min()
    }

    /// Whether `kind` has the field at `path` (spelled so) in `target`, whatever its value;
    /// `None` when the history does not cover the path.
    pub fn available_in(
        &self,
        kind: ResourceKind,
        path: &str,
        target: &FunctionMeshVersion,
    ) -> Option<bool> {
        let (ws, own) = self.covering(kind, path)?;
        Some(
            ws.iter()
                .any(|w| w.covers(target) && (!own || w.rename.is_none())),
        )
    }

    /// The behavioural fields and why, as `(path, reason)` pairs (for documentation).
    pub fn behavioural_fields(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter_map(|(segs, e)| Some((segs.join("."), e.behaviour.as_ref()?.why.clone())))
            .collect()
    }
}
