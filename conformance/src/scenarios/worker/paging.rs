//! Scenario 10, paging: the worker's list reads the API server page by page (`limit` /
//! `continue`), metadata only, and gets every name exactly once; a continue token that etcd's
//! compaction expired (410 Gone) makes the list start again. The worker's mirror fills itself
//! page by page too, and then answers the list.

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use serde_json::{json, Value};

use super::router::{call, create_request, list, mirror_reads, names, ready_namespace};
use super::support::{state, PULSAR_NS, TENANT};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};
use fm_worker::error::KubeError;
use fm_worker::store::MetadataPage;
use fm_worker::{Kind, Library};

/// Kubernetes namespace of this scenario's worker (nothing else writes there).
const NS: &str = "fmesh-worker-paging";
/// The page size the worker is given: far below the number of functions.
const PAGE: u32 = 2;
/// Functions created before the first list.
const COUNT: usize = 7;

/// POSTs a JSON body to etcd's gRPC gateway.
fn etcd_post(etcd: &str, path: &str, body: &Value) -> Result<Value, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(format!("{etcd}{path}"))
        .header("content-type", "application/json")
        .send(body.to_string())
        .map_err(|e| format!("etcd {path}: {e}"))?;
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("etcd {path}: {e}"))?;
    if status != 200 {
        return Err(format!("etcd {path}: HTTP {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("etcd {path}: {e}: {text}"))
}

/// Writes a key outside the API server's prefix (a new revision) and compacts etcd's history up to
/// that revision: every continue token issued before is then too old.
fn advance_and_compact(etcd: &str) -> Result<(), String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let put = etcd_post(
        etcd,
        "/v3/kv/put",
        &json!({"key": b64("fmesh-conformance/paging"), "value": b64("bump")}),
    )?;
    let revision = put
        .pointer("/header/revision")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("etcd put: no revision in {put}"))?
        .to_owned();
    etcd_post(
        etcd,
        "/v3/kv/compaction",
        &json!({"revision": revision, "physical": true}),
    )?;
    Ok(())
}

/// The worker's list with a page size of 2 over 7 functions: every name exactly once, in
/// Pulsar's order; one API-server page holds 2. With the backend's etcd: an old continue token
/// after a compaction is 410 Gone ([`KubeError::Expired`]), and a list whose token expires
/// midway starts again and still gives every name once.
pub async fn list_pages(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    // The router alone, without the mirror that `serve` runs: lists go to the API server.
    ready_namespace(ctx, NS).await?;
    let st = state(ctx, NS, false).await.require("fmesh worker")?;
    st.check_cluster()
        .await
        .map_err(|e| e.to_string())
        .require("CRDs")?;
    st.store().set_list_page_size(PAGE);
    let app = fm_worker::router(st.clone());
    let mut want: Vec<String> = (0..COUNT).map(|i| format!("wp{i}")).collect();
    for n in &want {
        let (status, body) = call(&app, create_request(n)).await;
        if status != 204 {
            o.fail(Failure::new(
                format!("create {n}"),
                "status",
                "204",
                format!("{status} {body}"),
            ));
        }
    }
    want.sort();
    let (status, body) = list(&app).await;
    if status != 200 || names(&body).as_ref() != Some(&want) {
        o.fail(Failure::new(
            format!("list (page size {PAGE})"),
            "-",
            serde_json::to_string(&want).unwrap_or_default(),
            format!("{status} {body}"),
        ));
    }
    let selector = st.library().list_selectors(TENANT, PULSAR_NS)[0].clone();
    let store = st.store();
    let first = match store
        .list_metadata_page(Kind::Function, &selector, None)
        .await
    {
        Ok(p) => p,
        Err(e) => {
            o.fail(Failure::new("first page", "-", "a page", e.to_string()));
            return Ok(o);
        }
    };
    if first.items.len() != PAGE as usize || first.next.is_none() {
        o.fail(Failure::new(
            "first page",
            "items / continue",
            format!("{PAGE} / a token"),
            format!("{} / {:?}", first.items.len(), first.next.is_some()),
        ));
    }
    let Some(etcd) = ctx.backend.etcd_url() else {
        o.note("continue-token expiry not checked: this backend does not expose its etcd");
        return Ok(o);
    };
    // One more function, so the restarted list has something the first walk had not seen.
    let (status, body) = call(&app, create_request("wp7")).await;
    if status != 204 {
        o.fail(Failure::new(
            "create wp7",
            "status",
            "204",
            format!("{status} {body}"),
        ));
    }
    want.push("wp7".into());
    want.sort();
    if let Err(e) = advance_and_compact(&etcd) {
        o.fail(Failure::new("etcd compaction", "-", "done", e));
        return Ok(o);
    }
    match store
        .list_metadata_page(Kind::Function, &selector, first.next.as_deref())
        .await
    {
        Err(KubeError::Expired(_)) => {}
        other => o.fail(Failure::new(
            "next page after compaction",
            "-",
            "410 Gone (KubeError::Expired)",
            format!("{:?}", other.map(|p| p.items.len())),
        )),
    }
    // A walk whose token expires after its first page: it starts again, every name once.
    let calls = AtomicUsize::new(0);
    let walked = fm_worker::store::collect_pages(
        |token| {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let (store, selector, etcd) = (&store, &selector, &etcd);
            async move {
                if n == 1 {
                    advance_and_compact(etcd).map_err(KubeError::Other)?;
                }
                let page: Result<MetadataPage, KubeError> = store
                    .list_metadata_page(Kind::Function, selector, token.as_deref())
                    .await;
                page
            }
        },
        Library::component_name_of,
    )
    .await;
    let pages = calls.load(Ordering::SeqCst);
    match walked {
        Ok(mut got) => {
            got.sort();
            // 8 names in pages of 2: 4 pages, plus the first page and the expired call before
            // the restart.
            if got != want || pages != want.len() / PAGE as usize + 2 {
                o.fail(Failure::new(
                    "list restarted after 410 Gone",
                    "names / calls",
                    format!("{want:?} / {}", want.len() / PAGE as usize + 2),
                    format!("{got:?} / {pages}"),
                ));
            }
        }
        Err(e) => o.fail(Failure::new(
            "list restarted after 410 Gone",
            "-",
            "every name",
            e.to_string(),
        )),
    }
    let (status, body) = list(&app).await;
    if status != 200 || names(&body).as_ref() != Some(&want) {
        o.fail(Failure::new(
            "list after the compaction",
            "-",
            serde_json::to_string(&want).unwrap_or_default(),
            format!("{status} {body}"),
        ));
    }
    // The mirror fills itself with the same page size: every name, answered without a list
    // call per request.
    let mirror = tokio::spawn(st.mirror_task());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !st.store().mirror().synced() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let before = mirror_reads(&st);
    let (status, body) = list(&app).await;
    if status != 200 || names(&body).as_ref() != Some(&want) || mirror_reads(&st) != before + 1 {
        o.fail(Failure::new(
            "list from the mirror (filled in pages of 2)",
            "names / answers from the mirror",
            format!(
                "{} / {}",
                serde_json::to_string(&want).unwrap_or_default(),
                before + 1
            ),
            format!("{status} {body} / {}", mirror_reads(&st)),
        ));
    }
    mirror.abort();
    o.note(format!(
        "{} functions listed in pages of {PAGE}; an expired continue token restarted the list; \
         the mirror, filled in pages of {PAGE}, lists them all",
        want.len()
    ));
    Ok(o)
}
