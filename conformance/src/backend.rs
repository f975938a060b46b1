//! The [`Backend`] trait: what every scenario needs from a cluster + Pulsar, whichever way it was started.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

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

/// The pinned `org.apache.pulsar:pulsar-broker` release (the newest 4.0.x LTS whose runtime dependencies Maven
/// Central serves here): the local backend's jars and the containers backend's image tag.
pub const PULSAR_VERSION: &str = "4.0.7";

/// The pinned `org.apache.pulsar:pulsar-client-tools` release that provides the local `pulsar-admin`.
pub const PULSAR_ADMIN_VERSION: &str = "4.0.8";

/// The cluster name of the standalone broker of either backend (use it for `--allowed-clusters`).
pub const CLUSTER_NAME: &str = "standalone";

/// Output of one `pulsar-admin` invocation.
#[derive(Debug, Clone)]
pub struct AdminOutput {
    /// The arguments it ran with (space-separated), for messages.
    pub args: String,
    /// Process exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl AdminOutput {
    /// Whether `pulsar-admin` exited with status 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// Its stdout when it exited with status 0, else [`HarnessError::AdminFailed`] with its stderr.
    pub fn ok(self) -> Result<String> {
        if self.success() {
            Ok(self.stdout)
        } else {
            Err(HarnessError::AdminFailed {
                args: self.args,
                code: self.code,
                stderr: self.stderr.trim().to_owned(),
            })
        }
    }
}

/// A boxed, sendable future (the async parts of [`PulsarAdmin`] and [`Backend::shutdown`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The real `pulsar-admin` CLI against the backend's Pulsar.
pub trait PulsarAdmin: Send + Sync {
    /// Runs `pulsar-admin <args>`; a non-zero exit is an `Ok` with that code.
    fn admin(&self, args: &[&str]) -> Result<AdminOutput>;
    /// [`PulsarAdmin::admin`] as a future, so that a time-out around the caller can fire. The default runs the
    /// blocking call; a backend whose CLI runs elsewhere (a container) answers without blocking.
    fn admin_async<'a>(&'a self, args: &'a [&'a str]) -> BoxFuture<'a, Result<AdminOutput>> {
        Box::pin(async move { self.admin(args) })
    }
    /// The path under which `pulsar-admin` reads the host file `path` (the default: the same path; a container
    /// backend copies the file in).
    fn stage_file<'a>(&'a self, path: &'a Path) -> BoxFuture<'a, Result<String>> {
        Box::pin(async move { Ok(path.to_string_lossy().into_owned()) })
    }
    /// The HTTP service URL (as the resources should name it).
    fn web_service_url(&self) -> String;
    /// The binary protocol URL.
    fn broker_service_url(&self) -> String;
    /// The key and tokens when the broker runs with token authentication and authorization (the
    /// harness asks for it; `None`: both off).
    fn auth(&self) -> Option<&crate::pulsar_auth::PulsarAuth> {
        None
    }
}

/// Whether a part that some scenarios need is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Installed / running.
    Ready,
    /// Known to be unobtainable on this machine (the reason names the evidence): the scenarios that need it
    /// are reported as blocked, never passed or failed.
    Blocked(String),
    /// Should be there but could not be prepared or started: the scenarios that need it fail.
    Failed(String),
}

/// Which Function Mesh CRDs (Function, Sink, Source, ...) the API server serves for this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrdSet {
    /// The CRD files of an upstream Function Mesh release.
    Upstream {
        /// The release (`v0.27.2`).
        version: String,
        /// Where its CRD files are.
        dir: PathBuf,
    },
    /// fmesh's own generated CRDs (`fm_convert::crd::{function_crd, sink_crd, source_crd}`), installed because
    /// the upstream ones are missing.
    Fmesh {
        /// Why the upstream CRDs are not used.
        why_not_upstream: String,
    },
}

impl CrdSet {
    /// A short description for scenario lines.
    pub fn describe(&self) -> String {
        match self {
            CrdSet::Upstream { version, .. } => format!("upstream Function Mesh {version}"),
            CrdSet::Fmesh { .. } => "fmesh-generated (upstream missing)".to_owned(),
        }
    }

    /// The CRD objects of this set (to reinstall them).
    pub fn load(&self) -> Result<Vec<CustomResourceDefinition>> {
        match self {
            CrdSet::Upstream { dir, .. } => crate::kubeutil::load_crds(dir),
            CrdSet::Fmesh { .. } => Ok(fmesh_crds()),
        }
    }
}

/// fmesh's generated Function, Sink and Source CRDs.
pub fn fmesh_crds() -> Vec<CustomResourceDefinition> {
    vec![
        fm_convert::crd::function_crd(),
        fm_convert::crd::sink_crd(),
        fm_convert::crd::source_crd(),
    ]
}

/// The one-line part of a reason recorded by prepare.sh (the text before ` — `, which precedes the exact
/// command output).
pub fn short_reason(reason: &str) -> &str {
    reason.split(" — ").next().unwrap_or(reason)
}

