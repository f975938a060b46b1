//! Driving a worker's router in-process (no listener): requests, answers, and what the worker
//! counted; and the namespace a router scenario starts from.

use serde_json::json;
use tower::ServiceExt;

use super::authz_http::{create_form, BOUNDARY};
use super::support::{ensure_package, CLASS, PACKAGE, PULSAR_NS, TENANT};
use crate::scenarios::base::{Ctx, Require, Stop};

/// The multipart create of function `name` in [`TENANT`]/[`PULSAR_NS`] (an input and an output
/// topic, the package [`PACKAGE`]), as `pulsar-admin functions create` sends it.
pub(super) fn create_request(name: &str) -> http::Request<axum::body::Body> {
    let cfg = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": name, "className": CLASS,
        "inputs": [format!("persistent://public/default/{name}-in")],
        "output": format!("persistent://public/default/{name}-out"), "jar": PACKAGE
    });
    let form = create_form(fm_worker::Kind::Function, &cfg.to_string(), Some(PACKAGE));
    http::Request::builder()
        .method("POST")
        .uri(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{name}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(axum::body::Body::from(form))
        .unwrap_or_default()
}

/// `(status, body)` of one request to the worker's router.
pub(super) async fn call(
    app: &axum::Router,
    req: http::Request<axum::body::Body>,
) -> (u16, String) {
    let resp = match app.clone().oneshot(req).await {
        Ok(r) => r,
        Err(e) => match e {},
    };
    let status = resp.status().as_u16();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    (status, body)
}

pub(super) async fn list(app: &axum::Router) -> (u16, String) {
    let req = http::Request::get(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}"))
        .body(axum::body::Body::empty())
        .unwrap_or_default();
    call(app, req).await
}

/// The names of a list answer.
pub(super) fn names(body: &str) -> Option<Vec<String>> {
    serde_json::from_str(body).ok()
}

/// `fmesh_worker_reads_total{kind="function",source="mirror"}` of the worker's metrics.
pub(super) fn mirror_reads(st: &fm_worker::WorkerState) -> u64 {
    let text = st.metrics().map(|m| m.render()).unwrap_or_default();
    text.lines()
        .find(|l| {
            l.starts_with("fmesh_worker_reads_total{")
                && l.contains("kind=\"function\"")
                && l.contains("source=\"mirror\"")
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0)
}

/// The package uploaded (when there is a Pulsar) and the Kubernetes namespace `ns` made.
pub(super) async fn ready_namespace(ctx: &Ctx<'_>, ns: &str) -> Result<(), Stop> {
    if let Ok(p) = ctx.backend.pulsar() {
        ensure_package(ctx, p).require("pulsar-admin packages upload")?;
    }
    crate::kubeutil::ensure_namespace(&ctx.backend.client(), ns)
        .await
        .require(&format!("namespace {ns}"))?;
    Ok(())
}
