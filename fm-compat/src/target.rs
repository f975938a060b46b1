//! Resources targeted at an older Function Mesh release.
//!
//! The field history of Function, Sink and Source — which JSON path exists in which Function
//! Mesh release, per kind — is data (`data/field-history.yaml`, embedded), not code. From it,
//! [`prune_for_target`] removes every field a target release lacks and reports each as a
//! [`DroppedField`] (path and the release that introduced it), or refuses with
//! [`TargetError::BehaviourChange`] when a dropped field is *behavioural*.
//!
//! # Behavioural fields
//! A field is behavioural when losing it changes what the function does, as opposed to how it
//! is placed, scaled, logged or reported. The history marks them with an `error:` text naming
//! the change. Behavioural: Pulsar credentials and TLS (`spec.pulsar.authSecret`, `tlsSecret`,
//! `authConfig` — string form ≤ v0.1.4 and object form since v0.6.0 —, `authConfig.genericAuth`,
//! `tlsConfig`), the package service (`spec.pulsarPackageService`), state
//! (`spec.statefulConfig`), windowing (`spec.windowConfig` and a non-default window processing
//! guarantee), batch sources (`spec.batchSourceConfig`), what code runs (`spec.genericRuntime`,
//! `spec.image`, the Function connector overrides `spec.sourceConfig`/`spec.sinkConfig`,
//! connector/user config values that are not strings before v0.1.7, `java.javaOpts`,
//! `java.extraDependenciesDir`, non-default `java.instancePath`/`entryClass`, package
//! locations, download tools `imageHasPulsarctl`/`imageHasGet` when true), message semantics
//! (`processingGuarantee: manual` before v0.14.0, `retainKeyOrdering`/`skipToLatest` when true,
//! a non-`[B` `typeClassName`, `forwardSourceMessageProperty: false` on a Source,
//! `cryptoConfig`), the Pulsar namespace (`spec.namespace` unless equal to
//! `metadata.namespace`), and what the pod can reach (`pod.env`, `pod.volumes`,
//! `volumeMounts`, `volumeClaimTemplates`, `pod.initContainers`, `pod.sidecars`,
//! `pod.serviceAccountName`, `pod.securityContext`, `pod.imagePullSecrets`).
//!
//! Warnings only: placement and autoscaling (`pod.labels`, `annotations`, `nodeSelector`,
//! `affinity`, `tolerations`, `builtinAutoscaler`, `autoScalingMetrics`, `autoScalingBehavior`,
//! `vpa`, `liveness`, `disableDefaultAffinity`, `minReplicas`), logging (`*.log.*`,
//! `logTopic` on Sink/Source, `logTopicAgent`, `filebeatImage`), images of auxiliary
//! containers (`downloaderImage`, `cleanupImage`), `imagePullPolicy` (overwritten by the
//! operator), `showPreciseParallelism`, producer tuning (`batchBuilder`, `compressionType`),
//! `cleanupAuthConfig` (the cleanup Job falls back to `authConfig`),
//! `persistentVolumeClaimRetentionPolicy`, and `status`.
//!
//! # Other rules
//! * Renames are applied, not dropped: `windowConfig.processingGuarantees` is written
//!   `processingGuarantee` for v0.23.0 (and back for v0.23.1 and later).
//! * Value shapes count: `authConfig` as a string exists only in v0.1.0–v0.1.4, as an object
//!   from v0.6.0; `funcConfig`/connector configs with non-string values need v0.1.7;
//!   `processingGuarantee: manual` needs v0.14.0.
//! * For a target before v0.1.4 the `apiVersion` group becomes `cloud.streamnative.io`.
//! * Fields the history does not know (or does not know for this kind) are left alone, as is
//!   the inside of embedded Kubernetes types and free-form maps.
//! * The target must be a known release tag (main line plus backport tags, which are treated
//!   by version order).
//! * Values never appear in reports or errors (they may be secrets).

use crate::version::{FunctionMeshVersion, VersionError};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

const EMBEDDED_HISTORY: &str = include_str!("../data/field-history.yaml");

/// The kind of resource a field history speaks of: fm-model's one [`fm_model::ComponentKind`].
pub use fm_model::ComponentKind as ResourceKind;

fn kind_index(kind: ResourceKind) -> usize {
    match kind {
        ResourceKind::Function => 0,
        ResourceKind::Sink => 1,
        ResourceKind::Source => 2,
    }
}

/// A field removed because the target release lacks it (a warning).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedField {
    /// JSON path in the document, e.g. `spec.pulsar.tlsConfig`; map keys that are not plain
    /// identifiers are written `["key"]`, list elements `[i]`.
    pub path: String,
    /// The release that introduced the field (with this value's shape). For a field the target
    /// lacks because it was removed, the release it first appeared in.
    pub introduced_in: FunctionMeshVersion,
    /// For a field removed before the target: the first release without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<FunctionMeshVersion>,
}

