//! Scenario 10 with Pulsar's authentication and authorization on: the harness's broker runs with
//! token authentication and authorization ([`crate::pulsar_auth`]), and the worker with
//! `authenticationEnabled`, `authorizationEnabled`, the broker's `tokenSecretKey`, superusers, a
//! proxy role and its own broker credentials (the tenant admins and namespace permissions it reads
//! from the broker). The callers are the real `pulsar-admin` (`--auth-plugin … --auth-params
//! file:<token>`), the Go pulsaradmin client (`FMESH_PULSARADMIN_TOKEN`) and raw HTTP
//! ([`super::authz_http`]), each with a token minted for its role.
//!
//! The roles, on the Pulsar tenant [`TENANT`] (created through the broker) and its namespace
//! [`PNS`]: [`TENANT_ADMIN`] (in the tenant's `adminRoles`), [`FN_DEV`] (the namespace's
//! `functions` permission only), [`IO_DEV`] (`sinks` and `sources`), [`PROXY`] (a proxy role
//! with the `functions` permission) and [`NOBODY`] (no rights). Every token carries a canary claim
//! (`fmesh_canary`), so a token or its claims leaking anywhere is found by
//! [`super::authz_hostile`].
//!
//! This file holds the setup and the scenario where the allowed roles work;
//! [`super::authz_refused`], [`super::authz_proxy`], [`super::authz_oauth2`] and
//! [`super::authz_hostile`] hold the others.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::go::{go_as, want_field, want_listed};
use super::support::{check, ensure_package, stored_in, CLASS, PACKAGE};
use crate::backend::PulsarAdmin;
use crate::pulsar_auth::{PulsarAuth, ADMIN_ROLE, TOKEN_PLUGIN, TOKEN_PROVIDER};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult, Stop};

/// The worker's job namespace (Kubernetes) in the authorization scenarios.
pub const AUTHZ_NS: &str = "fmesh-authz";
/// The Pulsar tenant (its `adminRoles`: [`TENANT_ADMIN`]).
pub const TENANT: &str = "fmesh-authz";
/// The Pulsar namespace of [`TENANT`] with the grants.
pub const PNS: &str = "apps";
/// An admin of [`TENANT`].
pub const TENANT_ADMIN: &str = "authz-tenant-admin";
/// A role with the namespace's `functions` permission only.
pub const FN_DEV: &str = "authz-fn-dev";
/// A role with the namespace's `sinks` and `sources` permissions.
pub const IO_DEV: &str = "authz-io-dev";
/// A role with no rights at all.
pub const NOBODY: &str = "authz-nobody";
/// The worker's proxy role (it has the namespace's `functions` permission itself).
pub const PROXY: &str = "authz-proxy";
/// Every role a token is minted for (the canary check looks for each token).
pub const ROLES: [&str; 6] = [TENANT_ADMIN, FN_DEV, IO_DEV, NOBODY, PROXY, ADMIN_ROLE];
/// The claim every minted token carries, with a distinctive value per role.
pub const CANARY_CLAIM: &str = "fmesh_canary";
/// The expiry of the expired tokens (2001-09-09).
pub const EXPIRED_AT: i64 = 1_000_000_000;
/// The key the wrongly signed tokens are signed with (not the broker's).
pub const WRONG_KEY: [u8; 32] = [0x5a; 32];

/// The canary claim value of `role`.
pub fn canary(role: &str) -> String {
    format!("CANARY-{role}-tok")
}

/// The authorization setup of one scenario: the broker (with authentication), the token files.
pub struct Authz<'a> {
    /// The broker's `pulsar-admin`.
    pub p: &'a dyn PulsarAdmin,
    /// The broker's key and tokens.
    pub auth: &'a PulsarAuth,
    /// `<log_dir>/authz`: the token files (mode 0600).
    pub dir: PathBuf,
}

