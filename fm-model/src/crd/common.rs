//! Types shared by the `Function`, `Sink` and `Source` specs (upstream `common.go`).

use crate::macros::optional_fields;
use std::collections::BTreeMap;

use crate::auth::{AuthConfig, PulsarTlsConfig};
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscalerBehavior, MetricSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Container, EnvVar, LocalObjectReference, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, PodSecurityContext, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::enums::{JavaLog4JConfigFileType, LogFormat, LogLevel, TriggeringPolicy};
use super::vpa::VpaSpec;

/// A free-form JSON object (upstream `Config`): kept verbatim, schema `x-kubernetes-preserve-unknown-fields`.
pub type FreeConfig = Map<String, Value>;

optional_fields! {
    mirror(Default, JsonSchema);
    /// `spec.pulsar` / `spec.pulsarPackageService` (upstream `PulsarMessaging`): how the instance reaches Pulsar.
    pub struct PulsarMessaging {
        /// ConfigMap holding `webServiceURL` and `brokerServiceURL`; mounted into the pod via `envFrom`.
        pub pulsar_config: Option<String>,
        /// Secret holding `clientAuthenticationPlugin`/`clientAuthenticationParameters` (used only without `authConfig`).
        pub auth_secret: Option<String>,
        /// Secret holding the TLS settings as env vars (used only without `tlsConfig`).
        pub tls_secret: Option<String>,
        /// Structured TLS settings; the operator mounts the CA secret and passes `--use_tls` etc.
        pub tls_config: Option<PulsarTlsConfig>,
        /// Structured authentication (OAuth2 or a generic plugin) passed to the instance.
        pub auth_config: Option<AuthConfig>,
        /// Authentication used only by the subscription-cleanup Job (falls back to `authConfig`).
        pub cleanup_auth_config: Option<AuthConfig>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `spec.statefulConfig` (upstream `Stateful`): the state store the instance uses.
    pub struct Stateful {
        /// Pulsar (BookKeeper table service) state store.
        pub pulsar: Option<PulsarStateStore>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `statefulConfig.pulsar`: passed as `--state_storage_serviceurl` (and the provider class).
    pub struct PulsarStateStore {
        /// BookKeeper table service URL (required).
        pub service_url: String,
        /// Custom Java state store provider.
        pub java_provider: Option<PulsarStateStoreJavaProvider>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `statefulConfig.pulsar.javaProvider`: passed as `--state_storage_impl_class`.
    pub struct PulsarStateStoreJavaProvider {
        /// StateStoreProvider implementation class (required).
        pub class_name: String,
        /// Provider configuration. Upstream quirk kept on purpose: the CRD schema is a bare
        /// `type: object` without preserve-unknown-fields, so the API server prunes its content.
        #[schemars(schema_with = "crate::crd::schema::bare_object")]
        pub config: Option<FreeConfig>,
    }
}

/// Known values of `pod.builtinAutoscaler` (upstream `BuiltinHPARule`; a free string in the CRD,
/// unknown values are ignored by the operator).
pub mod builtin_hpa_rule {
    /// Average CPU utilisation 80 %.
    pub const CPU_PERCENT_80: &str = "AverageUtilizationCPUPercent80";
    /// Average CPU utilisation 50 %.
    pub const CPU_PERCENT_50: &str = "AverageUtilizationCPUPercent50";
    /// Average CPU utilisation 20 %.
    pub const CPU_PERCENT_20: &str = "AverageUtilizationCPUPercent20";
    /// Average memory utilisation 80 %.
    pub const MEMORY_PERCENT_80: &str = "AverageUtilizationMemoryPercent80";
    /// Average memory utilisation 50 %.
    pub const MEMORY_PERCENT_50: &str = "AverageUtilizationMemoryPercent50";
    /// Average memory utilisation 20 %.
    pub const MEMORY_PERCENT_20: &str = "AverageUtilizationMemoryPercent20";
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `spec.pod` (upstream `PodPolicy`): customisation of the StatefulSet pod template, HPA and VPA.
    pub struct PodPolicy {
        /// Labels merged into the pod labels.
        pub labels: Option<BTreeMap<String, String>>,
        /// Pod node selector.
        pub node_selector: Option<BTreeMap<String, String>>,
        /// Pod affinity (the operator appends a default pod anti-affinity unless disabled).
        pub affinity: Option<Affinity>,
        /// Pod tolerations.
        pub tolerations: Option<Vec<Toleration>>,
        /// Annotations merged over the prometheus annotations.
        pub annotations: Option<BTreeMap<String, String>>,
        /// Replaces the operator's default pod security context.
        pub security_context: Option<PodSecurityContext>,
        /// Pod termination grace period.
        pub termination_grace_period_seconds: Option<i64>,
        /// Extra pod volumes.
        pub volumes: Option<Vec<Volume>>,
        /// Image pull secrets (controller-config pull secrets are appended).
        pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
        /// Extra init containers.
        pub init_containers: Option<Vec<Container>>,
        /// Sidecar containers, placed before the main container.
        pub sidecars: Option<Vec<Container>>,
        /// Pod service account.
        pub service_account_name: Option<String>,
        /// Built-in HPA rules (see [`builtin_hpa_rule`]); turned into HPA metrics when `maxReplicas` > `minReplicas`.
        pub builtin_autoscaler: Option<Vec<String>>,
        /// Custom HPA metrics (autoscaling/v2), used verbatim.
        pub auto_scaling_metrics: Option<Vec<MetricSpec>>,
        /// Custom HPA behaviour (autoscaling/v2).
        pub auto_scaling_behavior: Option<HorizontalPodAutoscalerBehavior>,
        /// Vertical pod autoscaler targeting the resource.
        pub vpa: Option<VpaSpec>,
        /// Env vars appended to the main container.
        pub env: Option<Vec<EnvVar>>,
        /// HTTP liveness probe on the metrics port.
        pub liveness: Option<Liveness>,
        /// Suppress the operator's default pod anti-affinity.
        pub disable_default_affinity: Option<bool>,
    }
}

optional_fields! {
    /// `pod.liveness`: an HTTP GET `/` probe on port 9094 (none when `periodSeconds` ≤ 0).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Liveness {
        /// Probe period (also the probe timeout).
        pub period_seconds: Option<i32>,
        /// Delay before the first probe.
        pub initial_delay_seconds: Option<i32>,
        /// Consecutive successes to count as healthy.
        pub success_threshold: Option<i32>,
        /// Consecutive failures to count as unhealthy.
        pub failure_threshold: Option<i32>,
    }
}

optional_fields! {
    /// `spec.java`: run the instance on the Java runtime.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct JavaRuntime {
        /// Path of the jar inside the pod (required); passed as `--jar`.
        pub jar: String,
        /// Package location to download the jar from (`function://`, `sink://`, `source://`, `http(s)://`).
        pub jar_location: Option<String>,
        /// Directory added to the classpath (`<dir>/*`).
        pub extra_dependencies_dir: Option<String>,
        /// Log configuration of the instance.
        pub log: Option<RuntimeLogConfig>,
        /// Extra JVM options.
        pub java_opts: Option<Vec<String>>,
        /// Java instance jar (default `/pulsar/instances/java-instance.jar`).
        pub instance_path: Option<String>,
        /// Java main class (default `org.apache.pulsar.functions.instance.JavaInstanceMain`).
        pub entry_class: Option<String>,
    }
}

optional_fields! {
    /// `spec.python`: run the instance on the Python runtime.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct PythonRuntime {
        /// Path of the Python file/package inside the pod (required); passed as `--py`.
        pub py: String,
        /// Package location to download it from.
        pub py_location: Option<String>,
        /// Log configuration of the instance.
        pub log: Option<RuntimeLogConfig>,
    }
}

