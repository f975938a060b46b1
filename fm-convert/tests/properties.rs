//! Property tests: model round trips, lossless conversion, valid names, no panics.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::pulsar::*;
use fm_convert::ConvertError;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use support::{
    function_config, function_to_resource, normalize_function, normalize_sink, normalize_source,
    sink_config, sink_to_resource, source_config, source_to_resource, Ctx as ConversionContext,
};

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,20}[a-z0-9]"
}

fn topic() -> impl Strategy<Value = String> {
    ("[a-z]{1,6}", "[a-z]{1,6}", "[a-z0-9-]{1,10}")
        .prop_map(|(t, n, x)| format!("persistent://{t}/{n}/{x}"))
}

fn guarantee() -> impl Strategy<Value = Option<ProcessingGuarantees>> {
    prop_oneof![
        Just(None),
        Just(Some(ProcessingGuarantees::AtleastOnce)),
        Just(Some(ProcessingGuarantees::AtmostOnce)),
        Just(Some(ProcessingGuarantees::Manual)),
    ]
}

fn resources() -> impl Strategy<Value = Option<Resources>> {
    prop::option::of(
        (1u32..64_000, 1i64..(64i64 << 30)).prop_map(|(milli, ram)| Resources {
            cpu: f64::from(milli) / 1000.0,
            ram,
            disk: Resources::DEFAULT_DISK,
        }),
    )
}

fn user_config() -> impl Strategy<Value = Option<JsonObject>> {
    prop::option::of(
        prop::collection::btree_map(
            "[a-z]{1,8}",
            prop_oneof![
                any::<i32>().prop_map(|n| json!(n)),
                "[ -~]{0,12}".prop_map(Value::String),
                any::<bool>().prop_map(Value::Bool),
            ],
            0..4,
        )
        .prop_map(|m| m.into_iter().collect()),
    )
}

fn function_config_strategy() -> impl Strategy<Value = FunctionConfig> {
    (
        (
            name(),
            prop::collection::vec(topic(), 1..4),
            prop::option::of(topic()),
            guarantee(),
            prop::option::of(1i32..50),
        ),
        (
            resources(),
            user_config(),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(1i64..100_000),
        ),
        (
            prop_oneof![Just("jar"), Just("py"), Just("go")],
            prop::option::of("[a-z]{3,10}"),
            prop::option::of(0i32..10),
            prop::option::of(any::<bool>()),
        ),
        (
            prop::option::of(0i32..20),
            prop::option::of(prop::collection::btree_map(
                "[A-Z]{1,5}",
                "[a-z0-9]{0,6}",
                0..3,
            )),
        ),
    )
        .prop_map(
            |(
                (name, inputs, output, g, parallelism),
                (resources, user_config, retain, auto_ack, timeout),
                (rt, sub, retries, earliest),
                (max_replicas, env),
            )| {
                let output = output.filter(|o| !inputs.contains(o));
                let package = format!("function://public/default/{name}@1");
                let mut c = FunctionConfig {
                    tenant: Some("public".into()),
                    namespace: Some("default".into()),
                    name: Some(name.clone()),
                    class_name: Some("org.example.Fn".into()),
                    inputs: Some(inputs),
                    output,
                    processing_guarantees: g,
                    parallelism,
                    resources,
                    user_config,
                    retain_ordering: retain,
                    auto_ack: auto_ack
                        .filter(|a| *a || g != Some(ProcessingGuarantees::AtmostOnce)),
                    sub_name: sub,
                    subscription_position: if earliest == Some(true) {
                        SubscriptionInitialPosition::Earliest
                    } else {
                        SubscriptionInitialPosition::Latest
                    },
                    ..Default::default()
                };
                match rt {
                    "py" => c.py = Some(package),
                    "go" => c.go = Some(package),
                    _ => {
                        c.jar = Some(package);
                        c.max_message_retries = retries;
                        if g.is_none() || g == Some(ProcessingGuarantees::AtleastOnce) {
                            c.timeout_ms = timeout;
                        }
                    }
                }
                if max_replicas.is_some() || env.is_some() {
                    let mut o = serde_json::Map::new();
                    if let Some(m) = max_replicas {
                        o.insert("maxReplicas".into(), json!(m));
                    }
                    if let Some(e) = env {
                        o.insert("env".into(), json!(e));
                    }
                    c.custom_runtime_options = Some(Value::Object(o).to_string());
                }
                c
            },
        )
}

