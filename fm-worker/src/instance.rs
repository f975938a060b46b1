//! What each running instance says about itself: Pulsar's `InstanceControl` gRPC service
//! (`GetFunctionStatus`), which every Java, Python and Go instance serves on its `--port` (Function
//! Mesh: the container port `tcp-grpc`, 9093). The worker asks every running pod at once, each
//! with a short timeout; an instance that does not answer just has no report (its entry keeps
//! what the cluster says).
//!
//! The messages are written here with prost derives (no protoc, no generated code): only the
//! fields the status body uses, with the field numbers of Pulsar's `InstanceCommunication`
//! messages (package `proto`).

use std::collections::BTreeMap;
use std::time::Duration;

use fm_convert::pulsar::ExceptionInformation;
use fm_convert::status::InstanceReport;
use futures::future::join_all;
use k8s_openapi::api::core::v1::Pod;

/// The gRPC method asked: `proto.InstanceControl/GetFunctionStatus` (request `google.protobuf.Empty`).
pub const GET_FUNCTION_STATUS: &str = "/proto.InstanceControl/GetFunctionStatus";
/// The instance port when the pod spec names none (Function Mesh's `tcp-grpc` port).
pub const DEFAULT_PORT: u16 = 9093;
/// How long one instance may take to answer, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// One exception an instance reports.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ExceptionInfo {
    /// The exception text.
    #[prost(string, tag = "1")]
    pub exception_string: String,
    /// When (epoch ms).
    #[prost(int64, tag = "2")]
    pub ms_since_epoch: i64,
}

/// The instance's answer to `GetFunctionStatus` (the fields the worker reads).
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionStatus {
    /// The instance runs.
    #[prost(bool, tag = "1")]
    pub running: bool,
    /// Why it failed, if it did.
    #[prost(string, tag = "2")]
    pub failure_exception: String,
    /// Restarts the instance counted itself.
    #[prost(int64, tag = "3")]
    pub num_restarts: i64,
    /// Messages processed successfully.
    #[prost(int64, tag = "5")]
    pub num_successfully_processed: i64,
    /// User exceptions.
    #[prost(int64, tag = "6")]
    pub num_user_exceptions: i64,
    /// Recent user exceptions.
    #[prost(message, repeated, tag = "7")]
    pub latest_user_exceptions: Vec<ExceptionInfo>,
    /// System exceptions.
    #[prost(int64, tag = "8")]
    pub num_system_exceptions: i64,
    /// Recent system exceptions.
    #[prost(message, repeated, tag = "9")]
    pub latest_system_exceptions: Vec<ExceptionInfo>,
    /// Average processing latency (ms).
    #[prost(double, tag = "12")]
    pub average_latency: f64,
    /// Last invocation (epoch ms).
    #[prost(int64, tag = "13")]
    pub last_invocation_time: i64,
    /// The instance id as the instance knows it.
    #[prost(string, tag = "14")]
    pub instance_id: String,
    /// Messages received.
    #[prost(int64, tag = "17")]
    pub num_received: i64,
    /// Source exceptions.
    #[prost(int64, tag = "18")]
    pub num_source_exceptions: i64,
    /// Recent source exceptions.
    #[prost(message, repeated, tag = "19")]
    pub latest_source_exceptions: Vec<ExceptionInfo>,
    /// Sink exceptions.
    #[prost(int64, tag = "20")]
    pub num_sink_exceptions: i64,
    /// Recent sink exceptions.
    #[prost(message, repeated, tag = "21")]
    pub latest_sink_exceptions: Vec<ExceptionInfo>,
}

/// Why one instance gave no report.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InstanceError {
    /// The address is not a usable URI.
    #[error("instance {addr}: not a usable address")]
    Address {
        /// `host:port`.
        addr: String,
    },
    /// No connection.
    #[error("instance {addr}: cannot connect: {reason}")]
    Connect {
        /// `host:port`.
        addr: String,
        /// The transport's reason.
        reason: String,
    },
    /// The call failed (gRPC status).
    #[error("instance {addr}: GetFunctionStatus failed: {code}")]
    Call {
        /// `host:port`.
        addr: String,
        /// The gRPC status code.
        code: String,
    },
    /// No answer in time.
    #[error("instance {addr}: no answer within {timeout:?}")]
    Timeout {
        /// `host:port`.
        addr: String,
        /// The limit.
        timeout: Duration,
    },
}

