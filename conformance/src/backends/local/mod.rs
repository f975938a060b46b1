//! The local-process backend: etcd, kube-apiserver, the Function Mesh operator and Pulsar, each a real binary
//! prepared by `conformance/scripts/prepare.sh`, on free 127.0.0.1 ports. The control plane and the operator are
//! started here; Pulsar is [`pulsar`] (the broker and `pulsar-admin`), run from what [`pulsar_setup`] finds
//! (the Maven-built cache, the configuration templates, the JVM options).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use base64::Engine as _;
use kube::Client;

use crate::backend::{Availability, Backend, BackendKind, CrdSet, PulsarAdmin};
use crate::certs::ControlPlaneCerts;
use crate::error::{HarnessError, Result};
use crate::kubeutil::wait_for;
use crate::net::loopback_answers;
use crate::prepared::Prepared;
use crate::process::{free_port, ManagedProcess};

pub mod pulsar;
pub mod pulsar_setup;

use pulsar::{LocalPulsar, PulsarOptions};

/// Which optional parts [`LocalBackend::start_with`] starts besides etcd and the API server (with
/// the Function Mesh CRDs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The Function Mesh operator (when prepared).
    pub operator: bool,
    /// Pulsar, with these options (when prepared); `None`: no Pulsar.
    pub pulsar: Option<PulsarOptions>,
}

impl Default for Parts {
    /// Everything, as the conformance run starts it: the operator, and Pulsar with token
    /// authentication and authorization (issue 12; every scenario talks to it as a superuser, the
    /// worker scenarios add their own roles) and without its built-in functions worker.
    fn default() -> Self {
        Parts {
            operator: true,
            pulsar: Some(PulsarOptions {
                auth: true,
                functions_worker: false,
            }),
        }
    }
}

/// The local backend. Fields drop in declaration order: Pulsar and the operator stop before the API server,
/// the API server before etcd.
pub struct LocalBackend {
    pulsar: std::result::Result<LocalPulsar, String>,
    operator_proc: Option<ManagedProcess>,
    operator_state: Availability,
    upstream_state: Availability,
    crds_state: std::result::Result<CrdSet, String>,
    client: Client,
    apiserver: ManagedProcess,
    etcd: ManagedProcess,
    etcd_client_port: u16,
    prepared: Prepared,
    log_dir: PathBuf,
    work_dir: PathBuf,
    kubeconfig: PathBuf,
}

impl std::fmt::Debug for LocalBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBackend")
            .field("log_dir", &self.log_dir)
            .field("kubeconfig", &self.kubeconfig)
            .field("operator", &self.operator_state)
            .field("crds", &self.crds_state)
            .finish_non_exhaustive()
    }
}

impl LocalBackend {
    /// Starts etcd, kube-apiserver, installs the pinned upstream CRDs (or fmesh's generated ones when those are
    /// missing), starts the operator (when prepared) and Pulsar.
    ///
    /// Fails only when the control plane (etcd + API server) cannot run; a missing operator, CRD set or Pulsar
    /// is recorded and reported (blocked or failed) by the scenarios that need it.
    pub async fn start() -> Result<LocalBackend> {
        Self::start_with(Parts::default()).await
    }

