//! Targeted resources: pruning a resource for an older Function Mesh release.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_compat::target::{
    prune_for_target, FieldHistory, HistoryError, PruneReport, ResourceKind, TargetError,
};
use fm_compat::FunctionMeshVersion;
use serde_json::{json, Value};

fn v(s: &str) -> FunctionMeshVersion {
    s.parse().unwrap()
}

fn function(spec: Value) -> Value {
    json!({
        "apiVersion": "compute.functionmesh.io/v1alpha1",
        "kind": "Function",
        "metadata": {"name": "f", "namespace": "default"},
        "spec": spec,
    })
}

fn paths(dropped: &[fm_compat::target::DroppedField]) -> Vec<String> {
    dropped.iter().map(|d| d.to_string()).collect()
}

#[test]
fn embedded_history_parses_and_knows_the_releases() {
    let h = FieldHistory::embedded();
    assert_eq!(h.releases().first(), Some(&v("v0.1.0")));
    assert_eq!(h.releases().last(), Some(&v("v0.27.2")));
    assert!(h.releases().contains(&v("v0.21.10")));
}

#[test]
fn first_releases_from_the_reference() {
    let h = FieldHistory::embedded();
    let f = ResourceKind::Function;
    let cases = [
        (f, "spec.pulsar.tlsConfig", "v0.4.0"),
        (f, "spec.pulsar.tlsConfig.certSecretKey", "v0.4.0"),
        (f, "spec.pulsar.authConfig", "v0.1.0"),
        (f, "spec.pulsar.authConfig.oauth2Config", "v0.6.0"),
        (f, "spec.pulsar.authConfig.genericAuth", "v0.13.0"),
        (f, "spec.statefulConfig", "v0.2.0"),
        (ResourceKind::Sink, "spec.statefulConfig", "v0.8.0"),
        (ResourceKind::Sink, "spec.logTopic", "v0.1.4"),
        (ResourceKind::Sink, "spec.retainKeyOrdering", "v0.11.1"),
        (f, "spec.windowConfig.processingGuarantees", "v0.23.0"),
        (f, "spec.pod.liveness.failureThreshold", "v0.11.2"),
        (f, "spec.pod.affinity.nodeAffinity", "v0.1.2"),
        (
            f,
            "spec.input.sourceSpecs.*.cryptoConfig.cryptoSecrets.*.asVolume",
            "v0.1.2",
        ),
        (
            ResourceKind::Source,
            "spec.batchSourceConfig.discoveryTriggererConfig.x",
            "v0.8.0",
        ),
        (f, "spec.pulsarPackageService.tlsConfig.enabled", "v0.27.0"),
    ];
    for (kind, path, first) in cases {
        assert_eq!(h.first_release(kind, path), Some(v(first)), "{kind} {path}");
    }
    assert_eq!(
        h.first_release(ResourceKind::Sink, "spec.windowConfig"),
        None
    );
    assert_eq!(h.first_release(f, "spec.nonsense"), None);
    // Non-opaque ancestors do not cover unknown children.
    assert_eq!(h.first_release(f, "spec.pulsar.tlsConfig.nonsense"), None);
}

#[test]
fn availability_follows_removals_and_renames() {
    let h = FieldHistory::embedded();
    let sink = ResourceKind::Sink;
    assert_eq!(
        h.available_in(sink, "spec.logTopic", &v("v0.1.5")),
        Some(true)
    );
    assert_eq!(
        h.available_in(sink, "spec.logTopic", &v("v0.10.0")),
        Some(false)
    );
    assert_eq!(
        h.available_in(sink, "spec.logTopic", &v("v0.16.0")),
        Some(true)
    );
    let f = ResourceKind::Function;
    assert_eq!(h.available_in(f, "spec.sinkType", &v("v0.1.3")), Some(true));
    assert_eq!(
        h.available_in(f, "spec.sinkType", &v("v0.1.4")),
        Some(false)
    );
    let pgs = "spec.windowConfig.processingGuarantees";
    let pg = "spec.windowConfig.processingGuarantee";
    assert_eq!(h.available_in(f, pgs, &v("v0.23.0")), Some(false));
    assert_eq!(h.available_in(f, pg, &v("v0.23.0")), Some(true));
    assert_eq!(h.available_in(f, pgs, &v("v0.23.1")), Some(true));
    assert_eq!(h.available_in(f, pg, &v("v0.23.1")), Some(false));
}