impl fmt::Display for DroppedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.removed_in {
            Some(removed) => write!(
                f,
                "{}: removed in Function Mesh {removed} (present from {})",
                self.path, self.introduced_in
            ),
            None => write!(
                f,
                "{}: introduced in Function Mesh {}",
                self.path, self.introduced_in
            ),
        }
    }
}

/// A dropped field whose loss would change behaviour the user asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BehaviouralField {
    /// The field (path and releases).
    #[serde(flatten)]
    pub field: DroppedField,
    /// What would change without it.
    pub reason: String,
}

impl fmt::Display for BehaviouralField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — {}", self.field, self.reason)
    }
}

/// Everything pruning found: warnings and behavioural losses.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PruneReport {
    /// Dropped fields whose loss is only a warning.
    pub dropped: Vec<DroppedField>,
    /// Dropped fields whose loss changes behaviour.
    pub behavioural: Vec<BehaviouralField>,
}

/// Why a resource could not be targeted at a release.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The target is not a known Function Mesh release.
    #[error(
        "--target-version {target}: not a known Function Mesh release (known: {oldest} … {newest})"
    )]
    UnknownRelease {
        /// The requested target.
        target: FunctionMeshVersion,
        /// Oldest known release.
        oldest: FunctionMeshVersion,
        /// Newest known release.
        newest: FunctionMeshVersion,
    },
    /// A `kind` string is not Function, Sink or Source.
    #[error(transparent)]
    UnknownKind(#[from] fm_model::UnknownKind),
    /// The document's `kind` differs from the kind asked for.
    #[error("kind: expected `{expected}`, found `{found}`")]
    KindMismatch {
        /// The kind asked for.
        expected: ResourceKind,
        /// The document's kind.
        found: String,
    },
    /// The document's `apiVersion` is not a Function Mesh group.
    #[error("apiVersion: expected compute.functionmesh.io/v1alpha1 (or cloud.streamnative.io/v1alpha1), found `{found}`")]
    ForeignApiVersion {
        /// The document's apiVersion (or its JSON type when not a string).
        found: String,
    },
    /// A part of the document that must be an object is not.
    #[error("{path}: expected a JSON object")]
    NotAnObject {
        /// Where.
        path: String,
    },
    /// A rename for the target collides with a field already present under the new name.
    #[error("{path}: cannot be written as `{name}` for Function Mesh {target}: that field is also present")]
    RenameConflict {
        /// The field to rename.
        path: String,
        /// Its name in the target release.
        name: String,
        /// The target.
        target: FunctionMeshVersion,
    },
    /// Dropping fields would change behaviour the user asked for.
    #[error("Function Mesh {target} lacks fields this resource relies on: {}", join_fields(.fields))]
    BehaviourChange {
        /// The target.
        target: FunctionMeshVersion,
        /// Every behavioural field the target lacks.
        fields: Vec<BehaviouralField>,
    },
}

fn join_fields(fields: &[BehaviouralField]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a field history could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// The YAML does not have the expected shape.
    #[error("field history YAML: {0}")]
    Yaml(String),
    /// A release in the history is malformed.
    #[error("field history, {context}: {source}")]
    Version {
        /// Where (`releases`, `apiGroups`, or a field path).
        context: String,
        /// The version error.
        #[source]
        source: VersionError,
    },
    /// `releases` is empty or not strictly ascending.
    #[error("field history: releases must be non-empty and strictly ascending (at {at})")]
    Releases {
        /// The first out-of-order release (or `empty`).
        at: String,
    },
    /// A field path is malformed or repeated.
    #[error("field history, field `{path}`: {reason}")]
    Field {
        /// The field path.
        path: String,
        /// What is wrong.
        reason: String,
    },
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
enum Shape {
    Any,
    String,
    Object,
    StringMap,
    OneOf(Vec<Value>),
}

impl Shape {
    fn accepts(&self, value: &Value) -> bool {
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
struct Window {
    from: FunctionMeshVersion,
    before: Option<FunctionMeshVersion>,
    shape: Shape,
    rename: Option<String>,
}

impl Window {
    fn covers(&self, target: &FunctionMeshVersion) -> bool {
        self.from <= *target && self.before.is_none_or(|b| *target < b)
    }
}

#[derive(Clone, Debug)]
struct Behaviour {
    why: String,
    harmless: Vec<Value>,
    same_as: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
struct Entry {
    kinds: [Option<Vec<Window>>; 3],
    opaque: bool,
    behaviour: Option<Behaviour>,
}

/// The per-release field history of Function, Sink and Source.
#[derive(Clone, Debug)]
pub struct FieldHistory {
    releases: Vec<FunctionMeshVersion>,
    api_groups: Vec<(FunctionMeshVersion, String)>,
    entries: BTreeMap<Vec<String>, Entry>,
    /// Per kind: every proper prefix of an applicable entry's path (where pruning descends).
    prefixes: [HashSet<Vec<String>>; 3],
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

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn child_display(parent: &str, key: &str) -> String {
    if is_identifier(key) {
        if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        }
    } else {
        format!("{parent}[{}]", Value::String(key.to_owned()))
    }
}

fn value_matches(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Object(p), Value::Object(v)) => p.iter().all(|(k, pv)| v.get(k) == Some(pv)),
        _ => pattern == value,
    }
}

fn lookup<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |v, seg| v.get(seg.as_str()))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

enum Decision {
    Keep(Option<String>),
    Drop(DroppedField),
    UnknownShape,
}

struct Ctx<'a> {
    kind: ResourceKind,
    target: FunctionMeshVersion,
    original: &'a Value,
}

