//! The field history in fm-compat (`fm-compat/data/field-history.yaml`) agrees with the
//! Function Mesh v0.27.2 Rust resource types:
//! * every Function Mesh-own field path of the generated CRD schemas of Function, Sink and
//!   Source has a first release (embedded Kubernetes types are covered as a whole);
//! * pruning a full resource document (every field of the schema, plus the fixtures in
//!   `fixtures/resources/`) for each known release leaves no field that release lacks.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_compat::target::{FieldHistory, ResourceKind};
use fm_compat::FunctionMeshVersion;
use fm_convert::crd::{Function, Sink, Source};
use kube::CustomResourceExt;
use serde_json::{json, Map, Value};
use std::path::PathBuf;

fn schema(kind: ResourceKind) -> Value {
    let crd = match kind {
        ResourceKind::Function => Function::crd(),
        ResourceKind::Sink => Sink::crd(),
        ResourceKind::Source => Source::crd(),
    };
    let version = crd.spec.versions.into_iter().next().unwrap();
    serde_json::to_value(version.schema.unwrap().open_api_v3_schema.unwrap()).unwrap()
}

fn join(pattern: &str, seg: &str) -> String {
    if pattern.is_empty() {
        seg.to_owned()
    } else {
        format!("{pattern}.{seg}")
    }
}

/// Whether the history says the inside of `pattern` is not tracked (an opaque entry or inside one).
fn opaque(history: &FieldHistory, kind: ResourceKind, pattern: &str) -> bool {
    // A child path that no entry names, but that is still covered, lies inside an opaque entry.
    history
        .first_release(kind, &join(pattern, "\u{0}probe"))
        .is_some()
}

/// Every property path of a schema (`*` for map values and list items), stopping inside opaque
/// entries (embedded Kubernetes types, free-form maps).
fn schema_paths(
    history: &FieldHistory,
    kind: ResourceKind,
    s: &Value,
    pattern: &str,
    out: &mut Vec<String>,
) {
    if !pattern.is_empty() && opaque(history, kind, pattern) {
        return;
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        for (name, sub) in props {
            let p = join(pattern, name);
            out.push(p.clone());
            schema_paths(history, kind, sub, &p, out);
        }
    }
    if let Some(sub) = s.get("additionalProperties").filter(|v| v.is_object()) {
        schema_paths(history, kind, sub, &join(pattern, "*"), out);
    }
    if let Some(sub) = s.get("items") {
        schema_paths(history, kind, sub, &join(pattern, "*"), out);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for sub in s.get(key).and_then(Value::as_array).into_iter().flatten() {
            schema_paths(history, kind, sub, pattern, out);
        }
    }
}

