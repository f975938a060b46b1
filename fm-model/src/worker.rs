//! What the worker knows: the Pulsar worker config (`functions_worker.yml`), the Function Mesh
//! worker service's custom config, per-request `customRuntimeOptions`, and the built-in
//! connector catalogue. Field names are exactly the YAML/JSON keys users already have.

use crate::lenient;
use crate::macros::optional_fields;
use crate::Sensitive;
use k8s_openapi::api::core::v1::{Container, LocalObjectReference, Volume, VolumeMount};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

optional_fields! {
    /// Resource bounds of the worker (`functionInstanceMinResources` / `…MaxResources`).
    /// Unlike Pulsar's `Resources`, a missing member means "no bound".
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ResourceBounds {
        /// CPU bound.
        #[serde(deserialize_with = "lenient::opt_f64")]
        pub cpu: Option<f64>,
        /// RAM bound in bytes.
        #[serde(deserialize_with = "lenient::opt_i64")]
        pub ram: Option<i64>,
        /// Disk bound in bytes (not checked, as in Pulsar).
        #[serde(deserialize_with = "lenient::opt_i64")]
        pub disk: Option<i64>,
    }
}

optional_fields! {
    /// `functionRuntimeFactoryConfigs` (Pulsar's Kubernetes runtime factory config, still read).
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct RuntimeFactoryConfig {
        /// Kubernetes namespace of all resources.
        pub job_namespace: Option<String>,
        /// Extra dependencies dir of Java instances.
        pub extra_function_dependencies_dir: Option<String>,
        /// Labels added to every resource.
        pub custom_labels: Option<BTreeMap<String, String>>,
    }
}

optional_fields! {
    /// `functionsWorkerServiceCustomConfigs`: the Function Mesh worker service's own settings.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct MeshWorkerServiceCustomConfig {
        /// Accept package uploads.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub upload_enabled: bool,
        /// Function API enabled.
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub function_enabled: bool,
        /// Sink API enabled.
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub sink_enabled: bool,
        /// Source API enabled.
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub source_enabled: bool,
        /// Copy the worker's own broker-client credentials into every component (default true).
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub using_insecure_auth: bool,
        /// Insecure mode with OAuth2: existing Secret holding the key file.
        pub oauth2_secret_name: Option<String>,
        /// Per-user OAuth2: annotation whose value must equal the caller's role.
        pub oauth2_secret_annotation_key: Option<String>,
        /// JVM options for Java runtimes.
        #[serde(rename = "javaOPTs")]
        pub java_opts: Option<Vec<String>>,
        /// Java extra-dependencies dir (relative paths are under `/pulsar/`).
        pub extra_dependencies_dir: Option<String>,
        /// Volume mounts of every component.
        pub volume_mounts: Option<Vec<VolumeMount>>,
        /// Volumes of every component.
        pub volumes: Option<Vec<Volume>>,
        /// Owner reference put on every resource (`apiVersion`, `kind`, `name`, `uid`).
        pub owner_reference: Option<BTreeMap<String, String>>,
        /// Let `customRuntimeOptions.serviceAccountName` apply without trusted mode (deprecated).
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub allow_user_defined_service_account_name: bool,
        /// Service account when nothing else sets one.
        pub default_service_account_name: Option<String>,
        /// `spec.imagePullPolicy`.
        pub image_pull_policy: Option<String>,
        /// Runner images by runtime: keys `JAVA`, `PYTHON`, `GO`.
        pub function_runner_images: Option<BTreeMap<String, String>>,
        /// Image pull secrets of every component.
        pub image_pull_secrets: Option<Vec<LocalObjectReference>>,
        /// Labels of every resource.
        pub labels: Option<BTreeMap<String, String>>,
        /// Labels of functions.
        pub function_labels: Option<BTreeMap<String, String>>,
        /// Labels of sinks.
        pub sink_labels: Option<BTreeMap<String, String>>,
        /// Labels of sources.
        pub source_labels: Option<BTreeMap<String, String>>,
        /// Pod annotations of every component.
        pub annotations: Option<BTreeMap<String, String>>,
        /// Pod annotations of functions.
        pub function_annotations: Option<BTreeMap<String, String>>,
        /// Pod annotations of sinks.
        pub sink_annotations: Option<BTreeMap<String, String>>,
        /// Pod annotations of sources.
        pub source_annotations: Option<BTreeMap<String, String>>,
        /// Pod env of every component.
        pub env: Option<BTreeMap<String, String>>,
        /// Pod env of functions.
        pub function_env: Option<BTreeMap<String, String>>,
        /// Pod env of sinks.
        pub sink_env: Option<BTreeMap<String, String>>,
        /// Pod env of sources.
        pub source_env: Option<BTreeMap<String, String>>,
        /// Init containers of functions.
        pub function_init_containers: Option<Vec<Container>>,
        /// Init containers of sources.
        pub source_init_containers: Option<Vec<Container>>,
        /// Init containers of sinks.
        pub sink_init_containers: Option<Vec<Container>>,
        /// Kubernetes namespace (ignored when `functionRuntimeFactoryConfigs` exists, as in Java).
        pub job_namespace: Option<String>,
        /// Resources used when a request has none.
        pub default_resources: Option<ResourceBounds>,
        /// Honour trusted-only custom runtime options (`runnerImage`, `serviceAccountName`, `managed`).
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub enable_trusted_mode: bool,
        /// Reload period of the connector catalogue.
        #[serde(deserialize_with = "lenient::opt_i64")]
        pub connector_search_interval_seconds: Option<i64>,
        /// Path of the connector catalogue.
        pub connector_definitions_file_path: Option<String>,
    }
}

