//! The Function Mesh worker service: Pulsar's admin REST API v3 for functions, sinks and sources
//! (what `pulsar-admin` and pulsarctl speak with `--admin-url`), answered by writing Function
//! Mesh resources to Kubernetes.
//!
//! [`router`] gives the whole API as an axum [`Router`], so another service can embed or extend
//! it; the `fmesh-worker` binary serves it. State lives only in the Kubernetes API server: any
//! number of workers can serve the same namespace. Each keeps a watch-fed [`mirror`] of its
//! resources and answers get and list from it.
//!
//! Calls into the fmesh library crates are all in the `library` module.
pub mod auth;
mod drain;
pub mod error;
pub mod form;
mod handlers;
pub mod identity;
pub mod instance;
pub mod jar;
pub mod library;
pub mod listener;
pub mod metrics;
pub mod mirror;
pub mod packages;
pub mod settings;
pub mod store;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::Router;

pub use error::ApiError;
pub use identity::{AllowAll, Authenticator, Identity, Operation, Policy, Target, Unverified};
pub use library::{Catalogue, ConfigProblem, Library};
pub use settings::{Settings, StartupError};
pub use store::Store;

/// The three kinds of component the API serves: the library's one kind.
pub use fm_convert::ComponentKind as Kind;

struct Inner {
    library: Library,
    catalogue: RwLock<Arc<Catalogue>>,
    connectors_path: Option<std::path::PathBuf>,
    store: Store,
    packages: Option<Result<packages::Packages, String>>,
    metrics: Option<metrics::Metrics>,
    authenticator: Box<dyn Authenticator>,
    policy: Box<dyn Policy>,
}

/// What every request shares: the configuration read once at start-up, the connector catalogue,
/// the Kubernetes client, the authenticator and the policy.
#[derive(Clone)]
pub struct WorkerState(Arc<Inner>);

impl WorkerState {
    /// A state with [`Unverified`] identities and the [`AllowAll`] policy.
    pub fn new(settings: Settings, client: kube::Client) -> Self {
        Self::with_access(settings, client, Box::new(Unverified), Box::new(AllowAll))
    }

    /// A state with the given authenticator and policy.
    pub fn with_access(
        settings: Settings,
        client: kube::Client,
        authenticator: Box<dyn Authenticator>,
        policy: Box<dyn Policy>,
    ) -> Self {
        let metrics = match metrics::Metrics::new() {
            Ok(m) => Some(m),
            Err(e) => {
                tracing::warn!(error = %e, "metrics are off");
                None
            }
        };
        let mut store = Store::new(client, settings.library.namespace());
        if let Some(m) = &metrics {
            store = store.with_metrics(m.clone());
        }
        let packages = settings.library.pulsar_web_service_url().map(|url| {
            packages::Packages::new(url, settings.library.broker_authorization())
                .map_err(|e| e.to_string())
        });
        WorkerState(Arc::new(Inner {
            library: settings.library,
            catalogue: RwLock::new(Arc::new(settings.catalogue)),
            connectors_path: settings.connectors_path,
            store,
            packages,
            metrics,
            authenticator,
            policy,
        }))
    }

    /// Keeps the worker's [`mirror`] of its resources current until dropped (get and list are
    /// answered from it meanwhile); [`serve`] and the binary run it.
    pub fn mirror_task(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let store = self.store().clone();
        let library = self.library().clone();
        let listings: Arc<mirror::ListingFn> = Arc::new(move |labels| library.listings(labels));
        Arc::clone(store.mirror()).run(store, listings)
    }

    /// The worker configuration.
    pub fn library(&self) -> &Library {
        &self.0.library
    }

    /// The Kubernetes side.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The package service client when `pulsarWebServiceUrl` is set (or why it could not be built).
    pub fn packages(&self) -> Option<Result<&packages::Packages, &str>> {
        self.0
            .packages
            .as_ref()
            .map(|r| r.as_ref().map_err(String::as_str))
    }

