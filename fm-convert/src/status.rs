//! Resource + StatefulSet + pods (+ what each instance reports) → Pulsar's status JSON.
//!
//! Follows the Java worker: `numInstances` from the StatefulSet's `status.replicas`,
//! `numRunning` from `readyReplicas`, one entry per instance id; a pod is running when its
//! phase is `Running` and every container is ready; a pod that is not running reports the
//! main container's waiting/terminated message. Deliberate fixes: a resource without
//! `spec.image` no longer loses the whole status (the main container is found by name), and a
//! function's restart count is the pod's, not overwritten by the instance's own counter.

use crate::naming::ComponentKind;
use crate::pulsar::{
    ComponentStatus, ExceptionInformation, FunctionInstanceStatusData, InstanceStatus,
    SinkInstanceStatusData, SourceInstanceStatusData,
};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ContainerState, Pod};
use std::collections::BTreeMap;

/// What an instance reports about itself (the instance's `InstanceControl.GetFunctionStatus`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstanceReport {
    /// The instance says it runs.
    pub running: bool,
    /// Its failure, if any.
    pub failure: Option<String>,
    /// Messages received.
    pub num_received: i64,
    /// Messages processed successfully.
    pub num_successfully_processed: i64,
    /// User exceptions.
    pub num_user_exceptions: i64,
    /// Recent user exceptions.
    pub latest_user_exceptions: Vec<ExceptionInformation>,
    /// System exceptions.
    pub num_system_exceptions: i64,
    /// Recent system exceptions.
    pub latest_system_exceptions: Vec<ExceptionInformation>,
    /// Source exceptions.
    pub num_source_exceptions: i64,
    /// Recent source exceptions.
    pub latest_source_exceptions: Vec<ExceptionInformation>,
    /// Sink exceptions.
    pub num_sink_exceptions: i64,
    /// Recent sink exceptions.
    pub latest_sink_exceptions: Vec<ExceptionInformation>,
    /// Average latency in ms.
    pub average_latency: f64,
    /// Last invocation (epoch ms).
    pub last_invocation_time: i64,
}

/// What the cluster says about one instance.
#[derive(Clone, Debug, Default, PartialEq)]
struct PodView {
    running: bool,
    error: Option<String>,
    restarts: i64,
    worker_id: Option<String>,
}

/// The cluster's view of a resource's instances: `(numInstances, numRunning, per-id pod view)`.
fn observe(
    kind: ComponentKind,
    cluster: &str,
    image: Option<&str>,
    statefulset: Option<&StatefulSet>,
    pods: &[Pod],
) -> (i32, i32, BTreeMap<i32, PodView>) {
    let Some(sts) = statefulset else {
        return (0, 0, BTreeMap::new());
    };
    let status = sts.status.as_ref();
    let replicas = status.map(|s| s.replicas).unwrap_or(0).max(0);
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0);
    let mut views: BTreeMap<i32, PodView> =
        (0..replicas).map(|i| (i, PodView::default())).collect();
    let main = format!("pulsar-{}", kind.lower());
    for pod in pods {
        let Some(id) = pod
            .metadata
            .name
            .as_deref()
            .and_then(|n| n.rsplit('-').next())
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let ps = pod.status.as_ref();
        let statuses = ps
            .and_then(|s| s.container_statuses.clone())
            .unwrap_or_default();
        let running = ps.and_then(|s| s.phase.as_deref()) == Some("Running")
            && statuses.iter().all(|c| c.ready);
        let mut view = PodView::default();
        if running {
            view.running = true;
            view.worker_id = Some(cluster.to_string());
            let default_container = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"));
            if let Some(c) = default_container.and_then(|d| statuses.iter().find(|c| &c.name == d))
            {
                view.restarts = i64::from(c.restart_count);
            }
        } else if !statuses.is_empty() || ps.is_some() {
            let container = statuses.iter().find(|c| match image {
                Some(img) if !img.is_empty() => c.image.contains(img),
                _ => c.name == main,
            });
            match container {
                Some(c) => {
                    let msg = |s: &Option<ContainerState>| {
                        s.as_ref().and_then(|s| {
                            s.terminated
                                .as_ref()
                                .and_then(|t| t.message.clone())
                                .or_else(|| s.waiting.as_ref().and_then(|w| w.message.clone()))
                        })
                    };
                    view.error = msg(&c.state).or_else(|| msg(&c.last_state));
                    view.restarts = i64::from(c.restart_count);
                }
                None => view.error = ps.and_then(|s| s.phase.clone()),
            }
        }
        views.insert(id, view);
    }
    (replicas, ready, views)
}

fn list(v: &[ExceptionInformation]) -> Option<Vec<ExceptionInformation>> {
    Some(v.to_vec())
}

