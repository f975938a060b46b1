//! Function / Sink / Source → FunctionConfig / SinkConfig / SourceConfig, as
//! `pulsar-admin functions get` shows it.
//!
//! Deliberate fixes of the Java worker (each tested): memory is read from `requests` for every
//! kind (Java read function `limits`, so each get-then-update added 10 %); Python and Go
//! package URLs come back in `py` / `go` (Java put them in `jar`); archives and `builtin://`
//! names come back (Java returned the in-pod jar path); the window config,
//! `maxPendingAsyncRequests`, runner image, runner image tag and log options are read back;
//! `customRuntimeOptions` only carries what differs from the worker's own defaults.

use crate::convert::worker_env;
use crate::error::ReverseError;
use crate::fidelity;
use crate::front_door::Worker;
use crate::inputs::InputSpecs;
use crate::naming::{ComponentKind, MANAGED_ANNOTATION};
use crate::quantity;
use crate::shared_fields::{producer_limits, window_fields};
use fm_model::crd::{
    ConsumerConfig as CrdConsumer, CryptoConfig as CrdCrypto, Function, InputConf, OutputConf,
    PodPolicy, ProcessingGuarantee, ProducerConfig as CrdProducer, Sink, Source,
};
use fm_model::pulsar::{
    BatchSourceConfig, ConsumerConfig, CryptoConfig, FunctionConfig, ProcessingGuarantees,
    ProducerConfig, Resources, Runtime, SinkConfig, SourceConfig, WindowConfig,
};
use fm_model::worker::{
    CustomRuntimeOptions, HpaSpec, VpaContainerPolicy, VpaSpecOptions, VpaUpdatePolicy,
};
use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A Pulsar config read back from a resource `$k` (its spec `$s`): the kind's own `fields`, and
/// the fields every kind reads back the same way (tenant, namespace, name, log topic, secrets,
/// parallelism, resources, runtime flags). A sink or source names its kind, the spec field of its
/// built-in connector type, the worker and the type class its input or output declares
/// (`connector Sink => sink_type, worker, …`): class, archive and `customRuntimeOptions` are read
/// back from them.
macro_rules! pulsar_config {
    ($config:ident { $($field:ident $(: $value:expr)?),* $(,)? }; $k:ident, $s:ident
        $(, connector $kind:ident => $type_field:ident, $worker:ident, $declared:expr)?
    ) => {
        $config {
            $(
                class_name: $s.class_name.clone(),
                archive: fidelity::archive(&$s.java, $s.$type_field.as_deref())?,
                custom_runtime_options: {
                    let kind = ComponentKind::$kind;
                    let declared = connector_type(kind, $worker, $s.$type_field.as_deref(), $declared);
                    let (input_type, output_type) = match kind {
                        ComponentKind::Sink => (declared, None),
                        _ => (None, declared),
                    };
                    // A built-in connector's image is the catalogue's: not an option.
                    let image = if $s.$type_field.is_some() { None } else { $s.image.as_deref() };
                    let cluster = fidelity::cluster($s.cluster_name.as_deref());
                    options(
                        kind, $worker, &$k.metadata, cluster.as_deref(), input_type, output_type,
                        $s.max_replicas, &$s.pod, image, "JAVA", None,
                    )
                },
            )?
            tenant: fidelity::tenant($s.tenant.as_deref()),
            namespace: fidelity::namespace($s.namespace.as_deref()),
            name: pulsar_name(&$k.metadata, $s.name.as_deref()),
            log_topic: $s.log_topic.clone(),
            secrets: secrets(&$s.secrets_map),
            parallelism: $s.replicas,
            resources: resources(&$s.resources)?,
            runtime_flags: $s.runtime_flags.clone(),
            $($field $(: $value)?,)*
            ..Default::default()
        }
    };
}

fn pulsar_name(meta: &ObjectMeta, spec_name: Option<&str>) -> Option<String> {
    let labels = meta.labels.as_ref();
    labels
        .and_then(|l| {
            l.get("compute.functionmesh.io/pulsar-component")
                .or_else(|| l.get("pulsar-component"))
        })
        .cloned()
        .or_else(|| spec_name.map(str::to_owned))
        .or_else(|| meta.name.clone())
}

