//! One test per validation rule: Pulsar's exact text, at the right field path, and every
//! problem of a config reported at once.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use serde_json::{json, Value};
use support::{validate_function, validate_sink, validate_source, Ctx as ConversionContext};

fn ctx() -> ConversionContext {
    ConversionContext {
        cluster: Some("c".into()),
        ..Default::default()
    }
}

fn base() -> Value {
    json!({"name": "f", "className": "a.B", "inputs": ["persistent://public/default/in"], "jar": "function://public/default/f@1"})
}

fn with(patch: Value) -> Value {
    let mut v = base();
    for (k, x) in patch.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    v
}

fn problems_with(v: Value, ctx: &ConversionContext) -> Vec<(String, String)> {
    let c: FunctionConfig = serde_json::from_value(v).unwrap();
    match validate_function(&c, ctx) {
        Ok(()) => vec![],
        Err(e) => e.into_iter().map(|i| (i.path, i.message)).collect(),
    }
}

fn problems(v: Value) -> Vec<(String, String)> {
    problems_with(v, &ctx())
}

fn has(v: Value, path: &str, message: &str) {
    let p = problems(v);
    assert!(
        p.iter().any(|(a, b)| a == path && b == message),
        "expected {path}: {message}\n got {p:?}"
    );
}

#[test]
fn a_valid_config_has_no_problems() {
    assert_eq!(problems(base()), vec![]);
}

#[test]
fn three_mistakes_are_all_reported() {
    let p = problems(with(
        json!({"parallelism": 0, "output": "persistent://public/default/in", "logTopic": "bad topic"}),
    ));
    let paths: Vec<&str> = p.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(paths, vec!["output", "logTopic", "parallelism"], "{p:?}");
}

#[test]
fn function_rules() {
    has(
        with(json!({"name": null})),
        "name",
        "Function name cannot be null",
    );
    has(
        with(json!({"inputs": null})),
        "inputs",
        "No input topic(s) specified for the function",
    );
    has(
        with(json!({"inputs": ["a//b"]})),
        "inputs[0]",
        "Input topic a//b is invalid",
    );
    has(
        with(json!({"output": "x y"})),
        "output",
        "Output topic x y is invalid",
    );
    has(
        with(json!({"logTopic": "x y"})),
        "logTopic",
        "LogTopic topic x y is invalid",
    );
    has(
        with(json!({"deadLetterTopic": "x y", "maxMessageRetries": 1})),
        "deadLetterTopic",
        "DeadLetter topic x y is invalid",
    );
    has(
        with(json!({"parallelism": -1})),
        "parallelism",
        "Function parallelism must be a positive number",
    );
    has(with(json!({"output": "persistent://public/default/in"})), "output",
        "Output topic persistent://public/default/in is also being used as an input topic (topics must be one or the other)");
    has(
        with(json!({"timeoutMs": 0})),
        "timeoutMs",
        "Function timeout must be a positive number",
    );
    has(
        with(json!({"timeoutMs": 5, "processingGuarantees": "ATMOST_ONCE"})),
        "timeoutMs",
        "Message timeout can only be specified with processing guarantee is ATLEAST_ONCE",
    );
    has(
        with(json!({"maxMessageRetries": 1, "processingGuarantees": "EFFECTIVELY_ONCE"})),
        "maxMessageRetries",
        "MaxMessageRetries and Effectively once don't gel well",
    );
    has(
        with(json!({"deadLetterTopic": "persistent://public/default/dlq"})),
        "deadLetterTopic",
        "Dead Letter Topic specified, however max retries is set to infinity",
    );
    has(with(json!({"retainKeyOrdering": true, "processingGuarantees": "EFFECTIVELY_ONCE"})), "retainKeyOrdering",
        "When effectively once processing guarantee is specified, retain Key ordering cannot be set");
    has(
        with(json!({"retainKeyOrdering": true, "retainOrdering": true})),
        "retainKeyOrdering",
        "Only one of retain ordering or retain key ordering can be set",
    );
    has(with(json!({"autoAck": false, "processingGuarantees": "ATMOST_ONCE"})), "autoAck",
        "When Guarantees == ATMOST_ONCE, autoAck must be equal to true. This is a contradictory configuration, autoAck will be removed later. Please refer to PIP: https://github.com/apache/pulsar/issues/15560");
    has(
        with(json!({"className": null})),
        "className",
        "Function class name is not provided.",
    );
    has(
        with(json!({"jar": null, "py": "function://public/default/f@1", "className": null})),
        "className",
        "Function classname cannot be null",
    );
    has(
        with(json!({"jar": null})),
        "runtime",
        "Function language runtime is either not set or cannot be determined",
    );
    has(
        with(json!({"outputSchemaType": "AVRO", "outputSerdeClassName": "a.S"})),
        "outputSchemaType",
        "Only one of outputSchemaType or outputSerdeClassName should be set",
    );
    has(
        with(json!({"customSchemaInputs": {"persistent://public/default/x": "AVRO"}})),
        "customSchemaInputs.persistent://public/default/x",
        "Topic persistent://public/default/x has an incorrect schema Info",
    );
}