optional_fields! {
    /// `spec.golang`: run a Go function binary.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct GoRuntime {
        /// Path of the Go binary inside the pod (required).
        pub go: String,
        /// Package location to download it from.
        pub go_location: Option<String>,
        /// Log configuration (only `level` is used, as `LOGGING_LEVEL`).
        pub log: Option<RuntimeLogConfig>,
    }
}

optional_fields! {
    /// `spec.genericRuntime`: run the function with `pulsar_rust_instance` (nodejs, python, executable, wasm).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct GenericRuntime {
        /// Path of the function file inside the pod (required).
        pub function_file: String,
        /// Language (required; the operator's image map knows `nodejs`, `python`, `executable`, `wasm`).
        pub language: String,
        /// Package location to download the file from.
        pub function_file_location: Option<String>,
    }
}

optional_fields! {
    /// `java|python|golang.log`: the log configuration the operator generates or mounts.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct RuntimeLogConfig {
        /// Log level.
        pub level: Option<LogLevel>,
        /// Log file rotation policy.
        pub rotate_policy: Option<TriggeringPolicy>,
        /// Log line format.
        pub format: Option<LogFormat>,
        /// A user-supplied log config file in a ConfigMap (mounted instead of the generated one).
        pub log_config: Option<LogConfig>,
        /// File type of the user-supplied Java log4j config.
        #[serde(rename = "javaLog4JConfigFileType")]
        pub java_log4j_config_file_type: Option<JavaLog4JConfigFileType>,
    }
}

