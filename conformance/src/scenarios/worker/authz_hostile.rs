//! Scenario 10, hostile input and canaries: oversized, garbage and non-UTF-8 credentials and proxy
//! headers, broken multipart bodies and odd paths never make the worker panic (it still answers
//! `/healthz` and serves the functions role, no 5xx, no `PANIC` line in its captured log) and
//! write nothing; then no token minted in this run (each carries a canary claim), nor the worker's
//! or the harness's broker token, nor the OAuth2 client secret, appears in any answer or client
//! output of the authorization scenarios, any line of the worker's captured log (the whole run),
//! or any Function Mesh resource or Secret — except the caller's token in the auth Secret its
//! component names (token pass-through), and the client secret in its owner's Secret.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use super::authz::{
    canary, fn_config, fn_create_args, want_ok, Authz, AUTHZ_NS, FN_DEV, PNS, PROXY, ROLES, TENANT,
};
use super::authz_http::{create_form, multipart, recorded, Raw, BOUNDARY};
use super::authz_oauth2::{ALICE, ALICE_SECRET, BOB, CLIENT_SECRET_CANARY, OAUTH2_NS};
use super::authz_refused::{expect_unchanged, snapshot};
use super::support::{secret_values, stored_in, PACKAGE};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{Ctx, Require, ScenarioResult};
use crate::worker_log;

/// Raw request headers: (name, value bytes).
type Headers<'a> = Vec<(&'a str, &'a [u8])>;

/// What must never leak: (label, text).
fn needles(a: &Authz<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut token = |label: String, t: String| {
        // The signature alone is as unique as the whole token.
        if let Some((_, sig)) = t.rsplit_once('.') {
            out.push((format!("{label} (signature)"), sig.to_owned()));
        }
        out.push((label, t));
    };
    for role in ROLES.iter().chain(&[ALICE, BOB]) {
        token(format!("token of {role}"), a.token(role));
        token(format!("expired token of {role}"), a.expired(role));
        token(
            format!("wrongly signed token of {role}"),
            a.wrongly_signed(role),
        );
    }
    token(
        "the worker's broker token".into(),
        a.auth.worker_token().to_owned(),
    );
    token(
        "the harness's admin token".into(),
        a.auth.admin_token().to_owned(),
    );
    for role in ROLES.iter().chain(&[ALICE, BOB]) {
        out.push((format!("canary claim of {role}"), canary(role)));
    }
    out.push((
        "the OAuth2 client secret".into(),
        CLIENT_SECRET_CANARY.into(),
    ));
    out
}

/// Records a failure for each needle found in `text`, except those within an `allowed` value.
fn no_needles(
    o: &mut Outcome,
    place: &str,
    text: &str,
    needles: &[(String, String)],
    allowed: &[&str],
) {
    for (label, needle) in needles {
        let permitted = allowed.iter().any(|a| a.contains(needle.as_str()));
        if !needle.is_empty() && text.contains(needle.as_str()) && !permitted {
            o.fail(Failure::new(
                place,
                "-",
                format!("no {label}"),
                format!("{label} found"),
            ));
        }
    }
}

