//! The `FunctionMesh` and `BackendConfig` custom resources (upstream `functionmesh_types.go`,
//! `backendconfig_types.go`).

use crate::macros::optional_fields;
use std::collections::BTreeMap;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::function::FunctionSpec;
use super::sink::SinkSpec;
use super::source::SourceSpec;
use super::spec_fields::scalable_spec;
use super::{PodPolicy, ResourceCondition};

optional_fields! {
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
        pub sources: Option<Vec<SourceSpec>>,
        /// Child sinks.
        pub sinks: Option<Vec<SinkSpec>>,
        /// Child functions.
        pub functions: Option<Vec<FunctionSpec>>,
    }
}

optional_fields! {
    /// `FunctionMesh.status`: the readiness of each child, as reported by the operator.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct FunctionMeshStatus {
        /// Child source name → condition.
        pub source_conditions: Option<BTreeMap<String, ResourceCondition>>,
        /// Child sink name → condition.
        pub sink_conditions: Option<BTreeMap<String, ResourceCondition>>,
        /// Child function name → condition.
        pub function_conditions: Option<BTreeMap<String, ResourceCondition>>,
        /// Last generation the operator reconciled.
        pub observed_generation: Option<i64>,
        /// Overall mesh condition.
        pub condition: Option<ResourceCondition>,
    }
}

scalable_spec! {
    /// `BackendConfig.spec`: env vars and a pod policy the operator merges into every
    /// function/sink/source pod (a global one and a per-namespace one).
    kind = "BackendConfig", plural = "backendconfigs", singular = "backendconfig",
    status = "BackendConfigStatus";
    pub struct BackendConfigSpec {
        /// Name of the backend config.
        pub name: Option<String>,
        /// Env vars prepended to every container.
        pub env: Option<BTreeMap<String, String>>,
        /// Pod policy merged into every pod (namespaced config wins for scalar fields).
        pub pod: Option<PodPolicy>,
        /// Roll out functions, sinks and sources when this config changes.
        pub auto_update: Option<bool>,
    }
}

/// `BackendConfig.status`: empty upstream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BackendConfigStatus {}
