//! Start / stop / restart, and the worker-wide endpoints: connectors, config definitions, reload.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::StatusCode;
use serde_json::{json, Value};

use super::{
    admit_worker_wide, enabled, kube_fault, resource_version, stopped_parallelism, Named, Result,
};
use crate::error::{ApiError, KubeError};
use crate::identity::{Identity, Operation};
use crate::store::{RESTARTED_AT_ANNOTATION, STOPPED_ANNOTATION};
use crate::{Kind, WorkerState};

pub(super) async fn lifecycle(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
    Path((_, _, _, action)): Path<(String, String, String, String)>,
) -> Result<StatusCode> {
    if !matches!(action.as_str(), "start" | "stop" | "restart") {
        return Err(ApiError::not_found(format!(
            "no such endpoint: POST …/{}/{action}",
            c.name
        )));
    }
    c.admit(&state, &who, Operation::Lifecycle).await?;
    let (resource_name, resource) = c.lookup(&state).await?;
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
            .merge_patch(c.kind, &resource_name, patch, &rv)
            .await
            .map_err(|e| match e {
                KubeError::Conflict(_) => c.changed_meanwhile(&format!("{action} ran")),
                other => kube_fault(other),
            })?;
    }
    tracing::info!(
        kind = c.kind.lower(),
        tenant = %c.tenant,
        namespace = %c.namespace,
        name = %c.name,
        %action,
        "lifecycle"
    );
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn instance_lifecycle(
    State(state): State<WorkerState>,
    Extension(kind): Extension<Kind>,
    who: Identity,
    c: Named,
    Path((_, _, name, instance, action)): Path<(String, String, String, String, String)>,
) -> Response {
    if !matches!(action.as_str(), "start" | "stop" | "restart") {
        return ApiError::not_found(format!(
            "no such endpoint: POST …/{name}/{instance}/{action}"
        ))
        .into_response();
    }
    // Authorized first, as every component endpoint (a caller without rights gets 401).
    if let Err(refused) = c.admit(&state, &who, Operation::Lifecycle).await {
        return refused.into_response();
    }
    ApiError::bad_request(format!(
        "Function Mesh runs all instances of a {} as one StatefulSet: one instance cannot \
         {action} on its own; {action} the whole {} (leave out the instance id)",
        kind.lower(),
        kind.lower()
    ))
    .into_response()
}

pub(super) async fn connectors(
    Extension(kind): Extension<Kind>,
    State(state): State<WorkerState>,
    who: Identity,
) -> Result<Json<Value>> {
    enabled(kind, &state)?;
    admit_worker_wide(kind, &state, &who, Operation::Connectors).await?;
    let c = state.catalogue();
    Ok(Json(match kind {
        Kind::Function => c.all(),
        Kind::Sink => c.sinks(),
        Kind::Source => c.sources(),
    }))
}

pub(super) async fn config_definition(
    Extension(kind): Extension<Kind>,
    State(state): State<WorkerState>,
    who: Identity,
    Path(connector): Path<String>,
) -> Result<Json<Value>> {
    enabled(kind, &state)?;
    admit_worker_wide(kind, &state, &who, Operation::Connectors).await?;
    if !state.catalogue().has(kind, &connector) {
        return Err(ApiError::not_found(format!(
            "built-in {} {connector} doesn't exist",
            kind.lower()
        )));
    }
    // The catalogue carries no config field definitions.
    Ok(Json(json!([])))
}

pub(super) async fn reload(
    Extension(kind): Extension<Kind>,
    State(state): State<WorkerState>,
    who: Identity,
) -> Result<StatusCode> {
    admit_worker_wide(kind, &state, &who, Operation::Reload).await?;
    let n = state.reload_catalogue().map_err(|e| {
        ApiError::internal(format!("the connector catalogue cannot be reloaded: {e}"))
    })?;
    tracing::info!(connectors = n, "connector catalogue reloaded");
    Ok(StatusCode::NO_CONTENT)
}
