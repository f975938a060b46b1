//! Which cluster a component belongs to: the Java worker's precedence (`CommonUtil.getClusterName`)
//! through the front door — the worker's own (`--cluster` or `pulsarFunctionsCluster`), then the
//! config's `customRuntimeOptions.clusterName`, then the `clusterName` environment variable
//! (the worker's fallback), else `clusterName is not provided.`.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::pulsar::FunctionConfig;
use fm_convert::worker::WorkerConfig;
use fm_convert::{ConvertError, Request, Worker};
use serde_json::json;

fn config(options: Option<&str>) -> FunctionConfig {
    let mut c = json!({"name": "f", "className": "a.B", "inputs": ["in"],
                       "jar": "function://public/default/f@1"});
    if let Some(o) = options {
        c["customRuntimeOptions"] = json!(o);
    }
    serde_json::from_value(c).unwrap()
}

fn worker(pulsar_functions_cluster: Option<&str>) -> WorkerConfig {
    serde_json::from_value(json!({ "pulsarFunctionsCluster": pulsar_functions_cluster })).unwrap()
}

fn cluster_of(worker: &Worker, c: &FunctionConfig) -> String {
    let r = worker.convert(c, &Request::new()).unwrap().resource;
    let labels = r.metadata.labels.unwrap();
    assert_eq!(
        labels.get("compute.functionmesh.io/pulsar-cluster"),
        r.spec.cluster_name.as_ref(),
        "label and spec agree"
    );
    r.spec.cluster_name.unwrap()
}

/// The bug the CLI had: its `clusterName`-or-`standalone` fallback won over the config's own
/// `customRuntimeOptions.clusterName`.
#[test]
fn options_cluster_wins_over_the_fallback() {
    let w = Worker::builder(worker(None))
        .fallback_cluster(Some("standalone"))
        .build();
    assert_eq!(
        cluster_of(&w, &config(Some(r#"{"clusterName":"east"}"#))),
        "east"
    );
    // and the resource name hashes the cluster actually used
    let east = w.convert(&config(Some(r#"{"clusterName":"east"}"#)), &Request::new());
    assert_eq!(
        east.unwrap().resource.metadata.name.as_deref(),
        Some(fm_convert::naming::resource_name("east", "public", "default", "f").as_str())
    );
}

#[test]
fn the_workers_cluster_wins_over_the_options() {
    let options = Some(r#"{"clusterName":"east"}"#);
    let from_config = Worker::builder(worker(Some("west"))).build();
    assert_eq!(cluster_of(&from_config, &config(options)), "west");
    let from_flag = Worker::builder(worker(Some("west")))
        .cluster(Some("north"))
        .build();
    assert_eq!(cluster_of(&from_flag, &config(options)), "north");
}

#[test]
fn the_fallback_applies_when_nothing_else_names_a_cluster() {
    let w = Worker::builder(worker(None))
        .fallback_cluster(Some("from-env"))
        .build();
    assert_eq!(cluster_of(&w, &config(None)), "from-env");
    assert_eq!(
        cluster_of(&Worker::new(worker(None)), &config(None)),
        "standalone"
    );
    // an empty clusterName in the options is no name
    assert_eq!(
        cluster_of(&w, &config(Some(r#"{"clusterName":""}"#))),
        "from-env"
    );
}

#[test]
fn no_cluster_anywhere_is_invalid() {
    let w = Worker::builder(worker(None)).fallback_cluster(None).build();
    let Err(ConvertError::Invalid(e)) = w.convert(&config(None), &Request::new()) else {
        panic!("a config with no cluster must not convert");
    };
    assert_eq!(e.issues()[0].path, "clusterName");
    assert_eq!(e.issues()[0].message, "clusterName is not provided.");
}

/// Reading back keeps the options' cluster, so the config survives a round trip.
#[test]
fn options_cluster_survives_a_round_trip() {
    let w = Worker::builder(worker(None))
        .fallback_cluster(Some("standalone"))
        .build();
    let c = config(Some(r#"{"clusterName":"east"}"#));
    let r = w.convert(&c, &Request::new()).unwrap().resource;
    let back = w.reverse(&r).unwrap();
    assert_eq!(cluster_of(&w, &back), "east");
}
