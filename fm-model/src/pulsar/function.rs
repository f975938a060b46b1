//! `FunctionConfig`: what `pulsar-admin functions create` sends.

use super::common::*;
use crate::lenient;
use crate::macros::optional_fields;
use std::collections::BTreeMap;

optional_fields! {
    mirror(Default);
    lenient;
    /// A Pulsar function's admin configuration, field for field as Pulsar's JSON (Jackson property order).
    pub struct FunctionConfig {
        /// Extra flags for the process/Kubernetes runtime.
        pub runtime_flags: Option<String>,
        ..identity_fields,
        /// Input topics.
        pub inputs: Option<Vec<String>>,
        /// Input topic → SerDe class.
        pub custom_serde_inputs: Option<BTreeMap<String, String>>,
        /// Regular expression of input topics.
        pub topics_pattern: Option<String>,
        /// Input topic → JSON-encoded `ConsumerConfig` (a JSON document inside a string).
        pub custom_schema_inputs: Option<BTreeMap<String, String>>,
        /// Output topic → JSON-encoded `ConsumerConfig`; only the entry for `output` is used.
        pub custom_schema_outputs: Option<BTreeMap<String, String>>,
        /// Input topic → consumer settings; overrides the other input forms.
        pub input_specs: Option<BTreeMap<String, ConsumerConfig>>,
        /// Input type hint for non-Java runtimes.
        pub input_type_class_name: Option<String>,
        /// Output topic.
        pub output: Option<String>,
        /// Output producer settings.
        pub producer_config: Option<ProducerConfig>,
        /// Output schema (built-in name or class).
        pub output_schema_type: Option<String>,
        /// Output type hint.
        pub output_type_class_name: Option<String>,
        /// Output SerDe class.
        pub output_serde_class_name: Option<String>,
        /// Topic receiving the function's logs.
        pub log_topic: Option<String>,
        /// Delivery semantics.
        pub processing_guarantees: Option<ProcessingGuarantees>,
        /// One consumer per partition (FAILOVER subscription).
        pub retain_ordering: Option<bool>,
        /// Key-ordered processing (KEY_SHARED subscription).
        pub retain_key_ordering: Option<bool>,
        /// `DEFAULT` or `KEY_BASED`; copied into the producer settings.
        pub batch_builder: Option<String>,
        /// Copy input message properties to the output.
        pub forward_source_message_property: Option<bool>,
        /// User configuration, any JSON.
        pub user_config: Option<JsonObject>,
        /// Secret name → provider-specific object (for Function Mesh: `{path, key}`).
        pub secrets: Option<JsonObject>,
        /// Runtime; Pulsar overwrites it from whichever of `jar`/`py`/`go` is set.
        pub runtime: Option<Runtime>,
        /// Framework acknowledges messages (deprecated in Pulsar 2.11; use MANUAL).
        pub auto_ack: Option<bool>,
        /// Retries before the dead-letter topic.
        pub max_message_retries: Option<i32>,
        /// Dead-letter topic.
        pub dead_letter_topic: Option<String>,
        /// Subscription name.
        pub sub_name: Option<String>,
        /// Instance count.
        pub parallelism: Option<i32>,
        /// Per-instance resources.
        pub resources: Option<Resources>,
        /// Fully qualified function name (CLI convenience; ignored).
        pub fqfn: Option<String>,
        /// Windowing.
        pub window_config: Option<WindowConfig>,
        /// Message timeout in ms.
        pub timeout_ms: Option<i64>,
        /// Java package: path, URL, `function://…` package or `builtin://…`.
        pub jar: Option<String>,
        /// Python package.
        pub py: Option<String>,
        /// Go binary.
        pub go: Option<String>,
        /// Built-in function type (the CLI turns it into `jar: builtin://<type>`).
        pub function_type: Option<String>,
        /// Delete the subscription when the function is deleted.
        pub cleanup_subscription: Option<bool>,
        /// Opaque JSON string for runtime customisers (the Function Mesh worker's `CustomRuntimeOptions`).
        pub custom_runtime_options: Option<String>,
        /// Concurrency of async functions.
        pub max_pending_async_requests: Option<i32>,
        /// Expose the admin client in the context.
        pub expose_pulsar_admin_client_enabled: Option<bool>,
        /// Skip to the latest message on failure recovery.
        pub skip_to_latest: Option<bool>,
        /// Initial position; Pulsar fills `Latest` at parse time.
        #[serde(default, deserialize_with = "lenient::null_as_default")]
        pub subscription_position: SubscriptionInitialPosition,
    }
}
