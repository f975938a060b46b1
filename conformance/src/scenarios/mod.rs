//! The conformance scenarios. Each one reads its inputs from `fixtures/` and runs on any [`Backend`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::backend::Backend;
use crate::report::{Failure, Outcome};

pub mod bad_resources;
pub mod crds;
pub mod fmesh_crds;

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
        sc!("8.reject-name-too-long", bad_resources::name_too_long),
        sc!("8.reject-unknown-enum", bad_resources::unknown_enum),
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
