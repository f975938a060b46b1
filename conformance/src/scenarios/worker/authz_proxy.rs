//! Scenario 10, proxies: the worker's proxy role acts with the rights of the role it names in
//! `X-Original-Principal` (allowed for an authorized principal, refused for an unauthorized one,
//! refused without a principal), and a role that is not a proxy cannot act as someone else by
//! sending the header. Raw HTTP, as the Pulsar proxy forwards requests.

use serde_json::json;

use super::authz::{
    fn_config, Authz, AUTHZ_NS, FN_DEV, IO_DEV, NOBODY, PNS, PROXY, TENANT, TENANT_ADMIN,
};
use super::authz_http::{create_form, Answer, Raw};
use super::authz_refused::{expect_unchanged, refused_everywhere, snapshot};
use super::support::{stored_in, PACKAGE};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{Ctx, Require, ScenarioResult};

fn want_status(
    o: &mut Outcome,
    what: &str,
    got: Result<Answer, String>,
    want: &[u16],
) -> Option<Answer> {
    match got {
        Ok(a) if want.contains(&a.status) => Some(a),
        Ok(a) => {
            o.fail(Failure::new(
                what,
                "status",
                format!("{want:?}"),
                format!("{} {}", a.status, a.body),
            ));
            None
        }
        Err(e) => {
            o.fail(Failure::new(what, "status", format!("{want:?}"), e));
            None
        }
    }
}

/// The scenario.
pub async fn proxy_roles(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let a = Authz::prepare(ctx, &mut o).await?;
    let (st, w) = super::support::launch_with_access(ctx, AUTHZ_NS, &a.worker_config(AUTHZ_NS))
        .await
        .require("fmesh worker (authentication and authorization on)")?;
    let raw = Raw::new(w.addr);
    let lib = st.library();
    let proxy = a.token(PROXY);
    let fns = format!("/admin/v3/functions/{TENANT}/{PNS}");
    let f = fm_worker::Kind::Function;

    // Through the proxy for the functions role: list, create, get, delete all go through.
    let name = "az-proxied";
    let path = format!("{fns}/{name}");
    let form = create_form(f, &fn_config(name).to_string(), Some(PACKAGE));
    let via = Some(FN_DEV);
    want_status(
        &mut o,
        "proxy for the functions role: list",
        raw.as_role("GET", &fns, &proxy, via, None).await,
        &[200],
    );
    want_status(
        &mut o,
        "proxy for the functions role: create",
        raw.as_role("POST", &path, &proxy, via, Some(&form)).await,
        &[200, 204],
    );
    let resource = lib.resource_name(TENANT, PNS, name);
    let r = stored_in(ctx, AUTHZ_NS, f, &resource).await;
    if r.is_none() {
        o.fail(Failure::new(
            format!("Function {AUTHZ_NS}/{resource}"),
            "-",
            "created through the proxy",
            "absent",
        ));
    }
    if let Some(got) = want_status(
        &mut o,
        "proxy for the functions role: get",
        raw.as_role("GET", &path, &proxy, via, None).await,
        &[200],
    ) {
        let v: serde_json::Value = serde_json::from_str(&got.body).unwrap_or_default();
        if v["name"] != json!(name) {
            o.fail(Failure::new(
                "proxy for the functions role: get",
                "name",
                name,
                got.body,
            ));
        }
    }

    // Through the proxy for a role without rights: refused on every endpoint, nothing written.
    let before = snapshot(ctx, AUTHZ_NS)
        .await
        .require("API server snapshot")?;
    refused_everywhere(
        &mut o,
        &raw,
        &format!("{PROXY} for {NOBODY}"),
        &proxy,
        Some(NOBODY),
        name,
    )
    .await;
    // A proxy naming nobody, or another proxy, is refused too (Pulsar's rule).
    want_status(
        &mut o,
        "proxy without X-Original-Principal: list",
        raw.as_role("GET", &fns, &proxy, None, None).await,
        &[401, 403],
    );
    want_status(
        &mut o,
        "proxy for itself: list",
        raw.as_role("GET", &fns, &proxy, Some(PROXY), None).await,
        &[401, 403],
    );
    // The proxy's own rights do not stand in for the principal's: the sinks role may not
    // create a function through it, nor the functions role a sink.
    let form2 = create_form(f, &fn_config("az-proxy-io").to_string(), Some(PACKAGE));
    want_status(
        &mut o,
        "proxy for the sinks role: function create",
        raw.as_role(
            "POST",
            &format!("{fns}/az-proxy-io"),
            &proxy,
            Some(IO_DEV),
            Some(&form2),
        )
        .await,
        &[401, 403],
    );

    // A role that is not a proxy cannot act as someone else by naming them.
    let nobody = a.token(NOBODY);
    refused_everywhere(
        &mut o,
        &raw,
        &format!("{NOBODY} naming {TENANT_ADMIN}"),
        &nobody,
        Some(TENANT_ADMIN),
        name,
    )
    .await;
    let dev = a.token(FN_DEV);
    let sink = json!({
        "tenant": TENANT, "namespace": PNS, "name": "az-borrow", "archive": "builtin://elastic_search",
        "inputs": [format!("persistent://{TENANT}/{PNS}/az-borrow-in")]
    })
    .to_string();
    let sink_form = create_form(fm_worker::Kind::Sink, &sink, None);
    want_status(
        &mut o,
        "functions role naming the tenant admin: sink create",
        raw.as_role(
            "POST",
            &format!("/admin/v3/sinks/{TENANT}/{PNS}/az-borrow"),
            &dev,
            Some(TENANT_ADMIN),
            Some(&sink_form),
        )
        .await,
        &[401, 403],
    );
    // Naming itself is allowed (Pulsar accepts an original principal equal to the role).
    want_status(
        &mut o,
        "functions role naming itself: list",
        raw.as_role("GET", &fns, &dev, Some(FN_DEV), None).await,
        &[200],
    );
    expect_unchanged(ctx, &mut o, &before, "nothing written by refused calls").await?;

    want_status(
        &mut o,
        "proxy for the functions role: delete",
        raw.as_role("DELETE", &path, &proxy, via, None).await,
        &[200, 204],
    );
    if stored_in(ctx, AUTHZ_NS, f, &resource).await.is_some() {
        o.fail(Failure::new(
            format!("Function {AUTHZ_NS}/{resource}"),
            "-",
            "deleted through the proxy",
            "still there",
        ));
    }
    let _ = w.stop().await;
    Ok(o)
}
