//! Closed value sets of the Function Mesh resources (CRD `enum` markers of v0.27.2).
//!
//! Every enum (de)serialises with the exact wire name used by the CRD. An unknown value is a
//! deserialisation error that lists the allowed values (serde's `unknown variant ..., expected
//! one of ...`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `processingGuarantee`: the delivery semantics the instance runs with (FunctionDetails.processingGuarantees).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ProcessingGuarantee {
    /// `atleast_once` (the webhook default).
    #[serde(rename = "atleast_once")]
    AtleastOnce,
    /// `atmost_once`.
    #[serde(rename = "atmost_once")]
    AtmostOnce,
    /// `effectively_once`: the operator uses a FAILOVER subscription.
    #[serde(rename = "effectively_once")]
    EffectivelyOnce,
    /// `manual` (v0.14.0): the function acknowledges messages itself.
    #[serde(rename = "manual")]
    Manual,
}

/// `subscriptionPosition`: where a new subscription starts (SourceSpec.subscriptionPosition; empty → earliest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum SubscriptionPosition {
    /// `latest`.
    #[serde(rename = "latest")]
    Latest,
    /// `earliest`.
    #[serde(rename = "earliest")]
    Earliest,
}

/// `output.producerConf.compressionType`: producer compression (empty → LZ4 in the operator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CompressionType {
    /// `NONE`.
    #[serde(rename = "NONE")]
    None,
    /// `LZ4`.
    #[serde(rename = "LZ4")]
    Lz4,
    /// `ZLIB`.
    #[serde(rename = "ZLIB")]
    Zlib,
    /// `ZSTD`.
    #[serde(rename = "ZSTD")]
    Zstd,
    /// `SNAPPY`.
    #[serde(rename = "SNAPPY")]
    Snappy,
}

/// `logTopicAgent`: who publishes logs to `logTopic` (`sidecar` adds a filebeat container).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum LogTopicAgent {
    /// `runtime`: the instance itself (FunctionDetails.logTopic).
    #[serde(rename = "runtime")]
    Runtime,
    /// `sidecar`: a filebeat sidecar ships the log files.
    #[serde(rename = "sidecar")]
    Sidecar,
}

/// `java|python|golang.log.level`: the runtime log level the operator writes into the log config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// `off`.
    Off,
    /// `trace`.
    Trace,
    /// `debug`.
    Debug,
    /// `info`.
    Info,
    /// `warn`.
    Warn,
    /// `error`.
    Error,
    /// `fatal`.
    Fatal,
    /// `all`.
    All,
    /// `panic`.
    Panic,
}

/// `log.rotatePolicy` (Go `TriggeringPolicy`): the log4j rolling policy of the generated log config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum TriggeringPolicy {
    /// `TimedPolicyWithDaily`.
    TimedPolicyWithDaily,
    /// `TimedPolicyWithWeekly`.
    TimedPolicyWithWeekly,
    /// `TimedPolicyWithMonthly`.
    TimedPolicyWithMonthly,
    /// `SizedPolicyWith10MB`.
    SizedPolicyWith10MB,
    /// `SizedPolicyWith50MB`.
    SizedPolicyWith50MB,
    /// `SizedPolicyWith100MB`.
    SizedPolicyWith100MB,
}

/// `log.format` (Go `FormatType`): log line format of the generated log config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// `json`.
    Json,
    /// `text`.
    Text,
}

/// `log.javaLog4JConfigFileType`: file type of a user-supplied Java log4j config (the operator uses xml/yaml).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JavaLog4JConfigFileType {
    /// `yaml`.
    Yaml,
    /// `xml`.
    Xml,
    /// `ini` (accepted by the CRD, not used by the operator).
    Ini,
}

/// `windowConfig.processingGuarantees`: delivery semantics of the window executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum WindowProcessingGuarantee {
    /// `ATLEAST_ONCE`.
    #[serde(rename = "ATLEAST_ONCE")]
    AtleastOnce,
    /// `ATMOST_ONCE`.
    #[serde(rename = "ATMOST_ONCE")]
    AtmostOnce,
}

/// `pod.vpa.updatePolicy.updateMode` (VPA `UpdateMode`): how the VPA applies recommendations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum VpaUpdateMode {
    /// `Off`: recommend only.
    Off,
    /// `Initial`: set resources at pod creation only.
    Initial,
    /// `Recreate`: evict pods to apply new resources.
    Recreate,
    /// `Auto`: currently the same as `Recreate`.
    Auto,
}

/// `pod.vpa.resourcePolicy.containerPolicies[].mode` (VPA `ContainerScalingMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ContainerScalingMode {
    /// `Auto`: the VPA scales this container.
    Auto,
    /// `Off`: the VPA leaves this container alone.
    Off,
}

/// `pod.vpa.resourcePolicy.containerPolicies[].controlledValues` (VPA `ContainerControlledValues`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ContainerControlledValues {
    /// `RequestsAndLimits`: scale requests and keep the limit/request ratio.
    RequestsAndLimits,
    /// `RequestsOnly`: scale requests only.
    RequestsOnly,
}
