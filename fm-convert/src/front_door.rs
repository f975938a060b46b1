//! The library's front door, as data: a [`Worker`] built once from what the worker service knows
//! (its `functions_worker.yml`, the connector catalogue, the cluster, the target Function Mesh
//! release), a per-call [`Request`] (the package of the call, the caller, the namespace's
//! Secrets), and what a conversion gives back ([`Converted`]).
//!
//! The operations on them (`Worker::validate`, `convert`, `reverse`, `status`) are in
//! [`crate::component`], one generic method per direction over the three kinds.

use crate::error::ConvertError;
use fm_auth::{AuthSettings, Caller, FeatureLevel};
use fm_compat::target::{DroppedField, FieldHistory};
use fm_compat::FunctionMeshVersion;
use fm_model::worker::{ConnectorDefinition, WorkerConfig};
use k8s_openapi::api::core::v1::Secret;
use std::sync::Arc;

/// The cluster used when neither the worker, the config nor the environment names one.
pub const DEFAULT_CLUSTER: &str = "standalone";

/// Everything a worker service knows once, at start-up. Cheap to clone (the connector catalogue
/// and the field history are shared); share one behind an `Arc` across requests.
///
/// `Debug` shows no secret (the broker client parameters print as `<redacted>`).
#[derive(Clone, Debug)]
pub struct Worker {
    pub(crate) config: WorkerConfig,
    pub(crate) connectors: Arc<[ConnectorDefinition]>,
    pub(crate) cluster: Option<String>,
    pub(crate) fallback_cluster: Option<String>,
    pub(crate) auth: AuthSettings,
    pub(crate) target: Option<Target>,
}

/// A target Function Mesh release, with the field history that says what it lacks.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) release: FunctionMeshVersion,
    pub(crate) history: Arc<FieldHistory>,
}

impl Worker {
    /// Starts building a worker from its `functions_worker.yml`.
    pub fn builder(config: WorkerConfig) -> WorkerBuilder {
        WorkerBuilder {
            config,
            connectors: Vec::new(),
            cluster: None,
            fallback_cluster: Some(DEFAULT_CLUSTER.to_string()),
            target: None,
        }
    }

    /// A worker with this config and nothing else (no connectors, newest Function Mesh).
    pub fn new(config: WorkerConfig) -> Self {
        Worker::builder(config).build()
    }

    /// The worker's `functions_worker.yml`.
    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// The built-in connector catalogue.
    pub fn connectors(&self) -> &[ConnectorDefinition] {
        &self.connectors
    }

    /// The catalogue entry named `name` (what `builtin://name` refers to).
    pub fn connector(&self, name: &str) -> Option<&ConnectorDefinition> {
        self.connectors
            .iter()
            .find(|d| d.name.as_deref() == Some(name))
    }

    /// The namespace the worker writes resources and Secrets to.
    pub fn job_namespace(&self) -> String {
        self.config.job_namespace()
    }

    /// The target Function Mesh release, when one was set (else the newest).
    pub fn target_release(&self) -> Option<FunctionMeshVersion> {
        self.target.as_ref().map(|t| t.release)
    }

    /// The Function Mesh features the target release has (`tlsConfig`, object `authConfig`).
    pub fn features(&self) -> FeatureLevel {
        match &self.target {
            Some(t) => FeatureLevel::for_function_mesh(
                u64::from(t.release.major),
                u64::from(t.release.minor),
                u64::from(t.release.patch),
            ),
            None => FeatureLevel::NEWEST,
        }
    }

    /// The cluster of a component, with the Java worker's precedence: the worker's own (the
    /// builder's [`WorkerBuilder::cluster`], else `pulsarFunctionsCluster`), then the config's
    /// `customRuntimeOptions.clusterName`, then the fallback (the `clusterName` environment
    /// variable in the Java worker; [`DEFAULT_CLUSTER`] unless the builder says otherwise).
    ///
    /// Deliberate fix: fmesh's CLI used to let its fallback win over
    /// `customRuntimeOptions.clusterName`.
    pub fn cluster_for(&self, options_cluster: Option<&str>) -> Option<String> {
        self.explicit_cluster()
            .or_else(|| {
                options_cluster
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
            })
            .or_else(|| self.fallback_cluster.clone())
    }

    /// The cluster a resource that names none in its options was written for.
    pub(crate) fn default_cluster(&self) -> Option<String> {
        self.cluster_for(None)
    }

