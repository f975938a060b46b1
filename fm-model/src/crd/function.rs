//! The `Function` custom resource (upstream `function_types.go`).

use k8s_openapi::api::apps::v1::StatefulSetPersistentVolumeClaimRetentionPolicy;
use k8s_openapi::api::core::v1::VolumeMount;

use super::spec_fields::{
    consumer_fields, container_fields, log_fields, runtime_fields, scalable_spec, scaling_fields,
    subscription_fields,
};
use super::{
    FreeConfig, InputConf, OutputConf, PodPolicy, ResourceStatus, SinkConnectorSpec,
    SourceConnectorSpec, VolumeClaimTemplate, WindowConfig,
};

/// Status of a [`Function`] (same shape as Sink and Source status).
pub type FunctionStatus = ResourceStatus;

scalable_spec! {
    /// `Function.spec`: a Pulsar function the operator runs as a StatefulSet `<name>-function`.
    kind = "Function", plural = "functions", singular = "function", status = "FunctionStatus";
    pub struct FunctionSpec {
        /// Pulsar function name (webhook default: `metadata.name`).
        pub name: Option<String>,
        /// Function class (required by the webhook for Java and Python).
        pub class_name: Option<String>,
        /// Pulsar tenant (webhook default `public`).
        pub tenant: Option<String>,
        /// Pulsar namespace (webhook default `default`).
        pub namespace: Option<String>,
        /// Pulsar cluster name, passed as `--cluster_name` (webhook default `kubernetes`).
        pub cluster_name: Option<String>,
        ..scaling_fields,
        /// Input topics.
        pub input: Option<InputConf>,
        /// Output topic.
        pub output: Option<OutputConf>,
        ..log_fields,
        /// User config (free-form JSON) → FunctionDetails.userConfig.
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub func_config: Option<FreeConfig>,
        /// Override of the function's source implementation (v0.26.0).
        pub source_config: Option<SourceConnectorSpec>,
        /// Override of the function's sink implementation (v0.26.0).
        pub sink_config: Option<SinkConnectorSpec>,
        ..container_fields,
        /// Volume mounts of the main container.
        pub volume_mounts: Option<Vec<VolumeMount>>,
        /// Message timeout in ms (also copied into negativeAckRedeliveryDelayMs for functions).
        pub timeout: Option<i32>,
        ..consumer_fields,
        /// Forward source message properties (webhook default true).
        pub forward_source_message_property: Option<bool>,
        /// Java `--pending_async_requests` (webhook default 1000).
        pub max_pending_async_requests: Option<i32>,
        /// FunctionDetails.runtimeFlags.
        pub runtime_flags: Option<String>,
        ..subscription_fields,
        /// Skip to the latest message on restart.
        pub skip_to_latest: Option<bool>,
        /// Pod template customisation, HPA and VPA.
        pub pod: Option<PodPolicy>,
        /// Window settings (WindowFunctionExecutor).
        pub window_config: Option<WindowConfig>,
        ..runtime_fields,
        /// StatefulSet volume claim templates.
        pub volume_claim_templates: Option<Vec<VolumeClaimTemplate>>,
        /// StatefulSet PVC retention policy.
        pub persistent_volume_claim_retention_policy:
            Option<StatefulSetPersistentVolumeClaimRetentionPolicy>,
    }
}
