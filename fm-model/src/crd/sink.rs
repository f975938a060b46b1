//! The `Sink` custom resource (upstream `sink_types.go`).

use k8s_openapi::api::core::v1::VolumeMount;

use super::spec_fields::{
    consumer_fields, container_fields, log_fields, runtime_fields, scalable_spec, scaling_fields,
    subscription_fields,
};
use super::{FreeConfig, InputConf, PodPolicy, ResourceStatus};

/// Status of a [`Sink`] (same shape as Function status).
pub type SinkStatus = ResourceStatus;

scalable_spec! {
    /// `Sink.spec`: a Pulsar IO sink connector the operator runs as a StatefulSet `<name>-sink`.
    kind = "Sink", plural = "sinks", singular = "sink", status = "SinkStatus";
    pub struct SinkSpec {
        /// Pulsar sink name (webhook default: `metadata.name`).
        pub name: Option<String>,
        /// Connector class (goes into the Sink spec of FunctionDetails).
        pub class_name: Option<String>,
        /// Pulsar cluster name, passed as `--cluster_name` (webhook default `kubernetes`).
        pub cluster_name: Option<String>,
        /// Pulsar tenant (webhook default `public`).
        pub tenant: Option<String>,
        /// Pulsar namespace (webhook default `default`).
        pub namespace: Option<String>,
        /// Builtin connector id (`--sink-type`); not read by the operator.
        pub sink_type: Option<String>,
        ..scaling_fields,
        /// Input topics.
        pub input: Option<InputConf>,
        ..log_fields,
        /// Connector configuration (free-form JSON) → SinkSpec.configs.
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub sink_config: Option<FreeConfig>,
        ..container_fields,
        /// Volume mounts of the main container.
        pub volume_mounts: Option<Vec<VolumeMount>>,
        /// Message timeout in ms (SourceSpec.timeoutMs).
        pub timeout: Option<i32>,
        /// Negative-ack redelivery delay (SourceSpec.negativeAckRedeliveryDelayMs).
        pub negative_ack_redelivery_delay_ms: Option<i32>,
        ..consumer_fields,
        /// FunctionDetails.runtimeFlags.
        pub runtime_flags: Option<String>,
        ..subscription_fields,
        /// Pod template customisation, HPA and VPA.
        pub pod: Option<PodPolicy>,
        ..runtime_fields,
    }
}
