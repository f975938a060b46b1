//! The conformance scenarios. Each one reads its inputs from `fixtures/` and runs on any
//! [`Backend`](crate::backend::Backend).
//!
//! A scenario is a [`Scenario`] value: its [`Stage`] (when it runs), its number in the conformance list, a
//! title and an async body `fn(&Ctx) -> ScenarioResult` that ends early with `?` ([`Stop`]). Every module
//! lists its own scenarios in a `scenarios()` function; [`all`] gathers them and puts them in run order.

pub mod apply;
pub mod auth;
pub mod bad_resources;
pub mod base;
pub mod crds;
pub mod fixtures;
pub mod fmesh_crds;
pub mod hpa;
pub mod lifecycle;
pub mod pulsar;
pub mod reconcile;
pub mod versions;
pub mod worker;

use std::path::Path;

pub use base::{Ctx, Require, Scenario, ScenarioResult, Stage, Stop};

/// All scenarios, in run order ([`Stage`] order; within a stage, the order below). Scenarios 2 and 3 are one
/// per fixture file under `fixtures/`, scenario 9 one per targeted release.
pub fn all(fixtures_dir: &Path) -> Vec<Scenario> {
    base::in_run_order(
        [
            crds::scenarios(),
            fmesh_crds::scenarios(),
            apply::scenarios(fixtures_dir),
            reconcile::scenarios(fixtures_dir),
            worker::scenarios(),
            lifecycle::scenarios(),
            hpa::scenarios(),
            auth::scenarios(),
            pulsar::scenarios(),
            bad_resources::scenarios(),
            versions::scenarios(),
        ]
        .into_iter()
        .flatten()
        .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_runs_stage_by_stage_with_unique_names() {
        let all = all(&crate::prepared::workspace_root().join("fixtures"));
        assert!(all.windows(2).all(|w| w[0].stage <= w[1].stage));
        let mut numbers: Vec<u32> = all.iter().map(|s| s.number).collect();
        numbers.dedup();
        assert_eq!(numbers, [1, 2, 3, 10, 4, 5, 6, 7, 8, 9]);
        let names: std::collections::BTreeSet<String> = all.iter().map(Scenario::name).collect();
        assert_eq!(names.len(), all.len(), "two scenarios share a name");
        assert_eq!(all[0].name(), "1 upstream CRDs install");
    }
}
