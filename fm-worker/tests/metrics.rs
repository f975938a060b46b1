//! `/metrics`: requests per endpoint, their latency, and failed Kubernetes calls.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use http::{Method, StatusCode};
use support::*;

fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && labels.iter().all(|lb| l.contains(lb)))
        .find_map(|l| l.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn requests_latency_and_kube_errors_are_counted() {
    let (app, fake) = worker();
    create_function(&app, "m").await;
    for _ in 0..2 {
        let a = send(
            &app,
            request(Method::GET, "/admin/v3/functions/public/default/m"),
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/functions/public/default/nope"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    fake.fail_next(Method::GET, "/functions", 500);
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/functions/public/default"),
    )
    .await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    let a = send(&app, request(Method::GET, "/no/such/path")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);

    let m = send(&app, request(Method::GET, "/metrics")).await;
    assert_eq!(m.status, StatusCode::OK);
    let t = &m.text;
    let get = "endpoint=\"/admin/v3/functions/{tenant}/{namespace}/{name}\"";
    assert_eq!(
        sample(
            t,
            "fmesh_worker_requests_total",
            &[get, "method=\"GET\"", "status=\"200\""]
        ),
        Some(2.0),
        "{t}"
    );
    assert_eq!(
        sample(
            t,
            "fmesh_worker_requests_total",
            &[get, "method=\"GET\"", "status=\"404\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            t,
            "fmesh_worker_requests_total",
            &[get, "method=\"POST\"", "status=\"204\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            t,
            "fmesh_worker_requests_total",
            &["endpoint=\"unmatched\"", "status=\"404\""]
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            t,
            "fmesh_worker_request_duration_seconds_count",
            &[get, "method=\"GET\""]
        ),
        Some(3.0)
    );
    // The failed list is a kube error; the 404 of an unknown name is not.
    assert_eq!(
        sample(
            t,
            "fmesh_worker_kube_errors_total",
            &["operation=\"list\"", "error=\"other\""]
        ),
        Some(1.0),
        "{t}"
    );
    assert_eq!(
        t.lines()
            .filter(|l| l.starts_with("fmesh_worker_kube_errors_total"))
            .count(),
        1
    );
    // Names from paths never become labels.
    assert!(!t.contains("nope") && !t.contains("/default/m"), "{t}");
}