#[test]
fn nothing_is_dropped_for_the_newest_release() {
    let mut doc = function(json!({
        "className": "C", "pulsar": {"pulsarConfig": "cfg", "tlsConfig": {"enabled": true}},
        "java": {"jar": "a.jar", "log": {"level": "info", "format": "json"}},
        "pod": {"liveness": {"periodSeconds": 10}, "disableDefaultAffinity": true},
    }));
    let before = doc.clone();
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.27.2"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(doc, before);
}

#[test]
fn warnings_name_the_path_and_release() {
    let mut doc = function(json!({
        "className": "C",
        "minReplicas": 1,
        "java": {"jar": "a.jar", "log": {"level": "info", "rotatePolicy": "TimedPolicyWithDaily"}},
        "pod": {"labels": {"a": "b"}, "liveness": {"periodSeconds": 10, "failureThreshold": 3}},
        "input": {"topics": ["t"], "sourceSpecs": {"persistent://public/default/t": {"receiverQueueSize": 5}}},
    }));
    let dropped = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.5.0")).unwrap();
    insta::assert_yaml_snapshot!(paths(&dropped), @r###"
    - "spec.minReplicas: introduced in Function Mesh v0.6.0"
    - "spec.java.log.rotatePolicy: introduced in Function Mesh v0.6.0"
    - "spec.pod.liveness: introduced in Function Mesh v0.9.0"
    "###);
    insta::assert_json_snapshot!(doc["spec"], @r###"
    {
      "className": "C",
      "java": {
        "jar": "a.jar",
        "log": {
          "level": "info"
        }
      },
      "pod": {
        "labels": {
          "a": "b"
        }
      },
      "input": {
        "topics": [
          "t"
        ],
        "sourceSpecs": {
          "persistent://public/default/t": {
            "receiverQueueSize": 5
          }
        }
      }
    }
    "###);
}

#[test]
fn map_keys_that_are_not_identifiers_are_quoted_in_paths() {
    let mut doc = function(json!({
        "input": {"sourceSpecs": {"persistent://public/default/t": {"cryptoConfig": {"cryptoKeyReaderClassName": "K"}}}},
    }));
    let report = FieldHistory::embedded()
        .prune_report(ResourceKind::Function, &mut doc, &v("v0.1.1"))
        .unwrap();
    assert_eq!(
        report.behavioural[0].field.path,
        "spec.input.sourceSpecs[\"persistent://public/default/t\"].cryptoConfig"
    );
}

#[test]
fn tls_config_before_v0_4_0_is_behavioural() {
    let mut doc = function(json!({
        "pulsar": {"pulsarConfig": "cfg", "tlsConfig": {"enabled": true, "certSecretName": "ca"}},
        "minReplicas": 1,
    }));
    let before = doc.clone();
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.3.0")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Function Mesh v0.3.0 lacks fields this resource relies on: spec.pulsar.tlsConfig: introduced in Function Mesh v0.4.0 — the function would connect to Pulsar without the configured TLS settings"
    );
    assert_eq!(doc, before, "unchanged on error");
}

#[test]
fn object_auth_config_before_v0_6_0_is_behavioural() {
    let mut doc = function(json!({
        "pulsar": {"pulsarConfig": "cfg", "authConfig": {"oauth2Config": {"audience": "a", "issuerUrl": "i", "keySecretName": "s", "keySecretKey": "auth.json"}}},
    }));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.5.0")).unwrap_err();
    let TargetError::BehaviourChange { target, fields } = err else {
        panic!("expected BehaviourChange")
    };
    assert_eq!(target, v("v0.5.0"));
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].field.path, "spec.pulsar.authConfig");
    assert_eq!(fields[0].field.introduced_in, v("v0.6.0"));
    // From v0.6.0 it stays; generic auth inside it needs v0.13.0.
    let mut doc = function(json!({"pulsar": {"authConfig": {"genericAuth": {
        "clientAuthenticationPlugin": "org.apache.pulsar.client.impl.auth.AuthenticationToken",
        "clientAuthenticationParameters": "token:CANARY-SECRET-TOKEN"}}}}));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.12.0")).unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(
        shown.contains("spec.pulsar.authConfig.genericAuth: introduced in Function Mesh v0.13.0")
    );
    assert!(!shown.contains("CANARY"), "values never appear in errors");
}

