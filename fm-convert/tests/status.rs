//! Status conversion: StatefulSet + pods (+ instance reports) → Pulsar status JSON.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::pulsar::ExceptionInformation;
use fm_convert::status::{function_status, sink_status, source_status, InstanceReport};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use serde_json::json;
use std::collections::BTreeMap;

fn sts(replicas: i32, ready: i32) -> StatefulSet {
    serde_json::from_value(json!({"metadata": {"name": "f-1234abcd-function"}, "status": {"replicas": replicas, "readyReplicas": ready}})).unwrap()
}

fn running_pod(name: &str, restarts: i32) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name, "annotations": {"kubectl.kubernetes.io/default-container": "pulsar-function"}},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "pulsar-function", "image": "runner:1", "imageID": "", "ready": true, "restartCount": restarts}]}
    }))
    .unwrap()
}

fn crashing_pod(name: &str, container: &str) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": name},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": container, "image": "runner:1", "imageID": "", "ready": false, "restartCount": 4,
             "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container"}}}]}
    }))
    .unwrap()
}

#[test]
fn no_statefulset_means_an_empty_status() {
    let s = function_status("c", None, None, &[], &BTreeMap::new());
    assert_eq!(
        serde_json::to_value(&s).unwrap(),
        json!({"numInstances": 0, "numRunning": 0, "instances": []})
    );
}

#[test]
fn instances_come_from_the_statefulset_and_pods() {
    let pods = [
        running_pod("f-1234abcd-function-0", 2),
        crashing_pod("f-1234abcd-function-1", "pulsar-function"),
    ];
    let s = function_status(
        "test-pulsar",
        None,
        Some(&sts(3, 1)),
        &pods,
        &BTreeMap::new(),
    );
    let v = serde_json::to_value(&s).unwrap();
    insta::assert_json_snapshot!(v);
    assert_eq!(s.num_instances, 3);
    assert_eq!(s.num_running, 1);
    assert!(s.instances[0].status.running);
    assert_eq!(
        s.instances[0].status.worker_id.as_deref(),
        Some("test-pulsar")
    );
    assert_eq!(s.instances[0].status.num_restarts, 2);
    assert!(!s.instances[1].status.running);
    assert_eq!(
        s.instances[1].status.error.as_deref(),
        Some("back-off 5m0s restarting failed container")
    );
    assert_eq!(s.instances[1].status.num_restarts, 4);
    assert_eq!(
        s.instances[2].status,
        Default::default(),
        "an instance without a pod is empty"
    );
}

#[test]
fn fix_status_without_spec_image_finds_the_main_container_by_name() {
    // Java matched `image.contains(spec.image)` and NPE'd without spec.image, losing the status.
    let pods = [crashing_pod("s-0", "pulsar-sink")];
    let s = sink_status("c", None, Some(&sts(1, 0)), &pods, &BTreeMap::new());
    assert_eq!(
        s.instances[0].status.error.as_deref(),
        Some("back-off 5m0s restarting failed container")
    );
    let other = [crashing_pod("s-0", "sidecar")];
    let s = sink_status("c", None, Some(&sts(1, 0)), &other, &BTreeMap::new());
    assert_eq!(
        s.instances[0].status.error.as_deref(),
        Some("Running"),
        "no main container: the pod phase"
    );
}

fn report() -> InstanceReport {
    let e = |s: &str| ExceptionInformation {
        exception_string: s.into(),
        timestamp_ms: 1,
    };
    InstanceReport {
        running: true,
        num_received: 10,
        num_successfully_processed: 7,
        num_user_exceptions: 1,
        latest_user_exceptions: vec![e("user")],
        num_system_exceptions: 1,
        latest_system_exceptions: vec![e("system")],
        num_source_exceptions: 1,
        latest_source_exceptions: vec![e("source")],
        num_sink_exceptions: 1,
        latest_sink_exceptions: vec![e("sink")],
        average_latency: 1.5,
        last_invocation_time: 99,
        failure: None,
    }
}

#[test]
fn instance_reports_fold_exceptions_like_pulsar() {
    let reports = BTreeMap::from([(0, report())]);
    let pods = [running_pod("x-0", 0)];
    let f = function_status("c", None, Some(&sts(1, 1)), &pods, &reports);
    let d = &f.instances[0].status;
    assert_eq!(
        (
            d.num_received,
            d.num_successfully_processed,
            d.num_user_exceptions
        ),
        (10, 7, 1)
    );
    assert_eq!(d.num_system_exceptions, 3, "system + source + sink");
    assert_eq!(d.error.as_deref(), Some(""));
    let k = sink_status("c", None, Some(&sts(1, 1)), &pods, &reports);
    let d = &k.instances[0].status;
    assert_eq!(
        (
            d.num_read_from_pulsar,
            d.num_written_to_sink,
            d.num_sink_exceptions,
            d.num_system_exceptions
        ),
        (10, 7, 1, 3)
    );
    let o = source_status("c", None, Some(&sts(1, 1)), &pods, &reports);
    let d = &o.instances[0].status;
    assert_eq!(
        (
            d.num_received_from_source,
            d.num_written,
            d.num_source_exceptions,
            d.num_system_exceptions
        ),
        (10, 7, 1, 3)
    );
    insta::assert_json_snapshot!("source_with_report", o);
}
