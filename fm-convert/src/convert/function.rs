//! FunctionConfig → `Function`.

use super::runtime::{java_runtime, runner_image, runtime_log};
use super::{assemble, parts, timeout_ms};
use crate::error::ConvertError;
use crate::front_door::{Converted, Request, Worker};
use crate::inputs::InputSpecs;
use crate::naming::ComponentKind;
use crate::package::Package;
use crate::shared_fields::window_fields;
use crate::validate::Validated;
use fm_model::crd::{
    ConsumerConfig as CrdConsumer, CryptoConfig as CrdCrypto, Function, FunctionSpec, GoRuntime,
    InputConf, OutputConf, ProcessingGuarantee, ProducerConfig as CrdProducer, PulsarStateStore,
    PulsarStateStoreJavaProvider, PythonRuntime, Stateful, SubscriptionPosition,
    WindowConfig as CrdWindow, WindowProcessingGuarantee,
};
use fm_model::pulsar::{
    ConsumerConfig, CryptoConfig, FunctionConfig, ProcessingGuarantees, ProducerConfig, Runtime,
    SubscriptionInitialPosition, WindowConfig, WindowProcessingGuarantees,
};
use std::collections::BTreeMap;

pub(crate) fn guarantee(g: ProcessingGuarantees) -> ProcessingGuarantee {
    match g {
        ProcessingGuarantees::AtleastOnce => ProcessingGuarantee::AtleastOnce,
        ProcessingGuarantees::AtmostOnce => ProcessingGuarantee::AtmostOnce,
        ProcessingGuarantees::EffectivelyOnce => ProcessingGuarantee::EffectivelyOnce,
        ProcessingGuarantees::Manual => ProcessingGuarantee::Manual,
    }
}

pub(crate) fn position(p: SubscriptionInitialPosition) -> SubscriptionPosition {
    match p {
        SubscriptionInitialPosition::Earliest => SubscriptionPosition::Earliest,
        SubscriptionInitialPosition::Latest => SubscriptionPosition::Latest,
    }
}

/// Pulsar CryptoConfig → Function Mesh CryptoConfig. Function Mesh keeps the key reader config
/// as a string map: string values are kept, other JSON values are written as JSON text.
pub(crate) fn crypto(c: &CryptoConfig) -> CrdCrypto {
    CrdCrypto {
        crypto_key_reader_class_name: c.crypto_key_reader_class_name.clone(),
        crypto_key_reader_config: c.crypto_key_reader_config.as_ref().map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    )
                })
                .collect()
        }),
        encryption_keys: c.encryption_keys.clone(),
        producer_crypto_failure_action: c
            .producer_crypto_failure_action
            .and_then(|a| serde_json::to_value(a).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        consumer_crypto_failure_action: c
            .consumer_crypto_failure_action
            .and_then(|a| serde_json::to_value(a).ok())
            .and_then(|v| v.as_str().map(str::to_string)),
        crypto_secrets: None,
    }
}

/// One `sourceSpecs` entry. Deliberate fix: `consumerProperties` and `cryptoConfig` are carried
/// over (the Java worker dropped both).
pub(crate) fn consumer(c: &ConsumerConfig) -> CrdConsumer {
    CrdConsumer {
        schema_type: c.schema_type.clone().filter(|s| !s.is_empty()),
        serde_class_name: c.serde_class_name.clone().filter(|s| !s.is_empty()),
        is_regex_pattern: Some(c.regex_pattern),
        schema_properties: Some(c.schema_properties.clone()),
        consumer_properties: (!c.consumer_properties.is_empty())
            .then(|| c.consumer_properties.clone()),
        receiver_queue_size: c.receiver_queue_size,
        crypto_config: c.crypto_config.as_ref().map(crypto),
    }
}

/// Every input of a function folded into one map, in Pulsar's order (inputs, topicsPattern,
/// customSerdeInputs, customSchemaInputs, inputSpecs; later forms win for the same topic).
pub(crate) fn function_input_specs(c: &FunctionConfig) -> BTreeMap<String, ConsumerConfig> {
    let schema_specs = c
        .custom_schema_inputs
        .iter()
        .flatten()
        .filter_map(|(t, json)| {
            serde_json::from_str::<ConsumerConfig>(json)
                .ok()
                .map(|spec| (t.clone(), spec))
        });
    InputSpecs::default()
        .topics(c.inputs.iter().flatten())
        .pattern(c.topics_pattern.as_ref())
        .serde(c.custom_serde_inputs.as_ref())
        .specs(schema_specs)
        .input_specs(c.input_specs.as_ref())
        .into_map()
}

