//! The endpoints. Each one: kind enabled → names → policy → work → Pulsar's answer.

use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use http::{Method, StatusCode, Uri};
use serde_json::{json, Value};

use crate::error::{ApiError, KubeError};
use crate::form::{self, UpdateOptions};
use crate::identity::{Identity, Operation, Target};
use crate::library::{Generated, Library, Rejected, Submission};
use crate::store::{RESTARTED_AT_ANNOTATION, STOPPED_ANNOTATION};
use crate::{Kind, WorkerState};

type Result<T> = std::result::Result<T, ApiError>;

/// Routes of one kind, mounted under its base path(s).
pub fn routes(kind: Kind) -> Router<WorkerState> {
    let mut r = Router::new()
        .route(
            "/{tenant}/{namespace}",
            get(move |s, i, p| list(kind, s, i, p)),
        )
        .route(
            "/{tenant}/{namespace}/{name}",
            post(move |s, i, p, req| create(kind, s, i, p, req))
                .put(move |s, i, p, req| update(kind, s, i, p, req))
                .delete(move |s, i, p| delete(kind, s, i, p))
                .get(move |s, i, p| get_config(kind, s, i, p)),
        )
        .route(
            "/{tenant}/{namespace}/{name}/status",
            get(move |s, i, p| status(kind, s, i, p)),
        )
        .route(
            "/{tenant}/{namespace}/{name}/{instance}/status",
            get(move |s, i, p| instance_status(kind, s, i, p)),
        )
        .route(
            "/{tenant}/{namespace}/{name}/{action}",
            post(move |s, i, p| lifecycle(kind, s, i, p)),
        )
        .route(
            "/{tenant}/{namespace}/{name}/{instance}/{action}",
            post(move |p| instance_lifecycle(kind, p)),
        );
    match kind {
        Kind::Function => {
            r = r
                .route("/connectors", get(move |s, i| connectors(kind, s, i)))
                .route("/builtins", get(|| async { Json(json!([])) }))
                .route("/builtins/reload", post(move |s, i| reload(kind, s, i)))
                .route(
                    "/{tenant}/{namespace}/{name}/stats",
                    get(|| unsupported("function stats")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/{instance}/stats",
                    get(|| unsupported("function stats")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/trigger",
                    post(|| unsupported("triggering a function")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/state/{key}",
                    get(|| unsupported("function state")).post(|| unsupported("function state")),
                )
                .route(
                    "/{tenant}/{namespace}/{name}/download",
                    get(|| unsupported("downloading a function package")),
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
                    put(|| unsupported("updating a function on the leader")),
                );
        }
        Kind::Sink => {
            r = r
                .route("/builtinsinks", get(move |s, i| connectors(kind, s, i)))
                .route(
                    "/builtinsinks/{connector}/configdefinition",
                    get(move |s, i, p| config_definition(kind, s, i, p)),
                )
                .route("/reloadBuiltInSinks", post(move |s, i| reload(kind, s, i)));
        }
        Kind::Source => {
            r = r
                .route("/builtinsources", get(move |s, i| connectors(kind, s, i)))
                .route(
                    "/builtinsources/{connector}/configdefinition",
                    get(move |s, i, p| config_definition(kind, s, i, p)),
                )
                .route(
                    "/reloadBuiltInSources",
                    post(move |s, i| reload(kind, s, i)),
                );
        }
    }
    r
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

/// Enabled, valid names, allowed.
async fn admit(
    kind: Kind,
    state: &WorkerState,
    who: &Identity,
    op: Operation,
    (tenant, namespace, name): (&str, &str, Option<&str>),
) -> Result<()> {
    enabled(kind, state)?;
    check_names(kind, tenant, namespace, name)?;
    state
        .policy()
        .check(
            who,
            op,
            Target {
                kind,
                tenant: Some(tenant),
                namespace: Some(namespace),
                name,
            },
        )
        .await
}

fn kube_fault(e: KubeError) -> ApiError {
    match e {
        KubeError::NotFound => ApiError::internal("Kubernetes API server: object not found"),
        KubeError::Conflict(m) => ApiError::conflict(m),
        KubeError::Rejected(m) => ApiError::bad_request(format!(
            "the Kubernetes API server refused the resource: {m}"
        )),
        e @ (KubeError::Forbidden(_) | KubeError::Other(_)) => ApiError::internal(e.to_string()),
    }
}

fn missing(kind: Kind, name: &str) -> ApiError {
    ApiError::not_found(format!("{} {name} doesn't exist", kind.as_str()))
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

fn uid(resource: &Value) -> Option<&str> {
    resource.pointer("/metadata/uid").and_then(Value::as_str)
}

fn stopped_parallelism(resource: &Value) -> Option<i64> {
    resource
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(STOPPED_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

async fn existing_secrets(state: &WorkerState) -> Result<Vec<k8s_openapi::api::core::v1::Secret>> {
    if state.library().needs_existing_secrets() {
        state.store().all_secrets().await.map_err(kube_fault)
    } else {
        Ok(Vec::new())
    }
}

/// Pulsar's update semantics: the submitted fields replace the stored ones; input maps gain
/// entries; absent or null fields keep their stored values (so `update --parallelism 3` works).
fn merge_update(stored: Value, submitted: Value) -> Value {
    let (Value::Object(mut merged), Value::Object(new)) = (stored, submitted) else {
        return Value::Null;
    };
    for (k, v) in new {
        if v.is_null() {
            continue;
        }
        match (k.as_str(), merged.get_mut(&k), v) {
            (
                "inputSpecs" | "customSerdeInputs" | "customSchemaInputs",
                Some(Value::Object(old)),
                Value::Object(add),
            ) => old.extend(add),
            ("inputs", Some(Value::Array(old)), Value::Array(add)) => {
                for t in add {
                    if !old.contains(&t) {
                        old.push(t);
                    }
                }
            }
            (_, _, v) => {
                merged.insert(k, v);
            }
        }
    }
    Value::Object(merged)
}

/// The package a config names: the `url` part, else `jar`/`py`/`go` (functions) or `archive`.
fn package_url<'a>(kind: Kind, url: Option<&'a str>, config: &'a Value) -> Option<&'a str> {
    let fields: &[&str] = match kind {
        Kind::Function => &["jar", "py", "go"],
        Kind::Sink | Kind::Source => &["archive"],
    };
    url.or_else(|| {
        fields
            .iter()
            .find_map(|f| config.get(*f).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
    })
}

/// A `function://`, `sink://` or `source://` package must exist in Pulsar's package service
/// before a resource names it (checked when `pulsarWebServiceUrl` is configured).
async fn check_package(
    kind: Kind,
    state: &WorkerState,
    url: Option<&str>,
    config: &Value,
) -> Result<()> {
    let (Some(packages), Some(url)) = (state.packages(), package_url(kind, url, config)) else {
        return Ok(());
    };
    let Some(name) = crate::packages::PackageName::parse(url) else {
        return Ok(());
    };
    let packages =
        packages.map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_owned()))?;
    match packages.exists(&name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::bad_request(format!(
            "package {url} does not exist in Pulsar's package service (upload it with \
             `pulsar-admin packages upload`)"
        ))),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.to_string(),
        )),
    }
}

async fn generate(
    kind: Kind,
    state: &WorkerState,
    who: &Identity,
    (tenant, namespace, name): (&str, &str, &str),
    existing: Option<&Value>,
    req: Request,
) -> Result<(Generated, UpdateOptions)> {
    let form = form::read(kind, state.library().upload_enabled(), req).await?;
    let mut config = form.config.ok_or_else(|| {
        ApiError::bad_request(format!("{} config is not provided", kind.as_str()))
    })?;
    let submitted = crate::library::parse_document(&config)
        .map_err(|i| rejected(kind, Rejected::Unreadable(i)))?;
    if !submitted.is_object() {
        return Err(ApiError::bad_request(format!(
            "{}: expected a JSON object",
            kind.config_part()
        )));
    }
    let mut effective = submitted.clone();
    if let Some(existing) = existing {
        let mut stored = state
            .library()
            .config_of(&state.catalogue(), kind, existing)
            .map_err(|m| {
                ApiError::internal(format!(
                    "the stored {} {name} cannot be read back: {m}",
                    kind.lower()
                ))
            })?;
        if let (Some(p), Some(o)) = (stopped_parallelism(existing), stored.as_object_mut()) {
            o.insert("parallelism".into(), json!(p));
        }
        effective = merge_update(stored, submitted);
        config = effective.to_string();
    }
    check_package(kind, state, form.url.as_deref(), &effective).await?;
    let secrets = existing_secrets(state).await?;
    let catalogue = state.catalogue();
    let generated = state
        .library()
        .convert(
            &catalogue,
            Submission {
                kind,
                config: &config,
                tenant,
                namespace,
                name,
                package_url: form.url.as_deref(),
                identity: who,
            },
            secrets,
        )
        .map_err(|r| rejected(kind, r))?;
    Ok((generated, form.update_options.unwrap_or_default()))
}

async fn create(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name)): Path<(String, String, String)>,
    req: Request,
) -> Result<StatusCode> {
    let ids = (tenant.as_str(), namespace.as_str(), name.as_str());
    admit(
        kind,
        &state,
        &who,
        Operation::Create,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let (g, _) = generate(kind, &state, &who, ids, None, req).await?;
    let store = state.store();
    if store
        .get(kind, &g.name)
        .await
        .map_err(kube_fault)?
        .is_some()
    {
        return Err(ApiError::conflict(format!(
            "{} {name} already exists",
            kind.as_str()
        )));
    }
    for s in &g.secrets {
        store
            .apply_secret(kind, &g.name, None, s)
            .await
            .map_err(kube_fault)?;
    }
    let stored = store
        .apply(kind, &g.name, g.resource.clone(), None)
        .await
        .map_err(kube_fault)?;
    // Now that the resource has a uid, the Secrets get their owner reference.
    if let Some(uid) = uid(&stored) {
        for s in &g.secrets {
            store
                .apply_secret(kind, &g.name, Some(uid), s)
                .await
                .map_err(kube_fault)?;
        }
    }
    tracing::info!(kind = kind.lower(), %tenant, %namespace, %name, resource = %g.name, "created");
    Ok(StatusCode::NO_CONTENT)
}

async fn update(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name)): Path<(String, String, String)>,
    req: Request,
) -> Result<StatusCode> {
    let ids = (tenant.as_str(), namespace.as_str(), name.as_str());
    admit(
        kind,
        &state,
        &who,
        Operation::Update,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let store = state.store();
    let resource_name = state.library().resource_name(&tenant, &namespace, &name);
    let existing = store
        .get(kind, &resource_name)
        .await
        .map_err(kube_fault)?
        .ok_or_else(|| missing(kind, &name))?;
    let (mut g, options) = generate(kind, &state, &who, ids, Some(&existing), req).await?;
    let rv = resource_version(&existing)?;
    if stopped_parallelism(&existing).is_some() {
        // A stopped component stays stopped; start brings up the new parallelism.
        let wanted = g
            .resource
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        if let Some(spec) = g.resource.get_mut("spec").and_then(Value::as_object_mut) {
            spec.insert("replicas".into(), json!(0));
        }
        if let Some(meta) = g
            .resource
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        {
            let ann = meta.entry("annotations").or_insert_with(|| json!({}));
            if let Some(a) = ann.as_object_mut() {
                a.insert(STOPPED_ANNOTATION.into(), json!(wanted.to_string()));
            }
        }
    }
    let owned = store
        .owned_secrets(kind, &g.name)
        .await
        .map_err(kube_fault)?;
    for s in &g.secrets {
        let sname = s.metadata.name.as_deref().unwrap_or_default();
        if !options.update_auth_data && owned.iter().any(|o| o == sname) {
            continue; // keep the credentials the component has
        }
        store
            .apply_secret(kind, &g.name, uid(&existing), s)
            .await
            .map_err(kube_fault)?;
    }
    store
        .apply(kind, &g.name, g.resource, Some(&rv))
        .await
        .map_err(|e| match e {
            KubeError::Conflict(_) => ApiError::conflict(format!(
                "{} {name} was changed by someone else while it was being updated; read it \
                 again and retry",
                kind.as_str()
            )),
            other => kube_fault(other),
        })?;
    for stale in owned.iter().filter(|o| {
        !g.secrets
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some(o.as_str()))
    }) {
        store.delete_secret(stale).await.map_err(kube_fault)?;
    }
    tracing::info!(kind = kind.lower(), %tenant, %namespace, %name, "updated");
    Ok(StatusCode::NO_CONTENT)
}

