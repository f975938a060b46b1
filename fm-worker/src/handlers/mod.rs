//! The endpoints. Each one: kind enabled → names → policy → work → Pulsar's answer.
//!
//! Every component endpoint starts from [`Named`]: the `{tenant}/{namespace}/{name}` of the path,
//! the kind of the router it is mounted in, checked for an enabled kind and valid names; its
//! [`Named::admit`] asks the policy and [`Named::lookup`] reads the stored resource.

mod control;
mod package;
mod read;
mod update_rules;
mod write;

use axum::extract::{FromRequestParts, Path, State};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use http::request::Parts;
use http::{Method, Uri};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{ApiError, KubeError};
use crate::identity::{Identity, Operation, Target};
use crate::library::Rejected;
use crate::store::STOPPED_ANNOTATION;
use crate::{Kind, WorkerState};

type Result<T> = std::result::Result<T, ApiError>;

/// Routes of one kind, mounted under its base path(s).
pub fn routes(kind: Kind) -> Router<WorkerState> {
    let mut r = Router::new()
        .route("/{tenant}/{namespace}", get(read::list))
        .route(
            "/{tenant}/{namespace}/{name}",
            post(write::create)
                .put(write::update)
                .delete(write::delete)
                .get(read::get_config),
        )
        .route("/{tenant}/{namespace}/{name}/status", get(read::status))
        .route(
            "/{tenant}/{namespace}/{name}/{instance}/status",
            get(read::instance_status),
        )
        .route(
            "/{tenant}/{namespace}/{name}/{action}",
            post(control::lifecycle),
        )
        .route(
            "/{tenant}/{namespace}/{name}/{instance}/{action}",
            post(control::instance_lifecycle),
        );
    match kind {
        Kind::Function => {
            r = r
                .route("/connectors", get(control::connectors))
                .route("/builtins", get(|| async { Json(json!([])) }))
                .route("/builtins/reload", post(control::reload))
                .route(
                    "/{tenant}/{namespace}/{name}/stats",
                    get(|s, w, c| unsupported_on(s, w, c, Operation::Status, "function stats")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/{instance}/stats",
                    get(|s, w, c| unsupported_on(s, w, c, Operation::Status, "function stats")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/trigger",
                    post(|s, w, c| {
                        unsupported_on(s, w, c, Operation::Update, "triggering a function")
                    }),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/state/{key}",
                    get(|s, w, c| unsupported_on(s, w, c, Operation::Get, "function state")).post(
                        |s, w, c| unsupported_on(s, w, c, Operation::Update, "function state"),
                    ),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/download",
                    get(|s, w, c| {
                        unsupported_on(s, w, c, Operation::Get, "downloading a function package")
                    }),
                )
                .route(
                    "/upload",
                    post(|| unsupported("uploading to the worker's package store")),
                )
                .route(
                    "/download",
                    get(|| unsupported("downloading from the worker's package store")),
                )
                .route(
                    "/leader/{tenant}/{namespace}/{name}",
                    put(|s, w, c| {
                        unsupported_on(
                            s,
                            w,
                            c,
                            Operation::Update,
                            "updating a function on the leader",
                        )
                    }),
                );
        }
        Kind::Sink => {
            r = r
                .route("/builtinsinks", get(control::connectors))
                .route(
                    "/builtinsinks/{connector}/configdefinition",
                    get(control::config_definition),
                )
                .route("/reloadBuiltInSinks", post(control::reload));
        }
        Kind::Source => {
            r = r
                .route("/builtinsources", get(control::connectors))
                .route(
                    "/builtinsources/{connector}/configdefinition",
                    get(control::config_definition),
                )
                .route("/reloadBuiltInSources", post(control::reload));
        }
    }
    r.layer(Extension(kind))
}

/// Answer for paths the API does not have.
pub async fn no_such_endpoint(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no such endpoint: {method} {}", uri.path()))
}

async fn unsupported(what: &str) -> ApiError {
    ApiError::bad_request(format!(
        "{what} is not supported by the Function Mesh worker service"
    ))
}

/// An endpoint of one component that this worker does not serve: the caller is authorized first,
/// as Pulsar authorizes every component endpoint before anything else (a caller without rights
/// learns nothing but 401), then 400 with the reason.
async fn unsupported_on(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
    op: Operation,
    what: &'static str,
) -> ApiError {
    match c.admit(&state, &who, op).await {
        Err(refused) => refused,
        Ok(()) => unsupported(what).await,
    }
}

/// Pulsar's rule for tenant, namespace and component names.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | ':'))
}

fn check_names(kind: Kind, tenant: &str, namespace: &str, name: Option<&str>) -> Result<()> {
    let mut bad = Vec::new();
    if tenant.is_empty() {
        bad.push("Tenant is not provided".to_owned());
    } else if !valid_name(tenant) {
        bad.push("tenant: not a valid Pulsar name (letters, digits, `-_.=:`)".to_owned());
    }
    if namespace.is_empty() {
        bad.push("Namespace is not provided".to_owned());
    } else if !valid_name(namespace) {
        bad.push("namespace: not a valid Pulsar name (letters, digits, `-_.=:`)".to_owned());
    }
    match name {
        Some("") => bad.push(format!("{} name is not provided", kind.as_str())),
        Some(n) if !valid_name(n) => bad.push(format!(
            "{} name: not a valid Pulsar name (letters, digits, `-_.=:`)",
            kind.as_str()
        )),
        _ => {}
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(ApiError::bad_request(bad.join("; ")))
    }
}

fn enabled(kind: Kind, state: &WorkerState) -> Result<()> {
    if state.library().enabled(kind) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{} API is disabled",
            kind.as_str()
        )))
    }
}

