//! What the worker scenarios share: the in-process worker and its configuration, `pulsar-admin` steps
//! against it, and reading back what it stored in the API server.

use std::net::SocketAddr;

use fm_worker::{Catalogue, Library, Settings, WorkerState};
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use crate::backend::PulsarAdmin;
use crate::kubeutil::ensure_namespace;
use crate::pulsar_auth::{PulsarAuth, TOKEN_PLUGIN};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{Ctx, Stop};

/// Kubernetes namespace the worker writes to.
pub(super) const NS: &str = "fmesh-worker";
pub(super) const TENANT: &str = "public";
pub(super) const PULSAR_NS: &str = "default";
pub(super) const PACKAGE: &str = "function://public/default/fmesh-worker-exclamation@v2";
pub(super) const CLASS: &str = "org.apache.pulsar.functions.api.examples.ExclamationFunction";

/// The name the worker's config goes by in its errors.
pub(super) const CONFIG_FILE: &str = "functions_worker.yml";

/// The worker's own broker credentials (`brokerClientAuthentication*`: the token of
/// [`crate::pulsar_auth::WORKER_BROKER_ROLE`]) when the broker runs with authentication; the
/// package service client and the tenant-admin lookups use them.
pub(super) fn broker_client_config(auth: Option<&PulsarAuth>) -> String {
    match auth {
        Some(a) => format!(
            "brokerClientAuthenticationEnabled: true\nbrokerClientAuthenticationPlugin: {TOKEN_PLUGIN}\n\
             brokerClientAuthenticationParameters: \"token:{}\"\n",
            a.worker_token()
        ),
        None => String::new(),
    }
}

/// The worker's `functions_worker.yml`: job namespace `ns`, `uploadEnabled` when `uploads`, the
/// broker credentials of [`broker_client_config`].
pub(super) fn worker_config(
    ns: &str,
    pulsar_web_service_url: Option<String>,
    uploads: bool,
    auth: Option<&PulsarAuth>,
) -> String {
    let upload = if uploads {
        "  uploadEnabled: true\n"
    } else {
        ""
    };
    let web = pulsar_web_service_url
        .map(|u| format!("pulsarWebServiceUrl: {u}\n"))
        .unwrap_or_default();
    let broker = broker_client_config(auth);
    format!(
        "pulsarFunctionsCluster: {}\n{web}{broker}\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: {ns}\n{upload}  functionRunnerImages:\n    \
         JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
        crate::backend::CLUSTER_NAME
    )
}

/// The worker's state from the `functions_worker.yml` text `config`, its Kubernetes client being
/// `deploy/rbac.yaml`'s ServiceAccount in `ns` (see [`super::access`]), never the harness's admin.
/// With `access`, the config's authentication and authorization apply (as the binary reads
/// them); without, every request is allowed.
pub(super) async fn state_from(
    ctx: &Ctx<'_>,
    ns: &str,
    config: &str,
    access: bool,
) -> Result<WorkerState, String> {
    let (client, _kubeconfig) = super::access::worker_client(ctx, ns).await?;
    let connectors = ctx.fixtures.join("worker").join("connectors.yaml");
    let text = std::fs::read_to_string(&connectors)
        .map_err(|e| format!("{}: {e}", connectors.display()))?;
    let settings = Settings {
        library: Library::from_worker_config(CONFIG_FILE, config, None, None)
            .map_err(|e| e.to_string())?,
        catalogue: Catalogue::parse(&connectors.display().to_string(), &text)
            .map_err(|e| e.to_string())?,
        connectors_path: Some(connectors),
    };
    if !access {
        return Ok(WorkerState::new(settings, client));
    }
    let access =
        fm_worker::auth::AccessConfig::parse(CONFIG_FILE, config).map_err(|e| e.to_string())?;
    let (authenticator, policy) =
        fm_worker::auth::build(CONFIG_FILE, &access).map_err(|e| e.to_string())?;
    Ok(WorkerState::with_access(
        settings,
        client,
        authenticator,
        policy,
    ))
}

