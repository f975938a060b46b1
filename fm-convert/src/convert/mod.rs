//! Pulsar configs → Function Mesh resources, as the Java Function Mesh worker service writes
//! them (names, labels, Secrets, field mappings), minus its data-losing bugs.
//!
//! Every conversion is a plain function from a typed config and a [`ConversionContext`] to a
//! [`Converted`] resource. Validation runs first; an invalid config never yields a resource.

mod common;
mod function;
mod naming;
mod sink;
mod source;

pub use function::function_to_resource;
pub use naming::{
    config_map_name, labels, resource_name, sanitize, ComponentKind, MANAGED_ANNOTATION,
    MAX_RESOURCE_NAME_LEN,
};
pub use sink::sink_to_resource;
pub use source::source_to_resource;

use crate::validate::ValidationErrors;
use crate::worker::{ConnectorDefinition, WorkerConfig};
use k8s_openapi::api::core::v1::Secret;

/// Everything the worker knows besides the config itself.
///
/// `Debug` shows the existing Secrets with their values redacted.
#[derive(Clone, Default)]
pub struct ConversionContext {
    /// The worker's `functions_worker.yml`.
    pub worker: WorkerConfig,
    /// The built-in connector catalogue.
    pub connectors: Vec<ConnectorDefinition>,
    /// The package URL of the call (REST `url` part, or where an upload went). When absent, a
    /// URL in `jar`/`py`/`go`/`archive` is used.
    pub package_url: Option<String>,
    /// The package's file name (Pulsar package metadata `fileName`); default `function-executable`.
    pub package_file_name: Option<String>,
    /// Cluster name; overrides `pulsarFunctionsCluster`.
    pub cluster: Option<String>,
    /// Who calls (role and `Authorization` header), for per-user authentication.
    pub caller: fm_auth::Caller,
    /// Secrets that already exist in the job namespace (per-user OAuth2 looks there).
    pub existing_secrets: Vec<Secret>,
    /// What the target Function Mesh release supports (`tlsConfig`, object `authConfig`).
    pub features: Features,
}

/// Function Mesh features a conversion may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features(pub fm_auth::FeatureLevel);

impl Default for Features {
    fn default() -> Self {
        Features(fm_auth::FeatureLevel::NEWEST)
    }
}

/// A converted resource and the Secrets that must be created with it (auth, TLS).
///
/// `Debug` shows the Secrets with their values redacted.
#[derive(Clone, PartialEq)]
pub struct Converted<R> {
    /// The Function Mesh resource.
    pub resource: R,
    /// Secrets to create before the resource (their values are sensitive).
    pub secrets: Vec<Secret>,
}

fn redacted(secrets: &[Secret]) -> Vec<Secret> {
    secrets.iter().map(fm_auth::redacted_secret).collect()
}

impl std::fmt::Debug for ConversionContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversionContext")
            .field("worker", &self.worker)
            .field("connectors", &self.connectors)
            .field("package_url", &self.package_url)
            .field("package_file_name", &self.package_file_name)
            .field("cluster", &self.cluster)
            .field("caller", &self.caller)
            .field("existing_secrets", &redacted(&self.existing_secrets))
            .field("features", &self.features)
            .finish()
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for Converted<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converted")
            .field("resource", &self.resource)
            .field("secrets", &redacted(&self.secrets))
            .finish()
    }
}

/// Why a config could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The config breaks Pulsar's or Function Mesh's rules (every problem is listed).
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    /// Per-user authentication could not be resolved.
    #[error("authentication: {0}")]
    Auth(#[from] fm_auth::AuthError),
}

pub use common::{
    check_options, classify_image, connector_package, function_package, function_runtime,
    package_field, parse_custom_runtime_options, runner_image, worker_env, ConnectorPackage,
    Package, BUILTIN_HPA_RULES,
};
pub use function::{function_input_specs, infer_window};
pub use sink::sink_input_specs;

pub(crate) fn naming_is_dns_label(s: &str) -> bool {
    naming::is_dns1123_label(s)
}

pub(crate) fn naming_is_label_value(s: &str) -> bool {
    naming::is_label_value(s)
}
