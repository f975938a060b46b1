//! Start-up: the worker config and the connector catalogue, read and checked once. A wrong
//! config fails here, naming the file and the key path.

use std::path::{Path, PathBuf};

use crate::library::{Catalogue, ConfigProblem, Library};

/// Why the worker cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A configuration file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A configuration value is wrong.
    #[error("{0}")]
    Config(#[from] ConfigProblem),
    /// The Kubernetes client cannot be set up.
    #[error("Kubernetes client: {0}")]
    Client(String),
    /// The API server cannot be asked.
    #[error("Kubernetes API server: {0}")]
    Cluster(String),
    /// The Function Mesh CRDs are not installed.
    #[error(
        "the Function Mesh CRDs are not installed in the cluster (missing: {}); install Function \
         Mesh (or `fmesh crd all | kubectl apply -f -`) first",
        .0.join(", ")
    )]
    CrdsMissing(Vec<String>),
    /// The access settings (authentication, authorization, the broker client) are wrong.
    #[error("{0}")]
    Access(#[from] crate::auth::AccessError),
    /// The TLS listener cannot be set up.
    #[error("{0}")]
    Tls(#[from] crate::listener::TlsError),
}

/// The largest configuration file read, in bytes.
pub const MAX_CONFIG_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a configuration file (at most [`MAX_CONFIG_FILE_BYTES`]).
pub fn read_text(path: &Path) -> Result<String, StartupError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| StartupError::Read {
        path: shown.clone(),
        source,
    })?;
    if meta.len() > MAX_CONFIG_FILE_BYTES {
        return Err(StartupError::Read {
            path: shown,
            source: std::io::Error::other(format!("larger than {MAX_CONFIG_FILE_BYTES} bytes")),
        });
    }
    std::fs::read_to_string(path).map_err(|source| StartupError::Read {
        path: shown,
        source,
    })
}

/// Reads a connector catalogue file.
pub fn read_catalogue(path: &Path) -> Result<Catalogue, ConfigProblem> {
    let shown = path.display().to_string();
    let text = read_text(path).map_err(|e| ConfigProblem {
        file: shown.clone(),
        path: String::new(),
        message: match e {
            StartupError::Read { source, .. } => source.to_string(),
            other => other.to_string(),
        },
    })?;
    Catalogue::parse(&shown, &text)
}

/// Everything read from files at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The worker config.
    pub library: Library,
    /// The connector catalogue.
    pub catalogue: Catalogue,
    /// Where the catalogue comes from (re-read on reload).
    pub connectors_path: Option<PathBuf>,
}

/// The namespace file of an in-cluster service account.
pub const SERVICE_ACCOUNT_NAMESPACE_FILE: &str =
    "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

impl Settings {
    /// Reads `functions_worker.yml` and the connector catalogue (`connectors`, else the worker
    /// config's `functionsWorkerServiceCustomConfigs.connectorDefinitionsFilePath`, else none).
    ///
    /// The job namespace falls back to the service account's namespace file, then `default`; the
    /// cluster name to the `clusterName` environment variable, then `standalone`.
    pub fn load(worker_config: &Path, connectors: Option<&Path>) -> Result<Settings, StartupError> {
        let text = read_text(worker_config)?;
        let pod_ns = std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE_FILE).ok();
        let env_cluster = std::env::var("clusterName").ok();
        let library = Library::from_worker_config(
            &worker_config.display().to_string(),
            &text,
            pod_ns.as_deref(),
            env_cluster.as_deref(),
        )?;
        let connectors_path = match connectors {
            Some(p) => Some(p.to_path_buf()),
            None => match library.connectors_path() {
                Some(p) => {
                    let p = PathBuf::from(p);
                    if !p.is_file() {
                        return Err(StartupError::Config(ConfigProblem {
                            file: worker_config.display().to_string(),
                            path:
                                "functionsWorkerServiceCustomConfigs.connectorDefinitionsFilePath"
                                    .into(),
                            message: format!("{} is not a readable file", p.display()),
                        }));
                    }
                    Some(p)
                }
                None => None,
            },
        };
        let catalogue = match &connectors_path {
            Some(p) => read_catalogue(p)?,
            None => Catalogue::default(),
        };
        Ok(Settings {
            library,
            catalogue,
            connectors_path,
        })
    }
}
