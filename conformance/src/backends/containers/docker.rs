//! The Docker engine: where it is (the same places testcontainers looks), a fast check that it answers, and the
//! few engine calls testcontainers does not expose: removing every container of a run by label, copying a file
//! into a container, a container's state, and writing a container's output to a file as it comes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use bollard::query_parameters::{
    InspectContainerOptions, ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
    UploadToContainerOptionsBuilder,
};
use bollard::Docker;
use testcontainers::core::logs::LogFrame;

use crate::error::{HarnessError, Result};

/// Label put on every container of a run (value: the run's log folder name), so that teardown finds them all,
/// also one whose start was cut short.
pub const RUN_LABEL: &str = "io.fmesh.conformance.run";

fn unavailable(reason: String) -> HarnessError {
    HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason,
    }
}

/// Where the Docker engine is, per `DOCKER_HOST` or the default sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DockerEndpoint {
    /// A unix socket path.
    Unix(PathBuf),
    /// A TCP `host:port`.
    Tcp(String),
}

impl DockerEndpoint {
    /// As a `DOCKER_HOST` value.
    pub fn as_docker_host(&self) -> String {
        match self {
            DockerEndpoint::Unix(p) => format!("unix://{}", p.display()),
            DockerEndpoint::Tcp(a) => format!("tcp://{a}"),
        }
    }
}

/// The unix sockets testcontainers tries when `DOCKER_HOST` is not set, in its order.
pub fn default_sockets(xdg_runtime_dir: Option<&Path>, home: Option<&Path>) -> Vec<PathBuf> {
    let mut v = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(d) = xdg_runtime_dir {
        v.push(d.join(".docker/run/docker.sock"));
    }
    if let Some(h) = home {
        v.push(h.join(".docker/run/docker.sock"));
        v.push(h.join(".docker/desktop/docker.sock"));
    }
    v
}

fn env_sockets() -> Vec<PathBuf> {
    let xdg = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
    let home = std::env::var_os("HOME").map(PathBuf::from);
    default_sockets(xdg.as_deref(), home.as_deref())
}

