//! Reading: get, list, status.

use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

use super::{kube_fault, stopped_parallelism, Named, Result};
use crate::error::ApiError;
use crate::identity::{Identity, Operation};
use crate::library::Library;
use crate::mirror::Seen;
use crate::WorkerState;

pub(super) async fn get_config(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
) -> Result<Json<Value>> {
    c.admit(&state, &who, Operation::Get).await?;
    let (_, resource) = read(&c, &state).await?;
    let mut config = state
        .library()
        .config_of(&state.catalogue(), c.kind, &resource)
        .map_err(|m| {
            ApiError::internal(format!(
                "{} {} cannot be shown as a Pulsar config: {m}",
                c.kind.as_str(),
                c.name
            ))
        })?;
    if let (Some(p), Some(o)) = (stopped_parallelism(&resource), config.as_object_mut()) {
        o.insert("parallelism".into(), json!(p));
    }
    Ok(Json(config))
}

pub(super) async fn list(
    State(state): State<WorkerState>,
    who: Identity,
    ns: Named,
) -> Result<Json<Vec<String>>> {
    ns.admit(&state, &who, Operation::List).await?;
    // Pulsar names that are no label value (`=`, `:`, over 63 characters, …) label nothing:
    // nothing can match, from the mirror or from the API server.
    if ![&ns.tenant, &ns.namespace]
        .iter()
        .all(|s| is_label_value(s))
    {
        return Ok(Json(Vec::new()));
    }
    let mirror = state.store().mirror();
    if let Seen::Present(names) = mirror.names(ns.kind, &ns.tenant, &ns.namespace).await {
        state.count_read(ns.kind, "mirror");
        return Ok(Json(names));
    }
    state.count_read(ns.kind, "api_server");
    // Metadata only, page by page: the names are all the answer needs.
    let mut names = std::collections::BTreeSet::new();
    for selector in state.library().list_selectors(&ns.tenant, &ns.namespace) {
        names.extend(
            state
                .store()
                .list_metadata(ns.kind, &selector, Library::component_name_of)
                .await
                .map_err(kube_fault)?,
        );
    }
    Ok(Json(names.into_iter().collect()))
}

/// The stored resource of `c` with its name, from the worker's mirror when it can answer, else
/// from the API server; 404 when there is none.
async fn read(c: &Named, state: &WorkerState) -> Result<(String, Value)> {
    let name = c.resource_name(state);
    match state.store().mirror().resource(c.kind, &name).await {
        Seen::Present(r) => {
            state.count_read(c.kind, "mirror");
            Ok((name, r))
        }
        Seen::Absent => {
            state.count_read(c.kind, "mirror");
            Err(c.missing())
        }
        Seen::Unknown => {
            state.count_read(c.kind, "api_server");
            c.lookup(state).await
        }
    }
}

async fn status_value(c: &Named, state: &WorkerState) -> Result<Value> {
    let (resource_name, resource) = read(c, state).await?;
    let store = state.store();
    let sts = store
        .statefulset(&format!("{resource_name}-{}", c.kind.lower()))
        .await
        .map_err(kube_fault)?;
    let pods = match resource.pointer("/status/selector").and_then(Value::as_str) {
        Some(sel) if !sel.is_empty() => store.pods(sel).await.map_err(kube_fault)?,
        _ => Vec::new(),
    };
    let reports = crate::instance::reports(&pods, crate::instance::TIMEOUT).await;
    Ok(state
        .library()
        .status(c.kind, &resource, sts.as_ref(), &pods, &reports))
}

pub(super) async fn status(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
) -> Result<Json<Value>> {
    c.admit(&state, &who, Operation::Status).await?;
    Ok(Json(status_value(&c, &state).await?))
}

fn instance_id(s: &str) -> Result<i64> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i >= 0)
        .ok_or_else(|| ApiError::bad_request("instance id must be a non-negative integer"))
}

pub(super) async fn instance_status(
    State(state): State<WorkerState>,
    who: Identity,
    c: Named,
    Path((_, _, _, instance)): Path<(String, String, String, String)>,
) -> Result<Json<Value>> {
    c.admit(&state, &who, Operation::Status).await?;
    let id = instance_id(&instance)?;
    let whole = status_value(&c, &state).await?;
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
            ApiError::not_found(format!(
                "{} {} has no instance {id}",
                c.kind.as_str(),
                c.name
            ))
        })
}

/// Whether `s` is a valid Kubernetes label value: at most 63 characters, alphanumerics with `-`,
/// `_` and `.` inside.
fn is_label_value(s: &str) -> bool {
    let inner = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    s.len() <= 63
        && s.chars().all(inner)
        && s.chars().next().is_none_or(|c| c.is_ascii_alphanumeric())
        && s.chars().last().is_none_or(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::is_label_value;

    #[test]
    fn label_values_are_what_a_selector_accepts() {
        for ok in ["", "public", "a", "team-a.prod_1", &"x".repeat(63)] {
            assert!(is_label_value(ok), "{ok}");
        }
        for bad in [
            "a=b",
            "a:b",
            "-a",
            "a-",
            ".a",
            "a_",
            "a b",
            "ü",
            &"x".repeat(64),
        ] {
            assert!(!is_label_value(bad), "{bad}");
        }
    }
}
