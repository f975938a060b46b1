//! `SinkConfig`: what `pulsar-admin sinks create` sends.

use super::common::*;
use crate::lenient;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Pulsar sink connector's admin configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SinkConfig {
    /// Pulsar tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Sink name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Sink class (from the connector's metadata when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Subscription name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_subscription_name: Option<String>,
    /// Initial position; Pulsar fills `Latest` at parse time.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub source_subscription_position: SubscriptionInitialPosition,
    /// Input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<String>>,
    /// Input topic → SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_to_serde_class_name: Option<BTreeMap<String, String>>,
    /// Regular expression of input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics_pattern: Option<String>,
    /// Input topic → schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_to_schema_type: Option<BTreeMap<String, String>>,
    /// Input topic → schema properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_to_schema_properties: Option<BTreeMap<String, String>>,
    /// Input topic → consumer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_specs: Option<BTreeMap<String, ConsumerConfig>>,
    /// Retries before the dead-letter topic.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_message_retries: Option<i32>,
    /// Dead-letter topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    /// Connector configuration, any JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<JsonObject>,
    /// Secret name → provider-specific object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<JsonObject>,
    /// Instance count.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub parallelism: Option<i32>,
    /// Delivery semantics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<ProcessingGuarantees>,
    /// FAILOVER subscription.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub retain_ordering: Option<bool>,
    /// KEY_SHARED subscription.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub retain_key_ordering: Option<bool>,
    /// Per-instance resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Framework acknowledges messages.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_ack: Option<bool>,
    /// Message timeout in ms.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout_ms: Option<i64>,
    /// Negative-ack redelivery delay in ms.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub negative_ack_redelivery_delay_ms: Option<i64>,
    /// Built-in connector name (the CLI turns it into `archive: builtin://<type>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// Connector package: path, URL, `sink://…` package or `builtin://…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// Delete the subscription when the sink is deleted.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub cleanup_subscription: Option<bool>,
    /// Extra runtime flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    /// Opaque JSON string for runtime customisers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_runtime_options: Option<String>,
    /// Transform function package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform_function: Option<String>,
    /// Transform function class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform_function_class_name: Option<String>,
    /// Transform function configuration: JSON text inside a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform_function_config: Option<String>,
    /// Log topic (Pulsar ≥ 3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
}