/// The worker's state for the job namespace `ns` ([`worker_config`]; every request allowed).
pub(super) async fn state(ctx: &Ctx<'_>, ns: &str, uploads: bool) -> Result<WorkerState, String> {
    let pulsar = ctx.backend.pulsar().ok();
    let config = worker_config(
        ns,
        pulsar.map(|p| p.web_service_url()),
        uploads,
        pulsar.and_then(|p| p.auth()),
    );
    state_from(ctx, ns, &config, false).await
}

/// Starts the worker (job namespace [`NS`]) on a free loopback port after checking the CRDs like
/// the binary does.
pub(super) async fn start(ctx: &Ctx<'_>) -> Result<(WorkerState, fm_worker::Running), String> {
    start_in(ctx, NS).await
}

/// [`start`] with `uploadEnabled` (a `data` part goes to Pulsar's package service).
pub(super) async fn start_with_uploads(
    ctx: &Ctx<'_>,
) -> Result<(WorkerState, fm_worker::Running), String> {
    launch(ctx, NS, true).await
}

/// [`start`] with the job namespace `ns`.
pub(super) async fn start_in(
    ctx: &Ctx<'_>,
    ns: &str,
) -> Result<(WorkerState, fm_worker::Running), String> {
    launch(ctx, ns, false).await
}

async fn launch(
    ctx: &Ctx<'_>,
    ns: &str,
    uploads: bool,
) -> Result<(WorkerState, fm_worker::Running), String> {
    ensure_namespace(&ctx.backend.client(), ns)
        .await
        .map_err(|e| format!("namespace {ns}: {e}"))?;
    let state = state(ctx, ns, uploads).await?;
    if ctx.backend.pulsar().is_ok() && state.library().pulsar_web_service_url().is_none() {
        return Err("pulsarWebServiceUrl did not reach the worker".into());
    }
    serve(ctx, state).await
}

/// Starts a worker with the config text `config` (job namespace `ns`), its authentication and
/// authorization on.
pub(super) async fn launch_with_access(
    ctx: &Ctx<'_>,
    ns: &str,
    config: &str,
) -> Result<(WorkerState, fm_worker::Running), String> {
    ensure_namespace(&ctx.backend.client(), ns)
        .await
        .map_err(|e| format!("namespace {ns}: {e}"))?;
    let state = state_from(ctx, ns, config, true).await?;
    serve(ctx, state).await
}

/// Checks the CRDs like the binary does and serves `state` on a free loopback port; its log
/// lines go to [`crate::worker_log`].
async fn serve(
    ctx: &Ctx<'_>,
    state: WorkerState,
) -> Result<(WorkerState, fm_worker::Running), String> {
    if let Err(e) = crate::worker_log::install(ctx.backend.log_dir()) {
        eprintln!("conformance: the worker's log is not captured: {e}");
    }
    state.check_cluster().await.map_err(|e| e.to_string())?;
    match state.packages() {
        Some(Ok(_)) => {}
        Some(Err(e)) => return Err(format!("package service client: {e}")),
        None if ctx.backend.pulsar().is_ok()
            && state.library().pulsar_web_service_url().is_some() =>
        {
            return Err("the package service client was not built".into())
        }
        None => {}
    }
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = fm_worker::spawn(addr, state.clone())
        .await
        .map_err(|e| format!("listen on 127.0.0.1: {e}"))?;
    Ok((state, running))
}

/// `pulsar-admin [--admin-url URL] <args>`: Ok(stdout) on exit 0, else Err(exit code and stderr).
pub(super) fn admin(
    p: &dyn PulsarAdmin,
    url: Option<&str>,
    args: &[&str],
) -> Result<String, String> {
    let mut all: Vec<&str> = Vec::new();
    if let Some(u) = url {
        all.extend(["--admin-url", u]);
    }
    all.extend_from_slice(args);
    let out = p.admin(&all).map_err(|e| e.to_string())?;
    if out.code == 0 {
        Ok(out.stdout)
    } else {
        Err(format!(
            "exit {}: {}",
            out.code,
            format!("{} {}", out.stdout.trim(), out.stderr.trim()).trim()
        ))
    }
}

