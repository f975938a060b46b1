//! What a component reads and writes (upstream `common.go`, second part): `spec.input` /
//! `spec.output` with their consumer, producer and crypto settings, the window config, the batch
//! source config and the connector blocks.

use crate::macros::{optional_fields, producer_fields, window_fields};
use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::enums::{CompressionType, WindowProcessingGuarantee};

use super::common::FreeConfig;

optional_fields! {
    /// `spec.input` (upstream `InputConf`): the topics the instance consumes.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct InputConf {
        /// Input message type class (webhook default `[B`).
        pub type_class_name: Option<String>,
        /// Input topics.
        pub topics: Option<Vec<String>>,
        /// Input topic regex pattern.
        pub topic_pattern: Option<String>,
        /// Topic → SerDe class.
        pub custom_serde_sources: Option<BTreeMap<String, String>>,
        /// Topic → schema type.
        pub custom_schema_sources: Option<BTreeMap<String, String>>,
        /// Topic → consumer configuration.
        pub source_specs: Option<BTreeMap<String, ConsumerConfig>>,
    }
}

optional_fields! {
    /// `input.sourceSpecs` values: per-topic consumer settings (FunctionDetails ConsumerSpec).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct ConsumerConfig {
        /// Schema type.
        pub schema_type: Option<String>,
        /// SerDe class (JSON name `serdeClassname`, lower-case n).
        #[serde(rename = "serdeClassname")]
        pub serde_class_name: Option<String>,
        /// The topic key is a regex pattern.
        pub is_regex_pattern: Option<bool>,
        /// Schema properties.
        pub schema_properties: Option<BTreeMap<String, String>>,
        /// Consumer properties.
        pub consumer_properties: Option<BTreeMap<String, String>>,
        /// Consumer receiver queue size.
        pub receiver_queue_size: Option<i32>,
        /// End-to-end encryption settings.
        pub crypto_config: Option<CryptoConfig>,
    }
}

optional_fields! {
    /// `spec.output` (upstream `OutputConf`): the topic the instance produces to.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct OutputConf {
        /// Output message type class (webhook default `[B`).
        pub type_class_name: Option<String>,
        /// Output topic.
        pub topic: Option<String>,
        /// SerDe class for the output.
        pub sink_serde_class_name: Option<String>,
        /// Schema type of the output.
        pub sink_schema_type: Option<String>,
        /// Producer settings.
        pub producer_conf: Option<ProducerConfig>,
        /// Topic → JSON-encoded ConsumerConfig; the entry for `topic` supplies schema/consumer properties.
        pub custom_schema_sinks: Option<BTreeMap<String, String>>,
    }
}

optional_fields! {
    /// `output.producerConf`: producer settings (FunctionDetails ProducerSpec).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct ProducerConfig {
        ..producer_fields,
    }
}

optional_fields! {
    /// `cryptoConfig`: message encryption/decryption settings (FunctionDetails CryptoSpec).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct CryptoConfig {
        /// CryptoKeyReader implementation class.
        pub crypto_key_reader_class_name: Option<String>,
        /// CryptoKeyReader configuration.
        pub crypto_key_reader_config: Option<BTreeMap<String, String>>,
        /// Encryption key names (producer side).
        pub encryption_keys: Option<Vec<String>>,
        /// Producer crypto failure action (`FAIL`, `SEND`; unknown → FAIL).
        pub producer_crypto_failure_action: Option<String>,
        /// Consumer crypto failure action (`FAIL`, `DISCARD`, `CONSUME`; unknown → FAIL).
        pub consumer_crypto_failure_action: Option<String>,
        /// Secrets mounted for the key reader.
        pub crypto_secrets: Option<Vec<CryptoSecret>>,
    }
}

optional_fields! {
    /// `cryptoConfig.cryptoSecrets[]`: a Secret key mounted into the pod.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct CryptoSecret {
        /// Secret name (required).
        pub secret_name: String,
        /// Key in the Secret (required).
        pub secret_key: String,
        /// Mount path of the key.
        pub as_volume: Option<String>,
    }
}

optional_fields! {
    /// `spec.windowConfig`: makes the function a windowed function run by WindowFunctionExecutor.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct WindowConfig {
        #[schemars(required)]
        /// Window function class. Required by the CRD schema, but the operator overwrites it with
        /// `spec.className` before use, so a document without it reads (the reverse conversion then uses
        /// `spec.className`, as the operator does).
        pub actual_window_function_class_name: Option<String>,
        ..window_fields,
        /// Delivery semantics of the window executor.
        pub processing_guarantees: Option<WindowProcessingGuarantee>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `batchSourceConfig`: turns a source into a batch source run by BatchSourceExecutor.
    pub struct BatchSourceConfig {
        /// Discovery triggerer class (required).
        pub discovery_triggerer_class_name: String,
        /// Discovery triggerer configuration (free-form JSON).
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub discovery_triggerer_config: Option<FreeConfig>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// Function `spec.sourceConfig` (v0.26.0): override the function's source implementation.
    pub struct SourceConnectorSpec {
        /// Builtin source connector id.
        pub source_type: Option<String>,
        /// Batch source settings.
        pub batch_source_config: Option<BatchSourceConfig>,
        /// Source implementation class.
        pub class_name: Option<String>,
        /// Message type class of the source.
        pub type_class_name: Option<String>,
        /// Connector configuration (free-form JSON; `className`, `typeClassName`, `builtin`, `archive` keys are interpreted).
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub configs: Option<FreeConfig>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// Function `spec.sinkConfig` (v0.26.0): override the function's sink implementation.
    pub struct SinkConnectorSpec {
        /// Builtin sink connector id.
        pub sink_type: Option<String>,
        /// Sink implementation class.
        pub class_name: Option<String>,
        /// Message type class of the sink.
        pub type_class_name: Option<String>,
        /// Connector configuration (free-form JSON).
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub configs: Option<FreeConfig>,
    }
}