impl<'a> Authz<'a> {
    /// The broker side: Pulsar (with authentication, else the scenario fails), the tenant with
    /// its admin role, the namespace with its grants, and the package the functions use. Safe to
    /// run again.
    pub async fn prepare(ctx: &'a Ctx<'a>, o: &mut Outcome) -> Result<Authz<'a>, Stop> {
        let p = ctx.backend.pulsar().require("Pulsar")?;
        use_crds(ctx, o)?;
        let auth = p
            .auth()
            .ok_or("the harness's Pulsar runs without authentication (PulsarOptions::auth)")
            .require("Pulsar token authentication")?;
        let dir = ctx.backend.log_dir().join("authz");
        std::fs::create_dir_all(&dir).require(&format!("mkdir {}", dir.display()))?;
        let tenant = format!("{TENANT}/{PNS}");
        let steps: Vec<Vec<&str>> = vec![
            vec![
                "tenants",
                "create",
                TENANT,
                "--admin-roles",
                TENANT_ADMIN,
                "--allowed-clusters",
                crate::backend::CLUSTER_NAME,
            ],
            vec!["namespaces", "create", &tenant],
        ];
        for args in steps {
            // "already exists" on a second run is fine: the grants below are checked.
            let _ = super::support::admin(p, None, &args);
        }
        for (role, actions) in [
            (FN_DEV, "functions"),
            (IO_DEV, "sinks,sources"),
            (PROXY, "functions"),
        ] {
            super::support::admin(
                p,
                None,
                &[
                    "namespaces",
                    "grant-permission",
                    &tenant,
                    "--role",
                    role,
                    "--actions",
                    actions,
                ],
            )
            .require(&format!("grant {actions} on {tenant} to {role}"))?;
        }
        let perms = super::support::admin(p, None, &["namespaces", "permissions", &tenant])
            .require(&format!("permissions of {tenant}"))?;
        let admins = super::support::admin(p, None, &["tenants", "get", TENANT])
            .require(&format!("tenant {TENANT}"))?;
        if !perms.contains(FN_DEV) || !admins.contains(TENANT_ADMIN) {
            return Err(Stop::Failed(Failure::new(
                format!("tenant {TENANT}"),
                "adminRoles / permissions",
                format!("{TENANT_ADMIN} admin, {FN_DEV} granted"),
                format!("{admins} {perms}"),
            )));
        }
        ensure_package(ctx, p).require("pulsar-admin packages upload")?;
        Ok(Authz { p, auth, dir })
    }

    /// The token of `role` (deterministic for a run: the same claims, the run's key).
    pub fn token(&self, role: &str) -> String {
        self.auth
            .token(role, json!({ CANARY_CLAIM: canary(role) }))
            .unwrap_or_default()
    }

    /// An expired token of `role`.
    pub fn expired(&self, role: &str) -> String {
        self.auth
            .token(
                role,
                json!({ CANARY_CLAIM: canary(role), "exp": EXPIRED_AT }),
            )
            .unwrap_or_default()
    }

    /// A token of `role` signed with [`WRONG_KEY`].
    pub fn wrongly_signed(&self, role: &str) -> String {
        crate::pulsar_auth::sign(
            &WRONG_KEY,
            &json!({ "sub": role, CANARY_CLAIM: canary(role) }),
        )
        .unwrap_or_default()
    }

    /// Writes `token` to `<dir>/<name>.token` (mode 0600); its path.
    pub fn token_file(&self, name: &str, token: &str) -> Result<PathBuf, String> {
        let path = self.dir.join(format!("{name}.token"));
        crate::pulsar_auth::write_private(&path, token.as_bytes()).map_err(|e| e.to_string())?;
        Ok(path)
    }

    /// The worker's `functions_worker.yml`: authentication (the broker's key) and authorization
    /// on, superusers, the proxy role, its own broker token, token pass-through for the
    /// components (`usingInsecureAuth: false`), job namespace `ns`.
    pub fn worker_config(&self, ns: &str) -> String {
        format!(
            "pulsarFunctionsCluster: {cluster}\npulsarWebServiceUrl: {web}\n\
             authenticationEnabled: true\nauthenticationProviders: [{TOKEN_PROVIDER}]\n\
             authorizationEnabled: true\nsuperUserRoles: [{ADMIN_ROLE}]\nproxyRoles: [{PROXY}]\n\
             properties:\n  tokenSecretKey: file://{key}\n{broker}\
             functionsWorkerServiceCustomConfigs:\n  jobNamespace: {ns}\n  usingInsecureAuth: false\n  \
             functionRunnerImages:\n    JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
            cluster = crate::backend::CLUSTER_NAME,
            web = self.p.web_service_url(),
            key = self.auth.key_file().display(),
            broker = super::support::broker_client_config(Some(self.auth)),
        )
    }

    /// `pulsar-admin --admin-url url --auth-plugin AuthenticationToken --auth-params file:<token>
    /// <args>` as the holder of `token`: stdout on exit 0, else the exit code and the output.
    pub fn admin_as(&self, url: &str, token: &str, args: &[&str]) -> Result<String, String> {
        let file = self.token_file("pulsar-admin", token)?;
        let params = format!("file://{}", file.display());
        let mut all = vec![
            "--admin-url",
            url,
            "--auth-plugin",
            TOKEN_PLUGIN,
            "--auth-params",
            &params,
        ];
        all.extend_from_slice(args);
        let out = self.p.admin(&all).map_err(|e| e.to_string())?;
        let text = format!("{} {}", out.stdout.trim(), out.stderr.trim());
        super::authz_http::record(&text);
        if out.code == 0 {
            Ok(out.stdout)
        } else {
            Err(format!("exit {}: {}", out.code, text.trim()))
        }
    }
}

