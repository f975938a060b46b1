//! Resources targeted at an older Function Mesh release.
//!
//! The field history of Function, Sink and Source — which JSON path exists in which Function
//! Mesh release, per kind — is data (`data/field-history.yaml`, embedded), not code. From it,
//! [`prune_for_target`] removes every field a target release lacks and reports each as a
//! [`DroppedField`] (path and the release that introduced it), or refuses with
//! [`TargetError::BehaviourChange`] when a dropped field is *behavioural*.
//!
//! # Behavioural fields
//! A field is behavioural when losing it changes what the function does, as opposed to how it
//! is placed, scaled, logged or reported. The history marks them with an `error:` text naming
//! the change. Behavioural: Pulsar credentials and TLS (`spec.pulsar.authSecret`, `tlsSecret`,
//! `authConfig` — string form ≤ v0.1.4 and object form since v0.6.0 —, `authConfig.genericAuth`,
//! `tlsConfig`), the package service (`spec.pulsarPackageService`), state
//! (`spec.statefulConfig`), windowing (`spec.windowConfig` and a non-default window processing
//! guarantee), batch sources (`spec.batchSourceConfig`), what code runs (`spec.genericRuntime`,
//! `spec.image`, the Function connector overrides `spec.sourceConfig`/`spec.sinkConfig`,
//! connector/user config values that are not strings before v0.1.7, `java.javaOpts`,
//! `java.extraDependenciesDir`, non-default `java.instancePath`/`entryClass`, package
//! locations, download tools `imageHasPulsarctl`/`imageHasGet` when true), message semantics
//! (`processingGuarantee: manual` before v0.14.0, `retainKeyOrdering`/`skipToLatest` when true,
//! a non-`[B` `typeClassName`, `forwardSourceMessageProperty: false` on a Source,
//! `cryptoConfig`), the Pulsar namespace (`spec.namespace` unless equal to
//! `metadata.namespace`), and what the pod can reach (`pod.env`, `pod.volumes`,
//! `volumeMounts`, `volumeClaimTemplates`, `pod.initContainers`, `pod.sidecars`,
//! `pod.serviceAccountName`, `pod.securityContext`, `pod.imagePullSecrets`).
//!
//! Warnings only: placement and autoscaling (`pod.labels`, `annotations`, `nodeSelector`,
//! `affinity`, `tolerations`, `builtinAutoscaler`, `autoScalingMetrics`, `autoScalingBehavior`,
//! `vpa`, `liveness`, `disableDefaultAffinity`, `minReplicas`), logging (`*.log.*`,
//! `logTopic` on Sink/Source, `logTopicAgent`, `filebeatImage`), images of auxiliary
//! containers (`downloaderImage`, `cleanupImage`), `imagePullPolicy` (overwritten by the
//! operator), `showPreciseParallelism`, producer tuning (`batchBuilder`, `compressionType`),
//! `cleanupAuthConfig` (the cleanup Job falls back to `authConfig`),
//! `persistentVolumeClaimRetentionPolicy`, and `status`.
//!
//! # Other rules
//! * Renames are applied, not dropped: `windowConfig.processingGuarantees` is written
//!   `processingGuarantee` for v0.23.0 (and back for v0.23.1 and later).
//! * Value shapes count: `authConfig` as a string exists only in v0.1.0–v0.1.4, as an object
//!   from v0.6.0; `funcConfig`/connector configs with non-string values need v0.1.7;
//!   `processingGuarantee: manual` needs v0.14.0.
//! * For a target before v0.1.4 the `apiVersion` group becomes `cloud.streamnative.io`.
//! * Fields the history does not know (or does not know for this kind) are left alone, as is
//!   the inside of embedded Kubernetes types and free-form maps.
//! * The target must be a known release tag (main line plus backport tags, which are treated
//!   by version order).
//! * Values never appear in reports or errors (they may be secrets).

use crate::version::{FunctionMeshVersion, VersionError};
use serde_json::Value;
use std::fmt;

mod history;
mod prune;

pub use history::FieldHistory;

/// The kind of resource a field history speaks of: fm-model's one [`fm_model::ComponentKind`].
pub use fm_model::ComponentKind as ResourceKind;

/// A field removed because the target release lacks it (a warning).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedField {
    /// JSON path in the document, e.g. `spec.pulsar.tlsConfig`; map keys that are not plain
    /// identifiers are written `["key"]`, list elements `[i]`.
    pub path: String,
    /// The release that introduced the field (with this value's shape). For a field the target
    /// lacks because it was removed, the release it first appeared in.
    pub introduced_in: FunctionMeshVersion,
    /// For a field removed before the target: the first release without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<FunctionMeshVersion>,
}

