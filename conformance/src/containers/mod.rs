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
pub mod teardown;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bollard::Docker;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use kube::Client;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerRequest, ImageExt};
use testcontainers_modules::k3s::{K3s, KUBE_SECURE_PORT};

use crate::backend::{Availability, Backend, BackendKind, BoxFuture, CrdSet, PulsarAdmin};
use crate::error::{HarnessError, Result};
use crate::kubeutil::wait_for;
use crate::prepared::Prepared;

pub use docker::{check_docker, docker_endpoint, DockerEndpoint};
pub use pulsar::ContainerPulsar;
pub use rbac::{OPERATOR_IMAGE_REPO, OPERATOR_NAME, OPERATOR_NAMESPACE};

/// Time k3s may take from container start to "Node controller sync successful".
pub const K3S_STARTUP_TIMEOUT: Duration = Duration::from_secs(420);

/// The k3s container request: privileged, host user namespace, the run's label; the bundled ingress, load
/// balancer and metrics server are off (nothing here uses them, and they are three more images to pull).
pub fn k3s_request() -> ContainerRequest<K3s> {
    K3s::default()
        .with_cmd([
            "server",
            "--snapshotter=native",
            "--disable=traefik",
            "--disable=servicelb",
            "--disable=metrics-server",
        ])
        .with_privileged(true)
        .with_userns_mode("host")
        .with_startup_timeout(K3S_STARTUP_TIMEOUT)
}

