//! The [`Backend`] trait: what every scenario needs from a cluster + Pulsar, whichever way it was started.

use std::path::{Path, PathBuf};

use crate::error::{HarnessError, Result};
use crate::prepared::Prepared;

/// The only namespace the operator watches (`--watched-namespace`): scenarios that need reconciliation put
/// their resources there; scenarios that swap CRDs to older releases (9) stay out of the operator's sight.
pub const OPERATOR_WATCHED_NAMESPACE: &str = "fmesh-apply";

/// Which backend to run, from `FM_CONFORMANCE_BACKEND` (`local` by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Local processes built from the package registries (etcd, kube-apiserver, operator, Pulsar).
    Local,
    /// k3s and Pulsar containers via testcontainers (needs a Docker engine).
    Testcontainers,
}

impl BackendKind {
    /// The name printed in the summary line.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Local => "local",
            BackendKind::Testcontainers => "testcontainers",
        }
    }

    /// Parses a backend name (`local` or `testcontainers`).
    pub fn parse(value: &str) -> Result<BackendKind> {
        match value.trim() {
            "" | "local" => Ok(BackendKind::Local),
            "testcontainers" => Ok(BackendKind::Testcontainers),
            other => Err(HarnessError::Prepared(format!(
                "FM_CONFORMANCE_BACKEND: expected `local` or `testcontainers`, got `{other}`"
            ))),
        }
    }

    /// Reads `FM_CONFORMANCE_BACKEND`.
    pub fn from_env() -> Result<BackendKind> {
        BackendKind::parse(&std::env::var("FM_CONFORMANCE_BACKEND").unwrap_or_default())
    }
}

/// Output of one `pulsar-admin` invocation.
#[derive(Debug, Clone)]
pub struct AdminOutput {
    /// Process exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// The real `pulsar-admin` CLI against the backend's Pulsar.
pub trait PulsarAdmin: Send + Sync {
    /// Runs `pulsar-admin <args>`; a non-zero exit is an `Ok` with that code.
    fn admin(&self, args: &[&str]) -> Result<AdminOutput>;
    /// The HTTP service URL (as the resources should name it).
    fn web_service_url(&self) -> String;
    /// The binary protocol URL.
    fn broker_service_url(&self) -> String;
}

/// A running cluster (API server + Function Mesh CRDs + operator) and Pulsar.
pub trait Backend: Send + Sync {
    /// Backend name (`local`, `testcontainers`).
    fn name(&self) -> &'static str;
    /// A client for the API server, with full rights.
    fn client(&self) -> kube::Client;
    /// The prepared parts (CRD directories etc.).
    fn prepared(&self) -> &Prepared;
    /// Ok when the Function Mesh CRDs of the pinned release were installed, else why not.
    fn crds_installed(&self) -> Result<()>;
    /// Ok when the Function Mesh operator runs, else why not.
    fn operator(&self) -> Result<()>;
    /// The Pulsar side, or why it is not available.
    fn pulsar(&self) -> Result<&dyn PulsarAdmin>;
    /// Where the backend's logs are.
    fn log_dir(&self) -> &Path;
    /// Processes/containers that died since start (empty when healthy).
    fn health(&mut self) -> Vec<String>;
}

/// The directory for this run's logs: `<target>/conformance-logs/<run>/`.
pub fn run_log_dir(backend: BackendKind) -> Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::prepared::workspace_root().join("target"));
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let dir = target.join("conformance-logs").join(format!(
        "{}-{stamp}-{}",
        backend.name(),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| HarnessError::io(format!("mkdir {}", dir.display()), e))?;
    Ok(dir)
}

/// Starts the backend selected by `kind`.
pub async fn start(kind: BackendKind) -> Result<Box<dyn Backend>> {
    match kind {
        BackendKind::Local => Ok(Box::new(crate::local::LocalBackend::start().await?)),
        BackendKind::Testcontainers => Ok(Box::new(
            crate::containers::ContainersBackend::start().await?,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_backend_names() {
        assert_eq!(BackendKind::parse("").unwrap(), BackendKind::Local);
        assert_eq!(BackendKind::parse("local").unwrap(), BackendKind::Local);
        assert_eq!(
            BackendKind::parse("testcontainers").unwrap(),
            BackendKind::Testcontainers
        );
        assert_eq!(
            BackendKind::parse("k3d").unwrap_err().to_string(),
            "prepared environment: FM_CONFORMANCE_BACKEND: expected `local` or `testcontainers`, got `k3d`"
        );
    }
}