    fn explicit_cluster(&self) -> Option<String> {
        self.cluster.clone().or_else(|| {
            self.config
                .pulsar_functions_cluster
                .clone()
                .filter(|c| !c.is_empty())
        })
    }
}

/// Builds a [`Worker`]; see [`Worker::builder`].
#[derive(Debug)]
#[must_use]
pub struct WorkerBuilder {
    config: WorkerConfig,
    connectors: Vec<ConnectorDefinition>,
    cluster: Option<String>,
    fallback_cluster: Option<String>,
    target: Option<FunctionMeshVersion>,
}

impl WorkerBuilder {
    /// The built-in connector catalogue (what `builtin://…` archives and `--sink-type` name).
    pub fn connectors(mut self, connectors: Vec<ConnectorDefinition>) -> Self {
        self.connectors = connectors;
        self
    }

    /// The cluster name, overriding `pulsarFunctionsCluster` (an empty name is no name).
    pub fn cluster(mut self, cluster: Option<&str>) -> Self {
        self.cluster = cluster.filter(|c| !c.is_empty()).map(str::to_string);
        self
    }

    /// The cluster used when neither the worker nor the config names one: the Java worker reads
    /// the `clusterName` environment variable (the caller reads it and passes it here).
    /// Default [`DEFAULT_CLUSTER`]; `None` makes such a config invalid
    /// (`clusterName is not provided.`, as in the Java worker).
    pub fn fallback_cluster(mut self, cluster: Option<&str>) -> Self {
        self.fallback_cluster = cluster.filter(|c| !c.is_empty()).map(str::to_string);
        self
    }

    /// Write resources for this (older) Function Mesh release: fields it lacks are dropped and
    /// reported in [`Converted::dropped`]; a conversion that relies on one fails.
    pub fn target_release(mut self, release: FunctionMeshVersion) -> Self {
        self.target = Some(release);
        self
    }

    /// The worker. The authentication settings and the field history are worked out here, once.
    pub fn build(self) -> Worker {
        let auth = auth_settings(&self.config);
        Worker {
            config: self.config,
            connectors: self.connectors.into(),
            cluster: self.cluster,
            fallback_cluster: self.fallback_cluster,
            auth,
            target: self.target.map(|release| Target {
                release,
                history: Arc::new(FieldHistory::embedded()),
            }),
        }
    }
}

/// What fm-auth needs from `functions_worker.yml`.
fn auth_settings(w: &WorkerConfig) -> AuthSettings {
    let c = &w.functions_worker_service_custom_configs;
    let non_empty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    AuthSettings {
        authentication_enabled: w.authentication_enabled,
        broker_client_authentication_plugin: non_empty(
            w.broker_client_authentication_plugin.as_deref(),
        ),
        broker_client_authentication_parameters: w
            .broker_client_authentication_parameters
            .clone()
            .filter(|p| !p.is_empty()),
        using_insecure_auth: c.using_insecure_auth,
        oauth2_secret_name: non_empty(c.oauth2_secret_name.as_deref()),
        oauth2_secret_annotation_key: non_empty(c.oauth2_secret_annotation_key.as_deref())
            .unwrap_or_else(|| fm_auth::DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY.to_string()),
        tls_enabled: w.tls_enabled,
        broker_client_trust_certs_file_path: non_empty(
            w.broker_client_trust_certs_file_path.as_deref(),
        ),
        broker_client_trust_certs_pem: None,
        tls_allow_insecure_connection: w.tls_allow_insecure_connection,
        tls_enable_hostname_verification: w.tls_enable_hostname_verification,
    }
}

/// What one call brings besides the config: the package it uploaded or named, who calls, and
/// the Secrets of the job namespace (where per-user OAuth2 Secrets are looked up).
///
/// `Debug` shows no secret: the caller's token and the Secrets' values are redacted.
#[derive(Clone, Default)]
#[must_use]
pub struct Request {
    pub(crate) package_url: Option<String>,
    pub(crate) package_file_name: Option<String>,
    pub(crate) caller: Caller,
    pub(crate) secrets: Vec<Secret>,
}

impl Request {
    /// A request with no package URL, no caller and no Secrets.
    pub fn new() -> Self {
        Request::default()
    }

    /// The package URL of the call (REST `url` part, or where an upload went). Without one, a
    /// URL in `jar`/`py`/`go`/`archive` is used.
    pub fn package_url(mut self, url: Option<&str>) -> Self {
        self.package_url = url.filter(|u| !u.is_empty()).map(str::to_string);
        self
    }