fn yes() -> bool {
    true
}

fn true_unless_false<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    lenient::opt_bool(d).map(|b| b.unwrap_or(true))
}

impl Default for MeshWorkerServiceCustomConfig {
    fn default() -> Self {
        MeshWorkerServiceCustomConfig {
            upload_enabled: false,
            function_enabled: true,
            sink_enabled: true,
            source_enabled: true,
            using_insecure_auth: true,
            oauth2_secret_name: None,
            oauth2_secret_annotation_key: None,
            java_opts: None,
            extra_dependencies_dir: None,
            volume_mounts: None,
            volumes: None,
            owner_reference: None,
            allow_user_defined_service_account_name: false,
            default_service_account_name: None,
            image_pull_policy: None,
            function_runner_images: None,
            image_pull_secrets: None,
            labels: None,
            function_labels: None,
            sink_labels: None,
            source_labels: None,
            annotations: None,
            function_annotations: None,
            sink_annotations: None,
            source_annotations: None,
            env: None,
            function_env: None,
            sink_env: None,
            source_env: None,
            function_init_containers: None,
            source_init_containers: None,
            sink_init_containers: None,
            job_namespace: None,
            default_resources: None,
            enable_trusted_mode: false,
            connector_search_interval_seconds: None,
            connector_definitions_file_path: None,
        }
    }
}

