//! A real Pulsar standalone broker and the real `pulsar-admin`, started as local processes.
//!
//! The jars come from Maven Central through `conformance/scripts/prepare-pulsar.sh` (called by
//! `conformance/scripts/prepare.sh`), which fills `<cache root>/pulsar-<PULSAR_VERSION>/`:
//! `lib/broker/*.jar` (`org.apache.pulsar:pulsar-broker` and the filesystem packages storage provider)
//! and `lib/admin/*.jar` (`org.apache.pulsar:pulsar-client-tools`, whose main class is the real
//! `pulsar-admin`). Nothing here downloads anything.
//!
//! [`LocalPulsar::start`] runs `org.apache.pulsar.PulsarStandaloneStarter` with a generated
//! configuration (from `conformance/pulsar/standalone.conf`): broker, web service and bookie on free
//! `127.0.0.1` ports, RocksDB metadata store (no ZooKeeper), functions worker and stream storage off,
//! packages management on with filesystem storage under the work directory. The API is synchronous
//! (`std::process`); dropping the [`LocalPulsar`] kills the JVM. A watchdog shell between this process
//! and the JVM also kills the JVM when this process dies without running `Drop` (its stdin pipe closes).
//!
//! Work directory layout (wiped and recreated by every start, except that old logs are overwritten):
//! `standalone.conf`, `client.conf`, `log4j2-*.properties`, `logs/pulsar-standalone.log` (broker log),
//! `logs/pulsar-standalone.out` (JVM stdout/stderr), `data/` (metadata and bookie), `packages/`.