async fn delete(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name)): Path<(String, String, String)>,
) -> Result<StatusCode> {
    admit(
        kind,
        &state,
        &who,
        Operation::Delete,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let store = state.store();
    let resource_name = state.library().resource_name(&tenant, &namespace, &name);
    if !store
        .delete(kind, &resource_name)
        .await
        .map_err(kube_fault)?
    {
        return Err(missing(kind, &name));
    }
    for s in store
        .owned_secrets(kind, &resource_name)
        .await
        .map_err(kube_fault)?
    {
        store.delete_secret(&s).await.map_err(kube_fault)?;
    }
    tracing::info!(kind = kind.lower(), %tenant, %namespace, %name, "deleted");
    Ok(StatusCode::NO_CONTENT)
}

async fn stored(
    kind: Kind,
    state: &WorkerState,
    (tenant, namespace, name): (&str, &str, &str),
) -> Result<(String, Value)> {
    let resource_name = state.library().resource_name(tenant, namespace, name);
    let r = state
        .store()
        .get(kind, &resource_name)
        .await
        .map_err(kube_fault)?
        .ok_or_else(|| missing(kind, name))?;
    Ok((resource_name, r))
}

async fn get_config(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    admit(
        kind,
        &state,
        &who,
        Operation::Get,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let (_, resource) = stored(kind, &state, (&tenant, &namespace, &name)).await?;
    let mut config = state
        .library()
        .config_of(&state.catalogue(), kind, &resource)
        .map_err(|m| {
            ApiError::internal(format!(
                "{} {name} cannot be shown as a Pulsar config: {m}",
                kind.as_str()
            ))
        })?;
    if let (Some(p), Some(o)) = (stopped_parallelism(&resource), config.as_object_mut()) {
        o.insert("parallelism".into(), json!(p));
    }
    Ok(Json(config))
}

async fn list(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace)): Path<(String, String)>,
) -> Result<Json<Vec<String>>> {
    admit(
        kind,
        &state,
        &who,
        Operation::List,
        (&tenant, &namespace, None),
    )
    .await?;
    // `=` and `:` are valid in Pulsar names but never in label values: nothing can match.
    if [&tenant, &namespace].iter().any(|s| s.contains(['=', ':'])) {
        return Ok(Json(Vec::new()));
    }
    let mut names = std::collections::BTreeSet::new();
    for selector in state.library().list_selectors(&tenant, &namespace) {
        for r in state
            .store()
            .list(kind, &selector)
            .await
            .map_err(kube_fault)?
        {
            if let Some(n) = Library::component_name(&r) {
                names.insert(n);
            }
        }
    }
    Ok(Json(names.into_iter().collect()))
}

