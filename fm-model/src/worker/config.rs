//! The worker's own configuration: the keys of Pulsar's `functions_worker.yml` the Function Mesh
//! worker reads, with its custom config (`functionsWorkerServiceCustomConfigs`) and resource
//! bounds.

use crate::lenient;
use crate::macros::optional_fields;
use crate::Sensitive;
use k8s_openapi::api::core::v1::{Container, LocalObjectReference, Volume, VolumeMount};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

optional_fields! {
    mirror(Default);
    lenient;
    /// Resource bounds of the worker (`functionInstanceMinResources` / `…MaxResources`).
    /// Unlike Pulsar's `Resources`, a missing member means "no bound".
    pub struct ResourceBounds {
        /// CPU bound.
        pub cpu: Option<f64>,
        /// RAM bound in bytes.
        pub ram: Option<i64>,
        /// Disk bound in bytes (not checked, as in Pulsar).
        pub disk: Option<i64>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `functionRuntimeFactoryConfigs` (Pulsar's Kubernetes runtime factory config, still read).
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
    lenient;
    impl Default;
    /// `functionsWorkerServiceCustomConfigs`: the Function Mesh worker service's own settings.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct MeshWorkerServiceCustomConfig {
        /// Accept package uploads.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub upload_enabled: bool,
        /// Function API enabled.
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub function_enabled: bool = true,
        /// Sink API enabled.
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub sink_enabled: bool = true,
        /// Source API enabled.
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub source_enabled: bool = true,
        /// Copy the worker's own broker-client credentials into every component (default true).
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub using_insecure_auth: bool = true,
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
        #[serde(deserialize_with = "lenient::bool_or_false")]
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
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub enable_trusted_mode: bool,
        /// Reload period of the connector catalogue.
        pub connector_search_interval_seconds: Option<i64>,
        /// Path of the connector catalogue.
        pub connector_definitions_file_path: Option<String>,
    }
}

optional_fields! {
    lenient;
    impl Default;
    /// The keys of Pulsar's `functions_worker.yml` that the Function Mesh worker reads.
    /// Every other key is accepted and ignored.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    pub struct WorkerConfig {
        /// Pulsar cluster name: used for resource names, labels, `spec.clusterName`, the config map.
        pub pulsar_functions_cluster: Option<String>,
        /// In-pod directory of downloaded packages (default `/pulsar/`).
        pub download_directory: Option<String>,
        /// NAR extraction directory (fallback of `downloadDirectory`).
        pub nar_extraction_directory: Option<String>,
        /// Default `forwardSourceMessageProperty` of functions (default true).
        #[serde(deserialize_with = "lenient::bool_or_true")]
        pub forward_source_message_property: bool = true,
        /// BookKeeper table service URL for stateful functions.
        pub state_storage_service_url: Option<String>,
        /// State store provider class.
        pub state_storage_provider_implementation: Option<String>,
        /// Authentication on.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub authentication_enabled: bool,
        /// Authorization on.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub authorization_enabled: bool,
        /// Super-user roles.
        pub super_user_roles: Option<Vec<String>>,
        /// The worker's broker-client auth plugin.
        pub broker_client_authentication_plugin: Option<String>,
        /// The worker's broker-client auth parameters (sensitive: never printed).
        pub broker_client_authentication_parameters: Option<Sensitive>,
        /// Broker client auth on.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub broker_client_authentication_enabled: bool,
        /// Trust certificates the worker's *client* uses towards the broker.
        pub broker_client_trust_certs_file_path: Option<String>,
        /// TLS on.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub tls_enabled: bool,
        /// The worker's own server certificate (the Java worker wrongly used it as client trust).
        pub tls_certificate_file_path: Option<String>,
        /// Accept untrusted broker certificates.
        #[serde(deserialize_with = "lenient::bool_or_false")]
        pub tls_allow_insecure_connection: bool,
        /// Verify broker host names.
        #[serde(deserialize_with = "lenient::bool_or_false")]
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
        pub functions_worker_service_custom_configs: MeshWorkerServiceCustomConfig,
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