use std::fmt;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The pinned `org.apache.pulsar:pulsar-broker` release (the newest 4.0.x LTS whose runtime
/// dependencies Maven Central serves here); names the cache folder `pulsar-<version>`.
pub const PULSAR_VERSION: &str = "4.0.7";

/// The pinned `org.apache.pulsar:pulsar-client-tools` release that provides `pulsar-admin`.
pub const PULSAR_ADMIN_VERSION: &str = "4.0.8";

/// What `prepare-pulsar.sh` writes into `READY` when the cache is complete for these versions.
pub const CACHE_FINGERPRINT: &str = "pulsar-broker=4.0.7 pulsar-client-tools=4.0.8 layout=5";

/// The cluster name of the standalone broker (use it for `--allowed-clusters`).
pub const CLUSTER_NAME: &str = "standalone";

/// Main class of the standalone broker.
const STANDALONE_MAIN: &str = "org.apache.pulsar.PulsarStandaloneStarter";
/// Main class of the real `pulsar-admin`.
const ADMIN_MAIN: &str = "org.apache.pulsar.admin.cli.PulsarAdminTool";

const STANDALONE_TEMPLATE: &str = include_str!("../pulsar/standalone.conf");
const LOG4J_BROKER: &str = include_str!("../pulsar/log4j2-broker.properties");
const LOG4J_ADMIN: &str = include_str!("../pulsar/log4j2-admin.properties");

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

/// JVM options of the broker, one per line: bounded heap and direct memory, the module openings
/// Pulsar's own launcher passes on Java 17, quick start-up (C1 only, serial GC; a test broker does
/// little work). `prepare-pulsar.sh` records the broker's CDS archive with the same file.
const BROKER_JVM_OPTS: &str = include_str!("../pulsar/broker.jvm.options");
/// JVM options of one `pulsar-admin` run, one per line (small heap, quick start-up); also used to
/// record its CDS archive.
const ADMIN_JVM_OPTS: &str = include_str!("../pulsar/admin.jvm.options");

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

/// Why the local Pulsar could not be started or used. Every variant names what failed and, where
/// there is one, the log file to read.
#[derive(Debug, thiserror::Error)]
pub enum PulsarError {
    /// The Maven-built cache is missing or was prepared for other versions.
    #[error(
        "the local Pulsar cache is not prepared: {path} {problem}; run `conformance/scripts/prepare.sh` \
         (or `conformance/scripts/prepare-pulsar.sh`) first"
    )]
    CacheMissing {
        /// The file or folder that was checked.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// `java` could not be run.
    #[error("could not run `{java}` ({source}); install Java 17+ or set JAVA_HOME")]
    JavaNotFound {
        /// The java command that was tried.
        java: PathBuf,
        /// The spawn error.
        source: io::Error,
    },
    /// A file or directory operation failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// No free port could be reserved on 127.0.0.1.
    #[error("could not reserve a free port on 127.0.0.1 for the {what}: {source}")]
    NoFreePort {
        /// Which listener the port was for.
        what: &'static str,
        /// The bind error.
        source: io::Error,
    },
    /// The configuration template still has a placeholder after rendering (a template bug).
    #[error("conformance/pulsar/standalone.conf has an unknown placeholder `{placeholder}`")]
    Template {
        /// The leftover placeholder.
        placeholder: String,
    },
    /// A port chosen as free was taken by someone else before the broker bound it.
    #[error(
        "Pulsar standalone could not bind a port (address already in use; broker port {broker_port}, \
         web port {web_port}); start again, and read {log} for details"
    )]
    PortInUse {
        /// The broker (binary protocol) port.
        broker_port: u16,
        /// The web service (HTTP admin) port.
        web_port: u16,
        /// The log to read.
        log: PathBuf,
    },
    /// The JVM exited before the broker became healthy.
    #[error("Pulsar standalone exited during start-up ({status}); read {log} and {out}. Last log lines:\n{tail}")]
    ExitedEarly {
        /// The exit status.
        status: String,
        /// The broker log.
        log: PathBuf,
        /// The JVM's stdout/stderr.
        out: PathBuf,
        /// The last lines of the broker log.
        tail: String,
    },
    /// The broker did not become healthy within the bound.
    #[error(
        "Pulsar standalone was not healthy after {waited:?} (last probe of {url}: {last}); read {log}. \
         Last log lines:\n{tail}"
    )]
    StartTimeout {
        /// How long start waited.
        waited: Duration,
        /// The URL probed last.
        url: String,
        /// What the last probe saw.
        last: String,
        /// The broker log.
        log: PathBuf,
        /// The last lines of the broker log.
        tail: String,
    },
    /// `pulsar-admin` could not be run or its output not read.
    #[error("could not run pulsar-admin {args}: {source}")]
    AdminSpawn {
        /// The arguments, space-separated.
        args: String,
        /// The underlying error.
        source: io::Error,
    },
    /// `pulsar-admin` did not finish within the bound (it was killed).
    #[error("pulsar-admin {args} did not finish within {timeout:?} and was killed")]
    AdminTimeout {
        /// The arguments, space-separated.
        args: String,
        /// The bound.
        timeout: Duration,
    },
    /// `pulsar-admin` ran and exited non-zero (from [`AdminOutput::ok`]).
    #[error("pulsar-admin {args} failed ({status}): {stderr}")]
    AdminFailed {
        /// The arguments, space-separated.
        args: String,
        /// The exit status.
        status: String,
        /// Its standard error (trimmed).
        stderr: String,
    },
}

/// The result of one `pulsar-admin` run.
#[derive(Debug, Clone)]
pub struct AdminOutput {
    /// The arguments it ran with (space-separated), for messages.
    pub args: String,
    /// Its exit status.
    pub status: ExitStatus,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl AdminOutput {
    /// Whether `pulsar-admin` exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// Its stdout when it exited with status 0, else [`PulsarError::AdminFailed`] with its stderr.
    pub fn ok(self) -> Result<String, PulsarError> {
        if self.status.success() {
            Ok(self.stdout)
        } else {
            Err(PulsarError::AdminFailed {
                args: self.args,
                status: self.status.to_string(),
                stderr: self.stderr.trim().to_owned(),
            })
        }
    }
}

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
}

impl fmt::Debug for LocalPulsar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalPulsar")
            .field("web_service_url", &self.web_service_url)
            .field("broker_service_url", &self.broker_service_url)
            .field("pid", &self.child.as_ref().map(Child::id))
            .field("work_dir", &self.work_dir)
            .field("startup", &self.startup)
            .finish()
    }
}

