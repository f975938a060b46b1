//! Scenarios written from the Java worker's rules: exact names, labels, quantities, paths and
//! Secrets per runtime and connector kind, and one test per deliberate fix of a Java bug.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::crd::{ProcessingGuarantee, SubscriptionPosition};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use serde_json::{json, Value};
use support::{
    function_config, function_to_resource, sink_config, sink_to_resource, source_config,
    source_to_resource, Ctx as ConversionContext,
};

fn ctx(worker: Value) -> ConversionContext {
    ConversionContext {
        worker: serde_json::from_value(worker).unwrap(),
        ..Default::default()
    }
}

fn function(v: Value, ctx: &ConversionContext) -> fm_convert::crd::Function {
    let c: FunctionConfig = serde_json::from_value(v).unwrap();
    function_to_resource(&c, ctx).unwrap().resource
}

fn q(
    r: &Option<k8s_openapi::api::core::v1::ResourceRequirements>,
    side: &str,
    key: &str,
) -> String {
    let r = r.as_ref().unwrap();
    let m = if side == "requests" {
        r.requests.as_ref()
    } else {
        r.limits.as_ref()
    };
    m.unwrap()[key].0.clone()
}

#[test]
fn java_function_names_labels_quantities_and_paths() {
    let ctx = ctx(
        json!({"pulsarFunctionsCluster": "test-pulsar", "downloadDirectory": "/pulsar/download"}),
    );
    let f = function(
        json!({"tenant": "public", "namespace": "default", "name": "word-count", "className": "a.B",
               "inputs": ["persistent://public/default/in"], "jar": "function://public/default/word-count@1",
               "resources": {"cpu": 0.1, "ram": 102400}}),
        &ConversionContext {
            package_file_name: Some("word-count.jar".into()),
            ..ctx
        },
    );
    assert_eq!(f.metadata.name.as_deref(), Some("word-count-640ae9e6"));
    assert_eq!(f.metadata.namespace.as_deref(), Some("default"));
    let labels = f.metadata.labels.clone().unwrap();
    for (k, v) in [
        ("compute.functionmesh.io/pulsar-cluster", "test-pulsar"),
        ("compute.functionmesh.io/pulsar-tenant", "public"),
        ("compute.functionmesh.io/pulsar-namespace", "default"),
        ("compute.functionmesh.io/pulsar-component", "word-count"),
        ("pulsar-cluster", "test-pulsar"),
        ("pulsar-tenant", "public"),
        ("pulsar-namespace", "default"),
        ("pulsar-component", "word-count"),
    ] {
        assert_eq!(labels.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert_eq!(labels.len(), 8);
    let s = &f.spec;
    assert_eq!(
        s.pulsar.as_ref().unwrap().pulsar_config.as_deref(),
        Some("test-pulsar-function-mesh-config")
    );
    assert_eq!(q(&s.resources, "requests", "cpu"), "100m");
    assert_eq!(q(&s.resources, "limits", "cpu"), "100m");
    assert_eq!(q(&s.resources, "requests", "memory"), "102400");
    assert_eq!(q(&s.resources, "limits", "memory"), "112640");
    let java = s.java.as_ref().unwrap();
    assert_eq!(java.jar, "/pulsar/download/word-count.jar");
    assert_eq!(
        java.jar_location.as_deref(),
        Some("function://public/default/word-count@1")
    );
    assert_eq!(java.extra_dependencies_dir.as_deref(), Some("/pulsar/lib/"));
    assert_eq!(s.cluster_name.as_deref(), Some("test-pulsar"));
    assert_eq!(s.replicas, Some(1));
    assert_eq!(s.cleanup_subscription, Some(true));
    assert_eq!(s.subscription_position, Some(SubscriptionPosition::Latest));
    // Deliberate fix: the Java worker left spec.name empty (the instance then ran as
    // `word-count-640ae9e6`, or with no name when the operator runs without its webhook).
    assert_eq!(s.name.as_deref(), Some("word-count"));
    assert_eq!(s.pod.as_ref().unwrap().labels.as_ref(), Some(&labels));
}

#[test]
fn python_and_go_functions_use_their_runtime_blocks() {
    let ctx = ctx(
        json!({"pulsarFunctionsCluster": "c", "functionsWorkerServiceCustomConfigs": {"functionRunnerImages": {"PYTHON": "py:1", "GO": "go:1"}}}),
    );
    let py = function(
        json!({"name": "p", "className": "m.F", "inputs": ["in"], "py": "function://public/default/p@1"}),
        &ctx,
    );
    let p = py.spec.python.as_ref().unwrap();
    assert_eq!(p.py, "/pulsar/function-executable");
    assert_eq!(
        p.py_location.as_deref(),
        Some("function://public/default/p@1")
    );
    assert_eq!(py.spec.image.as_deref(), Some("py:1"));
    assert!(py.spec.java.is_none() && py.spec.golang.is_none());
    let go = function(
        json!({"name": "g", "inputs": ["in"], "go": "function://public/default/g@1"}),
        &ctx,
    );
    let g = go.spec.golang.as_ref().unwrap();
    assert_eq!(g.go, "/pulsar/function-executable");
    assert_eq!(go.spec.image.as_deref(), Some("go:1"));
}

#[test]
fn builtin_sink_takes_image_nar_class_and_type_from_the_catalogue() {
    let mut c = ctx(json!({"pulsarFunctionsCluster": "c"}));
    c.connectors = serde_json::from_value(json!([{"id": "pulsar-io-es", "name": "es", "version": "3.0.1", "sinkClass": "org.es.Sink",
        "imageRepository": "streamnative/pulsar-io-es", "typeClassName": "org.Gen", "defaultSchemaType": "AVRO"}])).unwrap();
    let cfg: SinkConfig = serde_json::from_value(json!({"name": "s", "archive": "builtin://es", "inputs": ["persistent://public/default/in"]})).unwrap();
    let k = sink_to_resource(&cfg, &c).unwrap().resource;
    assert_eq!(
        k.metadata.name.as_deref().map(|n| n.starts_with("s-")),
        Some(true)
    );
    assert_eq!(
        k.spec.image.as_deref(),
        Some("docker.io/streamnative/pulsar-io-es:3.0.1")
    );
    assert_eq!(
        k.spec.java.as_ref().unwrap().jar,
        "connectors/pulsar-io-es-3.0.1.nar"
    );
    assert_eq!(k.spec.java.as_ref().unwrap().jar_location, None);
    assert_eq!(k.spec.class_name.as_deref(), Some("org.es.Sink"));
    let input = k.spec.input.as_ref().unwrap();
    assert_eq!(input.type_class_name.as_deref(), Some("org.Gen"));
    assert_eq!(
        input.source_specs.as_ref().unwrap()["persistent://public/default/in"]
            .schema_type
            .as_deref(),
        Some("AVRO")
    );
    assert_eq!(k.spec.auto_ack, Some(true));
    assert_eq!(k.spec.sink_config, Some(serde_json::Map::new()));
}

#[test]
fn package_sink_and_source_paths() {
    let c = ctx(json!({"pulsarFunctionsCluster": "c"}));
    let cfg: SinkConfig = serde_json::from_value(json!({"name": "s", "className": "a.S", "archive": "sink://public/default/s@1", "inputs": ["in"]})).unwrap();
    let k = sink_to_resource(&cfg, &c).unwrap().resource;
    assert_eq!(k.spec.java.as_ref().unwrap().jar, "/pulsar/s@1");
    assert_eq!(
        k.spec.java.as_ref().unwrap().jar_location.as_deref(),
        Some("sink://public/default/s@1")
    );
    assert_eq!(
        k.spec.input.as_ref().unwrap().type_class_name.as_deref(),
        Some("[B")
    );
    let cfg: SourceConfig = serde_json::from_value(
        json!({"name": "o", "className": "a.O", "archive": "source://public/default/o@1",
        "topicName": "out", "batchSourceConfig": {"discoveryTriggererClassName": "T"}}),
    )
    .unwrap();
    let s = source_to_resource(&cfg, &c).unwrap().resource;
    assert_eq!(
        s.spec.output.as_ref().unwrap().topic.as_deref(),
        Some("out")
    );
    assert_eq!(
        s.spec.output.as_ref().unwrap().type_class_name.as_deref(),
        Some("[B")
    );
    assert_eq!(s.spec.forward_source_message_property, Some(true));
    let b = s.spec.batch_source_config.as_ref().unwrap();
    assert_eq!(b.discovery_triggerer_class_name, "T");
    assert_eq!(b.discovery_triggerer_config, Some(serde_json::Map::new()));
}

#[test]
fn worker_config_precedence() {
    let c = ctx(json!({"pulsarFunctionsCluster": "c",
        "functionRuntimeFactoryConfigs": {"jobNamespace": "from-factory", "customLabels": {"a": "factory", "b": "factory"}},
        "functionsWorkerServiceCustomConfigs": {"jobNamespace": "ignored", "labels": {"b": "custom", "c": "custom"}, "functionLabels": {"c": "function"},
            "env": {"X": "generic", "Y": "generic"}, "functionEnv": {"Y": "function", "Z": "function"},
            "annotations": {"p": "generic"}, "functionAnnotations": {"p": "function"},
            "defaultServiceAccountName": "default-sa", "allowUserDefinedServiceAccountName": false}}));
    let f = function(
        json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1",
        "customRuntimeOptions": "{\"env\": {\"Z\": \"request\"}, \"serviceAccountName\": \"mine\"}"}),
        &c,
    );
    assert_eq!(
        f.metadata.namespace.as_deref(),
        Some("from-factory"),
        "factory jobNamespace wins, custom one ignored"
    );
    let l = f.metadata.labels.unwrap();
    assert_eq!(
        (l["a"].as_str(), l["b"].as_str(), l["c"].as_str()),
        ("factory", "custom", "function")
    );
    let pod = f.spec.pod.unwrap();
    let env: Vec<(String, String)> = pod
        .env
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.value.unwrap()))
        .collect();
    assert_eq!(
        env,
        vec![
            ("X".into(), "generic".into()),
            ("Y".into(), "function".into()),
            ("Z".into(), "request".into())
        ]
    );
    assert_eq!(pod.annotations.unwrap()["p"], "function");
    assert_eq!(
        pod.service_account_name.as_deref(),
        Some("default-sa"),
        "user SA needs trusted mode"
    );
}

