//! SinkConfig → `Sink`.

use super::common::*;
use super::function::{consumer, guarantee, position};
use super::naming::{resource_name, ComponentKind};
use super::{ConversionContext, ConvertError, Converted};
use crate::crd::{ConsumerConfig as CrdConsumer, InputConf, Sink, SinkSpec};
use crate::pulsar::{ConsumerConfig, SinkConfig};
use crate::validate::{cluster_of, identity, validate_sink};
use crate::worker::BYTES_TYPE;
use std::collections::BTreeMap;

/// Every input of a sink folded into one map (inputs, topicsPattern, topicToSerdeClassName,
/// topicToSchemaType, inputSpecs; later forms win).
pub fn sink_input_specs(c: &SinkConfig) -> BTreeMap<String, ConsumerConfig> {
    let mut m: BTreeMap<String, ConsumerConfig> = BTreeMap::new();
    for t in c.inputs.iter().flatten() {
        m.insert(t.clone(), ConsumerConfig::default());
    }
    if let Some(p) = c.topics_pattern.as_ref().filter(|p| !p.is_empty()) {
        m.insert(
            p.clone(),
            ConsumerConfig {
                regex_pattern: true,
                ..Default::default()
            },
        );
    }
    for (t, serde) in c.topic_to_serde_class_name.iter().flatten() {
        m.insert(
            t.clone(),
            ConsumerConfig {
                serde_class_name: Some(serde.clone()),
                ..Default::default()
            },
        );
    }
    for (t, schema) in c.topic_to_schema_type.iter().flatten() {
        m.insert(
            t.clone(),
            ConsumerConfig {
                schema_type: Some(schema.clone()),
                ..Default::default()
            },
        );
    }
    for (t, spec) in c.input_specs.iter().flatten() {
        m.insert(t.clone(), spec.clone());
    }
    m
}

