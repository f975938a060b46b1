//! Scenario 10, replicas: two workers serve one namespace, each answering get and list from its
//! own watch-fed mirror. Each reads its own writes at once (no waiting, no retry) and the other's
//! once its watch delivers them (within a few seconds); every answer counted here came from the
//! mirror, not from a call to the API server.

use std::time::{Duration, Instant};

use super::router::{call, create_request, list, mirror_reads, names, ready_namespace};
use super::support::{state, PULSAR_NS, TENANT};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};
use fm_worker::WorkerState;

/// Kubernetes namespace of the two workers (nothing else writes there).
const NS: &str = "fmesh-worker-replicas";
/// How long the other replica may take to see a change.
const PROPAGATION: Duration = Duration::from_secs(10);

fn get(name: &str) -> http::Request<axum::body::Body> {
    http::Request::get(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{name}"))
        .body(axum::body::Body::empty())
        .unwrap_or_default()
}

fn delete(name: &str) -> http::Request<axum::body::Body> {
    http::Request::delete(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{name}"))
        .body(axum::body::Body::empty())
        .unwrap_or_default()
}

/// One replica: its state, its router and its mirror's task (stopped when dropped).
struct Replica {
    state: WorkerState,
    app: axum::Router,
    mirror: tokio::task::JoinHandle<()>,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.mirror.abort();
    }
}

async fn replica(ctx: &Ctx<'_>) -> Result<Replica, String> {
    let state = state(ctx, NS, false).await?;
    let mirror = tokio::spawn(state.mirror_task());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !state.store().mirror().synced() {
        if Instant::now() > deadline {
            return Err("the mirror did not fill within 20 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(Replica {
        app: fm_worker::router(state.clone()),
        state,
        mirror,
    })
}

/// Polls `check` on `r` until it holds or [`PROPAGATION`] runs out; the time it took.
async fn until(
    r: &Replica,
    check: impl Fn(u16, &str) -> bool,
    req: impl Fn() -> http::Request<axum::body::Body>,
) -> Option<Duration> {
    let t0 = Instant::now();
    while t0.elapsed() < PROPAGATION {
        let (status, body) = call(&r.app, req()).await;
        if check(status, &body) {
            return Some(t0.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

/// Scenario: see the module documentation.
pub async fn two_replicas(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    ready_namespace(ctx, NS).await?;
    // Whatever an interrupted earlier run left there goes first.
    let ar = fm_worker::library::api_resource(fm_worker::Kind::Function);
    let functions: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(ctx.backend.client(), NS, &ar);
    functions
        .delete_collection(&Default::default(), &Default::default())
        .await
        .map_err(|e| e.to_string())
        .require("delete leftover Functions")?;
    let a = replica(ctx).await.require("worker A")?;
    let b = replica(ctx).await.require("worker B")?;
    let reads = |r: &Replica| mirror_reads(&r.state);
    let (a0, b0) = (reads(&a), reads(&b));

    // A's own create, then A's get and list at once.
    let (status, body) = call(&a.app, create_request("rep-a")).await;
    if status != 204 {
        o.fail(Failure::new(
            "A: create rep-a",
            "status",
            "204",
            format!("{status} {body}"),
        ));
    }
    // A's store told A's mirror the version the API server gave its write (deterministic, unlike
    // the timing of the reads below).
    let stored = functions
        .list(&Default::default())
        .await
        .map_err(|e| e.to_string())
        .require("list Functions")?;
    let version = stored
        .items
        .iter()
        .filter_map(|f| f.metadata.resource_version.as_deref()?.parse::<u64>().ok())
        .max()
        .unwrap_or(u64::MAX);
    let (writes, last) = a
        .state
        .store()
        .mirror()
        .own_writes(fm_worker::Kind::Function);
    if writes == 0 || last != version {
        o.fail(Failure::new(
            "A's mirror: its own create",
            "writes / last version",
            format!("≥ 1 / {version} (the stored resource's)"),
            format!("{writes} / {last}"),
        ));
    }
    let (status, body) = call(&a.app, get("rep-a")).await;
    if status != 200 || !body.contains("\"name\":\"rep-a\"") {
        o.fail(Failure::new(
            "A: get rep-a right after its create",
            "-",
            "200 with the config",
            format!("{status} {body}"),
        ));
    }
    let (status, body) = list(&a.app).await;
    if status != 200 || names(&body) != Some(vec!["rep-a".to_owned()]) {
        o.fail(Failure::new(
            "A: list right after its create",
            "-",
            "[\"rep-a\"]",
            format!("{status} {body}"),
        ));
    }
    // B sees it once its watch delivers it.
    let seen = until(
        &b,
        |s, body| s == 200 && names(body) == Some(vec!["rep-a".to_owned()]),
        || {
            http::Request::get(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}"))
                .body(axum::body::Body::empty())
                .unwrap_or_default()
        },
    )
    .await;
    match seen {
        Some(t) => o.note(format!("B listed A's create after {} ms", t.as_millis())),
        None => o.fail(Failure::new(
            "B: list after A's create",
            "-",
            format!("[\"rep-a\"] within {PROPAGATION:?}"),
            "never",
        )),
    }
    let (status, _) = call(&b.app, get("rep-a")).await;
    if status != 200 {
        o.fail(Failure::new(
            "B: get rep-a",
            "status",
            "200",
            status.to_string(),
        ));
    }

    // B deletes it: B's get is 404 at once, A's within the propagation time.
    let (b_writes, _) = b
        .state
        .store()
        .mirror()
        .own_writes(fm_worker::Kind::Function);
    let (status, body) = call(&b.app, delete("rep-a")).await;
    let (b_after, _) = b
        .state
        .store()
        .mirror()
        .own_writes(fm_worker::Kind::Function);
    if b_after != b_writes + 1 {
        o.fail(Failure::new(
            "B's mirror: its own delete",
            "writes reported",
            (b_writes + 1).to_string(),
            b_after.to_string(),
        ));
    }
    if status != 204 {
        o.fail(Failure::new(
            "B: delete rep-a",
            "status",
            "204",
            format!("{status} {body}"),
        ));
    }
    let (status, body) = call(&b.app, get("rep-a")).await;
    if status != 404 {
        o.fail(Failure::new(
            "B: get rep-a right after its delete",
            "status",
            "404",
            format!("{status} {body}"),
        ));
    }
    let (status, body) = list(&b.app).await;
    if status != 200 || names(&body) != Some(Vec::new()) {
        o.fail(Failure::new(
            "B: list right after its delete",
            "-",
            "[]",
            format!("{status} {body}"),
        ));
    }
    match until(&a, |s, _| s == 404, || get("rep-a")).await {
        Some(t) => o.note(format!(
            "A answered 404 for B's delete after {} ms",
            t.as_millis()
        )),
        None => o.fail(Failure::new(
            "A: get after B's delete",
            "status",
            format!("404 within {PROPAGATION:?}"),
            "never",
        )),
    }

    // Every get and list above came from the mirrors (a read the mirror could not vouch for
    // would have gone to the API server and not be counted here).
    let (a1, b1) = (reads(&a), reads(&b));
    if a1 < a0 + 3 || b1 < b0 + 4 {
        o.fail(Failure::new(
            "answers from the mirror",
            "A / B",
            format!("≥ {} / ≥ {}", a0 + 3, b0 + 4),
            format!("{a1} / {b1}"),
        ));
    }
    Ok(o)
}
