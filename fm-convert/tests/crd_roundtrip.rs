//! Real Function Mesh resource documents (`fixtures/resources/`) parse into the typed
//! resources and serialise back to the same JSON value.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::crd::{
    parse_resource, to_kube_yaml, BackendConfig, Function, FunctionMesh, LogLevel,
    ProcessingGuarantee, Sink, Source, VpaUpdateMode,
};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

/// The first path where two JSON values differ, for readable failures.
fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let p = format!("{path}.{key}");
                match (x.get(key), y.get(key)) {
                    (Some(u), Some(v)) => {
                        if let Some(d) = first_diff(u, v, &p) {
                            return Some(d);
                        }
                    }
                    (u, v) => return Some(format!("{p}: {u:?} vs {v:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (u, v))| first_diff(u, v, &format!("{path}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{path}: {a} vs {b}")),
    }
}

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../fixtures/resources/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `name` as `T`, checks it serialises back to the same JSON value (directly and through
/// `to_kube_yaml`), and returns the typed value.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(name: &str) -> T {
    let text = fixture(name);
    let original: Value = serde_yaml_ng::from_str(&text).unwrap();
    let typed: T = parse_resource(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = serde_json::to_value(&typed).unwrap();
    assert_eq!(
        first_diff(&back, &original, ""),
        None,
        "{name}: serialised form differs"
    );

    let yaml = to_kube_yaml(&typed).unwrap();
    let reparsed: Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(
        first_diff(&reparsed, &original, ""),
        None,
        "{name}: kube YAML form differs"
    );

    let json = serde_json::to_string(&typed).unwrap();
    let again: T = parse_resource(&json).unwrap();
    assert_eq!(again, typed, "{name}: JSON re-parse differs");
    typed
}

#[test]
fn java_function_with_everything() {
    let f: Function = round_trip("function-java-full.yaml");
    let spec = &f.spec;
    assert_eq!(spec.image_has_wget, Some(true));
    assert_eq!(
        spec.processing_guarantee,
        Some(ProcessingGuarantee::AtleastOnce)
    );
    let java = spec.java.as_ref().unwrap();
    assert_eq!(java.log.as_ref().unwrap().level, Some(LogLevel::Off));
    let vpa = spec.pod.as_ref().unwrap().vpa.as_ref().unwrap();
    assert_eq!(
        vpa.update_policy.as_ref().unwrap().update_mode,
        Some(VpaUpdateMode::Off)
    );
    let status = f.status.as_ref().unwrap();
    assert_eq!(status.replicas, Some(2));
    assert_eq!(status.checked().unwrap().conditions.len(), 3);
    let oauth2 = spec
        .pulsar
        .as_ref()
        .and_then(|p| p.auth_config.as_ref())
        .and_then(|a| a.oauth2_config.as_ref())
        .unwrap();
    assert_eq!(oauth2.key_secret_key, "auth.json");
    let func_config = spec.func_config.as_ref().unwrap();
    assert_eq!(
        func_config["label"],
        Value::Null,
        "null inside funcConfig is kept"
    );
}

#[test]
fn python_function_with_connector_overrides_json() {
    let f: Function = round_trip("function-python-connectors.json");
    let source = f.spec.source_config.as_ref().unwrap();
    assert_eq!(source.source_type.as_deref(), Some("kafka"));
    assert_eq!(
        source.configs.as_ref().unwrap()["configs"]["fetch.min.bytes"],
        1
    );
    assert_eq!(f.spec.replicas, Some(0));
    assert!(f.spec.golang.is_some() && f.spec.generic_runtime.is_some());
}

#[test]
fn elasticsearch_sink() {
    let s: Sink = round_trip("sink-elasticsearch.yaml");
    assert_eq!(s.spec.sink_type.as_deref(), Some("elastic_search"));
    assert_eq!(s.spec.sink_config.as_ref().unwrap()["bulkActions"], 1000);
    assert_eq!(s.spec.timeout, Some(0), "explicit zero is kept");
    assert_eq!(
        s.spec.runtime_flags.as_deref(),
        Some(""),
        "explicit empty string is kept"
    );
}

#[test]
fn batch_source() {
    let s: Source = round_trip("source-batch.yaml");
    let batch = s.spec.batch_source_config.as_ref().unwrap();
    assert_eq!(
        batch.discovery_triggerer_config.as_ref().unwrap()["__CRON__"],
        "0 */5 * * * ?"
    );
    assert!(s.status.is_none());
}

#[test]
fn function_mesh() {
    let m: FunctionMesh = round_trip("function-mesh.yaml");
    assert_eq!(m.spec.functions.as_ref().unwrap().len(), 1);
    assert_eq!(m.spec.sinks.as_ref().unwrap().len(), 1);
    assert!(m.spec.sources.is_none());
}

#[test]
fn backend_config() {
    let b: BackendConfig = round_trip("backend-config.yaml");
    assert_eq!(b.spec.auto_update, Some(true));
    assert!(b.status.is_some(), "`status: {{}}` is kept");
}

#[test]
fn minimal_function_serialises_minimally() {
    let f: Function = parse_resource(
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec: {}\n",
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&f).unwrap(),
        serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1",
            "kind": "Function",
            "metadata": {"name": "f"},
            "spec": {}
        })
    );
}

/// Issue 14 item 7: the fields the CRD requires are not needed to read a status, so an absent
/// one stays absent when written again (the status conversion, `checked`, names it).
#[test]
fn status_keeps_absent_fields_absent() {
    let status = fm_convert::crd::ResourceStatus::default();
    assert_eq!(
        serde_json::to_value(&status).unwrap(),
        serde_json::json!({})
    );
    let full = fm_convert::crd::ResourceStatus {
        conditions: Some(Default::default()),
        replicas: Some(0),
        selector: Some(String::new()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&full).unwrap(),
        serde_json::json!({"conditions": {}, "replicas": 0, "selector": ""})
    );
}