/// Converts a SinkConfig to a `Sink` as the Java worker does. A built-in connector
/// (`archive: builtin://<name>`) takes its image, NAR path, class and type from the catalogue.
///
/// Deliberate fixes: the archive / `builtin://` name survives a round trip (written to
/// `sinkType` and `java.jarLocation`); sinks get `sinkInitContainers`; consumer properties and
/// crypto configs are carried over.
pub fn sink_to_resource(
    c: &SinkConfig,
    ctx: &ConversionContext,
) -> Result<Converted<Sink>, ConvertError> {
    validate_sink(c, ctx)?;
    let opts = parse_custom_runtime_options(&c.custom_runtime_options).unwrap_or_default();
    let (tenant, namespace, name) = identity(&c.tenant, &c.namespace, &c.name);
    let cluster = cluster_of(ctx, opts.cluster_name.as_deref()).unwrap_or_default();
    let ids = (
        cluster.as_str(),
        tenant.as_str(),
        namespace.as_str(),
        name.as_str(),
    );
    let labels = resource_labels(ComponentKind::Sink, &ctx.worker, ids);
    let custom = &ctx.worker.functions_worker_service_custom_configs;
    let parallelism = c.parallelism.unwrap_or(1);
    let max_replicas = (opts.max_replicas > parallelism).then_some(opts.max_replicas);
    let pkg =
        connector_package(ComponentKind::Sink, &c.archive, &c.class_name, ctx).map_err(|m| {
            crate::validate::ValidationErrors(vec![crate::validate::ValidationIssue {
                path: "archive".into(),
                message: m,
            }])
        })?;
    let builtin = pkg.builtin.clone();

    let mut specs = sink_input_specs(c);
    let type_class = match (&opts.input_type_class_name, &builtin) {
        (Some(t), _) => t.clone(),
        (None, Some(def)) => {
            for t in c.inputs.iter().flatten() {
                if let Some(s) = specs.get_mut(t) {
                    if s.schema_type.is_none() && s.serde_class_name.is_none() {
                        s.schema_type = def.default_schema_type.clone();
                        s.serde_class_name = def.default_serde_class_name.clone();
                    }
                }
            }
            def.sink_type().to_string()
        }
        (None, None) => BYTES_TYPE.to_string(),
    };
    let sources: BTreeMap<String, CrdConsumer> = specs
        .iter()
        .map(|(t, s)| (t.clone(), consumer(s)))
        .collect();
    let input = InputConf {
        type_class_name: Some(type_class),
        topics: c.inputs.clone().filter(|i| !i.is_empty()),
        source_specs: (!sources.is_empty()).then_some(sources),
        ..Default::default()
    };
    let class_name = c
        .class_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| builtin.as_ref().and_then(|d| d.sink_class.clone()));
    let image = match &builtin {
        Some(def) => Some(def.image()),
        None => runner_image(&ctx.worker, "JAVA", &opts),
    };
    let mut pod = pod_policy(
        ComponentKind::Sink,
        &ctx.worker,
        &opts,
        &labels,
        max_replicas.is_some(),
    );
    let mut pulsar = pulsar_messaging(&cluster);
    let mut volume_mounts = custom.volume_mounts.clone().filter(|v| !v.is_empty());
    let secrets = apply_auth(
        ComponentKind::Sink,
        ctx,
        ids,
        &mut pulsar,
        &mut pod,
        &mut volume_mounts,
    )?;
    // A built-in connector is already in its image: no download location (the connector name
    // is kept in `sinkType`/`sourceType` so the archive survives a round trip).
    let location = if builtin.is_some() {
        None
    } else {
        pkg.location.clone()
    };
    let spec = SinkSpec {
        // Deliberate fix: the Java worker never wrote `spec.name`, so the operator's webhook
        // defaulted it to the hashed resource name and the instance ran under that name (in
        // metrics, logs and state tables); without the webhook it ran with no name at all.
        name: Some(name.clone()),
        class_name,
        cluster_name: Some(cluster.clone()),
        tenant: Some(tenant.clone()),
        namespace: Some(namespace.clone()),
        sink_type: builtin.as_ref().and_then(|d| d.name.clone()),
        replicas: Some(parallelism),
        max_replicas,
        input: Some(input),
        log_topic: c.log_topic.clone().filter(|t| !t.is_empty()),
        sink_config: Some(c.configs.clone().unwrap_or_default()),
        resources: Some(resource_requirements(&c.resources, &ctx.worker)?),
        secrets_map: secrets_map(&c.secrets),
        volume_mounts,
        timeout: c
            .timeout_ms
            .filter(|t| *t != 0)
            .and_then(|t| i32::try_from(t).ok()),
        negative_ack_redelivery_delay_ms: c
            .negative_ack_redelivery_delay_ms
            .filter(|t| *t > 0)
            .and_then(|t| i32::try_from(t).ok()),
        auto_ack: Some(c.auto_ack.unwrap_or(true)),
        max_message_retry: c.max_message_retries.filter(|r| *r > 0),
        processing_guarantee: c.processing_guarantees.map(guarantee),
        retain_ordering: Some(c.retain_ordering.unwrap_or(false)),
        retain_key_ordering: c.retain_key_ordering.filter(|r| *r),
        dead_letter_topic: c
            .dead_letter_topic
            .clone()
            .filter(|t| !t.is_empty() && c.max_message_retries.is_some_and(|r| r > 0)),
        runtime_flags: c.runtime_flags.clone().filter(|f| !f.is_empty()),
        subscription_name: c
            .source_subscription_name
            .clone()
            .filter(|s| !s.trim().is_empty()),
        cleanup_subscription: Some(c.cleanup_subscription.unwrap_or(true)),
        subscription_position: Some(position(c.source_subscription_position)),
        pod: Some(pod),
        pulsar: Some(pulsar),
        java: Some(java_runtime(&ctx.worker, pkg.jar, location, None)),
        image,
        image_pull_policy: custom.image_pull_policy.clone().filter(|p| !p.is_empty()),
        ..Default::default()
    };
    let managed = !custom.enable_trusted_mode || opts.managed;
    let rname = resource_name(&cluster, &tenant, &namespace, &name);
    let mut resource = Sink::new(&rname, spec);
    resource.metadata = object_meta(rname, labels, &ctx.worker, managed);
    Ok(Converted { resource, secrets })
}
