//! SinkConfig → `Sink`.

use super::function::{consumer, guarantee, position};
use super::{assemble, connector_code, parts, timeout_ms};
use crate::error::ConvertError;
use crate::front_door::{Converted, Request, Worker};
use crate::inputs::InputSpecs;
use crate::naming::ComponentKind;
use crate::package::ConnectorPackage;
use crate::validate::Validated;
use fm_model::crd::{ConsumerConfig as CrdConsumer, InputConf, Sink, SinkSpec};
use fm_model::pulsar::{ConsumerConfig, SinkConfig};
use fm_model::worker::BYTES_TYPE;
use std::collections::BTreeMap;

/// Every input of a sink folded into one map (inputs, topicsPattern, topicToSerdeClassName,
/// topicToSchemaType, inputSpecs; later forms win).
pub(crate) fn sink_input_specs(c: &SinkConfig) -> BTreeMap<String, ConsumerConfig> {
    InputSpecs::default()
        .topics(c.inputs.iter().flatten())
        .pattern(c.topics_pattern.as_ref())
        .serde(c.topic_to_serde_class_name.as_ref())
        .schema(c.topic_to_schema_type.as_ref())
        .input_specs(c.input_specs.as_ref())
        .into_map()
}

/// Converts a SinkConfig to a `Sink` as the Java worker does. A built-in connector
/// (`archive: builtin://<name>`) takes its image, NAR path, class and type from the catalogue.
///
/// Deliberate fixes: the archive / `builtin://` name survives a round trip (written to
/// `sinkType` and `java.jarLocation`); sinks get `sinkInitContainers`; consumer properties and
/// crypto configs are carried over.
pub(crate) fn sink_to_resource(
    v: &Validated<'_, SinkConfig, ConnectorPackage>,
    worker: &Worker,
    request: &Request,
) -> Result<Converted<Sink>, ConvertError> {
    let c = v.config();
    let code = connector_code(ComponentKind::Sink, v, c.class_name.as_deref(), worker);
    let mut specs = sink_input_specs(c);
    let type_class = match (&v.options().input_type_class_name, &code.builtin) {
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
    let p = parts(ComponentKind::Sink, v, c.parallelism, worker, request)?;
    let spec = component_spec!(
        SinkSpec {
            input: Some(input),
            sink_config: Some(c.configs.clone().unwrap_or_default()),
            timeout: timeout_ms(c.timeout_ms),
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
            subscription_name: c
                .source_subscription_name
                .clone()
                .filter(|s| !s.trim().is_empty()),
            cleanup_subscription: Some(c.cleanup_subscription.unwrap_or(true)),
            subscription_position: Some(position(c.source_subscription_position)),
        },
        connector: code => sink_type;
        v, p, c, worker
    );
    let warnings =
        crate::warnings::connector_warnings(c.archive.as_deref(), v.package(), worker, request);
    Ok(assemble(Sink::new, spec, p.metadata, p.secrets).with_warnings(warnings))
}
