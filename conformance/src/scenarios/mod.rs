//! The conformance scenarios. Each one reads its inputs from `fixtures/` and runs on any [`Backend`].

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use crate::backend::{Availability, Backend};
use crate::report::{Failure, Outcome};

pub mod apply;
pub mod auth;
pub mod bad_resources;
pub mod crds;
pub mod fixtures;
pub mod fmesh_crds;
pub mod hpa;
pub mod lifecycle;
pub mod pulsar;
pub mod reconcile;
pub mod versions;
pub mod worker;
pub mod worker_upload;

use fixtures::Kind;

/// What a scenario gets.
pub struct Ctx<'a> {
    /// The running backend.
    pub backend: &'a dyn Backend,
    /// The `fixtures/` directory.
    pub fixtures: PathBuf,
}

/// A boxed scenario future.
pub type ScenarioFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A scenario body.
pub type RunFn = Box<dyn for<'a> Fn(&'a Ctx<'a>) -> ScenarioFuture<'a> + Send + Sync>;

/// A named scenario.
pub struct Scenario {
    /// The name printed in the result line (e.g. `2 apply Function exclamation.yaml`).
    pub name: String,
    /// The scenario body.
    pub run: RunFn,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .finish()
    }
}

/// Builds a [`Scenario`].
pub fn scenario<F>(name: impl Into<String>, run: F) -> Scenario
where
    F: for<'a> Fn(&'a Ctx<'a>) -> ScenarioFuture<'a> + Send + Sync + 'static,
{
    Scenario {
        name: name.into(),
        run: Box::new(run),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// All scenarios, in run order (version targeting last: it swaps the installed CRDs). Scenarios 2 and 3 are
/// one per fixture file under `fixtures/`.
pub fn all(fixtures_dir: &Path) -> Vec<Scenario> {
    let mut v = vec![
        scenario("1 upstream CRDs install", |c| {
            Box::pin(crds::upstream_installed(c))
        }),
        scenario("1 fmesh Function CRD matches upstream", |c| {
            Box::pin(fmesh_crds::function(c))
        }),
        scenario("1 fmesh Sink CRD matches upstream", |c| {
            Box::pin(fmesh_crds::sink(c))
        }),
        scenario("1 fmesh Source CRD matches upstream", |c| {
            Box::pin(fmesh_crds::source(c))
        }),
    ];
    for kind in Kind::ALL {
        for f in fixtures::files(fixtures_dir, kind) {
            let name = format!("2 apply {} {}", kind.kind(), file_name(&f));
            v.push(scenario(name, move |c| {
                Box::pin(apply::one(c, kind, f.clone()))
            }));
        }
    }
    for kind in Kind::ALL {
        for f in fixtures::files(fixtures_dir, kind) {
            let name = format!("3 operator reconciles {} {}", kind.suffix(), stem(&f));
            v.push(scenario(name, move |c| {
                Box::pin(reconcile::one(c, kind, f.clone()))
            }));
        }
    }
    v.extend(worker::scenarios());
    v.push(worker_upload::scenario());
    v.extend([
        scenario("4 update parallelism, resources and inputs; delete", |c| {
            Box::pin(lifecycle::update_delete(c))
        }),
        scenario("4 StatefulSet follows the update", |c| {
            Box::pin(lifecycle::statefulset_follows(c))
        }),
        scenario("5 maxReplicas above parallelism accepted", |c| {
            Box::pin(hpa::accepted(c))
        }),
        scenario("5 operator creates the HorizontalPodAutoscaler", |c| {
            Box::pin(hpa::operator_creates_hpa(c))
        }),
        scenario("6 per-user OAuth2 names the annotated Secret", |c| {
            Box::pin(auth::per_user_oauth2(c))
        }),
        scenario("6 insecure mode creates the auth Secret", |c| {
            Box::pin(auth::insecure_auth_secret(c))
        }),
        scenario("6 StatefulSet takes the auth Secrets", |c| {
            Box::pin(auth::statefulset_auth(c))
        }),
        scenario(
            "7 package uploaded with pulsar-admin is the resource's package",
            |c| Box::pin(pulsar::package_named(c)),
        ),
        scenario("7 status of a reconciled resource", |c| {
            Box::pin(pulsar::reconciled_status(c))
        }),
        scenario(
            "8 name too long rejected by fmesh before any request",
            |c| Box::pin(bad_resources::name_too_long_fmesh(c)),
        ),
        scenario("8 name too long rejected by the API server", |c| {
            Box::pin(bad_resources::name_too_long(c))
        }),
        scenario("8 unknown enum value rejected by the API server", |c| {
            Box::pin(bad_resources::unknown_enum(c))
        }),
    ]);
    for t in versions::targets() {
        v.push(scenario(
            format!("9 target {t}: fixtures accepted"),
            move |c| {
                let t = t.clone();
                Box::pin(async move { versions::target(c, &t).await })
            },
        ));
    }
    v
}

/// Maps a harness error into a scenario failure on `object`.
pub fn harness_failure(object: &str, e: impl std::fmt::Display) -> Outcome {
    Outcome::failed_with(Failure::unavailable(object, e))
}

/// The early outcome of a scenario that needs `what` when it is not [`Availability::Ready`]: blocked (with
/// the reason) when it is known to be unobtainable, failed when it should have been there.
pub fn gate(what: &str, availability: Availability) -> Option<Outcome> {
    match availability {
        Availability::Ready => None,
        Availability::Blocked(r) => Some(Outcome::blocked(format!("needs {what}: {r}"))),
        Availability::Failed(r) => Some(Outcome::failed_with(Failure::unavailable(what, r))),
    }
}

/// Gate on the Function Mesh operator.
pub fn need_operator(ctx: &Ctx<'_>) -> Option<Outcome> {
    gate("the Function Mesh operator", ctx.backend.operator())
}

/// Gate on the pinned upstream CRDs.
pub fn need_upstream_crds(ctx: &Ctx<'_>) -> Option<Outcome> {
    gate(
        &format!(
            "the upstream Function Mesh {} CRDs",
            ctx.backend.prepared().fm_version()
        ),
        ctx.backend.upstream_crds(),
    )
}

/// Records in `o` which CRD set is in use; Err (the outcome to return) when none is installed.
pub fn use_crds(ctx: &Ctx<'_>, o: &mut Outcome) -> Result<crate::backend::CrdSet, Outcome> {
    match ctx.backend.crds() {
        Ok(set) => {
            o.crds = Some(set.describe());
            Ok(set)
        }
        Err(e) => Err(harness_failure("Function Mesh CRDs", e)),
    }
}

/// Returns early from a scenario with a failure when a precondition does not hold.
#[macro_export]
macro_rules! require {
    ($e:expr, $object:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return $crate::scenarios::harness_failure(&$object, e),
        }
    };
}

/// Returns early with the gate's outcome (blocked or failed) when a needed part is not ready.
#[macro_export]
macro_rules! gate {
    ($e:expr) => {
        if let Some(o) = $e {
            return o;
        }
    };
}

/// Records the CRD set in use in the outcome, or returns early when none is installed.
#[macro_export]
macro_rules! crds {
    ($ctx:expr, $o:expr) => {
        match $crate::scenarios::use_crds($ctx, &mut $o) {
            Ok(set) => set,
            Err(out) => return out,
        }
    };
}