optional_fields! {
    /// The keys of Pulsar's `functions_worker.yml` that the Function Mesh worker reads.
    /// Every other key is accepted and ignored.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct WorkerConfig {
        /// Pulsar cluster name: used for resource names, labels, `spec.clusterName`, the config map.
        pub pulsar_functions_cluster: Option<String>,
        /// In-pod directory of downloaded packages (default `/pulsar/`).
        pub download_directory: Option<String>,
        /// NAR extraction directory (fallback of `downloadDirectory`).
        pub nar_extraction_directory: Option<String>,
        /// Default `forwardSourceMessageProperty` of functions (default true).
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub forward_source_message_property: bool,
        /// BookKeeper table service URL for stateful functions.
        pub state_storage_service_url: Option<String>,
        /// State store provider class.
        pub state_storage_provider_implementation: Option<String>,
        /// Authentication on.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub authentication_enabled: bool,
        /// Authorization on.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub authorization_enabled: bool,
        /// Super-user roles.
        pub super_user_roles: Option<Vec<String>>,
        /// The worker's broker-client auth plugin.
        pub broker_client_authentication_plugin: Option<String>,
        /// The worker's broker-client auth parameters (sensitive: never printed).
        pub broker_client_authentication_parameters: Option<Sensitive>,
        /// Broker client auth on.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub broker_client_authentication_enabled: bool,
        /// Trust certificates the worker's *client* uses towards the broker.
        pub broker_client_trust_certs_file_path: Option<String>,
        /// TLS on.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub tls_enabled: bool,
        /// The worker's own server certificate (the Java worker wrongly used it as client trust).
        pub tls_certificate_file_path: Option<String>,
        /// Accept untrusted broker certificates.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub tls_allow_insecure_connection: bool,
        /// Verify broker host names.
        #[serde(default, deserialize_with = "lenient::bool_or_false")]
        pub tls_enable_hostname_verification: bool,
        /// Lower bound of per-instance resources.
        pub function_instance_min_resources: Option<ResourceBounds>,
        /// Upper bound of per-instance resources.
        pub function_instance_max_resources: Option<ResourceBounds>,
        /// Pulsar web service URL.
        pub pulsar_web_service_url: Option<String>,
        /// Kubernetes runtime factory settings.
        pub function_runtime_factory_configs: Option<RuntimeFactoryConfig>,
        /// The Function Mesh worker service's own settings.
        #[serde(default)]
        pub functions_worker_service_custom_configs: MeshWorkerServiceCustomConfig,
    }
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            pulsar_functions_cluster: None,
            download_directory: None,
            nar_extraction_directory: None,
            forward_source_message_property: true,
            state_storage_service_url: None,
            state_storage_provider_implementation: None,
            authentication_enabled: false,
            authorization_enabled: false,
            super_user_roles: None,
            broker_client_authentication_plugin: None,
            broker_client_authentication_parameters: None,
            broker_client_authentication_enabled: false,
            broker_client_trust_certs_file_path: None,
            tls_enabled: false,
            tls_certificate_file_path: None,
            tls_allow_insecure_connection: false,
            tls_enable_hostname_verification: false,
            function_instance_min_resources: None,
            function_instance_max_resources: None,
            pulsar_web_service_url: None,
            function_runtime_factory_configs: None,
            functions_worker_service_custom_configs: MeshWorkerServiceCustomConfig::default(),
        }
    }
}

impl WorkerConfig {
    /// The Kubernetes namespace of all resources, as the Java worker picks it: the runtime factory
    /// config's `jobNamespace` when that config exists, else the custom config's, else `default`.
    /// (The Java worker then falls back to the pod's own namespace; that is I/O and belongs to the
    /// caller.)
    pub fn job_namespace(&self) -> String {
        let picked = match &self.function_runtime_factory_configs {
            Some(factory) => factory.job_namespace.clone(),
            None => self
                .functions_worker_service_custom_configs
                .job_namespace
                .clone(),
        };
        picked
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string())
    }

    /// Directory packages are downloaded to in the pod (`downloadDirectory`, else
    /// `narExtractionDirectory`, else `/pulsar/`), always ending with `/`.
    pub fn download_dir(&self) -> String {
        let dir = self
            .download_directory
            .clone()
            .filter(|d| !d.is_empty())
            .or_else(|| {
                self.nar_extraction_directory
                    .clone()
                    .filter(|d| !d.is_empty())
            })
            .unwrap_or_else(|| "/pulsar/".to_string());
        if dir.ends_with('/') {
            dir
        } else {
            format!("{dir}/")
        }
    }
}

optional_fields! {
    /// `customRuntimeOptions` HPA settings (`hpaSpec`).
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
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
    /// `customRuntimeOptions` VPA update policy.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct VpaUpdatePolicy {
        /// `off|initial|recreate|auto` (any case).
        pub update_mode: Option<String>,
        /// Minimum replicas for eviction.
        #[serde(deserialize_with = "lenient::opt_i32")]
        pub min_replicas: Option<i32>,
    }
}

optional_fields! {
    /// `customRuntimeOptions` VPA container policy.
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
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
    /// `customRuntimeOptions` VPA settings (`vpaSpec`).
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct VpaSpecOptions {
        /// Update policy.
        pub update_policy: Option<VpaUpdatePolicy>,
        /// Container policies.
        pub resource_policy: Option<Vec<VpaContainerPolicy>>,
    }
}

optional_fields! {
    /// The Function Mesh worker's `CustomRuntimeOptions`, carried as a JSON string in a config's
    /// `customRuntimeOptions`. Serialises in the Java worker's field order.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CustomRuntimeOptions {
        /// Cluster when the caller passes none.
        pub cluster_name: Option<String>,
        /// → `spec.input.typeClassName`.
        pub input_type_class_name: Option<String>,
        /// → `spec.output.typeClassName`.
        pub output_type_class_name: Option<String>,
        /// → `spec.maxReplicas` when greater than the parallelism; enables HPA.
        #[serde(default, deserialize_with = "zero_if_null")]
        pub max_replicas: i32,
        /// Extra pod env, highest precedence.
        pub env: Option<BTreeMap<String, String>>,
        /// → `spec.pod.vpa`.
        pub vpa_spec: Option<VpaSpecOptions>,
        /// Trusted only: false → the operator leaves the workload alone.
        #[serde(default = "yes", deserialize_with = "true_unless_false")]
        pub managed: bool,
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

fn zero_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    lenient::opt_i32(d).map(|v| v.unwrap_or(0))
}

