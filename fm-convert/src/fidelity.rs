//! What a read-back keeps, in one place: the defaults Function Mesh's operator (v0.27.2) gives a
//! field a resource leaves out, which the reverse conversion must show instead of Pulsar's own
//! ([`OPERATOR_DEFAULTS`]), and the fields of a resource that no Pulsar config can express, so a
//! resource read back and re-submitted loses them ([`INEXPRESSIBLE`]).
//!
//! A resource written by hand or by `kubectl` (Function Mesh's own samples are written that
//! way) often leaves fields out. The operator's mutating webhook and its controller then decide
//! what they mean; the reverse conversion must say the same in the config, so that reading a
//! resource back and submitting the config again does not change what runs.

use crate::error::ReverseError;
use fm_model::crd::{
    JavaRuntime, ProcessingGuarantee, SubscriptionPosition, WindowProcessingGuarantee,
};
use fm_model::pulsar::{
    ProcessingGuarantees, ProducerConfig, SubscriptionInitialPosition, WindowProcessingGuarantees,
};

/// One default the operator gives a field that a resource leaves out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperatorDefault {
    /// Field path in the resource (`spec.…`).
    pub field: &'static str,
    /// The kinds it applies to (`Function`, `Sink`, `Source`).
    pub kinds: &'static str,
    /// What the operator uses when the field is absent.
    pub operator: &'static str,
    /// What an absent field in the Pulsar config would mean (Pulsar's default).
    pub pulsar: &'static str,
    /// What the reverse conversion writes into the config for an absent field.
    pub reverse: &'static str,
}

