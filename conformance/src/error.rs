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
    /// No free port could be reserved on 127.0.0.1.
    #[error("could not reserve a free port on 127.0.0.1 for the {what}: {source}")]
    NoFreePort {
        /// Which listener the port was for.
        what: String,
        /// The bind error.
        #[source]
        source: std::io::Error,
    },
    /// The Maven-built Pulsar cache is missing or was prepared for other versions.
    #[error(
        "the local Pulsar cache is not prepared: {path} {problem}; run `conformance/scripts/prepare.sh` \
         (or `conformance/scripts/prepare-pulsar.sh`) first"
    )]
    PulsarCache {
        /// The file or folder that was checked.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// `java` could not be run.
    #[error("could not run `{java}` ({source}); install Java 17+ or set JAVA_HOME")]
    JavaNotFound {
        /// The java command that was tried.
        java: PathBuf,
        /// The spawn error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration template still has a placeholder after rendering (a template bug).
    #[error("{template} has an unknown placeholder `{placeholder}`")]
    Template {
        /// The template file.
        template: &'static str,
        /// The leftover placeholder.
        placeholder: String,
    },
    /// A port chosen as free was taken by someone else before the Pulsar broker bound it.
    #[error(
        "Pulsar standalone could not bind a port (address already in use; broker port {broker_port}, \
         web port {web_port}); start again, and read {log} for details"
    )]
    PortInUse {
        /// The broker (binary protocol) port.
        broker_port: u16,
        /// The web service (HTTP admin) port.
        web_port: u16,
        /// The log to read.
        log: PathBuf,
    },
    /// A process exited during its start-up.
    #[error(
        "{} exited during start-up ({}); read {} and {}. Last log lines:\n{}",
        .0.name, .0.status, .0.log.display(), .0.out.display(), .0.tail
    )]
    ExitedEarly(Box<ExitedEarly>),
    /// A process did not become healthy within the bound.
    #[error(
        "{} was not healthy after {:?} (last probe of {}: {}); read {}. Last log lines:\n{}",
        .0.name, .0.waited, .0.url, .0.last, .0.log.display(), .0.tail
    )]
    StartTimeout(Box<StartTimeout>),
    /// A command (e.g. `pulsar-admin`) could not be run or its output not read.
    #[error("could not run {command}: {source}")]
    Spawn {
        /// The command and its arguments, space-separated.
        command: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A command did not finish within its bound (it was killed).
    #[error("{command} did not finish within {timeout:?} and was killed")]
    CommandTimeout {
        /// The command and its arguments, space-separated.
        command: String,
        /// The bound.
        timeout: std::time::Duration,
    },
    /// `pulsar-admin` ran and exited non-zero (from `AdminOutput::ok` of the backend module).
    #[error("pulsar-admin {args} failed (exit {code}): {stderr}")]
    AdminFailed {
        /// The arguments, space-separated.
        args: String,
        /// The exit code (-1 when killed by a signal).
        code: i32,
        /// Its standard error (trimmed).
        stderr: String,
    },
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

/// What [`HarnessError::ExitedEarly`] reports.
#[derive(Debug)]
pub struct ExitedEarly {
    /// What exited.
    pub name: String,
    /// The exit status.
    pub status: String,
    /// Its log.
    pub log: PathBuf,
    /// Its stdout/stderr.
    pub out: PathBuf,
    /// The last lines of its log.
    pub tail: String,
}

/// What [`HarnessError::StartTimeout`] reports.
#[derive(Debug)]
pub struct StartTimeout {
    /// What was started.
    pub name: String,
    /// How long start waited.
    pub waited: std::time::Duration,
    /// The URL probed last.
    pub url: String,
    /// What the last probe saw.
    pub last: String,
    /// Its log.
    pub log: PathBuf,
    /// The last lines of its log.
    pub tail: String,
}

impl HarnessError {
    /// An I/O error with context.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        HarnessError::Io {
            context: context.into(),
            source,
        }
    }

    /// A closure mapping an I/O error on `path` while doing `action` (e.g. `create`, `write`).
    pub fn io_at(action: &str, path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self {
        let context = format!("could not {action} {}", path.display());
        move |source| HarnessError::Io { context, source }
    }
}

/// Result alias of the harness.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