fn guarantees(g: ProcessingGuarantee) -> ProcessingGuarantees {
    match g {
        ProcessingGuarantee::AtleastOnce => ProcessingGuarantees::AtleastOnce,
        ProcessingGuarantee::AtmostOnce => ProcessingGuarantees::AtmostOnce,
        ProcessingGuarantee::EffectivelyOnce => ProcessingGuarantees::EffectivelyOnce,
        ProcessingGuarantee::Manual => ProcessingGuarantees::Manual,
    }
}

/// `spec.resources` as Pulsar resources: each of cpu, memory and storage from `requests`, else
/// from `limits` (Kubernetes uses a limit as the request a resource leaves out).
fn resources(r: &Option<ResourceRequirements>) -> Result<Option<Resources>, ReverseError> {
    let Some(r) = r.as_ref() else {
        return Ok(None);
    };
    let (requests, limits) = (r.requests.as_ref(), r.limits.as_ref());
    if requests.is_none_or(|m| m.is_empty()) && limits.is_none_or(|m| m.is_empty()) {
        return Ok(None);
    }
    let get = |keys: &[&'static str]| {
        for (side, map) in [("requests", requests), ("limits", limits)] {
            for key in keys {
                if let Some(q) = map.and_then(|m| m.get(*key)) {
                    return Some((format!("spec.resources.{side}.{key}"), q.0.clone()));
                }
            }
        }
        None
    };
    let bad = |path: String, e: quantity::QuantityError| ReverseError::BadQuantity {
        path,
        message: e.to_string(),
    };
    let mut out = Resources::default();
    if let Some((path, q)) = get(&["cpu"]) {
        out.cpu = quantity::parse_cpu(&q).map_err(|e| bad(path, e))?;
    }
    if let Some((path, q)) = get(&["memory"]) {
        out.ram = quantity::parse_bytes(&q).map_err(|e| bad(path, e))?;
    }
    if let Some((path, q)) = get(&["ephemeral-storage", "storage"]) {
        out.disk = quantity::parse_bytes(&q).map_err(|e| bad(path, e))?;
    }
    Ok(Some(out))
}

fn crypto(c: &CrdCrypto) -> CryptoConfig {
    CryptoConfig {
        crypto_key_reader_class_name: c.crypto_key_reader_class_name.clone(),
        crypto_key_reader_config: c.crypto_key_reader_config.as_ref().map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect()
        }),
        encryption_keys: c.encryption_keys.clone(),
        producer_crypto_failure_action: c
            .producer_crypto_failure_action
            .as_ref()
            .and_then(|a| serde_json::from_value(Value::String(a.clone())).ok()),
        consumer_crypto_failure_action: c
            .consumer_crypto_failure_action
            .as_ref()
            .and_then(|a| serde_json::from_value(Value::String(a.clone())).ok()),
    }
}

fn consumer(c: &CrdConsumer) -> ConsumerConfig {
    ConsumerConfig {
        schema_type: c.schema_type.clone(),
        serde_class_name: c.serde_class_name.clone(),
        schema_properties: c.schema_properties.clone().unwrap_or_default(),
        consumer_properties: c.consumer_properties.clone().unwrap_or_default(),
        receiver_queue_size: c.receiver_queue_size,
        crypto_config: c.crypto_config.as_ref().map(crypto),
        message_payload_processor_config: None,
        pool_messages: false,
        regex_pattern: c.is_regex_pattern.unwrap_or(false),
    }
}

/// The `input` block a function or sink must have.
fn input_of(input: Option<&InputConf>, kind: ComponentKind) -> Result<&InputConf, ReverseError> {
    input.ok_or(ReverseError::NoInput(kind))
}

/// `inputs` and `inputSpecs` from `spec.input`: topics stay `inputs`; every form Function Mesh
/// knows (sourceSpecs, topicPattern, customSerdeSources, customSchemaSources) lands in `inputSpecs`.
fn inputs(
    input: &InputConf,
) -> (
    Option<Vec<String>>,
    Option<BTreeMap<String, ConsumerConfig>>,
) {
    let specs = InputSpecs::default()
        .topics(input.topics.iter().flatten())
        .pattern(input.topic_pattern.as_ref())
        .serde(input.custom_serde_sources.as_ref())
        .schema(input.custom_schema_sources.as_ref())
        .specs(
            input
                .source_specs
                .iter()
                .flatten()
                .map(|(t, s)| (t.clone(), consumer(s))),
        )
        .into_map();
    (
        input.topics.clone().filter(|t| !t.is_empty()),
        (!specs.is_empty()).then_some(specs),
    )
}

