//! Scenario 6: authentication. Per-user OAuth2 resolves the caller's annotated Secret (created in the
//! namespace first) into `authConfig.oauth2Config`; insecure mode creates the auth Secret with the worker's
//! `clientAuthenticationPlugin`/`clientAuthenticationParameters` and names it in `authSecret`. Both are
//! accepted by the real API server. With the operator, the StatefulSet takes those Secrets.
//!
//! Secret values are never printed: mismatches say "differs", not what.

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::Value;

use super::apply::check_nothing_pruned;
use super::fixtures::{self, Kind};
use super::{need_operator, Ctx};
use crate::kubeutil::{ensure_namespace, FIELD_MANAGER};
use crate::report::{Failure, Outcome};
use crate::{crds, gate, require};

/// The caller of the per-user scenario (the role the Secret in `fixtures/auth/secrets-list.yaml` is annotated
/// with).
pub const ROLE: &str = "alice@example.org";

/// The Secrets of a `kind: List` file.
fn secrets_of_list(path: &std::path::Path) -> Result<Vec<Secret>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let list: Value =
        serde_yaml_ng::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    list["items"]
        .as_array()
        .ok_or_else(|| format!("{}: expected a List with `items`", path.display()))?
        .iter()
        .map(|i| serde_json::from_value(i.clone()).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// Scenario 6: Per-user OAuth2: `worker-per-user-oauth2.yml`, role `alice@example.org`, the annotated Secrets created
/// in the namespace first and passed (as read back) as `existing_secrets`.
pub async fn per_user_oauth2(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    crds!(ctx, o);
    let ns = "fmesh-auth-per-user";
    let object = "fixture functions/exclamation.yaml (per-user OAuth2)";
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, ns).await,
        format!("namespace {ns}")
    );
    let auth = ctx.fixtures.join("auth");
    let list = require!(secrets_of_list(&auth.join("secrets-list.yaml")), object);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    for mut s in list {
        s.metadata.namespace = Some(ns.to_owned());
        let name = s.metadata.name.clone().unwrap_or_default();
        require!(
            secrets.patch(&name, &pp, &Patch::Apply(&s)).await,
            format!("Secret {ns}/{name}")
        );
    }
    let existing = require!(
        secrets.list(&ListParams::default()).await,
        format!("Secrets in {ns}")
    )
    .items;
    let mut cctx = require!(
        fixtures::context_with_worker(&ctx.fixtures, &auth.join("worker-per-user-oauth2.yml")),
        object
    );
    cctx.caller = fm_auth::Caller {
        role: Some(ROLE.to_owned()),
        ..Default::default()
    };
    cctx.existing_secrets = existing;
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let fx = require!(fixtures::convert(&file, Kind::Function, &cctx), object);
    let oauth = &fx.resource["spec"]["pulsar"]["authConfig"]["oauth2Config"];
    o.check_eq(
        object,
        "spec.pulsar.authConfig.oauth2Config.keySecretName",
        Some("alice-oauth2-key"),
        oauth["keySecretName"].as_str(),
    );
    let (name, _) = require!(
        fixtures::apply(&client, ns, Kind::Function, &fx).await,
        object
    );
    let obj = format!("Function {ns}/{name}");
    let stored = require!(
        fixtures::get_stored(&client, ns, Kind::Function, &name).await,
        obj
    );
    o.check_eq(
        &obj,
        "spec.pulsar.authConfig.oauth2Config.keySecretName",
        Some("alice-oauth2-key"),
        stored["spec"]["pulsar"]["authConfig"]["oauth2Config"]["keySecretName"].as_str(),
    );
    check_nothing_pruned(&mut o, &obj, &fx.resource, &stored);
    o.note(format!(
        "authConfig.oauth2Config: keySecretName {}, keySecretKey {}, issuerUrl {}",
        oauth["keySecretName"], oauth["keySecretKey"], oauth["issuerUrl"]
    ));
    o
}