impl Default for CustomRuntimeOptions {
    fn default() -> Self {
        CustomRuntimeOptions {
            cluster_name: None,
            input_type_class_name: None,
            output_type_class_name: None,
            max_replicas: 0,
            env: None,
            vpa_spec: None,
            managed: true,
            service_account_name: None,
            runner_image: None,
            log_level: None,
            log_rotation_policy: None,
            runner_image_tag: None,
            hpa_spec: None,
        }
    }
}

optional_fields! {
    /// One entry of the built-in connector catalogue (the Java worker's
    /// `FunctionMeshConnectorDefinition`, which extends Pulsar's `ConnectorDefinition`).
    #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ConnectorDefinition {
        /// Connector name (what `builtin://<name>` refers to).
        pub name: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// Source class.
        pub source_class: Option<String>,
        /// Sink class.
        pub sink_class: Option<String>,
        /// Source config class.
        pub source_config_class: Option<String>,
        /// Sink config class.
        pub sink_config_class: Option<String>,
        /// Connector id (NAR file stem).
        pub id: Option<String>,
        /// Connector version.
        pub version: Option<String>,
        /// Image registry (default `docker.io/`).
        pub image_registry: Option<String>,
        /// Image repository (`namespace/repository`).
        pub image_repository: Option<String>,
        /// Image tag (default: `version`).
        pub image_tag: Option<String>,
        /// NAR file name in the image's `connectors/` folder (default `<id>-<version>.nar`).
        pub jar_full_name: Option<String>,
        /// Type class of the connector.
        pub type_class_name: Option<String>,
        /// Type class of the source side.
        pub source_type_class_name: Option<String>,
        /// Type class of the sink side.
        pub sink_type_class_name: Option<String>,
        /// Default schema type of the connector's topics.
        pub default_schema_type: Option<String>,
        /// Default SerDe class of the connector's topics.
        pub default_serde_class_name: Option<String>,
    }
}

fn non_blank(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

impl ConnectorDefinition {
    /// `<registry or docker.io/><repository>:<tag or version>` (a trailing `/` is added to the registry).
    pub fn image(&self) -> String {
        let registry = match non_blank(self.image_registry.as_deref()) {
            Some(r) if r.ends_with('/') => r.to_string(),
            Some(r) => format!("{r}/"),
            None => "docker.io/".to_string(),
        };
        let tag = non_blank(self.image_tag.as_deref())
            .or(non_blank(self.version.as_deref()))
            .unwrap_or("latest");
        format!(
            "{registry}{}:{tag}",
            self.image_repository.as_deref().unwrap_or_default()
        )
    }

    /// The connector's path inside its image: `connectors/<jarFullName>` or `connectors/<id>-<version>.nar`.
    pub fn jar(&self) -> String {
        match non_blank(self.jar_full_name.as_deref()) {
            Some(full) => format!("connectors/{full}"),
            None => format!(
                "connectors/{}-{}.nar",
                self.id.as_deref().unwrap_or_default(),
                self.version.as_deref().unwrap_or_default()
            ),
        }
    }

    /// Sink type class: `sinkTypeClassName`, else `typeClassName`, else `[B`.
    pub fn sink_type(&self) -> &str {
        non_blank(self.sink_type_class_name.as_deref())
            .or(non_blank(self.type_class_name.as_deref()))
            .unwrap_or(BYTES_TYPE)
    }

    /// Source type class: `sourceTypeClassName`, else `typeClassName`, else `[B`.
    pub fn source_type(&self) -> &str {
        non_blank(self.source_type_class_name.as_deref())
            .or(non_blank(self.type_class_name.as_deref()))
            .unwrap_or(BYTES_TYPE)
    }
}

/// Java's `byte[]` type name, the default type class everywhere.
pub const BYTES_TYPE: &str = "[B";
