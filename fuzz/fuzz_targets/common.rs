//! Shared by the Pulsar config targets: parse in one format, then validate, convert (plain and
//! with an auth-enabled worker), convert back and normalise. Nothing may panic.

use fm_convert::parse::{parse_as, Format};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{AnyConfig, ComponentKind, Request, Worker};

fn workers() -> &'static [Worker] {
    static WORKERS: std::sync::OnceLock<Vec<Worker>> = std::sync::OnceLock::new();
    WORKERS.get_or_init(build_workers)
}

fn build_workers() -> Vec<Worker> {
    let worker = |t: &str| parse_as::<WorkerConfig>(t, Format::Yaml).ok().unwrap_or_default();
    let connectors =
        parse_as::<Vec<ConnectorDefinition>>(include_str!("../../fixtures/worker/connectors.yaml"), Format::Yaml)
            .ok()
            .unwrap_or_default();
    let plain = Worker::builder(worker(include_str!("../../fixtures/worker/functions_worker.yml")))
        .connectors(connectors.clone())
        .build();
    let auth = Worker::builder(worker(include_str!("../../fixtures/auth/worker-insecure-oauth2.yml")))
        .connectors(connectors)
        .build();
    vec![Worker::builder(WorkerConfig::default()).fallback_cluster(None).build(), plain, auth]
}

pub fn run(data: &[u8], format: Format) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let workers = workers();
    let worker = &workers[usize::from(selector >> 2) % workers.len()];
    let kind = ComponentKind::ALL[usize::from(selector % 3)];
    let request = Request::new();
    let config = match kind {
        ComponentKind::Function => parse_as(text, format).map(AnyConfig::Function),
        ComponentKind::Sink => parse_as(text, format).map(AnyConfig::Sink),
        ComponentKind::Source => parse_as(text, format).map(AnyConfig::Source),
    };
    let Ok(config) = config else { return };
    match &config {
        AnyConfig::Function(c) => drop(fm_convert::normalize::normalize_function(c, worker, &request)),
        AnyConfig::Sink(c) => drop(fm_convert::normalize::normalize_sink(c, worker, &request)),
        AnyConfig::Source(c) => drop(fm_convert::normalize::normalize_source(c, worker, &request)),
    }
    if let Ok(r) = worker.convert_any(&config, &request) {
        let _ = serde_json::to_string(&r.resource);
        let _ = worker.reverse_any(&r.resource);
    }
}
