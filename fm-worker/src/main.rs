//! `fmesh-worker`: serves the Pulsar admin REST API v3 for functions, sinks and sources, writing
//! Function Mesh resources to Kubernetes.
//!
//! Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 when it cannot start, 2 usage error.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fm_worker::auth::AccessConfig;
use fm_worker::listener::{self, ServeOptions};
use fm_worker::{router, Settings, StartupError, WorkerState};

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
    /// Keep no mirror of the namespace's resources: get, list and status read the API server on
    /// every request (list page by page, metadata only). Saves the mirror's memory (about 4.6 KiB
    /// per resource) at the price of slower reads; the service account then needs no `watch`.
    #[arg(long)]
    no_mirror: bool,
    /// TLS certificate chain (PEM) for the TLS listener (default: the worker config's
    /// `tlsCertificateFilePath` when `workerPortTls` is set).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) for the TLS listener (default: the worker config's `tlsKeyFilePath`).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Address of the TLS listener (default: `0.0.0.0:<workerPortTls>`, else `0.0.0.0:6751`).
    #[arg(long, value_name = "ADDR")]
    tls_listen: Option<SocketAddr>,
}

fn access_warnings(access: &AccessConfig) {
    for p in &access.skipped_providers {
        tracing::warn!(
            provider = %p,
            "authentication provider not supported by fmesh-worker: skipped (requests naming \
             its method are refused)"
        );
    }
    if access.authentication_enabled && access.token.is_none() {
        tracing::warn!(
            "authenticationEnabled is set but authenticationProviders names no provider: \
             requests are not authenticated (as in Pulsar with no provider loaded)"
        );
    }
    if access.authorization_enabled && !access.authentication_enabled {
        tracing::warn!(
            "authorizationEnabled without authenticationEnabled: no request has a role, so every \
             component request is refused"
        );
    }
}

async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr), StartupError> {
    let fail = |source| StartupError::Read {
        path: format!("listen address {addr}"),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(fail)?;
    let local = listener.local_addr().map_err(fail)?;
    Ok((listener, local))
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
    let file = args.config.display().to_string();
    let access = AccessConfig::parse(&file, &fm_worker::settings::read_text(&args.config)?)?;
    access_warnings(&access);
    let (authenticator, policy) = fm_worker::auth::build(&file, &access)?;
    let tls = match (&args.tls_cert, &args.tls_key, &access.tls) {
        (Some(cert), Some(key), t) => Some((
            listener::tls_config(cert, key)?,
            args.tls_listen.unwrap_or_else(|| {
                SocketAddr::from(([0, 0, 0, 0], t.as_ref().map_or(6751, |t| t.port)))
            }),
        )),
        (_, _, Some(t)) => Some((
            listener::tls_config(&t.cert, &t.key)?,
            args.tls_listen
                .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], t.port))),
        )),
        _ => None,
    };
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
    let state = WorkerState::with_access(settings, client, authenticator, policy);
    if !args.skip_crd_check {
        state.check_cluster().await?;
    }
    let (plain, local) = bind(args.listen).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let options = ServeOptions::default();
    let mirror = (!args.no_mirror).then(|| tokio::spawn(state.mirror_task()));
    let app = router(state);
    let mut servers = vec![tokio::spawn(listener::serve(
        plain,
        None,
        app.clone(),
        options,
        stopped(stop_rx.clone()),
    ))];
    let mut tls_local = None;
    if let Some((config, addr)) = tls {
        let (l, a) = bind(addr).await?;
        tls_local = Some(a);
        servers.push(tokio::spawn(listener::serve(
            l,
            Some(config),
            app,
            options,
            stopped(stop_rx),
        )));
    }
    tracing::info!(
        %local,
        tls = ?tls_local,
        %namespace,
        %cluster,
        connectors,
        authentication = access.authentication_enabled,
        authorization = access.authorization_enabled,
        "fmesh-worker listening"
    );
    shutdown_signal().await;
    let _ = stop_tx.send(true);
    if let Some(m) = mirror {
        m.abort();
    }
    for s in servers {
        match s.await {
            Ok(Ok(())) => {}
            Ok(Err(source)) => {
                return Err(StartupError::Read {
                    path: format!("serving on {local}"),
                    source,
                })
            }
            Err(e) => {
                return Err(StartupError::Read {
                    path: format!("serving on {local}"),
                    source: std::io::Error::other(e.to_string()),
                })
            }
        }
    }
    Ok(())
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