async fn status_value(kind: Kind, state: &WorkerState, ids: (&str, &str, &str)) -> Result<Value> {
    let (resource_name, resource) = stored(kind, state, ids).await?;
    let store = state.store();
    let sts = store
        .statefulset(&format!("{resource_name}-{}", kind.lower()))
        .await
        .map_err(kube_fault)?;
    let pods = match resource.pointer("/status/selector").and_then(Value::as_str) {
        Some(sel) if !sel.is_empty() => store.pods(sel).await.map_err(kube_fault)?,
        _ => Vec::new(),
    };
    let reports = crate::instance::reports(&pods, crate::instance::TIMEOUT).await;
    Ok(state
        .library()
        .status(kind, &resource, sts.as_ref(), &pods, &reports))
}

async fn status(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name)): Path<(String, String, String)>,
) -> Result<Json<Value>> {
    admit(
        kind,
        &state,
        &who,
        Operation::Status,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    Ok(Json(
        status_value(kind, &state, (&tenant, &namespace, &name)).await?,
    ))
}

fn instance_id(s: &str) -> Result<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .ok_or_else(|| ApiError::bad_request("instance id must be a non-negative integer"))
}

async fn instance_status(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name, instance)): Path<(String, String, String, String)>,
) -> Result<Json<Value>> {
    admit(
        kind,
        &state,
        &who,
        Operation::Status,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let id = instance_id(&instance)?;
    let whole = status_value(kind, &state, (&tenant, &namespace, &name)).await?;
    whole
        .get("instances")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .find(|i| i.get("instanceId").and_then(Value::as_i64) == Some(id))
        })
        .and_then(|i| i.get("status"))
        .cloned()
        .map(Json)
        .ok_or_else(|| {
            ApiError::not_found(format!("{} {name} has no instance {id}", kind.as_str()))
        })
}

