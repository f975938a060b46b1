//! A real Pulsar standalone broker and the real `pulsar-admin`, started as local processes.
//!
//! The jars, templates and JVM options are those of [`super::pulsar_setup`] (prepared by
//! `conformance/scripts/prepare.sh`; nothing here downloads anything).
//!
//! [`LocalPulsar::start`] runs `org.apache.pulsar.PulsarStandaloneStarter` with a generated
//! configuration (from `conformance/pulsar/standalone.conf`): broker, web service and bookie on free
//! `127.0.0.1` ports, RocksDB metadata store (no ZooKeeper), functions worker (unless
//! [`PulsarOptions::functions_worker`]) and stream storage off,
//! packages management on with filesystem storage under the work directory. The API is synchronous
//! (`std::process`); dropping the [`LocalPulsar`] kills the JVM. A watchdog shell between this process
//! and the JVM also kills the JVM when this process dies without running `Drop` (its stdin pipe closes).
//!
//! With [`PulsarOptions::auth`] (what the conformance harness asks for) the broker runs with token
//! authentication and authorization ([`crate::pulsar_auth`]): a fresh HS256 key per start, the
//! harness's admin role and the worker's broker role as superusers; `client.conf`, the health probe
//! and [`LocalPulsar::admin`] use the admin token.
//!
//! Work directory layout (wiped and recreated by every start, except that old logs are overwritten):
//! `standalone.conf`, `client.conf`, `log4j2-*.properties`, `logs/pulsar-standalone.log` (broker log),
//! `logs/pulsar-standalone.out` (JVM stdout/stderr), `data/` (metadata and bookie), `packages/`,
//! `auth/` (with auth: the key and the admin token, mode 0600).

use std::fmt;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::pulsar_setup::{
    absolute, cds_archive, cds_args, check_cache, classpath, java_command, jvm_options,
    pulsar_cache_dir, render, write, ADMIN_JVM_OPTS, ADMIN_MAIN, BROKER_JVM_OPTS, LOG4J_ADMIN,
    LOG4J_BROKER, STANDALONE_MAIN, STANDALONE_TEMPLATE,
};
use crate::backend::{AdminOutput, PulsarAdmin};
use crate::error::{ExitedEarly, HarnessError, Result, StartTimeout};
use crate::net::{first_line, http_get_with};
use crate::process::{env_duration, free_port, run_bounded, tail_lines};
use crate::pulsar_auth::PulsarAuth;

/// What start and its errors call the broker.
const NAME: &str = "Pulsar standalone";

/// Default bound on the wait for a healthy broker; `FMESH_PULSAR_START_TIMEOUT_SECS` overrides it.
const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(180);
/// Default bound on one `pulsar-admin` run; `FMESH_PULSAR_ADMIN_TIMEOUT_SECS` overrides it.
const DEFAULT_ADMIN_TIMEOUT: Duration = Duration::from_secs(120);
/// How long `Drop` waits for the process tree to go after closing the watchdog's stdin.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How many times start tries when a chosen port was taken meanwhile.
const START_ATTEMPTS: u32 = 3;
/// Pause between two health probes.
const PROBE_INTERVAL: Duration = Duration::from_millis(250);

/// Runs `java` with the arguments after `$0` in the background and waits for it. When this
/// shell's stdin (a pipe from the Rust process) reaches end of file — `Drop` closed it, or the Rust
/// process died — the JVM is killed; the shell exits with the JVM's status.
const WATCHDOG_SCRIPT: &str = r#"exec 3<&0 0</dev/null
"$@" &
jvm=$!
( read -r _ <&3; kill -KILL "$jvm" 2>/dev/null ) &
watch=$!
exec 3<&-
wait "$jvm"
status=$?
kill "$watch" 2>/dev/null
exit "$status"
"#;

/// How the standalone is configured. `Default`: authentication, authorization and the built-in
/// functions worker off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PulsarOptions {
    /// Token authentication and authorization on (see [`crate::pulsar_auth`]).
    pub auth: bool,
    /// Runs Pulsar's own functions worker in the standalone, with the thread runtime (functions run
    /// as threads of the broker's JVM); its REST API is the broker's web service.
    pub functions_worker: bool,
}

impl PulsarOptions {
    /// These options with the built-in functions worker on or off.
    pub fn functions_worker(mut self, on: bool) -> Self {
        self.functions_worker = on;
        self
    }
}

