//! The one place where fm-worker calls the fmesh library crates (fm-convert, fm-auth).
//!
//! Everything the worker needs from them goes through this module, in terms of the worker's own
//! types ([`Kind`], [`Identity`], JSON values): switching to another front door of the library
//! changes this file only.

use std::collections::BTreeMap;

use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{AnyConfig, AnyResource, ComponentResource, ConvertError, Request, Worker};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::ApiResource;
use serde_json::{json, Value};

use crate::identity::Identity;
use crate::Kind;

/// The resource label holding the Pulsar component name.
const COMPONENT_LABEL: &str = "compute.functionmesh.io/pulsar-component";
/// Its spelling before Function Mesh prefixed its labels.
const OLD_COMPONENT_LABEL: &str = "pulsar-component";
/// The prefixes of the `pulsar-cluster`/`-tenant`/`-namespace` labels a list looks for: the
/// current one, then none (the legacy labels).
const LABEL_PREFIXES: [&str; 2] = ["compute.functionmesh.io/", ""];

/// A problem in the worker's configuration files, with the key path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct ConfigProblem {
    /// Which file (`functions_worker.yml`, the connector catalogue).
    pub file: String,
    /// Dotted key path inside it (empty: the document itself).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn problem(file: &str, path: &str, message: impl Into<String>) -> ConfigProblem {
    ConfigProblem {
        file: file.to_owned(),
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The worker configuration, read and checked once at start-up.
#[derive(Clone, Debug)]
pub struct Library {
    worker: WorkerConfig,
    cluster: String,
    namespace: String,
}

/// The built-in connector catalogue, and the library's front door built once with it (a reload
/// replaces both).
#[derive(Clone, Debug, Default)]
pub struct Catalogue(Vec<ConnectorDefinition>, std::sync::OnceLock<Worker>);

/// One issue of a rejected config: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Field path in the submitted config (empty for the document).
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Why a submitted config became no resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejected {
    /// The config part is not a readable config (path and reason).
    Unreadable(Issue),
    /// The config breaks Pulsar's or Function Mesh's rules (every problem).
    Invalid(Vec<Issue>),
    /// Authentication for the resource could not be worked out (the reason names no secret).
    Auth(String),
}

/// A converted resource (a JSON object ready to apply) and the Secrets to apply with it.
#[derive(Clone)]
pub struct Generated {
    /// The resource's `metadata.name`.
    pub name: String,
    /// The resource as JSON (`apiVersion`, `kind`, `metadata`, `spec`).
    pub resource: Value,
    /// Secrets (auth, TLS) to create with the resource; their values are sensitive.
    pub secrets: Vec<Secret>,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self
            .secrets
            .iter()
            .map(|s| s.metadata.name.clone().unwrap_or_default())
            .collect();
        f.debug_struct("Generated")
            .field("name", &self.name)
            .field("resource", &self.resource)
            .field("secrets", &names)
            .finish()
    }
}

/// What a create or update needs besides the config text.
#[derive(Debug, Clone, Copy)]
pub struct Submission<'a> {
    /// Kind of component.
    pub kind: Kind,
    /// The config part (`functionConfig` | `sinkConfig` | `sourceConfig`), JSON (Jackson or Gson
    /// spelling) or YAML.
    pub config: &'a str,
    /// Tenant from the URL (wins over the config's).
    pub tenant: &'a str,
    /// Namespace from the URL.
    pub namespace: &'a str,
    /// Name from the URL.
    pub name: &'a str,
    /// The `url` part, or the URL of the package stored from the `data` part.
    pub package_url: Option<&'a str>,
    /// The uploaded file's name (from the `data` part).
    pub package_file_name: Option<&'a str>,
    /// Who calls.
    pub identity: &'a Identity,
}

