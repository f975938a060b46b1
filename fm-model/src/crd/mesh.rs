//! The `FunctionMesh` and `BackendConfig` custom resources (upstream `functionmesh_types.go`,
//! `backendconfig_types.go`).

use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::function::FunctionSpec;
use super::sink::SinkSpec;
use super::source::SourceSpec;
use super::{PodPolicy, ResourceCondition};

/// `FunctionMesh.spec`: a group of functions, sinks and sources; the operator creates child
/// resources named `<mesh-name>-<spec.name>` owned by the mesh.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "FunctionMesh",
    plural = "functionmeshes",
    singular = "functionmesh",
    namespaced,
    status = "FunctionMeshStatus",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshSpec {
    /// Child sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<SourceSpec>>,
    /// Child sinks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sinks: Option<Vec<SinkSpec>>,
    /// Child functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub functions: Option<Vec<FunctionSpec>>,
}

/// `FunctionMesh.status`: the readiness of each child, as reported by the operator.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FunctionMeshStatus {
    /// Child source name → condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Child sink name → condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Child function name → condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_conditions: Option<BTreeMap<String, ResourceCondition>>,
    /// Last generation the operator reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Overall mesh condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<ResourceCondition>,
}

/// `BackendConfig.spec`: env vars and a pod policy the operator merges into every
/// function/sink/source pod (a global one and a per-namespace one).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "compute.functionmesh.io",
    version = "v1alpha1",
    kind = "BackendConfig",
    plural = "backendconfigs",
    singular = "backendconfig",
    namespaced,
    status = "BackendConfigStatus",
    derive = "PartialEq",
    scale(
        spec_replicas_path = ".spec.replicas",
        status_replicas_path = ".status.replicas",
        label_selector_path = ".status.selector"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct BackendConfigSpec {
    /// Name of the backend config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Env vars prepended to every container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<BTreeMap<String, String>>,
    /// Pod policy merged into every pod (namespaced config wins for scalar fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<PodPolicy>,
    /// Roll out functions, sinks and sources when this config changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_update: Option<bool>,
}

/// `BackendConfig.status`: empty upstream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BackendConfigStatus {}