/// The built-in functions worker's `functions_worker.yml` (placeholder `{{dir}}`: the work
/// directory). The standalone fills in the cluster, ports and metadata store from the broker's
/// configuration; the scheduler and the worker's topics have no defaults and are named here.
const FUNCTIONS_WORKER_TEMPLATE: &str = "\
functionRuntimeFactoryClassName: org.apache.pulsar.functions.runtime.thread.ThreadRuntimeFactory
functionRuntimeFactoryConfigs:
  threadGroupName: fmesh-functions
pulsarFunctionsNamespace: public/functions
functionMetadataTopicName: metadata
clusterCoordinationTopicName: coordinate
functionAssignmentTopicName: assignments
schedulerClassName: org.apache.pulsar.functions.worker.scheduler.RoundRobinScheduler
failureCheckFreqMs: 30000
rescheduleTimeoutMs: 60000
rebalanceCheckFreqSec: -1
initialBrokerReconnectMaxRetries: 60
assignmentWriteMaxRetries: 60
instanceLivenessCheckFreqMs: 30000
topicCompactionFrequencySec: 1800
numFunctionPackageReplicas: 1
downloadDirectory: {{dir}}/functions/download
connectorsDirectory: {{dir}}/functions/connectors
functionsDirectory: {{dir}}/functions/builtin
narExtractionDirectory: {{dir}}/functions/nar
";

/// A running Pulsar standalone (broker + one bookie, RocksDB metadata) on loopback ports.
/// Dropping it kills the JVM and waits for it.
pub struct LocalPulsar {
    /// HTTP admin URL, e.g. `http://127.0.0.1:41234`.
    pub web_service_url: String,
    /// Binary protocol URL, e.g. `pulsar://127.0.0.1:41235`.
    pub broker_service_url: String,
    child: Option<Child>,
    watchdog_stdin: Option<ChildStdin>,
    java: PathBuf,
    admin_classpath: String,
    admin_cds_archive: Option<PathBuf>,
    work_dir: PathBuf,
    log_file: PathBuf,
    out_file: PathBuf,
    startup: Duration,
    auth: Option<PulsarAuth>,
}

impl fmt::Debug for LocalPulsar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalPulsar")
            .field("web_service_url", &self.web_service_url)
            .field("broker_service_url", &self.broker_service_url)
            .field("pid", &self.child.as_ref().map(Child::id))
            .field("work_dir", &self.work_dir)
            .field("startup", &self.startup)
            .field("auth", &self.auth.is_some())
            .finish()
    }
}

impl LocalPulsar {
    /// Starts Pulsar standalone (org.apache.pulsar.PulsarStandaloneStarter) on free 127.0.0.1 ports with a generated
    /// config, functions worker and stream storage off, packages management on; waits (bounded) until healthy.
    ///
    /// `work_dir` is created if needed; its `data/` and `packages/` are wiped first. Healthy means:
    /// the standalone has created `public/default` (so the `standalone` cluster exists) and
    /// `/admin/v2/brokers/health` answers `ok` (a message went through the bookie).
    ///
    /// Ports are reserved by binding port 0 and releasing it; if another process takes one before
    /// the broker binds it, start tries again with new ports (up to 3 attempts).
    pub fn start(cache_root: &Path, work_dir: &Path) -> Result<LocalPulsar> {
        Self::start_with(cache_root, work_dir, PulsarOptions::default())
    }

    /// [`LocalPulsar::start`] with `options` (token authentication and authorization, the
    /// built-in functions worker).
    pub fn start_with(
        cache_root: &Path,
        work_dir: &Path,
        options: PulsarOptions,
    ) -> Result<LocalPulsar> {
        let mut attempt = 1;
        loop {
            match Self::start_once(cache_root, work_dir, options) {
                Err(HarnessError::PortInUse { .. }) if attempt < START_ATTEMPTS => attempt += 1,
                other => return other,
            }
        }
    }