fn producer(p: &Option<CrdProducer>) -> Option<ProducerConfig> {
    let p = p.as_ref()?;
    Some(producer_limits!(p, crypto => {
        batch_builder: p.batch_builder.clone().filter(|b| !b.is_empty()),
    }))
}

fn secrets(m: &Option<BTreeMap<String, fm_model::crd::SecretRef>>) -> Option<Map<String, Value>> {
    let m = m.as_ref()?;
    Some(
        m.iter()
            .map(|(k, r)| {
                let mut o = Map::new();
                if let Some(p) = &r.path {
                    o.insert("path".into(), Value::String(p.clone()));
                }
                if let Some(key) = &r.key {
                    o.insert("key".into(), Value::String(key.clone()));
                }
                (k.clone(), Value::Object(o))
            })
            .collect(),
    )
}

/// Everything `customRuntimeOptions` can say, read back from a resource; then only what differs
/// from the context's defaults is kept.
#[allow(clippy::too_many_arguments)]
fn options(
    kind: ComponentKind,
    worker: &Worker,
    meta: &ObjectMeta,
    cluster: Option<&str>,
    input_type: Option<String>,
    output_type: Option<String>,
    max_replicas: Option<i32>,
    pod: &Option<PodPolicy>,
    image: Option<&str>,
    runtime_key: &str,
    log: Option<&fm_model::crd::RuntimeLogConfig>,
) -> Option<String> {
    let custom = &worker.config.functions_worker_service_custom_configs;
    let mut o = CustomRuntimeOptions {
        input_type_class_name: input_type,
        output_type_class_name: output_type,
        max_replicas: max_replicas.unwrap_or(0),
        ..Default::default()
    };
    let default_cluster = worker.default_cluster();
    if cluster.is_some() && cluster != default_cluster.as_deref() {
        o.cluster_name = cluster.map(str::to_owned);
    }
    if let Some(annotations) = &meta.annotations {
        if annotations.get(MANAGED_ANNOTATION).map(String::as_str) == Some("false") {
            o.managed = false;
        }
    }
    if let Some(pod) = pod {
        let sa = pod.service_account_name.clone().filter(|s| !s.is_empty());
        if sa.is_some() && sa != custom.default_service_account_name {
            o.service_account_name = sa;
        }
        let base = worker_env(kind, &worker.config);
        let env: BTreeMap<String, String> = pod
            .env
            .iter()
            .flatten()
            .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
            .filter(|(k, v)| base.get(k) != Some(v))
            .collect();
        if !env.is_empty() {
            o.env = Some(env);
        }
        if let Some(rules) = &pod.builtin_autoscaler {
            o.hpa_spec = Some(HpaSpec {
                builtin_cpu_rule: rules.iter().find(|r| r.contains("CPU")).cloned(),
                builtin_memory_rule: rules.iter().find(|r| r.contains("Memory")).cloned(),
                ..Default::default()
            });
        } else if pod.auto_scaling_metrics.is_some() || pod.auto_scaling_behavior.is_some() {
            o.hpa_spec = Some(HpaSpec {
                auto_scaling_metrics: pod
                    .auto_scaling_metrics
                    .as_ref()
                    .and_then(|m| serde_json::to_value(m).ok())
                    .and_then(|v| serde_json::from_value(v).ok()),
                auto_scaling_behavior: pod
                    .auto_scaling_behavior
                    .as_ref()
                    .and_then(|b| serde_json::to_value(b).ok()),
                ..Default::default()
            });
        }
        if let Some(v) = &pod.vpa {
            let lower = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_lowercase));
            o.vpa_spec = Some(VpaSpecOptions {
                update_policy: v.update_policy.as_ref().map(|u| VpaUpdatePolicy {
                    update_mode: lower(u.update_mode.and_then(|m| serde_json::to_value(m).ok())),
                    min_replicas: u.min_replicas,
                }),
                resource_policy: v
                    .resource_policy
                    .as_ref()
                    .and_then(|p| p.container_policies.as_ref())
                    .map(|list| {
                        list.iter()
                            .map(|c| VpaContainerPolicy {
                                container_name: c.container_name.clone(),
                                mode: lower(c.mode.and_then(|m| serde_json::to_value(m).ok())),
                                max_allowed: c.max_allowed.as_ref().map(|m| {
                                    m.iter()
                                        .map(|(k, q)| (k.clone(), Value::String(q.0.clone())))
                                        .collect()
                                }),
                                min_allowed: c.min_allowed.as_ref().map(|m| {
                                    m.iter()
                                        .map(|(k, q)| (k.clone(), Value::String(q.0.clone())))
                                        .collect()
                                }),
                                controlled_resources: c.controlled_resources.clone(),
                                controlled_values: lower(
                                    c.controlled_values
                                        .and_then(|m| serde_json::to_value(m).ok()),
                                ),
                            })
                            .collect()
                    }),
            });
        }
    }
    let configured = custom
        .function_runner_images
        .as_ref()
        .and_then(|m| m.get(runtime_key));
    let (runner_image, tag) =
        crate::convert::classify_image(image, configured, custom.enable_trusted_mode);
    o.runner_image = runner_image;
    o.runner_image_tag = tag;
    if let Some(log) = log {
        o.log_level = log
            .level
            .and_then(|l| serde_json::to_value(l).ok())
            .and_then(|v| v.as_str().map(str::to_string));
        o.log_rotation_policy = log
            .rotate_policy
            .and_then(|l| serde_json::to_value(l).ok())
            .and_then(|v| v.as_str().map(str::to_string));
    }
    (o != CustomRuntimeOptions::default()).then(|| serde_json::to_string(&o).unwrap_or_default())
}

