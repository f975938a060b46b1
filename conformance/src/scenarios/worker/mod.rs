//! Scenario 10: the fmesh worker service (`fm-worker`), served in-process on a free loopback port
//! against the harness's real API server, driven by the real `pulsar-admin --admin-url …`. After
//! every step the resource in the API server is checked. The `authz*` scenarios run the worker with
//! Pulsar's authentication and authorization against the harness's token-secured broker.
//!
//! The scenarios are listed below; each lives in the file of its theme, and what they share is in
//! [`support`]. A new step goes into its scenario's function (one `step(&mut o, …)?` per
//! `pulsar-admin` call); a new scenario gets its own function and an entry below.

pub mod access;
pub mod authz;
pub mod authz_hostile;
pub mod authz_http;
pub mod authz_oauth2;
pub mod authz_proxy;
pub mod authz_refused;
pub mod bad_config;
pub mod concurrency;
pub mod connectors;
pub mod functions;
pub mod go;
pub mod instance;
pub mod operator;
pub mod paging;
pub mod replicas;
pub mod router;
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
            "worker: two replicas read their own writes at once and each other's from the watch",
            |c| Box::pin(replicas::two_replicas(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker: 16 concurrent creates land; stale update is 409; restarted worker lists the same",
            |c| Box::pin(concurrency::concurrency_and_restart(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker authz: tenant admin and namespace-permission roles create/get/list/delete (pulsar-admin, Go pulsaradmin, tokens)",
            |c| Box::pin(authz::allowed_roles(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker authz: a role without rights gets 401/403 on every endpoint, nothing written; expired or wrongly signed tokens 401",
            |c| Box::pin(authz_refused::refused_roles(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker authz: a proxy role acts with X-Original-Principal's rights; a non-proxy role cannot act as another",
            |c| Box::pin(authz_proxy::proxy_roles(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker authz: per-user OAuth2, the caller's annotated Secret is named in the resource",
            |c| Box::pin(authz_oauth2::per_user_oauth2(c)),
        ),
        Scenario::new(
            Stage::Worker,
            10,
            "worker authz: hostile headers and bodies cause no panic; no canary token in answers, worker logs or resources",
            |c| Box::pin(authz_hostile::hostile_and_canaries(c)),
        ),
    ]
}