/// The Go client as the holder of `token`; its output (or error) is recorded for the canary
/// check.
pub fn go(bin: &std::path::Path, url: &str, token: &str, args: &[&str]) -> Result<Value, String> {
    let r = go_as(bin, url, Some(token), args);
    match &r {
        Ok(v) => super::authz_http::record(&v.to_string()),
        Err(e) => super::authz_http::record(e),
    }
    r
}

/// The `pulsar-admin functions create` arguments of function `name` in [`TENANT`]/[`PNS`].
pub fn fn_create_args(name: &str) -> Vec<String> {
    [
        "functions",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        name,
        "--classname",
        CLASS,
        "--inputs",
        &format!("persistent://{TENANT}/{PNS}/{name}-in"),
        "--jar",
        PACKAGE,
    ]
    .map(str::to_owned)
    .to_vec()
}

/// `--tenant T --namespace N --name name` of [`TENANT`]/[`PNS`].
pub fn ids(name: &str) -> [&str; 6] {
    ["--tenant", TENANT, "--namespace", PNS, "--name", name]
}

/// A function config (JSON) for the Go client and raw HTTP.
pub fn fn_config(name: &str) -> Value {
    json!({
        "tenant": TENANT, "namespace": PNS, "name": name, "className": CLASS,
        "inputs": [format!("persistent://{TENANT}/{PNS}/{name}-in")], "parallelism": 1,
        "jar": PACKAGE
    })
}

/// Records a failure when `r` is not `Ok`.
pub fn want_ok<T>(o: &mut Outcome, what: &str, r: Result<T, String>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            o.fail(Failure::new(what, "-", "allowed", e));
            None
        }
    }
}

/// Records a failure unless `r` is a refusal that names 401 or 403 (or Pulsar's wording).
pub fn want_refused<T: std::fmt::Debug>(o: &mut Outcome, what: &str, r: Result<T, String>) {
    match r {
        Ok(v) => o.fail(Failure::new(
            what,
            "-",
            "refused (401/403)",
            format!("{v:?}"),
        )),
        Err(e)
            if e.contains("401")
                || e.contains("403")
                || e.contains("not authorized")
                || e.contains("Unauthorized")
                || e.contains("Authentication required") => {}
        Err(e) => o.fail(Failure::new(what, "-", "refused (401/403)", e)),
    }
}