#[test]
fn trusted_mode_honours_runner_image_service_account_and_managed() {
    let opts =
        "{\"runnerImage\": \"my/runner:2\", \"serviceAccountName\": \"mine\", \"managed\": false}";
    let cfg = json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "customRuntimeOptions": opts});
    let untrusted = function(cfg.clone(), &ctx(json!({"pulsarFunctionsCluster": "c"})));
    assert_eq!(untrusted.spec.image, None);
    assert_eq!(untrusted.metadata.annotations, None);
    let trusted = function(
        cfg,
        &ctx(
            json!({"pulsarFunctionsCluster": "c", "functionsWorkerServiceCustomConfigs": {"enableTrustedMode": true}}),
        ),
    );
    assert_eq!(trusted.spec.image.as_deref(), Some("my/runner:2"));
    assert_eq!(
        trusted
            .spec
            .pod
            .as_ref()
            .unwrap()
            .service_account_name
            .as_deref(),
        Some("mine")
    );
    assert_eq!(
        trusted.metadata.annotations.unwrap()["compute.functionmesh.io/managed"],
        "false"
    );
}

#[test]
fn hpa_needs_max_replicas_above_parallelism() {
    let c = ctx(json!({"pulsarFunctionsCluster": "c"}));
    let with = |max: i32| {
        function(
            json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "parallelism": 2,
            "customRuntimeOptions": json!({"maxReplicas": max, "hpaSpec": {"builtinCPURule": "AverageUtilizationCPUPercent80"}}).to_string()}),
            &c,
        )
    };
    let scaled = with(5);
    assert_eq!(scaled.spec.max_replicas, Some(5));
    assert_eq!(
        scaled.spec.pod.unwrap().builtin_autoscaler,
        Some(vec!["AverageUtilizationCPUPercent80".to_string()])
    );
    // Deliberate fix: the Java worker applied HPA rules even when maxReplicas <= parallelism.
    let not_scaled = with(2);
    assert_eq!(not_scaled.spec.max_replicas, None);
    assert_eq!(not_scaled.spec.pod.unwrap().builtin_autoscaler, None);
}

