//! The generated CustomResourceDefinitions carry upstream's markers, and every key of every
//! fixture resource is declared by the schema (so the API server would not prune it).

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::crd::{
    backend_config_crd, function_crd, function_mesh_crd, schema, sink_crd, source_crd, Function,
    API_VERSION, GROUP, KIND_BACKEND_CONFIG, KIND_FUNCTION, KIND_FUNCTION_MESH, KIND_SINK,
    KIND_SOURCE, VERSION,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The five CRDs, generated once per test binary (generation is slow in debug builds).
fn all() -> Vec<(&'static str, CustomResourceDefinition)> {
    static CRDS: OnceLock<Vec<(&'static str, CustomResourceDefinition)>> = OnceLock::new();
    CRDS.get_or_init(|| {
        vec![
            (KIND_FUNCTION, function_crd()),
            (KIND_SINK, sink_crd()),
            (KIND_SOURCE, source_crd()),
            (KIND_FUNCTION_MESH, function_mesh_crd()),
            (KIND_BACKEND_CONFIG, backend_config_crd()),
        ]
    })
    .clone()
}

fn crd(kind: &str) -> CustomResourceDefinition {
    all()
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| c)
        .unwrap()
}

fn root_schema(crd: &CustomResourceDefinition) -> Value {
    let version = &crd.spec.versions[0];
    serde_json::to_value(
        version
            .schema
            .as_ref()
            .unwrap()
            .open_api_v3_schema
            .as_ref()
            .unwrap(),
    )
    .unwrap()
}

/// Walks a schema along dotted property names (`[]` = array items, `{}` = map values).
fn at<'a>(schema: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(schema, |s, seg| match seg {
        "[]" => &s["items"],
        "{}" => &s["additionalProperties"],
        name => &s["properties"][name],
    })
}

fn count_key(v: &Value, key: &str) -> usize {
    match v {
        Value::Object(m) => {
            usize::from(m.contains_key(key)) + m.values().map(|c| count_key(c, key)).sum::<usize>()
        }
        Value::Array(a) => a.iter().map(|c| count_key(c, key)).sum(),
        _ => 0,
    }
}

#[test]
fn names_scope_and_version() {
    assert_eq!(API_VERSION, format!("{GROUP}/{VERSION}"));
    let expected = [
        ("functions", "function"),
        ("sinks", "sink"),
        ("sources", "source"),
        ("functionmeshes", "functionmesh"),
        ("backendconfigs", "backendconfig"),
    ];
    for ((kind, crd), (plural, singular)) in all().into_iter().zip(expected) {
        assert_eq!(
            crd.metadata.name.as_deref(),
            Some(format!("{plural}.{GROUP}").as_str())
        );
        assert_eq!(crd.spec.group, GROUP);
        assert_eq!(crd.spec.scope, "Namespaced");
        let names = &crd.spec.names;
        assert_eq!(names.kind, kind);
        assert_eq!(names.plural, plural);
        assert_eq!(names.singular.as_deref(), Some(singular));
        assert_eq!(
            names.list_kind.as_deref(),
            Some(format!("{kind}List").as_str())
        );
        assert!(names.short_names.is_none());
        assert_eq!(crd.spec.versions.len(), 1);
        let v = &crd.spec.versions[0];
        assert_eq!(
            (v.name.as_str(), v.served, v.storage),
            (VERSION, true, true)
        );
        assert!(v.additional_printer_columns.is_none());
    }
}

#[test]
fn subresources_like_upstream() {
    for (kind, crd) in all() {
        let sub = crd.spec.versions[0].subresources.as_ref().unwrap();
        assert!(sub.status.is_some(), "{kind}: status subresource");
        match sub.scale.as_ref() {
            Some(scale) => {
                assert_ne!(
                    kind, KIND_FUNCTION_MESH,
                    "FunctionMesh has no scale subresource"
                );
                assert_eq!(scale.spec_replicas_path, ".spec.replicas");
                assert_eq!(scale.status_replicas_path, ".status.replicas");
                assert_eq!(
                    scale.label_selector_path.as_deref(),
                    Some(".status.selector")
                );
            }
            None => assert_eq!(kind, KIND_FUNCTION_MESH, "{kind}: scale subresource"),
        }
    }
}

#[test]
fn root_markers() {
    for (kind, crd) in all() {
        let root = root_schema(&crd);
        let preserve = root.get("x-kubernetes-preserve-unknown-fields").cloned();
        if kind == KIND_FUNCTION_MESH {
            assert_eq!(preserve, None, "{kind}");
        } else {
            assert_eq!(preserve, Some(json!(true)), "{kind}");
        }
        assert_eq!(root["type"], "object");
        assert!(root.get("title").is_none(), "{kind}");
        assert!(
            root.get("required").is_none(),
            "{kind}: spec is not required upstream"
        );
        assert_eq!(root["properties"]["apiVersion"], json!({"type": "string"}));
        assert_eq!(root["properties"]["kind"], json!({"type": "string"}));
        assert_eq!(root["properties"]["metadata"], json!({"type": "object"}));
    }
}

