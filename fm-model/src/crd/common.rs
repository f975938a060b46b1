//! Types shared by the `Function`, `Sink` and `Source` specs (upstream `common.go`).

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

use super::enums::{
    CompressionType, JavaLog4JConfigFileType, LogFormat, LogLevel, TriggeringPolicy,
    WindowProcessingGuarantee,
};
use super::vpa::VpaSpec;

/// A free-form JSON object (upstream `Config`): kept verbatim, schema `x-kubernetes-preserve-unknown-fields`.
pub type FreeConfig = Map<String, Value>;

/// `spec.pulsar` / `spec.pulsarPackageService` (upstream `PulsarMessaging`): how the instance reaches Pulsar.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarMessaging {
    /// ConfigMap holding `webServiceURL` and `brokerServiceURL`; mounted into the pod via `envFrom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar_config: Option<String>,
    /// Secret holding `clientAuthenticationPlugin`/`clientAuthenticationParameters` (used only without `authConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_secret: Option<String>,
    /// Secret holding the TLS settings as env vars (used only without `tlsConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_secret: Option<String>,
    /// Structured TLS settings; the operator mounts the CA secret and passes `--use_tls` etc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<PulsarTlsConfig>,
    /// Structured authentication (OAuth2 or a generic plugin) passed to the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_config: Option<AuthConfig>,
    /// Authentication used only by the subscription-cleanup Job (falls back to `authConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_auth_config: Option<AuthConfig>,
}

/// `spec.statefulConfig` (upstream `Stateful`): the state store the instance uses.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stateful {
    /// Pulsar (BookKeeper table service) state store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulsar: Option<PulsarStateStore>,
}

/// `statefulConfig.pulsar`: passed as `--state_storage_serviceurl` (and the provider class).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarStateStore {
    /// BookKeeper table service URL (required).
    pub service_url: String,
    /// Custom Java state store provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_provider: Option<PulsarStateStoreJavaProvider>,
}

/// `statefulConfig.pulsar.javaProvider`: passed as `--state_storage_impl_class`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PulsarStateStoreJavaProvider {
    /// StateStoreProvider implementation class (required).
    pub class_name: String,
    /// Provider configuration. Upstream quirk kept on purpose: the CRD schema is a bare
    /// `type: object` without preserve-unknown-fields, so the API server prunes its content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::bare_object")]
    pub config: Option<FreeConfig>,
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

/// `spec.pod` (upstream `PodPolicy`): customisation of the StatefulSet pod template, HPA and VPA.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PodPolicy {
    /// Labels merged into the pod labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Pod node selector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_selector: Option<BTreeMap<String, String>>,
    /// Pod affinity (the operator appends a default pod anti-affinity unless disabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Affinity>,
    /// Pod tolerations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<Vec<Toleration>>,
    /// Annotations merged over the prometheus annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Replaces the operator's default pod security context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    /// Pod termination grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// Extra pod volumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volumes: Option<Vec<Volume>>,
    /// Image pull secrets (controller-config pull secrets are appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
    /// Extra init containers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_containers: Option<Vec<Container>>,
    /// Sidecar containers, placed before the main container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sidecars: Option<Vec<Container>>,
    /// Pod service account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// Built-in HPA rules (see [`builtin_hpa_rule`]); turned into HPA metrics when `maxReplicas` > `minReplicas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub builtin_autoscaler: Option<Vec<String>>,
    /// Custom HPA metrics (autoscaling/v2), used verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_metrics: Option<Vec<MetricSpec>>,
    /// Custom HPA behaviour (autoscaling/v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling_behavior: Option<HorizontalPodAutoscalerBehavior>,
    /// Vertical pod autoscaler targeting the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpa: Option<VpaSpec>,
    /// Env vars appended to the main container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<EnvVar>>,
    /// HTTP liveness probe on the metrics port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Liveness>,
    /// Suppress the operator's default pod anti-affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_default_affinity: Option<bool>,
}

/// `pod.liveness`: an HTTP GET `/` probe on port 9094 (none when `periodSeconds` ≤ 0).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Liveness {
    /// Probe period (also the probe timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i32>,
    /// Delay before the first probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i32>,
    /// Consecutive successes to count as healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i32>,
    /// Consecutive failures to count as unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i32>,
}

/// `spec.java`: run the instance on the Java runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JavaRuntime {
    /// Path of the jar inside the pod (required); passed as `--jar`.
    pub jar: String,
    /// Package location to download the jar from (`function://`, `sink://`, `source://`, `http(s)://`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jar_location: Option<String>,
    /// Directory added to the classpath (`<dir>/*`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_dependencies_dir: Option<String>,
    /// Log configuration of the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
    /// Extra JVM options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java_opts: Option<Vec<String>>,
    /// Java instance jar (default `/pulsar/instances/java-instance.jar`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_path: Option<String>,
    /// Java main class (default `org.apache.pulsar.functions.instance.JavaInstanceMain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_class: Option<String>,
}