#[test]
fn window_and_state() {
    let c = ctx(
        json!({"pulsarFunctionsCluster": "c", "stateStorageServiceUrl": "bk://bk:4181", "stateStorageProviderImplementation": "org.State"}),
    );
    let f = function(
        json!({"name": "w", "className": "a.W", "inputs": ["in"], "jar": "function://public/default/w@1",
        "windowConfig": {"windowLengthDurationMs": 1000}}),
        &c,
    );
    let w = f.spec.window_config.as_ref().unwrap();
    assert_eq!(w.actual_window_function_class_name.as_deref(), Some("a.W"));
    assert_eq!(w.sliding_interval_duration_ms, Some(1000));
    assert_eq!(
        f.spec.auto_ack,
        Some(false),
        "window functions never auto-ack"
    );
    let st = f
        .spec
        .stateful_config
        .as_ref()
        .unwrap()
        .pulsar
        .as_ref()
        .unwrap();
    assert_eq!(st.service_url, "bk://bk:4181");
    assert_eq!(st.java_provider.as_ref().unwrap().class_name, "org.State");
}

// ---- deliberate fixes of the Java worker ----

fn plain() -> ConversionContext {
    ctx(json!({"pulsarFunctionsCluster": "c"}))
}

#[test]
fn fix_memory_reads_back_from_requests_not_padded_limits() {
    // Java read function memory from `limits` (ram + 10 %): every get-then-update grew it.
    let c = plain();
    let cfg: FunctionConfig = serde_json::from_value(json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "resources": {"ram": 1000000}})).unwrap();
    let mut r = function_to_resource(&cfg, &c).unwrap().resource;
    for _ in 0..3 {
        let back = function_config(&r, &c).unwrap();
        assert_eq!(back.resources.as_ref().unwrap().ram, 1_000_000);
        r = function_to_resource(&back, &c).unwrap().resource;
    }
}