async fn lifecycle(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path((tenant, namespace, name, action)): Path<(String, String, String, String)>,
) -> Result<StatusCode> {
    if !matches!(action.as_str(), "start" | "stop" | "restart") {
        return Err(ApiError::not_found(format!(
            "no such endpoint: POST …/{name}/{action}"
        )));
    }
    admit(
        kind,
        &state,
        &who,
        Operation::Lifecycle,
        (&tenant, &namespace, Some(&name)),
    )
    .await?;
    let (resource_name, resource) = stored(kind, &state, (&tenant, &namespace, &name)).await?;
    let rv = resource_version(&resource)?;
    let stopped = stopped_parallelism(&resource);
    let patch = match (action.as_str(), stopped) {
        ("stop", None) => {
            let replicas = resource
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            Some(json!({
                "metadata": {"annotations": {STOPPED_ANNOTATION: replicas.to_string()}},
                "spec": {"replicas": 0}
            }))
        }
        ("start", Some(p)) => Some(json!({
            "metadata": {"annotations": {STOPPED_ANNOTATION: null}},
            "spec": {"replicas": p}
        })),
        ("restart", _) => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis())
                .unwrap_or_default();
            Some(json!({
                "spec": {"pod": {"annotations": {RESTARTED_AT_ANNOTATION: now.to_string()}}}
            }))
        }
        // Stopping a stopped component or starting a running one changes nothing.
        _ => None,
    };
    if let Some(patch) = patch {
        state
            .store()
            .merge_patch(kind, &resource_name, patch, &rv)
            .await
            .map_err(|e| match e {
                KubeError::Conflict(_) => ApiError::conflict(format!(
                    "{} {name} was changed by someone else; retry",
                    kind.as_str()
                )),
                other => kube_fault(other),
            })?;
    }
    tracing::info!(kind = kind.lower(), %tenant, %namespace, %name, %action, "lifecycle");
    Ok(StatusCode::NO_CONTENT)
}