/// `spec.python`: run the instance on the Python runtime.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PythonRuntime {
    /// Path of the Python file/package inside the pod (required); passed as `--py`.
    pub py: String,
    /// Package location to download it from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub py_location: Option<String>,
    /// Log configuration of the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

/// `spec.golang`: run a Go function binary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoRuntime {
    /// Path of the Go binary inside the pod (required).
    pub go: String,
    /// Package location to download it from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_location: Option<String>,
    /// Log configuration (only `level` is used, as `LOGGING_LEVEL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<RuntimeLogConfig>,
}

/// `spec.genericRuntime`: run the function with `pulsar_rust_instance` (nodejs, python, executable, wasm).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericRuntime {
    /// Path of the function file inside the pod (required).
    pub function_file: String,
    /// Language (required; the operator's image map knows `nodejs`, `python`, `executable`, `wasm`).
    pub language: String,
    /// Package location to download the file from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_file_location: Option<String>,
}

/// `java|python|golang.log`: the log configuration the operator generates or mounts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuntimeLogConfig {
    /// Log level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<LogLevel>,
    /// Log file rotation policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate_policy: Option<TriggeringPolicy>,
    /// Log line format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<LogFormat>,
    /// A user-supplied log config file in a ConfigMap (mounted instead of the generated one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_config: Option<LogConfig>,
    /// File type of the user-supplied Java log4j config.
    #[serde(
        rename = "javaLog4JConfigFileType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub java_log4j_config_file_type: Option<JavaLog4JConfigFileType>,
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

/// `spec.secretsMap` values: an env var filled from a Secret key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// Secret name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Key in the Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `spec.input` (upstream `InputConf`): the topics the instance consumes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InputConf {
    /// Input message type class (webhook default `[B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Input topics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<String>>,
    /// Input topic regex pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_pattern: Option<String>,
    /// Topic → SerDe class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_serde_sources: Option<BTreeMap<String, String>>,
    /// Topic → schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sources: Option<BTreeMap<String, String>>,
    /// Topic → consumer configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_specs: Option<BTreeMap<String, ConsumerConfig>>,
}

/// `input.sourceSpecs` values: per-topic consumer settings (FunctionDetails ConsumerSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsumerConfig {
    /// Schema type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_type: Option<String>,
    /// SerDe class (JSON name `serdeClassname`, lower-case n).
    #[serde(
        rename = "serdeClassname",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub serde_class_name: Option<String>,
    /// The topic key is a regex pattern.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_regex_pattern: Option<bool>,
    /// Schema properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_properties: Option<BTreeMap<String, String>>,
    /// Consumer properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_properties: Option<BTreeMap<String, String>>,
    /// Consumer receiver queue size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_queue_size: Option<i32>,
    /// End-to-end encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
}

/// `spec.output` (upstream `OutputConf`): the topic the instance produces to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutputConf {
    /// Output message type class (webhook default `[B`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Output topic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// SerDe class for the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_serde_class_name: Option<String>,
    /// Schema type of the output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_schema_type: Option<String>,
    /// Producer settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_conf: Option<ProducerConfig>,
    /// Topic → JSON-encoded ConsumerConfig; the entry for `topic` supplies schema/consumer properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_schema_sinks: Option<BTreeMap<String, String>>,
}

/// `output.producerConf`: producer settings (FunctionDetails ProducerSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProducerConfig {
    /// Max pending messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages: Option<i32>,
    /// Max pending messages across partitions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pending_messages_across_partitions: Option<i32>,
    /// Use thread-local producers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_thread_local_producers: Option<bool>,
    /// End-to-end encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_config: Option<CryptoConfig>,
    /// Batch builder (`DEFAULT` or `KEY_BASED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_builder: Option<String>,
    /// Compression type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression_type: Option<CompressionType>,
}

/// `cryptoConfig`: message encryption/decryption settings (FunctionDetails CryptoSpec).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoConfig {
    /// CryptoKeyReader implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_class_name: Option<String>,
    /// CryptoKeyReader configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_key_reader_config: Option<BTreeMap<String, String>>,
    /// Encryption key names (producer side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_keys: Option<Vec<String>>,
    /// Producer crypto failure action (`FAIL`, `SEND`; unknown → FAIL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub producer_crypto_failure_action: Option<String>,
    /// Consumer crypto failure action (`FAIL`, `DISCARD`, `CONSUME`; unknown → FAIL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumer_crypto_failure_action: Option<String>,
    /// Secrets mounted for the key reader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_secrets: Option<Vec<CryptoSecret>>,
}