/// Asks one instance (`host:port`) for its status, within `timeout`.
pub async fn query(addr: &str, timeout: Duration) -> Result<FunctionStatus, InstanceError> {
    let call = async {
        let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|_| InstanceError::Address { addr: addr.into() })?
            .connect_timeout(timeout);
        let channel = endpoint
            .connect()
            .await
            .map_err(|e| InstanceError::Connect {
                addr: addr.into(),
                reason: e.to_string(),
            })?;
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.map_err(|e| InstanceError::Connect {
            addr: addr.into(),
            reason: e.to_string(),
        })?;
        let codec = tonic_prost::ProstCodec::<(), FunctionStatus>::default();
        let path = http::uri::PathAndQuery::from_static(GET_FUNCTION_STATUS);
        grpc.unary(tonic::Request::new(()), path, codec)
            .await
            .map(tonic::Response::into_inner)
            .map_err(|s| InstanceError::Call {
                addr: addr.into(),
                code: format!("{:?}", s.code()),
            })
    };
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or(Err(InstanceError::Timeout {
            addr: addr.into(),
            timeout,
        }))
}

/// The instance port of a pod: its container port whose name says gRPC (`tcp-grpc`, `grpc`),
/// else [`DEFAULT_PORT`].
pub fn instance_port(pod: &Pod) -> u16 {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref().is_some_and(|n| n.contains("grpc")))
        .and_then(|p| u16::try_from(p.container_port).ok())
        .unwrap_or(DEFAULT_PORT)
}

/// The instances to ask: `(instance id, host:port)` of every pod that runs (phase `Running`,
/// every container ready) and has an IP; the id is the StatefulSet ordinal of the pod's name.
pub fn targets(pods: &[Pod]) -> Vec<(i32, String)> {
    pods.iter()
        .filter_map(|pod| {
            let id = pod
                .metadata
                .name
                .as_deref()?
                .rsplit('-')
                .next()?
                .parse::<i32>()
                .ok()?;
            let status = pod.status.as_ref()?;
            let running = status.phase.as_deref() == Some("Running")
                && status.container_statuses.iter().flatten().all(|c| c.ready);
            let ip = status.pod_ip.as_deref().filter(|ip| !ip.is_empty())?;
            let host = if ip.contains(':') {
                format!("[{ip}]")
            } else {
                ip.to_owned()
            };
            running.then(|| (id, format!("{host}:{}", instance_port(pod))))
        })
        .collect()
}

fn exceptions(list: &[ExceptionInfo]) -> Vec<ExceptionInformation> {
    list.iter()
        .map(|e| ExceptionInformation {
            exception_string: e.exception_string.clone(),
            timestamp_ms: e.ms_since_epoch,
        })
        .collect()
}

/// An instance's answer as the library's report.
pub fn report(s: &FunctionStatus) -> InstanceReport {
    InstanceReport {
        running: s.running,
        failure: Some(s.failure_exception.clone()).filter(|f| !f.is_empty()),
        num_received: s.num_received,
        num_successfully_processed: s.num_successfully_processed,
        num_user_exceptions: s.num_user_exceptions,
        latest_user_exceptions: exceptions(&s.latest_user_exceptions),
        num_system_exceptions: s.num_system_exceptions,
        latest_system_exceptions: exceptions(&s.latest_system_exceptions),
        num_source_exceptions: s.num_source_exceptions,
        latest_source_exceptions: exceptions(&s.latest_source_exceptions),
        num_sink_exceptions: s.num_sink_exceptions,
        latest_sink_exceptions: exceptions(&s.latest_sink_exceptions),
        average_latency: s.average_latency,
        last_invocation_time: s.last_invocation_time,
    }
}

/// Asks every running pod's instance at once (each within `timeout`) and returns the reports by
/// instance id; instances that do not answer are logged and left out.
pub async fn reports(pods: &[Pod], timeout: Duration) -> BTreeMap<i32, InstanceReport> {
    let asks = targets(pods).into_iter().map(|(id, addr)| async move {
        let answer = query(&addr, timeout).await;
        (id, answer)
    });
    join_all(asks)
        .await
        .into_iter()
        .filter_map(|(id, answer)| match answer {
            Ok(s) => Some((id, report(&s))),
            Err(e) => {
                tracing::debug!(instance = id, error = %e, "no instance status");
                None
            }
        })
        .collect()
}