#[test]
fn input_spec_rules() {
    let t = "persistent://public/default/s";
    has(
        with(json!({"inputSpecs": {t: {"receiverQueueSize": -1}}})),
        &format!("inputSpecs.{t}.receiverQueueSize"),
        "Receiver queue size should be >= zero",
    );
    has(
        with(json!({"inputSpecs": {t: {"cryptoConfig": {}}}})),
        &format!("inputSpecs.{t}.cryptoConfig.cryptoKeyReaderClassName"),
        "CryptoKeyReader class name required",
    );
    has(
        with(json!({"inputSpecs": {t: {"messagePayloadProcessorConfig": {}}}})),
        &format!("inputSpecs.{t}.messagePayloadProcessorConfig.className"),
        "MessagePayloadProcessor class name required",
    );
    has(
        with(json!({"inputSpecs": {t: {"schemaType": "AVRO", "serdeClassName": "a.S"}}})),
        &format!("inputSpecs.{t}"),
        "Only one of schemaType or serdeClassName should be set in inputSpec",
    );
    has(
        with(json!({"producerConfig": {"cryptoConfig": {}}})),
        "producerConfig.cryptoConfig.cryptoKeyReaderClassName",
        "CryptoKeyReader class name required",
    );
    has(
        with(json!({"producerConfig": {"cryptoConfig": {"cryptoKeyReaderClassName": "K"}}})),
        "producerConfig.cryptoConfig.encryptionKeys",
        "Must provide encryption key name for crypto key reader",
    );
}

#[test]
fn window_rules() {
    has(
        with(json!({"windowConfig": {}})),
        "windowConfig",
        "Window length is not specified",
    );
    has(
        with(json!({"windowConfig": {"windowLengthCount": 1, "windowLengthDurationMs": 5}})),
        "windowConfig",
        "Window length for time and count are set! Please set one or the other.",
    );
    has(
        with(json!({"windowConfig": {"windowLengthCount": 0}})),
        "windowConfig.windowLengthCount",
        "Window length must be positive [0]",
    );
    has(
        with(json!({"windowConfig": {"windowLengthDurationMs": -5}})),
        "windowConfig.windowLengthDurationMs",
        "Window length must be positive [-5]",
    );
    has(
        with(json!({"windowConfig": {"windowLengthCount": 3, "slidingIntervalCount": 0}})),
        "windowConfig.slidingIntervalCount",
        "Sliding interval must be positive [0]",
    );
    has(
        with(
            json!({"windowConfig": {"windowLengthDurationMs": 3, "slidingIntervalDurationMs": -1}}),
        ),
        "windowConfig.slidingIntervalDurationMs",
        "Sliding interval must be positive [-1]",
    );
    has(
        with(
            json!({"windowConfig": {"windowLengthCount": 3, "timestampExtractorClassName": "T", "maxLagMs": -1}}),
        ),
        "windowConfig.maxLagMs",
        "Lag duration must be positive [-1]",
    );
    has(
        with(
            json!({"windowConfig": {"windowLengthCount": 3, "timestampExtractorClassName": "T", "watermarkEmitIntervalMs": 0}}),
        ),
        "windowConfig.watermarkEmitIntervalMs",
        "Watermark interval must be positive [0]",
    );
    has(
        with(
            json!({"windowConfig": {"windowLengthCount": 3}, "processingGuarantees": "EFFECTIVELY_ONCE"}),
        ),
        "processingGuarantees",
        "Windows Function not support EFFECTIVELY_ONCE delivery semantics.",
    );
    has(
        with(json!({"windowConfig": {"windowLengthCount": 3}, "processingGuarantees": "MANUAL"})),
        "processingGuarantees",
        "Windows Function not support MANUAL delivery semantics.",
    );
}