/// `cryptoConfig.cryptoSecrets[]`: a Secret key mounted into the pod.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CryptoSecret {
    /// Secret name (required).
    pub secret_name: String,
    /// Key in the Secret (required).
    pub secret_key: String,
    /// Mount path of the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_volume: Option<String>,
}

/// `spec.windowConfig`: makes the function a windowed function run by WindowFunctionExecutor.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WindowConfig {
    /// Window function class (required; the operator overwrites it with `spec.className`).
    pub actual_window_function_class_name: String,
    /// Window length in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_count: Option<i32>,
    /// Window length in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_length_duration_ms: Option<i64>,
    /// Sliding interval in messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_count: Option<i32>,
    /// Sliding interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sliding_interval_duration_ms: Option<i64>,
    /// Topic for late data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub late_data_topic: Option<String>,
    /// Maximum lag for event-time windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_lag_ms: Option<i64>,
    /// Watermark emit interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_emit_interval_ms: Option<i64>,
    /// Timestamp extractor class (event-time windows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_extractor_class_name: Option<String>,
    /// Delivery semantics of the window executor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_guarantees: Option<WindowProcessingGuarantee>,
}

/// `batchSourceConfig`: turns a source into a batch source run by BatchSourceExecutor.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchSourceConfig {
    /// Discovery triggerer class (required).
    pub discovery_triggerer_class_name: String,
    /// Discovery triggerer configuration (free-form JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub discovery_triggerer_config: Option<FreeConfig>,
}

/// Function `spec.sourceConfig` (v0.26.0): override the function's source implementation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceConnectorSpec {
    /// Builtin source connector id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_type: Option<String>,
    /// Batch source settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_source_config: Option<BatchSourceConfig>,
    /// Source implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Message type class of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Connector configuration (free-form JSON; `className`, `typeClassName`, `builtin`, `archive` keys are interpreted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub configs: Option<FreeConfig>,
}

/// Function `spec.sinkConfig` (v0.26.0): override the function's sink implementation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SinkConnectorSpec {
    /// Builtin sink connector id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink_type: Option<String>,
    /// Sink implementation class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Message type class of the sink.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_class_name: Option<String>,
    /// Connector configuration (free-form JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "crate::crd::schema::preserve_unknown_object")]
    pub configs: Option<FreeConfig>,
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

/// One entry of `status.conditions`: the operator's view of one child object.
/// Free strings in the CRD (no enum); known values in [`condition_type`] and [`reconcile_action`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCondition {
    /// Condition type, e.g. `StatefulSetReady`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// `True`, `False` or `Unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Pending reconcile action, e.g. `Create`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Status of a Function, Sink or Source (identical upstream types `FunctionStatus`/`SinkStatus`/`SourceStatus`).
/// `conditions`, `replicas` and `selector` are required and always serialised.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceStatus {
    /// Component (see [`component`]) → condition.
    pub conditions: BTreeMap<String, ResourceCondition>,
    /// StatefulSet replicas (scale subresource status path).
    pub replicas: i32,
    /// StatefulSet label selector as a string (scale subresource selector path).
    pub selector: String,
    /// Last generation the operator reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// resourceVersion of the applied global BackendConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_backend_config_revision: Option<String>,
    /// resourceVersion of the applied namespaced BackendConfig.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespaced_backend_config_revision: Option<String>,
    /// StatefulSet diff held back by the `compute.functionmesh.io/pause-rollout` annotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_change: Option<String>,
}

/// `spec.volumeClaimTemplates[]`: a PersistentVolumeClaim template copied into the StatefulSet.
///
/// Not k8s-openapi's `PersistentVolumeClaim`, because that type always writes `apiVersion` and
/// `kind`, so a read-back resource would not serialise as written. Same JSON shape as upstream
/// (embedded object meta as generated with `generateEmbeddedObjectMeta=true`); convert with
/// [`VolumeClaimTemplate::to_persistent_volume_claim`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VolumeClaimTemplate {
    /// `v1` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `PersistentVolumeClaim` when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Name, labels and annotations of the claims.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<EmbeddedObjectMeta>,
    /// The claim spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<PersistentVolumeClaimSpec>,
    /// The claim status (normally absent in a template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PersistentVolumeClaimStatus>,
}

/// The object metadata allowed in an embedded template (controller-gen `generateEmbeddedObjectMeta`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedObjectMeta {
    /// Object name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Object namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// Annotations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    /// Finalizers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Vec<String>>,
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
