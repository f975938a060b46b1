//! Pulsar in a container: the same release as the local backend, package management on; `pulsar-admin` runs
//! inside it as a bounded, non-blocking exec; files it must read are copied in.

use std::path::Path;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::Docker;
use futures::StreamExt;
use testcontainers::{ContainerAsync, ContainerRequest, ImageExt};
use testcontainers_modules::pulsar::Pulsar;

use super::budget::bounded;
use crate::backend::{AdminOutput, BoxFuture, PulsarAdmin};
use crate::error::{HarnessError, Result};
use crate::pulsar_auth::{PulsarAuth, TOKEN_PLUGIN};

/// Time a Pulsar standalone may take from container start to "messaging service is ready" (a slow machine
/// starting k3s at the same time needs minutes).
pub const PULSAR_STARTUP_TIMEOUT: Duration = Duration::from_secs(420);
/// Bound on one `pulsar-admin` call in the container.
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(120);
/// Where staged files go in the container.
pub const STAGE_DIR: &str = "/tmp";
/// Pulsar's HTTP port in the container.
pub const WEB_PORT: u16 = 8080;
/// Pulsar's binary protocol port in the container.
pub const BROKER_PORT: u16 = 6650;

/// The image reference of the Pulsar release the local backend runs.
pub fn pulsar_image() -> String {
    format!("apachepulsar/pulsar:{}", crate::backend::PULSAR_VERSION)
}

/// Package storage in the container: the filesystem provider the local backend's `standalone.conf` uses (the
/// server distribution ships it), on the module's tmpfs data volume. The default BookKeeper provider goes
/// through DistributedLog, not known to work on a standalone broker's RocksDB metadata store.
pub const PACKAGES_PROVIDER: &str =
    "org.apache.pulsar.packages.management.storage.filesystem.FileSystemPackagesStorageProvider";
/// Where the filesystem provider keeps packages in the container.
pub const PACKAGES_DIR: &str = "/pulsar/data/packages";

/// The Pulsar container request: the module's standalone broker at the local backend's release, with package
/// management on (`pulsar-admin packages` needs it; the module's default 2.10 image has it off), and with
/// `auth`, token authentication and authorization as the local backend's broker has them.
pub fn pulsar_request(auth: Option<&PulsarAuth>) -> ContainerRequest<Pulsar> {
    let mut image = Pulsar::default();
    let mut env = Vec::new();
    if let Some(a) = auth {
        for (key, value) in a.broker_settings(a.key_data_url()) {
            // Both spellings, as for enablePackagesManagement below: these keys are in the image's
            // standalone.conf already.
            image = image.with_config_env(key, value.clone());
            env.push((key, value));
        }
    }
    let mut request = image
        .with_config_env("enablePackagesManagement", "true")
        .with_config_env("packagesManagementStorageProvider", PACKAGES_PROVIDER)
        .with_config_env("STORAGE_PATH", PACKAGES_DIR)
        .with_config_env("packagesReplicas", "1")
        .with_tag(crate::backend::PULSAR_VERSION)
        // The plain key too: the image's config script sets keys already in standalone.conf from it.
        .with_env_var("enablePackagesManagement", "true")
        .with_startup_timeout(PULSAR_STARTUP_TIMEOUT);
    for (key, value) in env {
        request = request.with_env_var(key, value);
    }
    request
}