impl Library {
    /// Reads `functions_worker.yml` (YAML or JSON). `pod_namespace` is the worker pod's own
    /// namespace (service-account namespace file), used when the config names no job namespace;
    /// `env_cluster` is the `clusterName` environment variable, used when the config names no
    /// cluster.
    ///
    /// Fails naming the key path: a wrong type or an invalid job namespace. (The access settings
    /// are read by [`crate::auth::AccessConfig`].)
    pub fn from_worker_config(
        file: &str,
        text: &str,
        pod_namespace: Option<&str>,
        env_cluster: Option<&str>,
    ) -> Result<Library, ConfigProblem> {
        let mut worker: WorkerConfig = fm_convert::parse::parse(text)
            .map_err(|e| problem(file, &e.path, e.message.clone()))?;
        // The auth settings are read the same way the conversion reads them; check them now so a
        // wrong type fails at start-up, not at the first request.
        let value: Value = fm_convert::parse::parse(text)
            .map_err(|e| problem(file, &e.path, e.message.clone()))?;
        fm_auth::AuthSettings::from_worker_config(&value)
            .map_err(|e| problem(file, "", e.to_string()))?;
        let explicit_ns = match &worker.function_runtime_factory_configs {
            Some(f) => f
                .job_namespace
                .clone()
                .map(|n| ("functionRuntimeFactoryConfigs.jobNamespace", n)),
            None => worker
                .functions_worker_service_custom_configs
                .job_namespace
                .clone()
                .map(|n| ("functionsWorkerServiceCustomConfigs.jobNamespace", n)),
        }
        .filter(|(_, n)| !n.is_empty());
        let namespace = match explicit_ns {
            Some((path, ns)) => {
                if !fm_convert::naming::is_dns1123_label(&ns) {
                    return Err(problem(
                        file,
                        path,
                        "must be a Kubernetes namespace name (lower-case letters, digits and \
                         `-`, at most 63 characters)",
                    ));
                }
                ns
            }
            None => {
                let ns = pod_namespace
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .unwrap_or("default")
                    .to_owned();
                if worker.function_runtime_factory_configs.is_none() {
                    worker.functions_worker_service_custom_configs.job_namespace = Some(ns.clone());
                }
                ns
            }
        };
        if worker.job_namespace() != namespace {
            // Cannot happen with the rules above; a mismatch would put Secrets elsewhere.
            return Err(problem(
                file,
                "functionRuntimeFactoryConfigs.jobNamespace",
                "job namespace could not be settled",
            ));
        }
        let cluster = worker
            .pulsar_functions_cluster
            .clone()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| env_cluster.map(str::to_owned).filter(|c| !c.is_empty()))
            .unwrap_or_else(|| "standalone".to_owned());
        Ok(Library {
            worker,
            cluster,
            namespace,
        })
    }

    /// The Pulsar cluster name used for names and labels.
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// The Kubernetes namespace of every resource and Secret.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Whether the API of `kind` is enabled (`functionEnabled`, `sinkEnabled`, `sourceEnabled`).
    pub fn enabled(&self, kind: Kind) -> bool {
        let c = &self.worker.functions_worker_service_custom_configs;
        match kind {
            Kind::Function => c.function_enabled,
            Kind::Sink => c.sink_enabled,
            Kind::Source => c.source_enabled,
        }
    }

    /// `uploadEnabled`.
    pub fn upload_enabled(&self) -> bool {
        self.worker
            .functions_worker_service_custom_configs
            .upload_enabled
    }

    /// `authenticationEnabled`.
    pub fn authentication_enabled(&self) -> bool {
        self.worker.authentication_enabled
    }

    /// `pulsarWebServiceUrl`, when set.
    pub fn pulsar_web_service_url(&self) -> Option<&str> {
        self.worker
            .pulsar_web_service_url
            .as_deref()
            .filter(|u| !u.is_empty())
    }

    /// The worker's own broker credential as an `Authorization` header value, when its broker
    /// client uses token authentication with an inline token (`token:<jwt>`).
    pub fn broker_authorization(&self) -> Option<crate::identity::Credential> {
        let w = &self.worker;
        let plugin = w.broker_client_authentication_plugin.as_deref()?;
        if !plugin.ends_with("AuthenticationToken") {
            return None;
        }
        let params = w.broker_client_authentication_parameters.as_ref()?;
        let token = params.expose().trim().strip_prefix("token:")?;
        (!token.is_empty()).then(|| crate::identity::Credential::new(format!("Bearer {token}")))
    }

    /// The connector catalogue path the worker config names, if any.
    pub fn connectors_path(&self) -> Option<&str> {
        self.worker
            .functions_worker_service_custom_configs
            .connector_definitions_file_path
            .as_deref()
            .filter(|p| !p.is_empty())
    }

    /// Whether a conversion needs the Secrets of the job namespace (per-user OAuth2 looks for the
    /// caller's key Secret there).
    pub fn needs_existing_secrets(&self) -> bool {
        self.worker.authentication_enabled
            && !self
                .worker
                .functions_worker_service_custom_configs
                .using_insecure_auth
    }

    /// The resource name of a component.
    pub fn resource_name(&self, tenant: &str, namespace: &str, name: &str) -> String {
        fm_convert::naming::resource_name(&self.cluster, tenant, namespace, name)
    }

    /// Label selectors that find the components of a Pulsar namespace (the current label keys,
    /// then the legacy ones), as the Java worker lists them.
    pub fn list_selectors(&self, tenant: &str, namespace: &str) -> [String; 2] {
        let c = &self.cluster;
        LABEL_PREFIXES.map(|p| {
            format!(
                "{p}pulsar-cluster={c},{p}pulsar-tenant={tenant},{p}pulsar-namespace={namespace}"
            )
        })
    }

    /// The Pulsar lists that show a resource with `labels`, and the name each shows it under:
    /// [`Library::list_selectors`] as a predicate (the current label keys, then the legacy
    /// ones, each with this worker's cluster), for the worker's mirror.
    pub fn listings(&self, labels: &BTreeMap<String, String>) -> Vec<crate::mirror::Listing> {
        let Some(name) = labels
            .get(COMPONENT_LABEL)
            .or_else(|| labels.get(OLD_COMPONENT_LABEL))
        else {
            return Vec::new();
        };
        let mut out: Vec<crate::mirror::Listing> = Vec::new();
        for prefix in LABEL_PREFIXES {
            let get = |key: &str| labels.get(&format!("{prefix}pulsar-{key}"));
            if let (Some(c), Some(t), Some(ns)) = (get("cluster"), get("tenant"), get("namespace"))
            {
                let l = (t.clone(), ns.clone(), name.clone());
                if *c == self.cluster && !out.contains(&l) {
                    out.push(l);
                }
            }
        }
        out
    }

    /// The Pulsar component name a listed resource stands for (its component label).
    pub fn component_name(resource: &Value) -> Option<String> {
        let labels = resource.pointer("/metadata/labels")?;
        labels
            .get(COMPONENT_LABEL)
            .or_else(|| labels.get(OLD_COMPONENT_LABEL))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// [`Library::component_name`] from a listed resource's metadata (a metadata-only list).
    pub fn component_name_of(meta: ObjectMeta) -> Option<String> {
        let mut labels = meta.labels?;
        labels
            .remove(COMPONENT_LABEL)
            .or_else(|| labels.remove(OLD_COMPONENT_LABEL))
    }

    /// The library's front door for this worker and catalogue, built on first use and kept with
    /// the catalogue. The worker's own cluster is explicit, as the Java worker passes
    /// `pulsarFunctionsCluster`, so get/update/delete find what create wrote.
    fn front_door<'a>(&self, catalogue: &'a Catalogue) -> &'a Worker {
        catalogue.1.get_or_init(|| {
            Worker::builder(self.worker.clone())
                .connectors(catalogue.0.clone())
                .cluster(Some(&self.cluster))
                .build()
        })
    }

    /// Converts a submitted config into its resource and Secrets. The tenant, namespace and
    /// name of the URL win over those in the config, as in Pulsar.
    pub fn convert(
        &self,
        catalogue: &Catalogue,
        s: Submission<'_>,
        existing_secrets: Vec<Secret>,
    ) -> Result<Generated, Rejected> {
        let request = Request::new()
            .package_url(s.package_url)
            .package_file_name(s.package_file_name)
            .caller(fm_auth::Caller {
                role: s.identity.acting_role.clone(),
                authorization: s
                    .identity
                    .authorization
                    .as_ref()
                    .map(|a| fm_auth::Sensitive::new(a.expose())),
            })
            .secrets(existing_secrets);
        let unreadable = |e: fm_convert::parse::ParseError| {
            Rejected::Unreadable(Issue {
                path: e.path,
                message: e.message,
            })
        };
        let ids = (
            Some(s.tenant.to_owned()),
            Some(s.namespace.to_owned()),
            Some(s.name.to_owned()),
        );
        let mut config = AnyConfig::parse(s.kind, s.config).map_err(unreadable)?;
        match &mut config {
            AnyConfig::Function(c) => (c.tenant, c.namespace, c.name) = ids,
            AnyConfig::Sink(c) => (c.tenant, c.namespace, c.name) = ids,
            AnyConfig::Source(c) => (c.tenant, c.namespace, c.name) = ids,
        }
        let out = self
            .front_door(catalogue)
            .convert_any(&config, &request)
            .map_err(rejected)?;
        let (resource, secrets) = (to_json(&out.resource)?, out.secrets);
        let name = resource
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| self.resource_name(s.tenant, s.namespace, s.name));
        Ok(Generated {
            name,
            resource,
            secrets,
        })
    }

    /// The Pulsar config of a stored resource (what `… get` shows).
    pub fn config_of(
        &self,
        catalogue: &Catalogue,
        kind: Kind,
        resource: &Value,
    ) -> Result<Value, String> {
        let bad = |e: serde_json::Error| format!("the stored resource cannot be read: {e}");
        let stored = match kind {
            Kind::Function => {
                AnyResource::Function(serde_json::from_value(resource.clone()).map_err(bad)?)
            }
            Kind::Sink => AnyResource::Sink(serde_json::from_value(resource.clone()).map_err(bad)?),
            Kind::Source => {
                AnyResource::Source(serde_json::from_value(resource.clone()).map_err(bad)?)
            }
        };
        let config = self
            .front_door(catalogue)
            .reverse_any(&stored)
            .map_err(|e| e.to_string())?
            .to_value();
        config.map_err(|e| e.to_string())
    }

    /// Pulsar's status body of a resource from its StatefulSet and pods, with what the running
    /// instances reported themselves (by instance id; see [`crate::instance`]).
    pub fn status(
        &self,
        kind: Kind,
        resource: &Value,
        statefulset: Option<&StatefulSet>,
        pods: &[Pod],
        reports: &BTreeMap<i32, fm_convert::status::InstanceReport>,
    ) -> Value {
        let v = match kind {
            Kind::Function => serde_json::from_value::<fm_convert::crd::Function>(resource.clone())
                .and_then(|r| serde_json::to_value(r.status(statefulset, pods, reports))),
            Kind::Sink => serde_json::from_value::<fm_convert::crd::Sink>(resource.clone())
                .and_then(|r| serde_json::to_value(r.status(statefulset, pods, reports))),
            Kind::Source => serde_json::from_value::<fm_convert::crd::Source>(resource.clone())
                .and_then(|r| serde_json::to_value(r.status(statefulset, pods, reports))),
        };
        v.unwrap_or_else(|_| json!({"numInstances": 0, "numRunning": 0, "instances": []}))
    }
}

