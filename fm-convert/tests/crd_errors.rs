//! Documents that do not match the Function Mesh types fail with an error naming the field.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::crd::{parse_resource, Function, ResourceParseError, Sink, Source};

fn function_err(spec_yaml: &str) -> ResourceParseError {
    let doc = format!(
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata:\n  name: f\nspec:\n{spec_yaml}"
    );
    parse_resource::<Function>(&doc).expect_err("must fail")
}

#[test]
fn unknown_processing_guarantee_names_field_and_allowed_values() {
    let err = function_err("  processingGuarantee: exactly_once\n");
    assert_eq!(err.path, "spec.processingGuarantee");
    let text = err.to_string();
    assert!(
        text.starts_with("spec.processingGuarantee: unknown variant (value not shown), expected"),
        "{text}"
    );
    assert!(!text.contains("exactly_once"), "{text}");
    for allowed in ["atleast_once", "atmost_once", "effectively_once", "manual"] {
        assert!(text.contains(allowed), "{text}");
    }
}

#[test]
fn unknown_nested_enum_values() {
    let cases = [
        ("  subscriptionPosition: Latest\n", "spec.subscriptionPosition", "earliest"),
        ("  logTopicAgent: daemon\n", "spec.logTopicAgent", "sidecar"),
        (
            "  java:\n    jar: a.jar\n    log:\n      level: verbose\n",
            "spec.java.log.level",
            "panic",
        ),
        (
            "  java:\n    jar: a.jar\n    log:\n      rotatePolicy: Hourly\n",
            "spec.java.log.rotatePolicy",
            "SizedPolicyWith100MB",
        ),
        (
            "  python:\n    py: a.py\n    log:\n      format: xml\n",
            "spec.python.log.format",
            "text",
        ),
        (
            "  java:\n    jar: a.jar\n    log:\n      javaLog4JConfigFileType: json\n",
            "spec.java.log.javaLog4JConfigFileType",
            "ini",
        ),
        (
            "  output:\n    producerConf:\n      compressionType: lz4\n",
            "spec.output.producerConf.compressionType",
            "LZ4",
        ),
        (
            "  windowConfig:\n    actualWindowFunctionClassName: C\n    processingGuarantees: atleast_once\n",
            "spec.windowConfig.processingGuarantees",
            "ATLEAST_ONCE",
        ),
        (
            "  pod:\n    vpa:\n      updatePolicy:\n        updateMode: Sometimes\n",
            "spec.pod.vpa.updatePolicy.updateMode",
            "Recreate",
        ),
        (
            "  pod:\n    vpa:\n      resourcePolicy:\n        containerPolicies:\n        - mode: On\n",
            "spec.pod.vpa.resourcePolicy.containerPolicies[0].mode",
            "Auto",
        ),
        (
            "  pod:\n    vpa:\n      resourcePolicy:\n        containerPolicies:\n        - controlledValues: LimitsOnly\n",
            "spec.pod.vpa.resourcePolicy.containerPolicies[0].controlledValues",
            "RequestsOnly",
        ),
    ];
    for (yaml, path, allowed) in cases {
        let err = function_err(yaml);
        assert_eq!(err.path, path, "{err}");
        assert!(err.message.contains("unknown variant"), "{err}");
        assert!(err.message.contains(allowed), "{err}");
    }
}

#[test]
fn wrong_types_name_the_field() {
    let cases = [
        ("  replicas: many\n", "spec.replicas", "expected i32"),
        (
            "  autoAck: \"yes please\"\n",
            "spec.autoAck",
            "expected a boolean",
        ),
        (
            "  input:\n    topics: persistent://t\n",
            "spec.input.topics",
            "expected a sequence",
        ),
        (
            "  input:\n    topics: [a, [b]]\n",
            "spec.input.topics[1]",
            "expected a string",
        ),
        (
            "  funcConfig: [1, 2]\n",
            "spec.funcConfig",
            "expected a map",
        ),
        (
            "  pod:\n    terminationGracePeriodSeconds: 1.5\n",
            "spec.pod.terminationGracePeriodSeconds",
            "expected i64",
        ),
        (
            "  pulsar:\n    tlsConfig:\n      enabled: 1\n",
            "spec.pulsar.tlsConfig.enabled",
            "expected a boolean",
        ),
        (
            "  secretsMap:\n    TOKEN: token-secret\n",
            "spec.secretsMap.TOKEN",
            "expected struct SecretRef",
        ),
    ];
    for (yaml, path, expected) in cases {
        let err = function_err(yaml);
        assert_eq!(err.path, path, "{err}");
        assert!(err.message.contains(expected), "{err}");
        assert!(err.to_string().starts_with(&format!("{path}: ")), "{err}");
    }
}