/// Every field of a Function, Sink or Source to which Function Mesh v0.27.2 gives a default
/// (its mutating webhook, its CRD `default` markers and its controller's fallbacks), with what
/// the reverse conversion makes of the absent field. Where the operator's default differs from
/// Pulsar's, the config gets the operator's value explicitly.
pub const OPERATOR_DEFAULTS: &[OperatorDefault] = &[
    OperatorDefault {
        field: "spec.subscriptionPosition",
        kinds: "Function, Sink",
        operator: "earliest (controller fallback)",
        pulsar: "Latest",
        reverse: "subscriptionPosition / sourceSubscriptionPosition: Earliest",
    },
    OperatorDefault {
        field: "spec.cleanupSubscription",
        kinds: "Function, Sink",
        operator: "false (Go zero value: no cleanup finalizer or Job)",
        pulsar: "true",
        reverse: "cleanupSubscription: false",
    },
    OperatorDefault {
        field: "spec.processingGuarantee",
        kinds: "Function, Sink, Source",
        operator: "atleast_once (webhook)",
        pulsar: "ATLEAST_ONCE",
        reverse: "processingGuarantees left unset (same meaning)",
    },
    OperatorDefault {
        field: "spec.windowConfig.actualWindowFunctionClassName",
        kinds: "Function",
        operator: "spec.className (controller, always)",
        pulsar: "the function's className",
        reverse: "className and windowConfig.actualWindowFunctionClassName: spec.className",
    },
    OperatorDefault {
        field: "spec.windowConfig.processingGuarantees",
        kinds: "Function",
        operator: "none: the window executor then acknowledges at least once",
        pulsar: "ATLEAST_ONCE",
        reverse: "processingGuarantees: ATLEAST_ONCE (ATMOST_ONCE when spec.processingGuarantee says so)",
    },
    OperatorDefault {
        field: "spec.windowConfig.slidingIntervalDurationMs",
        kinds: "Function",
        operator: "windowLengthDurationMs (webhook)",
        pulsar: "windowLengthDurationMs",
        reverse: "left unset (the forward conversion infers the same)",
    },
    OperatorDefault {
        field: "spec.autoAck",
        kinds: "Function, Sink (Source: always true)",
        operator: "true (webhook)",
        pulsar: "true",
        reverse: "autoAck: true",
    },
    OperatorDefault {
        field: "spec.forwardSourceMessageProperty",
        kinds: "Function, Source",
        operator: "true (webhook)",
        pulsar: "true",
        reverse: "forwardSourceMessageProperty: true (functions)",
    },
    OperatorDefault {
        field: "spec.maxPendingAsyncRequests",
        kinds: "Function",
        operator: "1000 (webhook)",
        pulsar: "1000",
        reverse: "left unset (same meaning)",
    },
    OperatorDefault {
        field: "spec.replicas",
        kinds: "Function, Sink, Source",
        operator: "spec.minReplicas, else 1 (webhook)",
        pulsar: "1",
        reverse: "parallelism left unset (1)",
    },
    OperatorDefault {
        field: "spec.minReplicas",
        kinds: "Function, Sink, Source",
        operator: "1 (CRD default), or spec.replicas (webhook)",
        pulsar: "(no such field)",
        reverse: "not expressible (see INEXPRESSIBLE)",
    },
    OperatorDefault {
        field: "spec.name",
        kinds: "Function, Sink, Source",
        operator: "metadata.name (webhook)",
        pulsar: "(required)",
        reverse: "name: the pulsar-component label, else spec.name, else metadata.name",
    },
    OperatorDefault {
        field: "spec.tenant",
        kinds: "Function, Sink, Source",
        operator: "public (webhook)",
        pulsar: "public",
        reverse: "tenant: public",
    },
    OperatorDefault {
        field: "spec.namespace",
        kinds: "Function, Sink, Source",
        operator: "default (webhook)",
        pulsar: "default",
        reverse: "namespace: default",
    },
    OperatorDefault {
        field: "spec.clusterName",
        kinds: "Function, Sink, Source",
        operator: "kubernetes (webhook)",
        pulsar: "the worker's cluster",
        reverse: "customRuntimeOptions.clusterName: kubernetes when the worker's own cluster differs",
    },
    OperatorDefault {
        field: "spec.resources.requests",
        kinds: "Function, Sink, Source",
        operator: "Kubernetes takes each missing request from spec.resources.limits",
        pulsar: "cpu 1, ram 1 GiB, disk 10 GiB",
        reverse: "resources read from requests, each missing one from limits",
    },
    OperatorDefault {
        field: "spec.resources.requests.cpu",
        kinds: "Function, Sink, Source",
        operator: "1 when requests are given without cpu (webhook)",
        pulsar: "1",
        reverse: "resources.cpu: 1",
    },
    OperatorDefault {
        field: "spec.input.typeClassName / spec.output.typeClassName",
        kinds: "Function, Sink (input), Source (output)",
        operator: "[B (webhook)",
        pulsar: "inferred from the class ([B for connectors without a catalogue)",
        reverse: "customRuntimeOptions input/outputTypeClassName left unset",
    },
    OperatorDefault {
        field: "spec.output.producerConf",
        kinds: "Source",
        operator: "maxPendingMessages 1000, maxPendingMessagesAcrossPartitions 1000, useThreadLocalProducers true (webhook)",
        pulsar: "client defaults, useThreadLocalProducers false",
        reverse: "producerConfig with the operator's three values",
    },
    OperatorDefault {
        field: "spec.subscriptionName",
        kinds: "Function, Sink",
        operator: "tenant/namespace/name (controller)",
        pulsar: "tenant/namespace/name",
        reverse: "left unset (same meaning)",
    },
    OperatorDefault {
        field: "spec.deadLetterTopic",
        kinds: "Function, Sink",
        operator: "tenant-namespace-name-DLQ when maxMessageRetry > 0 and no subscription name",
        pulsar: "the client's <topic>-<subscription>-DLQ",
        reverse: "left unset (the re-made resource leaves it out again, same meaning)",
    },
    OperatorDefault {
        field: "spec.retainOrdering / spec.retainKeyOrdering / spec.skipToLatest",
        kinds: "Function, Sink",
        operator: "false (Go zero value)",
        pulsar: "false",
        reverse: "retainOrdering / retainKeyOrdering: false",
    },
    OperatorDefault {
        field: "spec.timeout / spec.maxMessageRetry / spec.negativeAckRedeliveryDelayMs",
        kinds: "Function, Sink",
        operator: "0: none",
        pulsar: "none",
        reverse: "left unset",
    },
    OperatorDefault {
        field: "spec.logTopicAgent",
        kinds: "Function (runtime), Sink and Source (sidecar)",
        operator: "runtime / sidecar when logTopic is set (webhook)",
        pulsar: "(no such field)",
        reverse: "not expressible (see INEXPRESSIBLE)",
    },
];

/// A field of a resource that no Pulsar config can express.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inexpressible {
    /// Field path in the resource.
    pub field: &'static str,
    /// What the re-made resource has instead.
    pub remade: &'static str,
}