    /// One start with freshly chosen ports.
    fn start_once(
        cache_root: &Path,
        work_dir: &Path,
        options: PulsarOptions,
    ) -> Result<LocalPulsar> {
        let began = Instant::now();
        let dir = pulsar_cache_dir(cache_root);
        check_cache(&dir)?;
        let java = java_command();

        let work_dir = absolute(work_dir)?;
        let logs = work_dir.join("logs");
        let data = work_dir.join("data");
        let packages = work_dir.join("packages");
        for stale in [&data, &packages] {
            if stale.exists() {
                fs::remove_dir_all(stale).map_err(HarnessError::io_at("remove", stale))?;
            }
        }
        for d in [&work_dir, &logs, &data, &packages] {
            fs::create_dir_all(d).map_err(HarnessError::io_at("create directory", d))?;
        }

        let broker_port = free_port("Pulsar broker service")?;
        let web_port = free_port("Pulsar web service")?;
        let bookie_port = free_port("Pulsar bookie")?;

        let auth = if options.auth {
            Some(PulsarAuth::generate(&work_dir.join("auth"))?)
        } else {
            None
        };
        let mut conf = render(
            STANDALONE_TEMPLATE,
            &[
                ("broker_port", broker_port.to_string()),
                ("web_port", web_port.to_string()),
                ("packages_dir", packages.display().to_string()),
                ("auth_settings", auth_settings(auth.as_ref())),
            ],
        )?;
        let conf_path = work_dir.join("standalone.conf");
        // The built-in functions worker: its config file, else `--no-functions-worker`.
        let worker_args = if options.functions_worker {
            // A later key wins in a Java properties file. The worker's endpoints block a web
            // service thread while they call back into the same web service (tenant lookup,
            // package download): with the 4 threads of the template, of which Jetty's acceptor
            // and selectors hold some, those calls wait for a thread that never comes free and
            // time out after 60 s. Pulsar's default (the larger of 8 and twice the cores) fits.
            let http_threads = thread::available_parallelism().map_or(8, |n| (2 * n.get()).max(8));
            conf.push_str(&format!(
                "\nfunctionsWorkerEnabled=true\nnumHttpServerThreads={http_threads}\n"
            ));
            let fw = work_dir.join("functions_worker.yml");
            write(
                &fw,
                &FUNCTIONS_WORKER_TEMPLATE.replace("{{dir}}", &work_dir.display().to_string()),
            )?;
            for d in ["download", "connectors", "builtin", "nar"] {
                let d = work_dir.join("functions").join(d);
                fs::create_dir_all(&d).map_err(HarnessError::io_at("create directory", &d))?;
            }
            vec![
                "--functions-worker-conf".to_owned(),
                fw.display().to_string(),
            ]
        } else {
            vec!["--no-functions-worker".to_owned()]
        };
        write(&conf_path, &conf)?;
        let log4j_broker = work_dir.join("log4j2-broker.properties");
        write(&log4j_broker, LOG4J_BROKER)?;
        write(&work_dir.join("log4j2-admin.properties"), LOG4J_ADMIN)?;
        let web_service_url = format!("http://127.0.0.1:{web_port}");
        let broker_service_url = format!("pulsar://127.0.0.1:{broker_port}");
        let client_auth = auth
            .as_ref()
            .map(PulsarAuth::client_conf)
            .unwrap_or_default();
        write(
            &work_dir.join("client.conf"),
            &format!(
                "webServiceUrl={web_service_url}/\nbrokerServiceUrl={broker_service_url}/\n{client_auth}"
            ),
        )?;

        let log_file = logs.join("pulsar-standalone.log");
        let out_file = logs.join("pulsar-standalone.out");
        let out = fs::File::create(&out_file).map_err(HarnessError::io_at("create", &out_file))?;
        let err = out
            .try_clone()
            .map_err(HarnessError::io_at("open", &out_file))?;

        let mut cmd = Command::new("/bin/sh");
        cmd.arg("-c")
            .arg(WATCHDOG_SCRIPT)
            .arg("pulsar-standalone-watchdog")
            .arg(&java)
            .args(cds_args(cds_archive(&dir, "broker.jsa").as_deref()))
            .args(jvm_options(BROKER_JVM_OPTS))
            .arg(format!(
                "-Dlog4j.configurationFile={}",
                log4j_broker.display()
            ))
            .arg(format!("-Dfmesh.pulsar.log.file={}", log_file.display()))
            .arg("-cp")
            .arg(classpath(&dir.join("lib").join("broker")))
            .arg(STANDALONE_MAIN)
            .arg("--config")
            .arg(&conf_path)
            .args(&worker_args)
            .args(["--no-stream-storage", "--wipe-data"])
            .arg("--bookkeeper-port")
            .arg(bookie_port.to_string())
            .arg("--metadata-dir")
            .arg(data.join("metadata"))
            .arg("--bookkeeper-dir")
            .arg(data.join("bookkeeper"))
            // Never present: keeps the standalone on the RocksDB metadata store (no ZooKeeper).
            .arg("--zookeeper-dir")
            .arg(data.join("zookeeper"))
            .current_dir(&work_dir)
            .env("OTEL_SDK_DISABLED", "true")
            .env_remove("PULSAR_STANDALONE_USE_ZOOKEEPER")
            .stdin(Stdio::piped())
            .stdout(out)
            .stderr(err)
            // Its own process group, so that a terminal's Ctrl-C reaches only us and `Drop` can
            // signal the whole tree.
            .process_group(0);
        let mut child = cmd.spawn().map_err(|source| HarnessError::JavaNotFound {
            java: PathBuf::from("/bin/sh"),
            source,
        })?;
        let watchdog_stdin = child.stdin.take();

        let mut pulsar = LocalPulsar {
            web_service_url,
            broker_service_url,
            child: Some(child),
            watchdog_stdin,
            java,
            admin_classpath: classpath(&dir.join("lib").join("admin")),
            admin_cds_archive: cds_archive(&dir, "admin.jsa"),
            work_dir,
            log_file,
            out_file,
            startup: Duration::ZERO,
            auth,
        };
        // On any error below, dropping `pulsar` kills the JVM.
        pulsar.wait_healthy(web_port, broker_port, began)?;
        pulsar.startup = began.elapsed();
        Ok(pulsar)
    }