    /// The worker's Prometheus metrics (`None` if they could not be set up).
    pub fn metrics(&self) -> Option<&metrics::Metrics> {
        self.0.metrics.as_ref()
    }

    /// Counts a get or list answer of `kind` by where it came from.
    pub(crate) fn count_read(&self, kind: Kind, source: &str) {
        if let Some(m) = self.metrics() {
            m.read_from(kind, source);
        }
    }

    /// The current connector catalogue.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        match self.0.catalogue.read() {
            Ok(c) => Arc::clone(&c),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads the connector catalogue file (when one is configured); keeps the old catalogue
    /// when the file cannot be read.
    pub fn reload_catalogue(&self) -> Result<usize, ConfigProblem> {
        let Some(path) = &self.0.connectors_path else {
            return Ok(self.catalogue().len());
        };
        let fresh = settings::read_catalogue(path)?;
        let n = fresh.len();
        match self.0.catalogue.write() {
            Ok(mut c) => *c = Arc::new(fresh),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(fresh),
        }
        Ok(n)
    }

    /// The authenticator.
    pub fn authenticator(&self) -> &dyn Authenticator {
        self.0.authenticator.as_ref()
    }

    /// The policy.
    pub fn policy(&self) -> &dyn Policy {
        self.0.policy.as_ref()
    }

    /// Checks the cluster at start-up: the Function Mesh CRDs must be served.
    pub async fn check_cluster(&self) -> Result<(), StartupError> {
        let missing = self
            .store()
            .missing_crds()
            .await
            .map_err(|e| StartupError::Cluster(e.to_string()))?;
        if missing.is_empty() {
            Ok(())
        } else {
            Err(StartupError::CrdsMissing(missing))
        }
    }
}

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How long one request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The whole REST API: `/admin/v3/functions`, `/admin/v3/sinks` and `/admin/v3/sink`,
/// `/admin/v3/sources` and `/admin/v3/source`, plus `/healthz` (liveness: answers `ok`) and
/// `/metrics` (Prometheus), with request metrics, tracing, a body limit and a timeout.
pub fn router(state: WorkerState) -> Router {
    let api = Router::new()
        .nest("/admin/v3/functions", handlers::routes(Kind::Function))
        .nest("/admin/v3/sinks", handlers::routes(Kind::Sink))
        .nest("/admin/v3/sink", handlers::routes(Kind::Sink))
        .nest("/admin/v3/sources", handlers::routes(Kind::Source))
        .nest("/admin/v3/source", handlers::routes(Kind::Source))
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .route("/metrics", axum::routing::get(metrics::serve))
        .fallback(handlers::no_such_endpoint)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate_all,
        ))
        // Outside authentication, so refused requests are counted too.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        // Outermost: whoever answers, the request is read to its end first (see `drain`).
        .layer(axum::middleware::from_fn(drain::read_to_end))
        .with_state(state);
    api.layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Serves [`router`] on `listener` until `shutdown` completes (then finishes the requests in
/// flight), with the limits of [`listener::ServeOptions::default`] and the worker's [`mirror`]
/// running; [`listener::serve`] adds TLS.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WorkerState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mirror = tokio::spawn(state.mirror_task());
    let served = listener::serve(
        listener,
        None,
        router(state),
        listener::ServeOptions::default(),
        shutdown,
    )
    .await;
    mirror.abort();
    served
}

/// A worker serving in the background (see [`spawn`]).
#[derive(Debug)]
pub struct Running {
    /// Where it listens.
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// `http://<addr>`, what `pulsar-admin --admin-url` takes.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes the requests in flight, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(r) => r,
            Err(e) => Err(std::io::Error::other(e.to_string())),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `addr` (port 0: a free port) and serves the worker on the current tokio runtime.
pub async fn spawn(addr: std::net::SocketAddr, state: WorkerState) -> std::io::Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, state, async move {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        stop: Some(tx),
        task,
    })
}
