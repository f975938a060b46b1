//! Writing: create, update, delete.

use axum::extract::{Request, State};
use http::StatusCode;
use serde_json::{json, Value};

use super::package::{check_package, fill_type_args, package_url};
use super::update_rules::refused_changes;
use super::{kube_fault, rejected, resource_version, stopped_parallelism, Named, Result};
use crate::error::{ApiError, KubeError};
use crate::form::{self, UpdateOptions, Uploads};
use crate::identity::{Identity, Operation};
use crate::library::{Generated, Rejected, Submission};
use crate::packages::PackageName;
use crate::store::{STOPPED_ANNOTATION, UPLOADED_ANNOTATION};
use crate::{Kind, WorkerState};

fn uid(resource: &Value) -> Option<&str> {
    resource.pointer("/metadata/uid").and_then(Value::as_str)
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

/// Reads the form (streaming a `data` part to the package service) and converts it: for an
/// update (`existing`), merged into the stored config. A create that fails after its upload
/// removes the package again.
async fn generate(
    c: &Named,
    state: &WorkerState,
    who: &Identity,
    existing: Option<&Value>,
    req: Request,
) -> Result<(Generated, UpdateOptions)> {
    let target = PackageName::for_upload(c.kind, &c.tenant, &c.namespace, &c.name);
    let uploads = match (state.library().upload_enabled(), state.packages()) {
        (false, _) => Uploads::Disabled,
        (true, Some(Ok(p))) => Uploads::To(p, &target),
        (true, Some(Err(e))) => Uploads::Unavailable(e),
        (true, None) => Uploads::Unavailable("pulsarWebServiceUrl is not configured"),
    };
    let form = form::read(c.kind, uploads, req).await?;
    let uploaded = form.uploaded.is_some().then(|| target.clone());
    let result = convert_form(c, state, who, existing, form).await;
    if let (Err(_), Some(pkg), None, Some(Ok(p))) = (&result, &uploaded, existing, state.packages())
    {
        if let Err(e) = p.delete(pkg).await {
            tracing::warn!(package = %pkg.url(), error = %e, "removing the upload of a failed create failed");
        }
    }
    result
}

async fn convert_form(
    c: &Named,
    state: &WorkerState,
    who: &Identity,
    existing: Option<&Value>,
    form: form::Form,
) -> Result<(Generated, UpdateOptions)> {
    let kind = c.kind;
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
                    "the stored {} {} cannot be read back: {m}",
                    kind.lower(),
                    c.name
                ))
            })?;
        if let (Some(p), Some(o)) = (stopped_parallelism(existing), stored.as_object_mut()) {
            o.insert("parallelism".into(), json!(p));
        }
        let normal = crate::library::normalized(kind, &config).map_err(|r| rejected(kind, r))?;
        let ids = (c.tenant.as_str(), c.namespace.as_str(), c.name.as_str());
        let refused = refused_changes(kind, ids, &stored, &normal);
        if !refused.is_empty() {
            return Err(ApiError::bad_request(refused.join("; ")));
        }
        effective = merge_update(stored, submitted);
        config = effective.to_string();
    }
    let (url, file_name) = match &form.uploaded {
        Some((up, file)) => (Some(up.url.clone()), Some(file.as_str())),
        None => {
            check_package(kind, state, form.url.as_deref(), &effective).await?;
            (form.url.clone(), None)
        }
    };
    if kind == Kind::Function {
        let before = effective.clone();
        fill_type_args(state, url.as_deref(), &mut effective).await?;
        if effective != before {
            config = effective.to_string();
        }
    }
    let secrets = existing_secrets(state).await?;
    let catalogue = state.catalogue();
    let mut generated = state
        .library()
        .convert(
            &catalogue,
            Submission {
                kind,
                config: &config,
                tenant: &c.tenant,
                namespace: &c.namespace,
                name: &c.name,
                package_url: url.as_deref(),
                package_file_name: file_name,
                identity: who,
            },
            secrets,
        )
        .map_err(|r| rejected(kind, r))?;
    // The package the worker stored (now, or at an earlier create or update that this one keeps
    // using) is marked on the resource: delete removes it.
    let kept = existing
        .and_then(|e| e.pointer("/metadata/annotations"))
        .and_then(|a| a.get(UPLOADED_ANNOTATION))
        .and_then(Value::as_str)
        .filter(|was| package_url(kind, url.as_deref(), &effective) == Some(*was))
        .map(str::to_owned);
    if let Some(mark) = url.filter(|_| form.uploaded.is_some()).or(kept) {
        annotate(&mut generated.resource, UPLOADED_ANNOTATION, &mark);
    }
    Ok((generated, form.update_options.unwrap_or_default()))
}

