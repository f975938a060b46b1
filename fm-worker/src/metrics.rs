//! Prometheus metrics, served at `/metrics` in Prometheus' text format: requests per endpoint
//! (route template, method, status), their latency, and failed calls to the Kubernetes API server.
//! Each [`crate::WorkerState`] has its own registry (no process-wide state), so embedding
//! services and tests can run several workers.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::error::KubeError;
use crate::WorkerState;

/// The worker's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    kube_errors: IntCounterVec,
    reads: IntCounterVec,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// Latency buckets, in seconds: from a cached lookup to an upload.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

impl Metrics {
    /// A fresh registry with the worker's metrics.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "fmesh_worker_requests_total",
                "Requests answered, by endpoint (route template), method and status",
            ),
            &["endpoint", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "fmesh_worker_request_duration_seconds",
                "Time to answer a request, by endpoint (route template) and method",
            )
            .buckets(BUCKETS.to_vec()),
            &["endpoint", "method"],
        )?;
        let kube_errors = IntCounterVec::new(
            Opts::new(
                "fmesh_worker_kube_errors_total",
                "Failed calls to the Kubernetes API server, by operation and error",
            ),
            &["operation", "error"],
        )?;
        let reads = IntCounterVec::new(
            Opts::new(
                "fmesh_worker_reads_total",
                "get and list answers, by kind and where they came from (mirror: the worker's \
                 watch-fed mirror; api_server: a call to the Kubernetes API server)",
            ),
            &["kind", "source"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(reads.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(kube_errors.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            kube_errors,
            reads,
        })
    }

    /// Counts a get or list answer of `kind` from `source` (`mirror` or `api_server`).
    pub fn read_from(&self, kind: crate::Kind, source: &str) {
        self.reads.with_label_values(&[kind.lower(), source]).inc();
    }

    /// Counts a failed Kubernetes call (a missing object is an answer, not a failure).
    pub fn kube_error(&self, operation: &str, e: &KubeError) {
        let error = match e {
            KubeError::NotFound => return,
            KubeError::Conflict(_) => "conflict",
            KubeError::Rejected(_) => "rejected",
            KubeError::Forbidden(_) => "forbidden",
            KubeError::Expired(_) => "expired",
            KubeError::Other(_) => "other",
        };
        self.kube_errors
            .with_label_values(&[operation, error])
            .inc();
    }

    /// The metrics in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into memory fails only for invalid metric families, which this registry
        // cannot hold.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Middleware: counts and times every request by its route template (bounded: never the raw
/// path, which holds names).
pub async fn track(State(state): State<WorkerState>, req: Request, next: Next) -> Response {
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    if let Some(m) = state.metrics() {
        m.latency
            .with_label_values(&[&endpoint, &method])
            .observe(start.elapsed().as_secs_f64());
        m.requests
            .with_label_values(&[&endpoint, &method, resp.status().as_str()])
            .inc();
    }
    resp
}

/// `GET /metrics`.
pub async fn serve(State(state): State<WorkerState>) -> Response {
    let body = state.metrics().map(Metrics::render).unwrap_or_default();
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        body,
    )
        .into_response()
}
