//! The `Source` custom resource (upstream `source_types.go`).

use k8s_openapi::api::core::v1::VolumeMount;

use super::enums::ProcessingGuarantee;
use super::spec_fields::{
    container_fields, log_fields, runtime_fields, scalable_spec, scaling_fields,
};
use super::{BatchSourceConfig, FreeConfig, OutputConf, PodPolicy, ResourceStatus};

/// Status of a [`Source`] (same shape as Function status).
pub type SourceStatus = ResourceStatus;

scalable_spec! {
    /// `Source.spec`: a Pulsar IO source connector the operator runs as a StatefulSet
    /// `<name>-source`.
    kind = "Source", plural = "sources", singular = "source", status = "SourceStatus";
    pub struct SourceSpec {
        /// Pulsar source name (webhook default: `metadata.name`).
        pub name: Option<String>,
        /// Connector class (goes into the Source spec of FunctionDetails).
        pub class_name: Option<String>,
        /// Pulsar tenant (webhook default `public`).
        pub tenant: Option<String>,
        /// Pulsar namespace (webhook default `default`).
        pub namespace: Option<String>,
        /// Pulsar cluster name, passed as `--cluster_name` (webhook default `kubernetes`).
        pub cluster_name: Option<String>,
        /// Builtin connector id (`--source-type`); not read by the operator.
        pub source_type: Option<String>,
        ..scaling_fields,
        /// Output topic.
        pub output: Option<OutputConf>,
        ..log_fields,
        /// Turns the source into a batch source (BatchSourceExecutor).
        pub batch_source_config: Option<BatchSourceConfig>,
        /// Connector configuration (free-form JSON) → SourceSpec.configs.
        #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
        pub source_config: Option<FreeConfig>,
        ..container_fields,
        /// Delivery semantics (webhook default `atleast_once`).
        pub processing_guarantee: Option<ProcessingGuarantee>,
        /// FunctionDetails.runtimeFlags.
        pub runtime_flags: Option<String>,
        /// Volume mounts of the main container.
        pub volume_mounts: Option<Vec<VolumeMount>>,
        /// Forward source message properties (webhook default true).
        pub forward_source_message_property: Option<bool>,
        /// Pod template customisation, HPA and VPA.
        pub pod: Option<PodPolicy>,
        ..runtime_fields,
    }
}
