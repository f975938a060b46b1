//! The testcontainers backend: a k3s container with the Function Mesh CRDs and the operator as a Deployment, and
//! a Pulsar container. Runs where a Docker engine is available (local or remote `DOCKER_HOST`); fails fast with a
//! clear message otherwise. Needs neither `prepare.sh` nor `.cache/conformance.env`.
//!
//! Start-up is bounded as a whole ([`budget::StartBudget`], naming the step that ran out); every container carries
//! the run's label and is removed by [`teardown::Teardown`] inside the runtime, also after a failed start or a
//! failed scenario, and on Ctrl-C. Container output and the operator's pod logs stay in the run's logs folder.

pub mod budget;
pub mod crd_source;
pub mod docker;
pub mod kubeconfig;
pub mod operator;
pub mod pulsar;
pub mod rbac;
pub mod start;
pub mod teardown;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard::Docker;
use kube::Client;

use crate::backend::{Availability, Backend, BackendKind, BoxFuture, CrdSet, PulsarAdmin};
use crate::error::{HarnessError, Result};
use crate::prepared::Prepared;

pub use docker::{check_docker, docker_endpoint, DockerEndpoint};
pub use pulsar::ContainerPulsar;
pub use rbac::{OPERATOR_IMAGE_REPO, OPERATOR_NAME, OPERATOR_NAMESPACE};
pub use start::{k3s_request, K3S_STARTUP_TIMEOUT};

/// The testcontainers backend.
pub struct ContainersBackend {
    teardown: Option<teardown::Teardown>,
    pulsar: Option<ContainerPulsar>,
    pulsar_error: Option<String>,
    client: Client,
    prepared: Prepared,
    log_dir: PathBuf,
    operator_state: Availability,
    upstream_state: Availability,
    crds_state: std::result::Result<CrdSet, String>,
    deaths: Arc<Mutex<Vec<String>>>,
}

impl std::fmt::Debug for ContainersBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainersBackend")
            .field("teardown", &self.teardown)
            .field("pulsar", &self.pulsar)
            .field("log_dir", &self.log_dir)
            .field("operator", &self.operator_state)
            .field("crds", &self.crds_state)
            .finish_non_exhaustive()
    }
}

impl ContainersBackend {
    /// Checks for Docker first (fails fast), then, within one overall bound, starts k3s and Pulsar, installs the
    /// CRDs and the operator. On any failure everything started so far is removed before the error returns.
    pub async fn start() -> Result<ContainersBackend> {
        let ep = check_docker(std::env::var("DOCKER_HOST").ok().as_deref())?;
        let total =
            budget::start_timeout_from(std::env::var(budget::START_TIMEOUT_ENV).ok().as_deref())?;
        let log_dir = crate::backend::run_log_dir(BackendKind::Testcontainers)?;
        eprintln!(
            "conformance: testcontainers backend logs in {}",
            log_dir.display()
        );
        let run = log_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "fmesh-conformance".to_owned());
        let docker_client = docker::connect(&ep)?;
        let mut td =
            teardown::Teardown::new(run.clone(), log_dir.clone(), Some(docker_client.clone()));
        td.background.push(tokio::spawn(remove_on_ctrl_c(
            docker_client.clone(),
            run.clone(),
        )));
        let budget = budget::StartBudget::new(total);
        match start::start_parts(&mut td, &budget, &docker_client, &ep, &log_dir).await {
            Ok(parts) => {
                let deaths = Arc::new(Mutex::new(Vec::new()));
                let mut watched = Vec::new();
                if let Some(k) = &td.k3s {
                    watched.push((
                        "k3s".to_owned(),
                        k.id().to_owned(),
                        log_dir.join("containers/k3s.log"),
                    ));
                }
                if let Some(p) = &parts.pulsar {
                    watched.push((
                        "Pulsar".to_owned(),
                        p.container.id().to_owned(),
                        log_dir.join("containers/pulsar.log"),
                    ));
                }
                let operator_client =
                    (parts.operator_state == Availability::Ready).then(|| parts.client.clone());
                td.background.push(tokio::spawn(monitor(
                    docker_client,
                    watched,
                    operator_client,
                    deaths.clone(),
                )));
                if parts.upstream_state == Availability::Ready {
                    // For the operator's pod logs at teardown.
                    td.client = Some(parts.client.clone());
                }
                Ok(ContainersBackend {
                    teardown: Some(td),
                    pulsar: parts.pulsar,
                    pulsar_error: parts.pulsar_error,
                    client: parts.client,
                    prepared: parts.prepared,
                    log_dir,
                    operator_state: parts.operator_state,
                    upstream_state: parts.upstream_state,
                    crds_state: parts.crds_state,
                    deaths,
                })
            }
            Err(e) => {
                for p in td.shutdown().await {
                    eprintln!("conformance: teardown: {p}");
                }
                Err(e)
            }
        }
    }
}

/// On Ctrl-C: removes every container of the run, then exits with 130.
async fn remove_on_ctrl_c(docker_client: Docker, run: String) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    if teardown::keep_containers(std::env::var("TESTCONTAINERS_COMMAND").ok().as_deref()) {
        eprintln!("conformance: interrupted; containers kept (TESTCONTAINERS_COMMAND=keep)");
        std::process::exit(130);
    }
    eprintln!("conformance: interrupted; removing this run's containers");
    let (removed, errors) = docker::remove_run_containers(&docker_client, &run).await;
    eprintln!("conformance: removed {} container(s)", removed.len());
    for e in errors {
        eprintln!("conformance: teardown: {e}");
    }
    std::process::exit(130);
}

