//! The fmesh worker under load, side by side with Pulsar's own functions worker.
//!
//! `cargo run --release -p fm-worker --example load [-- --functions 1000 --builtin 50 ...]`
//!
//! Starts the conformance harness's real parts from `.cache` (etcd, kube-apiserver with the
//! Function Mesh CRDs, no operator; a Pulsar standalone with its built-in functions worker on the
//! thread runtime), runs the `fmesh-worker` binary as a process of its own against that API
//! server (authentication off), then:
//!
//! 1. registers `--builtin` functions (50) in both workers through their REST API (the multipart
//!    `functionConfig` + `url` that `pulsar-admin functions create --jar function://…` sends, all
//!    naming one package uploaded to Pulsar once), waits for Pulsar's to run, and times get /
//!    list / status on both, in alternating rounds so both see the same machine load;
//! 2. registers more functions in the fmesh worker up to `--functions` (1,000) and times the
//!    same calls there;
//! 3. reports the fmesh worker's resident set (VmRSS) after start-up and after the load.
//!
//! Prints a table, the get and status ratios, and as its last line
//! `worker/pulsar-builtin list ratio: X.XX` (fmesh p50 ÷ Pulsar p50 for list at the same count).

// Example code: a failed unwrap, expect, panic or index ends the benchmark.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "load/setup.rs"]
mod setup;
#[path = "load/stats.rs"]
mod stats;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use conformance::backends::local::pulsar::{LocalPulsar, PulsarOptions};
use conformance::backends::local::{LocalBackend, Parts};
use setup::{NAMESPACE, TENANT};
use stats::{ms, Sample};

/// Load benchmark of the fmesh worker against Pulsar's built-in functions worker.
#[derive(Debug, Parser)]
struct Args {
    /// Functions registered in the fmesh worker for the large measurement.
    #[arg(long, default_value_t = 1000)]
    functions: usize,
    /// Functions registered in both workers for the side-by-side measurement.
    #[arg(long, default_value_t = 50)]
    builtin: usize,
    /// Requests per operation and side.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Alternating rounds the requests are split into.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// After registering, print where the parts listen and wait for a line on stdin before
    /// measuring (to look at them by hand).
    #[arg(long)]
    hold: bool,
    /// Run the worker with `--no-mirror` (every read goes to the API server).
    #[arg(long)]
    no_mirror: bool,
}

const OPS: [&str; 3] = ["get", "list", "status"];

/// The URL of one request of `op` against the worker at `base`; `i` picks the function.
fn url(base: &str, op: &str, names: &[String], i: usize) -> String {
    let f = format!("{base}/admin/v3/functions/{TENANT}/{NAMESPACE}");
    let name = &names[i % names.len()];
    match op {
        "get" => format!("{f}/{name}"),
        "status" => format!("{f}/{name}/status"),
        _ => f,
    }
}

