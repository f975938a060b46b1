//! `SourceConfig`: what `pulsar-admin sources create` sends.

use super::common::*;
use crate::lenient;
use serde::{Deserialize, Serialize};

/// A Pulsar source connector's admin configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceConfig {
    /// Pulsar tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Source name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Source class (from the connector's metadata when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Destination topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_name: Option<String>,
    /// Producer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_config: Option<ProducerConfig>,
    /// SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serde_class_name: Option<String>,
    /// Schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
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
    /// Per-instance resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Built-in connector name (the CLI turns it into `archive: builtin://<type>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Connector package: path, URL, `source://…` package or `builtin://…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive: Option<String>,
    /// Extra runtime flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    /// Opaque JSON string for runtime customisers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_runtime_options: Option<String>,
    /// Makes this a batch source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// `DEFAULT` or `KEY_BASED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    /// Log topic (Pulsar ≥ 3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
}