    /// [`LocalBackend::start`] with only the optional `parts` asked for (a part left out is
    /// reported as blocked, `not started`).
    pub async fn start_with(parts: Parts) -> Result<LocalBackend> {
        let log_dir = crate::backend::run_log_dir(BackendKind::Local)?;
        eprintln!("conformance: local backend logs in {}", log_dir.display());
        let prepared = Prepared::load(&Prepared::cache_root())?;
        let etcd_bin = prepared.path("ETCD_BIN", "etcd", "ETCD")?;
        let apiserver_bin =
            prepared.path("KUBE_APISERVER_BIN", "kube-apiserver", "KUBE_APISERVER")?;
        let work_dir = log_dir.join("work");
        std::fs::create_dir_all(&work_dir).map_err(|e| HarnessError::io("mkdir work dir", e))?;
        let certs = ControlPlaneCerts::generate(&work_dir.join("pki"))?;

        // etcd
        let (client_port, peer_port) = (free_port("etcd client")?, free_port("etcd peer")?);
        let mut cmd = Command::new(&etcd_bin);
        cmd.args([
            "--name=fmesh".to_owned(),
            format!("--data-dir={}", work_dir.join("etcd-data").display()),
            format!("--listen-client-urls=http://127.0.0.1:{client_port}"),
            format!("--advertise-client-urls=http://127.0.0.1:{client_port}"),
            format!("--listen-peer-urls=http://127.0.0.1:{peer_port}"),
            format!("--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}"),
            format!("--initial-cluster=fmesh=http://127.0.0.1:{peer_port}"),
            "--log-level=warn".to_owned(),
        ]);
        let mut etcd = ManagedProcess::spawn("etcd", cmd, &log_dir)?;
        wait_for("etcd /health", Duration::from_secs(60), || {
            let r = etcd
                .check_running()
                .map(|_| loopback_answers(client_port, "/health", 200, "\"health\":\"true\""));
            async move { r }
        })
        .await?;

        // kube-apiserver
        let secure_port = free_port("kube-apiserver")?;
        let mut cmd = Command::new(&apiserver_bin);
        cmd.args([
            format!("--etcd-servers=http://127.0.0.1:{client_port}"),
            "--bind-address=127.0.0.1".to_owned(),
            "--advertise-address=127.0.0.1".to_owned(),
            format!("--secure-port={secure_port}"),
            format!("--cert-dir={}", work_dir.join("apiserver-certs").display()),
            format!("--tls-cert-file={}", certs.serving_cert.display()),
            format!("--tls-private-key-file={}", certs.serving_key.display()),
            format!("--client-ca-file={}", certs.ca_cert.display()),
            format!("--service-account-key-file={}", certs.sa_pub.display()),
            format!(
                "--service-account-signing-key-file={}",
                certs.sa_key.display()
            ),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local".to_owned(),
            "--service-cluster-ip-range=10.96.0.0/16".to_owned(),
            "--authorization-mode=RBAC".to_owned(),
            "--allow-privileged=true".to_owned(),
            "--enable-priority-and-fairness=false".to_owned(),
            "--profiling=false".to_owned(),
            "--v=1".to_owned(),
        ]);
        let mut apiserver = ManagedProcess::spawn("kube-apiserver", cmd, &log_dir)?;

        let kubeconfig = work_dir.join("kubeconfig");
        write_kubeconfig(&kubeconfig, secure_port, &certs)?;
        let kc = kube::config::Kubeconfig::read_from(&kubeconfig)?;
        let config =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await?;
        let client = Client::try_from(config)?;
        {
            let client = client.clone();
            let apiserver = &mut apiserver;
            wait_for(
                "kube-apiserver /readyz",
                Duration::from_secs(180),
                move || {
                    let running = apiserver.check_running();
                    let client = client.clone();
                    async move {
                        running?;
                        let req = http::Request::get("/readyz")
                            .body(Vec::new())
                            .map_err(|e| HarnessError::Prepared(e.to_string()))?;
                        Ok(client
                            .request_text(req)
                            .await
                            .map(|t| t.trim() == "ok")
                            .unwrap_or(false))
                    }
                },
            )
            .await?;
        }

        // The pinned upstream CRDs when prepared, else fmesh's generated ones (so every scenario that needs only
        // *a* schema still runs against the real API server).
        let (crds_state, upstream_state) =
            crate::backend::install_function_mesh_crds(&client, &prepared).await;
        if let Ok(set) = &crds_state {
            eprintln!("conformance: CRDs in use: {}", set.describe());
        }

        // The operator: only with the upstream CRDs and a binary (FMESH_OPERATOR_BIN, or what prepare.sh recorded).
        let (operator_proc, operator_state) = match (
            parts.operator,
            &upstream_state,
            prepared.operator_bin(),
            prepared.get("MISSING_FM_OPERATOR"),
        ) {
            (false, ..) => (
                None,
                Availability::Blocked("not started (LocalBackend::start_with)".into()),
            ),
            (_, _, None, Some(why)) => (
                None,
                Availability::Blocked(crate::backend::short_reason(why).to_owned()),
            ),
            (_, _, None, None) => (
                None,
                Availability::Failed(format!(
                    "neither FM_OPERATOR_BIN nor MISSING_FM_OPERATOR in {}",
                    prepared.source.display()
                )),
            ),
            (_, Availability::Blocked(r), Some(_), _) => (
                None,
                Availability::Blocked(format!("not started: it needs the upstream CRDs: {r}")),
            ),
            (_, Availability::Failed(r), Some(_), _) => (
                None,
                Availability::Failed(format!("not started: it needs the upstream CRDs: {r}")),
            ),
            (_, Availability::Ready, Some(bin), _) => {
                match start_operator(Path::new(&bin), &kubeconfig, &log_dir).await {
                    Ok(p) => (Some(p), Availability::Ready),
                    Err(e) => (None, Availability::Failed(e.to_string())),
                }
            }
        };

        // Pulsar.
        let pulsar = match parts.pulsar {
            Some(options) => start_pulsar(&prepared, &work_dir, options),
            None => Err("not started (LocalBackend::start_with)".to_owned()),
        };
        if let Err(e) = &pulsar {
            eprintln!("conformance: Pulsar not available: {e}");
        }

        Ok(LocalBackend {
            pulsar,
            operator_proc,
            operator_state,
            upstream_state,
            crds_state,
            client,
            apiserver,
            etcd,
            etcd_client_port: client_port,
            prepared,
            log_dir,
            work_dir,
            kubeconfig,
        })
    }

