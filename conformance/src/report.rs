//! Scenario outcomes and the closing line.

use std::fmt;

/// One mismatch: which object, which field, what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The object (e.g. `Function default/word-count` or `CRD functions.compute.functionmesh.io`).
    pub object: String,
    /// The field path (e.g. `spec.replicas`), or `-` for the object as a whole.
    pub field: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub got: String,
}

impl Failure {
    /// A failure of `object.field`.
    pub fn new(
        object: impl Into<String>,
        field: impl Into<String>,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        Failure {
            object: object.into(),
            field: field.into(),
            expected: expected.into(),
            got: got.into(),
        }
    }

    /// A failure because something the scenario needs is not there (a part, an API of fmesh).
    pub fn unavailable(object: impl Into<String>, reason: impl fmt::Display) -> Self {
        Failure::new(object, "-", "available", reason.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: field `{}`: expected {}, got {}",
            self.object, self.field, self.expected, self.got
        )
    }
}

/// The outcome of one scenario.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Mismatches; empty means passed.
    pub failures: Vec<Failure>,
    /// Notes printed under the scenario line (e.g. the asserted list of CRD differences).
    pub notes: Vec<String>,
    /// Set when the scenario could not run because a part is known to be unobtainable here (the reason, one
    /// line): neither passed nor failed.
    pub blocked: Option<String>,
    /// Which Function Mesh CRDs the scenario ran against (for the scenario line), when it used any.
    pub crds: Option<String>,
}

impl Outcome {
    /// Whether the scenario passed (ran, and nothing failed).
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.blocked.is_none()
    }

    /// Whether the scenario failed (a blocked scenario has not failed unless it recorded failures).
    pub fn failed(&self) -> bool {
        !self.failures.is_empty()
    }

    /// A scenario that could not run because a part is known to be unobtainable (`reason`, one line).
    pub fn blocked(reason: impl Into<String>) -> Self {
        Outcome {
            blocked: Some(reason.into()),
            ..Outcome::default()
        }
    }

    /// Records a failure.
    pub fn fail(&mut self, f: Failure) {
        self.failures.push(f);
    }

    /// Records a failure unless `expected == got`.
    pub fn check_eq<T: PartialEq + fmt::Debug>(
        &mut self,
        object: &str,
        field: &str,
        expected: T,
        got: T,
    ) {
        if expected != got {
            self.fail(Failure::new(
                object,
                field,
                format!("{expected:?}"),
                format!("{got:?}"),
            ));
        }
    }

    /// Adds a note.
    pub fn note(&mut self, n: impl Into<String>) {
        self.notes.push(n.into());
    }

    /// An outcome with a single failure.
    pub fn failed_with(f: Failure) -> Self {
        Outcome {
            failures: vec![f],
            ..Outcome::default()
        }
    }
}

/// The line before the closing line: how many scenarios were blocked.
pub fn blocked_line(blocked: usize) -> String {
    format!("conformance: {blocked} scenarios blocked (see docs/conformance-blockers.md)")
}

/// The closing line of a run.
pub fn summary_line(passed: usize, failed: usize, backend: &str) -> String {
    format!("conformance: {passed} scenarios passed, {failed} failed (backend: {backend})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_line_format() {
        assert_eq!(
            summary_line(12, 0, "local"),
            "conformance: 12 scenarios passed, 0 failed (backend: local)"
        );
    }

    #[test]
    fn blocked_is_neither_passed_nor_failed() {
        let o = Outcome::blocked("needs the operator");
        assert!(!o.passed());
        assert!(!o.failed());
        assert_eq!(
            blocked_line(3),
            "conformance: 3 scenarios blocked (see docs/conformance-blockers.md)"
        );
    }

    #[test]
    fn failure_names_object_field_expected_got() {
        let mut o = Outcome::default();
        o.check_eq(
            "StatefulSet ns/a-function",
            "spec.replicas",
            Some(2),
            Some(1),
        );
        assert!(!o.passed());
        assert_eq!(
            o.failures[0].to_string(),
            "StatefulSet ns/a-function: field `spec.replicas`: expected Some(2), got Some(1)"
        );
    }
}