/// Times `OPS` on each `(label, base, names)` side, `requests` each, in `rounds` alternating rounds.
async fn measure(
    client: &reqwest::Client,
    sides: &[(&str, &str, &[String])],
    a: &Args,
) -> Result<BTreeMap<(String, &'static str), Sample>, String> {
    let mut out: BTreeMap<(String, &'static str), Sample> = BTreeMap::new();
    let per_round = a.requests.div_ceil(a.rounds.max(1));
    // Warm-up: connections, JIT, caches.
    for (_, base, names) in sides {
        for op in OPS {
            let urls = (0..20).map(|i| url(base, op, names, i)).collect();
            stats::batch(client, urls, a.concurrency, &mut Sample::default()).await?;
        }
    }
    for round in 0..a.rounds.max(1) {
        for op in OPS {
            for (label, base, names) in sides {
                let urls = (0..per_round)
                    .map(|i| url(base, op, names, round * per_round + i))
                    .collect();
                let s = out.entry(((*label).to_owned(), op)).or_default();
                stats::batch(client, urls, a.concurrency, s).await?;
            }
        }
    }
    Ok(out)
}

fn print_rows(count: usize, results: &BTreeMap<(String, &'static str), Sample>) {
    for ((side, op), s) in results {
        println!(
            "| {side} | {count} | {op} | {} | {} | {} | {:.0} |",
            s.latencies.len(),
            ms(s.quantile(0.5)),
            ms(s.quantile(0.99)),
            s.rate()
        );
    }
}

async fn run(a: Args) -> Result<(), String> {
    let started = Instant::now();
    let bin = tokio::task::spawn_blocking(setup::worker_binary)
        .await
        .map_err(|e| e.to_string())??;
    let backend = LocalBackend::start_with(Parts {
        operator: false,
        pulsar: None,
    })
    .await
    .map_err(|e| format!("control plane: {e}"))?;
    let dir = backend.kubeconfig().parent().unwrap().to_path_buf();
    let pulsar_dir = dir.join("pulsar-builtin");
    let pulsar_work = pulsar_dir.clone();
    let pulsar = tokio::task::spawn_blocking(move || {
        LocalPulsar::start_with(
            &conformance::backends::local::pulsar_setup::default_cache_root(),
            &pulsar_dir,
            PulsarOptions::default().functions_worker(true),
        )
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("Pulsar standalone with its functions worker: {e}"))?;
    eprintln!(
        "load: control plane and Pulsar up in {:.0}s",
        started.elapsed().as_secs_f64()
    );
    let ns = "fmesh-load";
    conformance::kubeutil::ensure_namespace(&conformance::backend::Backend::client(&backend), ns)
        .await
        .map_err(|e| e.to_string())?;
    let config = dir.join("fmesh-load-worker.yml");
    std::fs::write(&config, setup::worker_config(ns, &pulsar.web_service_url))
        .map_err(|e| e.to_string())?;
    let worker = setup::WorkerProcess::start(
        &bin,
        &config,
        backend.kubeconfig(),
        &dir.join("fmesh-worker.log"),
        if a.no_mirror { &["--no-mirror"] } else { &[] },
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_start = worker.rss_kib()?;
    let threads = worker.threads().unwrap_or_default();
    let pulsar_version = conformance::backend::PULSAR_VERSION;
    let p = &pulsar;
    tokio::task::block_in_place(|| setup::upload_package(p, pulsar_version))?;

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(a.concurrency * 2)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = (0..a.functions.max(a.builtin))
        .map(|i| format!("load-{i:05}"))
        .collect();
    let small = &names[..a.builtin];
    let reg = a.concurrency.max(1) * 2;
    let took = setup::register(&client, &worker.url, small, reg).await?;
    eprintln!(
        "load: {} functions registered in fmesh-worker in {:.1}s",
        small.len(),
        took.as_secs_f64()
    );
    // One at a time, stopping at the first failure (reported, then fmesh-worker is measured
    // alone): each create there calls back into the broker's own web service (tenant lookup,
    // package download), which needs free web service threads (see BENCHMARKS.md).
    let builtin = register_builtin(&client, &pulsar.web_service_url, small).await;
    let side_by_side = match &builtin {
        Ok(()) => {
            wait_running(&client, &pulsar.web_service_url, small).await;
            for (side, base) in [
                ("fmesh-worker", &worker.url),
                ("pulsar-builtin", &pulsar.web_service_url),
            ] {
                let listed = setup::list(&client, base).await?;
                if listed != small {
                    return Err(format!(
                        "{side} lists {} functions, not the {} registered",
                        listed.len(),
                        small.len()
                    ));
                }
            }
            measure(
                &client,
                &[
                    ("fmesh-worker", &worker.url, small),
                    ("pulsar-builtin", &pulsar.web_service_url, small),
                ],
                &a,
            )
            .await?
        }
        Err(e) => {
            eprintln!("load: Pulsar's built-in worker not measured: {e}");
            measure(&client, &[("fmesh-worker", &worker.url, small)], &a).await?
        }
    };

    let rest = &names[a.builtin..a.functions.max(a.builtin)];
    let took = setup::register(&client, &worker.url, rest, reg).await?;
    eprintln!(
        "load: {} more functions registered in fmesh-worker in {:.1}s ({:.0}/s)",
        rest.len(),
        took.as_secs_f64(),
        rest.len() as f64 / took.as_secs_f64()
    );
    let all = &names[..a.functions.max(a.builtin)];
    if a.hold {
        eprintln!(
            "load: holding; fmesh-worker {}, Pulsar {}, kubeconfig {}; press Enter to go on",
            worker.url,
            pulsar.web_service_url,
            backend.kubeconfig().display()
        );
        tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new()))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    if setup::list(&client, &worker.url).await? != all {
        return Err(format!(
            "fmesh-worker does not list the {} functions",
            all.len()
        ));
    }
    let large = measure(&client, &[("fmesh-worker", &worker.url, all)], &a).await?;
    let rss_loaded = worker.rss_kib()?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let rss_after = worker.rss_kib()?;

    println!(
        "fmesh-worker ({}) vs Pulsar {pulsar_version} standalone's functions worker (thread \
         runtime); {} requests per row, {} in flight, {} rounds",
        if a.no_mirror {
            "--no-mirror"
        } else {
            "with its mirror"
        },
        a.requests,
        a.concurrency,
        a.rounds
    );
    println!("| side | functions | op | requests | p50 ms | p99 ms | req/s |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    print_rows(small.len(), &side_by_side);
    print_rows(all.len(), &large);
    println!(
        "fmesh-worker RSS: {:.1} MiB idle after start-up ({threads} threads), {:.1} MiB right after \
         the load, {:.1} MiB idle 5 s later",
        rss_start as f64 / 1024.0,
        rss_loaded as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
    let ratio = |op: &'static str| {
        let w = side_by_side
            .get(&("fmesh-worker".to_owned(), op))?
            .quantile(0.5);
        let b = side_by_side
            .get(&("pulsar-builtin".to_owned(), op))?
            .quantile(0.5);
        Some(format!("{:.2}", w.as_secs_f64() / b.as_secs_f64()))
    };
    for op in ["get", "status", "list"] {
        let r = ratio(op).unwrap_or_else(|| {
            "n/a (Pulsar's built-in worker could not register the functions)".to_owned()
        });
        println!("worker/pulsar-builtin {op} ratio: {r}");
    }
    drop(worker);
    drop(pulsar);
    drop(backend);
    // Logs stay; the standalone's ledgers, metadata and packages go (a few hundred MB).
    for d in ["data", "packages", "functions"] {
        let _ = std::fs::remove_dir_all(pulsar_work.join(d));
    }
    Ok(())
}

/// Registers `names` in Pulsar's worker at `base` one at a time; stops at the first failure.
async fn register_builtin(
    client: &reqwest::Client,
    base: &str,
    names: &[String],
) -> Result<(), String> {
    let t0 = Instant::now();
    for (i, name) in names.iter().enumerate() {
        setup::register(client, base, std::slice::from_ref(name), 1)
            .await
            .map_err(|e| format!("{i} of {} registered, then {e}", names.len()))?;
    }
    eprintln!(
        "load: {} functions registered in Pulsar's worker in {:.1}s",
        names.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Waits up to 180 s for every function of `names` to run in Pulsar's worker at `base`.
async fn wait_running(client: &reqwest::Client, base: &str, names: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut up = 0;
    while Instant::now() < deadline {
        up = setup::running(client, base, names).await;
        if up == names.len() {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    eprintln!("load: {up}/{} of Pulsar's functions running", names.len());
}

fn main() -> ExitCode {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}