fn tc_err(e: testcontainers::TestcontainersError) -> HarnessError {
    HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason: e.to_string(),
    }
}

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
        match start_parts(&mut td, &budget, &docker_client, &ep, &log_dir).await {
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

struct Parts {
    pulsar: Option<ContainerPulsar>,
    pulsar_error: Option<String>,
    client: Client,
    prepared: Prepared,
    operator_state: Availability,
    upstream_state: Availability,
    crds_state: std::result::Result<CrdSet, String>,
}

async fn start_parts(
    td: &mut teardown::Teardown,
    budget: &budget::StartBudget,
    docker_client: &Docker,
    ep: &DockerEndpoint,
    log_dir: &Path,
) -> Result<Parts> {
    let (engine, arch) = budget
        .step(
            "ask the Docker engine for its version",
            docker::engine_description(docker_client),
        )
        .await?;
    eprintln!(
        "conformance: Docker engine {engine} at {}",
        ep.as_docker_host()
    );
    if docker::is_arm64(&arch) {
        eprintln!(
            "conformance: note: the Docker engine is arm64; the Function Mesh operator image \
             ({OPERATOR_IMAGE_REPO}) is published for linux/amd64 only, so the operator scenarios will fail \
             unless the engine runs amd64 images"
        );
    }
    let containers_dir = log_dir.join("containers");
    std::fs::create_dir_all(&containers_dir)
        .map_err(|e| HarnessError::io(format!("mkdir {}", containers_dir.display()), e))?;

    // Both containers at once: the pulls overlap.
    let k3s_req = k3s_request()
        .with_label(docker::RUN_LABEL, td.run.clone())
        .with_log_consumer(docker::file_log_consumer(&containers_dir.join("k3s.log"))?);
    let k3s_step = format!(
        "pull and start the k3s container ({})",
        k3s_req.descriptor()
    );
    let pulsar_req = pulsar::pulsar_request()
        .with_label(docker::RUN_LABEL, td.run.clone())
        .with_log_consumer(docker::file_log_consumer(
            &containers_dir.join("pulsar.log"),
        )?);
    let pulsar_step = format!(
        "pull and start the Pulsar container ({})",
        pulsar_req.descriptor()
    );
    eprintln!("conformance: starting {k3s_step} and {pulsar_step}");
    let (k3s, pulsar) = tokio::join!(
        budget.step(&k3s_step, async { k3s_req.start().await.map_err(tc_err) }),
        budget.step(&pulsar_step, async {
            pulsar_req.start().await.map_err(tc_err)
        }),
    );
    let pulsar_error = match pulsar {
        Ok(c) => {
            td.pulsar = Some(c);
            None
        }
        // The overall bound ran out: the backend did not start.
        Err(e @ HarnessError::Timeout { .. }) => {
            td.k3s = k3s.ok();
            return Err(e);
        }
        Err(e) => {
            eprintln!("conformance: Pulsar not available: {e}");
            Some(e.to_string())
        }
    };
    td.k3s = Some(k3s?);

    let client = budget
        .step("read the kubeconfig from the k3s container", async {
            let Some(k) = td.k3s.as_ref() else {
                return Err(HarnessError::Prepared("no k3s container".into()));
            };
            k3s_client(k, log_dir).await
        })
        .await?;
    budget
        .step("wait for the k3s API server", async {
            wait_for(
                "the default ServiceAccount in k3s",
                Duration::from_secs(300),
                || {
                    let sa = Api::<ServiceAccount>::namespaced(client.clone(), "default");
                    async move { Ok(sa.get_opt("default").await?.is_some()) }
                },
            )
            .await
        })
        .await?;

    // The upstream CRDs: shared folder, else the release asset (downloaded), else fmesh's own (BLOCKED).
    let lookup = crd_source::CrdLookup::from_env();
    let (fm_version, old_versions) = crd_source::versions_from_env();
    let env_file = log_dir.join("conformance.env");
    let (prepared, lines) = budget
        .step("find the Function Mesh CRDs", async {
            tokio::task::spawn_blocking(move || {
                crd_source::prepared_environment(&lookup, &fm_version, &old_versions, &env_file)
            })
            .await
            .map_err(|e| HarnessError::Prepared(format!("CRD lookup task: {e}")))
        })
        .await?;
    for l in &lines {
        eprintln!("conformance: {l}");
    }
    let (crds_state, upstream_state) = budget
        .step("install the Function Mesh CRDs", async {
            Ok(crate::backend::install_function_mesh_crds(&client, &prepared).await)
        })
        .await?;
    if let Ok(set) = &crds_state {
        eprintln!("conformance: CRDs in use: {}", set.describe());
    }

    let fm_version = prepared.fm_version();
    let operator_state = match &upstream_state {
        Availability::Ready => {
            eprintln!(
                "conformance: installing the Function Mesh operator {OPERATOR_IMAGE_REPO}:{fm_version} \
                 (webhooks off, the release's ClusterRoles)"
            );
            let limit = operator::OPERATOR_READY_TIMEOUT.min(budget.remaining());
            match operator::install_operator(&client, &fm_version, limit).await {
                Ok(()) => Availability::Ready,
                Err(e) => {
                    let dir = log_dir.join("operator");
                    operator::save_operator_logs(&client, &dir).await;
                    eprintln!("conformance: operator not available: {e}");
                    Availability::Failed(format!("{e} (pod logs and events in {})", dir.display()))
                }
            }
        }
        Availability::Blocked(r) => {
            Availability::Blocked(format!("not installed: it needs the upstream CRDs: {r}"))
        }
        Availability::Failed(r) => {
            Availability::Failed(format!("not installed: it needs the upstream CRDs: {r}"))
        }
    };

    let pulsar = match td.pulsar.take() {
        Some(c) => Some(
            budget
                .step(
                    "read the Pulsar container's ports",
                    ContainerPulsar::new(c, docker_client.clone()),
                )
                .await?,
        ),
        None => None,
    };
    if let Some(p) = &pulsar {
        eprintln!(
            "conformance: Pulsar {} at {} and {}",
            crate::pulsar_local::PULSAR_VERSION,
            p.web_service_url(),
            p.broker_service_url()
        );
    }
    Ok(Parts {
        pulsar,
        pulsar_error,
        client,
        prepared,
        operator_state,
        upstream_state,
        crds_state,
    })
}

/// A client for k3s: its admin kubeconfig read from inside the container, pointed at the host and port
/// testcontainers maps; also written (mode 0600) to `<log_dir>/kubeconfig` for `kubectl` during the run.
async fn k3s_client(k3s: &testcontainers::ContainerAsync<K3s>, log_dir: &Path) -> Result<Client> {
    let mut text = None;
    let mut last_err = String::new();
    for _ in 0..60 {
        match k3s
            .copy_file_from(kubeconfig::K3S_KUBECONFIG_PATH, Vec::<u8>::new())
            .await
        {
            Ok(bytes) => {
                text = Some(String::from_utf8_lossy(&bytes).into_owned());
                break;
            }
            Err(e) => last_err = e.to_string(),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let text = text.ok_or_else(|| HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason: format!("{}: {last_err}", kubeconfig::K3S_KUBECONFIG_PATH),
    })?;
    let host = k3s.get_host().await.map_err(tc_err)?.to_string();
    let port = k3s
        .get_host_port_ipv4(KUBE_SECURE_PORT)
        .await
        .map_err(tc_err)?;
    let kc = kubeconfig::rewrite_kubeconfig(&text, &host, port)?;
    if let Ok(yaml) = serde_yaml_ng::to_string(&kc) {
        write_private(&log_dir.join("kubeconfig"), &yaml);
    }
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await?;
    Ok(Client::try_from(config)?)
}

fn write_private(path: &Path, text: &str) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
    {
        let _ = f.write_all(text.as_bytes());
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
                let tail = crate::process::tail(log, 10);
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
    use testcontainers::Image;

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

    #[test]
    fn k3s_and_pulsar_images_are_the_modules() {
        assert_eq!(K3s::default().name(), "rancher/k3s");
        let k = k3s_request();
        assert!(k.privileged());
        assert_eq!(k.startup_timeout(), Some(K3S_STARTUP_TIMEOUT));
        let cmd: Vec<String> = k.cmd().map(|c| c.into_owned()).collect();
        assert_eq!(cmd[0], "server");
        assert!(cmd.contains(&"--disable=traefik".to_owned()));
        // No host bind mount: the kubeconfig is read from inside the container (remote engines work).
        assert_eq!(k.mounts().count(), 0);
    }
}
