//! Scenario 10, concurrency and restart: concurrent creates, a stale update, a restarted worker.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use serde_json::{json, Value};
use tower::ServiceExt;

use super::router::create_request;
use super::support::{admin, check, start, stored, NS, PULSAR_NS, TENANT};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

/// One concurrent create: its name and the HTTP status it got.
type Call = Pin<Box<dyn Future<Output = (String, u16)> + Send>>;

/// 16 creates at once all land; an update with a stale resource version is refused by the API
/// server (409), not applied; a new worker (a restart: state is only in the API server) lists
/// the same functions to pulsar-admin.
pub async fn concurrency_and_restart(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let (st, w) = start(ctx).await.require("fmesh worker")?;
    let app = fm_worker::router(st.clone());
    let names: Vec<String> = (0..16).map(|i| format!("wc{i:02}")).collect();
    let calls: Vec<Call> = names
        .iter()
        .map(|n| {
            let app = app.clone();
            let req = create_request(n);
            let n = n.clone();
            Box::pin(async move {
                let status = match app.oneshot(req).await {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => match e {},
                };
                (n, status)
            }) as Call
        })
        .collect();
    let t0 = Instant::now();
    let results = futures::future::join_all(calls.into_iter().map(tokio::spawn)).await;
    let took = t0.elapsed();
    for r in results {
        match r {
            Ok((n, 204)) => {
                let rn = st.library().resource_name(TENANT, PULSAR_NS, &n);
                if stored(ctx, fm_worker::Kind::Function, &rn).await.is_none() {
                    o.fail(Failure::new(
                        format!("Function {NS}/{rn}"),
                        "-",
                        "created",
                        "absent",
                    ));
                }
            }
            Ok((n, s)) => o.fail(Failure::new(
                format!("create {n}"),
                "status",
                "204",
                s.to_string(),
            )),
            Err(e) => o.fail(Failure::new("create task", "-", "finished", e.to_string())),
        }
    }
    o.note(format!("16 concurrent creates: {:.2}s", took.as_secs_f64()));
    // A stale resource version: the API server refuses the apply; the newer change stays.
    let first = st.library().resource_name(TENANT, PULSAR_NS, &names[0]);
    let fobj = format!("Function {NS}/{first}");
    if let Some(r) = stored(ctx, fm_worker::Kind::Function, &first).await {
        let rv = r
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut newer = r.clone();
        strip_server_fields(&mut newer);
        newer["spec"]["replicas"] = json!(2);
        if let Err(e) = st
            .store()
            .apply(fm_worker::Kind::Function, &first, newer, Some(&rv))
            .await
        {
            o.fail(Failure::new(
                &fobj,
                "apply with the current resourceVersion",
                "accepted",
                e.to_string(),
            ));
        }
        let mut stale = r.clone();
        strip_server_fields(&mut stale);
        stale["spec"]["replicas"] = json!(5);
        match st
            .store()
            .apply(fm_worker::Kind::Function, &first, stale, Some(&rv))
            .await
        {
            Err(fm_worker::error::KubeError::Conflict(_)) => {}
            other => o.fail(Failure::new(
                &fobj,
                "apply with a stale resourceVersion",
                "409 Conflict",
                format!("{other:?}"),
            )),
        }
        let now = stored(ctx, fm_worker::Kind::Function, &first).await;
        check(&mut o, &fobj, &now, "/spec/replicas", json!(2));
    } else {
        o.fail(Failure::new(&fobj, "-", "present", "absent"));
    }
    // Restart: stop this worker, start another; pulsar-admin lists the same 16.
    let _ = w.stop().await;
    let (_st2, w2) = start(ctx).await.require("fmesh worker (restarted)")?;
    let listed = match admin(
        p,
        Some(&w2.url()),
        &[
            "functions",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS,
        ],
    ) {
        Ok(s) => s,
        Err(e) => {
            o.fail(Failure::new(
                "functions list (restarted worker)",
                "-",
                "exit 0",
                e,
            ));
            String::new()
        }
    };
    for n in &names {
        if !listed.lines().any(|l| {
            l.trim()
                .trim_matches('"')
                .trim_end_matches(',')
                .trim_matches('"')
                == n
        }) {
            o.fail(Failure::new(
                "functions list (restarted worker)",
                n,
                "listed",
                listed.clone(),
            ));
            break;
        }
    }
    // Clean up through the worker.
    for n in &names {
        let req = http::Request::builder()
            .method("DELETE")
            .uri(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{n}"))
            .body(axum::body::Body::empty())
            .unwrap_or_default();
        let _ = fm_worker::router(_st2.clone()).oneshot(req).await;
    }
    let _ = w2.stop().await;
    Ok(o)
}

fn strip_server_fields(r: &mut Value) {
    if let Some(m) = r.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            m.remove(k);
        }
    }
    if let Some(o) = r.as_object_mut() {
        o.remove("status");
    }
}