/// The examples jar `prepare-pulsar.sh` puts in the Maven repository.
pub(super) fn examples_jar() -> std::path::PathBuf {
    let v = crate::backend::PULSAR_VERSION;
    crate::backends::local::pulsar_setup::default_cache_root()
        .join("m2/org/apache/pulsar/pulsar-functions-api-examples")
        .join(v)
        .join(format!("pulsar-functions-api-examples-{v}.jar"))
}

/// Uploads [`PACKAGE`] to the real Pulsar with `pulsar-admin packages upload` (a second run finds
/// it there already).
pub(super) fn ensure_package(ctx: &Ctx<'_>, p: &dyn PulsarAdmin) -> Result<(), String> {
    let pkg = ctx.backend.log_dir().join("fmesh-worker-package.jar");
    // The real examples jar: the worker reads the function's type arguments from it.
    std::fs::copy(examples_jar(), &pkg)
        .map_err(|e| format!("copy the examples jar to {}: {e}", pkg.display()))?;
    let pkg_path = pkg.to_string_lossy().into_owned();
    let upload = [
        "packages",
        "upload",
        PACKAGE,
        "--path",
        &pkg_path,
        "--description",
        "fmesh worker",
    ];
    match admin(p, None, &upload) {
        Ok(_) => Ok(()),
        Err(_) if admin(p, None, &["packages", "get-metadata", PACKAGE]).is_ok() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Runs one pulsar-admin step: its stdout, or (a failure recorded in `o`) the end of the scenario.
pub(super) fn step(
    o: &mut Outcome,
    p: &dyn PulsarAdmin,
    url: Option<&str>,
    args: &[&str],
) -> Result<String, Stop> {
    admin(p, url, args).map_err(|e| {
        Stop::after(
            o,
            Failure::new(format!("pulsar-admin {}", args.join(" ")), "-", "exit 0", e),
        )
    })
}

pub(super) fn api(ctx: &Ctx<'_>, kind: fm_worker::Kind) -> Api<DynamicObject> {
    Api::namespaced_with(
        ctx.backend.client(),
        NS,
        &fm_worker::library::api_resource(kind),
    )
}

pub(super) async fn stored(ctx: &Ctx<'_>, kind: fm_worker::Kind, name: &str) -> Option<Value> {
    stored_in(ctx, NS, kind, name).await
}

/// [`stored`] in the namespace `ns`.
pub(super) async fn stored_in(
    ctx: &Ctx<'_>,
    ns: &str,
    kind: fm_worker::Kind,
    name: &str,
) -> Option<Value> {
    Api::<DynamicObject>::namespaced_with(
        ctx.backend.client(),
        ns,
        &fm_worker::library::api_resource(kind),
    )
    .get_opt(name)
    .await
    .ok()
    .flatten()
    .and_then(|o| serde_json::to_value(o).ok())
}

/// Every value of Secret `ns/name` (`data` decoded, `stringData`), joined; empty when absent.
pub(super) async fn secret_text(ctx: &Ctx<'_>, ns: &str, name: &str) -> String {
    let api: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(ctx.backend.client(), ns);
    match api.get_opt(name).await {
        Ok(Some(s)) => secret_values(&s),
        _ => String::new(),
    }
}

/// Every value of a Secret (`data` decoded, `stringData`), joined by newlines.
pub(super) fn secret_values(s: &k8s_openapi::api::core::v1::Secret) -> String {
    let data = s
        .data
        .iter()
        .flatten()
        .map(|(_, v)| String::from_utf8_lossy(&v.0).into_owned());
    let string_data = s.string_data.iter().flatten().map(|(_, v)| v.clone());
    data.chain(string_data).collect::<Vec<_>>().join("\n")
}

pub(super) fn json_out(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or(Value::Null)
}

/// Checks one field of a stored resource.
pub(super) fn check(
    o: &mut Outcome,
    object: &str,
    resource: &Option<Value>,
    pointer: &str,
    want: Value,
) {
    let got = resource
        .as_ref()
        .and_then(|r| r.pointer(pointer).cloned())
        .unwrap_or(Value::Null);
    if got != want {
        o.fail(Failure::new(
            object,
            pointer,
            want.to_string(),
            got.to_string(),
        ));
    }
}
