//! `SourceConfig`: what `pulsar-admin sources create` sends.

use super::common::*;
use crate::lenient;
use crate::macros::optional_fields;
use serde::{Deserialize, Serialize};

optional_fields! {
    /// A Pulsar source connector's admin configuration.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct SourceConfig {
        /// Pulsar tenant.
        pub tenant: Option<String>,
        /// Pulsar namespace.
        pub namespace: Option<String>,
        /// Source name.
        pub name: Option<String>,
        /// Source class (from the connector's metadata when absent).
        pub class_name: Option<String>,
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
        #[serde(deserialize_with = "lenient::opt_i32")]
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
