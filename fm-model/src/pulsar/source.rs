//! `SourceConfig`: what `pulsar-admin sources create` sends.

use super::common::*;
use crate::macros::optional_fields;

optional_fields! {
    mirror(Default);
    lenient;
    /// A Pulsar source connector's admin configuration.
    pub struct SourceConfig {
        ..identity_fields,
        /// Destination topic.
        pub topic_name: Option<String>,
        /// Producer settings.
        pub producer_config: Option<ProducerConfig>,
        /// SerDe class.
        pub serde_class_name: Option<String>,
        /// Schema type.
        pub schema_type: Option<String>,
        /// Connector configuration, any JSON.
        pub configs: Option<JsonObject>,
        /// Secret name → provider-specific object.
        pub secrets: Option<JsonObject>,
        /// Instance count.
        pub parallelism: Option<i32>,
        /// Delivery semantics.
        pub processing_guarantees: Option<ProcessingGuarantees>,
        /// Per-instance resources.
        pub resources: Option<Resources>,
        /// Built-in connector name (the CLI turns it into `archive: builtin://<type>`).
        pub source_type: Option<String>,
        /// Connector package: path, URL, `source://…` package or `builtin://…`.
        pub archive: Option<String>,
        /// Extra runtime flags.
        pub runtime_flags: Option<String>,
        /// Opaque JSON string for runtime customisers.
        pub custom_runtime_options: Option<String>,
        /// Makes this a batch source.
        pub batch_source_config: Option<BatchSourceConfig>,
        /// `DEFAULT` or `KEY_BASED`.
        pub batch_builder: Option<String>,
        /// Log topic (Pulsar ≥ 3.3).
        pub log_topic: Option<String>,
    }
}
