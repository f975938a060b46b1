//! `customRuntimeOptions`: the JSON string a config carries for the Function Mesh worker (cluster,
//! type classes, env, HPA and VPA settings, trusted-only image and service account).

use crate::lenient;
use crate::macros::optional_fields;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

optional_fields! {
    mirror(Default);
    lenient;
    /// `customRuntimeOptions` HPA settings (`hpaSpec`).
    pub struct HpaSpec {
        /// `AverageUtilizationCPUPercent80|50|20`.
        #[serde(rename = "builtinCPURule")]
        pub builtin_cpu_rule: Option<String>,
        /// `AverageUtilizationMemoryPercent80|50|20`.
        pub builtin_memory_rule: Option<String>,
        /// autoscaling/v2 `MetricSpec` list.
        pub auto_scaling_metrics: Option<Vec<Value>>,
        /// autoscaling/v2 `HorizontalPodAutoscalerBehavior`.
        pub auto_scaling_behavior: Option<Value>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `customRuntimeOptions` VPA update policy.
    pub struct VpaUpdatePolicy {
        /// `off|initial|recreate|auto` (any case).
        pub update_mode: Option<String>,
        /// Minimum replicas for eviction.
        pub min_replicas: Option<i32>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `customRuntimeOptions` VPA container policy.
    pub struct VpaContainerPolicy {
        /// Container name (`*` for all).
        pub container_name: Option<String>,
        /// `off|auto` (any case).
        pub mode: Option<String>,
        /// Upper bounds (resource → quantity).
        pub max_allowed: Option<BTreeMap<String, Value>>,
        /// Lower bounds (resource → quantity).
        pub min_allowed: Option<BTreeMap<String, Value>>,
        /// Controlled resources (`cpu`, `memory`).
        pub controlled_resources: Option<Vec<String>>,
        /// `requestsonly|requestsandlimits` (any case).
        pub controlled_values: Option<String>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `customRuntimeOptions` VPA settings (`vpaSpec`).
    pub struct VpaSpecOptions {
        /// Update policy.
        pub update_policy: Option<VpaUpdatePolicy>,
        /// Container policies.
        pub resource_policy: Option<Vec<VpaContainerPolicy>>,
    }
}

optional_fields! {
    lenient;
    impl Default;
    /// The Function Mesh worker's `CustomRuntimeOptions`, carried as a JSON string in a config's
    /// `customRuntimeOptions`. Serialises in the Java worker's field order.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct CustomRuntimeOptions {
        /// Cluster when the caller passes none.
        pub cluster_name: Option<String>,
        /// → `spec.input.typeClassName`.
        pub input_type_class_name: Option<String>,
        /// → `spec.output.typeClassName`.
        pub output_type_class_name: Option<String>,
        /// → `spec.maxReplicas` when greater than the parallelism; enables HPA.
        #[serde(deserialize_with = "lenient::i32_or_zero")]
        pub max_replicas: i32,
        /// Extra pod env, highest precedence.
        pub env: Option<BTreeMap<String, String>>,
        /// → `spec.pod.vpa`.
        pub vpa_spec: Option<VpaSpecOptions>,
        /// Trusted only: false → the operator leaves the workload alone.
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub managed: bool = true,
        /// Trusted only (or with `allowUserDefinedServiceAccountName`): pod service account.
        pub service_account_name: Option<String>,
        /// Trusted only: runner image.
        pub runner_image: Option<String>,
        /// Java/Python log level.
        pub log_level: Option<String>,
        /// Java/Python log rotation policy.
        pub log_rotation_policy: Option<String>,
        /// Replaces the tag of the configured runner image.
        pub runner_image_tag: Option<String>,
        /// HPA settings.
        pub hpa_spec: Option<HpaSpec>,
    }
}
