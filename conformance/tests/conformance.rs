//! The conformance runner (`harness = false`): starts the backend chosen by `FM_CONFORMANCE_BACKEND`
//! (`local` by default), runs every scenario, prints one line per scenario (`ok`, `FAIL` or `BLOCKED`, with the
//! Function Mesh CRDs it ran against), then `conformance: K scenarios blocked (see docs/conformance-blockers.md)`
//! and the closing line `conformance: N scenarios passed, M failed (backend: <name>)`. A blocked scenario needs a
//! part that is known to be unobtainable here; it counts neither as passed nor as failed. Exits non-zero when
//! M > 0 or the backend cannot start. Everything started is torn down (inside the runtime) before exit, also when a scenario panics.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use conformance::backend::BackendKind;
use conformance::backends;
use conformance::report::{blocked_line, summary_line, Failure, Outcome};
use conformance::scenarios::{self, Ctx};
use futures::FutureExt;

const SCENARIO_TIMEOUT: Duration = Duration::from_secs(300);

fn main() -> ExitCode {
    // `cargo test -- --list` and friends: nothing to list for libtest-style callers.
    if std::env::args().any(|a| a == "--list") {
        return ExitCode::SUCCESS;
    }
    let fixtures = conformance::prepared::workspace_root().join("fixtures");
    let all = scenarios::all(&fixtures);
    let kind = match BackendKind::from_env() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("conformance: {e}");
            println!("{}", summary_line(0, all.len(), "unknown"));
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance: cannot build the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let backend = rt.block_on(backends::start(kind));
    let mut backend = match backend {
        Ok(b) => b,
        Err(e) => {
            eprintln!(
                "conformance: backend `{}` could not start: {e}",
                kind.name()
            );
            for s in &all {
                println!("FAIL     {} (backend did not start)", s.name());
            }
            println!("{}", summary_line(0, all.len(), kind.name()));
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "conformance: backend `{}` up in {:.1}s",
        backend.name(),
        started.elapsed().as_secs_f64()
    );

    let (mut passed, mut failed, mut blocked) = (0usize, 0usize, 0usize);
    let mut reported_dead = std::collections::BTreeSet::new();
    for s in &all {
        let name = s.name();
        let t0 = Instant::now();
        let outcome = {
            let ctx = Ctx {
                backend: backend.as_ref(),
                fixtures: fixtures.clone(),
            };
            let fut = std::panic::AssertUnwindSafe(s.run(&ctx)).catch_unwind();
            match rt.block_on(async { tokio::time::timeout(SCENARIO_TIMEOUT, fut).await }) {
                Ok(Ok(o)) => o,
                Ok(Err(panic)) => {
                    let msg = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "panic".into());
                    Outcome::failed_with(Failure::new(&name, "-", "no panic", msg))
                }
                Err(_) => Outcome::failed_with(Failure::new(
                    &name,
                    "-",
                    format!("done within {SCENARIO_TIMEOUT:?}"),
                    "timed out",
                )),
            }
        };
        let secs = t0.elapsed().as_secs_f64();
        let crds = outcome
            .crds
            .as_deref()
            .map(|c| format!(" [CRDs: {c}]"))
            .unwrap_or_default();
        if outcome.failed() {
            failed += 1;
            println!("FAIL     {name}{crds} ({secs:.1}s)");
            for f in &outcome.failures {
                println!("         {f}");
            }
        } else if let Some(reason) = &outcome.blocked {
            blocked += 1;
            println!("BLOCKED  {name} — {reason}");
        } else {
            passed += 1;
            println!("ok       {name}{crds} ({secs:.1}s)");
        }
        for n in &outcome.notes {
            println!("         note: {n}");
        }
        for d in backend.health() {
            if reported_dead.insert(d.lines().next().unwrap_or_default().to_owned()) {
                println!("         backend process died: {d}");
            }
        }
    }
    let log_dir = backend.log_dir().to_path_buf();
    let backend_name = backend.name();
    // Teardown inside the runtime (containers are removed by async calls). A panic before this point drops the
    // backend instead, whose Drop tears down on a runtime of its own.
    for p in rt.block_on(backend.shutdown()) {
        eprintln!("conformance: teardown: {p}");
    }
    drop(rt);
    if failed > 0 {
        eprintln!("conformance: logs of this run are in {}", log_dir.display());
    }
    eprintln!("conformance: total {:.1}s", started.elapsed().as_secs_f64());
    println!("{}", blocked_line(blocked));
    println!("{}", summary_line(passed, failed, backend_name));
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
