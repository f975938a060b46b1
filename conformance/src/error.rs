//! Errors of the harness itself (starting backends, talking to the API server).

use std::path::PathBuf;

/// Why the harness could not do something. Scenario failures are [`crate::report::Failure`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// `conformance/scripts/prepare.sh` has not run, or did not record a part.
    #[error("prepared environment: {0}")]
    Prepared(String),
    /// A part that the scenario or backend needs was not prepared (the reason comes from prepare.sh).
    #[error("part `{part}` is not available: {reason}")]
    Missing {
        /// Name of the part (etcd, kube-apiserver, operator, pulsar, ...).
        part: String,
        /// Why it is not available.
        reason: String,
    },
    /// Spawning or controlling a local process failed.
    #[error("process `{name}`: {message} (log: {log})")]
    Process {
        /// Process name.
        name: String,
        /// What went wrong.
        message: String,
        /// Its log file.
        log: PathBuf,
    },
    /// Waited for something that did not happen.
    #[error("timed out after {seconds}s waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        seconds: u64,
    },
    /// The selected backend cannot run on this machine (e.g. no Docker engine).
    #[error("backend `{backend}` cannot start: {reason}")]
    BackendUnavailable {
        /// Backend name.
        backend: String,
        /// Why.
        reason: String,
    },
    /// A Kubernetes API call failed.
    #[error("kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// Building a kube client configuration failed.
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    /// Reading or parsing a YAML/JSON file failed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Certificate generation failed.
    #[error("certificate generation: {0}")]
    Cert(#[from] rcgen::Error),
    /// An I/O error.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl HarnessError {
    /// An I/O error with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        HarnessError::Io {
            context: context.into(),
            source,
        }
    }
}

/// Result alias of the harness.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
