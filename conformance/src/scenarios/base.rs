//! What every scenario is made of: the [`Scenario`] value (stage, number, title, body), the [`Stage`]s in run
//! order, the [`Ctx`] a body gets, and [`Stop`], the typed early end of a body that `?` propagates (a part
//! is missing, a precondition failed, a step failed).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::backend::{Availability, Backend, CrdSet};
use crate::report::{Failure, Outcome};

/// What a scenario gets.
pub struct Ctx<'a> {
    /// The running backend.
    pub backend: &'a dyn Backend,
    /// The `fixtures/` directory.
    pub fixtures: std::path::PathBuf,
}

/// The stages of a run, in run order: the runner runs every scenario of a stage before the next stage
/// (within a stage, in the order the scenarios were listed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// The CRDs are installed and fmesh's match upstream (scenario 1).
    Crds,
    /// Every fixture converts, applies and reads back (scenario 2).
    Apply,
    /// The operator reconciles every fixture (scenario 3).
    Reconcile,
    /// The fmesh worker service, driven by the real `pulsar-admin` (scenario 10).
    Worker,
    /// Updates and deletes (scenario 4).
    Lifecycle,
    /// Autoscaling (scenario 5).
    Autoscaling,
    /// Authentication and TLS (scenario 6).
    Auth,
    /// Pulsar's package service and status (scenario 7).
    Pulsar,
    /// Resources refused by fmesh or the API server (scenario 8).
    Rejections,
    /// Targeting older Function Mesh releases (scenario 9): last, it swaps the installed CRDs.
    Versions,
}

/// The result of a scenario body: the outcome, or why it ended early.
pub type ScenarioResult = Result<Outcome, Stop>;

/// A boxed scenario future.
pub type ScenarioFuture<'a> = Pin<Box<dyn Future<Output = ScenarioResult> + Send + 'a>>;

/// A scenario body.
pub type RunFn = Box<dyn for<'a> Fn(&'a Ctx<'a>) -> ScenarioFuture<'a> + Send + Sync>;

/// One scenario: when it runs ([`Stage`]), its number in the conformance list, its title and its body.
pub struct Scenario {
    /// When it runs.
    pub stage: Stage,
    /// Its number in the conformance list (`docs/conformance-blockers.md` and the README name them).
    pub number: u32,
    /// What it checks (e.g. `apply Function exclamation.yaml`).
    pub title: String,
    run: RunFn,
}

impl Scenario {
    /// A scenario of `stage` numbered `number`; `run` is usually `|c| Box::pin(module::body(c))`.
    pub fn new<F>(stage: Stage, number: u32, title: impl Into<String>, run: F) -> Scenario
    where
        F: for<'a> Fn(&'a Ctx<'a>) -> ScenarioFuture<'a> + Send + Sync + 'static,
    {
        Scenario {
            stage,
            number,
            title: title.into(),
            run: Box::new(run),
        }
    }

    /// The name printed in the result line: number and title (`2 apply Function exclamation.yaml`).
    pub fn name(&self) -> String {
        format!("{} {}", self.number, self.title)
    }

    /// Runs the body; an early [`Stop`] becomes the outcome it stands for.
    pub async fn run(&self, ctx: &Ctx<'_>) -> Outcome {
        (self.run)(ctx).await.unwrap_or_else(Outcome::from)
    }
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("stage", &self.stage)
            .field("name", &self.name())
            .finish()
    }
}

/// Puts scenarios in run order: by [`Stage`], keeping the listed order within a stage.
pub fn in_run_order(mut scenarios: Vec<Scenario>) -> Vec<Scenario> {
    scenarios.sort_by_key(|s| s.stage);
    scenarios
}

/// Why a scenario body ended before its end.
#[derive(Debug, thiserror::Error)]
pub enum Stop {
    /// A part it needs is known to be unobtainable here (the reason, one line): neither passed nor failed.
    #[error("blocked: {0}")]
    Blocked(String),
    /// A precondition failed (a part that should be there, an API call, a fixture): the scenario fails with
    /// this alone.
    #[error("{0}")]
    Failed(Failure),
    /// A step failed; the outcome so far (with that failure recorded) is the scenario's.
    #[error("ended after {} failure(s)", .0.failures.len())]
    Ended(Box<Outcome>),
}

impl Stop {
    /// Records `failure` in `o` and ends the scenario with everything recorded so far.
    pub fn after(o: &mut Outcome, failure: Failure) -> Stop {
        o.fail(failure);
        Stop::Ended(Box::new(std::mem::take(o)))
    }
}

impl From<Stop> for Outcome {
    fn from(stop: Stop) -> Outcome {
        match stop {
            Stop::Blocked(reason) => Outcome::blocked(reason),
            Stop::Failed(f) => Outcome::failed_with(f),
            Stop::Ended(o) => *o,
        }
    }
}

