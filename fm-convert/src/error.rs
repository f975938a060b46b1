//! Every error of fm-convert: what is wrong with a config ([`ValidationErrors`]), why a
//! conversion failed ([`ConvertError`]) and why a resource cannot be read back
//! ([`ReverseError`]). Each names the field path and what was expected.

use fm_model::ComponentKind;
use std::fmt;

/// One problem: where, and what Pulsar (or Kubernetes) says about it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ValidationIssue {
    /// Field path in the config (`parallelism`, `inputSpecs.t.receiverQueueSize`).
    pub path: String,
    /// The message (Pulsar's exact text where Pulsar has one).
    pub message: String,
}

/// Every problem found in a config (never empty when returned as an error).
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, thiserror::Error)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<ValidationIssue>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}:", if n == 1 { "" } else { "s" })?;
        for issue in &self.0 {
            write!(f, "\n  {}: {}", issue.path, issue.message)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    /// One problem at `path`.
    pub fn single(path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationErrors(vec![ValidationIssue {
            path: path.into(),
            message: message.into(),
        }])
    }

    /// The problems, in the order they were found.
    pub fn issues(&self) -> &[ValidationIssue] {
        &self.0
    }

    /// The number of problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The problems, by value.
    pub fn into_issues(self) -> Vec<ValidationIssue> {
        self.0
    }

    pub(crate) fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(ValidationIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(crate) fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl IntoIterator for ValidationErrors {
    type Item = ValidationIssue;
    type IntoIter = std::vec::IntoIter<ValidationIssue>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ValidationErrors {
    type Item = &'a ValidationIssue;
    type IntoIter = std::slice::Iter<'a, ValidationIssue>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Why a config could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// The config breaks Pulsar's or Function Mesh's rules (every problem is listed).
    #[error("{0}")]
    Invalid(#[from] ValidationErrors),
    /// Per-user authentication could not be resolved.
    #[error("authentication: {0}")]
    Auth(#[from] fm_auth::AuthError),
    /// The resource cannot be written for the target Function Mesh release.
    #[error("{0}")]
    Target(#[from] fm_compat::target::TargetError),
}

/// A resource that cannot be shown as a Pulsar config.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReverseError {
    /// A function or sink without input (Java: `FunctionSpec CRD without Input defined.`).
    #[error("{0}Spec CRD without Input defined.")]
    NoInput(ComponentKind),
    /// A package location the operator reads in a way no Pulsar config can name: neither a URL
    /// nor a `tenant/namespace/name` path in Pulsar's function storage.
    #[error("{path}: `{value}` is neither a package URL (function://, sink://, source://, http(s)://) nor a path in Pulsar's function storage (tenant/namespace/name), so no Pulsar config can name it")]
    UnsupportedLocation {
        /// Field path (`spec.java.jarLocation`, …).
        path: String,
        /// The location.
        value: String,
    },
    /// A resource quantity that does not parse.
    #[error("{path}: {message}")]
    BadQuantity {
        /// Field path.
        path: String,
        /// What is wrong.
        message: String,
    },
}