#[test]
fn post_processing_changes_exactly_what_it_documents() {
    let raw = serde_json::to_value(Function::crd()).unwrap();
    let mut processed = Function::crd();
    schema::apply_upstream_markers(
        &mut processed,
        schema::UpstreamMarkers {
            root_preserve_unknown_fields: true,
        },
    );
    let processed = serde_json::to_value(processed).unwrap();
    assert!(count_key(&raw, "description") > 100);
    assert!(count_key(&raw, "nullable") > 50);
    assert_eq!(count_key(&processed, "description"), 0);
    assert_eq!(count_key(&processed, "nullable"), 0);
    assert_eq!(count_key(&processed, "title"), 0);
    // No `null` left in any enum.
    let schema = &processed["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    assert_eq!(
        at(schema, "spec.processingGuarantee")["enum"],
        json!(["atleast_once", "atmost_once", "effectively_once", "manual"])
    );
    assert_eq!(
        raw["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["required"],
        json!(["spec"])
    );
    assert_eq!(processed, serde_json::to_value(crd(KIND_FUNCTION)).unwrap());
}

#[test]
fn replica_markers() {
    for crd in [crd(KIND_FUNCTION), crd(KIND_SINK), crd(KIND_SOURCE)] {
        let root = root_schema(&crd);
        assert_eq!(
            at(&root, "spec.replicas"),
            &json!({"format": "int32", "minimum": 0.0, "type": "integer"})
        );
        assert_eq!(
            at(&root, "spec.minReplicas"),
            &json!({"default": 1, "format": "int32", "minimum": 0.0, "type": "integer"})
        );
        assert_eq!(
            at(&root, "spec.maxReplicas"),
            &json!({"format": "int32", "type": "integer"})
        );
    }
}

#[test]
fn free_form_fields_preserve_unknown_fields() {
    let preserve = json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    let function = root_schema(&crd(KIND_FUNCTION));
    for path in [
        "spec.funcConfig",
        "spec.sourceConfig.configs",
        "spec.sinkConfig.configs",
        "spec.sourceConfig.batchSourceConfig.discoveryTriggererConfig",
    ] {
        assert_eq!(at(&function, path), &preserve, "{path}");
    }
    assert_eq!(
        at(&root_schema(&crd(KIND_SINK)), "spec.sinkConfig"),
        &preserve
    );
    let source = root_schema(&crd(KIND_SOURCE));
    assert_eq!(at(&source, "spec.sourceConfig"), &preserve);
    assert_eq!(
        at(&source, "spec.batchSourceConfig.discoveryTriggererConfig"),
        &preserve
    );
    // Upstream quirk, kept: javaProvider.config has no preserve marker.
    assert_eq!(
        at(&function, "spec.statefulConfig.pulsar.javaProvider.config"),
        &json!({"type": "object"})
    );
}

#[test]
fn typed_connector_specs_on_function_only() {
    let function = root_schema(&crd(KIND_FUNCTION));
    let source_config = at(&function, "spec.sourceConfig");
    let keys: Vec<&String> = source_config["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        keys,
        [
            "batchSourceConfig",
            "className",
            "configs",
            "sourceType",
            "typeClassName"
        ]
    );
    let sink_config = at(&function, "spec.sinkConfig");
    let keys: Vec<&String> = sink_config["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["className", "configs", "sinkType", "typeClassName"]);
}

#[test]
fn required_fields_and_enums() {
    let f = root_schema(&crd(KIND_FUNCTION));
    let required = |path: &str| at(&f, path)["required"].clone();
    assert_eq!(required("spec.java"), json!(["jar"]));
    assert_eq!(required("spec.python"), json!(["py"]));
    assert_eq!(required("spec.golang"), json!(["go"]));
    assert_eq!(
        required("spec.genericRuntime"),
        json!(["functionFile", "language"])
    );
    assert_eq!(
        required("spec.windowConfig"),
        json!(["actualWindowFunctionClassName"])
    );
    assert_eq!(
        required("spec.statefulConfig.pulsar"),
        json!(["serviceUrl"])
    );
    assert_eq!(
        required("spec.statefulConfig.pulsar.javaProvider"),
        json!(["className"])
    );
    assert_eq!(required("spec.java.log.logConfig"), json!(["key", "name"]));
    assert_eq!(
        required("spec.pulsar.authConfig.oauth2Config"),
        json!(["audience", "issuerUrl", "keySecretKey", "keySecretName"])
    );
    assert_eq!(
        required("spec.pulsar.cleanupAuthConfig.genericAuth"),
        json!([
            "clientAuthenticationParameters",
            "clientAuthenticationPlugin"
        ])
    );
    assert_eq!(
        required("spec.input.sourceSpecs.{}.cryptoConfig.cryptoSecrets.[]"),
        json!(["secretKey", "secretName"])
    );
    assert_eq!(
        required("status"),
        json!(["conditions", "replicas", "selector"])
    );
    let e = |path: &str| at(&f, path)["enum"].clone();
    assert_eq!(
        e("spec.subscriptionPosition"),
        json!(["latest", "earliest"])
    );
    assert_eq!(e("spec.logTopicAgent"), json!(["runtime", "sidecar"]));
    assert_eq!(
        e("spec.output.producerConf.compressionType"),
        json!(["NONE", "LZ4", "ZLIB", "ZSTD", "SNAPPY"])
    );
    assert_eq!(
        e("spec.java.log.level"),
        json!(["off", "trace", "debug", "info", "warn", "error", "fatal", "all", "panic"])
    );
    assert_eq!(
        e("spec.java.log.javaLog4JConfigFileType"),
        json!(["yaml", "xml", "ini"])
    );
    assert_eq!(e("spec.java.log.format"), json!(["json", "text"]));
    assert_eq!(
        e("spec.windowConfig.processingGuarantees"),
        json!(["ATLEAST_ONCE", "ATMOST_ONCE"])
    );
    assert_eq!(
        e("spec.pod.vpa.updatePolicy.updateMode"),
        json!(["Off", "Initial", "Recreate", "Auto"])
    );
    assert_eq!(
        e("spec.pod.vpa.resourcePolicy.containerPolicies.[].mode"),
        json!(["Auto", "Off"])
    );
    assert_eq!(
        e("spec.pod.vpa.resourcePolicy.containerPolicies.[].controlledValues"),
        json!(["RequestsAndLimits", "RequestsOnly"])
    );
    assert_eq!(
        at(&f, "spec.pod.builtinAutoscaler.[]"),
        &json!({"type": "string"})
    );
    assert_eq!(
        at(&f, "spec.input.sourceSpecs.{}.serdeClassname"),
        &json!({"type": "string"})
    );
    assert_eq!(at(&f, "spec.imageHasGet"), &json!({"type": "boolean"}));
}

#[test]
fn kind_specific_fields() {
    let keys = |crd: CustomResourceDefinition| -> Vec<String> {
        at(&root_schema(&crd), "spec")["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let (f, sk, so) = (
        keys(crd(KIND_FUNCTION)),
        keys(crd(KIND_SINK)),
        keys(crd(KIND_SOURCE)),
    );
    assert_eq!((f.len(), sk.len(), so.len()), (51, 44, 36));
    for only_function in [
        "funcConfig",
        "windowConfig",
        "maxPendingAsyncRequests",
        "skipToLatest",
        "volumeClaimTemplates",
        "persistentVolumeClaimRetentionPolicy",
    ] {
        assert!(
            f.iter().any(|k| k == only_function)
                && !sk.iter().any(|k| k == only_function)
                && !so.iter().any(|k| k == only_function),
            "{only_function}"
        );
    }
    assert!(
        sk.iter().any(|k| k == "negativeAckRedeliveryDelayMs")
            && !f.iter().any(|k| k == "negativeAckRedeliveryDelayMs")
    );
    assert!(so.iter().any(|k| k == "batchSourceConfig") && sk.iter().any(|k| k == "input"));
    assert!(!so.iter().any(|k| k == "input") && !sk.iter().any(|k| k == "output"));
}

/// Keys of `value` that the schema does not declare (and would therefore be pruned).
fn undeclared(value: &Value, schema: &Value, path: &str, out: &mut Vec<String>) {
    if schema.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true))
        && schema.get("properties").is_none()
    {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{path}.{k}");
                if let Some(child) = schema.get("properties").and_then(|p| p.get(k)) {
                    undeclared(v, child, &p, out);
                } else if let Some(child) = schema.get("additionalProperties") {
                    undeclared(v, child, &p, out);
                } else if schema.get("x-kubernetes-preserve-unknown-fields") != Some(&json!(true)) {
                    out.push(p);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                undeclared(v, &schema["items"], &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_fixture_key_is_declared_by_the_schema() {
    // The one expected gap is upstream's quirk: `javaProvider.config` is not preserved.
    let java_provider_quirk =
        vec![".spec.statefulConfig.pulsar.javaProvider.config.cacheSize".to_owned()];
    let cases = [
        (
            "function-java-full.yaml",
            crd(KIND_FUNCTION),
            java_provider_quirk,
        ),
        (
            "function-python-connectors.json",
            crd(KIND_FUNCTION),
            vec![],
        ),
        ("sink-elasticsearch.yaml", crd(KIND_SINK), vec![]),
        ("source-batch.yaml", crd(KIND_SOURCE), vec![]),
        ("function-mesh.yaml", crd(KIND_FUNCTION_MESH), vec![]),
        ("backend-config.yaml", crd(KIND_BACKEND_CONFIG), vec![]),
    ];
    for (name, crd, expected) in cases {
        let path = format!(
            "{}/../fixtures/resources/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value = serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut schema = root_schema(&crd);
        // metadata is validated by the API server itself, not by the CRD schema.
        schema["properties"]["metadata"] =
            json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
        schema
            .as_object_mut()
            .unwrap()
            .remove("x-kubernetes-preserve-unknown-fields");
        let mut out = Vec::new();
        undeclared(&doc, &schema, "", &mut out);
        assert_eq!(out, expected, "{name}: undeclared keys");
    }
}