    /// Runs the real pulsar-admin against this broker; returns status, stdout, stderr.
    ///
    /// The arguments are those after `pulsar-admin` (e.g. `["tenants", "list"]`); the generated
    /// `client.conf` points it at this broker. A run is bounded (120 s, or
    /// `FMESH_PULSAR_ADMIN_TIMEOUT_SECS`); a non-zero exit is not an error here (see [`AdminOutput::ok`]).
    pub fn admin(&self, args: &[&str]) -> Result<AdminOutput> {
        let joined = args.join(" ");
        let mut cmd = Command::new(&self.java);
        cmd.args(cds_args(self.admin_cds_archive.as_deref()))
            .args(jvm_options(ADMIN_JVM_OPTS))
            .arg(format!(
                "-Dlog4j.configurationFile={}",
                self.work_dir.join("log4j2-admin.properties").display()
            ))
            .arg("-cp")
            .arg(&self.admin_classpath)
            .arg(ADMIN_MAIN)
            .arg(self.work_dir.join("client.conf"))
            .args(args)
            .current_dir(&self.work_dir)
            .env("OTEL_SDK_DISABLED", "true");
        let what = format!("pulsar-admin {joined}");
        let timeout = env_duration("FMESH_PULSAR_ADMIN_TIMEOUT_SECS", DEFAULT_ADMIN_TIMEOUT);
        let out = run_bounded(cmd, &what, timeout, |source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                HarnessError::JavaNotFound {
                    java: self.java.clone(),
                    source,
                }
            } else {
                HarnessError::Spawn {
                    command: what.clone(),
                    source,
                }
            }
        })?;
        Ok(AdminOutput {
            args: joined,
            code: out.code,
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    /// The broker's log file (read it when something fails).
    pub fn log_file(&self) -> &Path {
        &self.log_file
    }

    /// The work directory (configuration, logs, data).
    pub fn work_dir(&self) -> &Path {
        &self.work_dir
    }

    /// The key and tokens when the broker runs with authentication ([`PulsarOptions::auth`]).
    pub fn auth(&self) -> Option<&PulsarAuth> {
        self.auth.as_ref()
    }

    /// How long [`LocalPulsar::start`] took until the broker was healthy.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// Polls until healthy, the JVM exits, or the bound passes.
    fn wait_healthy(&mut self, web_port: u16, broker_port: u16, began: Instant) -> Result<()> {
        let timeout = env_duration("FMESH_PULSAR_START_TIMEOUT_SECS", DEFAULT_START_TIMEOUT);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, web_port));
        loop {
            if let Some(child) = self.child.as_mut() {
                match child.try_wait() {
                    Ok(Some(status)) => {
                        let tail = tail_lines(&self.log_file, 30);
                        let out_tail = tail_lines(&self.out_file, 30);
                        if tail.contains("Address already in use")
                            || out_tail.contains("Address already in use")
                        {
                            return Err(HarnessError::PortInUse {
                                broker_port,
                                web_port,
                                log: self.log_file.clone(),
                            });
                        }
                        return Err(HarnessError::ExitedEarly(Box::new(ExitedEarly {
                            name: NAME.to_owned(),
                            status: status.to_string(),
                            log: self.log_file.clone(),
                            out: self.out_file.clone(),
                            tail: if tail.is_empty() { out_tail } else { tail },
                        })));
                    }
                    Ok(None) => {}
                    Err(source) => {
                        return Err(HarnessError::io(
                            "could not wait for the Pulsar standalone process",
                            source,
                        ))
                    }
                }
            }
            let (url, last) = match self.probe(addr) {
                Ok(()) => return Ok(()),
                Err(failed) => failed,
            };
            if began.elapsed() >= timeout {
                return Err(HarnessError::StartTimeout(Box::new(StartTimeout {
                    name: NAME.to_owned(),
                    waited: began.elapsed(),
                    url,
                    last,
                    log: self.log_file.clone(),
                    tail: tail_lines(&self.log_file, 30),
                })));
            }
            thread::sleep(PROBE_INTERVAL);
        }
    }
}