/// The cache root the scripts use: `$FMESH_CACHE`, else `<repository>/.cache`.
pub fn default_cache_root() -> PathBuf {
    match std::env::var_os("FMESH_CACHE") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(".cache"),
    }
}

/// The folder `prepare-pulsar.sh` fills for the pinned version under `cache_root`.
pub fn pulsar_cache_dir(cache_root: &Path) -> PathBuf {
    cache_root.join(format!("pulsar-{PULSAR_VERSION}"))
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
    pub fn start(cache_root: &Path, work_dir: &Path) -> Result<LocalPulsar, PulsarError> {
        let mut attempt = 1;
        loop {
            match Self::start_once(cache_root, work_dir) {
                Err(PulsarError::PortInUse { .. }) if attempt < START_ATTEMPTS => attempt += 1,
                other => return other,
            }
        }
    }

    /// One start with freshly chosen ports.
    fn start_once(cache_root: &Path, work_dir: &Path) -> Result<LocalPulsar, PulsarError> {
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
                fs::remove_dir_all(stale).map_err(io_err("remove", stale))?;
            }
        }
        for d in [&work_dir, &logs, &data, &packages] {
            fs::create_dir_all(d).map_err(io_err("create directory", d))?;
        }

        let broker_port = free_port("broker service")?;
        let web_port = free_port("web service")?;
        let bookie_port = free_port("bookie")?;

        let conf = render(
            STANDALONE_TEMPLATE,
            &[
                ("broker_port", broker_port.to_string()),
                ("web_port", web_port.to_string()),
                ("packages_dir", packages.display().to_string()),
            ],
        )?;
        let conf_path = work_dir.join("standalone.conf");
        write(&conf_path, &conf)?;
        let log4j_broker = work_dir.join("log4j2-broker.properties");
        write(&log4j_broker, LOG4J_BROKER)?;
        write(&work_dir.join("log4j2-admin.properties"), LOG4J_ADMIN)?;
        let web_service_url = format!("http://127.0.0.1:{web_port}");
        let broker_service_url = format!("pulsar://127.0.0.1:{broker_port}");
        write(
            &work_dir.join("client.conf"),
            &format!("webServiceUrl={web_service_url}/\nbrokerServiceUrl={broker_service_url}/\n"),
        )?;

        let log_file = logs.join("pulsar-standalone.log");
        let out_file = logs.join("pulsar-standalone.out");
        let out = fs::File::create(&out_file).map_err(io_err("create", &out_file))?;
        let err = out.try_clone().map_err(io_err("open", &out_file))?;

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
            .args([
                "--no-functions-worker",
                "--no-stream-storage",
                "--wipe-data",
            ])
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
        let mut child = cmd.spawn().map_err(|source| PulsarError::JavaNotFound {
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
    pub fn admin(&self, args: &[&str]) -> Result<AdminOutput, PulsarError> {
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
            .env("OTEL_SDK_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|source| {
            if source.kind() == io::ErrorKind::NotFound {
                PulsarError::JavaNotFound {
                    java: self.java.clone(),
                    source,
                }
            } else {
                PulsarError::AdminSpawn {
                    args: joined.clone(),
                    source,
                }
            }
        })?;
        let stdout = child.stdout.take().map(reader_thread);
        let stderr = child.stderr.take().map(reader_thread);
        let timeout = env_duration("FMESH_PULSAR_ADMIN_TIMEOUT_SECS", DEFAULT_ADMIN_TIMEOUT);
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PulsarError::AdminTimeout {
                        args: joined,
                        timeout,
                    });
                }
                Ok(None) => thread::sleep(Duration::from_millis(20)),
                Err(source) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(PulsarError::AdminSpawn {
                        args: joined,
                        source,
                    });
                }
            }
        };
        let collect =
            |h: Option<thread::JoinHandle<io::Result<String>>>| -> Result<String, PulsarError> {
                match h {
                    None => Ok(String::new()),
                    Some(h) => match h.join() {
                        Ok(r) => r.map_err(|source| PulsarError::AdminSpawn {
                            args: joined.clone(),
                            source,
                        }),
                        Err(_) => Err(PulsarError::AdminSpawn {
                            args: joined.clone(),
                            source: io::Error::other("output reader thread panicked"),
                        }),
                    },
                }
            };
        let stdout = collect(stdout)?;
        let stderr = collect(stderr)?;
        Ok(AdminOutput {
            args: joined,
            status,
            stdout,
            stderr,
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

    /// How long [`LocalPulsar::start`] took until the broker was healthy.
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// Polls until healthy, the JVM exits, or the bound passes.
    fn wait_healthy(
        &mut self,
        web_port: u16,
        broker_port: u16,
        began: Instant,
    ) -> Result<(), PulsarError> {
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
                            return Err(PulsarError::PortInUse {
                                broker_port,
                                web_port,
                                log: self.log_file.clone(),
                            });
                        }
                        return Err(PulsarError::ExitedEarly {
                            status: status.to_string(),
                            log: self.log_file.clone(),
                            out: self.out_file.clone(),
                            tail: if tail.is_empty() { out_tail } else { tail },
                        });
                    }
                    Ok(None) => {}
                    Err(source) => {
                        return Err(PulsarError::Io {
                            action: "wait for",
                            path: PathBuf::from("the Pulsar standalone process"),
                            source,
                        })
                    }
                }
            }
            let (url, last) = match self.probe(addr) {
                Ok(()) => return Ok(()),
                Err(failed) => failed,
            };
            if began.elapsed() >= timeout {
                return Err(PulsarError::StartTimeout {
                    waited: began.elapsed(),
                    url,
                    last,
                    log: self.log_file.clone(),
                    tail: tail_lines(&self.log_file, 30),
                });
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
        for (path, healthy) in [
            ("/admin/v2/namespaces/public", "public/default"),
            ("/admin/v2/brokers/health", "ok"),
        ] {
            let url = format!("{}{path}", self.web_service_url);
            match http_get(addr, path) {
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

/// Checks that `prepare-pulsar.sh` completed for the pinned versions.
fn check_cache(dir: &Path) -> Result<(), PulsarError> {
    let ready = dir.join("READY");
    match fs::read_to_string(&ready) {
        Ok(content) if content.trim() == CACHE_FINGERPRINT => {}
        Ok(content) => {
            return Err(PulsarError::CacheMissing {
                path: ready,
                problem: format!(
                    "was prepared for `{}`, this build needs `{CACHE_FINGERPRINT}`",
                    content.trim()
                ),
            })
        }
        Err(e) => {
            return Err(PulsarError::CacheMissing {
                path: ready,
                problem: format!("cannot be read ({e})"),
            })
        }
    }
    for part in ["broker", "admin"] {
        let lib = dir.join("lib").join(part);
        let has_jar = fs::read_dir(&lib)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "jar"))
            })
            .unwrap_or(false);
        if !has_jar {
            return Err(PulsarError::CacheMissing {
                path: lib,
                problem: "has no jars".to_owned(),
            });
        }
    }
    Ok(())
}

