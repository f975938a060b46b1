//! `fmesh-worker`: serves the Pulsar admin REST API v3 for functions, sinks and sources, writing
//! Function Mesh resources to Kubernetes.
//!
//! Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 when it cannot start, 2 usage error.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fm_worker::{serve, Settings, StartupError, WorkerState};

/// The Function Mesh worker service.
#[derive(Debug, Parser)]
#[command(name = "fmesh-worker", version, about)]
struct Args {
    /// Pulsar worker config (`functions_worker.yml`, YAML or JSON).
    #[arg(long, value_name = "FILE")]
    config: PathBuf,
    /// Built-in connector catalogue (default: the worker config's
    /// `functionsWorkerServiceCustomConfigs.connectorDefinitionsFilePath`, else none).
    #[arg(long, value_name = "FILE")]
    connectors: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:6750")]
    listen: SocketAddr,
    /// Kubeconfig file (default: `KUBECONFIG`, `~/.kube/config`, or the in-cluster service account).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Skip the start-up check that the Function Mesh CRDs are installed.
    #[arg(long)]
    skip_crd_check: bool,
}

async fn kube_client(kubeconfig: Option<&PathBuf>) -> Result<kube::Client, StartupError> {
    let config = match kubeconfig {
        Some(path) => {
            let kc = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| StartupError::Client(format!("{}: {e}", path.display())))?;
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .map_err(|e| StartupError::Client(format!("{}: {e}", path.display())))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| StartupError::Client(e.to_string()))?,
    };
    kube::Client::try_from(config).map_err(|e| StartupError::Client(e.to_string()))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

async fn run(args: Args) -> Result<(), StartupError> {
    let settings = Settings::load(&args.config, args.connectors.as_deref())?;
    if settings.library.authentication_enabled() {
        tracing::warn!(
            "authenticationEnabled is set, but this worker does not verify credentials yet: \
             requests are served without authentication (the Authorization header is only \
             passed on to the components' auth Secrets)"
        );
    }
    if settings.library.pulsar_web_service_url().is_none() {
        tracing::warn!(
            "pulsarWebServiceUrl is not set: package URLs are not checked against Pulsar's \
             package service"
        );
    }
    let client = kube_client(args.kubeconfig.as_ref()).await?;
    let namespace = settings.library.namespace().to_owned();
    let cluster = settings.library.cluster().to_owned();
    let connectors = settings.catalogue.len();
    let state = WorkerState::new(settings, client);
    if !args.skip_crd_check {
        state.check_cluster().await?;
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|source| StartupError::Read {
            path: format!("listen address {}", args.listen),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| StartupError::Read {
        path: format!("listen address {}", args.listen),
        source,
    })?;
    tracing::info!(%local, %namespace, %cluster, connectors, "fmesh-worker listening");
    serve(listener, state, shutdown_signal())
        .await
        .map_err(|source| StartupError::Read {
            path: format!("serving on {local}"),
            source,
        })
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fmesh-worker: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fmesh-worker: {e}");
            ExitCode::FAILURE
        }
    }
}
