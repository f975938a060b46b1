//! Types shared by FunctionConfig, SinkConfig and SourceConfig.

use crate::lenient;
use crate::macros::{optional_fields, producer_fields, window_fields};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A free-form JSON object (`Map<String,Object>` in Pulsar), kept in document order.
pub type JsonObject = Map<String, Value>;

/// Delivery semantics (`FunctionConfig.ProcessingGuarantees`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProcessingGuarantees {
    /// At least once (Pulsar's default).
    #[serde(rename = "ATLEAST_ONCE")]
    AtleastOnce,
    /// At most once.
    #[serde(rename = "ATMOST_ONCE")]
    AtmostOnce,
    /// Effectively once.
    #[serde(rename = "EFFECTIVELY_ONCE")]
    EffectivelyOnce,
    /// The function acknowledges messages itself (Pulsar ≥ 2.11).
    #[serde(rename = "MANUAL")]
    Manual,
}

/// Function runtime (`FunctionConfig.Runtime`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Runtime {
    /// Java (`jar`).
    #[serde(rename = "JAVA")]
    Java,
    /// Python (`py`).
    #[serde(rename = "PYTHON")]
    Python,
    /// Go (`go`).
    #[serde(rename = "GO")]
    Go,
}

/// Initial subscription position. Pulsar spells the values in mixed case.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SubscriptionInitialPosition {
    /// Start from the newest message (Pulsar's default).
    #[default]
    Latest,
    /// Start from the oldest message.
    Earliest,
}

/// Producer compression (`CompressionType`): one type for Pulsar's configs and the resources'
/// `output.producerConf.compressionType`, whose spellings are the same.
pub use crate::crd::CompressionType;

/// What a producer does when encryption fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProducerCryptoFailureAction {
    /// Fail the send.
    #[serde(rename = "FAIL")]
    Fail,
    /// Send unencrypted.
    #[serde(rename = "SEND")]
    Send,
}

/// What a consumer does when decryption fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsumerCryptoFailureAction {
    /// Fail the receive.
    #[serde(rename = "FAIL")]
    Fail,
    /// Drop the message.
    #[serde(rename = "DISCARD")]
    Discard,
    /// Deliver the encrypted message.
    #[serde(rename = "CONSUME")]
    Consume,
}

/// Guarantees a window function may declare (`WindowConfig.ProcessingGuarantees`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WindowProcessingGuarantees {
    /// At least once.
    #[serde(rename = "ATLEAST_ONCE")]
    AtleastOnce,
    /// At most once.
    #[serde(rename = "ATMOST_ONCE")]
    AtmostOnce,
}

/// Per-instance resources. Missing members (and explicit `null`s) take Pulsar's defaults:
/// 1 CPU, 1 GiB RAM, 10 GiB disk, exactly as Jackson fills them at parse time.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// CPU cores (fractional).
    pub cpu: f64,
    /// RAM in bytes.
    pub ram: i64,
    /// Disk in bytes.
    pub disk: i64,
}

impl Resources {
    /// Pulsar's default CPU allocation.
    pub const DEFAULT_CPU: f64 = 1.0;
    /// Pulsar's default RAM allocation (1 GiB).
    pub const DEFAULT_RAM: i64 = 1_073_741_824;
    /// Pulsar's default disk allocation (10 GiB).
    pub const DEFAULT_DISK: i64 = 10_737_418_240;
}

impl Default for Resources {
    fn default() -> Self {
        Resources {
            cpu: Self::DEFAULT_CPU,
            ram: Self::DEFAULT_RAM,
            disk: Self::DEFAULT_DISK,
        }
    }
}

impl<'de> Deserialize<'de> for Resources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "lenient::opt_f64")]
            cpu: Option<f64>,
            #[serde(default, deserialize_with = "lenient::opt_i64")]
            ram: Option<i64>,
            #[serde(default, deserialize_with = "lenient::opt_i64")]
            disk: Option<i64>,
        }
        let raw = Raw::deserialize(d)?;
        Ok(Resources {
            cpu: raw.cpu.unwrap_or(Self::DEFAULT_CPU),
            ram: raw.ram.unwrap_or(Self::DEFAULT_RAM),
            disk: raw.disk.unwrap_or(Self::DEFAULT_DISK),
        })
    }
}