/// The CDS archive `name` in the cache folder, when `prepare-pulsar.sh` could record it.
fn cds_archive(dir: &Path, name: &str) -> Option<PathBuf> {
    Some(dir.join(name)).filter(|a| a.is_file())
}

/// JVM arguments that use a CDS archive; JVM log output (e.g. a warning that the archive does not
/// match) goes to stderr, never into stdout.
fn cds_args(archive: Option<&Path>) -> Vec<String> {
    match archive {
        Some(a) => vec![
            format!("-XX:SharedArchiveFile={}", a.display()),
            "-Xlog:disable".to_owned(),
            "-Xlog:all=warning:stderr".to_owned(),
        ],
        None => Vec::new(),
    }
}

/// The options of a `*.jvm.options` file: one per non-empty line (the format of a java `@argfile`
/// without quoting).
fn jvm_options(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

/// `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java` from PATH.
fn java_command() -> PathBuf {
    match std::env::var_os("JAVA_HOME") {
        Some(home) if !home.is_empty() => Path::new(&home).join("bin").join("java"),
        _ => PathBuf::from("java"),
    }
}

/// A class path of every jar in `lib` (the JVM expands the wildcard).
fn classpath(lib: &Path) -> String {
    format!("{}/*", lib.display())
}

fn absolute(path: &Path) -> Result<PathBuf, PulsarError> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .map_err(io_err("resolve", path))
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> PulsarError {
    let path = path.to_path_buf();
    move |source| PulsarError::Io {
        action,
        path,
        source,
    }
}

fn write(path: &Path, content: &str) -> Result<(), PulsarError> {
    fs::write(path, content).map_err(io_err("write", path))
}

/// Reserves a free loopback port by binding port 0 and releasing it.
fn free_port(what: &'static str) -> Result<u16, PulsarError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|source| PulsarError::NoFreePort { what, source })
}

/// Replaces every `{{name}}`; any placeholder left over is an error.
fn render(template: &str, values: &[(&str, String)]) -> Result<String, PulsarError> {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}"), value);
    }
    if let Some((_, rest)) = out.split_once("{{") {
        let name = rest.split_once("}}").map_or(rest, |(name, _)| name);
        return Err(PulsarError::Template {
            placeholder: format!("{{{{{name}}}}}"),
        });
    }
    Ok(out)
}

