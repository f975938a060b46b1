//! Function Mesh custom resources (`compute.functionmesh.io/v1alpha1`, Function Mesh v0.27.2):
//! `Function`, `Sink`, `Source`, `FunctionMesh` and `BackendConfig`, derived with kube's
//! `CustomResource` and schemars, plus their CustomResourceDefinitions.
//!
//! Every optional field is an `Option` that is skipped when `None`, so a resource read back
//! from the API server serialises exactly as written. Field order follows upstream's Go types.

mod common;
mod enums;
mod function;
mod io;
mod kube_yaml;
mod mesh;
mod parse;
pub mod schema;
mod sink;
mod source;
mod spec_fields;
mod status;
mod vpa;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

pub use crate::auth::{AuthConfig, GenericAuth, OAuth2Config, PulsarTlsConfig};
pub use common::{
    builtin_hpa_rule, component, condition_type, reconcile_action, EmbeddedObjectMeta, FreeConfig,
    GenericRuntime, GoRuntime, JavaRuntime, Liveness, LogConfig, PodPolicy, PulsarMessaging,
    PulsarStateStore, PulsarStateStoreJavaProvider, PythonRuntime, ResourceCondition,
    ResourceStatus, RuntimeLogConfig, SecretRef, Stateful, VolumeClaimTemplate,
};
pub use enums::{
    CompressionType, ContainerControlledValues, ContainerScalingMode, JavaLog4JConfigFileType,
    LogFormat, LogLevel, LogTopicAgent, ProcessingGuarantee, SubscriptionPosition,
    TriggeringPolicy, VpaUpdateMode, WindowProcessingGuarantee,
};
pub use function::{Function, FunctionSpec, FunctionStatus};
pub use io::{
    BatchSourceConfig, ConsumerConfig, CryptoConfig, CryptoSecret, InputConf, OutputConf,
    ProducerConfig, SinkConnectorSpec, SourceConnectorSpec, WindowConfig,
};
pub use kube_yaml::to_kube_yaml;
pub use mesh::{
    BackendConfig, BackendConfigSpec, BackendConfigStatus, FunctionMesh, FunctionMeshSpec,
    FunctionMeshStatus,
};
pub use parse::{parse_resource, ResourceParseError};
pub use sink::{Sink, SinkSpec, SinkStatus};
pub use source::{Source, SourceSpec, SourceStatus};
pub use status::{CheckedStatus, MissingStatusField};
pub use vpa::{ContainerResourcePolicy, PodResourcePolicy, PodUpdatePolicy, VpaSpec};

/// API group of all Function Mesh resources.
pub const GROUP: &str = "compute.functionmesh.io";
/// The single served and stored version.
pub const VERSION: &str = "v1alpha1";
/// `apiVersion` of every Function Mesh resource.
pub const API_VERSION: &str = "compute.functionmesh.io/v1alpha1";
/// Kind of a Pulsar function resource.
pub const KIND_FUNCTION: &str = "Function";
/// Kind of a Pulsar IO sink resource.
pub const KIND_SINK: &str = "Sink";
/// Kind of a Pulsar IO source resource.
pub const KIND_SOURCE: &str = "Source";
/// Kind of a function mesh (a group of the three).
pub const KIND_FUNCTION_MESH: &str = "FunctionMesh";
/// Kind of a backend config (env and pod policy applied to all pods).
pub const KIND_BACKEND_CONFIG: &str = "BackendConfig";

fn finish(mut crd: CustomResourceDefinition, root_preserve: bool) -> CustomResourceDefinition {
    schema::apply_upstream_markers(
        &mut crd,
        schema::UpstreamMarkers {
            root_preserve_unknown_fields: root_preserve,
        },
    );
    crd
}

/// The `functions.compute.functionmesh.io` CRD (post-processed to upstream's markers).
pub fn function_crd() -> CustomResourceDefinition {
    finish(Function::crd(), true)
}

/// The `sinks.compute.functionmesh.io` CRD (post-processed to upstream's markers).
pub fn sink_crd() -> CustomResourceDefinition {
    finish(Sink::crd(), true)
}

/// The `sources.compute.functionmesh.io` CRD (post-processed to upstream's markers).
pub fn source_crd() -> CustomResourceDefinition {
    finish(Source::crd(), true)
}

/// The `functionmeshes.compute.functionmesh.io` CRD (no root preserve-unknown-fields, like upstream).
pub fn function_mesh_crd() -> CustomResourceDefinition {
    finish(FunctionMesh::crd(), false)
}

/// The `backendconfigs.compute.functionmesh.io` CRD (post-processed to upstream's markers).
pub fn backend_config_crd() -> CustomResourceDefinition {
    finish(BackendConfig::crd(), true)
}
