//! Scenario 10, uploads: `pulsar-admin functions create --jar <local jar>` against the fmesh worker
//! (with `uploadEnabled`) streams the jar into the real Pulsar's package service under the name the
//! Java worker uses, the resource names that package, and `functions delete` removes both.

use std::net::SocketAddr;

use fm_worker::{Catalogue, Library, Settings, WorkerState};
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::{Ctx, Scenario};
use crate::backend::PulsarAdmin;
use crate::kubeutil::ensure_namespace;
use crate::report::{Failure, Outcome};
use crate::{crds, require};

const NS: &str = "fmesh-worker";
const NAME: &str = "wupload";
const PACKAGE: &str = "function://public/default/wupload";
const CLASS: &str = "org.apache.pulsar.functions.api.examples.ExclamationFunction";

/// The scenario of this file.
pub fn scenario() -> Scenario {
    super::scenario(
        "10 worker: functions create --jar <local jar> uploads the package; delete removes it",
        |c| Box::pin(upload_and_delete(c)),
    )
}

/// The examples jar `prepare-pulsar.sh` puts in the Maven repository.
pub fn examples_jar() -> std::path::PathBuf {
    let v = crate::pulsar_local::PULSAR_VERSION;
    crate::pulsar_local::default_cache_root()
        .join("m2/org/apache/pulsar/pulsar-functions-api-examples")
        .join(v)
        .join(format!("pulsar-functions-api-examples-{v}.jar"))
}

fn admin(p: &dyn PulsarAdmin, url: Option<&str>, args: &[&str]) -> Result<String, String> {
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
            "exit {}: {} {}",
            out.code,
            out.stdout.trim(),
            out.stderr.trim()
        ))
    }
}

async fn start(ctx: &Ctx<'_>, web: String) -> Result<(Library, fm_worker::Running), String> {
    ensure_namespace(&ctx.backend.client(), NS)
        .await
        .map_err(|e| format!("namespace {NS}: {e}"))?;
    let config = format!(
        "pulsarFunctionsCluster: {}\npulsarWebServiceUrl: {web}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: {NS}\n  uploadEnabled: true\n  \
         functionRunnerImages:\n    JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
        crate::pulsar_local::CLUSTER_NAME
    );
    let library = Library::from_worker_config("functions_worker.yml", &config, None, None)
        .map_err(|e| e.to_string())?;
    let settings = Settings {
        library: library.clone(),
        catalogue: Catalogue::parse("connectors.yaml", "[]").map_err(|e| e.to_string())?,
        connectors_path: None,
    };
    let state = WorkerState::new(settings, ctx.backend.client());
    state.check_cluster().await.map_err(|e| e.to_string())?;
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = fm_worker::spawn(addr, state)
        .await
        .map_err(|e| format!("listen on 127.0.0.1: {e}"))?;
    Ok((library, running))
}

/// Create with a local jar, check the package and the resource, delete, check both are gone.
pub async fn upload_and_delete(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let jar = examples_jar();
    let size = require!(
        std::fs::metadata(&jar)
            .map(|m| m.len())
            .map_err(|e| format!(
                "{} (run conformance/scripts/prepare.sh): {e}",
                jar.display()
            )),
        "pulsar-functions-api-examples jar"
    );
    let (library, w) = require!(start(ctx, p.web_service_url()).await, "fmesh worker");
    let url = w.url();
    let u = Some(url.as_str());
    // Leftovers of an earlier run.
    let _ = admin(
        p,
        u,
        &[
            "functions",
            "delete",
            "--tenant",
            "public",
            "--namespace",
            "default",
            "--name",
            NAME,
        ],
    );
    let _ = admin(p, None, &["packages", "delete", PACKAGE]);
    let jar_path = jar.to_string_lossy().into_owned();
    let create = [
        "functions",
        "create",
        "--tenant",
        "public",
        "--namespace",
        "default",
        "--name",
        NAME,
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wu-in",
        "--output",
        "persistent://public/default/wu-out",
        "--jar",
        &jar_path,
    ];
    if let Err(e) = admin(p, u, &create) {
        o.fail(Failure::new(
            "functions create --jar <local jar>",
            "-",
            "exit 0",
            e,
        ));
        return o;
    }
    let api: Api<DynamicObject> = Api::namespaced_with(
        ctx.backend.client(),
        NS,
        &fm_worker::library::api_resource(fm_worker::Kind::Function),
    );
    let resource_name = library.resource_name("public", "default", NAME);
    let stored = api
        .get_opt(&resource_name)
        .await
        .ok()
        .flatten()
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or(Value::Null);
    for (pointer, want) in [
        ("/spec/java/jarLocation", PACKAGE),
        ("/metadata/annotations/fmesh.io~1uploaded-package", PACKAGE),
        ("/spec/className", CLASS),
    ] {
        let got = stored.pointer(pointer).cloned().unwrap_or(Value::Null);
        if got != Value::String(want.into()) {
            o.fail(Failure::new(
                format!("Function {resource_name}"),
                pointer,
                want,
                got.to_string(),
            ));
        }
    }
    match admin(p, None, &["packages", "get-metadata", PACKAGE]) {
        Ok(out) => {
            let meta: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
            let want_size = size.to_string();
            for (pointer, want) in [
                ("/contact", "mesh-worker-service"),
                ("/properties/managedByMeshWorkerService", "true"),
                ("/properties/fileSize", want_size.as_str()),
                ("/properties/functionName", NAME),
            ] {
                let got = meta.pointer(pointer).cloned().unwrap_or(Value::Null);
                if got != Value::String(want.into()) {
                    o.fail(Failure::new(
                        format!("package {PACKAGE}"),
                        pointer,
                        want,
                        out.trim(),
                    ));
                }
            }
        }
        Err(e) => o.fail(Failure::new(
            format!("package {PACKAGE}"),
            "metadata",
            "uploaded",
            e,
        )),
    }
    if let Err(e) = admin(
        p,
        u,
        &[
            "functions",
            "delete",
            "--tenant",
            "public",
            "--namespace",
            "default",
            "--name",
            NAME,
        ],
    ) {
        o.fail(Failure::new("functions delete", "-", "exit 0", e));
        return o;
    }
    if matches!(api.get_opt(&resource_name).await, Ok(Some(_))) {
        o.fail(Failure::new(
            format!("Function {resource_name}"),
            "-",
            "deleted",
            "still there",
        ));
    }
    if let Ok(out) = admin(p, None, &["packages", "get-metadata", PACKAGE]) {
        o.fail(Failure::new(
            format!("package {PACKAGE}"),
            "-",
            "deleted with the function",
            out.trim(),
        ));
    }
    let _ = w.stop().await;
    o
}
