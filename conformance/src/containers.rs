//! The testcontainers backend: a k3s container with the pinned Function Mesh CRDs and the operator Deployment,
//! and a Pulsar container. Runs where a Docker engine is available; fails fast with a clear message otherwise.

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::ClusterRoleBinding;
use kube::api::{Api, Patch, PatchParams};
use kube::Client;
use testcontainers::core::ExecCommand;
use testcontainers::runners::AsyncRunner;
use testcontainers::{ContainerAsync, ImageExt};
use testcontainers_modules::k3s::{K3s, KUBE_SECURE_PORT};
use testcontainers_modules::pulsar::Pulsar;

use crate::backend::{AdminOutput, Availability, Backend, BackendKind, CrdSet, PulsarAdmin};
use crate::error::{HarnessError, Result};
use crate::kubeutil::{wait_for, FIELD_MANAGER};
use crate::prepared::Prepared;

/// Namespace of the operator Deployment.
pub const OPERATOR_NAMESPACE: &str = "function-mesh-system";
/// Name of the operator Deployment and its ServiceAccount.
pub const OPERATOR_NAME: &str = "function-mesh-controller-manager";
/// Operator image repository (the release's published image).
pub const OPERATOR_IMAGE_REPO: &str = "streamnative/function-mesh";

/// Where the Docker engine is, per `DOCKER_HOST` or the default socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerEndpoint {
    /// A unix socket path.
    Unix(PathBuf),
    /// A TCP `host:port`.
    Tcp(String),
}

/// Decides where Docker should be, without touching the network. `docker_host` is `$DOCKER_HOST`.
pub fn docker_endpoint(docker_host: Option<&str>) -> Result<DockerEndpoint> {
    let unavailable = |reason: String| HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason,
    };
    match docker_host.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DockerEndpoint::Unix(PathBuf::from("/var/run/docker.sock"))),
        Some(h) => {
            if let Some(p) = h.strip_prefix("unix://") {
                Ok(DockerEndpoint::Unix(PathBuf::from(p)))
            } else if let Some(a) = h.strip_prefix("tcp://") {
                Ok(DockerEndpoint::Tcp(a.trim_end_matches('/').to_owned()))
            } else {
                Err(unavailable(format!(
                    "DOCKER_HOST: expected unix://<path> or tcp://<host:port>, got `{h}`"
                )))
            }
        }
    }
}

/// Fails fast (no container request, no hang) when no Docker engine answers at the endpoint.
pub fn check_docker(docker_host: Option<&str>) -> Result<DockerEndpoint> {
    let ep = docker_endpoint(docker_host)?;
    let unavailable = |reason: String| HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason,
    };
    match &ep {
        DockerEndpoint::Unix(p) => {
            if !p.exists() {
                return Err(unavailable(format!(
                    "no Docker engine: {} does not exist{}; start Docker or set DOCKER_HOST, or use FM_CONFORMANCE_BACKEND=local",
                    p.display(),
                    if docker_host.is_none() { " and DOCKER_HOST is not set" } else { "" }
                )));
            }
            std::os::unix::net::UnixStream::connect(p).map_err(|e| {
                unavailable(format!(
                    "no Docker engine answers on {}: {e}; use FM_CONFORMANCE_BACKEND=local",
                    p.display()
                ))
            })?;
        }
        DockerEndpoint::Tcp(addr) => {
            use std::net::ToSocketAddrs;
            let sa = addr
                .to_socket_addrs()
                .map_err(|e| unavailable(format!("DOCKER_HOST tcp://{addr}: {e}")))?
                .next()
                .ok_or_else(|| unavailable(format!("DOCKER_HOST tcp://{addr}: no address")))?;
            std::net::TcpStream::connect_timeout(&sa, Duration::from_secs(3)).map_err(|e| {
                unavailable(format!("no Docker engine answers on tcp://{addr}: {e}"))
            })?;
        }
    }
    Ok(ep)
}