#[test]
fn string_auth_config_is_the_old_shape() {
    let mut doc = function(json!({"pulsar": {"pulsarConfig": "cfg", "authConfig": "auth-cm"}}));
    let mut old = doc.clone();
    assert!(
        prune_for_target(ResourceKind::Function, &mut old, &v("v0.1.3"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(old["spec"]["pulsar"]["authConfig"], "auth-cm");
    assert_eq!(old["apiVersion"], "cloud.streamnative.io/v1alpha1");
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.14.0")).unwrap_err();
    let TargetError::BehaviourChange { fields, .. } = err else {
        panic!("expected BehaviourChange")
    };
    assert_eq!(fields[0].field.removed_in, Some(v("v0.1.5")));
    assert_eq!(fields[0].field.introduced_in, v("v0.1.0"));
}

#[test]
fn every_behavioural_field_is_named() {
    let mut doc = function(json!({
        "pulsar": {"tlsConfig": {"enabled": true}, "authConfig": {"oauth2Config": {}}},
        "windowConfig": {"windowLengthCount": 10},
        "statefulConfig": {"pulsar": {"serviceUrl": "bk://x"}},
        "genericRuntime": {"functionFile": "f.js", "language": "nodejs"},
        "pod": {"env": [{"name": "A", "value": "1"}]},
    }));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.1.11")).unwrap_err();
    let TargetError::BehaviourChange { fields, .. } = err else {
        panic!("expected BehaviourChange")
    };
    let named: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.field.path.clone(), f.field.introduced_in.to_string()))
        .collect();
    insta::assert_yaml_snapshot!(named, @r###"
    - - spec.pulsar.tlsConfig
      - v0.4.0
    - - spec.pulsar.authConfig
      - v0.6.0
    - - spec.windowConfig
      - v0.6.0
    - - spec.statefulConfig
      - v0.2.0
    - - spec.genericRuntime
      - v0.18.0
    - - spec.pod.env
      - v0.4.0
    "###);
}

#[test]
fn harmless_values_only_warn() {
    let mut doc = function(json!({
        "skipToLatest": false,
        "imageHasPulsarctl": false,
        "java": {"jar": "a.jar", "entryClass": "org.apache.pulsar.functions.instance.JavaInstanceMain"},
        "windowConfig": {"windowLengthCount": 10, "processingGuarantees": "ATLEAST_ONCE"},
    }));
    let dropped = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.13.0")).unwrap();
    insta::assert_yaml_snapshot!(paths(&dropped), @r###"
    - "spec.skipToLatest: introduced in Function Mesh v0.14.0"
    - "spec.imageHasPulsarctl: introduced in Function Mesh v0.14.0"
    - "spec.java.entryClass: introduced in Function Mesh v0.26.0"
    - "spec.windowConfig.processingGuarantees: introduced in Function Mesh v0.23.0"
    "###);
    let mut doc = function(json!({"skipToLatest": true}));
    assert!(prune_for_target(ResourceKind::Function, &mut doc, &v("v0.13.0")).is_err());
}

#[test]
fn pulsar_namespace_is_harmless_when_it_equals_the_kubernetes_namespace() {
    let mut same = function(json!({"namespace": "default"}));
    let dropped = prune_for_target(ResourceKind::Function, &mut same, &v("v0.1.6")).unwrap();
    assert_eq!(dropped[0].path, "spec.namespace");
    let mut other = function(json!({"namespace": "ingest"}));
    assert!(prune_for_target(ResourceKind::Function, &mut other, &v("v0.1.6")).is_err());
}

#[test]
fn manual_processing_guarantee_needs_v0_14_0() {
    let mut doc = function(json!({"processingGuarantee": "manual"}));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.13.0")).unwrap_err();
    assert!(err
        .to_string()
        .contains("spec.processingGuarantee: introduced in Function Mesh v0.14.0"));
    let mut doc = function(json!({"processingGuarantee": "effectively_once"}));
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.13.0"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn non_string_user_config_needs_v0_1_7() {
    let mut doc = function(json!({"funcConfig": {"a": "1"}}));
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.1.6"))
            .unwrap()
            .is_empty()
    );
    let mut doc = function(json!({"funcConfig": {"a": 1}}));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.1.6")).unwrap_err();
    assert!(err
        .to_string()
        .contains("spec.funcConfig: introduced in Function Mesh v0.1.7"));
}

#[test]
fn window_processing_guarantee_is_renamed_for_v0_23_0() {
    let mut doc = function(
        json!({"windowConfig": {"windowLengthCount": 3, "processingGuarantees": "ATMOST_ONCE", "maxLagMs": 5}}),
    );
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.23.0"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        doc["spec"]["windowConfig"],
        json!({"windowLengthCount": 3, "processingGuarantee": "ATMOST_ONCE", "maxLagMs": 5})
    );
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.25.0"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        doc["spec"]["windowConfig"]["processingGuarantees"],
        "ATMOST_ONCE"
    );
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.22.1")).unwrap_err();
    assert!(err
        .to_string()
        .contains("spec.windowConfig.processingGuarantees: introduced in Function Mesh v0.23.0"));
}