/// Pulsar's `WindowConfigUtils.inferMissingArguments`: sliding interval defaults to the window
/// length; with a timestamp extractor, `maxLagMs` 0 and `watermarkEmitIntervalMs` 1000.
pub(crate) fn infer_window(
    w: &WindowConfig,
    class_name: Option<&str>,
    g: Option<ProcessingGuarantees>,
) -> WindowConfig {
    let mut w = w.clone();
    if w.window_length_count.is_some() && w.sliding_interval_count.is_none() {
        w.sliding_interval_count = w.window_length_count;
    }
    if w.window_length_duration_ms.is_some() && w.sliding_interval_duration_ms.is_none() {
        w.sliding_interval_duration_ms = w.window_length_duration_ms;
    }
    if w.timestamp_extractor_class_name.is_some() {
        w.max_lag_ms.get_or_insert(0);
        w.watermark_emit_interval_ms.get_or_insert(1000);
    }
    w.actual_window_function_class_name = class_name.map(str::to_owned);
    w.processing_guarantees = Some(crate::fidelity::window_guarantee_of(g));
    w
}

fn window(w: &WindowConfig) -> CrdWindow {
    window_fields!(w => CrdWindow {
        // Required by the CRD schema: written even when empty.
        actual_window_function_class_name: Some(
            w.actual_window_function_class_name
                .clone()
                .unwrap_or_default(),
        ),
        processing_guarantees: w.processing_guarantees.map(|g| match g {
            WindowProcessingGuarantees::AtleastOnce => WindowProcessingGuarantee::AtleastOnce,
            WindowProcessingGuarantees::AtmostOnce => WindowProcessingGuarantee::AtmostOnce,
        }),
    })
}

/// The producer block, always written as the Java worker does (pending counts 0 and
/// `useThreadLocalProducers` false when unset); a top-level `batchBuilder` wins.
/// Deliberate fix: the producer's `cryptoConfig` and `compressionType` are carried over.
pub(crate) fn producer(p: &Option<ProducerConfig>, batch_builder: Option<&str>) -> CrdProducer {
    let p = p.clone().unwrap_or_default();
    CrdProducer {
        max_pending_messages: Some(p.max_pending_messages.unwrap_or(0)),
        max_pending_messages_across_partitions: Some(
            p.max_pending_messages_across_partitions.unwrap_or(0),
        ),
        use_thread_local_producers: Some(p.use_thread_local_producers.unwrap_or(false)),
        crypto_config: p.crypto_config.as_ref().map(crypto),
        batch_builder: batch_builder
            .map(str::to_owned)
            .filter(|b| !b.is_empty())
            .or(p.batch_builder.clone())
            .filter(|b| !b.is_empty()),
        compression_type: p.compression_type,
    }
}

