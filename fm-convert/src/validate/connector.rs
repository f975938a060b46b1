//! Validation of a SinkConfig and a SourceConfig: Pulsar's rules with Pulsar's texts.

use super::{
    blank, check_inputs, check_producer_crypto, check_resources, check_secrets, finish,
    is_valid_topic, start, Validated,
};
use crate::error::ValidationErrors;
use crate::front_door::{Request, Worker};
use crate::naming::ComponentKind;
use crate::package::{connector_package, ConnectorPackage};
use fm_model::pulsar::{ProcessingGuarantees, SinkConfig, SourceConfig};
use serde_json::{Map, Value};

/// What validation and normalisation read alike from a SinkConfig and a SourceConfig.
pub(crate) trait Connector {
    /// Tenant, namespace and name as sent.
    fn ids(&self) -> (Option<&str>, Option<&str>, Option<&str>);
    /// `customRuntimeOptions` as sent.
    fn custom_runtime_options(&self) -> Option<&str>;
    /// `archive` and `className`.
    fn package(&self) -> (Option<&str>, Option<&str>);
    /// `secrets`.
    fn secrets(&self) -> &Option<Map<String, Value>>;
}

/// The two configs name these fields alike.
macro_rules! connector {
    ($($config:ty),*) => {$(
        impl Connector for $config {
            fn ids(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
                (self.tenant.as_deref(), self.namespace.as_deref(), self.name.as_deref())
            }
            fn custom_runtime_options(&self) -> Option<&str> {
                self.custom_runtime_options.as_deref()
            }
            fn package(&self) -> (Option<&str>, Option<&str>) {
                (self.archive.as_deref(), self.class_name.as_deref())
            }
            fn secrets(&self) -> &Option<Map<String, Value>> {
                &self.secrets
            }
        }
    )*};
}

connector!(SinkConfig, SourceConfig);

/// A connector's validation: identity and options, the kind's own `checks`, then the secrets
/// and the archive.
fn validate_connector<'c, C: Connector>(
    c: &'c C,
    kind: ComponentKind,
    (worker, request): (&Worker, &Request),
    checks: impl FnOnce(&mut ValidationErrors),
) -> Result<Validated<'c, C, ConnectorPackage>, ValidationErrors> {
    let (mut e, options, identity) = start(kind, worker, c.ids(), c.custom_runtime_options());
    checks(&mut e);
    check_secrets(&mut e, c.secrets());
    let (archive, class_name) = c.package();
    let package = connector_package(kind, archive, class_name, worker, request)
        .map_err(|msg| e.push("archive", msg))
        .ok();
    finish(e, c, identity, options, package)
}

fn check_log_topic(e: &mut ValidationErrors, log_topic: Option<&str>) {
    if let Some(t) = log_topic.filter(|t| !t.is_empty() && !is_valid_topic(t)) {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
}

/// Validates a SinkConfig as Pulsar and Function Mesh would; lists every problem.
pub(crate) fn validate_sink<'c>(
    c: &'c SinkConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Validated<'c, SinkConfig, ConnectorPackage>, ValidationErrors> {
    validate_connector(c, ComponentKind::Sink, (worker, request), |e| {
        check_inputs(
            e,
            c.inputs.as_ref(),
            [
                ("topicToSerdeClassName", c.topic_to_serde_class_name.as_ref()),
                ("topicToSchemaType", c.topic_to_schema_type.as_ref()),
            ],
            c.topics_pattern.as_deref(),
            c.input_specs.as_ref(),
            (false, "Must specify at least one topic of input via topicToSerdeClassName, topicsPattern, topicToSchemaType or inputSpecs"),
        );
        check_log_topic(e, c.log_topic.as_deref());
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
        check_resources(e, &c.resources, worker);
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
    })
}

/// Validates a SourceConfig as Pulsar and Function Mesh would; lists every problem.
pub(crate) fn validate_source<'c>(
    c: &'c SourceConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Validated<'c, SourceConfig, ConnectorPackage>, ValidationErrors> {
    validate_connector(c, ComponentKind::Source, (worker, request), |e| {
        if let Some(t) = c
            .topic_name
            .as_deref()
            .filter(|t| !t.is_empty() && !is_valid_topic(t))
        {
            let _ = t;
            e.push("topicName", "Topic name is invalid");
        }
        check_log_topic(e, c.log_topic.as_deref());
        if c.parallelism.is_some_and(|p| p <= 0) {
            e.push(
                "parallelism",
                "Source parallelism must be a positive number",
            );
        }
        check_resources(e, &c.resources, worker);
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
        check_producer_crypto(e, c.producer_config.as_ref());
    })
}
