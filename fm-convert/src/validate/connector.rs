//! Validation of a SinkConfig and a SourceConfig: Pulsar's rules with Pulsar's texts.

use super::{
    blank, check_consumer, check_resources, check_secrets, finish, is_valid_topic, start, Validated,
};
use crate::error::ValidationErrors;
use crate::front_door::{Request, Worker};
use crate::naming::ComponentKind;
use crate::package::{connector_package, ConnectorPackage};
use fm_model::pulsar::{ProcessingGuarantees, SinkConfig, SourceConfig};

/// Validates a SinkConfig as Pulsar and Function Mesh would; lists every problem.
pub(crate) fn validate_sink<'c>(
    c: &'c SinkConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Validated<'c, SinkConfig, ConnectorPackage>, ValidationErrors> {
    let (mut e, options, identity) = start(
        ComponentKind::Sink,
        worker,
        (
            c.tenant.as_deref(),
            c.namespace.as_deref(),
            c.name.as_deref(),
        ),
        c.custom_runtime_options.as_deref(),
    );
    let mut topics: Vec<(String, String)> = Vec::new();
    for (i, t) in c.inputs.iter().flatten().enumerate() {
        topics.push((format!("inputs[{i}]"), t.clone()));
    }
    for (t, _) in c.topic_to_serde_class_name.iter().flatten() {
        topics.push((format!("topicToSerdeClassName.{t}"), t.clone()));
    }
    for (t, _) in c.topic_to_schema_type.iter().flatten() {
        topics.push((format!("topicToSchemaType.{t}"), t.clone()));
    }
    for (t, spec) in c.input_specs.iter().flatten() {
        if !spec.regex_pattern {
            topics.push((format!("inputSpecs.{t}"), t.clone()));
        }
        check_consumer(&mut e, &format!("inputSpecs.{t}"), spec, false);
    }
    if topics.is_empty()
        && blank(c.topics_pattern.as_deref())
        && c.input_specs.as_ref().is_none_or(|m| m.is_empty())
    {
        e.push("inputs", "Must specify at least one topic of input via topicToSerdeClassName, topicsPattern, topicToSchemaType or inputSpecs");
    }
    for (path, t) in &topics {
        if !is_valid_topic(t) {
            e.push(path, format!("Input topic {t} is invalid"));
        }
    }
    if let Some(t) = c
        .log_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
    if c.parallelism.is_some_and(|p| p <= 0) {
        e.push("parallelism", "Sink parallelism must be a positive number");
    }
    if let Some(t) = c.timeout_ms {
        if t < 0 {
            e.push("timeoutMs", "Sink timeout must be a positive number");
        } else if i32::try_from(t).is_err() {
            e.push("timeoutMs", format!("Function Mesh stores the timeout as a 32-bit number of milliseconds; {t} is too large"));
        }
    }
    if let Some(t) = c
        .negative_ack_redelivery_delay_ms
        .filter(|t| i32::try_from(*t).is_err())
    {
        e.push("negativeAckRedeliveryDelayMs", format!("Function Mesh stores this delay as a 32-bit number of milliseconds; {t} is out of range"));
    }
    check_resources(&mut e, &c.resources, worker);
    let g = c.processing_guarantees;
    if c.retain_key_ordering == Some(true) {
        if g == Some(ProcessingGuarantees::EffectivelyOnce) {
            e.push("retainKeyOrdering", "When effectively once processing guarantee is specified, retain Key ordering cannot be set");
        }
        if c.retain_ordering == Some(true) {
            e.push(
                "retainKeyOrdering",
                "Only one of retain ordering or retain key ordering can be set",
            );
        }
    }
    if !blank(c.dead_letter_topic.as_deref()) && c.max_message_retries.is_none_or(|r| r <= 0) {
        e.push(
            "deadLetterTopic",
            "Dead Letter Topic specified, however max retries is set to infinity",
        );
    }
    check_secrets(&mut e, &c.secrets);
    let package = connector_package(
        ComponentKind::Sink,
        c.archive.as_deref(),
        c.class_name.as_deref(),
        worker,
        request,
    )
    .map_err(|msg| e.push("archive", msg))
    .ok();
    finish(e, c, identity, options, package)
}

/// Validates a SourceConfig as Pulsar and Function Mesh would; lists every problem.
pub(crate) fn validate_source<'c>(
    c: &'c SourceConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Validated<'c, SourceConfig, ConnectorPackage>, ValidationErrors> {
    let (mut e, options, identity) = start(
        ComponentKind::Source,
        worker,
        (
            c.tenant.as_deref(),
            c.namespace.as_deref(),
            c.name.as_deref(),
        ),
        c.custom_runtime_options.as_deref(),
    );
    if let Some(t) = c
        .topic_name
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        let _ = t;
        e.push("topicName", "Topic name is invalid");
    }
    if let Some(t) = c
        .log_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
    if c.parallelism.is_some_and(|p| p <= 0) {
        e.push(
            "parallelism",
            "Source parallelism must be a positive number",
        );
    }
    check_resources(&mut e, &c.resources, worker);
    if !blank(c.serde_class_name.as_deref()) && !blank(c.schema_type.as_deref()) {
        e.push(
            "schemaType",
            "Only one of serdeClassName or schemaType should be set",
        );
    }
    if let Some(b) = &c.batch_source_config {
        if blank(b.discovery_triggerer_class_name.as_deref()) {
            e.push(
                "batchSourceConfig.discoveryTriggererClassName",
                "BatchSourceConfig does not specify Discovery Trigger ClassName",
            );
        }
    }
    if let Some(crypto) = c
        .producer_config
        .as_ref()
        .and_then(|p| p.crypto_config.as_ref())
    {
        if blank(crypto.crypto_key_reader_class_name.as_deref()) {
            e.push(
                "producerConfig.cryptoConfig.cryptoKeyReaderClassName",
                "CryptoKeyReader class name required",
            );
        }
        if crypto.encryption_keys.as_ref().is_none_or(|k| k.is_empty()) {
            e.push(
                "producerConfig.cryptoConfig.encryptionKeys",
                "Must provide encryption key name for crypto key reader",
            );
        }
    }
    check_secrets(&mut e, &c.secrets);
    let package = connector_package(
        ComponentKind::Source,
        c.archive.as_deref(),
        c.class_name.as_deref(),
        worker,
        request,
    )
    .map_err(|msg| e.push("archive", msg))
    .ok();
    finish(e, c, identity, options, package)
}