#[test]
fn every_field_of_the_v0_27_2_types_has_a_first_release() {
    let history = FieldHistory::embedded();
    let mut missing = Vec::new();
    let mut checked = 0;
    for kind in ResourceKind::ALL {
        let root = schema(kind);
        let mut paths = Vec::new();
        for top in ["spec", "status"] {
            let sub = &root["properties"][top];
            assert!(sub.is_object(), "{kind}: no {top} in the schema");
            paths.push(top.to_owned());
            schema_paths(&history, kind, sub, top, &mut paths);
        }
        // The walk reaches deep Function Mesh-own fields (so a missing entry would be seen).
        let deep: &[&str] = match kind {
            ResourceKind::Function => &[
                "spec.pod.liveness.failureThreshold",
                "spec.input.sourceSpecs.*.cryptoConfig.cryptoSecrets.*.asVolume",
                "spec.windowConfig.processingGuarantees",
                "spec.sourceConfig.batchSourceConfig.discoveryTriggererClassName",
                "spec.pulsarPackageService.authConfig.genericAuth.clientAuthenticationParameters",
                "spec.java.log.javaLog4JConfigFileType",
                "status.conditions.*.action",
            ],
            ResourceKind::Sink => &[
                "spec.retainKeyOrdering",
                "spec.negativeAckRedeliveryDelayMs",
            ],
            ResourceKind::Source => &["spec.batchSourceConfig.discoveryTriggererClassName"],
        };
        for d in deep {
            assert!(
                paths.iter().any(|p| p == d),
                "{kind}: schema walk misses {d}"
            );
        }
        for p in paths {
            checked += 1;
            match history.first_release(kind, &p) {
                Some(first) => assert!(
                    first <= FunctionMeshVersion::new(0, 27, 2),
                    "{kind} {p}: first release {first} is after v0.27.2"
                ),
                None => missing.push(format!("{kind} {p}")),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "paths without a first release:\n{}",
        missing.join("\n")
    );
    assert!(checked > 300, "only {checked} paths checked");
}

/// A value for `s`, filling every property; inside opaque entries a minimal value of the type.
fn sample(history: &FieldHistory, kind: ResourceKind, s: &Value, pattern: &str) -> Value {
    let inside_opaque = !pattern.is_empty() && opaque(history, kind, pattern);
    if let Some(first) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if s.get("x-kubernetes-int-or-string") == Some(&json!(true)) {
        return json!("1");
    }
    match s.get("type").and_then(Value::as_str) {
        Some("string") => json!("x"),
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") if inside_opaque => json!([]),
        Some("array") => match s.get("items") {
            Some(items) => json!([sample(history, kind, items, &join(pattern, "*"))]),
            None => json!([]),
        },
        _ if inside_opaque => json!({}),
        _ => {
            let mut m = Map::new();
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (name, sub) in props {
                    m.insert(
                        name.clone(),
                        sample(history, kind, sub, &join(pattern, name)),
                    );
                }
            }
            if let Some(sub) = s.get("additionalProperties").filter(|v| v.is_object()) {
                m.insert(
                    "persistent://public/default/key".to_owned(),
                    sample(history, kind, sub, &join(pattern, "*")),
                );
            } else if m.is_empty() {
                // A free-form object: string values fit every release's shape.
                m.insert("k".to_owned(), json!("v"));
            }
            Value::Object(m)
        }
    }
}

fn full_document(history: &FieldHistory, kind: ResourceKind) -> Value {
    let root = schema(kind);
    json!({
        "apiVersion": "compute.functionmesh.io/v1alpha1",
        "kind": kind.as_str(),
        "metadata": {"name": "full", "namespace": "default"},
        "spec": sample(history, kind, &root["properties"]["spec"], "spec"),
        "status": sample(history, kind, &root["properties"]["status"], "status"),
    })
}

/// Every field path in `doc` (outside opaque entries) that `release` lacks, or that the history
/// does not cover at all.
fn too_new(
    history: &FieldHistory,
    kind: ResourceKind,
    doc: &Value,
    schema: Option<&Value>,
    pattern: &str,
    release: &FunctionMeshVersion,
    out: &mut Vec<String>,
) {
    if !pattern.is_empty() && opaque(history, kind, pattern) {
        return;
    }
    match doc {
        Value::Object(m) => {
            for (key, value) in m {
                let (seg, sub) = match schema {
                    Some(s) if s["properties"].get(key).is_some() => {
                        (key.as_str(), s["properties"].get(key))
                    }
                    Some(s) if s["additionalProperties"].is_object() => {
                        ("*", s.get("additionalProperties"))
                    }
                    // A free-form map: its keys are data, not fields.
                    Some(s) if s.get("properties").is_none() => continue,
                    _ => (key.as_str(), None),
                };
                let p = join(pattern, seg);
                if seg == "*" {
                    // A map value: the key is data, the value's fields are checked below.
                    too_new(history, kind, value, sub, &p, release, out);
                    continue;
                }
                match history.available_in(kind, &p, release) {
                    Some(true) => too_new(history, kind, value, sub, &p, release, out),
                    Some(false) => out.push(format!("{p} (lacked by {release})")),
                    None => out.push(format!("{p} (not in the history)")),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let sub = schema.and_then(|s| s.get("items"));
                too_new(history, kind, item, sub, &join(pattern, "*"), release, out);
            }
        }
        _ => {}
    }
}

fn check_all_releases(
    history: &FieldHistory,
    kind: ResourceKind,
    doc: &Value,
    name: &str,
) -> usize {
    let root = schema(kind);
    let mut dropped_total = 0;
    for release in history.releases() {
        let mut pruned = doc.clone();
        let report = history
            .prune_report(kind, &mut pruned, release)
            .unwrap_or_else(|e| panic!("{name} for {release}: {e}"));
        dropped_total += report.dropped.len() + report.behavioural.len();
        let mut bad = Vec::new();
        for top in ["spec", "status"] {
            if let Some(v) = pruned.get(top) {
                match history.available_in(kind, top, release) {
                    Some(true) => {}
                    other => bad.push(format!("{top}: {other:?}")),
                }
                too_new(
                    history,
                    kind,
                    v,
                    root["properties"].get(top),
                    top,
                    release,
                    &mut bad,
                );
            }
        }
        assert!(
            bad.is_empty(),
            "{name} pruned for {release} still has:\n{}",
            bad.join("\n")
        );
        if *release == FunctionMeshVersion::new(0, 27, 2) {
            assert_eq!(
                report.dropped.len() + report.behavioural.len(),
                0,
                "{name}: nothing is dropped for v0.27.2: {report:?}"
            );
            assert_eq!(&pruned, doc, "{name}: unchanged for v0.27.2");
        }
    }
    dropped_total
}

#[test]
fn pruning_a_full_document_for_each_release_leaves_nothing_newer() {
    let history = FieldHistory::embedded();
    for kind in ResourceKind::ALL {
        let doc = full_document(&history, kind);
        let dropped = check_all_releases(&history, kind, &doc, &format!("full {kind}"));
        assert!(
            dropped > 100,
            "full {kind}: only {dropped} drops over all releases"
        );
    }
}

#[test]
fn full_documents_match_the_rust_types() {
    // The generated full documents are real resources: they deserialise into the types.
    let history = FieldHistory::embedded();
    let f: Result<Function, _> =
        serde_json::from_value(full_document(&history, ResourceKind::Function));
    let s: Result<Sink, _> = serde_json::from_value(full_document(&history, ResourceKind::Sink));
    let o: Result<Source, _> =
        serde_json::from_value(full_document(&history, ResourceKind::Source));
    assert!(f.is_ok(), "{f:?}");
    assert!(s.is_ok(), "{s:?}");
    assert!(o.is_ok(), "{o:?}");
}

#[test]
fn pruning_each_fixture_for_each_release_leaves_nothing_newer() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures/resources");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return; // no fixtures yet
    };
    let history = FieldHistory::embedded();
    let mut checked = 0;
    let mut names: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_yaml_ng::from_str(&text).unwrap();
        let Some(kind) = doc["kind"]
            .as_str()
            .and_then(|k| k.parse::<ResourceKind>().ok())
        else {
            continue; // FunctionMesh, BackendConfig
        };
        check_all_releases(&history, kind, &doc, &path.display().to_string());
        checked += 1;
    }
    assert!(
        checked >= 1,
        "no Function/Sink/Source fixture in {}",
        dir.display()
    );
}

#[test]
fn fixture_with_tls_and_auth_config_fails_for_v0_3_0() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/resources/function-java-full.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return; // fixture not present
    };
    let mut doc: Value = serde_yaml_ng::from_str(&text).unwrap();
    let before = doc.clone();
    let target: FunctionMeshVersion = "v0.3.0".parse().unwrap();
    let err =
        fm_compat::target::prune_for_target(ResourceKind::Function, &mut doc, &target).unwrap_err();
    let fm_compat::target::TargetError::BehaviourChange { fields, .. } = &err else {
        panic!("expected BehaviourChange, got {err}")
    };
    let named: Vec<String> = fields
        .iter()
        .map(|f| format!("{} {}", f.field.path, f.field.introduced_in))
        .collect();
    assert!(
        named.contains(&"spec.pulsar.tlsConfig v0.4.0".to_owned()),
        "{named:?}"
    );
    assert!(
        named.contains(&"spec.pulsar.authConfig v0.6.0".to_owned()),
        "{named:?}"
    );
    assert_eq!(doc, before, "unchanged on error");
}