/// Decides where Docker should be, without touching the network. `docker_host` is `$DOCKER_HOST`; without it the
/// first existing socket of `sockets` (or the first one, to name in the error).
pub fn resolve_endpoint(docker_host: Option<&str>, sockets: &[PathBuf]) -> Result<DockerEndpoint> {
    match docker_host.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(DockerEndpoint::Unix(
            sockets
                .iter()
                .find(|p| p.exists())
                .or(sockets.first())
                .cloned()
                .unwrap_or_else(|| PathBuf::from("/var/run/docker.sock")),
        )),
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

/// [`resolve_endpoint`] with the default sockets of this machine.
pub fn docker_endpoint(docker_host: Option<&str>) -> Result<DockerEndpoint> {
    resolve_endpoint(docker_host, &env_sockets())
}

/// Fails fast (no container request, no hang) when no Docker engine answers at the endpoint.
pub fn check_docker(docker_host: Option<&str>) -> Result<DockerEndpoint> {
    check_docker_with(docker_host, &env_sockets())
}

/// [`check_docker`] with the given default sockets.
pub fn check_docker_with(docker_host: Option<&str>, sockets: &[PathBuf]) -> Result<DockerEndpoint> {
    let ep = resolve_endpoint(docker_host, sockets)?;
    match &ep {
        DockerEndpoint::Unix(p) => {
            if !p.exists() {
                let also = if docker_host.is_none() && sockets.len() > 1 {
                    let others: Vec<_> = sockets[1..]
                        .iter()
                        .map(|s| s.display().to_string())
                        .collect();
                    format!(
                        " and DOCKER_HOST is not set (also looked for {})",
                        others.join(", ")
                    )
                } else if docker_host.is_none() {
                    " and DOCKER_HOST is not set".to_owned()
                } else {
                    String::new()
                };
                return Err(unavailable(format!(
                    "no Docker engine: {} does not exist{also}; start Docker or set DOCKER_HOST, or use FM_CONFORMANCE_BACKEND=local",
                    p.display(),
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

/// A Docker API client for `ep` (TLS when `DOCKER_TLS_VERIFY` is set, as the Docker CLI does).
pub fn connect(ep: &DockerEndpoint) -> Result<Docker> {
    Docker::connect_with_host(&ep.as_docker_host())
        .map_err(|e| unavailable(format!("Docker client for {}: {e}", ep.as_docker_host())))
}

/// The engine's version, OS and architecture (`27.3.1 linux/aarch64`).
pub async fn engine_description(docker: &Docker) -> Result<(String, String)> {
    let v = docker
        .version()
        .await
        .map_err(|e| unavailable(format!("Docker engine version: {e}")))?;
    let arch = v.arch.unwrap_or_default();
    Ok((
        format!(
            "{} {}/{}",
            v.version.unwrap_or_default(),
            v.os.unwrap_or_default(),
            arch
        ),
        arch,
    ))
}

/// Whether a Docker/Kubernetes architecture name is 64-bit ARM.
pub fn is_arm64(arch: &str) -> bool {
    matches!(arch, "arm64" | "aarch64")
}

/// Force-removes every container (running or not) labelled with this run; returns the removed ids, and the
/// errors.
pub async fn remove_run_containers(docker: &Docker, run: &str) -> (Vec<String>, Vec<String>) {
    let filters = HashMap::from([("label", vec![format!("{RUN_LABEL}={run}")])]);
    let opts = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let list = match docker.list_containers(Some(opts)).await {
        Ok(l) => l,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("listing the run's containers: {e}")],
            )
        }
    };
    let (mut removed, mut errors) = (Vec::new(), Vec::new());
    for c in list {
        let Some(id) = c.id else { continue };
        let rm = RemoveContainerOptionsBuilder::new()
            .force(true)
            .v(true)
            .build();
        match docker.remove_container(&id, Some(rm)).await {
            Ok(()) => removed.push(id),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => errors.push(format!("removing container {id}: {e}")),
        }
    }
    (removed, errors)
}

/// Why a container is not running any more (`None` while it runs).
pub fn container_death(name: &str, state: &bollard::models::ContainerState) -> Option<String> {
    if state.running == Some(true) {
        return None;
    }
    let status = state
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let mut msg = format!("{name} container is {status}");
    if let Some(code) = state.exit_code {
        msg.push_str(&format!(", exit code {code}"));
    }
    if state.oom_killed == Some(true) {
        msg.push_str(", killed for lack of memory (OOMKilled)");
    }
    if let Some(err) = state.error.as_deref().filter(|e| !e.is_empty()) {
        msg.push_str(&format!(", error: {err}"));
    }
    if let Some(at) = state
        .finished_at
        .as_deref()
        .filter(|t| !t.starts_with("0001"))
    {
        msg.push_str(&format!(", finished at {at}"));
    }
    Some(msg)
}

/// The state of container `id`; `Some(reason)` when it is not running (or gone).
pub async fn check_container(docker: &Docker, name: &str, id: &str) -> Option<String> {
    match docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
    {
        Ok(info) => info.state.as_ref().and_then(|s| container_death(name, s)),
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Some(format!(
            "{name} container {id} is gone (removed outside the harness)"
        )),
        // The engine not answering is not the container's death; the next check sees it again.
        Err(_) => None,
    }
}

/// A one-file tar archive (`name`, mode 0644) for the Docker archive API.
pub async fn one_file_tar(name: &str, data: &[u8]) -> Result<Vec<u8>> {
    let mut ar = tokio_tar::Builder::new(Vec::new());
    let mut header = tokio_tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    ar.append_data(&mut header, name, data)
        .await
        .map_err(|e| HarnessError::io(format!("tar {name}"), e))?;
    ar.into_inner()
        .await
        .map_err(|e| HarnessError::io(format!("tar {name}"), e))
}

/// Copies the host file `src` into container `id` as `<dir>/<file name>`; returns that path.
pub async fn copy_into(docker: &Docker, id: &str, src: &Path, dir: &str) -> Result<String> {
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| unavailable(format!("{}: not a file path", src.display())))?;
    let data = tokio::fs::read(src)
        .await
        .map_err(|e| HarnessError::io(format!("read {}", src.display()), e))?;
    let tar = one_file_tar(&name, &data).await?;
    let opts = UploadToContainerOptionsBuilder::new().path(dir).build();
    docker
        .upload_to_container(id, Some(opts), bollard::body_full(tar.into()))
        .await
        .map_err(|e| unavailable(format!("copying {} into the container: {e}", src.display())))?;
    Ok(format!("{}/{name}", dir.trim_end_matches('/')))
}

/// A testcontainers log consumer appending a container's stdout and stderr to `path` as they come.
pub fn file_log_consumer(path: &Path) -> Result<impl Fn(&LogFrame) + Send + Sync + 'static> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| HarnessError::io(format!("open {}", path.display()), e))?;
    let file = Mutex::new(file);
    Ok(move |frame: &LogFrame| {
        let bytes = match frame {
            LogFrame::StdOut(b) | LogFrame::StdErr(b) => b,
        };
        if let Ok(mut f) = file.lock() {
            let _ = f.write_all(bytes);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{ContainerState, ContainerStateStatusEnum};

    #[test]
    fn docker_endpoint_from_env() {
        let socks = [
            PathBuf::from("/nonexistent/a.sock"),
            PathBuf::from("/nonexistent/b.sock"),
        ];
        assert_eq!(
            resolve_endpoint(None, &socks).unwrap(),
            DockerEndpoint::Unix("/nonexistent/a.sock".into())
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
    fn first_existing_default_socket_is_used() {
        let d = tempfile::tempdir().unwrap();
        let home_sock = d.path().join(".docker/run/docker.sock");
        std::fs::create_dir_all(home_sock.parent().unwrap()).unwrap();
        std::fs::write(&home_sock, "").unwrap();
        let socks = default_sockets(None, Some(d.path()));
        assert_eq!(socks[0], PathBuf::from("/var/run/docker.sock"));
        let ep = resolve_endpoint(None, &socks).unwrap();
        if !Path::new("/var/run/docker.sock").exists() {
            assert_eq!(ep, DockerEndpoint::Unix(home_sock));
        }
    }

    #[test]
    fn missing_socket_fails_fast_with_clear_message() {
        let e = check_docker(Some("unix:///nonexistent/fmesh/docker.sock"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("backend `testcontainers` cannot start: no Docker engine: /nonexistent/fmesh/docker.sock does not exist"), "{e}");
        assert!(e.contains("FM_CONFORMANCE_BACKEND=local"), "{e}");
        let socks = default_sockets(
            Some(Path::new("/nonexistent/xdg")),
            Some(Path::new("/nonexistent/home")),
        );
        let socks: Vec<_> = socks.into_iter().skip(1).collect();
        let e = check_docker_with(None, &socks).unwrap_err().to_string();
        assert_eq!(
            e,
            "backend `testcontainers` cannot start: no Docker engine: /nonexistent/xdg/.docker/run/docker.sock does \
             not exist and DOCKER_HOST is not set (also looked for /nonexistent/home/.docker/run/docker.sock, \
             /nonexistent/home/.docker/desktop/docker.sock); start Docker or set DOCKER_HOST, or use \
             FM_CONFORMANCE_BACKEND=local"
        );
    }

    #[test]
    fn closed_tcp_port_fails_fast() {
        let port = crate::process::free_port("test").unwrap();
        let e = check_docker(Some(&format!("tcp://127.0.0.1:{port}")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no Docker engine answers on tcp://127.0.0.1:"),
            "{e}"
        );
    }

    #[test]
    fn dead_containers_are_described() {
        let running = ContainerState {
            running: Some(true),
            status: Some(ContainerStateStatusEnum::RUNNING),
            ..Default::default()
        };
        assert_eq!(container_death("k3s", &running), None);
        let oom = ContainerState {
            running: Some(false),
            status: Some(ContainerStateStatusEnum::EXITED),
            exit_code: Some(137),
            oom_killed: Some(true),
            finished_at: Some("2026-12-07T01:02:03Z".into()),
            ..Default::default()
        };
        assert_eq!(
            container_death("Pulsar", &oom).unwrap(),
            "Pulsar container is exited, exit code 137, killed for lack of memory (OOMKilled), finished at \
             2026-12-07T01:02:03Z"
        );
        let never = ContainerState {
            running: Some(false),
            status: Some(ContainerStateStatusEnum::CREATED),
            finished_at: Some("0001-01-01T00:00:00Z".into()),
            error: Some(String::new()),
            ..Default::default()
        };
        assert_eq!(
            container_death("k3s", &never).unwrap(),
            "k3s container is created"
        );
    }

    #[tokio::test]
    async fn tar_holds_the_file() {
        let tar = one_file_tar("pkg.jar", b"bytes").await.unwrap();
        assert_eq!(tar.len() % 512, 0);
        assert_eq!(&tar[..7], b"pkg.jar");
        assert_eq!(&tar[512..517], b"bytes");
    }

    #[test]
    fn log_consumer_appends_both_streams() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k3s.log");
        let c = file_log_consumer(&p).unwrap();
        c(&LogFrame::StdOut("out\n".into()));
        c(&LogFrame::StdErr("err\n".into()));
        assert_eq!(std::fs::read_to_string(p).unwrap(), "out\nerr\n");
    }
}