    /// The package's file name (Pulsar package metadata `fileName`; default
    /// `function-executable` for functions, the URL's last segment for connectors).
    pub fn package_file_name(mut self, name: Option<&str>) -> Self {
        self.package_file_name = name.filter(|n| !n.is_empty()).map(str::to_string);
        self
    }

    /// Who calls (role and `Authorization` header), for per-user authentication.
    pub fn caller(mut self, caller: Caller) -> Self {
        self.caller = caller;
        self
    }

    /// The Secrets that exist in the job namespace.
    pub fn secrets(mut self, secrets: Vec<Secret>) -> Self {
        self.secrets = secrets;
        self
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("package_url", &self.package_url)
            .field("package_file_name", &self.package_file_name)
            .field("caller", &self.caller)
            .field("secrets", &redacted(&self.secrets))
            .finish()
    }
}

/// A converted resource, the Secrets that must be created with it (auth, TLS) and, when the
/// worker targets an older Function Mesh release, what that release made fmesh drop.
///
/// `Debug` shows the Secrets with their values redacted.
#[derive(Clone, PartialEq)]
pub struct Converted<R> {
    /// The Function Mesh resource (v0.27.2 types; see [`Converted::document`] for what to
    /// apply to an older release).
    pub resource: R,
    /// Secrets to create before the resource (their values are sensitive).
    pub secrets: Vec<Secret>,
    /// Fields the target release lacks, dropped from [`Converted::document`] (empty without a
    /// target). Each is a warning: a field whose loss would change behaviour fails the
    /// conversion instead.
    pub dropped: Vec<DroppedField>,
    /// What the user should know about a conversion that succeeded (a path read as a file in
    /// the image, a package file name that is unknown, TLS trust that differs from the Java
    /// worker's); the CLI prints them to standard error.
    pub warnings: Vec<Warning>,
    pub(crate) targeted: Option<serde_json::Value>,
}

/// Something about a successful conversion that the user should know.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The config (or worker config) field it is about.
    pub path: String,
    /// What happens and what to do about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl<R: serde::Serialize> Converted<R> {
    /// The document to apply: the resource as JSON, written for the target release when the
    /// worker has one (older releases have other API groups and fewer fields, so no typed
    /// resource of the newest release can stand for it).
    pub fn document(&self) -> Result<serde_json::Value, serde_json::Error> {
        match &self.targeted {
            Some(doc) => Ok(doc.clone()),
            None => serde_json::to_value(&self.resource),
        }
    }
}

impl<R> Converted<R> {
    pub(crate) fn new(resource: R, secrets: Vec<Secret>) -> Self {
        Converted {
            resource,
            secrets,
            dropped: Vec::new(),
            warnings: Vec::new(),
            targeted: None,
        }
    }

    /// Adds warnings.
    pub(crate) fn with_warnings(mut self, warnings: Vec<Warning>) -> Self {
        self.warnings.extend(warnings);
        self
    }

    /// Maps the resource, keeping the Secrets and the target report.
    pub fn map<S>(self, f: impl FnOnce(R) -> S) -> Converted<S> {
        Converted {
            resource: f(self.resource),
            secrets: self.secrets,
            dropped: self.dropped,
            warnings: self.warnings,
            targeted: self.targeted,
        }
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for Converted<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Converted")
            .field("resource", &self.resource)
            .field("secrets", &redacted(&self.secrets))
            .field("dropped", &self.dropped)
            .field("warnings", &self.warnings)
            .finish()
    }
}

fn redacted(secrets: &[Secret]) -> Vec<Secret> {
    secrets.iter().map(fm_auth::redacted_secret).collect()
}

/// Targets a converted resource at the worker's release, if it has one.
pub(crate) fn target<R: serde::Serialize>(
    worker: &Worker,
    kind: fm_model::ComponentKind,
    mut converted: Converted<R>,
) -> Result<Converted<R>, ConvertError> {
    let Some(t) = &worker.target else {
        return Ok(converted);
    };
    let mut doc = serde_json::to_value(&converted.resource).map_err(|e| {
        crate::error::ValidationErrors::single("(resource)", format!("cannot serialise: {e}"))
    })?;
    converted.dropped = t.history.prune(kind, &mut doc, &t.release)?;
    converted.targeted = Some(doc);
    Ok(converted)
}
