//! Scenario 10, refusals: a role with no rights is refused on every endpoint of every kind (list
//! and get included), with nothing written and with something written, through raw HTTP, the real
//! `pulsar-admin` and the Go client, and the API server shows no change; expired and wrongly signed
//! tokens (and none at all) are 401.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, ListParams};

use super::authz::{
    fn_config, fn_create_args, want_ok, want_refused, Authz, AUTHZ_NS, FN_DEV, NOBODY, PNS, TENANT,
};
use super::authz_http::{create_form, Raw};
use super::support::PACKAGE;
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{Ctx, Require, ScenarioResult, Stop};

/// Fails `o` when a Function, Sink, Source or Secret of [`AUTHZ_NS`] changed since `before` (a
/// [`snapshot`]); `expected` says what the calls in between should have left.
pub async fn expect_unchanged(
    ctx: &Ctx<'_>,
    o: &mut Outcome,
    before: &BTreeMap<String, String>,
    expected: &str,
) -> Result<(), Stop> {
    let after = snapshot(ctx, AUTHZ_NS)
        .await
        .require("API server snapshot")?;
    if *before != after {
        o.fail(Failure::new(
            format!("namespace {AUTHZ_NS}"),
            "Functions, Sinks, Sources, Secrets",
            format!("{before:?} ({expected})"),
            format!("{after:?}"),
        ));
    }
    Ok(())
}

/// `kind/name → resourceVersion` of every Function, Sink, Source and Secret in `ns`.
pub async fn snapshot(ctx: &Ctx<'_>, ns: &str) -> Result<BTreeMap<String, String>, String> {
    let client = ctx.backend.client();
    let mut out = BTreeMap::new();
    for kind in [
        fm_worker::Kind::Function,
        fm_worker::Kind::Sink,
        fm_worker::Kind::Source,
    ] {
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), ns, &fm_worker::library::api_resource(kind));
        for o in api
            .list(&ListParams::default())
            .await
            .map_err(|e| e.to_string())?
        {
            out.insert(
                format!("{kind:?}/{}", o.metadata.name.unwrap_or_default()),
                o.metadata.resource_version.unwrap_or_default(),
            );
        }
    }
    let secrets: Api<Secret> = Api::namespaced(client, ns);
    for s in secrets
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?
    {
        out.insert(
            format!("Secret/{}", s.metadata.name.unwrap_or_default()),
            s.metadata.resource_version.unwrap_or_default(),
        );
    }
    Ok(out)
}

/// The REST base path of a kind (pulsarctl's plural form).
pub fn base(kind: fm_worker::Kind) -> &'static str {
    match kind {
        fm_worker::Kind::Function => "/admin/v3/functions",
        fm_worker::Kind::Sink => "/admin/v3/sinks",
        fm_worker::Kind::Source => "/admin/v3/sources",
    }
}

/// Every component endpoint of `kind` on component `name` of [`TENANT`]/[`PNS`]: (method, path,
/// body).
pub fn endpoints(
    kind: fm_worker::Kind,
    name: &str,
) -> Vec<(&'static str, String, Option<Vec<u8>>)> {
    let b = base(kind);
    let ns = format!("{b}/{TENANT}/{PNS}");
    let c = format!("{ns}/{name}");
    let config = match kind {
        fm_worker::Kind::Function => fn_config(name).to_string(),
        fm_worker::Kind::Sink => serde_json::json!({
            "tenant": TENANT, "namespace": PNS, "name": name, "archive": "builtin://elastic_search",
            "inputs": [format!("persistent://{TENANT}/{PNS}/{name}-in")]
        })
        .to_string(),
        fm_worker::Kind::Source => serde_json::json!({
            "tenant": TENANT, "namespace": PNS, "name": name, "archive": "builtin://data-generator",
            "topicName": format!("persistent://{TENANT}/{PNS}/{name}-out")
        })
        .to_string(),
    };
    let url = (kind == fm_worker::Kind::Function).then_some(PACKAGE);
    let mut all = vec![
        ("GET", ns.clone(), None),
        ("POST", c.clone(), Some(create_form(kind, &config, url))),
        ("PUT", c.clone(), Some(create_form(kind, &config, url))),
        ("GET", c.clone(), None),
        ("GET", format!("{c}/status"), None),
        ("GET", format!("{c}/0/status"), None),
        ("POST", format!("{c}/stop"), None),
        ("POST", format!("{c}/start"), None),
        ("POST", format!("{c}/restart"), None),
        // Endpoints the worker does not serve: refused before their reason is given.
        ("POST", format!("{c}/0/stop"), None),
        ("POST", format!("{c}/0/start"), None),
        ("POST", format!("{c}/0/restart"), None),
    ];
    if kind == fm_worker::Kind::Function {
        all.extend([
            ("GET", format!("{c}/stats"), None),
            ("GET", format!("{c}/0/stats"), None),
            ("POST", format!("{c}/trigger"), None),
            ("GET", format!("{c}/state/k"), None),
            ("POST", format!("{c}/state/k"), None),
            ("GET", format!("{c}/download"), None),
            ("PUT", format!("{b}/leader/{TENANT}/{PNS}/{name}"), None),
        ]);
    }
    all.push(("DELETE", c, None));
    all
}