/// Checks the containers (and the operator pod, when it was ready) every few seconds; records each death once,
/// with the last lines of the container's output.
async fn monitor(
    docker_client: Docker,
    containers: Vec<(String, String, PathBuf)>,
    operator_client: Option<Client>,
    deaths: Arc<Mutex<Vec<String>>>,
) {
    let mut reported = std::collections::BTreeSet::new();
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        for (name, id, log) in &containers {
            if reported.contains(name) {
                continue;
            }
            if let Some(why) = docker::check_container(&docker_client, name, id).await {
                let tail = crate::process::tail_lines(log, 10);
                let msg = format!("{why} (output in {}):\n{tail}", log.display());
                reported.insert(name.clone());
                if let Ok(mut d) = deaths.lock() {
                    d.push(msg);
                }
            }
        }
        if let Some(c) = &operator_client {
            if !reported.contains("operator") {
                if let Some(why) = operator::operator_health(c).await {
                    reported.insert("operator".to_owned());
                    if let Ok(mut d) = deaths.lock() {
                        d.push(why);
                    }
                }
            }
        }
    }
}

impl Backend for ContainersBackend {
    fn name(&self) -> &'static str {
        BackendKind::Testcontainers.name()
    }
    fn client(&self) -> Client {
        self.client.clone()
    }
    fn prepared(&self) -> &Prepared {
        &self.prepared
    }
    fn crds(&self) -> Result<CrdSet> {
        self.crds_state
            .clone()
            .map_err(|reason| HarnessError::Missing {
                part: "function-mesh CRDs".into(),
                reason,
            })
    }
    fn upstream_crds(&self) -> Availability {
        self.upstream_state.clone()
    }
    fn operator(&self) -> Availability {
        self.operator_state.clone()
    }
    fn pulsar(&self) -> Result<&dyn PulsarAdmin> {
        match &self.pulsar {
            Some(p) => Ok(p),
            None => Err(HarnessError::Missing {
                part: "pulsar (container)".into(),
                reason: self
                    .pulsar_error
                    .clone()
                    .unwrap_or_else(|| "not started".into()),
            }),
        }
    }
    fn log_dir(&self) -> &Path {
        &self.log_dir
    }
    fn admin_kubeconfig(&self) -> Option<PathBuf> {
        Some(self.log_dir.join("kubeconfig")).filter(|p| p.exists())
    }
    fn health(&mut self) -> Vec<String> {
        self.deaths
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default()
    }
    fn shutdown(mut self: Box<Self>) -> BoxFuture<'static, Vec<String>> {
        let mut td = self.teardown.take().unwrap_or_default();
        if let Some(p) = self.pulsar.take() {
            td.pulsar = Some(p.container);
        }
        Box::pin(td.shutdown())
    }
}

impl Drop for ContainersBackend {
    /// Only when [`Backend::shutdown`] was not used (a panic): tears down on a thread with its own runtime, so
    /// that it works whether or not a runtime is running here.
    fn drop(&mut self) {
        let mut td = match self.teardown.take() {
            Some(td) => td,
            None => return,
        };
        if let Some(p) = self.pulsar.take() {
            td.pulsar = Some(p.container);
        }
        for p in td.run_blocking() {
            eprintln!("conformance: teardown: {p}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A backend with no containers (nothing listens at the client's address; no request is made).
    fn backend_without_containers(rt: &tokio::runtime::Runtime, dir: &Path) -> ContainersBackend {
        let client = rt.block_on(async {
            let url = "https://127.0.0.1:9".parse().unwrap();
            Client::try_from(kube::Config::new(url)).unwrap()
        });
        ContainersBackend {
            teardown: Some(teardown::Teardown::new(
                "unit".into(),
                dir.to_path_buf(),
                None,
            )),
            pulsar: None,
            pulsar_error: Some("not started".into()),
            client,
            prepared: Prepared::default(),
            log_dir: dir.to_path_buf(),
            operator_state: Availability::Blocked("unit".into()),
            upstream_state: Availability::Blocked("unit".into()),
            crds_state: Err("unit".into()),
            deaths: Arc::new(Mutex::new(Vec::new())),
        }
    }

    #[test]
    fn backend_shutdown_future_is_built_outside_the_runtime_and_awaited_inside() {
        let d = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let backend: Box<dyn Backend> = Box::new(backend_without_containers(&rt, d.path()));
        // As the runner does: `rt.block_on(backend.shutdown())` — the call itself runs outside the runtime.
        let fut = backend.shutdown();
        assert!(rt.block_on(fut).is_empty());
    }

    #[test]
    fn dropping_without_shutdown_tears_down_outside_any_runtime() {
        let d = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut b = backend_without_containers(&rt, d.path());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        if let Some(td) = b.teardown.as_mut() {
            td.background.push(rt.spawn(async move {
                let _tx = tx;
                std::future::pending::<()>().await
            }));
        }
        // A panic path: no shutdown, dropped here with no runtime entered. Must not panic, must tear down.
        drop(b);
        assert!(rt.block_on(rx).is_err(), "background task aborted");
    }

    #[test]
    fn health_reports_each_death_once() {
        let d = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut b = backend_without_containers(&rt, d.path());
        b.deaths
            .lock()
            .unwrap()
            .push("Pulsar container is exited, exit code 137".into());
        assert_eq!(b.health(), ["Pulsar container is exited, exit code 137"]);
        assert!(b.health().is_empty());
        assert_eq!(
            b.pulsar().err().map(|e| e.to_string()),
            Some("part `pulsar (container)` is not available: not started".to_owned())
        );
        let fut = Box::new(b).shutdown();
        assert!(rt.block_on(fut).is_empty());
    }
}