#[test]
fn fix_python_and_go_urls_come_back_in_py_and_go() {
    // Java wrote pyLocation / goLocation into `jar`.
    let c = plain();
    let py = function(
        json!({"name": "p", "className": "m.F", "inputs": ["in"], "py": "function://public/default/p@1"}),
        &c,
    );
    let back = function_config(&py, &c).unwrap();
    assert_eq!(
        (back.jar, back.py.as_deref()),
        (None, Some("function://public/default/p@1"))
    );
    let go = function(
        json!({"name": "g", "inputs": ["in"], "go": "function://public/default/g@1"}),
        &c,
    );
    let back = function_config(&go, &c).unwrap();
    assert_eq!(
        (back.jar, back.go.as_deref()),
        (None, Some("function://public/default/g@1"))
    );
}

#[test]
fn fix_archives_and_builtin_names_survive() {
    // Java returned `spec.java.jar`, the in-pod path, losing the package URL and builtin:// name.
    let mut c = plain();
    c.connectors = serde_json::from_value(json!([{"id": "k", "name": "kafka", "version": "1", "sourceClass": "K", "sinkClass": "KS", "imageRepository": "r/k"}])).unwrap();
    let sink: SinkConfig = serde_json::from_value(
        json!({"name": "s", "archive": "builtin://kafka", "inputs": ["in"]}),
    )
    .unwrap();
    let k = sink_to_resource(&sink, &c).unwrap().resource;
    assert_eq!(
        sink_config(&k, &c).unwrap().archive.as_deref(),
        Some("builtin://kafka")
    );
    let src: SourceConfig = serde_json::from_value(json!({"name": "o", "className": "a.O", "archive": "source://public/default/o@2", "topicName": "t"})).unwrap();
    let s = source_to_resource(&src, &c).unwrap().resource;
    assert_eq!(
        source_config(&s, &c).unwrap().archive.as_deref(),
        Some("source://public/default/o@2")
    );
}