    /// The kubeconfig written for this run (client certificate in `system:masters`).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }
}

async fn start_operator(bin: &Path, kubeconfig: &Path, log_dir: &Path) -> Result<ManagedProcess> {
    let (metrics, health) = (
        free_port("operator metrics")?,
        free_port("operator health probe")?,
    );
    let mut cmd = Command::new(bin);
    cmd.args([
        format!("--metrics-addr=127.0.0.1:{metrics}"),
        "--metrics-secure=false".to_owned(),
        format!("--health-probe-addr=127.0.0.1:{health}"),
        "--enable-leader-election=false".to_owned(),
        format!(
            "--watched-namespace={}",
            crate::backend::OPERATOR_WATCHED_NAMESPACE
        ),
    ])
    .env("KUBECONFIG", kubeconfig)
    .env("ENABLE_WEBHOOKS", "false")
    .env_remove("KUBERNETES_SERVICE_HOST");
    let mut p = ManagedProcess::spawn("function-mesh-operator", cmd, log_dir)?;
    {
        let p = &mut p;
        wait_for("operator /readyz", Duration::from_secs(90), move || {
            let r = p
                .check_running()
                .map(|_| loopback_answers(health, "/readyz", 200, ""));
            async move { r }
        })
        .await?;
    }
    Ok(p)
}

fn write_kubeconfig(path: &Path, port: u16, certs: &ControlPlaneCerts) -> Result<()> {
    let b64 = |p: &Path| -> Result<String> {
        let bytes =
            std::fs::read(p).map_err(|e| HarnessError::io(format!("read {}", p.display()), e))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    };
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: local\n  cluster:\n    server: https://127.0.0.1:{port}\n    certificate-authority-data: {ca}\nusers:\n- name: fmesh-conformance\n  user:\n    client-certificate-data: {cert}\n    client-key-data: {key}\ncontexts:\n- name: local\n  context:\n    cluster: local\n    user: fmesh-conformance\n    namespace: default\ncurrent-context: local\n",
        ca = b64(&certs.ca_cert)?,
        cert = b64(&certs.client_cert)?,
        key = b64(&certs.client_key)?,
    );
    std::fs::write(path, text).map_err(|e| HarnessError::io(format!("write {}", path.display()), e))
}

impl Backend for LocalBackend {
    fn name(&self) -> &'static str {
        BackendKind::Local.name()
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
            Ok(p) => Ok(p),
            Err(reason) => Err(HarnessError::Missing {
                part: "pulsar".into(),
                reason: reason.clone(),
            }),
        }
    }
    fn log_dir(&self) -> &Path {
        &self.log_dir
    }
    fn admin_kubeconfig(&self) -> Option<PathBuf> {
        Some(self.kubeconfig.clone())
    }
    fn etcd_url(&self) -> Option<String> {
        Some(format!("http://127.0.0.1:{}", self.etcd_client_port))
    }
    fn health(&mut self) -> Vec<String> {
        let mut dead = Vec::new();
        for p in [&mut self.etcd, &mut self.apiserver]
            .into_iter()
            .chain(self.operator_proc.as_mut())
        {
            if let Err(e) = p.check_running() {
                dead.push(format!("{}: {e}", p.name()));
            }
        }
        dead
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        if let Some(p) = self.operator_proc.as_mut() {
            p.stop();
        }
        self.apiserver.stop();
        self.etcd.stop();
        // etcd preallocates large WAL files; logs stay, data goes.
        let _ = std::fs::remove_dir_all(self.work_dir.join("etcd-data"));
    }
}

/// Starts the local Pulsar under `<work_dir>/pulsar` when prepare.sh prepared it; else why not.
fn start_pulsar(
    prepared: &Prepared,
    work_dir: &Path,
    options: PulsarOptions,
) -> std::result::Result<LocalPulsar, String> {
    if prepared.get("PULSAR_PREPARED").is_none() {
        return Err(prepared
            .get("MISSING_PULSAR")
            .unwrap_or("prepare-pulsar.sh did not run")
            .to_owned());
    }
    let dir = work_dir.join("pulsar");
    std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    LocalPulsar::start_with(&Prepared::cache_root(), &dir, options)
        .map_err(|e| format!("LocalPulsar::start: {e}"))
}