crate::macros::field_groups! {
    /// The identity every Pulsar config starts with (`tenant`, `namespace`, `name`, `className`): a
    /// field group for [`optional_fields!`] (`..identity_fields,`).
    identity_fields {
        /// Pulsar tenant (the URL path wins on the REST API).
        pub tenant: Option<String>,
        /// Pulsar namespace (short name).
        pub namespace: Option<String>,
        /// The function's, sink's or source's name.
        pub name: Option<String>,
        /// Entry class: Java class or Python `module.Class` of a function; a connector's class
        /// (from the connector's metadata when absent).
        pub class_name: Option<String>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// Encryption settings of a consumer or producer (`CryptoConfig`).
    pub struct CryptoConfig {
        /// `CryptoKeyReader` implementation class.
        pub crypto_key_reader_class_name: Option<String>,
        /// Configuration passed to the key reader.
        pub crypto_key_reader_config: Option<JsonObject>,
        /// Names of the producer's encryption keys.
        pub encryption_keys: Option<Vec<String>>,
        /// Producer behaviour on encryption failure.
        pub producer_crypto_failure_action: Option<ProducerCryptoFailureAction>,
        /// Consumer behaviour on decryption failure.
        pub consumer_crypto_failure_action: Option<ConsumerCryptoFailureAction>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// A custom message payload processor (`MessagePayloadProcessorConfig`).
    pub struct MessagePayloadProcessorConfig {
        /// Processor class.
        pub class_name: Option<String>,
        /// Processor configuration.
        pub config: Option<JsonObject>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// Per-input-topic consumer settings (`ConsumerConfig`, the values of `inputSpecs`).
    ///
    /// Pulsar's JSON key for the regex flag is `regexPattern` (the Java field is `isRegexPattern`,
    /// which Jackson exposes without the `is`). Clients that serialised through Gson — including
    /// `pulsar-admin --input-specs` — send `isRegexPattern`; Pulsar's REST server silently ignores
    /// that key. fmesh deliberately accepts it as an alias so such a regex input is not silently
    /// turned into a plain topic; output always uses `regexPattern`.
    pub struct ConsumerConfig {
        /// Built-in schema name or schema class.
        pub schema_type: Option<String>,
        /// SerDe class.
        pub serde_class_name: Option<String>,
        /// Schema properties (Pulsar default `{}`).
        #[serde(default, deserialize_with = "lenient::null_as_default")]
        pub schema_properties: BTreeMap<String, String>,
        /// Consumer properties (Pulsar default `{}`).
        #[serde(default, deserialize_with = "lenient::null_as_default")]
        pub consumer_properties: BTreeMap<String, String>,
        /// Receiver queue size (must be ≥ 0).
        pub receiver_queue_size: Option<i32>,
        /// Decryption settings.
        pub crypto_config: Option<CryptoConfig>,
        /// Custom payload processor.
        pub message_payload_processor_config: Option<MessagePayloadProcessorConfig>,
        /// Pooled message buffers.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub pool_messages: bool,
        /// The topic key is a regular expression.
        #[serde(default, alias = "isRegexPattern", deserialize_with = "lenient::bool_or_false")]
        pub regex_pattern: bool,
    }
}

/// Producer batching knobs (`BatchingConfig`, PIP-401).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchingConfig {
    /// Batching on or off (default true).
    #[serde(default = "default_true", deserialize_with = "lenient::bool_or_true")]
    pub enabled: bool,
    /// Maximum publish delay in ms (default 10).
    #[serde(
        default = "default_batching_delay",
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub batching_max_publish_delay_ms: Option<i32>,
    /// Partition switch frequency for the round-robin router.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub round_robin_router_batching_partition_switch_frequency: Option<i32>,
    /// Maximum messages per batch.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub batching_max_messages: Option<i32>,
    /// Maximum bytes per batch.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub batching_max_bytes: Option<i32>,
    /// `DEFAULT` or `KEY_BASED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
}

fn default_true() -> bool {
    true
}

fn default_batching_delay() -> Option<i32> {
    Some(10)
}

optional_fields! {
    mirror(Default);
    lenient;
    /// Output producer settings (`ProducerConfig`).
    pub struct ProducerConfig {
        ..producer_fields,
        /// Batching knobs.
        pub batching_config: Option<BatchingConfig>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// Windowing of a function (`WindowConfig`).
    pub struct WindowConfig {
        ..window_fields,
        /// The user's function class (set by the server).
        pub actual_window_function_class_name: Option<String>,
        /// The window's guarantee (set by the server from the function's).
        pub processing_guarantees: Option<WindowProcessingGuarantees>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// Batch source settings (`BatchSourceConfig`).
    pub struct BatchSourceConfig {
        /// Discovery triggerer class (required).
        pub discovery_triggerer_class_name: Option<String>,
        /// Triggerer configuration.
        pub discovery_triggerer_config: Option<JsonObject>,
    }
}