/// Sends every endpoint of every kind as the holder of `token` (through `original` when given)
/// and records a failure for each answer that is not 401/403.
pub async fn refused_everywhere(
    o: &mut Outcome,
    raw: &Raw,
    who: &str,
    token: &str,
    original: Option<&str>,
    name: &str,
) {
    for kind in [
        fm_worker::Kind::Function,
        fm_worker::Kind::Sink,
        fm_worker::Kind::Source,
    ] {
        for (method, path, body) in endpoints(kind, name) {
            let what = format!("{who}: {method} {path}");
            match raw
                .as_role(method, &path, token, original, body.as_deref())
                .await
            {
                Ok(a) if a.status == 401 || a.status == 403 => {}
                Ok(a) => o.fail(Failure::new(
                    what,
                    "status",
                    "401/403",
                    format!("{} {}", a.status, a.body),
                )),
                Err(e) => o.fail(Failure::new(what, "status", "401/403", e)),
            }
        }
    }
}

/// The scenario.
pub async fn refused_roles(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let a = Authz::prepare(ctx, &mut o).await?;
    let bin = ctx
        .backend
        .prepared()
        .pulsaradmin_go_bin()
        .require("pulsaradmin Go client")?;
    let (st, w) = super::support::launch_with_access(ctx, AUTHZ_NS, &a.worker_config(AUTHZ_NS))
        .await
        .require("fmesh worker (authentication and authorization on)")?;
    let url = w.url();
    let raw = Raw::new(w.addr);
    let nobody = a.token(NOBODY);

    // Nothing written yet: every endpoint refused, the API server unchanged.
    let before = snapshot(ctx, AUTHZ_NS)
        .await
        .require("API server snapshot")?;
    refused_everywhere(&mut o, &raw, NOBODY, &nobody, None, "az-none").await;
    // The real clients, refused as well.
    let list = ["functions", "list", "--tenant", TENANT, "--namespace", PNS];
    want_refused(
        &mut o,
        "pulsar-admin functions list (no rights)",
        a.admin_as(&url, &nobody, &list),
    );
    let create = fn_create_args("az-none");
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    want_refused(
        &mut o,
        "pulsar-admin functions create (no rights)",
        a.admin_as(&url, &nobody, &create),
    );
    let get = [
        "functions",
        "get",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-none",
    ];
    want_refused(
        &mut o,
        "pulsar-admin functions get (no rights)",
        a.admin_as(&url, &nobody, &get),
    );
    let go = |token: &str, args: &[&str]| super::authz::go(&bin, &url, token, args);
    let c = fn_config("az-none").to_string();
    want_refused(
        &mut o,
        "Go functions create (no rights)",
        go(&nobody, &["functions", "create", &c, PACKAGE]),
    );
    want_refused(
        &mut o,
        "Go functions list (no rights)",
        go(&nobody, &["functions", "list", TENANT, PNS]),
    );
    want_refused(
        &mut o,
        "Go sinks list (no rights)",
        go(&nobody, &["sinks", "list", TENANT, PNS]),
    );
    want_refused(
        &mut o,
        "Go sources get (no rights)",
        go(&nobody, &["sources", "get", TENANT, PNS, "az-none"]),
    );
    expect_unchanged(ctx, &mut o, &before, "nothing written").await?;

    // Something written (by the functions role): still refused everywhere, nothing changes.
    let dev = a.token(FN_DEV);
    let existing = fn_create_args("az-exists");
    let existing: Vec<&str> = existing.iter().map(String::as_str).collect();
    want_ok(
        &mut o,
        "functions create az-exists (functions role)",
        a.admin_as(&url, &dev, &existing),
    );
    let before = snapshot(ctx, AUTHZ_NS)
        .await
        .require("API server snapshot")?;
    let resource = st.library().resource_name(TENANT, PNS, "az-exists");
    if !before.contains_key(&format!("Function/{resource}")) {
        o.fail(Failure::new(
            format!("Function {AUTHZ_NS}/{resource}"),
            "-",
            "created",
            "absent",
        ));
    }
    refused_everywhere(&mut o, &raw, NOBODY, &nobody, None, "az-exists").await;
    let get = [
        "functions",
        "get",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-exists",
    ];
    want_refused(
        &mut o,
        "pulsar-admin functions get az-exists (no rights)",
        a.admin_as(&url, &nobody, &get),
    );
    let del = [
        "functions",
        "delete",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-exists",
    ];
    want_refused(
        &mut o,
        "pulsar-admin functions delete az-exists (no rights)",
        a.admin_as(&url, &nobody, &del),
    );
    want_refused(
        &mut o,
        "Go functions get az-exists (no rights)",
        go(&nobody, &["functions", "get", TENANT, PNS, "az-exists"]),
    );
    expect_unchanged(ctx, &mut o, &before, "unchanged").await?;

    // Reloading the catalogue is for superusers only; the catalogue itself for any role.
    for path in [
        "/admin/v3/functions/builtins/reload",
        "/admin/v3/sinks/reloadBuiltInSinks",
        "/admin/v3/sources/reloadBuiltInSources",
    ] {
        match raw.as_role("POST", path, &dev, None, None).await {
            Ok(r) if r.status == 401 || r.status == 403 => {}
            other => o.fail(Failure::new(
                format!("{FN_DEV}: POST {path}"),
                "status",
                "401/403",
                format!("{other:?}"),
            )),
        }
    }

    // Bad credentials: 401 on a read and on a write, whoever they name.
    let fn_list = format!("/admin/v3/functions/{TENANT}/{PNS}");
    let fn_create = format!("/admin/v3/functions/{TENANT}/{PNS}/az-bad");
    let form = create_form(
        fm_worker::Kind::Function,
        &fn_config("az-bad").to_string(),
        Some(PACKAGE),
    );
    for (what, token) in [
        ("expired token", a.expired(FN_DEV)),
        ("wrongly signed token", a.wrongly_signed(FN_DEV)),
        (
            "wrongly signed superuser token",
            a.wrongly_signed(crate::pulsar_auth::ADMIN_ROLE),
        ),
    ] {
        for (method, path, body) in [
            ("GET", &fn_list, None),
            ("POST", &fn_create, Some(form.as_slice())),
        ] {
            match raw.as_role(method, path, &token, None, body).await {
                Ok(r) if r.status == 401 => {}
                other => o.fail(Failure::new(
                    format!("{what}: {method} {path}"),
                    "status",
                    "401",
                    format!("{other:?}"),
                )),
            }
        }
        want_refused(
            &mut o,
            &format!("pulsar-admin functions list ({what})"),
            a.admin_as(&url, &token, &list),
        );
    }
    for (what, headers) in [
        ("no Authorization header", vec![]),
        (
            "Basic credentials",
            vec![("Authorization", b"Basic YWxpY2U6c2VjcmV0".as_slice())],
        ),
    ] {
        match raw.send("GET", &fn_list, &headers, b"").await {
            Ok(r) if r.status == 401 => {}
            other => o.fail(Failure::new(
                format!("{what}: GET {fn_list}"),
                "status",
                "401",
                format!("{other:?}"),
            )),
        }
    }
    if super::support::stored_in(
        ctx,
        AUTHZ_NS,
        fm_worker::Kind::Function,
        &st.library().resource_name(TENANT, PNS, "az-bad"),
    )
    .await
    .is_some()
    {
        o.fail(Failure::new(
            "Function az-bad",
            "-",
            "never written (bad credentials)",
            "written",
        ));
    }

    want_ok(
        &mut o,
        "functions delete az-exists (functions role)",
        a.admin_as(&url, &dev, &del),
    );
    o.note(format!(
        "{} raw requests; every component endpoint of functions, sinks and sources refused to {NOBODY}",
        raw.seen().len()
    ));
    let _ = w.stop().await;
    Ok(o)
}