/// Sends one hostile request; records a failure for a 5xx or no answer at all (a closed
/// connection after an oversized head is an answer: hyper refuses such a head).
async fn hostile(
    o: &mut Outcome,
    raw: &Raw,
    what: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> u16 {
    match raw.send(method, path, headers, body).await {
        Ok(a) if a.status >= 500 => {
            o.fail(Failure::new(
                what,
                "status",
                "< 500",
                format!("{} {}", a.status, a.body),
            ));
            a.status
        }
        Ok(a) => a.status,
        Err(e) if e.contains("reset") || e.contains("closed") || e.contains("Broken pipe") => 0,
        Err(e) => {
            o.fail(Failure::new(what, "-", "an answer", e));
            0
        }
    }
}

/// The scenario.
pub async fn hostile_and_canaries(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let a = Authz::prepare(ctx, &mut o).await?;
    worker_log::install(ctx.backend.log_dir()).require("the worker's log capture")?;
    let (st, w) = super::support::launch_with_access(ctx, AUTHZ_NS, &a.worker_config(AUTHZ_NS))
        .await
        .require("fmesh worker (authentication and authorization on)")?;
    let raw = Raw::new(w.addr);
    let mark = worker_log::mark();
    let dev = a.token(FN_DEV);
    let dev_bearer = format!("Bearer {dev}");
    let proxy_bearer = format!("Bearer {}", a.token(PROXY));
    let fns = format!("/admin/v3/functions/{TENANT}/{PNS}");
    let create = format!("{fns}/az-hostile");
    let before = snapshot(ctx, AUTHZ_NS)
        .await
        .require("API server snapshot")?;

    // Credentials and identity headers.
    let huge = format!(
        "Bearer {}{}",
        a.token(NOBODY_FOR_HUGE),
        "A".repeat(64 * 1024)
    );
    let none_alg = "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhdXRoei1mbi1kZXYifQ.";
    let multi = [
        ("Authorization", dev_bearer.as_bytes()),
        ("Authorization", b"Bearer x".as_slice()),
    ];
    let cases: Vec<(&str, Headers<'_>)> = vec![
        (
            "64 KiB Authorization",
            vec![("Authorization", huge.as_bytes())],
        ),
        (
            "Bearer and garbage",
            vec![("Authorization", b"Bearer a.b.c".as_slice())],
        ),
        (
            "Bearer of dots",
            vec![("Authorization", b"Bearer ....".as_slice())],
        ),
        (
            "alg none token",
            vec![("Authorization", none_alg.as_bytes())],
        ),
        (
            "non-UTF-8 Authorization",
            vec![("Authorization", b"Bearer \xff\xfe\x80\x81".as_slice())],
        ),
        (
            "non-UTF-8 original principal",
            vec![
                ("Authorization", proxy_bearer.as_bytes()),
                ("X-Original-Principal", b"\xc3\x28\xff".as_slice()),
            ],
        ),
        (
            "non-UTF-8 auth method",
            vec![
                ("Authorization", dev_bearer.as_bytes()),
                ("X-Pulsar-Auth-Method-Name", b"\xc3\x28".as_slice()),
            ],
        ),
        ("two Authorization headers", multi.to_vec()),
        (
            "empty Bearer",
            vec![("Authorization", b"Bearer ".as_slice())],
        ),
    ];
    for (what, headers) in &cases {
        for (method, path) in [("GET", fns.as_str()), ("DELETE", create.as_str())] {
            let status = hostile(&mut o, &raw, what, method, path, headers, b"").await;
            // The last two carry the functions role's valid token (the first Authorization
            // header counts, as in Pulsar's servlet filter): any answer but a 5xx will do.
            let valid_token =
                *what == "non-UTF-8 auth method" || *what == "two Authorization headers";
            if (200..300).contains(&status) && !valid_token {
                o.fail(Failure::new(
                    format!("{what}: {method} {path}"),
                    "status",
                    "refused",
                    status.to_string(),
                ));
            }
        }
    }

    // Broken bodies from an allowed role.
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    let form = create_form(
        fm_worker::Kind::Function,
        &fn_config("az-hostile").to_string(),
        Some(PACKAGE),
    );
    let truncated = form.get(..form.len() / 2).unwrap_or_default().to_vec();
    let big = multipart(&[(
        "functionConfig",
        Some("application/json"),
        &format!("{{\"name\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)),
    )]);
    let bad_json = multipart(&[("functionConfig", Some("application/json"), "{\"name\": ")]);
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(64 * 1024).collect();
    garbage.extend_from_slice(b"\0\0--");
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("no boundary", "multipart/form-data", form.clone()),
        ("truncated multipart", ct.as_str(), truncated),
        ("2 MiB config part", ct.as_str(), big),
        ("config part not JSON", ct.as_str(), bad_json),
        ("binary garbage as multipart", ct.as_str(), garbage.clone()),
        (
            "JSON instead of multipart",
            "application/json",
            fn_config("az-hostile").to_string().into_bytes(),
        ),
        ("garbage content type", "\u{1}\u{2}/\u{3}", garbage),
    ];
    for (what, content_type, body) in &bodies {
        let headers = [
            ("Authorization", dev_bearer.as_bytes()),
            ("Content-Type", content_type.as_bytes()),
        ];
        let status = hostile(&mut o, &raw, what, "POST", &create, &headers, body).await;
        if (200..300).contains(&status) {
            o.fail(Failure::new(
                format!("{what}: POST {create}"),
                "status",
                "4xx",
                status.to_string(),
            ));
        }
    }
    // Odd paths.
    let long = format!("{fns}/{}", "n".repeat(10_000));
    for (what, path) in [
        ("percent-encoded bytes", "/admin/v3/functions/%ff%fe/%00/x"),
        ("10 000-character name", long.as_str()),
        ("dot segments", "/admin/v3/functions/../../etc/passwd"),
    ] {
        hostile(
            &mut o,
            &raw,
            what,
            "GET",
            path,
            &[("Authorization", dev_bearer.as_bytes())],
            b"",
        )
        .await;
    }

    // Still alive, still serving, no panic, nothing written.
    match raw.send("GET", "/healthz", &[], b"").await {
        Ok(r) if r.status == 200 && r.body.trim() == "ok" => {}
        other => o.fail(Failure::new(
            "GET /healthz after the hostile requests",
            "-",
            "200 ok",
            format!("{other:?}"),
        )),
    }
    match raw.as_role("GET", &fns, &dev, None, None).await {
        Ok(r) if r.status == 200 => {}
        other => o.fail(Failure::new(
            "functions list after the hostile requests",
            "status",
            "200",
            format!("{other:?}"),
        )),
    }
    let log = worker_log::since(mark);
    if let Some(line) = log
        .lines()
        .find(|l| l.starts_with(worker_log::PANIC_PREFIX))
    {
        o.fail(Failure::new(
            "the worker's log",
            "-",
            "no panic",
            line.to_owned(),
        ));
    }
    expect_unchanged(ctx, &mut o, &before, "nothing written").await?;

    // Canaries: one component by token pass-through, then everything is searched.
    let create_args = fn_create_args("az-canary");
    let create_args: Vec<&str> = create_args.iter().map(String::as_str).collect();
    want_ok(
        &mut o,
        "functions create az-canary",
        a.admin_as(&w.url(), &dev, &create_args),
    );
    let resource = st.library().resource_name(TENANT, PNS, "az-canary");
    let r = stored_in(ctx, AUTHZ_NS, fm_worker::Kind::Function, &resource).await;
    let auth_secret = r
        .as_ref()
        .and_then(|r| r.pointer("/spec/pulsar/authSecret"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let needles = needles(&a);
    let client = ctx.backend.client();
    for kind in [
        fm_worker::Kind::Function,
        fm_worker::Kind::Sink,
        fm_worker::Kind::Source,
    ] {
        let api: Api<DynamicObject> =
            Api::all_with(client.clone(), &fm_worker::library::api_resource(kind));
        for item in api
            .list(&ListParams::default())
            .await
            .require("list Function Mesh resources")?
        {
            let place = format!(
                "{kind:?} {}/{}",
                item.metadata.namespace.clone().unwrap_or_default(),
                item.metadata.name.clone().unwrap_or_default()
            );
            no_needles(
                &mut o,
                &place,
                &serde_json::to_string(&item).unwrap_or_default(),
                &needles,
                &[],
            );
        }
    }
    let mut found_in_auth_secret = false;
    for ns in [AUTHZ_NS, OAUTH2_NS] {
        let api: Api<Secret> = Api::namespaced(client.clone(), ns);
        for s in api
            .list(&ListParams::default())
            .await
            .require("list Secrets")?
        {
            let name = s.metadata.name.clone().unwrap_or_default();
            let text = format!(
                "{}{}",
                serde_json::to_string(&s.metadata).unwrap_or_default(),
                secret_values(&s)
            );
            let mut allowed: Vec<&str> = Vec::new();
            if ns == AUTHZ_NS && name == auth_secret {
                found_in_auth_secret = text.contains(&dev);
                allowed.push(&dev);
            }
            if ns == OAUTH2_NS && name == ALICE_SECRET {
                allowed.push(CLIENT_SECRET_CANARY);
            }
            no_needles(
                &mut o,
                &format!("Secret {ns}/{name}"),
                &text,
                &needles,
                &allowed,
            );
        }
    }
    if !found_in_auth_secret {
        o.fail(Failure::new(
            format!("Function {AUTHZ_NS}/{resource}"),
            "spec.pulsar.authSecret",
            "a Secret holding the caller's token",
            format!("`{auth_secret}`"),
        ));
    }
    let answers = recorded();
    for (i, text) in answers.iter().enumerate() {
        no_needles(
            &mut o,
            &format!("answer or client output #{i}"),
            text,
            &needles,
            &[],
        );
    }
    let whole_log = worker_log::since(worker_log::Mark::START);
    for (i, line) in whole_log.lines().enumerate() {
        no_needles(
            &mut o,
            &format!("worker log line {}", i + 1),
            line,
            &needles,
            &[],
        );
    }
    // The capture is real: the refusals of this run are in it.
    if !whole_log.contains("not authorized") {
        o.fail(Failure::new(
            "the worker's captured log",
            "-",
            "the policy's `not authorized` lines",
            "none",
        ));
    }
    let del = [
        "functions",
        "delete",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-canary",
    ];
    want_ok(
        &mut o,
        "functions delete az-canary",
        a.admin_as(&w.url(), &dev, &del),
    );
    if !auth_secret.is_empty()
        && !super::support::secret_text(ctx, AUTHZ_NS, &auth_secret)
            .await
            .is_empty()
    {
        o.fail(Failure::new(
            format!("Secret {AUTHZ_NS}/{auth_secret}"),
            "-",
            "deleted with its function",
            "still there",
        ));
    }
    o.note(format!(
        "searched {} needles in {} answers/outputs, {} worker log lines, every Function Mesh resource and the Secrets of {AUTHZ_NS} and {OAUTH2_NS}",
        needles.len(),
        answers.len(),
        whole_log.lines().count()
    ));
    let _ = w.stop().await;
    Ok(o)
}

/// The role whose token is padded to 64 KiB (its token is searched for like the others).
const NOBODY_FOR_HUGE: &str = super::authz::NOBODY;