/// The operator's Namespace, ServiceAccount, ClusterRoleBinding (to `cluster-admin`) and Deployment
/// (webhooks off, leader election off), for Function Mesh release `version`.
pub fn operator_manifests(
    version: &str,
) -> Result<(Namespace, ServiceAccount, ClusterRoleBinding, Deployment)> {
    let parse = |v: serde_json::Value| v;
    let ns = parse(
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": OPERATOR_NAMESPACE}}),
    );
    let sa = parse(serde_json::json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE}
    }));
    let crb = parse(serde_json::json!({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": OPERATOR_NAME},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE}]
    }));
    let labels = serde_json::json!({"app.kubernetes.io/name": "function-mesh-operator"});
    let deploy = parse(serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": OPERATOR_NAME,
                    "containers": [{
                        "name": "manager",
                        "image": format!("{OPERATOR_IMAGE_REPO}:{version}"),
                        "command": ["/manager"],
                        "args": ["--enable-leader-election=false", "--metrics-secure=false",
                                 "--metrics-addr=:8080", "--health-probe-addr=:8000"],
                        "env": [{"name": "ENABLE_WEBHOOKS", "value": "false"},
                                {"name": "WATCHED_NAMESPACE", "value": crate::backend::OPERATOR_WATCHED_NAMESPACE}],
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8000}}
                    }]
                }
            }
        }
    }));
    Ok((
        de(ns, "Namespace")?,
        de(sa, "ServiceAccount")?,
        de(crb, "ClusterRoleBinding")?,
        de(deploy, "Deployment")?,
    ))
}

fn de<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(v)
        .map_err(|e| HarnessError::Prepared(format!("operator manifest {what}: {e}")))
}