#[test]
fn missing_required_fields_name_the_field() {
    let cases = [
        ("  java:\n    jarLocation: x\n", "spec.java", "missing field `jar`"),
        ("  genericRuntime:\n    functionFile: f\n", "spec.genericRuntime", "missing field `language`"),
        ("  statefulConfig:\n    pulsar: {}\n", "spec.statefulConfig.pulsar", "missing field `serviceUrl`"),
        (
            "  pulsar:\n    authConfig:\n      oauth2Config:\n        audience: a\n        issuerUrl: i\n        keySecretName: n\n",
            "spec.pulsar.authConfig.oauth2Config",
            "missing field `keySecretKey`",
        ),
    ];
    for (yaml, path, expected) in cases {
        let err = function_err(yaml);
        assert_eq!(err.path, path, "{err}");
        assert!(err.message.contains(expected), "{err}");
    }
    // Issue 14 item 8: the operator fills `actualWindowFunctionClassName` from `spec.className`,
    // so a window config without it reads (the CRD schema still requires it).
    let doc = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec:\n  windowConfig:\n    windowLengthCount: 3\n";
    let f = parse_resource::<Function>(doc).unwrap();
    assert_eq!(
        f.spec
            .window_config
            .unwrap()
            .actual_window_function_class_name,
        None
    );
}

/// Issue 14 item 7: reading a resource does not need the status fields the CRD requires.
#[test]
fn status_fields_are_not_needed_to_read() {
    let doc = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Sink\nmetadata: {name: s}\nspec: {}\nstatus:\n  replicas: 1\n  selector: a=b\n";
    let sink = parse_resource::<Sink>(doc).unwrap();
    let status = sink.status.unwrap();
    assert_eq!(status.selector.as_deref(), Some("a=b"));
    assert_eq!(status.checked().unwrap_err().field, "status.conditions");
    // A status field of the wrong type is still an error naming it.
    let doc = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Sink\nmetadata: {name: s}\nspec: {}\nstatus:\n  replicas: many\n";
    let err = parse_resource::<Sink>(doc).unwrap_err();
    assert_eq!(err.path, "status.replicas");
}

#[test]
fn sink_and_source_config_must_be_objects() {
    let doc = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Source\nmetadata: {name: s}\nspec:\n  sourceConfig: \"a=b\"\n";
    let err = parse_resource::<Source>(doc).unwrap_err();
    assert_eq!(err.path, "spec.sourceConfig");
    assert!(err.message.contains("expected a map"), "{err}");
}

#[test]
fn malformed_yaml_is_an_error_without_path() {
    let err =
        parse_resource::<Function>("kind: Function\nspec:\n  name: a\n name: b\n").unwrap_err();
    assert!(err.path.is_empty(), "{err:?}");
    assert!(!err.message.is_empty());
}

#[test]
fn misplaced_secret_values_are_not_echoed() {
    const CANARY: &str = "CANARY-token-eyJhbGciOi";
    let cases = [
        format!("  pulsar:\n    authConfig: \"token:{CANARY}\"\n"),
        format!("  pulsar:\n    authConfig:\n      genericAuth: \"{CANARY}\"\n"),
        format!("  replicas: \"{CANARY}\"\n"),
        format!("  processingGuarantee: \"{CANARY}\"\n"),
        format!("  pod:\n    vpa:\n      updatePolicy:\n        updateMode: \"{CANARY}\"\n"),
    ];
    for yaml in cases {
        let err = function_err(&yaml);
        assert!(!err.to_string().contains(CANARY), "{err}");
        assert!(!format!("{err:?}").contains(CANARY), "{err:?}");
        assert!(err.message.contains("value not shown"), "{err}");
    }
}

/// A secret sent where an enum value belongs (a Pulsar config or a resource, JSON or YAML) is not
/// echoed: the error names the field and the allowed values only.
#[test]
fn misplaced_secret_in_an_enum_field_is_not_echoed() {
    const CANARY: &str = "CANARY-enum-s3cr3t`, expected `x";
    let json = serde_json::json!({ "name": "f", "processingGuarantees": CANARY }).to_string();
    let yaml = format!("name: f\nprocessingGuarantees: \"{CANARY}\"\n");
    for text in [json, yaml] {
        let err = fm_convert::parse::parse::<fm_convert::pulsar::FunctionConfig>(&text)
            .expect_err("an unknown guarantee must fail");
        assert_eq!(err.path, "processingGuarantees", "{err}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains("CANARY"), "{shown}");
            assert!(!shown.contains("s3cr3t"), "{shown}");
            assert!(shown.contains("value not shown"), "{shown}");
            assert!(shown.contains("EFFECTIVELY_ONCE"), "{shown}");
        }
    }
    let err = function_err(&format!("  processingGuarantee: \"{CANARY}\"\n"));
    assert_eq!(err.path, "spec.processingGuarantee");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("effectively_once"), "{shown}");
    }
}