/// The fields a resource read back and re-submitted loses or has re-made from the worker's
/// settings, because a Pulsar config has no place for them. Everything else means the same
/// after `reverse` then `convert` (a test reads Function Mesh-style resources back, re-makes
/// them and compares every other field).
pub const INEXPRESSIBLE: &[Inexpressible] = &[
    Inexpressible {
        field: "metadata (name hash, labels, annotations other than managed, ownerReferences)",
        remade: "from the worker config and the config's tenant/namespace/name",
    },
    Inexpressible {
        field: "spec.java.jar / spec.python.py / spec.golang.go of a downloaded package",
        remade: "<downloadDirectory>/<package file name>: pass the file name with the request (`--package-file-name`)",
    },
    Inexpressible {
        field: "spec.java.extraDependenciesDir, javaOpts, instancePath, entryClass",
        remade: "from the worker config",
    },
    Inexpressible {
        field: "spec.image of a component outside trusted mode, imagePullPolicy, downloaderImage",
        remade: "from the worker config (functionRunnerImages, imagePullPolicy)",
    },
    Inexpressible {
        field: "spec.pod (everything but env, serviceAccountName, autoscaling and VPA)",
        remade: "from the worker config",
    },
    Inexpressible {
        field: "spec.pulsar (pulsarConfig, authSecret, tlsSecret, authConfig, tlsConfig)",
        remade: "from the worker config and the caller",
    },
    Inexpressible {
        field: "spec.minReplicas, spec.showPreciseParallelism",
        remade: "left out (the operator defaults them)",
    },
    Inexpressible {
        field: "spec.logTopicAgent",
        remade: "left out (runtime for functions, sidecar for connectors)",
    },
    Inexpressible {
        field: "spec.resources limits above the requests (cpu limit, memory padding)",
        remade: "cpu limit = request, memory limit = ram + 10 %",
    },
    Inexpressible {
        field: "spec.resources absent altogether (no requests: best effort)",
        remade: "the worker's defaultResources, else Pulsar's (cpu 1, ram 1 GiB)",
    },
    Inexpressible {
        field: "spec.resources ephemeral storage",
        remade: "left out (the Java worker ignores disk too)",
    },
    Inexpressible {
        field: "spec.statefulConfig, volumeMounts, secretsMap of an unknown shape",
        remade: "from the worker config (state storage URL, volume mounts)",
    },
    Inexpressible {
        field: "spec.input.topicPattern and customSerde/SchemaSources of a sink",
        remade: "folded into inputSpecs (same meaning)",
    },
];

/// The operator's subscription position for a field that may be absent (`earliest`).
pub(crate) fn subscription_position(
    p: Option<SubscriptionPosition>,
) -> SubscriptionInitialPosition {
    match p {
        Some(SubscriptionPosition::Latest) => SubscriptionInitialPosition::Latest,
        Some(SubscriptionPosition::Earliest) | None => SubscriptionInitialPosition::Earliest,
    }
}

/// The operator's `cleanupSubscription` for a field that may be absent (`false`).
pub(crate) fn cleanup_subscription(c: Option<bool>) -> Option<bool> {
    Some(c.unwrap_or(false))
}

/// The webhook's tenant for an absent or empty `spec.tenant`.
pub(crate) fn tenant(t: Option<&str>) -> Option<String> {
    Some(t.filter(|t| !t.is_empty()).unwrap_or("public").to_owned())
}

/// The webhook's namespace for an absent or empty `spec.namespace`.
pub(crate) fn namespace(n: Option<&str>) -> Option<String> {
    Some(n.filter(|n| !n.is_empty()).unwrap_or("default").to_owned())
}

/// The webhook's cluster for an absent or empty `spec.clusterName`.
pub(crate) fn cluster(c: Option<&str>) -> Option<String> {
    Some(
        c.filter(|c| !c.is_empty())
            .unwrap_or("kubernetes")
            .to_owned(),
    )
}

/// The producer the webhook gives a Source without `output.producerConf`.
pub(crate) fn source_producer() -> ProducerConfig {
    ProducerConfig {
        max_pending_messages: Some(1000),
        max_pending_messages_across_partitions: Some(1000),
        use_thread_local_producers: Some(true),
        ..Default::default()
    }
}