#[test]
fn sink_log_topic_comes_and_goes() {
    let sink = |t: &str| {
        let mut d = json!({"kind": "Sink", "spec": {"logTopic": "logs"}});
        (
            prune_for_target(ResourceKind::Sink, &mut d, &v(t)).unwrap(),
            d,
        )
    };
    assert!(sink("v0.1.5").0.is_empty());
    let (dropped, doc) = sink("v0.14.0");
    assert_eq!(
        paths(&dropped),
        ["spec.logTopic: introduced in Function Mesh v0.16.0"]
    );
    assert_eq!(doc["spec"], json!({}));
    assert!(sink("v0.16.0").0.is_empty());
    let (dropped, _) = sink("v0.1.3");
    assert_eq!(dropped[0].introduced_in, v("v0.1.4"));
}

#[test]
fn function_sink_type_was_removed_in_v0_1_4() {
    let mut doc = function(json!({"sinkType": "kafka"}));
    let dropped = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.5.0")).unwrap();
    assert_eq!(
        paths(&dropped),
        ["spec.sinkType: removed in Function Mesh v0.1.4 (present from v0.1.0)"]
    );
}

#[test]
fn unknown_fields_and_kubernetes_internals_are_left_alone() {
    let mut doc = function(json!({
        "somethingNew": {"x": 1},
        "pod": {"affinity": {"nodeAffinity": {"whatever": true}}},
        "windowConfig": {"windowLengthCount": 1, "notInTheHistory": 2},
    }));
    let before = doc.clone();
    assert!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.27.2"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(doc, before);
    // A Function-only field on a Sink is not this history's business either.
    let mut sink = json!({"kind": "Sink", "spec": {"windowConfig": {}}});
    assert!(
        prune_for_target(ResourceKind::Sink, &mut sink, &v("v0.1.9"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(sink["spec"]["windowConfig"], json!({}));
}

#[test]
fn prune_report_drops_everything_and_lists_behavioural_fields() {
    let mut doc = function(json!({"windowConfig": {"windowLengthCount": 1}, "minReplicas": 2}));
    let report: PruneReport = FieldHistory::embedded()
        .prune_report(ResourceKind::Function, &mut doc, &v("v0.5.0"))
        .unwrap();
    assert_eq!(report.dropped.len(), 1);
    assert_eq!(report.behavioural.len(), 1);
    assert_eq!(doc["spec"], json!({}));
}

// ------------------------------------------------------------------ every TargetError

#[test]
fn unknown_release_error() {
    let mut doc = function(json!({}));
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.6.1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--target-version v0.6.1: not a known Function Mesh release (known: v0.1.0 … v0.27.2)"
    );
}

#[test]
fn unknown_kind_error() {
    let err = TargetError::from("FunctionMesh".parse::<ResourceKind>().unwrap_err());
    assert_eq!(
        err.to_string(),
        "kind: expected Function, Sink or Source, found `FunctionMesh`"
    );
    assert_eq!("Sink".parse::<ResourceKind>().unwrap(), ResourceKind::Sink);
}

#[test]
fn kind_mismatch_error() {
    let mut doc = function(json!({}));
    let err = prune_for_target(ResourceKind::Sink, &mut doc, &v("v0.6.0")).unwrap_err();
    assert_eq!(err.to_string(), "kind: expected `Sink`, found `Function`");
    let mut doc = json!({"kind": 3});
    assert!(matches!(
        prune_for_target(ResourceKind::Sink, &mut doc, &v("v0.6.0")).unwrap_err(),
        TargetError::KindMismatch { found, .. } if found == "a number"
    ));
}

#[test]
fn foreign_api_version_error() {
    let mut doc = json!({"apiVersion": "apps/v1", "kind": "Function"});
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.6.0")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "apiVersion: expected compute.functionmesh.io/v1alpha1 (or cloud.streamnative.io/v1alpha1), found `apps/v1`"
    );
}

#[test]
fn not_an_object_errors() {
    let mut doc = json!([1]);
    assert_eq!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.6.0")).unwrap_err(),
        TargetError::NotAnObject {
            path: "(document)".into()
        }
    );
    let mut doc = json!({"spec": "x"});
    assert_eq!(
        prune_for_target(ResourceKind::Function, &mut doc, &v("v0.6.0")).unwrap_err(),
        TargetError::NotAnObject {
            path: "spec".into()
        }
    );
}