/// `?` on a precondition: an error becomes [`Stop::Failed`] naming `object` (expected "available", got the
/// error).
pub trait Require<T> {
    /// The value, or a [`Stop::Failed`] on `object`.
    fn require(self, object: &(impl fmt::Display + ?Sized)) -> Result<T, Stop>;
}

impl<T, E: fmt::Display> Require<T> for Result<T, E> {
    fn require(self, object: &(impl fmt::Display + ?Sized)) -> Result<T, Stop> {
        self.map_err(|e| Stop::Failed(Failure::unavailable(object.to_string(), e)))
    }
}

/// Ends a scenario that needs `what` when it is not [`Availability::Ready`]: blocked (with the reason) when
/// it is known to be unobtainable, failed when it should have been there.
pub fn gate(what: &str, availability: Availability) -> Result<(), Stop> {
    match availability {
        Availability::Ready => Ok(()),
        Availability::Blocked(r) => Err(Stop::Blocked(format!("needs {what}: {r}"))),
        Availability::Failed(r) => Err(Stop::Failed(Failure::unavailable(what, r))),
    }
}

/// Gate on the Function Mesh operator.
pub fn need_operator(ctx: &Ctx<'_>) -> Result<(), Stop> {
    gate("the Function Mesh operator", ctx.backend.operator())
}

/// Gate on the pinned upstream CRDs.
pub fn need_upstream_crds(ctx: &Ctx<'_>) -> Result<(), Stop> {
    gate(
        &format!(
            "the upstream Function Mesh {} CRDs",
            ctx.backend.prepared().fm_version()
        ),
        ctx.backend.upstream_crds(),
    )
}

/// The folder of the pinned upstream CRD files (`FM_CRDS_DIR` of prepare.sh); a [`Stop::Failed`] on
/// `object` when it was not prepared.
pub fn pinned_crds_dir(ctx: &Ctx<'_>, object: &str) -> Result<std::path::PathBuf, Stop> {
    let prepared = ctx.backend.prepared();
    prepared
        .path(
            "FM_CRDS_DIR",
            "function-mesh CRDs",
            &format!("FM_CRDS_{}", prepared.fm_version()),
        )
        .require(object)
}

/// Records in `o` which CRD set is in use; a [`Stop::Failed`] when none is installed.
pub fn use_crds(ctx: &Ctx<'_>, o: &mut Outcome) -> Result<CrdSet, Stop> {
    let set = ctx.backend.crds().require("Function Mesh CRDs")?;
    o.crds = Some(set.describe());
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_run_in_declared_order_and_keep_the_listed_order_within_one() {
        let s = |stage, n, t: &str| {
            Scenario::new(stage, n, t, |_| Box::pin(async { Ok(Outcome::default()) }))
        };
        let order = in_run_order(vec![
            s(Stage::Versions, 9, "a"),
            s(Stage::Worker, 10, "b"),
            s(Stage::Crds, 1, "c"),
            s(Stage::Worker, 10, "d"),
            s(Stage::Lifecycle, 4, "e"),
            s(Stage::Apply, 2, "f"),
        ]);
        let names: Vec<String> = order.iter().map(Scenario::name).collect();
        assert_eq!(names, ["1 c", "2 f", "10 b", "10 d", "4 e", "9 a"]);
    }

    #[test]
    fn stops_become_the_outcome_they_stand_for() {
        let blocked = Outcome::from(Stop::Blocked("needs x".into()));
        assert_eq!(blocked.blocked.as_deref(), Some("needs x"));
        assert!(!blocked.failed());

        let failed: Result<(), _> = Err::<(), _>("connection refused").require("namespace ns");
        let o = Outcome::from(failed.unwrap_err());
        assert_eq!(
            o.failures[0].to_string(),
            "namespace ns: field `-`: expected available, got connection refused"
        );

        let mut so_far = Outcome::default();
        so_far.fail(Failure::new("a", "-", "x", "y"));
        let stop = Stop::after(&mut so_far, Failure::new("b", "-", "x", "y"));
        assert_eq!(stop.to_string(), "ended after 2 failure(s)");
        let o = Outcome::from(stop);
        assert_eq!(o.failures.len(), 2);
        assert!(so_far.failures.is_empty());
    }

    #[test]
    fn gate_blocks_fails_or_passes() {
        assert!(gate("x", Availability::Ready).is_ok());
        let b =
            Outcome::from(gate("the operator", Availability::Blocked("403".into())).unwrap_err());
        assert_eq!(b.blocked.as_deref(), Some("needs the operator: 403"));
        let f = Outcome::from(
            gate("the operator", Availability::Failed("crashed".into())).unwrap_err(),
        );
        assert!(f.failed());
    }
}
