//! Scenario 6: authentication. Per-user OAuth2 resolves the caller's annotated Secret (created in the
//! namespace first) into `authConfig.oauth2Config`; insecure mode creates the auth Secret with the worker's
//! `clientAuthenticationPlugin`/`clientAuthenticationParameters` and names it in `authSecret`. Both are
//! accepted by the real API server. With the operator, the StatefulSet takes those Secrets.
//!
//! Secret values are never printed: mismatches say "differs", not what.
use fm_model::ComponentKind;

use super::fixtures::ConversionContext;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde_json::Value;

use super::apply::check_nothing_pruned;
use super::base::{need_operator, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures::{self, ConvertedFixture};
use crate::kubeutil::{ensure_namespace, FIELD_MANAGER};
use crate::report::{Failure, Outcome};

/// Scenario 6.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Auth,
            6,
            "per-user OAuth2 names the annotated Secret",
            |c| Box::pin(per_user_oauth2(c)),
        ),
        Scenario::new(
            Stage::Auth,
            6,
            "insecure mode creates the auth Secret",
            |c| Box::pin(insecure_auth_secret(c)),
        ),
        Scenario::new(Stage::Auth, 6, "StatefulSet takes the auth Secrets", |c| {
            Box::pin(statefulset_auth(c))
        }),
    ]
}

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

/// The per-user OAuth2 conversion context in namespace `ns`: the annotated Secrets of
/// `fixtures/auth/secrets-list.yaml` server-side applied there first and passed (as read back) as
/// `existing_secrets`; worker `worker-per-user-oauth2.yml`; caller [`ROLE`].
async fn per_user_context(
    ctx: &Ctx<'_>,
    client: &kube::Client,
    ns: &str,
) -> Result<ConversionContext, String> {
    let auth = ctx.fixtures.join("auth");
    let list = secrets_of_list(&auth.join("secrets-list.yaml"))?;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    for mut s in list {
        s.metadata.namespace = Some(ns.to_owned());
        let name = s.metadata.name.clone().unwrap_or_default();
        secrets
            .patch(&name, &pp, &Patch::Apply(&s))
            .await
            .map_err(|e| format!("apply Secret {ns}/{name}: {e}"))?;
    }
    let existing = secrets
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("list Secrets in {ns}: {e}"))?
        .items;
    let mut cctx =
        fixtures::context_with_worker(&ctx.fixtures, &auth.join("worker-per-user-oauth2.yml"))?;
    cctx.caller = fm_auth::Caller {
        role: Some(ROLE.to_owned()),
        ..Default::default()
    };
    cctx.existing_secrets = existing;
    Ok(cctx)
}

/// The insecure-mode conversion context (worker `worker-insecure-token.yml`, an authenticated caller) and the
/// worker file as JSON.
fn insecure_context(ctx: &Ctx<'_>) -> Result<(ConversionContext, Value), String> {
    let worker_file = ctx.fixtures.join("auth").join("worker-insecure-token.yml");
    let worker: Value = std::fs::read_to_string(&worker_file)
        .map_err(|e| format!("read {}: {e}", worker_file.display()))
        .and_then(|t| serde_yaml_ng::from_str(&t).map_err(|e| e.to_string()))?;
    let mut cctx = fixtures::context_with_worker(&ctx.fixtures, &worker_file)?;
    // Authentication applies to authenticated requests only (as in the Java worker).
    cctx.caller = fm_auth::Caller {
        role: Some(ROLE.to_owned()),
        ..Default::default()
    };
    Ok((cctx, worker))
}

