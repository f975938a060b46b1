//! `pod.vpa`: the VerticalPodAutoscaler settings (types of `autoscaling.k8s.io/v1`, VPA v0.11.0,
//! which k8s-openapi does not provide). JSON names follow the VPA API.

use crate::macros::optional_fields;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::enums::{ContainerControlledValues, ContainerScalingMode, VpaUpdateMode};

optional_fields! {
    mirror(Default, JsonSchema);
    /// `pod.vpa` (upstream `VPASpec`): when set, the operator creates a VPA targeting the resource.
    pub struct VpaSpec {
        /// How recommendations are applied to pods.
        pub update_policy: Option<PodUpdatePolicy>,
        /// How recommendations are computed per container.
        pub resource_policy: Option<PodResourcePolicy>,
    }
}

optional_fields! {
    /// VPA `PodUpdatePolicy`.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct PodUpdatePolicy {
        /// Update mode (VPA default `Auto`).
        pub update_mode: Option<VpaUpdateMode>,
        /// Minimum live replicas required before the updater evicts a pod.
        pub min_replicas: Option<i32>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// VPA `PodResourcePolicy`.
    pub struct PodResourcePolicy {
        /// Per-container policies (`containerName: "*"` is the default policy).
        pub container_policies: Option<Vec<ContainerResourcePolicy>>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// VPA `ContainerResourcePolicy`.
    pub struct ContainerResourcePolicy {
        /// Container name, or `*`.
        pub container_name: Option<String>,
        /// Whether the VPA scales this container.
        pub mode: Option<ContainerScalingMode>,
        /// Lower bound of the recommendation per resource.
        pub min_allowed: Option<BTreeMap<String, Quantity>>,
        /// Upper bound of the recommendation per resource.
        pub max_allowed: Option<BTreeMap<String, Quantity>>,
        /// Resources the VPA computes recommendations for (default cpu and memory).
        pub controlled_resources: Option<Vec<String>>,
        /// Whether requests only or requests and limits are scaled.
        pub controlled_values: Option<ContainerControlledValues>,
    }
}