/// What Pulsar's GET shows as a window function's `processingGuarantees`: the window config's
/// own guarantee (the function itself runs with `MANUAL`, acknowledged by the window executor);
/// without one, a top-level `atmost_once` (as resources written before that split carry it),
/// else at-least-once, which is what the window executor does without one.
pub(crate) fn window_guarantee(
    window: Option<WindowProcessingGuarantee>,
    top: Option<ProcessingGuarantee>,
) -> ProcessingGuarantees {
    match (window, top) {
        (Some(WindowProcessingGuarantee::AtmostOnce), _) => ProcessingGuarantees::AtmostOnce,
        (Some(WindowProcessingGuarantee::AtleastOnce), _) => ProcessingGuarantees::AtleastOnce,
        (None, Some(ProcessingGuarantee::AtmostOnce)) => ProcessingGuarantees::AtmostOnce,
        (None, _) => ProcessingGuarantees::AtleastOnce,
    }
}

/// The window config's guarantee for a config's top-level one (Pulsar's conversion moves it
/// there: a window function only knows at-least-once and at-most-once).
pub(crate) fn window_guarantee_of(g: Option<ProcessingGuarantees>) -> WindowProcessingGuarantees {
    match g {
        Some(ProcessingGuarantees::AtmostOnce) => WindowProcessingGuarantees::AtmostOnce,
        _ => WindowProcessingGuarantees::AtleastOnce,
    }
}

/// A package reference without a scheme naming a package in Pulsar's function storage,
/// `tenant/namespace/name` (the operator downloads it with `pulsar-admin functions download
/// --path`), as Function Mesh's samples write `jarLocation`/`pyLocation`/`goLocation`: three
/// non-empty segments, not absolute, the last without a `.` (which a file name would have).
pub fn is_storage_path(s: &str) -> bool {
    if s.contains("://") || s.starts_with('/') {
        return false;
    }
    let parts: Vec<&str> = s.split('/').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && *p != "." && *p != "..")
        && parts.last().is_some_and(|p| !p.contains('.'))
}

/// The working directory of Function Mesh's runner images, against which the operator resolves
/// a relative `jar`/`py`/`go` path.
pub const RUNNER_WORKING_DIR: &str = "/pulsar/";

// The reverse conversion's reading of where a package comes from.

/// A function's package as the config names it: the download location when there is one (a
/// URL, or a `tenant/namespace/name` path in Pulsar's function storage), else the file in the
/// image, a relative one resolved against the runner's working directory (the forward
/// conversion takes an absolute path as a file in the image, a relative one as a local file).
pub(crate) fn function_package(
    path: &str,
    location: Option<&str>,
    field: &str,
) -> Result<String, ReverseError> {
    if let Some(l) = location.filter(|l| !l.is_empty()) {
        return if l.contains("://") || is_storage_path(l) {
            Ok(l.to_owned())
        } else {
            Err(ReverseError::UnsupportedLocation {
                path: format!("{field}Location"),
                value: l.to_owned(),
            })
        };
    }
    Ok(match path.strip_prefix("./").unwrap_or(path) {
        p if p.is_empty() || p.starts_with('/') => p.to_string(),
        p => format!("{}{p}", RUNNER_WORKING_DIR),
    })
}

/// A connector's archive: `builtin://<name>`, the download location (a URL or a path in
/// Pulsar's function storage), else the file in the image. A bare relative file name becomes
/// `./<name>`, so the forward conversion keeps it relative to the image's working directory
/// instead of reading it as an uploaded file in the download directory.
pub(crate) fn archive(
    java: &Option<JavaRuntime>,
    builtin: Option<&str>,
) -> Result<Option<String>, ReverseError> {
    if let Some(name) = builtin.filter(|n| !n.is_empty()) {
        return Ok(Some(format!("builtin://{name}")));
    }
    let Some(j) = java.as_ref() else {
        return Ok(None);
    };
    if let Some(l) = j.jar_location.as_ref().filter(|l| !l.is_empty()) {
        return if l.contains("://") || is_storage_path(l) {
            Ok(Some(l.clone()))
        } else {
            Err(ReverseError::UnsupportedLocation {
                path: "spec.java.jarLocation".into(),
                value: l.clone(),
            })
        };
    }
    Ok(Some(match j.jar.as_str() {
        p if p.is_empty() || p.contains('/') => p.to_string(),
        p => format!("./{p}"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_paths() {
        assert!(is_storage_path("public/default/nlu-test-java-function"));
        assert!(!is_storage_path("connectors/pulsar-io-x.nar"));
        assert!(!is_storage_path("a/b/c.jar"));
        assert!(!is_storage_path("/a/b/c"));
        assert!(!is_storage_path("function://a/b/c@1"));
        assert!(!is_storage_path("a//c"));
        assert!(!is_storage_path("a/b/c/d"));
    }
}