/// `Function` → FunctionConfig.
pub(crate) fn function_config(
    f: &Function,
    worker: &Worker,
) -> Result<FunctionConfig, ReverseError> {
    let s = &f.spec;
    let input = input_of(s.input.as_ref(), ComponentKind::Function)?;
    let (inputs, input_specs) = inputs(input);
    let out: OutputConf = s.output.clone().unwrap_or_default();
    let (runtime, jar, py, go, log, key) = if let Some(j) = &s.java {
        let jar = fidelity::function_package(&j.jar, j.jar_location.as_deref(), "spec.java.jar")?;
        (Runtime::Java, Some(jar), None, None, j.log.as_ref(), "JAVA")
    } else if let Some(p) = &s.python {
        let py = fidelity::function_package(&p.py, p.py_location.as_deref(), "spec.python.py")?;
        (
            Runtime::Python,
            None,
            Some(py),
            None,
            p.log.as_ref(),
            "PYTHON",
        )
    } else if let Some(g) = &s.golang {
        let go = fidelity::function_package(&g.go, g.go_location.as_deref(), "spec.golang.go")?;
        (Runtime::Go, None, None, Some(go), g.log.as_ref(), "GO")
    } else {
        (Runtime::Java, None, None, None, None, "JAVA")
    };
    // A window function: the operator always runs `spec.className` as the window function
    // (whatever `actualWindowFunctionClassName` says), and Pulsar's GET shows the window
    // config's guarantee as the function's (the function itself runs with MANUAL).
    let class_name = s.class_name.clone().filter(|c| !c.is_empty()).or_else(|| {
        s.window_config
            .as_ref()
            .and_then(|w| w.actual_window_function_class_name.clone())
            .filter(|c| !c.is_empty())
    });
    let window_guarantee = s
        .window_config
        .as_ref()
        .map(|w| fidelity::window_guarantee(w.processing_guarantees, s.processing_guarantee));
    let window = s.window_config.as_ref().map(|w| {
        window_fields!(w => WindowConfig {
            actual_window_function_class_name: class_name.clone(),
            processing_guarantees: Some(fidelity::window_guarantee_of(window_guarantee)),
        })
    });
    Ok(pulsar_config!(
        FunctionConfig {
            class_name,
            inputs,
            input_specs,
            output: out.topic.clone(),
            // Pulsar's GET always shows the producer; without `producerConf` the instance runs
            // with the client's defaults and no thread-local producers.
            producer_config: producer(&out.producer_conf).or_else(|| {
                Some(ProducerConfig {
                    use_thread_local_producers: Some(false),
                    ..Default::default()
                })
            }),
            output_schema_type: out.sink_schema_type.clone(),
            output_serde_class_name: out.sink_serde_class_name.clone(),
            custom_schema_outputs: out.custom_schema_sinks.clone(),
            processing_guarantees: window_guarantee.or(s.processing_guarantee.map(guarantees)),
            retain_ordering: Some(s.retain_ordering.unwrap_or(false)),
            retain_key_ordering: Some(s.retain_key_ordering.unwrap_or(false)),
            forward_source_message_property: Some(s.forward_source_message_property.unwrap_or(true)),
            user_config: Some(s.func_config.clone().unwrap_or_default()),
            runtime: Some(runtime),
            auto_ack: Some(s.auto_ack.unwrap_or(true)),
            max_message_retries: s.max_message_retry,
            dead_letter_topic: s.dead_letter_topic.clone(),
            sub_name: s.subscription_name.clone(),
            window_config: window,
            timeout_ms: s.timeout.map(i64::from),
            jar,
            py,
            go,
            cleanup_subscription: fidelity::cleanup_subscription(s.cleanup_subscription),
            custom_runtime_options: options(
                ComponentKind::Function,
                worker,
                &f.metadata,
                fidelity::cluster(s.cluster_name.as_deref()).as_deref(),
                input.type_class_name.clone(),
                out.type_class_name.clone(),
                s.max_replicas,
                &s.pod,
                s.image.as_deref(),
                key,
                log,
            ),
            max_pending_async_requests: s.max_pending_async_requests,
            skip_to_latest: s.skip_to_latest,
            subscription_position: fidelity::subscription_position(s.subscription_position),
        };
        f, s
    ))
}

