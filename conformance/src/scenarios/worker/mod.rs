//! Scenario 10: the fmesh worker service (`fm-worker`), served in-process on a free loopback port
//! against the harness's real API server, driven by the real `pulsar-admin --admin-url …`. After
//! every step the resource in the API server is checked.
//!
//! The scenarios are listed below; each lives in the file of its theme, and what they share is in
//! [`support`]. A new step goes into its scenario's function (one `step(&mut o, …)?` per
//! `pulsar-admin` call); a new scenario gets its own function and an entry below.

pub mod access;
pub mod bad_config;
pub mod concurrency;
pub mod connectors;
pub mod functions;
pub mod go;
pub mod instance;
pub mod operator;
pub mod paging;
pub mod support;
pub mod upload;

use super::base::{Scenario, Stage};

/// Scenario 10, in run order.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Worker,
            10,
            "worker: runs as deploy/rbac.yaml's ServiceAccount, no more",
            |c| Box::pin(access::runs_as_service_account(c, support::NS)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: pulsar-admin functions lifecycle",
            |c| Box::pin(functions::functions_lifecycle(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: pulsarctl's library (pulsaradmin, Go) create/get/update/list/delete",
            |c| Box::pin(go::pulsaradmin_go(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: StatefulSet follows stop / start / update --parallelism (operator)",
            |c| Box::pin(operator::statefulset_follows_lifecycle(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: status asks a real Pulsar Java instance over gRPC",
            |c| Box::pin(instance::real_instance_status(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: functions create --jar <local jar> uploads the package; delete removes it",
            |c| Box::pin(upload::upload_and_delete(c)),
        ),
        Scenario::new(Stage::Worker, 10, "worker: pulsar-admin sinks and sources", |c| {
            Box::pin(connectors::connectors(c))
        }),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: bad config is 400 with every problem",
            |c| Box::pin(bad_config::bad_config(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: list pages through the API server (limit/continue); an expired token restarts it",
            |c| Box::pin(paging::list_pages(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: 16 concurrent creates land; stale update is 409; restarted worker lists the same",
            |c| Box::pin(concurrency::concurrency_and_restart(c)),
        ),
    ]
}