fn annotate(resource: &mut Value, key: &str, value: &str) {
    if let Some(meta) = resource.get_mut("metadata").and_then(Value::as_object_mut) {
        let ann = meta.entry("annotations").or_insert_with(|| json!({}));
        if let Some(a) = ann.as_object_mut() {
            a.insert(key.into(), json!(value));
        }
    }
}

pub(super) async fn create(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
    req: Request,
) -> Result<StatusCode> {
    c.admit(&state, &who, Operation::Create).await?;
    let kind = c.kind;
    let (g, _) = generate(&c, &state, &who, None, req).await?;
    let store = state.store();
    // A real create: of two concurrent creates of one name, the API server lets one through.
    let stored = store
        .create(kind, g.resource.clone())
        .await
        .map_err(|e| match e {
            KubeError::Conflict(_) => c.exists(),
            other => kube_fault(other),
        })?;
    // The Secrets follow, owned by the resource (only the creator writes them).
    for s in &g.secrets {
        if let Err(e) = store.apply_secret(kind, &g.name, uid(&stored), s).await {
            // Leave nothing half made: the resource goes (its garbage collects the rest).
            if let Err(undo) = store.delete(kind, &g.name).await {
                tracing::error!(resource = %g.name, error = %undo, "undoing a failed create failed");
            }
            return Err(kube_fault(e));
        }
    }
    tracing::info!(kind = kind.lower(), tenant = %c.tenant, namespace = %c.namespace,
        name = %c.name, resource = %g.name, "created");
    Ok(StatusCode::NO_CONTENT)
}

/// A stopped component stays stopped: its new parallelism goes to the annotation start reads.
fn keep_stopped(resource: &mut Value) {
    let wanted = resource
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if let Some(spec) = resource.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("replicas".into(), json!(0));
    }
    annotate(resource, STOPPED_ANNOTATION, &wanted.to_string());
}

pub(super) async fn update(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
    req: Request,
) -> Result<StatusCode> {
    c.admit(&state, &who, Operation::Update).await?;
    let kind = c.kind;
    let (_, existing) = c.lookup(&state).await?;
    let (mut g, options) = generate(&c, &state, &who, Some(&existing), req).await?;
    let rv = resource_version(&existing)?;
    if stopped_parallelism(&existing).is_some() {
        keep_stopped(&mut g.resource);
    }
    let store = state.store();
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
            KubeError::Conflict(_) => c.changed_meanwhile("it was being updated"),
            other => kube_fault(other),
        })?;
    for stale in owned.iter().filter(|o| {
        !g.secrets
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some(o.as_str()))
    }) {
        store.delete_secret(stale).await.map_err(kube_fault)?;
    }
    tracing::info!(kind = kind.lower(), tenant = %c.tenant, namespace = %c.namespace,
        name = %c.name, "updated");
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn delete(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
) -> Result<StatusCode> {
    c.admit(&state, &who, Operation::Delete).await?;
    let store = state.store();
    let (resource_name, resource) = c.lookup(&state).await?;
    let uploaded = resource
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(UPLOADED_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(PackageName::parse);
    if !store
        .delete(c.kind, &resource_name)
        .await
        .map_err(kube_fault)?
    {
        return Err(c.missing());
    }
    for s in store
        .owned_secrets(c.kind, &resource_name)
        .await
        .map_err(kube_fault)?
    {
        store.delete_secret(&s).await.map_err(kube_fault)?;
    }
    if let Some(pkg) = uploaded {
        match state.packages() {
            Some(Ok(p)) => {
                p.delete(&pkg).await.map_err(|e| {
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        format!(
                            "{} {} is deleted, but its uploaded package {} is not: {e}",
                            c.kind.as_str(),
                            c.name,
                            pkg.url()
                        ),
                    )
                })?;
            }
            _ => {
                tracing::warn!(package = %pkg.url(), "no package service: the uploaded package stays")
            }
        }
    }
    tracing::info!(kind = c.kind.lower(), tenant = %c.tenant, namespace = %c.namespace,
        name = %c.name, "deleted");
    Ok(StatusCode::NO_CONTENT)
}