async fn instance_lifecycle(
    kind: Kind,
    Path((_, _, name, instance, action)): Path<(String, String, String, String, String)>,
) -> Response {
    if !matches!(action.as_str(), "start" | "stop" | "restart") {
        return ApiError::not_found(format!(
            "no such endpoint: POST …/{name}/{instance}/{action}"
        ))
        .into_response();
    }
    ApiError::bad_request(format!(
        "Function Mesh runs all instances of a {} as one StatefulSet: one instance cannot \
         {action} on its own; {action} the whole {} (leave out the instance id)",
        kind.lower(),
        kind.lower()
    ))
    .into_response()
}

async fn connectors(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
) -> Result<Json<Value>> {
    enabled(kind, &state)?;
    state
        .policy()
        .check(
            &who,
            Operation::Connectors,
            Target {
                kind,
                tenant: None,
                namespace: None,
                name: None,
            },
        )
        .await?;
    let c = state.catalogue();
    Ok(Json(match kind {
        Kind::Function => c.all(),
        Kind::Sink => c.sinks(),
        Kind::Source => c.sources(),
    }))
}

async fn config_definition(
    kind: Kind,
    State(state): State<WorkerState>,
    who: Identity,
    Path(connector): Path<String>,
) -> Result<Json<Value>> {
    enabled(kind, &state)?;
    state
        .policy()
        .check(
            &who,
            Operation::Connectors,
            Target {
                kind,
                tenant: None,
                namespace: None,
                name: None,
            },
        )
        .await?;
    if !state.catalogue().has(kind, &connector) {
        return Err(ApiError::not_found(format!(
            "built-in {} {connector} doesn't exist",
            kind.lower()
        )));
    }
    // The catalogue carries no config field definitions.
    Ok(Json(json!([])))
}

async fn reload(kind: Kind, State(state): State<WorkerState>, who: Identity) -> Result<StatusCode> {
    state
        .policy()
        .check(
            &who,
            Operation::Reload,
            Target {
                kind,
                tenant: None,
                namespace: None,
                name: None,
            },
        )
        .await?;
    let n = state.reload_catalogue().map_err(|e| {
        ApiError::internal(format!("the connector catalogue cannot be reloaded: {e}"))
    })?;
    tracing::info!(connectors = n, "connector catalogue reloaded");
    Ok(StatusCode::NO_CONTENT)
}
