//! Tearing the testcontainers backend down inside a tokio runtime: the operator's logs are saved, both
//! containers removed, and every other container labelled with the run (one whose start was cut short by a time
//! bound) removed too. Dropping a testcontainers container outside a runtime panics, so nothing is left to `Drop`.

use std::path::PathBuf;
use std::time::Duration;

use bollard::Docker;
use testcontainers::ContainerAsync;
use testcontainers_modules::k3s::K3s;
use testcontainers_modules::pulsar::Pulsar;

use super::budget::bounded;
use super::docker::remove_run_containers;

const STEP_TIMEOUT: Duration = Duration::from_secs(90);

/// Everything the backend must remove at the end.
#[derive(Default)]
pub struct Teardown {
    pub(super) k3s: Option<ContainerAsync<K3s>>,
    pub(super) pulsar: Option<ContainerAsync<Pulsar>>,
    pub(super) docker: Option<Docker>,
    pub(super) client: Option<kube::Client>,
    pub(super) background: Vec<tokio::task::JoinHandle<()>>,
    pub(super) run: String,
    pub(super) log_dir: PathBuf,
}

impl std::fmt::Debug for Teardown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Teardown")
            .field("k3s", &self.k3s.as_ref().map(|c| c.id().to_owned()))
            .field("pulsar", &self.pulsar.as_ref().map(|c| c.id().to_owned()))
            .field("run", &self.run)
            .field("log_dir", &self.log_dir)
            .finish_non_exhaustive()
    }
}

/// Whether `TESTCONTAINERS_COMMAND=keep` asks to keep the containers (testcontainers' own switch).
pub fn keep_containers(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("keep"))
}

impl Teardown {
    /// A teardown for run `run` (the label value) with no containers yet.
    pub fn new(run: String, log_dir: PathBuf, docker: Option<Docker>) -> Teardown {
        Teardown {
            run,
            log_dir,
            docker,
            ..Default::default()
        }
    }

    /// The teardown future. Building it needs no runtime; it must be awaited inside one (multi-thread or
    /// current-thread). It yields what could not be done.
    pub async fn shutdown(self) -> Vec<String> {
        let Teardown {
            k3s,
            pulsar,
            docker,
            client,
            background,
            run,
            log_dir,
        } = self;
        let mut problems = Vec::new();
        for h in background {
            h.abort();
        }
        if let Some(c) = &client {
            let dir = log_dir.join("operator");
            let _ = bounded("saving the operator logs", STEP_TIMEOUT, async {
                super::operator::save_operator_logs(c, &dir).await;
                Ok(())
            })
            .await;
        }
        drop(client);
        if keep_containers(std::env::var("TESTCONTAINERS_COMMAND").ok().as_deref()) {
            let ids: Vec<String> = k3s
                .iter()
                .map(|c| format!("k3s {}", c.id()))
                .chain(pulsar.iter().map(|c| format!("Pulsar {}", c.id())))
                .collect();
            problems.push(format!(
                "containers kept (TESTCONTAINERS_COMMAND=keep): {}; remove them with `docker rm -f $(docker ps -aq --filter label={}={run})`",
                ids.join(", "),
                super::docker::RUN_LABEL
            ));
            // Forget the handles without removing (the Drop of a testcontainers container would remove
            // it unless the same switch is read, which it is).
            drop((k3s, pulsar));
            return problems;
        }
        if let Some(c) = pulsar {
            let id = c.id().to_owned();
            if let Err(e) = bounded("removing the Pulsar container", STEP_TIMEOUT, async {
                c.rm()
                    .await
                    .map_err(|e| crate::error::HarnessError::Missing {
                        part: "pulsar (container)".into(),
                        reason: e.to_string(),
                    })
            })
            .await
            {
                problems.push(format!("Pulsar container {id}: {e}"));
            }
        }
        if let Some(c) = k3s {
            let id = c.id().to_owned();
            if let Err(e) = bounded("removing the k3s container", STEP_TIMEOUT, async {
                c.rm()
                    .await
                    .map_err(|e| crate::error::HarnessError::Missing {
                        part: "k3s (container)".into(),
                        reason: e.to_string(),
                    })
            })
            .await
            {
                problems.push(format!("k3s container {id}: {e}"));
            }
        }
        if let Some(d) = docker {
            let swept = bounded(
                "removing the run's remaining containers",
                STEP_TIMEOUT,
                async { Ok(remove_run_containers(&d, &run).await) },
            )
            .await;
            match swept {
                Ok((removed, errors)) => {
                    if !removed.is_empty() {
                        eprintln!(
                            "conformance: removed {} more container(s) of this run: {}",
                            removed.len(),
                            removed.join(", ")
                        );
                    }
                    problems.extend(errors);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        problems
    }

    /// Runs [`Teardown::shutdown`] to completion from anywhere (also outside any runtime, or inside a
    /// current-thread one), on a thread of its own with its own runtime.
    pub fn run_blocking(self) -> Vec<String> {
        let fut = self.shutdown();
        std::thread::scope(|s| {
            s.spawn(|| {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(fut),
                    Err(e) => vec![format!("no runtime for the teardown: {e}")],
                }
            })
            .join()
            .unwrap_or_else(|_| vec!["the teardown thread panicked".to_owned()])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_static<T: Send + 'static>(_: &T) {}

    #[test]
    fn shutdown_future_is_built_without_a_runtime_and_runs_inside_one() {
        let d = tempfile::tempdir().unwrap();
        let td = Teardown::new("run-1".into(), d.path().to_path_buf(), None);
        // Built here, outside any runtime: nothing in it touches a runtime handle until awaited.
        let fut = td.shutdown();
        assert_send_static(&fut);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let problems = rt.block_on(fut);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn shutdown_aborts_background_tasks() {
        let d = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut td = Teardown::new("run-2".into(), d.path().to_path_buf(), None);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        td.background.push(rt.spawn(async move {
            let _tx = tx;
            std::future::pending::<()>().await
        }));
        let problems = rt.block_on(td.shutdown());
        assert!(problems.is_empty());
        // The task was aborted: its sender is gone.
        assert!(rt.block_on(rx).is_err());
    }

    #[test]
    fn run_blocking_works_outside_and_inside_a_runtime() {
        let d = tempfile::tempdir().unwrap();
        let td = Teardown::new("run-3".into(), d.path().to_path_buf(), None);
        assert!(td.run_blocking().is_empty());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let td = Teardown::new("run-4".into(), d.path().to_path_buf(), None);
        let problems = rt.block_on(async move { td.run_blocking() });
        assert!(problems.is_empty());
    }

    #[test]
    fn keep_switch() {
        assert!(keep_containers(Some("keep")));
        assert!(keep_containers(Some(" KEEP ")));
        assert!(!keep_containers(Some("remove")));
        assert!(!keep_containers(None));
    }
}
