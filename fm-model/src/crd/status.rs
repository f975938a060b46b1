//! The status conversion of a Function, Sink or Source: the fields the CRD requires, checked.

use super::common::{ResourceCondition, ResourceStatus};
use std::collections::BTreeMap;

/// A [`ResourceStatus`] with every field the CRD requires present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedStatus<'a> {
    /// `status.conditions`.
    pub conditions: &'a BTreeMap<String, ResourceCondition>,
    /// `status.replicas`.
    pub replicas: i32,
    /// `status.selector`.
    pub selector: &'a str,
}

/// A status field the CRD requires is missing (the status conversion cannot go on).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: missing (the operator writes it once it has reconciled the resource)")]
pub struct MissingStatusField {
    /// Path of the missing field, e.g. `status.selector`.
    pub field: &'static str,
}

impl ResourceStatus {
    /// The status with its required fields, or the first missing one (in the CRD's order:
    /// `conditions`, `replicas`, `selector`).
    pub fn checked(&self) -> Result<CheckedStatus<'_>, MissingStatusField> {
        let missing = |field| MissingStatusField { field };
        Ok(CheckedStatus {
            conditions: self
                .conditions
                .as_ref()
                .ok_or_else(|| missing("status.conditions"))?,
            replicas: self.replicas.ok_or_else(|| missing("status.replicas"))?,
            selector: self
                .selector
                .as_deref()
                .ok_or_else(|| missing("status.selector"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_names_each_missing_field() {
        let mut s = ResourceStatus::default();
        assert_eq!(s.checked().unwrap_err().field, "status.conditions");
        s.conditions = Some(BTreeMap::new());
        assert_eq!(s.checked().unwrap_err().field, "status.replicas");
        s.replicas = Some(2);
        let err = s.checked().unwrap_err();
        assert_eq!(err.field, "status.selector");
        assert!(err.to_string().starts_with("status.selector: missing"));
        s.selector = Some("a=b".into());
        let c = s.checked().unwrap();
        assert_eq!((c.replicas, c.selector), (2, "a=b"));
    }
}
