//! Pulsar model documents: real-world shapes parse, quirks behave like Pulsar, errors name fields.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::parse::{parse, Format, ParseError};
use fm_convert::pulsar::*;
use proptest::prelude::*;
use serde_json::json;

#[test]
fn a_function_yaml_in_the_shape_pulsar_admin_reads() {
    let yaml = r#"
tenant: "public"
namespace: "default"
name: "word-count"
className: "org.example.WordCount"
inputs: ["persistent://public/default/sentences"]
output: "persistent://public/default/counts"
userConfig:
  threshold: 10
  words: [a, b]
autoAck: true
parallelism: 2
subscriptionPosition: Earliest
inputSpecs:
  "persistent://public/default/extra-.*":
    isRegexPattern: true
    receiverQueueSize: 100
customSchemaInputs:
  "persistent://public/default/sentences": "{\"schemaType\":\"AVRO\",\"schemaProperties\":{\"__alwaysAllowNull\":\"true\"}}"
resources: {cpu: 0.5}
"#;
    let c: FunctionConfig = parse(yaml).unwrap();
    assert_eq!(
        c.subscription_position,
        SubscriptionInitialPosition::Earliest
    );
    let spec = &c.input_specs.as_ref().unwrap()["persistent://public/default/extra-.*"];
    assert!(
        spec.regex_pattern,
        "the Gson spelling isRegexPattern is accepted"
    );
    assert_eq!(spec.receiver_queue_size, Some(100));
    assert_eq!(
        c.resources,
        Some(Resources {
            cpu: 0.5,
            ram: 1_073_741_824,
            disk: 10_737_418_240
        }),
        "Jackson-style member defaults"
    );
    let out = serde_json::to_value(&c).unwrap();
    assert_eq!(
        out["inputSpecs"]["persistent://public/default/extra-.*"]["regexPattern"], true,
        "always written as regexPattern"
    );
    assert!(
        out.get("runtime").is_none(),
        "absent fields stay absent (NON_NULL)"
    );
}

#[test]
fn the_java_clients_defaults_are_materialised() {
    let c: FunctionConfig = parse("{}").unwrap();
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v, json!({"subscriptionPosition": "Latest"}));
    let s: SinkConfig = parse("{}").unwrap();
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"sourceSubscriptionPosition": "Latest"})
    );
    let cc: ConsumerConfig = parse("{}").unwrap();
    assert_eq!(
        serde_json::to_value(&cc).unwrap(),
        json!({"schemaProperties": {}, "consumerProperties": {}, "poolMessages": false, "regexPattern": false})
    );
    let b: BatchingConfig = parse("{}").unwrap();
    assert_eq!(
        serde_json::to_value(&b).unwrap(),
        json!({"enabled": true, "batchingMaxPublishDelayMs": 10})
    );
}