#[test]
fn fix_window_runner_and_log_options_are_read_back() {
    let c = ctx(
        json!({"pulsarFunctionsCluster": "c", "functionsWorkerServiceCustomConfigs": {"functionRunnerImages": {"JAVA": "java-runner:1"}}}),
    );
    let f = function(
        json!({"name": "w", "className": "a.W", "inputs": ["in"], "jar": "function://public/default/w@1", "maxPendingAsyncRequests": 7,
        "windowConfig": {"windowLengthCount": 5},
        "customRuntimeOptions": "{\"runnerImageTag\": \"2\", \"logLevel\": \"warn\", \"logRotationPolicy\": \"TimedPolicyWithDaily\"}"}),
        &c,
    );
    assert_eq!(f.spec.image.as_deref(), Some("java-runner:2"));
    let back = function_config(&f, &c).unwrap();
    assert_eq!(
        back.window_config.as_ref().unwrap().window_length_count,
        Some(5)
    );
    assert_eq!(back.max_pending_async_requests, Some(7));
    let opts: Value =
        serde_json::from_str(back.custom_runtime_options.as_deref().unwrap()).unwrap();
    assert_eq!(opts["runnerImageTag"], "2");
    assert_eq!(opts["logLevel"], "warn");
    assert_eq!(opts["logRotationPolicy"], "TimedPolicyWithDaily");
}

#[test]
fn fix_forward_source_message_property_defaults_to_true() {
    // Java: a dead null check on a protobuf primitive made it false when the client omitted it.
    let f = function(
        json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1"}),
        &plain(),
    );
    assert_eq!(f.spec.forward_source_message_property, Some(true));
    let off = ctx(json!({"pulsarFunctionsCluster": "c", "forwardSourceMessageProperty": false}));
    let f = function(
        json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "forwardSourceMessageProperty": true}),
        &off,
    );
    assert_eq!(
        f.spec.forward_source_message_property,
        Some(false),
        "a worker that turns it off wins, as in Pulsar"
    );
}

#[test]
fn fix_consumer_properties_and_crypto_are_carried_over() {
    // Java dropped consumerProperties and every cryptoConfig (TODO stubs).
    let f = function(
        json!({"name": "f", "className": "a.B", "jar": "function://public/default/f@1",
        "inputSpecs": {"in": {"consumerProperties": {"a": "1"}, "cryptoConfig": {"cryptoKeyReaderClassName": "K", "cryptoKeyReaderConfig": {"n": 5}}}},
        "producerConfig": {"cryptoConfig": {"cryptoKeyReaderClassName": "P", "encryptionKeys": ["k1"]}}, "output": "out"}),
        &plain(),
    );
    let spec = &f
        .spec
        .input
        .as_ref()
        .unwrap()
        .source_specs
        .as_ref()
        .unwrap()["in"];
    assert_eq!(spec.consumer_properties.as_ref().unwrap()["a"], "1");
    let crypto = spec.crypto_config.as_ref().unwrap();
    assert_eq!(crypto.crypto_key_reader_class_name.as_deref(), Some("K"));
    assert_eq!(crypto.crypto_key_reader_config.as_ref().unwrap()["n"], "5");
    let producer = f
        .spec
        .output
        .as_ref()
        .unwrap()
        .producer_conf
        .as_ref()
        .unwrap();
    assert_eq!(
        producer.crypto_config.as_ref().unwrap().encryption_keys,
        Some(vec!["k1".to_string()])
    );
}