/// A function's Pulsar status.
pub fn function_status(
    cluster: &str,
    image: Option<&str>,
    statefulset: Option<&StatefulSet>,
    pods: &[Pod],
    reports: &BTreeMap<i32, InstanceReport>,
) -> ComponentStatus<FunctionInstanceStatusData> {
    let (n, running, views) = observe(ComponentKind::Function, cluster, image, statefulset, pods);
    let instances = views
        .into_iter()
        .map(|(id, v)| {
            let mut d = FunctionInstanceStatusData {
                running: v.running,
                error: v.error,
                num_restarts: v.restarts,
                worker_id: v.worker_id,
                ..Default::default()
            };
            if let Some(r) = reports.get(&id).filter(|_| v.running) {
                d.running = r.running;
                d.error = Some(r.failure.clone().unwrap_or_default());
                d.num_received = r.num_received;
                d.num_successfully_processed = r.num_successfully_processed;
                d.num_user_exceptions = r.num_user_exceptions;
                d.latest_user_exceptions = list(&r.latest_user_exceptions);
                d.num_system_exceptions =
                    r.num_system_exceptions + r.num_source_exceptions + r.num_sink_exceptions;
                let mut sys = r.latest_system_exceptions.clone();
                sys.extend(r.latest_source_exceptions.iter().cloned());
                sys.extend(r.latest_sink_exceptions.iter().cloned());
                d.latest_system_exceptions = Some(sys);
                d.average_latency = r.average_latency;
                d.last_invocation_time = r.last_invocation_time;
            }
            InstanceStatus {
                instance_id: id,
                status: d,
            }
        })
        .collect();
    ComponentStatus {
        num_instances: n,
        num_running: running,
        instances,
    }
}

/// A sink's Pulsar status.
pub fn sink_status(
    cluster: &str,
    image: Option<&str>,
    statefulset: Option<&StatefulSet>,
    pods: &[Pod],
    reports: &BTreeMap<i32, InstanceReport>,
) -> ComponentStatus<SinkInstanceStatusData> {
    let (n, running, views) = observe(ComponentKind::Sink, cluster, image, statefulset, pods);
    let instances = views
        .into_iter()
        .map(|(id, v)| {
            let mut d = SinkInstanceStatusData {
                running: v.running,
                error: v.error,
                num_restarts: v.restarts,
                worker_id: v.worker_id,
                ..Default::default()
            };
            if let Some(r) = reports.get(&id).filter(|_| v.running) {
                d.running = r.running;
                d.error = Some(r.failure.clone().unwrap_or_default());
                d.num_read_from_pulsar = r.num_received;
                d.num_system_exceptions =
                    r.num_system_exceptions + r.num_user_exceptions + r.num_source_exceptions;
                let mut sys = r.latest_user_exceptions.clone();
                sys.extend(r.latest_system_exceptions.iter().cloned());
                sys.extend(r.latest_source_exceptions.iter().cloned());
                d.latest_system_exceptions = Some(sys);
                d.num_sink_exceptions = r.num_sink_exceptions;
                d.latest_sink_exceptions = list(&r.latest_sink_exceptions);
                d.num_written_to_sink = r.num_successfully_processed;
                d.last_received_time = r.last_invocation_time;
            }
            InstanceStatus {
                instance_id: id,
                status: d,
            }
        })
        .collect();
    ComponentStatus {
        num_instances: n,
        num_running: running,
        instances,
    }
}

/// A source's Pulsar status.
pub fn source_status(
    cluster: &str,
    image: Option<&str>,
    statefulset: Option<&StatefulSet>,
    pods: &[Pod],
    reports: &BTreeMap<i32, InstanceReport>,
) -> ComponentStatus<SourceInstanceStatusData> {
    let (n, running, views) = observe(ComponentKind::Source, cluster, image, statefulset, pods);
    let instances = views
        .into_iter()
        .map(|(id, v)| {
            let mut d = SourceInstanceStatusData {
                running: v.running,
                error: v.error,
                num_restarts: v.restarts,
                worker_id: v.worker_id,
                ..Default::default()
            };
            if let Some(r) = reports.get(&id).filter(|_| v.running) {
                d.running = r.running;
                d.error = Some(r.failure.clone().unwrap_or_default());
                d.num_received_from_source = r.num_received;
                d.num_source_exceptions = r.num_source_exceptions;
                d.latest_source_exceptions = list(&r.latest_source_exceptions);
                d.num_system_exceptions =
                    r.num_system_exceptions + r.num_user_exceptions + r.num_sink_exceptions;
                let mut sys = r.latest_user_exceptions.clone();
                sys.extend(r.latest_system_exceptions.iter().cloned());
                sys.extend(r.latest_sink_exceptions.iter().cloned());
                d.latest_system_exceptions = Some(sys);
                d.num_written = r.num_successfully_processed;
                d.last_received_time = r.last_invocation_time;
            }
            InstanceStatus {
                instance_id: id,
                status: d,
            }
        })
        .collect();
    ComponentStatus {
        num_instances: n,
        num_running: running,
        instances,
    }
}