/// `log.logConfig`: a ConfigMap key mounted under `/pulsar/conf/{java,python}-log/`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LogConfig {
    /// ConfigMap name (required).
    pub name: String,
    /// Key in the ConfigMap (required).
    pub key: String,
}

optional_fields! {
    /// `spec.secretsMap` values: an env var filled from a Secret key.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct SecretRef {
        /// Secret name.
        pub path: Option<String>,
        /// Key in the Secret.
        pub key: Option<String>,
    }
}

/// Keys of `status.conditions` (upstream `Component`).
pub mod component {
    /// The StatefulSet.
    pub const STATEFUL_SET: &str = "StatefulSet";
    /// The headless Service.
    pub const SERVICE: &str = "Service";
    /// The HorizontalPodAutoscaler.
    pub const HPA: &str = "HorizontalPodAutoscaler";
    /// The VerticalPodAutoscaler.
    pub const VPA: &str = "VerticalPodAutoscaler";
}

/// Values of [`ResourceCondition::condition`] (upstream `ResourceConditionType`).
pub mod condition_type {
    /// The child object is no longer wanted.
    pub const ORPHANED: &str = "Orphaned";
    /// A FunctionMesh is ready.
    pub const MESH_READY: &str = "MeshReady";
    /// A Function is ready.
    pub const FUNCTION_READY: &str = "FunctionReady";
    /// A Source is ready.
    pub const SOURCE_READY: &str = "SourceReady";
    /// A Sink is ready.
    pub const SINK_READY: &str = "SinkReady";
    /// The StatefulSet is ready.
    pub const STATEFUL_SET_READY: &str = "StatefulSetReady";
    /// The Service is ready.
    pub const SERVICE_READY: &str = "ServiceReady";
    /// The HPA is ready.
    pub const HPA_READY: &str = "HPAReady";
    /// The VPA is ready.
    pub const VPA_READY: &str = "VPAReady";
}

/// Values of [`ResourceCondition::action`] (upstream `ReconcileAction`).
pub mod reconcile_action {
    /// The object will be created.
    pub const CREATE: &str = "Create";
    /// The object will be deleted.
    pub const DELETE: &str = "Delete";
    /// The object will be updated.
    pub const UPDATE: &str = "Update";
    /// Waiting for the object.
    pub const WAIT: &str = "Wait";
    /// Nothing to do.
    pub const NO_ACTION: &str = "NoAction";
}