#[test]
fn fix_sinks_get_sink_init_containers() {
    // Java gave sinks the *function* init containers.
    let c = ctx(
        json!({"pulsarFunctionsCluster": "c", "functionsWorkerServiceCustomConfigs": {
        "functionInitContainers": [{"name": "fn-init", "image": "busybox"}],
        "sinkInitContainers": [{"name": "sink-init", "image": "busybox"}]}}),
    );
    let cfg: SinkConfig = serde_json::from_value(json!({"name": "s", "className": "a.S", "archive": "sink://public/default/s@1", "inputs": ["in"]})).unwrap();
    let k = sink_to_resource(&cfg, &c).unwrap().resource;
    let names: Vec<String> = k
        .spec
        .pod
        .unwrap()
        .init_containers
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["sink-init".to_string()]);
}

#[test]
fn fix_too_long_or_dotted_names_are_rejected_before_any_resource() {
    // Java produced resources the operator's webhook (43 characters) or Kubernetes would refuse.
    for name in ["a-very-long-function-name-beyond-limits", "my.function"] {
        let cfg: FunctionConfig = serde_json::from_value(json!({"name": name, "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1"})).unwrap();
        let err = function_to_resource(&cfg, &plain())
            .unwrap_err()
            .to_string();
        assert!(err.contains("name:"), "{err}");
    }
}

#[test]
fn fix_explicit_nulls_do_not_panic() {
    // Java NPE'd on {"resources": {"cpu": null, "ram": null}} (HTTP 500).
    let cfg: FunctionConfig = fm_convert::parse::parse(r#"{"name":"f","className":"a.B","inputs":["in"],"jar":"function://public/default/f@1",
        "resources":{"cpu":null,"ram":null,"disk":null},"parallelism":null,"userConfig":null,"inputSpecs":null,"customRuntimeOptions":null}"#).unwrap();
    let f = function_to_resource(&cfg, &plain()).unwrap().resource;
    assert_eq!(q(&f.spec.resources, "requests", "cpu"), "1");
    assert_eq!(q(&f.spec.resources, "requests", "memory"), "1073741824");
}

#[test]
fn fix_manual_guarantee_is_kept_and_auto_ack_defaults_to_true() {
    // Java dropped MANUAL (so the operator defaulted to atleast_once) and wrote autoAck only when sent.
    let f = function(
        json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "processingGuarantees": "MANUAL"}),
        &plain(),
    );
    assert_eq!(
        f.spec.processing_guarantee,
        Some(ProcessingGuarantee::Manual)
    );
    assert_eq!(f.spec.auto_ack, Some(true));
}

#[test]
fn fix_malformed_secrets_are_errors_not_skipped() {
    let cfg: FunctionConfig = serde_json::from_value(json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1",
        "secrets": {"OK": {"path": "s", "key": "k"}, "BAD": "s/k"}})).unwrap();
    let err = function_to_resource(&cfg, &plain())
        .unwrap_err()
        .to_string();
    assert!(err.contains("secrets.BAD"), "{err}");
}

#[test]
fn fix_custom_schema_outputs_need_not_carry_both_property_maps() {
    let f = function(
        json!({"name": "f", "className": "a.B", "inputs": ["in"], "jar": "function://public/default/f@1", "output": "out",
        "customSchemaOutputs": {"out": "{\"schemaProperties\": {\"a\": \"b\"}}"}}),
        &plain(),
    );
    assert!(f
        .spec
        .output
        .unwrap()
        .custom_schema_sinks
        .unwrap()
        .contains_key("out"));
}
