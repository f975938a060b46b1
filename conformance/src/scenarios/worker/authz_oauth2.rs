//! Scenario 10, per-user OAuth2: the worker authenticates callers with the broker's tokens and gives
//! each component the OAuth2 credentials of its caller — the Secret of the job namespace annotated
//! with the caller's role (`oauth2SecretAnnotationKey`) — as `spec.pulsar.authConfig.oauth2Config`
//! naming that Secret. A caller whose role has no Secret is refused and nothing is written; through
//! the proxy role the original principal's Secret is used; a role that is not a proxy cannot use
//! someone else's Secret by naming them.
//!
//! The worker's own broker client is OAuth2 here (the components' credentials follow its plugin),
//! which its authorization cannot use to read tenants and permissions, so this worker runs with
//! authentication only (as fm-worker's own test of the rule does) and without
//! `pulsarWebServiceUrl` (built-in sinks need no package).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, PostParams};
use serde_json::{json, Value};

use super::authz::{Authz, PNS, PROXY, TENANT};
use super::authz_http::{create_form, Raw};
use super::support::{check, stored_in};
use crate::pulsar_auth::TOKEN_PROVIDER;
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{Ctx, Require, ScenarioResult};

/// The job namespace of the OAuth2 worker.
pub const OAUTH2_NS: &str = "fmesh-authz-oauth2";
/// The role with an OAuth2 Secret.
pub const ALICE: &str = "alice@fmesh.example";
/// The role without one.
pub const BOB: &str = "bob@fmesh.example";
/// Alice's Secret.
pub const ALICE_SECRET: &str = "authz-alice-oauth2";
/// The annotation that names the role (fm-auth's default `oauth2SecretAnnotationKey`).
pub const ANNOTATION: &str = fm_auth::DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY;
/// The client secret in Alice's key file: it may appear nowhere but in her Secret.
pub const CLIENT_SECRET_CANARY: &str = "CANARY-oauth2-client-secret-5e1d";
const ISSUER: &str = "https://auth.fmesh.example/";
const AUDIENCE: &str = "urn:fmesh:conformance";

fn config(a: &Authz<'_>) -> String {
    let params = json!({
        "type": "client_credentials", "issuerUrl": ISSUER, "audience": AUDIENCE,
        "privateKey": "file:///pulsar/conf/worker-auth.json"
    });
    format!(
        "pulsarFunctionsCluster: {cluster}\nauthenticationEnabled: true\n\
         authenticationProviders: [{TOKEN_PROVIDER}]\nproxyRoles: [{PROXY}]\n\
         properties:\n  tokenSecretKey: file://{key}\n\
         brokerClientAuthenticationEnabled: true\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\n\
         brokerClientAuthenticationParameters: '{params}'\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: {OAUTH2_NS}\n  usingInsecureAuth: false\n  \
         oauth2SecretAnnotationKey: {ANNOTATION}\n",
        cluster = crate::backend::CLUSTER_NAME,
        key = a.auth.key_file().display(),
    )
}

fn sink_config(name: &str) -> String {
    json!({
        "tenant": TENANT, "namespace": PNS, "name": name, "archive": "builtin://elastic_search",
        "inputs": [format!("persistent://{TENANT}/{PNS}/{name}-in")],
        "configs": {"elasticSearchUrl": "http://es:9200"}
    })
    .to_string()
}

/// Alice's Secret, created (or replaced) in the job namespace.
async fn alice_secret(ctx: &Ctx<'_>) -> Result<(), String> {
    let key_file = json!({
        "type": "client_credentials", "client_id": "alice", "client_secret": CLIENT_SECRET_CANARY,
        "issuer_url": ISSUER
    });
    let secret = Secret {
        metadata: kube::api::ObjectMeta {
            name: Some(ALICE_SECRET.to_owned()),
            annotations: Some(BTreeMap::from([(ANNOTATION.to_owned(), ALICE.to_owned())])),
            ..Default::default()
        },
        string_data: Some(BTreeMap::from([(
            "auth.json".to_owned(),
            key_file.to_string(),
        )])),
        ..Default::default()
    };
    let api: Api<Secret> = Api::namespaced(ctx.backend.client(), OAUTH2_NS);
    let _ = api.delete(ALICE_SECRET, &Default::default()).await;
    api.create(&PostParams::default(), &secret)
        .await
        .map(|_| ())
        .map_err(|e| format!("create Secret {OAUTH2_NS}/{ALICE_SECRET}: {e}"))
}

/// Checks that `r` carries Alice's OAuth2 Secret and no copy of her client secret.
fn names_alice_secret(o: &mut Outcome, object: &str, r: &Option<Value>) {
    let base = "/spec/pulsar/authConfig/oauth2Config";
    check(
        o,
        object,
        r,
        &format!("{base}/keySecretName"),
        json!(ALICE_SECRET),
    );
    check(
        o,
        object,
        r,
        &format!("{base}/keySecretKey"),
        json!("auth.json"),
    );
    check(o, object, r, &format!("{base}/audience"), json!(AUDIENCE));
    check(o, object, r, &format!("{base}/issuerUrl"), json!(ISSUER));
    let shown = r.as_ref().map(Value::to_string).unwrap_or_default();
    if shown.contains(CLIENT_SECRET_CANARY) {
        o.fail(Failure::new(
            object,
            "-",
            "no client secret (only the Secret's name)",
            "the client secret",
        ));
    }
}