/// The scenario: the tenant admin and the roles with the namespace's `functions` (pulsar-admin,
/// Go client) or `sinks` permission (Go client) create, get, list and delete; each created resource
/// carries its caller's token only in its auth Secret (token pass-through); a role is refused the
/// kinds it has no permission for; the broker itself refuses an anonymous caller.
pub async fn allowed_roles(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let a = Authz::prepare(ctx, &mut o).await?;
    let bin = ctx
        .backend
        .prepared()
        .pulsaradmin_go_bin()
        .require("pulsaradmin Go client")?;
    // The broker runs with authentication: an anonymous call is refused.
    let web = a.p.web_service_url();
    let addr = web
        .trim_start_matches("http://")
        .parse::<std::net::SocketAddr>()
        .require(&format!("broker address {web}"))?;
    match crate::net::http_get(
        addr,
        "/admin/v2/tenants",
        std::time::Duration::from_secs(10),
    ) {
        Ok((401, _)) => {}
        other => o.fail(Failure::new(
            "broker GET /admin/v2/tenants without a token",
            "status",
            "401",
            format!("{other:?}"),
        )),
    }
    let (st, w) = super::support::launch_with_access(ctx, AUTHZ_NS, &a.worker_config(AUTHZ_NS))
        .await
        .require("fmesh worker (authentication and authorization on)")?;
    let url = w.url();
    let lib = st.library();

    // pulsar-admin: the tenant admin and the functions role, the whole lifecycle.
    for (role, name) in [(TENANT_ADMIN, "az-admin-fn"), (FN_DEV, "az-dev-fn")] {
        let t = a.token(role);
        let create = fn_create_args(name);
        let create: Vec<&str> = create.iter().map(String::as_str).collect();
        if want_ok(
            &mut o,
            &format!("{role}: functions create {name}"),
            a.admin_as(&url, &t, &create),
        )
        .is_none()
        {
            continue;
        }
        let resource = lib.resource_name(TENANT, PNS, name);
        let r = stored_in(ctx, AUTHZ_NS, fm_worker::Kind::Function, &resource).await;
        let obj = format!("Function {AUTHZ_NS}/{resource}");
        check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
        auth_secret_holds(ctx, &mut o, &obj, &r, &t).await;
        let mut get = vec!["functions", "get"];
        get.extend(ids(name));
        if let Some(text) = want_ok(
            &mut o,
            &format!("{role}: functions get {name}"),
            a.admin_as(&url, &t, &get),
        ) {
            want_field(
                &mut o,
                &format!("functions get {name}"),
                &super::support::json_out(&text),
                "className",
                json!(CLASS),
            );
        }
        let list = ["functions", "list", "--tenant", TENANT, "--namespace", PNS];
        if let Some(text) = want_ok(
            &mut o,
            &format!("{role}: functions list"),
            a.admin_as(&url, &t, &list),
        ) {
            if !text.lines().any(|l| l.trim() == name) {
                o.fail(Failure::new(
                    format!("{role}: functions list"),
                    "-",
                    format!("lists {name}"),
                    text,
                ));
            }
        }
        let mut status = vec!["functions", "status"];
        status.extend(ids(name));
        want_ok(
            &mut o,
            &format!("{role}: functions status {name}"),
            a.admin_as(&url, &t, &status),
        );
        let mut delete = vec!["functions", "delete"];
        delete.extend(ids(name));
        want_ok(
            &mut o,
            &format!("{role}: functions delete {name}"),
            a.admin_as(&url, &t, &delete),
        );
        if stored_in(ctx, AUTHZ_NS, fm_worker::Kind::Function, &resource)
            .await
            .is_some()
        {
            o.fail(Failure::new(&obj, "-", "deleted", "still there"));
        }
    }

    // A functions-only role may not create a sink.
    let sink_args = [
        "sinks",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PNS,
        "--name",
        "az-dev-sink",
        "--sink-type",
        "elastic_search",
        "--inputs",
        "persistent://fmesh-authz/apps/az-in",
    ];
    want_refused(
        &mut o,
        &format!("{FN_DEV}: sinks create"),
        a.admin_as(&url, &a.token(FN_DEV), &sink_args),
    );

    // The Go client (pulsarctl's library): functions as the functions role, a sink as the sinks role.
    let go_role = |role: &str, args: &[&str]| go(&bin, &url, &a.token(role), args);
    let c = fn_config("az-go-fn").to_string();
    want_ok(
        &mut o,
        "Go: functions create as the functions role",
        go_role(FN_DEV, &["functions", "create", &c, PACKAGE]),
    );
    if let Some(got) = want_ok(
        &mut o,
        "Go: functions get",
        go_role(FN_DEV, &["functions", "get", TENANT, PNS, "az-go-fn"]),
    ) {
        want_field(
            &mut o,
            "Go functions get az-go-fn",
            &got,
            "className",
            json!(CLASS),
        );
    }
    if let Some(list) = want_ok(
        &mut o,
        "Go: functions list",
        go_role(FN_DEV, &["functions", "list", TENANT, PNS]),
    ) {
        want_listed(&mut o, "Go functions list", &list, "az-go-fn");
    }
    want_ok(
        &mut o,
        "Go: functions delete",
        go_role(FN_DEV, &["functions", "delete", TENANT, PNS, "az-go-fn"]),
    );
    let sink = json!({
        "tenant": TENANT, "namespace": PNS, "name": "az-go-sink", "archive": "builtin://elastic_search",
        "inputs": ["persistent://fmesh-authz/apps/az-go-sink-in"],
        "configs": {"elasticSearchUrl": "http://es:9200"}
    })
    .to_string();
    want_ok(
        &mut o,
        "Go: sinks create as the sinks role",
        go_role(IO_DEV, &["sinks", "create", &sink]),
    );
    let sink_resource = lib.resource_name(TENANT, PNS, "az-go-sink");
    let r = stored_in(ctx, AUTHZ_NS, fm_worker::Kind::Sink, &sink_resource).await;
    auth_secret_holds(
        ctx,
        &mut o,
        &format!("Sink {AUTHZ_NS}/{sink_resource}"),
        &r,
        &a.token(IO_DEV),
    )
    .await;
    if let Some(list) = want_ok(
        &mut o,
        "Go: sinks list",
        go_role(IO_DEV, &["sinks", "list", TENANT, PNS]),
    ) {
        want_listed(&mut o, "Go sinks list", &list, "az-go-sink");
    }
    want_refused(
        &mut o,
        "Go: sinks get as the functions role",
        go_role(FN_DEV, &["sinks", "get", TENANT, PNS, "az-go-sink"]),
    );
    want_ok(
        &mut o,
        "Go: sinks delete",
        go_role(IO_DEV, &["sinks", "delete", TENANT, PNS, "az-go-sink"]),
    );
    for (kind, name) in [
        (fm_worker::Kind::Function, "az-go-fn"),
        (fm_worker::Kind::Sink, "az-go-sink"),
    ] {
        let resource = lib.resource_name(TENANT, PNS, name);
        if stored_in(ctx, AUTHZ_NS, kind, &resource).await.is_some() {
            o.fail(Failure::new(
                format!("{kind:?} {AUTHZ_NS}/{resource}"),
                "-",
                "deleted",
                "still there",
            ));
        }
    }
    // The harness's superuser (client.conf's token) lists too.
    let list = ["functions", "list", "--tenant", TENANT, "--namespace", PNS];
    want_ok(
        &mut o,
        "superuser: functions list",
        super::support::admin(a.p, Some(&url), &list),
    );
    let _ = w.stop().await;
    Ok(o)
}

/// Checks that resource `r` names an auth Secret (`spec.pulsar.authSecret`) that holds `token`
/// (token pass-through: the caller's token is handed to the component there, and only there).
pub async fn auth_secret_holds(
    ctx: &Ctx<'_>,
    o: &mut Outcome,
    object: &str,
    r: &Option<Value>,
    token: &str,
) {
    let Some(name) = r
        .as_ref()
        .and_then(|r| r.pointer("/spec/pulsar/authSecret"))
        .and_then(Value::as_str)
    else {
        o.fail(Failure::new(
            object,
            "spec.pulsar.authSecret",
            "the caller's token Secret",
            "absent",
        ));
        return;
    };
    let secret = super::support::secret_text(ctx, AUTHZ_NS, name).await;
    if !secret.contains(token) {
        o.fail(Failure::new(
            format!("Secret {AUTHZ_NS}/{name}"),
            "clientAuthenticationParameters",
            "the caller's token (token pass-through)",
            "another value",
        ));
    }
}