#[test]
fn python_and_go_rules() {
    let py = json!({"jar": null, "py": "function://public/default/f@1"});
    let with_py = |extra: Value| {
        let mut v = with(py.clone());
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    has(
        with_py(json!({"processingGuarantees": "EFFECTIVELY_ONCE"})),
        "processingGuarantees",
        "Effectively-once processing guarantees not yet supported in Python",
    );
    has(
        with_py(json!({"windowConfig": {"windowLengthCount": 2}})),
        "windowConfig",
        "There is currently no support windowing in python",
    );
    has(
        with_py(json!({"maxMessageRetries": 0})),
        "maxMessageRetries",
        "Message retries not yet supported in python",
    );
    let go = json!({"jar": null, "go": "function://public/default/f@1"});
    let with_go = |extra: Value| {
        let mut v = with(go.clone());
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    has(
        with_go(json!({"processingGuarantees": "EFFECTIVELY_ONCE"})),
        "processingGuarantees",
        "Effectively-once processing guarantees not yet supported in Go function",
    );
    has(
        with_go(json!({"windowConfig": {"windowLengthCount": 2}})),
        "windowConfig",
        "Windowing is not supported in Go function yet",
    );
    has(
        with_go(json!({"maxMessageRetries": 0})),
        "maxMessageRetries",
        "Message retries not yet supported in Go function",
    );
    has(
        with_go(json!({"retainKeyOrdering": true})),
        "retainKeyOrdering",
        "Retain Key Orderering not yet supported in Go function",
    );
}

#[test]
fn resources_rules_and_worker_bounds() {
    has(
        with(json!({"resources": {"cpu": 0}})),
        "resources.cpu",
        "The cpu allocation for the function must be positive",
    );
    has(
        with(json!({"resources": {"ram": -1}})),
        "resources.ram",
        "The ram allocation for the function must be positive",
    );
    has(
        with(json!({"resources": {"disk": 0}})),
        "resources.disk",
        "The disk allocation for the function must be positive",
    );
    let mut ctx = ctx();
    ctx.worker = serde_json::from_value(json!({"functionInstanceMinResources": {"cpu": 0.5}, "functionInstanceMaxResources": {"ram": 2048}})).unwrap();
    let p = problems_with(with(json!({"resources": {"cpu": 0.1}})), &ctx);
    assert!(
        p.contains(&(
            "resources".into(),
            "Resource is less than minimum requirement".into()
        )),
        "{p:?}"
    );
    assert!(
        p.contains(&(
            "resources".into(),
            "Resource is larger than max requirement".into()
        )),
        "{p:?}"
    );
}

#[test]
fn package_sources() {
    let p = problems(with(json!({"jar": "relative/x.jar"})));
    assert!(
        p.iter()
            .any(|(a, b)| a == "jar" && b.contains("is a local file")),
        "{p:?}"
    );
    let p = problems(with(json!({"jar": "ftp://x/y.jar"})));
    assert!(
        p.contains(&(
            "jar".into(),
            "Function Package url is not valid. supported url (function/sink/source/http/https)"
                .into()
        )),
        "{p:?}"
    );
    let p = problems(with(json!({"jar": "builtin://exclamation"})));
    assert!(
        p.iter()
            .any(|(a, b)| a == "jar" && b.contains("no built-in functions")),
        "{p:?}"
    );
    assert_eq!(
        problems(with(json!({"jar": "/pulsar/examples/api-examples.jar"}))),
        vec![]
    );
    assert_eq!(
        problems(with(json!({"jar": "https://repo.example.org/f.jar"}))),
        vec![]
    );
}

#[test]
fn kubernetes_name_rules() {
    let long = "a".repeat(35);
    let p = problems(with(json!({"name": long})));
    assert!(
        p.iter()
            .any(|(a, b)| a == "name" && b.contains("Function Mesh accepts at most 43")),
        "{p:?}"
    );
    assert_eq!(problems(with(json!({"name": "a".repeat(34)}))), vec![]);
    let p = problems(with(json!({"name": "my.func"})));
    assert!(
        p.iter()
            .any(|(a, b)| a == "name" && b.contains("which Kubernetes rejects")),
        "{p:?}"
    );
    let p = problems(with(json!({"name": "9lives"})));
    assert!(
        p.iter()
            .any(|(a, b)| a == "name" && b.contains("must start with a letter")),
        "{p:?}"
    );
    let p = problems_with(base(), &ConversionContext::default());
    assert_eq!(
        p,
        vec![("clusterName".into(), "clusterName is not provided.".into())]
    );
}

#[test]
fn custom_runtime_option_rules() {
    let p = problems(with(json!({"customRuntimeOptions": "{not json"})));
    assert!(
        p.iter().any(|(a, b)| a == "customRuntimeOptions"
            && b.starts_with("customRuntimeOptions cannot be deserialized.")),
        "{p:?}"
    );
    for (opts, needle) in [
        (json!({"logLevel": "loud"}), "logLevel `loud`"),
        (
            json!({"logRotationPolicy": "Hourly"}),
            "logRotationPolicy `Hourly`",
        ),
        (
            json!({"vpaSpec": {"updatePolicy": {"updateMode": "sometimes"}}}),
            "updateMode `sometimes`",
        ),
        (
            json!({"vpaSpec": {"resourcePolicy": [{"mode": "x"}]}}),
            "resourcePolicy[0].mode `x`",
        ),
        (
            json!({"vpaSpec": {"resourcePolicy": [{"controlledValues": "x"}]}}),
            "controlledValues `x`",
        ),
        (
            json!({"hpaSpec": {"builtinCPURule": "AverageUtilizationCPUPercent99"}}),
            "builtinCPURule `AverageUtilizationCPUPercent99`",
        ),
        (
            json!({"hpaSpec": {"autoScalingMetrics": [{"type": 5}]}}),
            "autoScalingMetrics[0]",
        ),
    ] {
        let p = problems(with(json!({"customRuntimeOptions": opts.to_string()})));
        assert!(
            p.iter()
                .any(|(a, b)| a == "customRuntimeOptions" && b.contains(needle)),
            "{needle}: {p:?}"
        );
    }
    let p = problems(with(json!({"secrets": {"PASSWORD": "plain"}})));
    assert!(p.iter().any(|(a, _)| a == "secrets.PASSWORD"), "{p:?}");
}

fn sink_problems(v: Value) -> Vec<(String, String)> {
    let c: SinkConfig = serde_json::from_value(v).unwrap();
    validate_sink(&c, &ctx())
        .err()
        .map(|e| e.into_iter().map(|i| (i.path, i.message)).collect())
        .unwrap_or_default()
}

fn source_problems(v: Value) -> Vec<(String, String)> {
    let c: SourceConfig = serde_json::from_value(v).unwrap();
    validate_source(&c, &ctx())
        .err()
        .map(|e| e.into_iter().map(|i| (i.path, i.message)).collect())
        .unwrap_or_default()
}

#[test]
fn sink_rules() {
    let ok = json!({"name": "s", "className": "a.S", "inputs": ["persistent://public/default/in"], "archive": "sink://public/default/s@1"});
    assert_eq!(sink_problems(ok.clone()), vec![]);
    let mut v = ok.clone();
    v["name"] = Value::Null;
    v["inputs"] = Value::Null;
    v["parallelism"] = json!(0);
    v["timeoutMs"] = json!(-1);
    v["className"] = Value::Null;
    let p = sink_problems(v);
    for expected in [
        ("name", "Sink name cannot be null"),
        ("inputs", "Must specify at least one topic of input via topicToSerdeClassName, topicsPattern, topicToSchemaType or inputSpecs"),
        ("parallelism", "Sink parallelism must be a positive number"),
        ("timeoutMs", "Sink timeout must be a positive number"),
        ("archive", "no className provided"),
    ] {
        assert!(p.contains(&(expected.0.into(), expected.1.into())), "{expected:?}: {p:?}");
    }
    let mut v = ok.clone();
    v["archive"] = json!("builtin://nope");
    assert!(sink_problems(v).contains(&(
        "archive".into(),
        "connectorType nope is not supported yet".into()
    )));
    let mut v = ok;
    v["inputSpecs"] =
        json!({"persistent://public/default/x": {"schemaType": "AVRO", "serdeClassName": "a.S"}});
    assert!(sink_problems(v).contains(&(
        "inputSpecs.persistent://public/default/x".into(),
        "Only one of serdeClassName or schemaType should be set".into()
    )));
}

#[test]
fn source_rules() {
    let ok = json!({"name": "s", "className": "a.S", "topicName": "persistent://public/default/out", "archive": "source://public/default/s@1"});
    assert_eq!(source_problems(ok.clone()), vec![]);
    let mut v = ok.clone();
    v["name"] = Value::Null;
    v["topicName"] = json!("a b");
    v["parallelism"] = json!(0);
    v["serdeClassName"] = json!("a.S");
    v["schemaType"] = json!("AVRO");
    v["batchSourceConfig"] = json!({});
    let p = source_problems(v);
    for expected in [
        ("name", "Source name cannot be null"),
        ("topicName", "Topic name is invalid"),
        (
            "parallelism",
            "Source parallelism must be a positive number",
        ),
        (
            "schemaType",
            "Only one of serdeClassName or schemaType should be set",
        ),
        (
            "batchSourceConfig.discoveryTriggererClassName",
            "BatchSourceConfig does not specify Discovery Trigger ClassName",
        ),
    ] {
        assert!(
            p.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?}: {p:?}"
        );
    }
}