/// The scenario.
pub async fn per_user_oauth2(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let a = Authz::prepare(ctx, &mut o).await?;
    crate::kubeutil::ensure_namespace(&ctx.backend.client(), OAUTH2_NS)
        .await
        .require(&format!("namespace {OAUTH2_NS}"))?;
    alice_secret(ctx).await.require("Alice's OAuth2 Secret")?;
    let (st, w) = super::support::launch_with_access(ctx, OAUTH2_NS, &config(&a))
        .await
        .require("fmesh worker (per-user OAuth2)")?;
    let url = w.url();
    let lib = st.library();
    let sk = fm_worker::Kind::Sink;

    // Alice, with the real pulsar-admin: the sink names her Secret.
    let args = [
        "sinks",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-alice-sink",
        "--sink-type",
        "elastic_search",
        "--inputs",
        "persistent://fmesh-authz/apps/az-alice-in",
        "--sink-config",
        "{\"elasticSearchUrl\":\"http://es:9200\"}",
    ];
    let alice = a.token(ALICE);
    match a.admin_as(&url, &alice, &args) {
        Ok(_) => {
            let resource = lib.resource_name(TENANT, PNS, "az-alice-sink");
            let r = stored_in(ctx, OAUTH2_NS, sk, &resource).await;
            names_alice_secret(&mut o, &format!("Sink {OAUTH2_NS}/{resource}"), &r);
            let del = [
                "sinks",
                "delete",
                "--tenant",
                TENANT,
                "--namespace",
                PNS,
                "--name",
                "az-alice-sink",
            ];
            if let Err(e) = a.admin_as(&url, &alice, &del) {
                o.fail(Failure::new("sinks delete az-alice-sink", "-", "exit 0", e));
            }
        }
        Err(e) => o.fail(Failure::new(
            format!("{ALICE}: sinks create"),
            "-",
            "exit 0",
            e,
        )),
    }

    // Through the proxy for Alice: her Secret again.
    let raw = Raw::new(w.addr);
    let path = |name: &str| format!("/admin/v3/sinks/{TENANT}/{PNS}/{name}");
    let form = create_form(sk, &sink_config("az-proxied-alice"), None);
    match raw
        .as_role(
            "POST",
            &path("az-proxied-alice"),
            &a.token(PROXY),
            Some(ALICE),
            Some(&form),
        )
        .await
    {
        Ok(r) if r.status == 204 || r.status == 200 => {
            let resource = lib.resource_name(TENANT, PNS, "az-proxied-alice");
            let got = stored_in(ctx, OAUTH2_NS, sk, &resource).await;
            names_alice_secret(&mut o, &format!("Sink {OAUTH2_NS}/{resource}"), &got);
            let _ = raw
                .as_role(
                    "DELETE",
                    &path("az-proxied-alice"),
                    &a.token(PROXY),
                    Some(ALICE),
                    None,
                )
                .await;
        }
        other => o.fail(Failure::new(
            "proxy for Alice: sink create",
            "status",
            "204",
            format!("{other:?}"),
        )),
    }

    // Bob has no Secret: refused, nothing written; naming Alice does not lend him hers.
    let bob = a.token(BOB);
    let bob_args = [
        "sinks",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-bob-sink",
        "--sink-type",
        "elastic_search",
        "--inputs",
        "persistent://fmesh-authz/apps/az-bob-in",
    ];
    if let Ok(out) = a.admin_as(&url, &bob, &bob_args) {
        o.fail(Failure::new(
            format!("{BOB}: sinks create (no OAuth2 Secret)"),
            "-",
            "refused",
            out,
        ));
    }
    let form = create_form(sk, &sink_config("az-bob-borrow"), None);
    match raw
        .as_role(
            "POST",
            &path("az-bob-borrow"),
            &bob,
            Some(ALICE),
            Some(&form),
        )
        .await
    {
        Ok(r) if r.status >= 400 && r.status < 500 => {}
        other => o.fail(Failure::new(
            format!("{BOB} naming {ALICE}: sink create"),
            "status",
            "4xx",
            format!("{other:?}"),
        )),
    }
    for name in ["az-bob-sink", "az-bob-borrow"] {
        let resource = lib.resource_name(TENANT, PNS, name);
        if stored_in(ctx, OAUTH2_NS, sk, &resource).await.is_some() {
            o.fail(Failure::new(
                format!("Sink {OAUTH2_NS}/{resource}"),
                "-",
                "never written",
                "written",
            ));
        }
    }
    o.note(format!(
        "per-user OAuth2: {ALICE}'s Secret {ALICE_SECRET} (annotation {ANNOTATION}) named by her sinks"
    ));
    let _ = w.stop().await;
    Ok(o)
}