/// Converts a FunctionConfig to a `Function`, as the Java worker does (plus its REST layer's
/// auth, TLS, service account, pull secrets and init containers).
///
/// Deliberate fixes, each tested: `forwardSourceMessageProperty` defaults to true (Java: false,
/// a dead null check); `autoAck` defaults to true instead of being overwritten with a missing
/// value; `MANUAL` is written as `manual` instead of being dropped; consumer properties and crypto
/// configs are carried over; `customSchemaOutputs` is carried over for the output topic without
/// requiring both property maps; the window config keeps `actualWindowFunctionClassName`; a
/// malformed secret is a validation error instead of being skipped.
pub(crate) fn function_to_resource(
    v: &Validated<'_, FunctionConfig, Package>,
    worker: &Worker,
    request: &Request,
) -> Result<Converted<Function>, ConvertError> {
    let (c, opts) = (v.config(), v.options());
    let package = v.package().clone();
    let runtime = package.runtime;
    let g = c.processing_guarantees;
    let windowed = c
        .window_config
        .as_ref()
        .map(|w| infer_window(w, c.class_name.as_deref(), g));
    let auto_ack = if windowed.is_some() {
        false
    } else {
        c.auto_ack.unwrap_or(true)
    };

    let mut sources: BTreeMap<String, CrdConsumer> = BTreeMap::new();
    for (t, spec) in function_input_specs(c) {
        sources.insert(t, consumer(&spec));
    }
    let input = InputConf {
        type_class_name: opts
            .input_type_class_name
            .clone()
            .or(c.input_type_class_name.clone().filter(|t| !t.is_empty())),
        topics: c.inputs.clone().filter(|i| !i.is_empty()),
        source_specs: (!sources.is_empty()).then_some(sources),
        ..Default::default()
    };
    let output_topic = c.output.clone().filter(|o| !o.is_empty());
    let custom_schema_sinks = output_topic.as_ref().and_then(|o| {
        c.custom_schema_outputs
            .as_ref()?
            .get(o)
            .map(|v| BTreeMap::from([(o.clone(), v.clone())]))
    });
    let output = OutputConf {
        type_class_name: opts
            .output_type_class_name
            .clone()
            .or(c.output_type_class_name.clone().filter(|t| !t.is_empty())),
        topic: output_topic,
        sink_serde_class_name: c.output_serde_class_name.clone().filter(|s| !s.is_empty()),
        sink_schema_type: c.output_schema_type.clone().filter(|s| !s.is_empty()),
        producer_conf: Some(producer(&c.producer_config, c.batch_builder.as_deref())),
        custom_schema_sinks,
    };

    let log = match runtime {
        Runtime::Go => None,
        _ => runtime_log(opts),
    };
    let (java, python, golang, image_key) = match runtime {
        Runtime::Java => (
            Some(java_runtime(
                &worker.config,
                package.path,
                package.location,
                log,
            )),
            None,
            None,
            "JAVA",
        ),
        Runtime::Python => (
            None,
            Some(PythonRuntime {
                py: package.path,
                py_location: package.location,
                log,
            }),
            None,
            "PYTHON",
        ),
        Runtime::Go => (
            None,
            None,
            Some(GoRuntime {
                go: package.path,
                go_location: package.location,
                log: None,
            }),
            "GO",
        ),
    };
    let stateful = worker
        .config
        .state_storage_service_url
        .clone()
        .filter(|u| !u.trim().is_empty() && runtime != Runtime::Go)
        .map(|url| Stateful {
            pulsar: Some(PulsarStateStore {
                service_url: url,
                java_provider: worker
                    .config
                    .state_storage_provider_implementation
                    .clone()
                    .filter(|p| !p.is_empty() && runtime == Runtime::Java)
                    .map(|class_name| PulsarStateStoreJavaProvider {
                        class_name,
                        config: None,
                    }),
            }),
        });

    let p = parts(ComponentKind::Function, v, c.parallelism, worker, request)?;
    let forward = if worker.config.forward_source_message_property {
        c.forward_source_message_property.unwrap_or(true)
    } else {
        false
    };

    let spec = component_spec!(
        FunctionSpec {
            class_name: c.class_name.clone(),
            input: Some(input),
            output: Some(output),
            func_config: Some(c.user_config.clone().unwrap_or_default()),
            timeout: timeout_ms(c.timeout_ms),
            auto_ack: Some(auto_ack),
            max_message_retry: c.max_message_retries.filter(|r| *r >= 0),
            // A window function runs with MANUAL (its executor acknowledges), the config's
            // guarantee going to `windowConfig.processingGuarantees`, as Pulsar's conversion and
            // the Java worker write it; Pulsar's GET (and the reverse) shows the window's one.
            processing_guarantee: if windowed.is_some() {
                Some(ProcessingGuarantee::Manual)
            } else {
                g.map(guarantee)
            },
            retain_ordering: Some(c.retain_ordering.unwrap_or(false)),
            retain_key_ordering: Some(c.retain_key_ordering.unwrap_or(false)),
            dead_letter_topic: c
                .dead_letter_topic
                .clone()
                .filter(|t| !t.is_empty() && c.max_message_retries.is_some_and(|r| r >= 0)),
            forward_source_message_property: Some(forward),
            max_pending_async_requests: c.max_pending_async_requests,
            subscription_name: c.sub_name.clone().filter(|s| !s.trim().is_empty()),
            cleanup_subscription: Some(c.cleanup_subscription.unwrap_or(true)),
            subscription_position: Some(position(c.subscription_position)),
            skip_to_latest: c.skip_to_latest.filter(|s| *s),
            window_config: windowed.as_ref().map(window),
            java,
            python,
            golang,
            image: runner_image(&worker.config, image_key, opts),
            stateful_config: stateful,
        };
        v, p, c, worker
    );
    let warnings = crate::warnings::function_warnings(c, v.package(), worker, request);
    Ok(assemble(Function::new, spec, p.metadata, p.secrets).with_warnings(warnings))
}
