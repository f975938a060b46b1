//! What a component reads and writes (upstream `common.go`, second part): `spec.input` /
//! `spec.output` with their consumer, producer and crypto settings, the window config, the batch
//! source config and the connector blocks.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::enums::{CompressionType, WindowProcessingGuarantee};

use super::common::FreeConfig;

/// `spec.input` (upstream `InputConf`): the topics the instance consumes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputConf {
    /// Input message type class (webhook default `[B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// Input topic regex pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_pattern: Option<String>,
    /// Topic → SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_serde_sources: Option<BTreeMap<String, String>>,
    /// Topic → schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sources: Option<BTreeMap<String, String>>,
    /// Topic → consumer configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_specs: Option<BTreeMap<String, ConsumerConfig>>,
}

/// `input.sourceSpecs` values: per-topic consumer settings (FunctionDetails ConsumerSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerConfig {
    /// Schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// SerDe class (JSON name `serdeClassname`, lower-case n).
    #[serde(
        rename = "serdeClassname",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub serde_class_name: Option<String>,
    /// The topic key is a regex pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_regex_pattern: Option<bool>,
    /// Schema properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_properties: Option<BTreeMap<String, String>>,
    /// Consumer properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_properties: Option<BTreeMap<String, String>>,
    /// Consumer receiver queue size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_queue_size: Option<i32>,
    /// End-to-end encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
}

/// `spec.output` (upstream `OutputConf`): the topic the instance produces to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputConf {
    /// Output message type class (webhook default `[B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// SerDe class for the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_serde_class_name: Option<String>,
    /// Schema type of the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_schema_type: Option<String>,
    /// Producer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_conf: Option<ProducerConfig>,
    /// Topic → JSON-encoded ConsumerConfig; the entry for `topic` supplies schema/consumer properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sinks: Option<BTreeMap<String, String>>,
}

/// `output.producerConf`: producer settings (FunctionDetails ProducerSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProducerConfig {
    /// Max pending messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages: Option<i32>,
    /// Max pending messages across partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages_across_partitions: Option<i32>,
    /// Use thread-local producers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_thread_local_producers: Option<bool>,
    /// End-to-end encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
    /// Batch builder (`DEFAULT` or `KEY_BASED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    /// Compression type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
}

/// `cryptoConfig`: message encryption/decryption settings (FunctionDetails CryptoSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoConfig {
    /// CryptoKeyReader implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_class_name: Option<String>,
    /// CryptoKeyReader configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_config: Option<BTreeMap<String, String>>,
    /// Encryption key names (producer side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_keys: Option<Vec<String>>,
    /// Producer crypto failure action (`FAIL`, `SEND`; unknown → FAIL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_crypto_failure_action: Option<String>,
    /// Consumer crypto failure action (`FAIL`, `DISCARD`, `CONSUME`; unknown → FAIL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_crypto_failure_action: Option<String>,
    /// Secrets mounted for the key reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_secrets: Option<Vec<CryptoSecret>>,
}

/// `cryptoConfig.cryptoSecrets[]`: a Secret key mounted into the pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoSecret {
    /// Secret name (required).
    pub secret_name: String,
    /// Key in the Secret (required).
    pub secret_key: String,
    /// Mount path of the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_volume: Option<String>,
}

/// `spec.windowConfig`: makes the function a windowed function run by WindowFunctionExecutor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowConfig {
    /// Window function class. Required by the CRD schema, but the operator overwrites it with
    /// `spec.className` before use, so a document without it reads (the reverse conversion then uses
    /// `spec.className`, as the operator does).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(required)]
    pub actual_window_function_class_name: Option<String>,
    /// Window length in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_count: Option<i32>,
    /// Window length in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_duration_ms: Option<i64>,
    /// Sliding interval in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_count: Option<i32>,
    /// Sliding interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_duration_ms: Option<i64>,
    /// Topic for late data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_data_topic: Option<String>,
    /// Maximum lag for event-time windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lag_ms: Option<i64>,
    /// Watermark emit interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_emit_interval_ms: Option<i64>,
    /// Timestamp extractor class (event-time windows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_extractor_class_name: Option<String>,
    /// Delivery semantics of the window executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<WindowProcessingGuarantee>,
}

/// `batchSourceConfig`: turns a source into a batch source run by BatchSourceExecutor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSourceConfig {
    /// Discovery triggerer class (required).
    pub discovery_triggerer_class_name: String,
    /// Discovery triggerer configuration (free-form JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub discovery_triggerer_config: Option<FreeConfig>,
}

/// Function `spec.sourceConfig` (v0.26.0): override the function's source implementation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceConnectorSpec {
    /// Builtin source connector id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Batch source settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// Source implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Message type class of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Connector configuration (free-form JSON; `className`, `typeClassName`, `builtin`, `archive` keys are interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub configs: Option<FreeConfig>,
}

/// Function `spec.sinkConfig` (v0.26.0): override the function's sink implementation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SinkConnectorSpec {
    /// Builtin sink connector id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// Sink implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Message type class of the sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Connector configuration (free-form JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub configs: Option<FreeConfig>,
}