/// Scenario 6: Insecure mode with a token super-user (`worker-insecure-token.yml`, `usingInsecureAuth` at its default
/// `true`), for an authenticated caller: the auth Secret holds the worker's plugin and parameters;
/// `authSecret` names it.
pub async fn insecure_auth_secret(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    crds!(ctx, o);
    let ns = "fmesh-auth-insecure";
    let object = "fixture functions/exclamation.yaml (insecure token auth)";
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, ns).await,
        format!("namespace {ns}")
    );
    let worker_file = ctx.fixtures.join("auth").join("worker-insecure-token.yml");
    let worker: Value = require!(
        std::fs::read_to_string(&worker_file)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_yaml_ng::from_str(&t).map_err(|e| e.to_string())),
        object
    );
    let mut cctx = require!(
        fixtures::context_with_worker(&ctx.fixtures, &worker_file),
        object
    );
    // Authentication applies to authenticated requests only (as in the Java worker).
    cctx.caller = fm_auth::Caller {
        role: Some(ROLE.to_owned()),
        ..Default::default()
    };
    o.check_eq(
        object,
        "worker brokerClientAuthenticationPlugin",
        Some("org.apache.pulsar.client.impl.auth.AuthenticationToken"),
        worker["brokerClientAuthenticationPlugin"].as_str(),
    );
    if !cctx
        .worker
        .functions_worker_service_custom_configs
        .using_insecure_auth
    {
        o.fail(Failure::new(
            object,
            "usingInsecureAuth",
            "true (insecure mode)",
            "false",
        ));
    }
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let fx = require!(fixtures::convert(&file, Kind::Function, &cctx), object);
    let Some(secret_name) = fx.resource["spec"]["pulsar"]["authSecret"]
        .as_str()
        .map(str::to_owned)
    else {
        o.fail(Failure::new(
            object,
            "spec.pulsar.authSecret",
            "a Secret name",
            "absent",
        ));
        return o;
    };
    if !fx
        .secrets
        .iter()
        .any(|s| s.metadata.name.as_deref() == Some(secret_name.as_str()))
    {
        o.fail(Failure::new(
            object,
            "secrets",
            format!("the auth Secret {secret_name} among the Secrets to create"),
            format!(
                "{:?}",
                fx.secrets
                    .iter()
                    .map(|s| s.metadata.name.clone())
                    .collect::<Vec<_>>()
            ),
        ));
    }
    let (name, _) = require!(
        fixtures::apply(&client, ns, Kind::Function, &fx).await,
        object
    );
    let obj = format!("Function {ns}/{name}");
    let stored = require!(
        fixtures::get_stored(&client, ns, Kind::Function, &name).await,
        obj
    );
    o.check_eq(
        &obj,
        "spec.pulsar.authSecret",
        Some(secret_name.as_str()),
        stored["spec"]["pulsar"]["authSecret"].as_str(),
    );
    check_nothing_pruned(&mut o, &obj, &fx.resource, &stored);
    let sobj = format!("Secret {ns}/{secret_name}");
    let secret = require!(
        Api::<Secret>::namespaced(client.clone(), ns)
            .get(&secret_name)
            .await,
        sobj
    );
    let data = secret.data.unwrap_or_default();
    for (key, want) in [
        (
            "clientAuthenticationPlugin",
            worker["brokerClientAuthenticationPlugin"].as_str(),
        ),
        (
            "clientAuthenticationParameters",
            worker["brokerClientAuthenticationParameters"].as_str(),
        ),
    ] {
        match (data.get(key), want) {
            (None, _) => o.fail(Failure::new(
                &sobj,
                format!("data.{key}"),
                "present",
                "absent",
            )),
            (Some(got), Some(want)) if got.0 == want.as_bytes() => {}
            (Some(_), _) => o.fail(Failure::new(
                &sobj,
                format!("data.{key}"),
                "the worker's brokerClientAuthentication* value",
                "a different value (not shown: it may be a secret)",
            )),
        }
    }
    o.note(format!(
        "authSecret {secret_name}: keys {:?} (values not shown)",
        data.keys().collect::<Vec<_>>()
    ));
    o
}

/// Scenario 6: With the operator: the StatefulSet mounts the per-user Secret's `auth.json` and takes the insecure-mode
/// plugin/parameters from the auth Secret.
pub async fn statefulset_auth(ctx: &Ctx<'_>) -> Outcome {
    gate!(need_operator(ctx));
    Outcome::failed_with(Failure::new(
        "6 StatefulSet auth",
        "-",
        "a check of the operator's pod template",
        "not written yet: no Function Mesh operator has been available to write it against \
         (see docs/conformance-blockers.md)",
    ))
}