/// `pulsar-admin`'s result from an exec: a missing exit code (Docker still reports the exec running after its
/// output ended) is an error, never a made-up code.
pub fn admin_output(
    what: &str,
    args: &str,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    code: Option<i64>,
) -> Result<AdminOutput> {
    let missing = |reason: String| HarnessError::Missing {
        part: "pulsar-admin (container)".into(),
        reason,
    };
    let code = code.ok_or_else(|| {
        missing(format!(
            "{what}: Docker reports no exit code after its output ended"
        ))
    })?;
    let code = i32::try_from(code)
        .map_err(|_| missing(format!("{what}: exit code {code} out of range")))?;
    Ok(AdminOutput {
        args: args.to_owned(),
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

/// Pulsar in a container; `pulsar-admin` runs inside it.
pub struct ContainerPulsar {
    pub(super) container: ContainerAsync<Pulsar>,
    docker: Docker,
    web: String,
    broker: String,
    auth: Option<PulsarAuth>,
}

impl std::fmt::Debug for ContainerPulsar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContainerPulsar")
            .field("id", &self.container.id())
            .field("web", &self.web)
            .field("broker", &self.broker)
            .finish()
    }
}

impl ContainerPulsar {
    /// Wraps a started Pulsar container; the URLs use the host and mapped ports testcontainers reports.
    pub async fn new(
        container: ContainerAsync<Pulsar>,
        docker: Docker,
        auth: Option<PulsarAuth>,
    ) -> Result<ContainerPulsar> {
        let tc = |e: testcontainers::TestcontainersError| HarnessError::Missing {
            part: "pulsar (container)".into(),
            reason: e.to_string(),
        };
        let host =
            super::kubeconfig::url_host(&container.get_host().await.map_err(tc)?.to_string());
        let web_port = container.get_host_port_ipv4(WEB_PORT).await.map_err(tc)?;
        let broker_port = container
            .get_host_port_ipv4(BROKER_PORT)
            .await
            .map_err(tc)?;
        Ok(ContainerPulsar {
            web: format!("http://{host}:{web_port}"),
            broker: format!("pulsar://{host}:{broker_port}"),
            container,
            docker,
            auth,
        })
    }

    /// Runs `bin/pulsar-admin <args>` in the container, bounded by [`ADMIN_TIMEOUT`].
    pub async fn run_admin(&self, args: &[&str]) -> Result<AdminOutput> {
        let what = format!("`pulsar-admin {}` in the Pulsar container", args.join(" "));
        let mut cmd = vec!["bin/pulsar-admin".to_owned()];
        if let Some(a) = &self.auth {
            cmd.extend([
                "--auth-plugin".to_owned(),
                TOKEN_PLUGIN.to_owned(),
                "--auth-params".to_owned(),
                format!("token:{}", a.admin_token()),
            ]);
        }
        cmd.extend(args.iter().map(|s| (*s).to_owned()));
        bounded(&what, ADMIN_TIMEOUT, async {
            let err = |e: bollard::errors::Error| HarnessError::Missing {
                part: "pulsar-admin (container)".into(),
                reason: format!("{what}: {e}"),
            };
            let exec = self
                .docker
                .create_exec(
                    self.container.id(),
                    CreateExecOptions {
                        cmd: Some(cmd),
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        ..Default::default()
                    },
                )
                .await
                .map_err(err)?;
            let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
            match self.docker.start_exec(&exec.id, None).await.map_err(err)? {
                StartExecResults::Attached { mut output, .. } => {
                    while let Some(chunk) = output.next().await {
                        match chunk.map_err(err)? {
                            LogOutput::StdOut { message } => stdout.extend_from_slice(&message),
                            LogOutput::StdErr { message } => stderr.extend_from_slice(&message),
                            _ => {}
                        }
                    }
                }
                StartExecResults::Detached => {
                    return Err(HarnessError::Missing {
                        part: "pulsar-admin (container)".into(),
                        reason: format!("{what}: Docker detached the exec"),
                    })
                }
            }
            // The output has ended; Docker may take a moment to record the exit code.
            let mut code = None;
            for _ in 0..20 {
                code = self
                    .docker
                    .inspect_exec(&exec.id)
                    .await
                    .map_err(err)?
                    .exit_code;
                if code.is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            admin_output(&what, &args.join(" "), stdout, stderr, code)
        })
        .await
    }
}

impl PulsarAdmin for ContainerPulsar {
    fn admin(&self, args: &[&str]) -> Result<AdminOutput> {
        // Blocking callers only; scenarios use `admin_async`.
        let handle = tokio::runtime::Handle::try_current().map_err(|e| HarnessError::Missing {
            part: "pulsar-admin (container)".into(),
            reason: format!("needs a tokio runtime: {e}"),
        })?;
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return Err(HarnessError::Missing {
                part: "pulsar-admin (container)".into(),
                reason: "the blocking call needs a multi-thread runtime; use admin_async".into(),
            });
        }
        tokio::task::block_in_place(|| handle.block_on(self.run_admin(args)))
    }
    fn admin_async<'a>(&'a self, args: &'a [&'a str]) -> BoxFuture<'a, Result<AdminOutput>> {
        Box::pin(self.run_admin(args))
    }
    fn stage_file<'a>(&'a self, path: &'a Path) -> BoxFuture<'a, Result<String>> {
        Box::pin(super::docker::copy_into(
            &self.docker,
            self.container.id(),
            path,
            STAGE_DIR,
        ))
    }
    fn web_service_url(&self) -> String {
        self.web.clone()
    }
    fn broker_service_url(&self) -> String {
        self.broker.clone()
    }
    fn auth(&self) -> Option<&PulsarAuth> {
        self.auth.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testcontainers::Image;

    #[test]
    fn exit_code_none_is_an_error_not_minus_one() {
        let e = admin_output(
            "`pulsar-admin tenants list`",
            "tenants list",
            b"a".to_vec(),
            Vec::new(),
            None,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "part `pulsar-admin (container)` is not available: `pulsar-admin tenants list`: Docker reports no exit \
             code after its output ended"
        );
        let ok = admin_output("x", "x", b"out".to_vec(), b"err".to_vec(), Some(1)).unwrap();
        assert_eq!(
            (ok.code, ok.stdout.as_str(), ok.stderr.as_str()),
            (1, "out", "err")
        );
        assert!(admin_output("x", "x", Vec::new(), Vec::new(), Some(1 << 40)).is_err());
    }

    #[test]
    fn pulsar_is_the_local_release_with_package_management() {
        let dir = std::env::temp_dir().join(format!("fmesh-ct-auth-{}", std::process::id()));
        let auth = PulsarAuth::generate(&dir).unwrap();
        let r = pulsar_request(Some(&auth));
        assert_eq!(r.image().name(), "apachepulsar/pulsar");
        assert_eq!(r.descriptor(), pulsar_image());
        assert_eq!(pulsar_image(), "apachepulsar/pulsar:4.0.7");
        let env: Vec<(String, String)> = r
            .env_vars()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert!(env.contains(&(
            "PULSAR_PREFIX_enablePackagesManagement".to_owned(),
            "true".to_owned()
        )));
        assert!(env.contains(&("enablePackagesManagement".to_owned(), "true".to_owned())));
        assert!(env.contains(&(
            "PULSAR_PREFIX_packagesManagementStorageProvider".to_owned(),
            PACKAGES_PROVIDER.to_owned()
        )));
        // The same provider as the local backend's standalone.conf.
        let local = include_str!("../../../pulsar/standalone.conf");
        assert!(local.contains(&format!(
            "packagesManagementStorageProvider={PACKAGES_PROVIDER}"
        )));
        assert_eq!(r.startup_timeout(), Some(PULSAR_STARTUP_TIMEOUT));
        for key in ["authenticationEnabled", "authorizationEnabled"] {
            assert!(env.contains(&(format!("PULSAR_PREFIX_{key}"), "true".to_owned())));
            assert!(env.contains(&(key.to_owned(), "true".to_owned())));
        }
        assert!(env.contains(&(
            "PULSAR_PREFIX_tokenSecretKey".to_owned(),
            auth.key_data_url()
        )));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