fn to_json<T: serde::Serialize>(r: &T) -> Result<Value, Rejected> {
    serde_json::to_value(r).map_err(|e| {
        Rejected::Invalid(vec![Issue {
            path: String::new(),
            message: format!("the resource cannot be written: {e}"),
        }])
    })
}

fn rejected(e: ConvertError) -> Rejected {
    match e {
        ConvertError::Invalid(v) => Rejected::Invalid(
            v.into_iter()
                .map(|i| Issue {
                    path: i.path,
                    message: i.message,
                })
                .collect(),
        ),
        ConvertError::Auth(a) => Rejected::Auth(a.to_string()),
        ConvertError::Target(t) => Rejected::Invalid(vec![Issue {
            path: String::new(),
            message: t.to_string(),
        }]),
    }
}

/// Reads a config document (JSON in Jackson or Gson spelling, or YAML) as a JSON value, for
/// merging an update into the stored config.
pub fn parse_document(text: &str) -> Result<Value, Issue> {
    fm_convert::parse::parse::<Value>(text).map_err(|e| Issue {
        path: e.path,
        message: e.message,
    })
}

/// A submitted config in Pulsar's own field names (Gson spellings folded), for comparing an
/// update with the stored config.
pub fn normalized(kind: Kind, text: &str) -> Result<Value, Rejected> {
    let unreadable = |path: String, message: &str| {
        Rejected::Unreadable(Issue {
            path,
            message: message.to_owned(),
        })
    };
    AnyConfig::parse(kind, text)
        .map_err(|e| unreadable(e.path, &e.message))?
        .to_value()
        .map_err(|e| unreadable(String::new(), &e.to_string()))
}

