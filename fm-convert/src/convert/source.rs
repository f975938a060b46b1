//! SourceConfig → `Source`.

use super::common::*;
use super::function::{guarantee, producer};
use super::naming::{resource_name, ComponentKind};
use super::{ConversionContext, ConvertError, Converted};
use crate::crd::{BatchSourceConfig as CrdBatch, OutputConf, Source, SourceSpec};
use crate::pulsar::SourceConfig;
use crate::validate::{cluster_of, identity, validate_source};
use crate::worker::BYTES_TYPE;

/// Converts a SourceConfig to a `Source` as the Java worker does (output from `topicName`,
/// `serdeClassName`, `schemaType`, `producerConfig`; `forwardSourceMessageProperty` true; batch
/// source settings). Deliberate fixes: the archive / `builtin://` name survives a round trip;
/// built-in type inference uses the *source* side of the catalogue.
pub fn source_to_resource(
    c: &SourceConfig,
    ctx: &ConversionContext,
) -> Result<Converted<Source>, ConvertError> {
    validate_source(c, ctx)?;
    let opts = parse_custom_runtime_options(&c.custom_runtime_options).unwrap_or_default();
    let (tenant, namespace, name) = identity(&c.tenant, &c.namespace, &c.name);
    let cluster = cluster_of(ctx, opts.cluster_name.as_deref()).unwrap_or_default();
    let ids = (
        cluster.as_str(),
        tenant.as_str(),
        namespace.as_str(),
        name.as_str(),
    );
    let labels = resource_labels(ComponentKind::Source, &ctx.worker, ids);
    let custom = &ctx.worker.functions_worker_service_custom_configs;
    let parallelism = c.parallelism.unwrap_or(1);
    let max_replicas = (opts.max_replicas > parallelism).then_some(opts.max_replicas);
    let pkg =
        connector_package(ComponentKind::Source, &c.archive, &c.class_name, ctx).map_err(|m| {
            crate::validate::ValidationErrors(vec![crate::validate::ValidationIssue {
                path: "archive".into(),
                message: m,
            }])
        })?;
    let builtin = pkg.builtin.clone();
    let type_class = match (&opts.output_type_class_name, &builtin) {
        (Some(t), _) => t.clone(),
        (None, Some(def)) => def.source_type().to_string(),
        (None, None) => BYTES_TYPE.to_string(),
    };
    let mut serde = c.serde_class_name.clone().filter(|s| !s.is_empty());
    let mut schema = c.schema_type.clone().filter(|s| !s.is_empty());
    if let Some(def) = &builtin {
        if serde.is_none() && schema.is_none() {
            serde = def.default_serde_class_name.clone();
            schema = def.default_schema_type.clone();
        }
    }
    let output = OutputConf {
        type_class_name: Some(type_class),
        topic: c.topic_name.clone(),
        sink_serde_class_name: serde,
        sink_schema_type: schema,
        producer_conf: Some(producer(&c.producer_config, &c.batch_builder)),
        custom_schema_sinks: None,
    };
    let class_name = c
        .class_name
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| builtin.as_ref().and_then(|d| d.source_class.clone()));
    let image = match &builtin {
        Some(def) => Some(def.image()),
        None => runner_image(&ctx.worker, "JAVA", &opts),
    };
    let mut pod = pod_policy(
        ComponentKind::Source,
        &ctx.worker,
        &opts,
        &labels,
        max_replicas.is_some(),
    );
    let mut pulsar = pulsar_messaging(&cluster);
    let mut volume_mounts = custom.volume_mounts.clone().filter(|v| !v.is_empty());
    let secrets = apply_auth(
        ComponentKind::Source,
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
    let spec = SourceSpec {
        // Deliberate fix: the Java worker never wrote `spec.name`, so the operator's webhook
        // defaulted it to the hashed resource name and the instance ran under that name (in
        // metrics, logs and state tables); without the webhook it ran with no name at all.
        name: Some(name.clone()),
        class_name,
        tenant: Some(tenant.clone()),
        namespace: Some(namespace.clone()),
        cluster_name: Some(cluster.clone()),
        source_type: builtin.as_ref().and_then(|d| d.name.clone()),
        replicas: Some(parallelism),
        max_replicas,
        output: Some(output),
        log_topic: c.log_topic.clone().filter(|t| !t.is_empty()),
        batch_source_config: c.batch_source_config.as_ref().map(|b| CrdBatch {
            discovery_triggerer_class_name: b
                .discovery_triggerer_class_name
                .clone()
                .unwrap_or_default(),
            discovery_triggerer_config: Some(
                b.discovery_triggerer_config.clone().unwrap_or_default(),
            ),
        }),
        source_config: Some(c.configs.clone().unwrap_or_default()),
        resources: Some(resource_requirements(&c.resources, &ctx.worker)?),
        secrets_map: secrets_map(&c.secrets),
        processing_guarantee: c.processing_guarantees.map(guarantee),
        runtime_flags: c.runtime_flags.clone().filter(|f| !f.is_empty()),
        volume_mounts,
        forward_source_message_property: Some(true),
        pod: Some(pod),
        pulsar: Some(pulsar),
        java: Some(java_runtime(&ctx.worker, pkg.jar, location, None)),
        image,
        image_pull_policy: custom.image_pull_policy.clone().filter(|p| !p.is_empty()),
        ..Default::default()
    };
    let managed = !custom.enable_trusted_mode || opts.managed;
    let rname = resource_name(&cluster, &tenant, &namespace, &name);
    let mut resource = Source::new(&rname, spec);
    resource.metadata = object_meta(rname, labels, &ctx.worker, managed);
    Ok(Converted { resource, secrets })
}
