//! The conformance scenarios. Each one reads its inputs from `fixtures/` and runs on any [`Backend`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::backend::Backend;
use crate::report::{Failure, Outcome};

pub mod apply;
pub mod bad_resources;
pub mod crds;
pub mod fixtures;
pub mod fmesh_crds;
pub mod reconcile;
pub mod versions;

/// What a scenario gets.
pub struct Ctx<'a> {
    /// The running backend.
    pub backend: &'a dyn Backend,
    /// The `fixtures/` directory.
    pub fixtures: PathBuf,
}

/// A boxed scenario future.
pub type ScenarioFuture<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A named scenario.
pub struct Scenario {
    /// Short id, printed in the result line (e.g. `1.install-crds`).
    pub name: &'static str,
    /// The scenario body.
    pub run: for<'a> fn(&'a Ctx<'a>) -> ScenarioFuture<'a>,
}

macro_rules! sc {
    ($name:expr, $f:path) => {
        Scenario {
            name: $name,
            run: |c| Box::pin($f(c)),
        }
    };
}

/// All scenarios, in run order (version targeting last: it swaps the installed CRDs).
pub fn all() -> Vec<Scenario> {
    vec![
        sc!("1.upstream-crds-installed", crds::upstream_installed),
        sc!(
            "1.fmesh-crd-function-matches-upstream",
            fmesh_crds::function
        ),
        sc!("1.fmesh-crd-sink-matches-upstream", fmesh_crds::sink),
        sc!("1.fmesh-crd-source-matches-upstream", fmesh_crds::source),
        sc!(
            "2.functions-applied-nothing-pruned-round-trip",
            apply::functions
        ),
        sc!("2.sinks-applied-nothing-pruned-round-trip", apply::sinks),
        sc!(
            "2.sources-applied-nothing-pruned-round-trip",
            apply::sources
        ),
        sc!("3.operator-reconciles-functions", reconcile::functions),
        sc!("3.operator-reconciles-sinks", reconcile::sinks),
        sc!("3.operator-reconciles-sources", reconcile::sources),
        sc!("8.reject-name-too-long", bad_resources::name_too_long),
        sc!("8.reject-unknown-enum", bad_resources::unknown_enum),
        sc!("9.target-v0.6.0-accepted", versions::v0_6_0),
        sc!("9.target-v0.14.0-accepted", versions::v0_14_0),
    ]
}

/// Maps a harness error into a scenario failure on `object`.
pub fn harness_failure(object: &str, e: impl std::fmt::Display) -> Outcome {
    Outcome::failed(Failure::unavailable(object, e))
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
