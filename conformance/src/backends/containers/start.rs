//! Starting the containers backend's parts within the overall bound: k3s and Pulsar (pulled and started at
//! once), a client for k3s, the Function Mesh CRDs and the operator.

use std::path::Path;
use std::time::Duration;

use bollard::Docker;
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use kube::Client;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerRequest, ImageExt};
use testcontainers_modules::k3s::{K3s, KUBE_SECURE_PORT};

use super::docker::DockerEndpoint;
use super::pulsar::ContainerPulsar;
use super::rbac::OPERATOR_IMAGE_REPO;
use super::{budget, crd_source, docker, kubeconfig, operator, pulsar, teardown};
use crate::backend::{Availability, CrdSet, PulsarAdmin};
use crate::error::{HarnessError, Result};
use crate::kubeutil::wait_for;
use crate::prepared::Prepared;

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

/// A testcontainers error as "the backend is unavailable".
pub(super) fn tc_err(e: testcontainers::TestcontainersError) -> HarnessError {
    HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason: e.to_string(),
    }
}

/// What [`start_parts`] started.
pub(super) struct Parts {
    pub(super) pulsar: Option<ContainerPulsar>,
    pub(super) pulsar_error: Option<String>,
    pub(super) client: Client,
    pub(super) prepared: Prepared,
    pub(super) operator_state: Availability,
    pub(super) upstream_state: Availability,
    pub(super) crds_state: std::result::Result<CrdSet, String>,
}

/// Starts k3s and Pulsar, then installs the CRDs and the operator; what it started is in `td`.
pub(super) async fn start_parts(
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
    // Token authentication and authorization on, as the local backend's broker (the key goes in as
    // a `data:` URL: the broker cannot read the host's files).
    let auth = crate::pulsar_auth::PulsarAuth::generate(&log_dir.join("pulsar-auth"))?;
    let pulsar_req = pulsar::pulsar_request(Some(&auth))
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
                    ContainerPulsar::new(c, docker_client.clone(), Some(auth)),
                )
                .await?,
        ),
        None => None,
    };
    if let Some(p) = &pulsar {
        eprintln!(
            "conformance: Pulsar {} at {} and {}",
            crate::backend::PULSAR_VERSION,
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

#[cfg(test)]
mod tests {
    use super::*;
    use testcontainers::Image;

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