/// Installs the pinned upstream CRDs when prepare.sh found them, else fmesh's generated ones. Returns the set
/// in use (or why none could be installed) and the availability of the upstream set.
pub async fn install_function_mesh_crds(
    client: &kube::Client,
    prepared: &Prepared,
) -> (std::result::Result<CrdSet, String>, Availability) {
    let version = prepared.fm_version();
    if let Some(dir) = prepared.get("FM_CRDS_DIR") {
        let dir = PathBuf::from(dir);
        let installed = match crate::kubeutil::load_crds(&dir) {
            Ok(crds) => crate::kubeutil::install_crds(client, &crds).await,
            Err(e) => Err(e),
        };
        return match installed {
            Ok(()) => (Ok(CrdSet::Upstream { version, dir }), Availability::Ready),
            Err(e) => {
                let why = format!("installing the upstream CRDs from {}: {e}", dir.display());
                (Err(why.clone()), Availability::Failed(why))
            }
        };
    }
    let missing_key = format!("MISSING_FM_CRDS_{version}");
    let (why, upstream) = match prepared.get(&missing_key) {
        Some(r) => (
            short_reason(r).to_owned(),
            Availability::Blocked(short_reason(r).to_owned()),
        ),
        None => {
            let r = format!(
                "neither FM_CRDS_DIR nor {missing_key} in {}",
                prepared.source.display()
            );
            (r.clone(), Availability::Failed(r))
        }
    };
    match crate::kubeutil::install_crds(client, &fmesh_crds()).await {
        Ok(()) => (
            Ok(CrdSet::Fmesh {
                why_not_upstream: why,
            }),
            upstream,
        ),
        Err(e) => (
            Err(format!("installing fmesh's generated CRDs: {e}")),
            upstream,
        ),
    }
}

/// A running cluster (API server + Function Mesh CRDs + operator) and Pulsar.
pub trait Backend: Send + Sync {
    /// Backend name (`local`, `testcontainers`).
    fn name(&self) -> &'static str;
    /// A client for the API server, with full rights.
    fn client(&self) -> kube::Client;
    /// The prepared parts (CRD directories etc.).
    fn prepared(&self) -> &Prepared;
    /// The Function Mesh CRD set the API server serves (upstream, or fmesh's own when upstream is missing),
    /// or why none could be installed.
    fn crds(&self) -> Result<CrdSet>;
    /// Whether the pinned upstream CRDs are installed.
    fn upstream_crds(&self) -> Availability;
    /// Whether the Function Mesh operator runs.
    fn operator(&self) -> Availability;
    /// The Pulsar side, or why it is not available.
    fn pulsar(&self) -> Result<&dyn PulsarAdmin>;
    /// Where the backend's logs are.
    fn log_dir(&self) -> &Path;
    /// The admin kubeconfig of the API server, when the backend wrote one (the worker scenarios take its
    /// server and CA and give the worker a ServiceAccount token instead of the admin credentials).
    fn admin_kubeconfig(&self) -> Option<PathBuf> {
        None
    }
    /// The client URL of the API server's etcd (`http://127.0.0.1:<port>`), when the backend runs
    /// etcd itself (the paging scenario compacts it to expire a list's continue token).
    fn etcd_url(&self) -> Option<String> {
        None
    }
    /// Processes/containers that died since start (empty when healthy).
    fn health(&mut self) -> Vec<String>;
    /// Stops everything the backend started. Building the future needs no runtime; awaiting it inside the runtime
    /// tears down and yields what could not be cleaned up. The default drops the backend right away.
    fn shutdown(self: Box<Self>) -> BoxFuture<'static, Vec<String>> {
        drop(self);
        Box::pin(async { Vec::new() })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_output_ok_returns_stdout_or_a_typed_error() {
        let good = AdminOutput {
            args: "tenants list".into(),
            code: 0,
            stdout: "public\n".into(),
            stderr: String::new(),
        };
        assert!(good.success());
        assert_eq!(good.ok().unwrap(), "public\n");
        let bad = AdminOutput {
            args: "tenants get x".into(),
            code: 1,
            stdout: String::new(),
            stderr: "Tenant does not exist\n".into(),
        };
        let err = bad.ok().unwrap_err();
        assert!(
            matches!(&err, HarnessError::AdminFailed { stderr, .. } if stderr == "Tenant does not exist")
        );
        assert_eq!(
            err.to_string(),
            "pulsar-admin tenants get x failed (exit 1): Tenant does not exist"
        );
    }

    #[test]
    fn short_reason_is_the_part_before_the_command_output() {
        assert_eq!(
            short_reason("m@v1 is refused (403) — `go mod download m@v1` answers: 403 Forbidden"),
            "m@v1 is refused (403)"
        );
        assert_eq!(short_reason("plain"), "plain");
    }

    #[test]
    fn fmesh_crd_set_is_function_sink_source() {
        let names: Vec<_> = CrdSet::Fmesh {
            why_not_upstream: "x".into(),
        }
        .load()
        .unwrap()
        .into_iter()
        .filter_map(|c| c.metadata.name)
        .collect();
        assert_eq!(
            names,
            [
                "functions.compute.functionmesh.io",
                "sinks.compute.functionmesh.io",
                "sources.compute.functionmesh.io"
            ]
        );
    }

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
