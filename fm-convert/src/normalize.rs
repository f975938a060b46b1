//! The canonical form of a config: what a conversion to a resource and back yields.
//!
//! `reverse(convert(c)) == normalize(c)` for every valid config (a property test checks it).
//! A worker service can also use it to decide whether an update changes anything. What
//! normalising does: Pulsar's own defaults are filled in (tenant, namespace, parallelism,
//! resources, auto-ack, cleanup, ordering flags, window defaults); every input form is folded
//! into `inputSpecs`; `customRuntimeOptions` is re-serialised and keeps only what takes effect;
//! fields Function Mesh has no place for are dropped (`fqfn`, `functionType`, `poolMessages`,
//! `messagePayloadProcessorConfig`, producer `batchingConfig`, `exposePulsarAdminClientEnabled`,
//! `disk`, which the Java worker ignores too).

use crate::convert::{
    effective_resources, function_input_specs, infer_window, runner_image, sink_input_specs,
    worker_env,
};
use crate::front_door::{Request, Worker};
use crate::naming::ComponentKind;
use crate::options::parse_custom_runtime_options;
use crate::package::{connector_package, function_package, function_runtime, ConnectorPackage};
use crate::shared_fields::producer_limits;
use crate::validate::Connector;
use fm_model::pulsar::{
    ConsumerConfig, CryptoConfig, FunctionConfig, ProcessingGuarantees, ProducerConfig, Resources,
    Runtime, SinkConfig, SourceConfig, WindowProcessingGuarantees,
};
use fm_model::worker::{ConnectorDefinition, CustomRuntimeOptions};
use serde_json::Value;

/// Tenant, namespace and name after Pulsar's defaults.
fn identity(
    (tenant, namespace, name): (Option<&str>, Option<&str>, Option<&str>),
) -> (String, String, String) {
    (
        non_empty(tenant).unwrap_or_else(|| "public".into()),
        non_empty(namespace).unwrap_or_else(|| "default".into()),
        name.unwrap_or_default().to_owned(),
    )
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.filter(|v| !v.is_empty()).map(str::to_owned)
}

fn crypto(c: &CryptoConfig) -> CryptoConfig {
    let mut c = c.clone();
    if let Some(m) = c.crypto_key_reader_config.as_mut() {
        for v in m.values_mut() {
            if !v.is_string() {
                *v = Value::String(v.to_string());
            }
        }
    }
    c
}

fn consumer(c: &ConsumerConfig) -> ConsumerConfig {
    ConsumerConfig {
        schema_type: non_empty(c.schema_type.as_deref()),
        serde_class_name: non_empty(c.serde_class_name.as_deref()),
        crypto_config: c.crypto_config.as_ref().map(crypto),
        message_payload_processor_config: None,
        pool_messages: false,
        ..c.clone()
    }
}

fn producer(p: &Option<ProducerConfig>, batch_builder: Option<&str>) -> Option<ProducerConfig> {
    let p = p.clone().unwrap_or_default();
    Some(producer_limits!(p, crypto => {
        batch_builder: non_empty(batch_builder).or(non_empty(p.batch_builder.as_deref())),
    }))
}

fn resources(r: &Option<Resources>, worker: &Worker) -> Option<Resources> {
    // Function Mesh has no place for the disk: it reads back as Pulsar's default.
    Some(Resources {
        disk: Resources::DEFAULT_DISK,
        ..effective_resources(r, &worker.config)
    })
}

fn secrets(s: &Option<serde_json::Map<String, Value>>) -> Option<serde_json::Map<String, Value>> {
    s.clone().filter(|m| !m.is_empty())
}

