//! SourceConfig → `Source`.

use super::function::{guarantee, producer};
use super::{assemble, connector_code, parts};
use crate::error::ConvertError;
use crate::front_door::{Converted, Request, Worker};
use crate::naming::ComponentKind;
use crate::package::ConnectorPackage;
use crate::validate::Validated;
use fm_model::crd::{BatchSourceConfig as CrdBatch, OutputConf, Source, SourceSpec};
use fm_model::pulsar::SourceConfig;
use fm_model::worker::BYTES_TYPE;

/// Converts a SourceConfig to a `Source` as the Java worker does (output from `topicName`,
/// `serdeClassName`, `schemaType`, `producerConfig`; `forwardSourceMessageProperty` true; batch
/// source settings). Deliberate fixes: the archive / `builtin://` name survives a round trip;
/// built-in type inference uses the *source* side of the catalogue.
pub(crate) fn source_to_resource(
    v: &Validated<'_, SourceConfig, ConnectorPackage>,
    worker: &Worker,
    request: &Request,
) -> Result<Converted<Source>, ConvertError> {
    let c = v.config();
    let code = connector_code(ComponentKind::Source, v, c.class_name.as_deref(), worker);
    let type_class = match (&v.options().output_type_class_name, &code.builtin) {
        (Some(t), _) => t.clone(),
        (None, Some(def)) => def.source_type().to_string(),
        (None, None) => BYTES_TYPE.to_string(),
    };
    let mut serde = c.serde_class_name.clone().filter(|s| !s.is_empty());
    let mut schema = c.schema_type.clone().filter(|s| !s.is_empty());
    if let Some(def) = &code.builtin {
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
        producer_conf: Some(producer(&c.producer_config, c.batch_builder.as_deref())),
        custom_schema_sinks: None,
    };
    let p = parts(ComponentKind::Source, v, c.parallelism, worker, request)?;
    let spec = component_spec!(
        SourceSpec {
            output: Some(output),
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
            processing_guarantee: c.processing_guarantees.map(guarantee),
            forward_source_message_property: Some(true),
        },
        connector: code => source_type;
        v, p, c, worker
    );
    let warnings =
        crate::warnings::connector_warnings(c.archive.as_deref(), v.package(), worker, request);
    Ok(assemble(Source::new, spec, p.metadata, p.secrets).with_warnings(warnings))
}
