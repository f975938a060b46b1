//! `SinkConfig`: what `pulsar-admin sinks create` sends.

use super::common::*;
use crate::lenient;
use crate::macros::optional_fields;
use std::collections::BTreeMap;

optional_fields! {
    mirror(Default);
    lenient;
    /// A Pulsar sink connector's admin configuration.
    pub struct SinkConfig {
        ..identity_fields,
        /// Subscription name.
        pub source_subscription_name: Option<String>,
        /// Initial position; Pulsar fills `Latest` at parse time.
        #[serde(default, deserialize_with = "lenient::null_as_default")]
        pub source_subscription_position: SubscriptionInitialPosition,
        /// Input topics.
        pub inputs: Option<Vec<String>>,
        /// Input topic → SerDe class.
        pub topic_to_serde_class_name: Option<BTreeMap<String, String>>,
        /// Regular expression of input topics.
        pub topics_pattern: Option<String>,
        /// Input topic → schema type.
        pub topic_to_schema_type: Option<BTreeMap<String, String>>,
        /// Input topic → schema properties.
        pub topic_to_schema_properties: Option<BTreeMap<String, String>>,
        /// Input topic → consumer settings.
        pub input_specs: Option<BTreeMap<String, ConsumerConfig>>,
        /// Retries before the dead-letter topic.
        pub max_message_retries: Option<i32>,
        /// Dead-letter topic.
        pub dead_letter_topic: Option<String>,
        /// Connector configuration, any JSON.
        pub configs: Option<JsonObject>,
        /// Secret name → provider-specific object.
        pub secrets: Option<JsonObject>,
        /// Instance count.
        pub parallelism: Option<i32>,
        /// Delivery semantics.
        pub processing_guarantees: Option<ProcessingGuarantees>,
        /// FAILOVER subscription.
        pub retain_ordering: Option<bool>,
        /// KEY_SHARED subscription.
        pub retain_key_ordering: Option<bool>,
        /// Per-instance resources.
        pub resources: Option<Resources>,
        /// Framework acknowledges messages.
        pub auto_ack: Option<bool>,
        /// Message timeout in ms.
        pub timeout_ms: Option<i64>,
        /// Negative-ack redelivery delay in ms.
        pub negative_ack_redelivery_delay_ms: Option<i64>,
        /// Built-in connector name (the CLI turns it into `archive: builtin://<type>`).
        pub sink_type: Option<String>,
        /// Connector package: path, URL, `sink://…` package or `builtin://…`.
        pub archive: Option<String>,
        /// Delete the subscription when the sink is deleted.
        pub cleanup_subscription: Option<bool>,
        /// Extra runtime flags.
        pub runtime_flags: Option<String>,
        /// Opaque JSON string for runtime customisers.
        pub custom_runtime_options: Option<String>,
        /// Transform function package.
        pub transform_function: Option<String>,
        /// Transform function class.
        pub transform_function_class_name: Option<String>,
        /// Transform function configuration: JSON text inside a string.
        pub transform_function_config: Option<String>,
        /// Log topic (Pulsar ≥ 3.3).
        pub log_topic: Option<String>,
    }
}
