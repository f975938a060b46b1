//! Strategies for the leaf types of the Function Mesh resources (strings, JSON, runtimes,
//! consumer/producer settings, pod policy, status).

use std::collections::BTreeMap;

use fm_convert::crd::*;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;
use serde_json::{Map, Value};

pub(crate) fn s() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9._/:-]{0,12}",
        "\\PC{0,8}",
        Just("off".to_owned()),
        Just("Off".to_owned()),
        Just("yes".to_owned()),
        Just("1".to_owned()),
        Just("[B".to_owned()),
        // YAML 1.1 line breaks inside a JSON string (a key too).
        Just("l\u{2028}s\u{2029}".to_owned()),
    ]
}
pub(crate) fn os() -> impl Strategy<Value = Option<String>> {
    of(s())
}
pub(crate) fn smap() -> impl Strategy<Value = Option<BTreeMap<String, String>>> {
    of(btree_map(s(), s(), 0..3))
}
pub(crate) fn svec() -> impl Strategy<Value = Option<Vec<String>>> {
    of(vec(s(), 0..3))
}

pub(crate) fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![Just(0.5f64), Just(-2.25), Just(1e-3), Just(123456.75)].prop_map(Value::from),
        s().prop_map(Value::String),
    ]
}
pub(crate) fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(s(), inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
pub(crate) fn free() -> impl Strategy<Value = Option<FreeConfig>> {
    of(btree_map(s(), json_value(), 0..4).prop_map(|m| m.into_iter().collect::<Map<_, _>>()))
}

pub(crate) fn processing_guarantee() -> impl Strategy<Value = ProcessingGuarantee> {
    prop_oneof![
        Just(ProcessingGuarantee::AtleastOnce),
        Just(ProcessingGuarantee::AtmostOnce),
        Just(ProcessingGuarantee::EffectivelyOnce),
        Just(ProcessingGuarantee::Manual),
    ]
}
pub(crate) fn subscription_position() -> impl Strategy<Value = SubscriptionPosition> {
    prop_oneof![
        Just(SubscriptionPosition::Latest),
        Just(SubscriptionPosition::Earliest)
    ]
}
pub(crate) fn log_topic_agent() -> impl Strategy<Value = LogTopicAgent> {
    prop_oneof![Just(LogTopicAgent::Runtime), Just(LogTopicAgent::Sidecar)]
}
pub(crate) fn compression() -> impl Strategy<Value = CompressionType> {
    prop_oneof![
        Just(CompressionType::None),
        Just(CompressionType::Lz4),
        Just(CompressionType::Zlib),
        Just(CompressionType::Zstd),
        Just(CompressionType::Snappy),
    ]
}
pub(crate) fn log_config() -> impl Strategy<Value = RuntimeLogConfig> {
    let level = prop_oneof![
        Just(LogLevel::Off),
        Just(LogLevel::Trace),
        Just(LogLevel::Debug),
        Just(LogLevel::Info),
        Just(LogLevel::Warn),
        Just(LogLevel::Error),
        Just(LogLevel::Fatal),
        Just(LogLevel::All),
        Just(LogLevel::Panic),
    ];
    let policy = prop_oneof![
        Just(TriggeringPolicy::TimedPolicyWithDaily),
        Just(TriggeringPolicy::TimedPolicyWithWeekly),
        Just(TriggeringPolicy::TimedPolicyWithMonthly),
        Just(TriggeringPolicy::SizedPolicyWith10MB),
        Just(TriggeringPolicy::SizedPolicyWith50MB),
        Just(TriggeringPolicy::SizedPolicyWith100MB),
    ];
    let format = prop_oneof![Just(LogFormat::Json), Just(LogFormat::Text)];
    let file_type = prop_oneof![
        Just(JavaLog4JConfigFileType::Yaml),
        Just(JavaLog4JConfigFileType::Xml),
        Just(JavaLog4JConfigFileType::Ini),
    ];
    (
        of(level),
        of(policy),
        of(format),
        of((s(), s())),
        of(file_type),
    )
        .prop_map(
            |(level, rotate_policy, format, lc, java_log4j_config_file_type)| RuntimeLogConfig {
                level,
                rotate_policy,
                format,
                log_config: lc.map(|(name, key)| LogConfig { name, key }),
                java_log4j_config_file_type,
            },
        )
}
pub(crate) fn java() -> impl Strategy<Value = JavaRuntime> {
    (s(), os(), os(), of(log_config()), svec(), os(), os()).prop_map(
        |(
            jar,
            jar_location,
            extra_dependencies_dir,
            log,
            java_opts,
            instance_path,
            entry_class,
        )| {
            JavaRuntime {
                jar,
                jar_location,
                extra_dependencies_dir,
                log,
                java_opts,
                instance_path,
                entry_class,
            }
        },
    )
}
pub(crate) fn python() -> impl Strategy<Value = PythonRuntime> {
    (s(), os(), of(log_config())).prop_map(|(py, py_location, log)| PythonRuntime {
        py,
        py_location,
        log,
    })
}
pub(crate) fn golang() -> impl Strategy<Value = GoRuntime> {
    (s(), os(), of(log_config())).prop_map(|(go, go_location, log)| GoRuntime {
        go,
        go_location,
        log,
    })
}
pub(crate) fn generic() -> impl Strategy<Value = GenericRuntime> {
    (s(), s(), os()).prop_map(
        |(function_file, language, function_file_location)| GenericRuntime {
            function_file,
            language,
            function_file_location,
        },
    )
}
pub(crate) fn crypto() -> impl Strategy<Value = CryptoConfig> {
    let secret = (s(), s(), os()).prop_map(|(secret_name, secret_key, as_volume)| CryptoSecret {
        secret_name,
        secret_key,
        as_volume,
    });
    (os(), smap(), svec(), os(), os(), of(vec(secret, 0..2))).prop_map(|(a, b, c, d, e, f)| {
        CryptoConfig {
            crypto_key_reader_class_name: a,
            crypto_key_reader_config: b,
            encryption_keys: c,
            producer_crypto_failure_action: d,
            consumer_crypto_failure_action: e,
            crypto_secrets: f,
        }
    })
}
pub(crate) fn consumer() -> impl Strategy<Value = ConsumerConfig> {
    (
        os(),
        os(),
        of(any::<bool>()),
        smap(),
        smap(),
        of(any::<i32>()),
        of(crypto()),
    )
        .prop_map(|(a, b, c, d, e, f, g)| ConsumerConfig {
            schema_type: a,
            serde_class_name: b,
            is_regex_pattern: c,
            schema_properties: d,
            consumer_properties: e,
            receiver_queue_size: f,
            crypto_config: g,
        })
}
pub(crate) fn input() -> impl Strategy<Value = InputConf> {
    (
        os(),
        svec(),
        os(),
        smap(),
        smap(),
        of(btree_map(s(), consumer(), 0..2)),
    )
        .prop_map(|(a, b, c, d, e, f)| InputConf {
            type_class_name: a,
            topics: b,
            topic_pattern: c,
            custom_serde_sources: d,
            custom_schema_sources: e,
            source_specs: f,
        })
}
pub(crate) fn producer() -> impl Strategy<Value = ProducerConfig> {
    (
        of(any::<i32>()),
        of(any::<i32>()),
        of(any::<bool>()),
        of(crypto()),
        os(),
        of(compression()),
    )
        .prop_map(|(a, b, c, d, e, f)| ProducerConfig {
            max_pending_messages: a,
            max_pending_messages_across_partitions: b,
            use_thread_local_producers: c,
            crypto_config: d,
            batch_builder: e,
            compression_type: f,
        })
}
pub(crate) fn output() -> impl Strategy<Value = OutputConf> {
    (os(), os(), os(), os(), of(producer()), smap()).prop_map(|(a, b, c, d, e, f)| OutputConf {
        type_class_name: a,
        topic: b,
        sink_serde_class_name: c,
        sink_schema_type: d,
        producer_conf: e,
        custom_schema_sinks: f,
    })
}
pub(crate) fn window() -> impl Strategy<Value = WindowConfig> {
    let pg = prop_oneof![
        Just(WindowProcessingGuarantee::AtleastOnce),
        Just(WindowProcessingGuarantee::AtmostOnce)
    ];
    (
        s(),
        of(any::<i32>()),
        of(any::<i64>()),
        of(any::<i32>()),
        of(any::<i64>()),
        os(),
        of(any::<i64>()),
        of(any::<i64>()),
        os(),
        of(pg),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j)| WindowConfig {
            actual_window_function_class_name: Some(a),
            window_length_count: b,
            window_length_duration_ms: c,
            sliding_interval_count: d,
            sliding_interval_duration_ms: e,
            late_data_topic: f,
            max_lag_ms: g,
            watermark_emit_interval_ms: h,
            timestamp_extractor_class_name: i,
            processing_guarantees: j,
        })
}
pub(crate) fn batch() -> impl Strategy<Value = BatchSourceConfig> {
    (s(), free()).prop_map(|(a, b)| BatchSourceConfig {
        discovery_triggerer_class_name: a,
        discovery_triggerer_config: b,
    })
}
pub(crate) fn source_connector() -> impl Strategy<Value = SourceConnectorSpec> {
    (os(), of(batch()), os(), os(), free()).prop_map(|(a, b, c, d, e)| SourceConnectorSpec {
        source_type: a,
        batch_source_config: b,
        class_name: c,
        type_class_name: d,
        configs: e,
    })
}
pub(crate) fn sink_connector() -> impl Strategy<Value = SinkConnectorSpec> {
    (os(), os(), os(), free()).prop_map(|(a, b, c, d)| SinkConnectorSpec {
        sink_type: a,
        class_name: b,
        type_class_name: c,
        configs: d,
    })
}
pub(crate) fn auth() -> impl Strategy<Value = AuthConfig> {
    let oauth2 = (s(), s(), os(), s(), s()).prop_map(|(a, b, c, d, e)| OAuth2Config {
        audience: a,
        issuer_url: b,
        scope: c,
        key_secret_name: d,
        key_secret_key: e,
    });
    let generic = (s(), s()).prop_map(|(a, b)| GenericAuth {
        client_authentication_plugin: a,
        client_authentication_parameters: b,
    });
    (of(oauth2), of(generic)).prop_map(|(oauth2_config, generic_auth)| AuthConfig {
        oauth2_config,
        generic_auth,
    })
}
pub(crate) fn messaging() -> impl Strategy<Value = PulsarMessaging> {
    let tls = (
        of(any::<bool>()),
        of(any::<bool>()),
        of(any::<bool>()),
        os(),
        os(),
    )
        .prop_map(|(a, b, c, d, e)| PulsarTlsConfig {
            enabled: a,
            allow_insecure: b,
            hostname_verification: c,
            cert_secret_name: d,
            cert_secret_key: e,
        });
    (os(), os(), os(), of(tls), of(auth()), of(auth())).prop_map(|(a, b, c, d, e, f)| {
        PulsarMessaging {
            pulsar_config: a,
            auth_secret: b,
            tls_secret: c,
            tls_config: d,
            auth_config: e,
            cleanup_auth_config: f,
        }
    })
}
pub(crate) fn stateful() -> impl Strategy<Value = Stateful> {
    let provider = (s(), free())
        .prop_map(|(class_name, config)| PulsarStateStoreJavaProvider { class_name, config });
    of(
        (s(), of(provider)).prop_map(|(service_url, java_provider)| PulsarStateStore {
            service_url,
            java_provider,
        }),
    )
    .prop_map(|pulsar| Stateful { pulsar })
}
pub(crate) fn quantity_map() -> impl Strategy<Value = Option<BTreeMap<String, Quantity>>> {
    of(btree_map(
        prop_oneof![Just("cpu".to_owned()), Just("memory".to_owned())],
        "[1-9][0-9]{0,3}(m|Mi|Gi)?".prop_map(Quantity),
        0..3,
    ))
}
pub(crate) fn vpa() -> impl Strategy<Value = VpaSpec> {
    let mode = prop_oneof![
        Just(VpaUpdateMode::Off),
        Just(VpaUpdateMode::Initial),
        Just(VpaUpdateMode::Recreate),
        Just(VpaUpdateMode::Auto),
    ];
    let update =
        (of(mode), of(any::<i32>())).prop_map(|(update_mode, min_replicas)| PodUpdatePolicy {
            update_mode,
            min_replicas,
        });
    let container = (
        os(),
        of(prop_oneof![
            Just(ContainerScalingMode::Auto),
            Just(ContainerScalingMode::Off)
        ]),
        quantity_map(),
        quantity_map(),
        svec(),
        of(prop_oneof![
            Just(ContainerControlledValues::RequestsAndLimits),
            Just(ContainerControlledValues::RequestsOnly)
        ]),
    )
        .prop_map(|(a, b, c, d, e, f)| ContainerResourcePolicy {
            container_name: a,
            mode: b,
            min_allowed: c,
            max_allowed: d,
            controlled_resources: e,
            controlled_values: f,
        });
    let resource = of(vec(container, 0..2))
        .prop_map(|container_policies| PodResourcePolicy { container_policies });
    (of(update), of(resource)).prop_map(|(update_policy, resource_policy)| VpaSpec {
        update_policy,
        resource_policy,
    })
}
pub(crate) fn pod() -> impl Strategy<Value = PodPolicy> {
    let liveness = (
        of(any::<i32>()),
        of(any::<i32>()),
        of(any::<i32>()),
        of(any::<i32>()),
    )
        .prop_map(|(a, b, c, d)| Liveness {
            period_seconds: a,
            initial_delay_seconds: b,
            success_threshold: c,
            failure_threshold: d,
        });
    (
        smap(),
        smap(),
        smap(),
        of(any::<i64>()),
        os(),
        svec(),
        of(vpa()),
        of(liveness),
        of(any::<bool>()),
    )
        .prop_map(
            |(labels, node_selector, annotations, grace, sa, rules, vpa, liveness, disable)| {
                PodPolicy {
                    labels,
                    node_selector,
                    annotations,
                    termination_grace_period_seconds: grace,
                    service_account_name: sa,
                    builtin_autoscaler: rules,
                    vpa,
                    liveness,
                    disable_default_affinity: disable,
                    ..PodPolicy::default()
                }
            },
        )
}
pub(crate) fn secrets() -> impl Strategy<Value = Option<BTreeMap<String, SecretRef>>> {
    of(btree_map(
        s(),
        (os(), os()).prop_map(|(path, key)| SecretRef { path, key }),
        0..2,
    ))
}
pub(crate) fn condition() -> impl Strategy<Value = ResourceCondition> {
    (os(), os(), os()).prop_map(|(condition, status, action)| ResourceCondition {
        condition,
        status,
        action,
    })
}
pub(crate) fn status() -> impl Strategy<Value = ResourceStatus> {
    (
        btree_map(s(), condition(), 0..4),
        any::<i32>(),
        s(),
        of(any::<i64>()),
        os(),
        os(),
        os(),
    )
        .prop_map(
            |(conditions, replicas, selector, g, a, b, c)| ResourceStatus {
                conditions: Some(conditions),
                replicas: Some(replicas),
                selector: Some(selector),
                observed_generation: g,
                global_backend_config_revision: a,
                namespaced_backend_config_revision: b,
                pending_change: c,
            },
        )
}
