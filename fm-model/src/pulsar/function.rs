//! `FunctionConfig`: what `pulsar-admin functions create` sends.

use super::common::*;
use crate::lenient;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Pulsar function's admin configuration, field for field as Pulsar's JSON (Jackson property order).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionConfig {
    /// Extra flags for the process/Kubernetes runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    /// Pulsar tenant (the URL path wins on the REST API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace (short name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Function name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Entry class (Java) or `module.Class` (Python).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<String>>,
    /// Input topic → SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_serde_inputs: Option<BTreeMap<String, String>>,
    /// Regular expression of input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics_pattern: Option<String>,
    /// Input topic → JSON-encoded `ConsumerConfig` (a JSON document inside a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_inputs: Option<BTreeMap<String, String>>,
    /// Output topic → JSON-encoded `ConsumerConfig`; only the entry for `output` is used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_outputs: Option<BTreeMap<String, String>>,
    /// Input topic → consumer settings; overrides the other input forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_specs: Option<BTreeMap<String, ConsumerConfig>>,
    /// Input type hint for non-Java runtimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_type_class_name: Option<String>,
    /// Output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Output producer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_config: Option<ProducerConfig>,
    /// Output schema (built-in name or class).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema_type: Option<String>,
    /// Output type hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_type_class_name: Option<String>,
    /// Output SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_serde_class_name: Option<String>,
    /// Topic receiving the function's logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
    /// Delivery semantics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<ProcessingGuarantees>,
    /// One consumer per partition (FAILOVER subscription).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub retain_ordering: Option<bool>,
    /// Key-ordered processing (KEY_SHARED subscription).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub retain_key_ordering: Option<bool>,
    /// `DEFAULT` or `KEY_BASED`; copied into the producer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    /// Copy input message properties to the output.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub forward_source_message_property: Option<bool>,
    /// User configuration, any JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_config: Option<JsonObject>,
    /// Secret name → provider-specific object (for Function Mesh: `{path, key}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<JsonObject>,
    /// Runtime; Pulsar overwrites it from whichever of `jar`/`py`/`go` is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<Runtime>,
    /// Framework acknowledges messages (deprecated in Pulsar 2.11; use MANUAL).
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub auto_ack: Option<bool>,
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
    /// Subscription name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_name: Option<String>,
    /// Instance count.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub parallelism: Option<i32>,
    /// Per-instance resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Resources>,
    /// Fully qualified function name (CLI convenience; ignored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqfn: Option<String>,
    /// Windowing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_config: Option<WindowConfig>,
    /// Message timeout in ms.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i64",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout_ms: Option<i64>,
    /// Java package: path, URL, `function://…` package or `builtin://…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jar: Option<String>,
    /// Python package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py: Option<String>,
    /// Go binary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go: Option<String>,
    /// Built-in function type (the CLI turns it into `jar: builtin://<type>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_type: Option<String>,
    /// Delete the subscription when the function is deleted.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub cleanup_subscription: Option<bool>,
    /// Opaque JSON string for runtime customisers (the Function Mesh worker's `CustomRuntimeOptions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_runtime_options: Option<String>,
    /// Concurrency of async functions.
    #[serde(
        default,
        deserialize_with = "lenient::opt_i32",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_pending_async_requests: Option<i32>,
    /// Expose the admin client in the context.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub expose_pulsar_admin_client_enabled: Option<bool>,
    /// Skip to the latest message on failure recovery.
    #[serde(
        default,
        deserialize_with = "lenient::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub skip_to_latest: Option<bool>,
    /// Initial position; Pulsar fills `Latest` at parse time.
    #[serde(default, deserialize_with = "lenient::null_as_default")]
    pub subscription_position: SubscriptionInitialPosition,
}