optional_fields! {
    /// One entry of `status.conditions`: the operator's view of one child object.
    /// Free strings in the CRD (no enum); known values in [`condition_type`] and [`reconcile_action`].
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct ResourceCondition {
        /// Condition type, e.g. `StatefulSetReady`.
        pub condition: Option<String>,
        /// `True`, `False` or `Unknown`.
        pub status: Option<String>,
        /// Pending reconcile action, e.g. `Create`.
        pub action: Option<String>,
    }
}

optional_fields! {
    /// Status of a Function, Sink or Source (identical upstream types `FunctionStatus`/`SinkStatus`/`SourceStatus`).
    ///
    /// The CRD schema requires `conditions`, `replicas` and `selector`, but reading a resource does
    /// not: a hand-made or exported manifest (`status: {}`, or a partial status) reads, and only
    /// [`ResourceStatus::checked`] (the status conversion) needs them and names the one missing.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct ResourceStatus {
        #[schemars(required)]
        /// Component (see [`component`]) → condition.
        pub conditions: Option<BTreeMap<String, ResourceCondition>>,
        #[schemars(required)]
        /// StatefulSet replicas (scale subresource status path).
        pub replicas: Option<i32>,
        #[schemars(required)]
        /// StatefulSet label selector as a string (scale subresource selector path).
        pub selector: Option<String>,
        /// Last generation the operator reconciled.
        pub observed_generation: Option<i64>,
        /// resourceVersion of the applied global BackendConfig.
        pub global_backend_config_revision: Option<String>,
        /// resourceVersion of the applied namespaced BackendConfig.
        pub namespaced_backend_config_revision: Option<String>,
        /// StatefulSet diff held back by the `compute.functionmesh.io/pause-rollout` annotation.
        pub pending_change: Option<String>,
    }
}

optional_fields! {
    mirror(Default, JsonSchema);
    /// `spec.volumeClaimTemplates[]`: a PersistentVolumeClaim template copied into the StatefulSet.
    ///
    /// Not k8s-openapi's `PersistentVolumeClaim`, because that type always writes `apiVersion` and
    /// `kind`, so a read-back resource would not serialise as written. Same JSON shape as upstream
    /// (embedded object meta as generated with `generateEmbeddedObjectMeta=true`); convert with
    /// [`VolumeClaimTemplate::to_persistent_volume_claim`].
    pub struct VolumeClaimTemplate {
        /// `v1` when given.
        pub api_version: Option<String>,
        /// `PersistentVolumeClaim` when given.
        pub kind: Option<String>,
        /// Name, labels and annotations of the claims.
        pub metadata: Option<EmbeddedObjectMeta>,
        /// The claim spec.
        pub spec: Option<PersistentVolumeClaimSpec>,
        /// The claim status (normally absent in a template).
        pub status: Option<PersistentVolumeClaimStatus>,
    }
}

optional_fields! {
    /// The object metadata allowed in an embedded template (controller-gen `generateEmbeddedObjectMeta`).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct EmbeddedObjectMeta {
        /// Object name.
        pub name: Option<String>,
        /// Object namespace.
        pub namespace: Option<String>,
        /// Labels.
        pub labels: Option<BTreeMap<String, String>>,
        /// Annotations.
        pub annotations: Option<BTreeMap<String, String>>,
        /// Finalizers.
        pub finalizers: Option<Vec<String>>,
    }
}

impl VolumeClaimTemplate {
    /// The template as a k8s-openapi `PersistentVolumeClaim` (for building the StatefulSet).
    pub fn to_persistent_volume_claim(&self) -> PersistentVolumeClaim {
        let meta = self.metadata.clone().unwrap_or_default();
        PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: meta.name,
                namespace: meta.namespace,
                labels: meta.labels,
                annotations: meta.annotations,
                finalizers: meta.finalizers,
                ..ObjectMeta::default()
            },
            spec: self.spec.clone(),
            status: self.status.clone(),
        }
    }
}