/// Where each kind lives in the API server.
pub fn api_resource(kind: Kind) -> ApiResource {
    match kind {
        Kind::Function => ApiResource::erase::<fm_convert::crd::Function>(&()),
        Kind::Sink => ApiResource::erase::<fm_convert::crd::Sink>(&()),
        Kind::Source => ApiResource::erase::<fm_convert::crd::Source>(&()),
    }
}

/// The CRD name of a kind (`functions.compute.functionmesh.io`).
pub fn crd_name(kind: Kind) -> String {
    format!("{}.{}", api_resource(kind).plural, fm_convert::crd::GROUP)
}

impl Catalogue {
    /// Reads a connector catalogue (YAML or JSON list of connector definitions). Every entry needs
    /// a `name`.
    pub fn parse(file: &str, text: &str) -> Result<Catalogue, ConfigProblem> {
        let list: Vec<ConnectorDefinition> = fm_convert::parse::parse(text)
            .map_err(|e| problem(file, &e.path, e.message.clone()))?;
        for (i, c) in list.iter().enumerate() {
            if c.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                return Err(problem(file, &format!("[{i}].name"), "is required"));
            }
        }
        Ok(Catalogue(list, std::sync::OnceLock::new()))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the catalogue has no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn pulsar_view(c: &ConnectorDefinition) -> Value {
        let mut o = serde_json::Map::new();
        let fields = [
            ("name", &c.name),
            ("description", &c.description),
            ("sourceClass", &c.source_class),
            ("sinkClass", &c.sink_class),
            ("sourceConfigClass", &c.source_config_class),
            ("sinkConfigClass", &c.sink_config_class),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                o.insert(k.to_owned(), Value::String(v.clone()));
            }
        }
        Value::Object(o)
    }

    fn filtered(&self, pick: impl Fn(&ConnectorDefinition) -> bool) -> Value {
        Value::Array(
            self.0
                .iter()
                .filter(|c| pick(c))
                .map(Self::pulsar_view)
                .collect(),
        )
    }

    /// Every entry, as Pulsar's `ConnectorDefinition` list.
    pub fn all(&self) -> Value {
        self.filtered(|_| true)
    }

    /// Entries with a sink class.
    pub fn sinks(&self) -> Value {
        self.filtered(|c| c.sink_class.as_deref().is_some_and(|s| !s.is_empty()))
    }

    /// Entries with a source class.
    pub fn sources(&self) -> Value {
        self.filtered(|c| c.source_class.as_deref().is_some_and(|s| !s.is_empty()))
    }

    /// Whether a connector of that name exists for the kind.
    pub fn has(&self, kind: Kind, name: &str) -> bool {
        self.0.iter().any(|c| {
            c.name.as_deref() == Some(name)
                && match kind {
                    Kind::Sink => c.sink_class.as_deref().is_some_and(|s| !s.is_empty()),
                    Kind::Source => c.source_class.as_deref().is_some_and(|s| !s.is_empty()),
                    Kind::Function => false,
                }
        })
    }
}
