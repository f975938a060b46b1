//! `cargo run -p conformance --bin fmesh-playground`: the conformance harness's local backend
//! (etcd, kube-apiserver with the Function Mesh CRDs, Pulsar standalone) and the fmesh worker on
//! it, to try the worker without a cluster. Prints the `pulsar-admin` and `kubectl` lines to use;
//! Ctrl-C stops everything.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use conformance::backend::Backend;
use conformance::backends::local::LocalBackend;
use conformance::prepared::{workspace_root, Prepared};
use fm_worker::{Catalogue, Library, Settings, WorkerState};

/// Kubernetes namespace of the playground's resources.
const NS: &str = "fmesh-playground";

fn write_admin_script(dir: &Path) -> std::io::Result<std::path::PathBuf> {
    let pulsar =
        conformance::backends::local::pulsar_setup::pulsar_cache_dir(&Prepared::cache_root());
    let work = dir.join("work").join("pulsar");
    let java = match std::env::var_os("JAVA_HOME") {
        Some(h) if !h.is_empty() => Path::new(&h).join("bin").join("java"),
        _ => "java".into(),
    };
    let script = dir.join("pulsar-admin");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n# pulsar-admin of the fmesh playground (its client.conf points at the playground's Pulsar).\n\
             exec '{}' -Dlog4j.configurationFile='{}' -cp '{}/lib/admin/*' org.apache.pulsar.admin.cli.PulsarAdminTool '{}' \"$@\"\n",
            java.display(),
            work.join("log4j2-admin.properties").display(),
            pulsar.display(),
            work.join("client.conf").display()
        ),
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(script)
}

async fn run() -> Result<(), String> {
    let backend = LocalBackend::start().await.map_err(|e| e.to_string())?;
    let client = backend.client();
    conformance::kubeutil::ensure_namespace(&client, NS)
        .await
        .map_err(|e| e.to_string())?;
    let web = backend.pulsar().ok().map(|p| p.web_service_url());
    // The playground's Pulsar runs with token authentication: the worker's own broker token.
    let broker = backend
        .pulsar()
        .ok()
        .and_then(|p| p.auth())
        .map(|a| {
            format!(
                "brokerClientAuthenticationEnabled: true\nbrokerClientAuthenticationPlugin: {}\n\
                 brokerClientAuthenticationParameters: \"token:{}\"\n",
                conformance::pulsar_auth::TOKEN_PLUGIN,
                a.worker_token()
            )
        })
        .unwrap_or_default();
    let config = format!(
        "pulsarFunctionsCluster: {}\n{}{broker}functionsWorkerServiceCustomConfigs:\n  jobNamespace: {NS}\n  \
         functionRunnerImages:\n    JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
        conformance::backend::CLUSTER_NAME,
        web.as_ref()
            .map(|u| format!("pulsarWebServiceUrl: {u}\n"))
            .unwrap_or_default()
    );
    let connectors = workspace_root()
        .join("fixtures")
        .join("worker")
        .join("connectors.yaml");
    let text = std::fs::read_to_string(&connectors)
        .map_err(|e| format!("{}: {e}", connectors.display()))?;
    let settings = Settings {
        library: Library::from_worker_config("functions_worker.yml", &config, None, None)
            .map_err(|e| e.to_string())?,
        catalogue: Catalogue::parse(&connectors.display().to_string(), &text)
            .map_err(|e| e.to_string())?,
        connectors_path: Some(connectors),
    };
    let state = WorkerState::new(settings, client);
    state.check_cluster().await.map_err(|e| e.to_string())?;
    let preferred: SocketAddr = ([127, 0, 0, 1], 6750).into();
    let worker = match fm_worker::spawn(preferred, state.clone()).await {
        Ok(w) => w,
        Err(_) => fm_worker::spawn(([127, 0, 0, 1], 0).into(), state)
            .await
            .map_err(|e| format!("listen: {e}"))?,
    };
    let log_dir = backend.log_dir().to_path_buf();
    println!("fmesh playground is up (Ctrl-C stops everything)");
    println!("  worker:     {}", worker.url());
    match (&web, write_admin_script(&log_dir)) {
        (Some(web), Ok(script)) => {
            println!("  pulsar:     {web}");
            println!(
                "  pulsar-admin: {} --admin-url {} functions list --tenant public --namespace default",
                script.display(),
                worker.url()
            );
        }
        (None, _) => println!("  pulsar:     not available (see the log above)"),
        (_, Err(e)) => println!("  pulsar-admin script: {e}"),
    }
    println!(
        "  kubectl:    kubectl --kubeconfig {} -n {NS} get functions,sinks,sources -w",
        backend.kubeconfig().display()
    );
    println!("  logs:       {}", log_dir.display());
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("waiting for Ctrl-C: {e}"))?;
    println!("stopping");
    let _ = worker.stop().await;
    drop(backend);
    Ok(())
}

fn main() -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fmesh-playground: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fmesh-playground: {e}");
            ExitCode::FAILURE
        }
    }
}