impl LocalPulsar {
    /// One health probe: `Ok` when healthy, else the URL probed and what it answered.
    fn probe(&self, addr: SocketAddr) -> Result<(), (String, String)> {
        // The standalone creates the cluster, the `public` tenant and then `public/default` after the
        // broker started; then the health check round-trips a message through the bookie.
        let bearer = self.auth.as_ref().map(PulsarAuth::admin_bearer);
        for (path, healthy) in [
            ("/admin/v2/namespaces/public", "public/default"),
            ("/admin/v2/brokers/health", "ok"),
        ] {
            let url = format!("{}{path}", self.web_service_url);
            match http_get_with(addr, path, Duration::from_secs(10), bearer.as_deref()) {
                Ok((200, body)) if body.contains(healthy) => {}
                Ok((code, body)) => {
                    return Err((url, format!("HTTP {code}: {}", first_line(&body))))
                }
                Err(e) => return Err((url, e.to_string())),
            }
        }
        Ok(())
    }
}

impl Drop for LocalPulsar {
    fn drop(&mut self) {
        // Closing the watchdog's stdin makes it kill the JVM; the shell then exits.
        drop(self.watchdog_stdin.take());
        let Some(mut child) = self.child.take() else {
            return;
        };
        let deadline = Instant::now() + STOP_GRACE;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                _ => {
                    // The watchdog did not do it: kill the whole process group, then the shell.
                    let _ = Command::new("kill")
                        .args(["-KILL", "--", &format!("-{}", child.id())])
                        .stdin(Stdio::null())
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
    }
}

impl PulsarAdmin for LocalPulsar {
    fn admin(&self, args: &[&str]) -> Result<AdminOutput> {
        LocalPulsar::admin(self, args)
    }
    fn web_service_url(&self) -> String {
        self.web_service_url.clone()
    }
    fn broker_service_url(&self) -> String {
        self.broker_service_url.clone()
    }
    fn auth(&self) -> Option<&PulsarAuth> {
        self.auth.as_ref()
    }
}

/// The `{{auth_settings}}` lines of `standalone.conf`: both switches off, or the token settings.
fn auth_settings(auth: Option<&PulsarAuth>) -> String {
    match auth {
        None => "authenticationEnabled=false\nauthorizationEnabled=false".to_owned(),
        Some(a) => a
            .broker_settings(format!("file://{}", a.key_file().display()))
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_cache_names_the_prepare_script() {
        let dir =
            std::env::temp_dir().join(format!("fmesh-no-pulsar-cache-{}", std::process::id()));
        let err = LocalPulsar::start(&dir, &dir.join("work")).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, HarnessError::PulsarCache { .. }), "{msg}");
        assert!(msg.contains("conformance/scripts/prepare.sh"), "{msg}");
        assert!(
            msg.contains(&format!("pulsar-{}", crate::backend::PULSAR_VERSION)),
            "{msg}"
        );
    }
}