/// The type class a connector's `customRuntimeOptions` must carry to read back as written: the
/// resource's, unless the built-in connector named `builtin` gives that type anyway, or (for an
/// archive) it is the default `byte[]`.
fn connector_type(
    kind: ComponentKind,
    worker: &Worker,
    builtin: Option<&str>,
    written: Option<&str>,
) -> Option<String> {
    let builtin_type = builtin
        .and_then(|n| worker.connector(n))
        .map(|d| match kind {
            ComponentKind::Sink => d.sink_type(),
            _ => d.source_type(),
        });
    written
        .filter(|t| {
            Some(*t) != builtin_type && (builtin_type.is_some() || *t != crate::worker::BYTES_TYPE)
        })
        .map(str::to_owned)
}

/// `Sink` → SinkConfig.
pub(crate) fn sink_config(k: &Sink, worker: &Worker) -> Result<SinkConfig, ReverseError> {
    let s = &k.spec;
    let input = input_of(s.input.as_ref(), ComponentKind::Sink)?;
    let (inputs, input_specs) = inputs(input);
    Ok(pulsar_config!(
        SinkConfig {
            source_subscription_name: s.subscription_name.clone(),
            source_subscription_position: fidelity::subscription_position(s.subscription_position),
            inputs,
            input_specs,
            max_message_retries: s.max_message_retry,
            dead_letter_topic: s.dead_letter_topic.clone(),
            configs: s.sink_config.clone(),
            processing_guarantees: s.processing_guarantee.map(guarantees),
            retain_ordering: s.retain_ordering,
            retain_key_ordering: Some(s.retain_key_ordering.unwrap_or(false)),
            auto_ack: Some(s.auto_ack.unwrap_or(true)),
            timeout_ms: s.timeout.map(i64::from),
            negative_ack_redelivery_delay_ms: s.negative_ack_redelivery_delay_ms.map(i64::from),
            cleanup_subscription: fidelity::cleanup_subscription(s.cleanup_subscription),
        };
        k, s, connector Sink => sink_type, worker, input.type_class_name.as_deref()
    ))
}

/// `Source` → SourceConfig.
pub(crate) fn source_config(k: &Source, worker: &Worker) -> Result<SourceConfig, ReverseError> {
    let s = &k.spec;
    let out: OutputConf = s.output.clone().unwrap_or_default();
    Ok(pulsar_config!(
        SourceConfig {
            topic_name: out.topic.clone(),
            producer_config: producer(&out.producer_conf).or_else(|| Some(fidelity::source_producer())),
            serde_class_name: out.sink_serde_class_name.clone(),
            schema_type: out.sink_schema_type.clone(),
            configs: s.source_config.clone(),
            processing_guarantees: s.processing_guarantee.map(guarantees),
            batch_source_config: s.batch_source_config.as_ref().map(|b| BatchSourceConfig {
                discovery_triggerer_class_name: Some(b.discovery_triggerer_class_name.clone()),
                discovery_triggerer_config: b.discovery_triggerer_config.clone(),
            }),
        };
        k, s, connector Source => source_type, worker, out.type_class_name.as_deref()
    ))
}
