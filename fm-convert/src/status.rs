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

/// A count of exceptions and the latest ones.
type Exceptions = (i64, Option<Vec<ExceptionInformation>>);

impl InstanceReport {
    /// The kind's own exception category as Pulsar reports it (user exceptions for a function,
    /// sink exceptions for a sink, source exceptions for a source), then the other three folded
    /// into the system exceptions: the counts summed, the lists one after the other.
    fn exceptions(&self, kind: ComponentKind) -> (Exceptions, Exceptions) {
        let own = match kind {
            ComponentKind::Function => 0,
            ComponentKind::Source => 2,
            ComponentKind::Sink => 3,
        };
        let categories = [
            (self.num_user_exceptions, &self.latest_user_exceptions),
            (self.num_system_exceptions, &self.latest_system_exceptions),
            (self.num_source_exceptions, &self.latest_source_exceptions),
            (self.num_sink_exceptions, &self.latest_sink_exceptions),
        ];
        let mut own_exceptions = (0, Some(Vec::new()));
        let mut system = (0, Vec::new());
        for (i, (count, latest)) in categories.into_iter().enumerate() {
            if i == own {
                own_exceptions = (count, Some(latest.clone()));
            } else {
                system.0 += count;
                system.1.extend(latest.iter().cloned());
            }
        }
        (own_exceptions, (system.0, Some(system.1)))
    }
}

/// The status of one kind: what the cluster says about each instance, then, for a running
/// instance, what it reports about itself (`fill` writes the kind's counters, given its own and its system exceptions).
fn component_status<D>(
    kind: ComponentKind,
    observed: (&str, Option<&str>, Option<&StatefulSet>, &[Pod]),
    reports: &BTreeMap<i32, InstanceReport>,
    base: impl Fn(PodView) -> D,
    fill: impl Fn(&mut D, &InstanceReport, (Exceptions, Exceptions)),
) -> ComponentStatus<D> {
    let (cluster, image, statefulset, pods) = observed;
    let (n, running, views) = observe(kind, cluster, image, statefulset, pods);
    let instances = views
        .into_iter()
        .map(|(id, mut v)| {
            let report = reports.get(&id).filter(|_| v.running);
            if let Some(r) = report {
                v.running = r.running;
                v.error = Some(r.failure.clone().unwrap_or_default());
            }
            let mut status = base(v);
            if let Some(r) = report {
                fill(&mut status, r, r.exceptions(kind));
            }
            InstanceStatus {
                instance_id: id,
                status,
            }
        })
        .collect();
    ComponentStatus {
        num_instances: n,
        num_running: running,
        instances,
    }
}

/// The public status functions, one per kind. The instance body starts from the pod's view
/// (`running`, `error`, `numRestarts`, `workerId`); a running instance's report adds the kind's
/// own exceptions (`own: count / latest`), the system exceptions, and its received and processed
/// counts, last time and (for a function) average latency under the kind's field names.
macro_rules! status_of {
    ($(
        $(#[$doc:meta])*
        $name:ident($kind:ident) -> $data:ident {
            own: $count:ident / $latest:ident,
            received: $received:ident, processed: $processed:ident,
            last: $last:ident $(, latency: $latency:ident)?,
        }
    )*) => {$(
        $(#[$doc])*
        pub fn $name(
            cluster: &str,
            image: Option<&str>,
            statefulset: Option<&StatefulSet>,
            pods: &[Pod],
            reports: &BTreeMap<i32, InstanceReport>,
        ) -> ComponentStatus<$data> {
            component_status(
                ComponentKind::$kind,
                (cluster, image, statefulset, pods),
                reports,
                |v| $data {
                    running: v.running,
                    error: v.error,
                    num_restarts: v.restarts,
                    worker_id: v.worker_id,
                    ..Default::default()
                },
                |d: &mut $data, r: &InstanceReport, (own, system)| {
                    (d.$count, d.$latest) = own;
                    (d.num_system_exceptions, d.latest_system_exceptions) = system;
                    d.$received = r.num_received;
                    d.$processed = r.num_successfully_processed;
                    d.$last = r.last_invocation_time;
                    $(d.$latency = r.average_latency;)?
                },
            )
        }
    )*};
}

status_of! {
    /// A function's Pulsar status.
    function_status(Function) -> FunctionInstanceStatusData {
        own: num_user_exceptions / latest_user_exceptions,
        received: num_received, processed: num_successfully_processed,
        last: last_invocation_time, latency: average_latency,
    }
    /// A sink's Pulsar status.
    sink_status(Sink) -> SinkInstanceStatusData {
        own: num_sink_exceptions / latest_sink_exceptions,
        received: num_read_from_pulsar, processed: num_written_to_sink,
        last: last_received_time,
    }
    /// A source's Pulsar status.
    source_status(Source) -> SourceInstanceStatusData {
        own: num_source_exceptions / latest_source_exceptions,
        received: num_received_from_source, processed: num_written,
        last: last_received_time,
    }
}