#[test]
fn unknown_keys_are_ignored_and_scalars_coerced() {
    let c: FunctionConfig = parse(r#"{"name":"f","classname":"typo","log-topic":"x","parallelism":"4","autoAck":"false","resources":{"cpu":"2","ram":"1024"}}"#).unwrap();
    assert_eq!(c.parallelism, Some(4));
    assert_eq!(c.auto_ack, Some(false));
    assert_eq!(c.class_name, None);
    assert_eq!(c.resources.unwrap().ram, 1024);
}

fn err<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> ParseError {
    parse::<T>(text).unwrap_err()
}

#[test]
fn errors_name_the_field_and_what_was_expected() {
    let e = err::<FunctionConfig>(r#"{"parallelism": "many"}"#);
    assert_eq!(e.path, "parallelism");
    assert!(e.message.contains("expected an integer"), "{e}");
    let e = err::<FunctionConfig>(r#"{"processingGuarantees": "atleast_once"}"#);
    assert_eq!(e.path, "processingGuarantees");
    assert!(
        e.message
            .contains("`ATLEAST_ONCE`, `ATMOST_ONCE`, `EFFECTIVELY_ONCE`, `MANUAL`"),
        "{e}"
    );
    let e = err::<FunctionConfig>(r#"{"subscriptionPosition": "LATEST"}"#);
    assert!(e.message.contains("expected `Latest` or `Earliest`"), "{e}");
    let e = err::<FunctionConfig>(r#"{"inputSpecs": {"t": {"receiverQueueSize": 1.5}}}"#);
    assert_eq!(e.path, "inputSpecs.t.receiverQueueSize");
    let e = err::<FunctionConfig>(r#"{"resources": {"cpu": "lots"}}"#);
    assert_eq!(e.path, "resources.cpu");
    let e = err::<FunctionConfig>(r#"{"parallelism": 1099511627776}"#);
    assert_eq!(e.path, "parallelism");
    assert!(e.message.contains("2147483647"), "{e}");
    let e = err::<FunctionConfig>(r#"{"inputs": "t"}"#);
    assert_eq!(
        e.path, "inputs",
        "a single string is not a list (Jackson's default too)"
    );
    let e = err::<SinkConfig>("name: s\ninputs: [a\n");
    assert!(e.message.contains("line"), "{e}");
    let e = err::<SourceConfig>("");
    assert_eq!(e.message, "the document is empty");
    let e = err::<SourceConfig>(r#"{"producerConfig": {"compressionType": "GZIP"}}"#);
    assert_eq!(e.path, "producerConfig.compressionType");
    assert_eq!(Format::detect("  {\"a\":1}"), Format::Json);
    assert_eq!(Format::detect("a: 1"), Format::Yaml);
}

fn opt_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-zA-Z0-9:/._-]{0,20}")
}

prop_compose! {
    fn sink_config()(name in opt_string(), class in opt_string(), inputs in prop::option::of(prop::collection::vec("[a-z/:]{1,20}", 0..3)),
                     p in prop::option::of(any::<i32>()), retries in prop::option::of(any::<i32>()), archive in opt_string(),
                     auto_ack in prop::option::of(any::<bool>()), timeout in prop::option::of(any::<i64>()),
                     earliest in any::<bool>(), transform in opt_string()) -> SinkConfig {
        SinkConfig { name, class_name: class, inputs, parallelism: p, max_message_retries: retries, archive, auto_ack, timeout_ms: timeout,
            source_subscription_position: if earliest { SubscriptionInitialPosition::Earliest } else { SubscriptionInitialPosition::Latest },
            transform_function_config: transform, ..Default::default() }
    }
}

prop_compose! {
    fn source_config()(name in opt_string(), topic in opt_string(), p in prop::option::of(any::<i32>()), schema in opt_string(),
                       max_pending in prop::option::of(any::<i32>()), batch in prop::option::of(opt_string()), cpu in prop::option::of(0.001f64..64.0)) -> SourceConfig {
        SourceConfig { name, topic_name: topic, parallelism: p, schema_type: schema,
            producer_config: max_pending.map(|m| ProducerConfig { max_pending_messages: Some(m), compression_type: Some(CompressionType::Zstd), ..Default::default() }),
            batch_source_config: batch.map(|b| BatchSourceConfig { discovery_triggerer_class_name: b, discovery_triggerer_config: Some(serde_json::Map::new()) }),
            resources: cpu.map(|cpu| Resources { cpu, ..Default::default() }), ..Default::default() }
    }
}

proptest! {
    #[test]
    fn sink_config_round_trips(c in sink_config()) {
        let json = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(&parse::<SinkConfig>(&json).unwrap(), &c);
        let yaml = serde_yaml_ng::to_string(&c).unwrap();
        prop_assert_eq!(&parse::<SinkConfig>(&yaml).unwrap(), &c);
    }

    #[test]
    fn source_config_round_trips(c in source_config()) {
        let json = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(&parse::<SourceConfig>(&json).unwrap(), &c);
    }

    #[test]
    fn status_bodies_round_trip(n in 0i32..5, running in any::<bool>(), err in prop::option::of("[ -~]{0,10}")) {
        let s = FunctionStatus { num_instances: n, num_running: 0, instances: (0..n).map(|i| InstanceStatus {
            instance_id: i, status: FunctionInstanceStatusData { running, error: err.clone(), ..Default::default() } }).collect() };
        let back: FunctionStatus = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        prop_assert_eq!(back, s);
    }
}