#[test]
fn rename_conflict_error() {
    let mut doc = function(
        json!({"windowConfig": {"processingGuarantees": "ATMOST_ONCE", "processingGuarantee": "ATMOST_ONCE"}}),
    );
    let err = prune_for_target(ResourceKind::Function, &mut doc, &v("v0.23.0")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spec.windowConfig.processingGuarantees: cannot be written as `processingGuarantee` for Function Mesh v0.23.0: that field is also present"
    );
}

// ------------------------------------------------------------------ every HistoryError

const GOOD_HEAD: &str = "releases: [v0.1.0, v0.2.0]\napiGroups: [{from: v0.1.0, group: g}]\n";

fn history(fields: &str) -> Result<FieldHistory, HistoryError> {
    FieldHistory::from_yaml(&format!("{GOOD_HEAD}fields:\n{fields}"))
}

#[test]
fn history_yaml_error() {
    assert!(matches!(
        FieldHistory::from_yaml("releases: 3").unwrap_err(),
        HistoryError::Yaml(_)
    ));
    assert!(matches!(
        history("  - {path: spec, all: v0.1.0, extra: 1}").unwrap_err(),
        HistoryError::Yaml(_)
    ));
}

#[test]
fn history_version_error() {
    let e = history("  - {path: spec, all: v0.1}").unwrap_err();
    assert!(
        matches!(e, HistoryError::Version { ref context, .. } if context == "spec"),
        "{e}"
    );
}

#[test]
fn history_releases_error() {
    let e = FieldHistory::from_yaml("releases: [v0.2.0, v0.1.0]\napiGroups: []\nfields: []\n")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "field history: releases must be non-empty and strictly ascending (at v0.1.0)"
    );
    let e = FieldHistory::from_yaml("releases: []\napiGroups: []\nfields: []\n").unwrap_err();
    assert!(matches!(e, HistoryError::Releases { .. }));
}

#[test]
fn history_field_errors() {
    let cases = [
        ("  - {path: spec..x, all: v0.1.0}", "empty path segment"),
        (
            "  - {path: spec, all: v0.1.0}\n  - {path: spec, all: v0.1.0}",
            "listed twice",
        ),
        (
            "  - {path: spec, all: v0.1.0, sink: v0.1.0}",
            "both `all` and a per-kind key",
        ),
        ("  - {path: spec}", "no kind has this field"),
        ("  - {path: spec, all: []}", "empty list of windows"),
        (
            "  - {path: spec, all: [{from: v0.2.0, before: v0.1.0}]}",
            "window from v0.2.0 ends before it starts",
        ),
        (
            "  - {path: spec, all: [{from: v0.1.0, shape: number}]}",
            "unknown shape `number` (expected string, object or string-map)",
        ),
        (
            "  - {path: spec, all: [{from: v0.1.0, shape: string, values: [a]}]}",
            "both `shape` and `values`",
        ),
        (
            "  - {path: spec, all: [{from: v0.1.0}, {from: v0.2.0}]}",
            "windows from v0.1.0 and v0.2.0 overlap",
        ),
        (
            "  - {path: spec, all: v0.1.0, harmless: [false]}",
            "`harmless` without `error`",
        ),
    ];
    for (fields, reason) in cases {
        let e = history(fields).unwrap_err();
        assert!(
            matches!(&e, HistoryError::Field { reason: r, .. } if r == reason),
            "{fields}: {e}"
        );
    }
}
