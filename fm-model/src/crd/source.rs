//! The `Source` custom resource (upstream `source_types.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ResourceRequirements, VolumeMount};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::enums::{LogTopicAgent, ProcessingGuarantee};
use super::{
    BatchSourceConfig, FreeConfig, GenericRuntime, GoRuntime, JavaRuntime, OutputConf, PodPolicy,
    PulsarMessaging, PythonRuntime, ResourceStatus, SecretRef, Stateful,
};

/// Status of a [`Source`] (same shape as Function status).
pub type SourceStatus = ResourceStatus;

/// `Source.spec`: a Pulsar IO source connector the operator runs as a StatefulSet `<name>-source`.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "Source",
    plural = "sources",
    singular = "source",
    namespaced,
    status = "SourceStatus",
    derive = "PartialEq",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct SourceSpec {
    /// Pulsar source name (webhook default: `metadata.name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Connector class (goes into the Source spec of FunctionDetails).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Pulsar tenant (webhook default `public`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Pulsar namespace (webhook default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Pulsar cluster name, passed as `--cluster_name` (webhook default `kubernetes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// Builtin connector id (`--source-type`); not read by the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// StatefulSet replicas (scale subresource spec path; webhook default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<i32>,
    /// If true, FunctionDetails.parallelism = replicas, else 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_precise_parallelism: Option<bool>,
    /// HPA minimum replicas (CRD default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0), extend("default" = 1))]
    pub min_replicas: Option<i32>,
    /// Image of the `downloader` init container (operator `--enable-init-containers` mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downloader_image: Option<String>,
    /// Image of the subscription-cleanup Job (default: the runner image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_image: Option<String>,
    /// HPA maximum replicas; its presence enables the HPA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_replicas: Option<i32>,
    /// Output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<OutputConf>,
    /// Log topic (shipped by the filebeat sidecar).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic: Option<String>,
    /// Who publishes to `logTopic` (webhook default `sidecar`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_topic_agent: Option<LogTopicAgent>,
    /// Filebeat sidecar image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filebeat_image: Option<String>,
    /// Turns the source into a batch source (BatchSourceExecutor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// Connector configuration (free-form JSON) → SourceSpec.configs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub source_config: Option<FreeConfig>,
    /// Container resources; requests → FunctionDetails.resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceRequirements>,
    /// Env var name → Secret key (enables the environment secrets provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets_map: Option<BTreeMap<String, SecretRef>>,
    /// Delivery semantics (webhook default `atleast_once`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantee: Option<ProcessingGuarantee>,
    /// FunctionDetails.runtimeFlags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_flags: Option<String>,
    /// Volume mounts of the main container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// Forward source message properties (webhook default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_source_message_property: Option<bool>,
    /// Pod template customisation, HPA and VPA.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodPolicy>,
    /// Pulsar cluster connection, auth and TLS (upstream inline `Messaging`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarMessaging>,
    /// Separate Pulsar cluster used only for package download (v0.27.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_package_service: Option<PulsarMessaging>,
    /// Java runtime (upstream inline `Runtime`; required for connectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java: Option<JavaRuntime>,
    /// Python runtime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonRuntime>,
    /// Go runtime (JSON `golang`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub golang: Option<GoRuntime>,
    /// Generic runtime (`pulsar_rust_instance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generic_runtime: Option<GenericRuntime>,
    /// Runner image override.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Image pull policy (overwritten by the operator's `runnerImagePullPolicy`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_policy: Option<String>,
    /// The image has pulsarctl (used for download and cleanup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_has_pulsarctl: Option<bool>,
    /// The image has wget (http(s) package download); JSON name `imageHasGet`.
    #[serde(
        rename = "imageHasGet",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub image_has_wget: Option<bool>,
    /// State store settings (JSON `statefulConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateful_config: Option<Stateful>,
}