fn ctx() -> ConversionContext {
    ConversionContext {
        cluster: Some("test-pulsar".into()),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Pulsar models survive serialise → parse (JSON and YAML) unchanged.
    #[test]
    fn function_config_round_trips_through_json_and_yaml(c in function_config_strategy()) {
        let json = serde_json::to_string(&c).unwrap();
        prop_assert_eq!(&fm_convert::parse::parse::<FunctionConfig>(&json).unwrap(), &c);
        let yaml = serde_yaml_ng::to_string(&c).unwrap();
        prop_assert_eq!(&fm_convert::parse::parse::<FunctionConfig>(&yaml).unwrap(), &c);
    }

    /// config → resource → config equals the normalised config (lossless).
    #[test]
    fn function_conversion_is_lossless(c in function_config_strategy()) {
        let ctx = ctx();
        let converted = function_to_resource(&c, &ctx).unwrap();
        let back = function_config(&converted.resource, &ctx).unwrap();
        prop_assert_eq!(back, normalize_function(&c, &ctx));
    }

    /// The resource's JSON reads back as the same resource.
    #[test]
    fn function_resource_round_trips(c in function_config_strategy()) {
        let r = function_to_resource(&c, &ctx()).unwrap().resource;
        let text = serde_json::to_string(&r).unwrap();
        let back: fm_convert::crd::Function = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, r);
    }

    /// Sinks and sources convert back losslessly too.
    #[test]
    fn connector_conversion_is_lossless(n in name(), inputs in prop::collection::vec(topic(), 1..3), out in topic(), p in prop::option::of(1i32..20), r in resources(), cfg in user_config(), g in guarantee()) {
        let ctx = ctx();
        let sink = SinkConfig {
            name: Some(n.clone()), inputs: Some(inputs), parallelism: p, resources: r.clone(), configs: cfg.clone(),
            processing_guarantees: g, class_name: Some("org.example.Sink".into()),
            archive: Some(format!("sink://public/default/{n}@1")), ..Default::default()
        };
        let k = sink_to_resource(&sink, &ctx).unwrap().resource;
        prop_assert_eq!(sink_config(&k, &ctx).unwrap(), normalize_sink(&sink, &ctx));
        let source = SourceConfig {
            name: Some(n.clone()), topic_name: Some(out), parallelism: p, resources: r, configs: cfg,
            processing_guarantees: g, class_name: Some("org.example.Source".into()),
            archive: Some(format!("source://public/default/{n}@1")), ..Default::default()
        };
        let s = source_to_resource(&source, &ctx).unwrap().resource;
        prop_assert_eq!(source_config(&s, &ctx).unwrap(), normalize_source(&source, &ctx));
    }

    /// Every resource name fmesh produces is a DNS-1123 label within Function Mesh's 43
    /// characters and every label value is valid — or the config is rejected.
    #[test]
    fn names_are_valid_or_rejected(n in "[ -~]{1,60}", tenant in "[a-zA-Z0-9_.-]{1,20}", cluster in "[a-zA-Z0-9_.-]{1,20}") {
        let c = FunctionConfig {
            tenant: Some(tenant), name: Some(n), class_name: Some("A".into()),
            inputs: Some(vec!["persistent://public/default/in".into()]),
            jar: Some("function://public/default/x@1".into()), ..Default::default()
        };
        let ctx = ConversionContext { cluster: Some(cluster), ..Default::default() };
        match function_to_resource(&c, &ctx) {
            Ok(conv) => {
                let name = conv.resource.metadata.name.clone().unwrap();
                prop_assert!(name.len() <= 43, "{}", name);
                prop_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{}", name);
                prop_assert!(name.starts_with(|c: char| c.is_ascii_lowercase()), "{}", name);
                for v in conv.resource.metadata.labels.unwrap().values() {
                    prop_assert!(v.len() <= 63 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{}", v);
                }
            }
            Err(ConvertError::Invalid(e)) => prop_assert!(!e.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error {other}"),
        }
    }

    /// Arbitrary JSON never makes parsing or conversion panic.
    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        let text = v.to_string();
        let ctx = ctx();
        if let Ok(c) = fm_convert::parse::parse::<FunctionConfig>(&text) { let _ = function_to_resource(&c, &ctx); }
        if let Ok(c) = fm_convert::parse::parse::<SinkConfig>(&text) { let _ = sink_to_resource(&c, &ctx); }
        if let Ok(c) = fm_convert::parse::parse::<SourceConfig>(&text) { let _ = source_to_resource(&c, &ctx); }
        let _ = fm_convert::crd::parse_resource::<fm_convert::crd::Function>(&text);
    }

    /// Objects with the right keys but arbitrary values never panic either.
    #[test]
    fn typed_keys_with_arbitrary_values_never_panic(values in prop::collection::vec(arb_json(), 12)) {
        let keys = ["name", "inputs", "parallelism", "resources", "jar", "py", "windowConfig", "customRuntimeOptions", "secrets", "inputSpecs", "timeoutMs", "processingGuarantees"];
        let doc: serde_json::Map<String, Value> = keys.iter().map(|k| k.to_string()).zip(values).collect();
        let text = Value::Object(doc).to_string();
        if let Ok(c) = fm_convert::parse::parse::<FunctionConfig>(&text) { let _ = function_to_resource(&c, &ctx()); }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[ -~]{0,16}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("inputs".to_string()),
                    Just("parallelism".to_string()),
                    Just("cpu".to_string()),
                    "[a-zA-Z]{1,10}"
                ],
                inner,
                0..6
            )
            .prop_map(|m: BTreeMap<String, Value>| Value::Object(m.into_iter().collect())),
        ]
    })
}
