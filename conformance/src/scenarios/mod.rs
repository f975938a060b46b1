//! The conformance scenarios. Each one reads its inputs from `fixtures/` and runs on any [`Backend`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::backend::Backend;
use crate::report::{Failure, Outcome};

pub mod bad_resources;
pub mod crds;

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

/// All scenarios, in run order (version targeting last: it swaps the installed CRDs).
pub fn all() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "1.upstream-crds-installed",
            run: |c| Box::pin(crds::upstream_installed(c)),
        },
        Scenario {
            name: "8.reject-name-too-long",
            run: |c| Box::pin(bad_resources::name_too_long(c)),
        },
        Scenario {
            name: "8.reject-unknown-enum",
            run: |c| Box::pin(bad_resources::unknown_enum(c)),
        },
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