/// Scenario 6: Per-user OAuth2: `worker-per-user-oauth2.yml`, role `alice@example.org`, the annotated Secrets created
/// in the namespace first and passed (as read back) as `existing_secrets`.
pub async fn per_user_oauth2(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    let ns = "fmesh-auth-per-user";
    let object = "fixture functions/exclamation.yaml (per-user OAuth2)";
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;
    let cctx = per_user_context(ctx, &client, ns).await.require(&object)?;
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let fx = fixtures::convert(&file, ComponentKind::Function, &cctx).require(&object)?;
    let oauth = &fx.resource["spec"]["pulsar"]["authConfig"]["oauth2Config"];
    o.check_eq(
        object,
        "spec.pulsar.authConfig.oauth2Config.keySecretName",
        Some("alice-oauth2-key"),
        oauth["keySecretName"].as_str(),
    );
    let (name, _) = fixtures::apply(&client, ns, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let obj = format!("Function {ns}/{name}");
    let stored = fixtures::get_stored(&client, ns, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
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
    Ok(o)
}

/// Scenario 6: Insecure mode with a token super-user (`worker-insecure-token.yml`, `usingInsecureAuth` at its default
/// `true`), for an authenticated caller: the auth Secret holds the worker's plugin and parameters;
/// `authSecret` names it.
pub async fn insecure_auth_secret(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    let ns = "fmesh-auth-insecure";
    let object = "fixture functions/exclamation.yaml (insecure token auth)";
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;
    let (cctx, worker) = insecure_context(ctx).require(&object)?;
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
    let fx = fixtures::convert(&file, ComponentKind::Function, &cctx).require(&object)?;
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
        return Ok(o);
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
    let (name, _) = fixtures::apply(&client, ns, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let obj = format!("Function {ns}/{name}");
    let stored = fixtures::get_stored(&client, ns, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
    o.check_eq(
        &obj,
        "spec.pulsar.authSecret",
        Some(secret_name.as_str()),
        stored["spec"]["pulsar"]["authSecret"].as_str(),
    );
    check_nothing_pruned(&mut o, &obj, &fx.resource, &stored);
    let sobj = format!("Secret {ns}/{secret_name}");
    let secret = Api::<Secret>::namespaced(client.clone(), ns)
        .get(&secret_name)
        .await
        .require(&sobj)?;
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
    Ok(o)
}

/// Converts `exclamation.yaml` renamed to `name` with `cctx`, applies it (and its Secrets) in the operator's
/// namespace and waits for the operator's StatefulSet.
async fn reconciled(
    ctx: &Ctx<'_>,
    client: &kube::Client,
    name: &str,
    cctx: &ConversionContext,
) -> Result<(ConvertedFixture, StatefulSet), String> {
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let mut cfg = fixtures::read_config(&file)?;
    cfg["name"] = Value::String(name.to_owned());
    let fx = fixtures::convert_value(&cfg, &file, ComponentKind::Function, cctx)?;
    let (res, _) = fixtures::apply(client, ns, ComponentKind::Function, &fx).await?;
    let sts = super::reconcile::wait_statefulset(client, ns, &format!("{res}-function"))
        .await
        .map_err(|e| e.to_string())?;
    Ok((fx, sts))
}

/// Scenario 6: With the operator. Per-user OAuth2: the pod mounts the caller's key Secret (`keySecretName`, item
/// `keySecretKey`) into the main container, and the instance's auth parameters name the mounted file. Insecure
/// mode: the main container takes its environment from the auth Secret (`authSecret`) and the instance's
/// `--client_auth_plugin`/`--client_auth_params` are that Secret's `clientAuthenticationPlugin`/`Parameters`
/// keys. Secret values are never printed.
pub async fn statefulset_auth(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_operator(ctx)?;
    use_crds(ctx, &mut o)?;
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;

    // Per-user OAuth2.
    let object = "fixture functions/exclamation.yaml as auth-oauth2 (per-user OAuth2)";
    let cctx = per_user_context(ctx, &client, ns).await.require(&object)?;
    let (fx, sts) = reconciled(ctx, &client, "auth-oauth2", &cctx)
        .await
        .require(&object)?;
    let obj = format!(
        "StatefulSet {ns}/{} (per-user OAuth2)",
        sts.metadata.name.clone().unwrap_or_default()
    );
    let oauth = &fx.resource["spec"]["pulsar"]["authConfig"]["oauth2Config"];
    let (secret, key) = (
        oauth["keySecretName"].as_str().unwrap_or_default(),
        oauth["keySecretKey"].as_str().unwrap_or_default(),
    );
    let pod = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.clone())
        .unwrap_or_default();
    let c = super::reconcile::main_container(&pod, ComponentKind::Function);
    let volume = pod.volumes.iter().flatten().find(|v| {
        v.secret.as_ref().is_some_and(|s| {
            s.secret_name.as_deref() == Some(secret)
                && s.items.iter().flatten().any(|i| i.key == key)
        })
    });
    match volume {
        None => o.fail(Failure::new(
            &obj,
            "spec.template.spec.volumes",
            format!("a Secret volume of {secret} with item {key}"),
            format!(
                "{:?}",
                pod.volumes
                    .iter()
                    .flatten()
                    .map(|v| v.name.clone())
                    .collect::<Vec<_>>()
            ),
        )),
        Some(v) => {
            let item_path = v
                .secret
                .as_ref()
                .and_then(|s| s.items.iter().flatten().find(|i| i.key == key))
                .map(|i| i.path.clone())
                .unwrap_or_default();
            match c.volume_mounts.iter().flatten().find(|m| m.name == v.name) {
                None => o.fail(Failure::new(
                    &obj,
                    format!("containers[{}].volumeMounts", c.name),
                    format!("a mount of volume {}", v.name),
                    "absent",
                )),
                Some(m) => {
                    let file = format!("{}/{item_path}", m.mount_path.trim_end_matches('/'));
                    let cmd = c.command.clone().unwrap_or_default().join(" ");
                    if !cmd.contains("--client_auth_params") || !cmd.contains(&file) {
                        o.fail(Failure::new(
                            &obj,
                            format!("containers[{}].command", c.name),
                            format!("--client_auth_params naming the mounted key file {file}"),
                            "not there",
                        ));
                    }
                    o.note(format!(
                        "per-user OAuth2: Secret {secret} item {key} mounted at {file}; the instance's auth \
                         parameters name it"
                    ));
                }
            }
        }
    }

    // Insecure mode.
    let object = "fixture functions/exclamation.yaml as auth-insecure (insecure token auth)";
    let (cctx, _) = insecure_context(ctx).require(&object)?;
    let (fx, sts) = reconciled(ctx, &client, "auth-insecure", &cctx)
        .await
        .require(&object)?;
    let obj = format!(
        "StatefulSet {ns}/{} (insecure mode)",
        sts.metadata.name.clone().unwrap_or_default()
    );
    let Some(auth_secret) = fx.resource["spec"]["pulsar"]["authSecret"].as_str() else {
        o.fail(Failure::new(
            object,
            "spec.pulsar.authSecret",
            "a Secret name",
            "absent",
        ));
        return Ok(o);
    };
    let keys: Vec<String> = fx
        .secrets
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(auth_secret))
        .map(|s| {
            s.data
                .iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .chain(s.string_data.iter().flatten().map(|(k, _)| k.clone()))
                .collect()
        })
        .unwrap_or_default();
    let pod = sts
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.clone())
        .unwrap_or_default();
    let c = super::reconcile::main_container(&pod, ComponentKind::Function);
    let from_secret = c
        .env_from
        .iter()
        .flatten()
        .any(|e| e.secret_ref.as_ref().is_some_and(|r| r.name == auth_secret));
    if !from_secret {
        o.fail(Failure::new(
            &obj,
            format!("containers[{}].envFrom", c.name),
            format!("secretRef {auth_secret}"),
            format!(
                "{:?}",
                c.env_from
                    .iter()
                    .flatten()
                    .map(|e| e.secret_ref.as_ref().map(|r| r.name.clone()))
                    .collect::<Vec<_>>()
            ),
        ));
    }
    let cmd = c.command.clone().unwrap_or_default().join(" ");
    for (flag, key) in [
        ("--client_auth_plugin", "clientAuthenticationPlugin"),
        ("--client_auth_params", "clientAuthenticationParameters"),
    ] {
        if !keys.iter().any(|k| k == key) {
            o.fail(Failure::new(
                format!("Secret {ns}/{auth_secret}"),
                format!("data.{key}"),
                "present",
                format!("keys {keys:?}"),
            ));
        }
        let wanted = format!("{flag} ${key}");
        if !cmd.contains(&wanted) {
            o.fail(Failure::new(
                &obj,
                format!("containers[{}].command", c.name),
                format!("`{wanted}` (the value from the auth Secret)"),
                "not there",
            ));
        }
    }
    o.note(format!(
        "insecure mode: envFrom Secret {auth_secret}; --client_auth_plugin/--client_auth_params from its keys"
    ));
    Ok(o)
}