fn env_duration(var: &str, default: Duration) -> Duration {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(default, Duration::from_secs)
}

fn reader_thread<R: Read + Send + 'static>(mut r: R) -> thread::JoinHandle<io::Result<String>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        r.read_to_end(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    })
}

/// A minimal HTTP/1.1 GET against the broker's web service: status code and body.
fn http_get(addr: SocketAddr, path: &str) -> io::Result<(u16, String)> {
    let timeout = Duration::from_secs(10);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json, text/plain\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .lines()
        .next()
        .and_then(|status| status.split_whitespace().nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status line"))?;
    Ok((code, body.to_owned()))
}

fn first_line(s: &str) -> String {
    s.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// The last `n` lines of a text file, or an empty string when it cannot be read.
fn tail_lines(path: &Path, n: usize) -> String {
    let Ok(text) = fs::read_to_string(path) else {
        return String::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(n);
    lines.get(from..).unwrap_or_default().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_replaces_every_placeholder() {
        let out = render(
            "a={{x}} b={{y}} a2={{x}}",
            &[("x", "1".into()), ("y", "2".into())],
        )
        .unwrap();
        assert_eq!(out, "a=1 b=2 a2=1");
    }

    #[test]
    fn render_rejects_a_leftover_placeholder() {
        let err = render("a={{x}} b={{nope}}", &[("x", "1".into())]).unwrap_err();
        assert!(matches!(&err, PulsarError::Template { placeholder } if placeholder == "{{nope}}"));
    }

    #[test]
    fn the_shipped_template_renders_completely() {
        let out = render(
            STANDALONE_TEMPLATE,
            &[
                ("broker_port", "1".into()),
                ("web_port", "2".into()),
                ("packages_dir", "/p".into()),
            ],
        )
        .unwrap();
        assert!(out.contains("brokerServicePort=1\n"));
        assert!(out.contains("webServicePort=2\n"));
        assert!(out.contains("STORAGE_PATH=/p\n"));
        assert!(out.contains("bindAddress=127.0.0.1\n"));
        assert!(out.contains("enablePackagesManagement=true\n"));
    }

    #[test]
    fn fingerprint_matches_the_pinned_versions() {
        assert!(CACHE_FINGERPRINT.contains(&format!("pulsar-broker={PULSAR_VERSION} ")));
        assert!(CACHE_FINGERPRINT.contains(&format!("pulsar-client-tools={PULSAR_ADMIN_VERSION} ")));
        let script = include_str!("../scripts/prepare-pulsar.sh");
        assert!(script.contains(&format!("FMESH_PULSAR_VERSION:-{PULSAR_VERSION}}}")));
        assert!(script.contains(&format!(
            "FMESH_PULSAR_ADMIN_VERSION:-{PULSAR_ADMIN_VERSION}}}"
        )));
        let layout = CACHE_FINGERPRINT.rsplit("layout=").next().unwrap();
        assert!(script.contains(&format!("\nLAYOUT={layout}\n")));
    }

    #[test]
    fn jvm_options_are_plain_lines_with_bounded_memory() {
        for text in [BROKER_JVM_OPTS, ADMIN_JVM_OPTS] {
            for opt in jvm_options(text) {
                // Same meaning as a java @argfile (used by prepare-pulsar.sh) only without quoting.
                assert!(
                    opt.starts_with('-') && !opt.contains(char::is_whitespace),
                    "{opt}"
                );
                assert!(!opt.contains(['"', '\'', '#']), "{opt}");
            }
        }
        assert!(jvm_options(BROKER_JVM_OPTS).any(|o| o == "-Xmx1g"));
        assert!(jvm_options(BROKER_JVM_OPTS).any(|o| o.starts_with("-XX:MaxDirectMemorySize=")));
        assert!(jvm_options(ADMIN_JVM_OPTS).any(|o| o == "-Xmx256m"));
    }

    #[test]
    fn cds_args_only_with_an_archive() {
        assert!(cds_args(None).is_empty());
        let args = cds_args(Some(Path::new("/c/admin.jsa")));
        assert_eq!(args[0], "-XX:SharedArchiveFile=/c/admin.jsa");
        assert!(args.iter().any(|a| a == "-Xlog:disable"));
    }

    #[test]
    fn missing_cache_names_the_prepare_script() {
        let dir =
            std::env::temp_dir().join(format!("fmesh-no-pulsar-cache-{}", std::process::id()));
        let err = LocalPulsar::start(&dir, &dir.join("work")).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, PulsarError::CacheMissing { .. }), "{msg}");
        assert!(msg.contains("conformance/scripts/prepare.sh"), "{msg}");
        assert!(msg.contains(&format!("pulsar-{PULSAR_VERSION}")), "{msg}");
    }

    #[test]
    fn stale_cache_names_both_fingerprints() {
        let dir =
            std::env::temp_dir().join(format!("fmesh-stale-pulsar-cache-{}", std::process::id()));
        let pulsar = pulsar_cache_dir(&dir);
        fs::create_dir_all(&pulsar).unwrap();
        fs::write(
            pulsar.join("READY"),
            "pulsar-broker=0.0.1 pulsar-client-tools=0.0.1 layout=0",
        )
        .unwrap();
        let err = check_cache(&pulsar).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("pulsar-broker=0.0.1"), "{msg}");
        assert!(msg.contains(CACHE_FINGERPRINT), "{msg}");
        fs::write(pulsar.join("READY"), CACHE_FINGERPRINT).unwrap();
        let err = check_cache(&pulsar).unwrap_err();
        assert!(err.to_string().contains("has no jars"), "{err}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn admin_output_ok_returns_stdout_or_a_typed_error() {
        use std::os::unix::process::ExitStatusExt;
        let good = AdminOutput {
            args: "tenants list".into(),
            status: ExitStatus::from_raw(0),
            stdout: "public\n".into(),
            stderr: String::new(),
        };
        assert_eq!(good.ok().unwrap(), "public\n");
        let bad = AdminOutput {
            args: "tenants get x".into(),
            status: ExitStatus::from_raw(1 << 8),
            stdout: String::new(),
            stderr: "Tenant does not exist\n".into(),
        };
        let err = bad.ok().unwrap_err();
        assert!(
            matches!(&err, PulsarError::AdminFailed { stderr, .. } if stderr == "Tenant does not exist")
        );
        assert!(err.to_string().contains("tenants get x"));
    }

    #[test]
    fn http_status_line_is_parsed() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            // Read the whole request head first: answering and closing after a partial read makes the
            // client's remaining writes fail (EPIPE) under load.
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                req.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nok")
                .unwrap();
        });
        let (code, body) = http_get(addr, "/admin/v2/brokers/health").unwrap();
        server.join().unwrap();
        assert_eq!(code, 200);
        assert_eq!(body, "ok");
    }
}