impl fmt::Display for DroppedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.removed_in {
            Some(removed) => write!(
                f,
                "{}: removed in Function Mesh {removed} (present from {})",
                self.path, self.introduced_in
            ),
            None => write!(
                f,
                "{}: introduced in Function Mesh {}",
                self.path, self.introduced_in
            ),
        }
    }
}

/// A dropped field whose loss would change behaviour the user asked for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BehaviouralField {
    /// The field (path and releases).
    #[serde(flatten)]
    pub field: DroppedField,
    /// What would change without it.
    pub reason: String,
}

impl fmt::Display for BehaviouralField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} — {}", self.field, self.reason)
    }
}

/// Everything pruning found: warnings and behavioural losses.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PruneReport {
    /// Dropped fields whose loss is only a warning.
    pub dropped: Vec<DroppedField>,
    /// Dropped fields whose loss changes behaviour.
    pub behavioural: Vec<BehaviouralField>,
}

/// Why a resource could not be targeted at a release.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The target is not a known Function Mesh release.
    #[error(
        "--target-version {target}: not a known Function Mesh release (known: {oldest} … {newest})"
    )]
    UnknownRelease {
        /// The requested target.
        target: FunctionMeshVersion,
        /// Oldest known release.
        oldest: FunctionMeshVersion,
        /// Newest known release.
        newest: FunctionMeshVersion,
    },
    /// A `kind` string is not Function, Sink or Source.
    #[error(transparent)]
    UnknownKind(#[from] fm_model::UnknownKind),
    /// The document's `kind` differs from the kind asked for.
    #[error("kind: expected `{expected}`, found `{found}`")]
    KindMismatch {
        /// The kind asked for.
        expected: ResourceKind,
        /// The document's kind.
        found: String,
    },
    /// The document's `apiVersion` is not a Function Mesh group.
    #[error("apiVersion: expected compute.functionmesh.io/v1alpha1 (or cloud.streamnative.io/v1alpha1), found `{found}`")]
    ForeignApiVersion {
        /// The document's apiVersion (or its JSON type when not a string).
        found: String,
    },
    /// A part of the document that must be an object is not.
    #[error("{path}: expected a JSON object")]
    NotAnObject {
        /// Where.
        path: String,
    },
    /// A rename for the target collides with a field already present under the new name.
    #[error("{path}: cannot be written as `{name}` for Function Mesh {target}: that field is also present")]
    RenameConflict {
        /// The field to rename.
        path: String,
        /// Its name in the target release.
        name: String,
        /// The target.
        target: FunctionMeshVersion,
    },
    /// Dropping fields would change behaviour the user asked for.
    #[error("Function Mesh {target} lacks fields this resource relies on: {}", join_fields(.fields))]
    BehaviourChange {
        /// The target.
        target: FunctionMeshVersion,
        /// Every behavioural field the target lacks.
        fields: Vec<BehaviouralField>,
    },
}

fn join_fields(fields: &[BehaviouralField]) -> String {
    fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why a field history could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    /// The YAML does not have the expected shape.
    #[error("field history YAML: {0}")]
    Yaml(String),
    /// A release in the history is malformed.
    #[error("field history, {context}: {source}")]
    Version {
        /// Where (`releases`, `apiGroups`, or a field path).
        context: String,
        /// The version error.
        #[source]
        source: VersionError,
    },
    /// `releases` is empty or not strictly ascending.
    #[error("field history: releases must be non-empty and strictly ascending (at {at})")]
    Releases {
        /// The first out-of-order release (or `empty`).
        at: String,
    },
    /// A field path is malformed or repeated.
    #[error("field history, field `{path}`: {reason}")]
    Field {
        /// The field path.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// Makes `resource` (a whole Function, Sink or Source document) fit Function Mesh `target`:
/// removes every field that release lacks and returns them (path and introducing release) as
/// warnings. Fails with [`TargetError::BehaviourChange`], naming every such field, when a
/// dropped field is behavioural (see the module docs); on any error `resource` is unchanged.
///
/// This reads the embedded history on every call; a caller that targets many resources holds
/// one [`FieldHistory::embedded`] and calls [`FieldHistory::prune`] (as `fm_convert::Worker`
/// does).
pub fn prune_for_target(
    kind: ResourceKind,
    resource: &mut Value,
    target: &FunctionMeshVersion,
) -> Result<Vec<DroppedField>, TargetError> {
    FieldHistory::embedded().prune(kind, resource, target)
}