impl FieldHistory {
    /// The embedded history (`data/field-history.yaml`).
    pub fn embedded() -> Self {
        // ok: the embedded YAML is fixed at build time and parsed by the unit test
        // `embedded_history_parses`; it cannot fail at run time.
        let parsed = Self::from_yaml(EMBEDDED_HISTORY);
        #[allow(clippy::expect_used)]
        parsed.expect("embedded field history parses") // ok: embedded, tested
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

    fn windows_for(&self, kind: ResourceKind, segs: &[String]) -> Option<(&Entry, &[Window])> {
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

    fn decide(
        windows: &[Window],
        target: &FunctionMeshVersion,
        value: &Value,
        path: &str,
    ) -> Decision {
        let fitting: Vec<&Window> = windows.iter().filter(|w| w.shape.accepts(value)).collect();
        if fitting.is_empty() {
            return Decision::UnknownShape;
        }
        if let Some(w) = fitting.iter().find(|w| w.covers(target)) {
            return Decision::Keep(w.rename.clone());
        }
        if let Some(from) = fitting.iter().map(|w| w.from).filter(|f| f > target).min() {
            return Decision::Drop(DroppedField {
                path: path.to_owned(),
                introduced_in: from,
                removed_in: None,
            });
        }
        match fitting
            .iter()
            .filter(|w| w.before.is_some())
            .max_by_key(|w| w.from)
        {
            Some(w) => Decision::Drop(DroppedField {
                path: path.to_owned(),
                introduced_in: w.from,
                removed_in: w.before,
            }),
            None => Decision::UnknownShape,
        }
    }

    fn walk(
        &self,
        ctx: &Ctx<'_>,
        value: &mut Value,
        pattern: &mut Vec<String>,
        display: &str,
        report: &mut PruneReport,
    ) -> Result<(), TargetError> {
        let prefixes = self.prefixes.get(kind_index(ctx.kind));
        let descends = |p: &Vec<String>| prefixes.is_some_and(|s| s.contains(p));
        match value {
            Value::Array(items) => {
                pattern.push("*".to_owned());
                if descends(pattern) {
                    for (i, item) in items.iter_mut().enumerate() {
                        self.walk(ctx, item, pattern, &format!("{display}[{i}]"), report)?;
                    }
                }
                pattern.pop();
                Ok(())
            }
            Value::Object(map) => {
                let old = std::mem::take(map);
                let old_keys: HashSet<String> = old.keys().cloned().collect();
                for (key, mut child) in old {
                    let path = child_display(display, &key);
                    let mut exact = pattern.clone();
                    exact.push(key.clone());
                    let mut wild = pattern.clone();
                    wild.push("*".to_owned());
                    let (found, seg_path) = match self.windows_for(ctx.kind, &exact) {
                        Some(hit) => (Some(hit), exact),
                        None => match self.windows_for(ctx.kind, &wild) {
                            Some(hit) => (Some(hit), wild),
                            None if descends(&exact) => (None, exact),
                            None => (None, wild),
                        },
                    };
                    let mut seg_path = seg_path;
                    let Some((entry, ws)) = found else {
                        if descends(&seg_path) {
                            self.walk(ctx, &mut child, &mut seg_path, &path, report)?;
                        }
                        map.insert(key, child);
                        continue;
                    };
                    match Self::decide(ws, &ctx.target, &child, &path) {
                        Decision::UnknownShape => {
                            map.insert(key, child);
                        }
                        Decision::Keep(rename) => {
                            if descends(&seg_path) {
                                self.walk(ctx, &mut child, &mut seg_path, &path, report)?;
                            }
                            let name = match rename {
                                Some(name) if name != key => {
                                    if old_keys.contains(&name) {
                                        return Err(TargetError::RenameConflict {
                                            path,
                                            name,
                                            target: ctx.target,
                                        });
                                    }
                                    name
                                }
                                _ => key,
                            };
                            map.insert(name, child);
                        }
                        Decision::Drop(field) => match &entry.behaviour {
                            Some(b)
                                if !b.harmless.iter().any(|h| value_matches(h, &child))
                                    && !b.same_as.as_ref().is_some_and(|p| {
                                        lookup(ctx.original, p) == Some(&child)
                                    }) =>
                            {
                                report.behavioural.push(BehaviouralField {
                                    field,
                                    reason: b.why.clone(),
                                });
                            }
                            _ => report.dropped.push(field),
                        },
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn check_target(&self, target: &FunctionMeshVersion) -> Result<(), TargetError> {
        if self.releases.contains(target) {
            return Ok(());
        }
        let (Some(oldest), Some(newest)) = (self.releases.first(), self.releases.last()) else {
            // ok: from_yaml guarantees a non-empty release list; report the target itself.
            return Err(TargetError::UnknownRelease {
                target: *target,
                oldest: *target,
                newest: *target,
            });
        };
        Err(TargetError::UnknownRelease {
            target: *target,
            oldest: *oldest,
            newest: *newest,
        })
    }

    /// Removes from `resource` every field `target` lacks and reports them all, behavioural or
    /// not, without failing on behavioural ones (for callers that let the user force it). On an
    /// error `resource` is unchanged.
    pub fn prune_report(
        &self,
        kind: ResourceKind,
        resource: &mut Value,
        target: &FunctionMeshVersion,
    ) -> Result<PruneReport, TargetError> {
        let (pruned, report) = self.pruned(kind, resource, target)?;
        *resource = pruned;
        Ok(report)
    }

    /// Like [`prune_for_target`], with this history.
    pub fn prune(
        &self,
        kind: ResourceKind,
        resource: &mut Value,
        target: &FunctionMeshVersion,
    ) -> Result<Vec<DroppedField>, TargetError> {
        let (pruned, report) = self.pruned(kind, resource, target)?;
        if !report.behavioural.is_empty() {
            return Err(TargetError::BehaviourChange {
                target: *target,
                fields: report.behavioural,
            });
        }
        *resource = pruned;
        Ok(report.dropped)
    }

    fn pruned(
        &self,
        kind: ResourceKind,
        original: &Value,
        target: &FunctionMeshVersion,
    ) -> Result<(Value, PruneReport), TargetError> {
        self.check_target(target)?;
        let mut resource = original.clone();
        let Value::Object(root) = &mut resource else {
            return Err(TargetError::NotAnObject {
                path: "(document)".to_owned(),
            });
        };
        if let Some(found) = root.get("kind") {
            if found.as_str() != Some(kind.as_str()) {
                return Err(TargetError::KindMismatch {
                    expected: kind,
                    found: found
                        .as_str()
                        .map_or_else(|| json_type(found).to_owned(), str::to_owned),
                });
            }
        }
        for key in ["spec", "status"] {
            if let Some(v) = root.get(key) {
                if !v.is_object() {
                    return Err(TargetError::NotAnObject {
                        path: key.to_owned(),
                    });
                }
            }
        }
        if let Some(api_version) = root.get_mut("apiVersion") {
            let text = api_version.as_str().unwrap_or_default().to_owned();
            let known = text
                .split_once('/')
                .filter(|(group, _)| self.api_groups.iter().any(|(_, g)| g == group));
            let Some((_, ver)) = known else {
                return Err(TargetError::ForeignApiVersion {
                    found: if api_version.is_string() {
                        text
                    } else {
                        json_type(api_version).to_owned()
                    },
                });
            };
            if let Some((_, group)) = self
                .api_groups
                .iter()
                .rev()
                .find(|(from, _)| from <= target)
            {
                *api_version = Value::String(format!("{group}/{ver}"));
            }
        }
        let ctx = Ctx {
            kind,
            target: *target,
            original,
        };
        let mut report = PruneReport::default();
        self.walk(&ctx, &mut resource, &mut Vec::new(), "", &mut report)?;
        Ok((resource, report))
    }
}

/// Makes `resource` (a whole Function, Sink or Source document) fit Function Mesh `target`:
/// removes every field that release lacks and returns them (path and introducing release) as
/// warnings. Fails with [`TargetError::BehaviourChange`], naming every such field, when a
/// dropped field is behavioural (see the module docs); on any error `resource` is unchanged.
///
/// This reads the embedded history on every call; a caller that targets many resources holds
/// one [`FieldHistory::embedded`] and calls [`FieldHistory::prune`] (as `fm_convert::Worker`
/// does).
pub fn prune_for_target(
    kind: ResourceKind,
    resource: &mut Value,
    target: &FunctionMeshVersion,
) -> Result<Vec<DroppedField>, TargetError> {
    FieldHistory::embedded().prune(kind, resource, target)
}