/// The effective custom runtime options, as the reverse conversion reads them back.
fn options(
    kind: ComponentKind,
    raw: Option<&str>,
    parallelism: i32,
    runtime: Option<Runtime>,
    worker: &Worker,
    type_hints: (Option<String>, Option<String>),
) -> Option<String> {
    let o = parse_custom_runtime_options(raw).unwrap_or_default();
    let custom = &worker.config.functions_worker_service_custom_configs;
    let trusted = custom.enable_trusted_mode;
    let base = worker_env(kind, &worker.config);
    let hpa = o.max_replicas > parallelism;
    let mut n = CustomRuntimeOptions {
        cluster_name: {
            let effective = worker.cluster_for(o.cluster_name.as_deref());
            (effective != worker.default_cluster())
                .then_some(effective)
                .flatten()
        },
        input_type_class_name: o.input_type_class_name.clone().or(type_hints.0),
        output_type_class_name: o.output_type_class_name.clone().or(type_hints.1),
        max_replicas: if hpa { o.max_replicas } else { 0 },
        env: o
            .env
            .as_ref()
            .map(|e| {
                e.iter()
                    .filter(|(k, v)| base.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<std::collections::BTreeMap<_, _>>()
            })
            .filter(|e| !e.is_empty()),
        managed: !trusted || o.managed,
        ..Default::default()
    };
    let sa_allowed = trusted || custom.allow_user_defined_service_account_name;
    n.service_account_name = o.service_account_name.clone().filter(|s| {
        sa_allowed && !s.is_empty() && Some(s) != custom.default_service_account_name.as_ref()
    });
    if let Some(v) = &o.vpa_spec {
        let mut v = v.clone();
        let lower = |s: &mut Option<String>| {
            if let Some(x) = s.as_mut() {
                *x = x.to_lowercase();
            }
        };
        if let Some(u) = v.update_policy.as_mut() {
            lower(&mut u.update_mode);
        }
        for c in v.resource_policy.iter_mut().flatten() {
            lower(&mut c.mode);
            lower(&mut c.controlled_values);
            for m in [c.max_allowed.as_mut(), c.min_allowed.as_mut()]
                .into_iter()
                .flatten()
            {
                for q in m.values_mut() {
                    if let Value::Number(num) = q {
                        *q = Value::String(num.to_string());
                    }
                }
            }
        }
        n.vpa_spec = Some(v);
    }
    if hpa {
        if let Some(h) = &o.hpa_spec {
            let mut h = h.clone();
            if h.builtin_cpu_rule.is_some() || h.builtin_memory_rule.is_some() {
                h.auto_scaling_metrics = None;
                h.auto_scaling_behavior = None;
            } else {
                h.auto_scaling_metrics = h.auto_scaling_metrics.map(|m| {
                    m.into_iter()
                        .filter_map(|v| {
                            serde_json::from_value::<k8s_openapi::api::autoscaling::v2::MetricSpec>(
                                v,
                            )
                            .ok()
                        })
                        .filter_map(|m| serde_json::to_value(m).ok())
                        .collect()
                });
                h.auto_scaling_behavior = h
                    .auto_scaling_behavior
                    .and_then(|b| {
                        serde_json::from_value::<
                            k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior,
                        >(b)
                        .ok()
                    })
                    .and_then(|b| serde_json::to_value(b).ok());
            }
            n.hpa_spec = Some(h);
        }
    }
    if matches!(runtime, Some(Runtime::Java | Runtime::Python)) && kind == ComponentKind::Function {
        n.log_level = o.log_level.as_ref().map(|l| l.to_lowercase());
        n.log_rotation_policy = o.log_rotation_policy.clone();
    }
    let key = match runtime {
        Some(Runtime::Python) => "PYTHON",
        Some(Runtime::Go) => "GO",
        _ => "JAVA",
    };
    let configured = custom
        .function_runner_images
        .as_ref()
        .and_then(|m| m.get(key))
        .cloned();
    let image = runner_image(&worker.config, key, &o);
    let (runner_image, tag) =
        crate::convert::classify_image(image.as_deref(), configured.as_ref(), trusted);
    n.runner_image = runner_image;
    n.runner_image_tag = tag;
    (n != CustomRuntimeOptions::default()).then(|| serde_json::to_string(&n).unwrap_or_default())
}

/// The canonical form of a valid FunctionConfig (see the module docs).
pub fn normalize_function(
    c: &FunctionConfig,
    worker: &Worker,
    request: &Request,
) -> FunctionConfig {
    let (tenant, namespace, name) = identity((
        c.tenant.as_deref(),
        c.namespace.as_deref(),
        c.name.as_deref(),
    ));
    let runtime = function_runtime(c);
    let parallelism = c.parallelism.unwrap_or(1);
    let package = function_package(c, worker, request)
        .ok()
        .map(|p| p.location.unwrap_or(p.path));
    let output = non_empty(c.output.as_deref());
    let window = c
        .window_config
        .as_ref()
        .map(|w| infer_window(w, c.class_name.as_deref(), c.processing_guarantees));
    let retries = c.max_message_retries.filter(|r| *r >= 0);
    FunctionConfig {
        runtime_flags: non_empty(c.runtime_flags.as_deref()),
        tenant: Some(tenant),
        namespace: Some(namespace),
        name: Some(name),
        class_name: c.class_name.clone(),
        inputs: c.inputs.clone().filter(|i| !i.is_empty()),
        custom_serde_inputs: None,
        topics_pattern: None,
        custom_schema_inputs: None,
        custom_schema_outputs: output.as_ref().and_then(|o| {
            c.custom_schema_outputs
                .as_ref()?
                .get(o)
                .map(|v| [(o.clone(), v.clone())].into_iter().collect())
        }),
        input_specs: Some(
            function_input_specs(c)
                .iter()
                .map(|(k, v)| (k.clone(), consumer(v)))
                .collect(),
        )
        .filter(|m: &std::collections::BTreeMap<_, _>| !m.is_empty()),
        input_type_class_name: None,
        output,
        producer_config: producer(&c.producer_config, c.batch_builder.as_deref()),
        output_schema_type: non_empty(c.output_schema_type.as_deref()),
        output_type_class_name: None,
        output_serde_class_name: non_empty(c.output_serde_class_name.as_deref()),
        log_topic: non_empty(c.log_topic.as_deref()),
        // A window function shows its window config's guarantee (Pulsar's GET).
        processing_guarantees: match &window {
            Some(w) => w.processing_guarantees.map(|g| match g {
                WindowProcessingGuarantees::AtleastOnce => ProcessingGuarantees::AtleastOnce,
                WindowProcessingGuarantees::AtmostOnce => ProcessingGuarantees::AtmostOnce,
            }),
            None => c.processing_guarantees,
        },
        retain_ordering: Some(c.retain_ordering.unwrap_or(false)),
        retain_key_ordering: Some(c.retain_key_ordering.unwrap_or(false)),
        batch_builder: None,
        forward_source_message_property: Some(
            worker.config.forward_source_message_property
                && c.forward_source_message_property.unwrap_or(true),
        ),
        user_config: Some(c.user_config.clone().unwrap_or_default()),
        secrets: secrets(&c.secrets),
        runtime,
        auto_ack: Some(window.is_none() && c.auto_ack.unwrap_or(true)),
        max_message_retries: retries,
        dead_letter_topic: non_empty(c.dead_letter_topic.as_deref()).filter(|_| retries.is_some()),
        sub_name: c.sub_name.clone().filter(|s| !s.trim().is_empty()),
        parallelism: Some(parallelism),
        resources: resources(&c.resources, worker),
        fqfn: None,
        window_config: window,
        timeout_ms: c.timeout_ms.filter(|t| *t != 0),
        jar: package.clone().filter(|_| runtime == Some(Runtime::Java)),
        py: package.clone().filter(|_| runtime == Some(Runtime::Python)),
        go: package.filter(|_| runtime == Some(Runtime::Go)),
        function_type: None,
        cleanup_subscription: Some(c.cleanup_subscription.unwrap_or(true)),
        custom_runtime_options: options(
            ComponentKind::Function,
            c.custom_runtime_options.as_deref(),
            parallelism,
            runtime,
            worker,
            (
                non_empty(c.input_type_class_name.as_deref()),
                non_empty(c.output_type_class_name.as_deref()),
            ),
        ),
        max_pending_async_requests: c.max_pending_async_requests,
        expose_pulsar_admin_client_enabled: None,
        skip_to_latest: c.skip_to_latest.filter(|s| *s),
        subscription_position: c.subscription_position,
    }
}

/// The `archive` a connector reads back with: its `builtin://` name, else where the package
/// is downloaded from (or the jar in the image); `None` when the package does not resolve.
fn connector_archive(pkg: Option<&ConnectorPackage>, archive: Option<&str>) -> Option<String> {
    let pkg = pkg?;
    if pkg.builtin.is_some() {
        return archive.map(str::to_owned);
    }
    Some(pkg.location.clone().unwrap_or_else(|| pkg.jar.clone()))
}

/// A connector's class: the config's, else the built-in connector's for the kind.
fn connector_class(
    kind: ComponentKind,
    class_name: Option<&str>,
    builtin: Option<&ConnectorDefinition>,
) -> Option<String> {
    non_empty(class_name).or_else(|| builtin.and_then(|d| d.class_of(kind)).map(str::to_owned))
}

/// A connector's package, when it resolves.
fn connector_parts(
    kind: ComponentKind,
    c: &impl Connector,
    worker: &Worker,
    request: &Request,
) -> Option<ConnectorPackage> {
    let (archive, class) = c.package();
    connector_package(kind, archive, class, worker, request).ok()
}

/// The canonical form of a valid SinkConfig (see the module docs).
pub fn normalize_sink(c: &SinkConfig, worker: &Worker, request: &Request) -> SinkConfig {
    let (tenant, namespace, name) = identity(c.ids());
    let parallelism = c.parallelism.unwrap_or(1);
    let pkg = connector_parts(ComponentKind::Sink, c, worker, request);
    let builtin = pkg.as_ref().and_then(|p| p.builtin.clone());
    let cro = parse_custom_runtime_options(c.custom_runtime_options.as_deref()).unwrap_or_default();
    let mut specs = sink_input_specs(c);
    if let (None, Some(def)) = (&cro.input_type_class_name, &builtin) {
        for t in c.inputs.iter().flatten() {
            if let Some(s) = specs.get_mut(t) {
                if s.schema_type.is_none() && s.serde_class_name.is_none() {
                    s.schema_type = def.default_schema_type.clone();
                    s.serde_class_name = def.default_serde_class_name.clone();
                }
            }
        }
    }
    let retries = c.max_message_retries.filter(|r| *r > 0);
    SinkConfig {
        tenant: Some(tenant),
        namespace: Some(namespace),
        name: Some(name),
        class_name: connector_class(
            ComponentKind::Sink,
            c.class_name.as_deref(),
            builtin.as_ref(),
        ),
        source_subscription_name: c
            .source_subscription_name
            .clone()
            .filter(|s| !s.trim().is_empty()),
        source_subscription_position: c.source_subscription_position,
        inputs: c.inputs.clone().filter(|i| !i.is_empty()),
        topic_to_serde_class_name: None,
        topics_pattern: None,
        topic_to_schema_type: None,
        topic_to_schema_properties: None,
        input_specs: Some(
            specs
                .iter()
                .map(|(k, v)| (k.clone(), consumer(v)))
                .collect(),
        )
        .filter(|m: &std::collections::BTreeMap<_, _>| !m.is_empty()),
        max_message_retries: retries,
        dead_letter_topic: non_empty(c.dead_letter_topic.as_deref()).filter(|_| retries.is_some()),
        configs: Some(c.configs.clone().unwrap_or_default()),
        secrets: secrets(&c.secrets),
        parallelism: Some(parallelism),
        processing_guarantees: c.processing_guarantees,
        retain_ordering: Some(c.retain_ordering.unwrap_or(false)),
        retain_key_ordering: Some(c.retain_key_ordering.unwrap_or(false)),
        resources: resources(&c.resources, worker),
        auto_ack: Some(c.auto_ack.unwrap_or(true)),
        timeout_ms: c.timeout_ms.filter(|t| *t != 0),
        negative_ack_redelivery_delay_ms: c.negative_ack_redelivery_delay_ms.filter(|t| *t > 0),
        sink_type: None,
        archive: connector_archive(pkg.as_ref(), c.archive.as_deref()),
        cleanup_subscription: Some(c.cleanup_subscription.unwrap_or(true)),
        runtime_flags: non_empty(c.runtime_flags.as_deref()),
        custom_runtime_options: sink_options(c, parallelism, builtin.is_some(), worker),
        transform_function: None,
        transform_function_class_name: None,
        transform_function_config: None,
        log_topic: non_empty(c.log_topic.as_deref()),
    }
}

fn sink_options(
    c: &SinkConfig,
    parallelism: i32,
    builtin: bool,
    worker: &Worker,
) -> Option<String> {
    connector_options(
        ComponentKind::Sink,
        c.custom_runtime_options.as_deref(),
        parallelism,
        builtin,
        worker,
    )
}

fn connector_options(
    kind: ComponentKind,
    raw: Option<&str>,
    parallelism: i32,
    builtin: bool,
    worker: &Worker,
) -> Option<String> {
    let mut worker2 = worker.clone();
    if builtin {
        // A built-in connector runs its catalogue image: no runner image options apply.
        worker2
            .config
            .functions_worker_service_custom_configs
            .function_runner_images = None;
        worker2
            .config
            .functions_worker_service_custom_configs
            .enable_trusted_mode = false;
    }
    let out = options(kind, raw, parallelism, None, &worker2, (None, None))?;
    let mut o: CustomRuntimeOptions = serde_json::from_str(&out).ok()?;
    if builtin {
        o.managed = !worker
            .config
            .functions_worker_service_custom_configs
            .enable_trusted_mode
            || parse_custom_runtime_options(raw)
                .map(|r| r.managed)
                .unwrap_or(true);
    }
    if kind == ComponentKind::Sink {
        o.output_type_class_name = None;
    } else {
        o.input_type_class_name = None;
    }
    (o != CustomRuntimeOptions::default()).then(|| serde_json::to_string(&o).unwrap_or_default())
}

/// The canonical form of a valid SourceConfig (see the module docs).
pub fn normalize_source(c: &SourceConfig, worker: &Worker, request: &Request) -> SourceConfig {
    let (tenant, namespace, name) = identity(c.ids());
    let parallelism = c.parallelism.unwrap_or(1);
    let pkg = connector_parts(ComponentKind::Source, c, worker, request);
    let builtin = pkg.as_ref().and_then(|p| p.builtin.clone());
    let mut serde = non_empty(c.serde_class_name.as_deref());
    let mut schema = non_empty(c.schema_type.as_deref());
    if let Some(def) = &builtin {
        if serde.is_none() && schema.is_none() {
            serde = def.default_serde_class_name.clone();
            schema = def.default_schema_type.clone();
        }
    }
    SourceConfig {
        tenant: Some(tenant),
        namespace: Some(namespace),
        name: Some(name),
        class_name: connector_class(
            ComponentKind::Source,
            c.class_name.as_deref(),
            builtin.as_ref(),
        ),
        topic_name: c.topic_name.clone(),
        producer_config: producer(&c.producer_config, c.batch_builder.as_deref()),
        serde_class_name: serde,
        schema_type: schema,
        configs: Some(c.configs.clone().unwrap_or_default()),
        secrets: secrets(&c.secrets),
        parallelism: Some(parallelism),
        processing_guarantees: c.processing_guarantees,
        resources: resources(&c.resources, worker),
        source_type: None,
        archive: connector_archive(pkg.as_ref(), c.archive.as_deref()),
        runtime_flags: non_empty(c.runtime_flags.as_deref()),
        custom_runtime_options: connector_options(
            ComponentKind::Source,
            c.custom_runtime_options.as_deref(),
            parallelism,
            builtin.is_some(),
            worker,
        ),
        batch_source_config: c.batch_source_config.as_ref().map(|b| {
            crate::pulsar::BatchSourceConfig {
                discovery_triggerer_class_name: b.discovery_triggerer_class_name.clone(),
                discovery_triggerer_config: Some(
                    b.discovery_triggerer_config.clone().unwrap_or_default(),
                ),
            }
        }),
        batch_builder: None,
        log_topic: non_empty(c.log_topic.as_deref()),
    }
}
