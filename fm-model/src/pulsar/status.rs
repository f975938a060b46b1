//! Pulsar's status bodies (`GET …/status`): FunctionStatus, SinkStatus, SourceStatus.
//!
//! Primitive members are always written (Java public primitive fields); `error`, `workerId` and
//! exception lists are omitted when absent.

use crate::macros::optional_fields;
use serde::{Deserialize, Serialize};

/// One exception an instance reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionInformation {
    /// The exception text.
    pub exception_string: String,
    /// When it happened (epoch ms).
    pub timestamp_ms: i64,
}

/// `{numInstances, numRunning, instances: [{instanceId, status}]}`, shared by all three kinds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentStatus<D> {
    /// Number of instances.
    pub num_instances: i32,
    /// Instances whose `running` is true.
    pub num_running: i32,
    /// Per-instance status.
    pub instances: Vec<InstanceStatus<D>>,
}

/// One instance in a status body.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceStatus<D> {
    /// Instance id (0-based shard).
    pub instance_id: i32,
    /// The instance's status data.
    pub status: D,
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `FunctionInstanceStatusData`.
    pub struct FunctionInstanceStatusData {
        /// Instance is running.
        pub running: bool,
        /// Last error (`""` when healthy).
        pub error: Option<String>,
        /// Restarts.
        pub num_restarts: i64,
        /// Messages received.
        pub num_received: i64,
        /// Messages processed successfully.
        pub num_successfully_processed: i64,
        /// User exceptions.
        pub num_user_exceptions: i64,
        /// Recent user exceptions.
        pub latest_user_exceptions: Option<Vec<ExceptionInformation>>,
        /// System exceptions.
        pub num_system_exceptions: i64,
        /// Recent system exceptions.
        pub latest_system_exceptions: Option<Vec<ExceptionInformation>>,
        /// Average latency in ms.
        pub average_latency: f64,
        /// Last invocation (epoch ms).
        pub last_invocation_time: i64,
        /// Worker that runs the instance.
        pub worker_id: Option<String>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `SinkInstanceStatusData`.
    pub struct SinkInstanceStatusData {
        /// Instance is running.
        pub running: bool,
        /// Last error.
        pub error: Option<String>,
        /// Restarts.
        pub num_restarts: i64,
        /// Messages read from Pulsar.
        pub num_read_from_pulsar: i64,
        /// System exceptions.
        pub num_system_exceptions: i64,
        /// Recent system exceptions.
        pub latest_system_exceptions: Option<Vec<ExceptionInformation>>,
        /// Sink exceptions.
        pub num_sink_exceptions: i64,
        /// Recent sink exceptions.
        pub latest_sink_exceptions: Option<Vec<ExceptionInformation>>,
        /// Messages written to the sink.
        pub num_written_to_sink: i64,
        /// Last message received (epoch ms).
        pub last_received_time: i64,
        /// Worker that runs the instance.
        pub worker_id: Option<String>,
    }
}

optional_fields! {
    mirror(Default);
    lenient;
    /// `SourceInstanceStatusData`.
    pub struct SourceInstanceStatusData {
        /// Instance is running.
        pub running: bool,
        /// Last error.
        pub error: Option<String>,
        /// Restarts.
        pub num_restarts: i64,
        /// Messages received from the source.
        pub num_received_from_source: i64,
        /// System exceptions.
        pub num_system_exceptions: i64,
        /// Recent system exceptions.
        pub latest_system_exceptions: Option<Vec<ExceptionInformation>>,
        /// Source exceptions.
        pub num_source_exceptions: i64,
        /// Recent source exceptions.
        pub latest_source_exceptions: Option<Vec<ExceptionInformation>>,
        /// Messages written to Pulsar.
        pub num_written: i64,
        /// Last message received (epoch ms).
        pub last_received_time: i64,
        /// Worker that runs the instance.
        pub worker_id: Option<String>,
    }
}

/// `FunctionStatus`.
pub type FunctionStatus = ComponentStatus<FunctionInstanceStatusData>;
/// `SinkStatus`.
pub type SinkStatus = ComponentStatus<SinkInstanceStatusData>;
/// `SourceStatus`.
pub type SourceStatus = ComponentStatus<SourceInstanceStatusData>;
