//! Time bounds of the testcontainers backend: one overall bound on starting it (image pulls, container start-up,
//! CRDs, operator), reported with the step that was running when it ran out; and a bound on each command run in a
//! container.

use std::future::Future;
use std::time::Duration;

use crate::error::{HarnessError, Result};

/// Default overall bound on starting the backend (first run: three images to pull on a slow link).
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(1800);
/// Environment variable overriding [`DEFAULT_START_TIMEOUT`], in seconds.
pub const START_TIMEOUT_ENV: &str = "FM_CONFORMANCE_START_TIMEOUT";

/// The overall start-up bound, from `FM_CONFORMANCE_START_TIMEOUT` (seconds) or the default.
pub fn start_timeout_from(value: Option<&str>) -> Result<Duration> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_START_TIMEOUT),
        Some(v) => match v.parse::<u64>() {
            Ok(s) if s > 0 => Ok(Duration::from_secs(s)),
            _ => Err(HarnessError::BackendUnavailable {
                backend: "testcontainers".into(),
                reason: format!(
                    "{START_TIMEOUT_ENV}: expected a positive number of seconds, got `{v}`"
                ),
            }),
        },
    }
}

/// One deadline shared by every start-up step.
#[derive(Debug, Clone, Copy)]
pub struct StartBudget {
    deadline: tokio::time::Instant,
    total: Duration,
}

impl StartBudget {
    /// A budget of `total` from now (needs a tokio runtime with time enabled).
    pub fn new(total: Duration) -> StartBudget {
        StartBudget {
            deadline: tokio::time::Instant::now() + total,
            total,
        }
    }

    /// Runs one start-up step. Its error gains the step name; when the overall deadline passes while it runs,
    /// the error names this step as the one that ran out of time.
    pub async fn step<T, F>(&self, step: &str, fut: F) -> Result<T>
    where
        F: Future<Output = Result<T>>,
    {
        match tokio::time::timeout_at(self.deadline, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(HarnessError::BackendUnavailable {
                backend: "testcontainers".into(),
                reason: format!("{step}: {e}"),
            }),
            Err(_) => Err(HarnessError::Timeout {
                what: format!(
                    "the testcontainers backend to start: step `{step}` was still running when the overall \
                     bound ran out (raise it with {START_TIMEOUT_ENV}=<seconds>)"
                ),
                seconds: self.total.as_secs(),
            }),
        }
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline
            .saturating_duration_since(tokio::time::Instant::now())
    }
}

/// Runs `fut` (a command in a container), failing with an error naming `what` after `limit`. The future is
/// dropped on time-out, so the caller's task is never blocked by a command that does not return.
pub async fn bounded<T, F>(what: &str, limit: Duration, fut: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    match tokio::time::timeout(limit, fut).await {
        Ok(r) => r,
        Err(_) => Err(HarnessError::Timeout {
            what: what.to_owned(),
            seconds: limit.as_secs(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn step_that_runs_out_is_named() {
        let b = StartBudget::new(Duration::from_millis(300));
        b.step("read the kubeconfig", async { Ok(()) })
            .await
            .unwrap();
        let e = b
            .step(
                "pull and start the Pulsar container",
                std::future::pending::<Result<()>>(),
            )
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "timed out after 0s waiting for the testcontainers backend to start: step `pull and start the Pulsar \
             container` was still running when the overall bound ran out (raise it with \
             FM_CONFORMANCE_START_TIMEOUT=<seconds>)"
        );
        assert_eq!(b.remaining(), Duration::ZERO);
    }

    #[tokio::test]
    async fn the_bound_is_shared_by_all_steps() {
        let b = StartBudget::new(Duration::from_millis(400));
        b.step("first", async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Ok(())
        })
        .await
        .unwrap();
        let e = b
            .step("second", async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(())
            })
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("step `second`"), "{e}");
    }

    #[tokio::test]
    async fn step_errors_name_the_step() {
        let b = StartBudget::new(Duration::from_secs(10));
        let e = b
            .step("install the operator", async {
                Err::<(), _>(HarnessError::Prepared("boom".into()))
            })
            .await
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "backend `testcontainers` cannot start: install the operator: prepared environment: boom"
        );
    }

    #[tokio::test]
    async fn exec_that_never_returns_times_out_with_its_name() {
        let e = bounded(
            "`pulsar-admin tenants list` in the Pulsar container",
            Duration::from_millis(200),
            std::future::pending::<Result<()>>(),
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "timed out after 0s waiting for `pulsar-admin tenants list` in the Pulsar container"
        );
        assert_eq!(
            bounded("x", Duration::from_secs(1), async { Ok(7) })
                .await
                .unwrap(),
            7
        );
        // Nothing blocks the task: an outer (per-scenario) time-out fires before the exec's own bound.
        let outer = tokio::time::timeout(
            Duration::from_millis(50),
            bounded(
                "y",
                Duration::from_secs(3600),
                std::future::pending::<Result<()>>(),
            ),
        )
        .await;
        assert!(outer.is_err());
    }

    #[test]
    fn start_timeout_env() {
        assert_eq!(start_timeout_from(None).unwrap(), DEFAULT_START_TIMEOUT);
        assert_eq!(
            start_timeout_from(Some(" ")).unwrap(),
            DEFAULT_START_TIMEOUT
        );
        assert_eq!(
            start_timeout_from(Some("90")).unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            start_timeout_from(Some("0")).unwrap_err().to_string(),
            "backend `testcontainers` cannot start: FM_CONFORMANCE_START_TIMEOUT: expected a positive number of \
             seconds, got `0`"
        );
    }
}