/// The kind of the router a request came through (every router of [`routes`] carries it).
fn kind_of(parts: &Parts) -> Result<Kind> {
    parts
        .extensions
        .get::<Kind>()
        .copied()
        .ok_or_else(|| ApiError::internal("route without a component kind"))
}

/// Worker-wide endpoints (connectors, reload): the kind, checked only by the policy.
async fn admit_worker_wide(
    kind: Kind,
    state: &WorkerState,
    who: &Identity,
    op: Operation,
) -> Result<()> {
    state
        .policy()
        .check(
            who,
            op,
            Target {
                kind,
                tenant: None,
                namespace: None,
                name: None,
            },
        )
        .await
}

#[derive(Deserialize)]
struct NamedPath {
    tenant: String,
    namespace: String,
    #[serde(default)]
    name: Option<String>,
}

/// One component (or, for list, one namespace) a request names: its kind and the
/// `{tenant}/{namespace}[/{name}]` of the path, the kind enabled and the names valid.
#[derive(Clone, Debug)]
pub struct Named {
    /// Kind of component.
    pub kind: Kind,
    /// Tenant.
    pub tenant: String,
    /// Namespace.
    pub namespace: String,
    /// Component name (empty for list).
    pub name: String,
}

impl FromRequestParts<WorkerState> for Named {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &WorkerState) -> Result<Self> {
        let kind = kind_of(parts)?;
        enabled(kind, state)?;
        let Path(p) = Path::<NamedPath>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_request(e.body_text()))?;
        check_names(kind, &p.tenant, &p.namespace, p.name.as_deref())?;
        Ok(Named {
            kind,
            tenant: p.tenant,
            namespace: p.namespace,
            name: p.name.unwrap_or_default(),
        })
    }
}

impl Named {
    /// Asks the policy whether `who` may do `op` on this component.
    pub async fn admit(&self, state: &WorkerState, who: &Identity, op: Operation) -> Result<()> {
        let name = (!self.name.is_empty()).then_some(self.name.as_str());
        state
            .policy()
            .check(
                who,
                op,
                Target {
                    kind: self.kind,
                    tenant: Some(&self.tenant),
                    namespace: Some(&self.namespace),
                    name,
                },
            )
            .await
    }

    /// The resource's `metadata.name`.
    pub fn resource_name(&self, state: &WorkerState) -> String {
        state
            .library()
            .resource_name(&self.tenant, &self.namespace, &self.name)
    }

    /// The stored resource (its name and JSON); 404 in Pulsar's words when there is none.
    pub async fn lookup(&self, state: &WorkerState) -> Result<(String, Value)> {
        let resource_name = self.resource_name(state);
        let r = state
            .store()
            .get(self.kind, &resource_name)
            .await
            .map_err(kube_fault)?
            .ok_or_else(|| self.missing())?;
        Ok((resource_name, r))
    }

    /// Pulsar's "doesn't exist".
    pub fn missing(&self) -> ApiError {
        ApiError::not_found(format!(
            "{} {} doesn't exist",
            self.kind.as_str(),
            self.name
        ))
    }

    /// Pulsar's answer to a create of a name that is taken (400, as Pulsar's worker answers).
    pub fn exists(&self) -> ApiError {
        ApiError::bad_request(format!(
            "{} {} already exists",
            self.kind.as_str(),
            self.name
        ))
    }

    /// A 409 for a change made by someone else meanwhile.
    fn changed_meanwhile(&self, doing: &str) -> ApiError {
        ApiError::conflict(format!(
            "{} {} was changed by someone else while {doing}; read it again and retry",
            self.kind.as_str(),
            self.name
        ))
    }
}

fn kube_fault(e: KubeError) -> ApiError {
    match e {
        KubeError::NotFound => ApiError::internal("Kubernetes API server: object not found"),
        KubeError::Conflict(m) => ApiError::conflict(m),
        KubeError::Rejected(m) => ApiError::bad_request(format!(
            "the Kubernetes API server refused the resource: {m}"
        )),
        e @ (KubeError::Forbidden(_) | KubeError::Expired(_) | KubeError::Other(_)) => {
            ApiError::internal(e.to_string())
        }
    }
}

fn rejected(kind: Kind, r: Rejected) -> ApiError {
    match r {
        Rejected::Unreadable(i) => ApiError::bad_request(if i.path.is_empty() {
            format!("{}: {}", kind.config_part(), i.message)
        } else {
            format!("{}: {}: {}", kind.config_part(), i.path, i.message)
        }),
        Rejected::Invalid(issues) => {
            let n = issues.len();
            let list: Vec<String> = issues
                .iter()
                .map(|i| {
                    if i.path.is_empty() {
                        i.message.clone()
                    } else {
                        format!("{}: {}", i.path, i.message)
                    }
                })
                .collect();
            ApiError::bad_request(format!(
                "{} config is invalid ({n} problem{}): {}",
                kind.as_str(),
                if n == 1 { "" } else { "s" },
                list.join("; ")
            ))
        }
        Rejected::Auth(m) => ApiError::bad_request(format!("authentication: {m}")),
    }
}

fn resource_version(resource: &Value) -> Result<String> {
    resource
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal("the stored resource has no resourceVersion"))
}

fn stopped_parallelism(resource: &Value) -> Option<i64> {
    resource
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(STOPPED_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}