/// Replaces the `server:` of a k3s kubeconfig with the host-mapped API port.
pub fn rewrite_kubeconfig_server(kubeconfig: &str, host_port: u16) -> String {
    kubeconfig
        .lines()
        .map(|l| match l.find("server:") {
            Some(i) => format!("{}server: https://127.0.0.1:{host_port}", &l[..i]), // ok: i is a char boundary from find
            None => l.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The testcontainers backend.
pub struct ContainersBackend {
    pulsar: ContainerPulsar,
    k3s: ContainerAsync<K3s>,
    client: Client,
    prepared: Prepared,
    log_dir: PathBuf,
    operator_state: Availability,
    upstream_state: Availability,
    crds_state: std::result::Result<CrdSet, String>,
}

impl std::fmt::Debug for ContainersBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainersBackend")
            .field("k3s", &self.k3s.id())
            .field("log_dir", &self.log_dir)
            .finish()
    }
}

impl ContainersBackend {
    /// Checks for Docker first (fails fast), then starts k3s and Pulsar, installs the CRDs and the operator.
    pub async fn start() -> Result<ContainersBackend> {
        check_docker(std::env::var("DOCKER_HOST").ok().as_deref())?;
        let log_dir = crate::backend::run_log_dir(BackendKind::Testcontainers)?;
        let prepared = Prepared::load(&Prepared::cache_root())?;
        let fm_version = prepared.get("FM_VERSION").unwrap_or("v0.27.2").to_owned();
        let conf_dir = log_dir.join("k3s");
        std::fs::create_dir_all(&conf_dir).map_err(|e| HarnessError::io("mkdir k3s conf", e))?;
        let unavailable =
            |e: testcontainers::TestcontainersError| HarnessError::BackendUnavailable {
                backend: "testcontainers".into(),
                reason: e.to_string(),
            };
        let k3s_image = K3s::default().with_conf_mount(&conf_dir);
        let k3s = k3s_image
            .clone()
            .with_privileged(true)
            .with_userns_mode("host")
            .start()
            .await
            .map_err(unavailable)?;
        let port = k3s
            .get_host_port_ipv4(KUBE_SECURE_PORT)
            .await
            .map_err(unavailable)?;
        let kc_text = k3s_image
            .read_kube_config()
            .map_err(|e| HarnessError::io("read k3s kubeconfig", e))?;
        let kc_text = rewrite_kubeconfig_server(&kc_text, port);
        std::fs::write(log_dir.join("kubeconfig"), &kc_text)
            .map_err(|e| HarnessError::io("write kubeconfig", e))?;
        let kc = kube::config::Kubeconfig::from_yaml(&kc_text)?;
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await?;
        let client = Client::try_from(config)?;

        let (crds_state, upstream_state) =
            crate::backend::install_function_mesh_crds(&client, &prepared).await;
        let operator_state = match &upstream_state {
            Availability::Ready => match install_operator(&client, &fm_version).await {
                Ok(()) => Availability::Ready,
                Err(e) => Availability::Failed(e.to_string()),
            },
            Availability::Blocked(r) => {
                Availability::Blocked(format!("not installed: it needs the upstream CRDs: {r}"))
            }
            Availability::Failed(r) => {
                Availability::Failed(format!("not installed: it needs the upstream CRDs: {r}"))
            }
        };

        let pulsar_container = Pulsar::default().start().await.map_err(unavailable)?;
        let ip = pulsar_container
            .get_bridge_ip_address()
            .await
            .map_err(unavailable)?;
        let pulsar = ContainerPulsar {
            web: format!("http://{ip}:8080"),
            broker: format!("pulsar://{ip}:6650"),
            container: pulsar_container,
        };
        Ok(ContainersBackend {
            pulsar,
            k3s,
            client,
            prepared,
            log_dir,
            operator_state,
            upstream_state,
            crds_state,
        })
    }
}

async fn install_operator(client: &Client, version: &str) -> Result<()> {
    let (ns, sa, crb, deploy) = operator_manifests(version)?;
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    Api::<Namespace>::all(client.clone())
        .patch(OPERATOR_NAMESPACE, &pp, &Patch::Apply(&ns))
        .await?;
    Api::<ServiceAccount>::namespaced(client.clone(), OPERATOR_NAMESPACE)
        .patch(OPERATOR_NAME, &pp, &Patch::Apply(&sa))
        .await?;
    Api::<ClusterRoleBinding>::all(client.clone())
        .patch(OPERATOR_NAME, &pp, &Patch::Apply(&crb))
        .await?;
    let deployments = Api::<Deployment>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    deployments
        .patch(OPERATOR_NAME, &pp, &Patch::Apply(&deploy))
        .await?;
    wait_for(
        "operator Deployment available",
        Duration::from_secs(300),
        || {
            let d = deployments.clone();
            async move {
                Ok(d.get(OPERATOR_NAME)
                    .await?
                    .status
                    .and_then(|s| s.ready_replicas)
                    .unwrap_or(0)
                    >= 1)
            }
        },
    )
    .await
}

/// Pulsar in a container; `pulsar-admin` runs inside it.
pub struct ContainerPulsar {
    container: ContainerAsync<Pulsar>,
    web: String,
    broker: String,
}

impl PulsarAdmin for ContainerPulsar {
    fn admin(&self, args: &[&str]) -> Result<AdminOutput> {
        let mut cmd = vec!["bin/pulsar-admin".to_owned()];
        cmd.extend(args.iter().map(|s| (*s).to_owned()));
        let fut = async {
            let mut r = self.container.exec(ExecCommand::new(cmd)).await?;
            let stdout = String::from_utf8_lossy(&r.stdout_to_vec().await?).into_owned();
            let stderr = String::from_utf8_lossy(&r.stderr_to_vec().await?).into_owned();
            let code = r.exit_code().await?.unwrap_or(-1);
            Ok::<_, testcontainers::TestcontainersError>(AdminOutput {
                code: code as i32,
                stdout,
                stderr,
            })
        };
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut)).map_err(
            |e| HarnessError::Missing {
                part: "pulsar-admin (container)".into(),
                reason: e.to_string(),
            },
        )
    }
    fn web_service_url(&self) -> String {
        self.web.clone()
    }
    fn broker_service_url(&self) -> String {
        self.broker.clone()
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
        Ok(&self.pulsar)
    }
    fn log_dir(&self) -> &Path {
        &self.log_dir
    }
    fn health(&mut self) -> Vec<String> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_endpoint_from_env() {
        assert_eq!(
            docker_endpoint(None).unwrap(),
            DockerEndpoint::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            docker_endpoint(Some("unix:///run/user/1/docker.sock")).unwrap(),
            DockerEndpoint::Unix("/run/user/1/docker.sock".into())
        );
        assert_eq!(
            docker_endpoint(Some("tcp://127.0.0.1:2375/")).unwrap(),
            DockerEndpoint::Tcp("127.0.0.1:2375".into())
        );
        let e = docker_endpoint(Some("ssh://host")).unwrap_err().to_string();
        assert_eq!(e, "backend `testcontainers` cannot start: DOCKER_HOST: expected unix://<path> or tcp://<host:port>, got `ssh://host`");
    }

    #[test]
    fn missing_socket_fails_fast_with_clear_message() {
        let e = check_docker(Some("unix:///nonexistent/fmesh/docker.sock"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("backend `testcontainers` cannot start: no Docker engine: /nonexistent/fmesh/docker.sock does not exist"), "{e}");
        assert!(e.contains("FM_CONFORMANCE_BACKEND=local"), "{e}");
    }

    #[test]
    fn closed_tcp_port_fails_fast() {
        let port = crate::process::free_port().unwrap();
        let e = check_docker(Some(&format!("tcp://127.0.0.1:{port}")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no Docker engine answers on tcp://127.0.0.1:"),
            "{e}"
        );
    }

    #[test]
    fn operator_deployment_wiring() {
        let (ns, sa, crb, d) = operator_manifests("v0.27.2").unwrap();
        assert_eq!(ns.metadata.name.as_deref(), Some(OPERATOR_NAMESPACE));
        assert_eq!(sa.metadata.namespace.as_deref(), Some(OPERATOR_NAMESPACE));
        assert_eq!(crb.role_ref.name, "cluster-admin");
        let subj = &crb.subjects.unwrap()[0];
        assert_eq!(
            (subj.name.as_str(), subj.namespace.as_deref()),
            (OPERATOR_NAME, Some(OPERATOR_NAMESPACE))
        );
        let pod = d.spec.unwrap().template.spec.unwrap();
        assert_eq!(pod.service_account_name.as_deref(), Some(OPERATOR_NAME));
        let c = &pod.containers[0];
        assert_eq!(
            c.image.as_deref(),
            Some("streamnative/function-mesh:v0.27.2")
        );
        let env = c.env.as_ref().unwrap();
        assert!(env
            .iter()
            .any(|e| e.name == "ENABLE_WEBHOOKS" && e.value.as_deref() == Some("false")));
        assert!(c
            .args
            .as_ref()
            .unwrap()
            .contains(&"--enable-leader-election=false".to_owned()));
    }

    #[test]
    fn kubeconfig_server_is_rewritten_to_mapped_port() {
        let kc = "clusters:\n- cluster:\n    certificate-authority-data: X\n    server: https://127.0.0.1:6443\n  name: default";
        let out = rewrite_kubeconfig_server(kc, 40001);
        assert!(out.contains("    server: https://127.0.0.1:40001"));
        assert!(!out.contains("6443"));
        kube::config::Kubeconfig::from_yaml(&out).unwrap();
    }

    #[test]
    fn k3s_and_pulsar_images_are_the_modules() {
        use testcontainers::Image;
        assert_eq!(K3s::default().name(), "rancher/k3s");
        assert_eq!(Pulsar::default().name(), "apachepulsar/pulsar");
    }
}
