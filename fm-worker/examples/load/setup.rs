//! The parts the benchmark runs: the `fmesh-worker` binary as a process of its own, the function
//! package in Pulsar, and registering functions through a worker's REST API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::json;

/// The class every function runs (from Pulsar's examples jar).
pub const CLASS: &str = "org.apache.pulsar.functions.api.examples.ExclamationFunction";
/// The package both workers' functions name (uploaded once to Pulsar's package service).
pub const PACKAGE: &str = "function://public/default/fmesh-load-exclamation@1";
/// Pulsar tenant and namespace of every function.
pub const TENANT: &str = "public";
/// See [`TENANT`].
pub const NAMESPACE: &str = "default";

/// The `fmesh-worker` binary next to `target/<profile>/examples/load` (`FMESH_WORKER_BIN`
/// overrides it), built beforehand in the same `cargo build` as this example (so both are
/// current).
///
/// The example does not run cargo itself: a cargo started from a `cargo run` sees the run's
/// environment, fingerprints the workspace crates differently and rebuilds them, back and forth
/// with the next `cargo run`.
pub fn worker_binary() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("FMESH_WORKER_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("the example is not in target/<profile>/examples")?
        .join("fmesh-worker");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing; build it with this example first: cargo build --release -p fm-worker \
             --bin fmesh-worker --example load",
            bin.display()
        ))
    }
}

/// The `fmesh-worker` process; killed (by its pid) when dropped.
pub struct WorkerProcess {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
}

impl WorkerProcess {
    /// Starts `bin` on a free loopback port with `functions_worker.yml` at `config`, the API
    /// server of `kubeconfig` and the `extra` arguments; its log goes to `log`. Waits until
    /// `/healthz` answers.
    pub async fn start(
        bin: &Path,
        config: &Path,
        kubeconfig: &Path,
        log: &Path,
        extra: &[&str],
    ) -> Result<WorkerProcess, String> {
        let port = conformance::process::free_port("fmesh-worker").map_err(|e| e.to_string())?;
        let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = Command::new(bin)
            .arg("--config")
            .arg(config)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(out)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let mut w = WorkerProcess {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(s)) = w.child.try_wait() {
                return Err(format!("fmesh-worker exited ({s}); see {}", log.display()));
            }
            if let Ok(r) = client.get(format!("{}/healthz", w.url)).send().await {
                if r.status().is_success() {
                    return Ok(w);
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "fmesh-worker not healthy in 60s; see {}",
                    log.display()
                ));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process's resident set (VmRSS), in KiB.
    pub fn rss_kib(&self) -> Result<u64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| format!("/proc/{}/status: {e}", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| "no VmRSS".to_owned())
    }

    /// Its threads (from `/proc/<pid>/status`).
    pub fn threads(&self) -> Option<u64> {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()?
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|v| v.trim().parse().ok())
    }
}

impl Drop for WorkerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The fmesh worker's `functions_worker.yml`: Kubernetes namespace `ns`, packages checked against
/// the Pulsar at `web`, authentication off.
pub fn worker_config(ns: &str, web: &str) -> String {
    format!(
        "pulsarFunctionsCluster: {}\npulsarWebServiceUrl: {web}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: {ns}\n  functionRunnerImages:\n    \
         JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
        conformance::backend::CLUSTER_NAME
    )
}

/// Uploads the examples jar as [`PACKAGE`] with the real `pulsar-admin`.
pub fn upload_package(
    pulsar: &conformance::backends::local::pulsar::LocalPulsar,
    v: &str,
) -> Result<(), String> {
    let jar = conformance::backends::local::pulsar_setup::default_cache_root()
        .join("m2/org/apache/pulsar/pulsar-functions-api-examples")
        .join(v)
        .join(format!("pulsar-functions-api-examples-{v}.jar"));
    let jar = jar.display().to_string();
    let out = pulsar
        .admin(&[
            "packages",
            "upload",
            PACKAGE,
            "--path",
            &jar,
            "--description",
            "fmesh load benchmark",
        ])
        .map_err(|e| e.to_string())?;
    if out.code != 0 {
        return Err(format!(
            "pulsar-admin packages upload: exit {}: {} {}",
            out.code, out.stdout, out.stderr
        ));
    }
    Ok(())
}

/// The multipart body `pulsar-admin functions create --jar <package>` sends.
fn create_body(name: &str, boundary: &str) -> String {
    let cfg = json!({
        "tenant": TENANT, "namespace": NAMESPACE, "name": name, "className": CLASS,
        "inputs": [format!("persistent://{TENANT}/{NAMESPACE}/{name}-in")],
        "output": format!("persistent://{TENANT}/{NAMESPACE}/{name}-out"),
        "parallelism": 1, "runtime": "JAVA", "jar": PACKAGE
    });
    format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"url\"\r\n\
         Content-Type: text/plain\r\n\r\n{PACKAGE}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"functionConfig\"\r\n\
         Content-Type: application/json\r\n\r\n{cfg}\r\n--{boundary}--\r\n"
    )
}

/// Registers the functions `names` through the worker at `base`, `concurrency` at a time; every
/// answer must be 2xx. Returns the wall-clock time.
pub async fn register(
    client: &reqwest::Client,
    base: &str,
    names: &[String],
    concurrency: usize,
) -> Result<Duration, String> {
    let boundary = "fmesh-load-b0undary";
    let t0 = Instant::now();
    let results: Vec<Result<(), String>> = futures::stream::iter(names)
        .map(|name| async move {
            let url = format!("{base}/admin/v3/functions/{TENANT}/{NAMESPACE}/{name}");
            let resp = client
                .post(&url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(create_body(name, boundary))
                .send()
                .await
                .map_err(|e| format!("POST {url}: {e}"))?;
            let status = resp.status();
            if status.is_success() {
                Ok(())
            } else {
                let text = resp.text().await.unwrap_or_default();
                Err(format!("POST {url}: {status}: {text}"))
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    results.into_iter().collect::<Result<Vec<()>, String>>()?;
    Ok(t0.elapsed())
}

/// The names a worker lists for [`TENANT`]/[`NAMESPACE`], sorted.
pub async fn list(client: &reqwest::Client, base: &str) -> Result<Vec<String>, String> {
    let url = format!("{base}/admin/v3/functions/{TENANT}/{NAMESPACE}");
    let (status, body) = get(client, &url).await?;
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        return Err(format!("GET {url}: {status}: {text}"));
    }
    let mut names: Vec<String> =
        serde_json::from_str(&text).map_err(|e| format!("GET {url}: {e}: {text}"))?;
    // Pulsar's worker answers in its metadata map's order, ours in the API server's (by name).
    names.sort_unstable();
    Ok(names)
}

/// One GET: its status and whole body (a transport error names the URL).
pub async fn get(
    client: &reqwest::Client,
    url: &str,
) -> Result<(reqwest::StatusCode, bytes::Bytes), String> {
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    let status = resp.status();
    let body = resp.bytes().await.map_err(|e| format!("GET {url}: {e}"))?;
    Ok((status, body))
}

/// How many of `names` report a running instance in the worker at `base` (Pulsar's status answer).
pub async fn running(client: &reqwest::Client, base: &str, names: &[String]) -> usize {
    let mut n = 0;
    for name in names {
        let url = format!("{base}/admin/v3/functions/{TENANT}/{NAMESPACE}/{name}/status");
        let Ok(resp) = client.get(&url).send().await else {
            continue;
        };
        let Ok(text) = resp.text().await else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if v.get("numRunning").and_then(serde_json::Value::as_u64) >= Some(1) {
            n += 1;
        }
    }
    n
}
