//! Structural comparison of two CRD OpenAPI v3 schemas (as JSON): every field of the reference schema must exist
//! in the candidate with the same type.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

/// One structural difference at a field path (dot-separated; `[]` marks array items, `{}` map values).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SchemaDiff {
    /// The reference has the field, the candidate does not.
    Missing(String),
    /// Both have the field with different types (`reference`, `candidate`).
    TypeMismatch(String, String, String),
    /// The candidate has a field the reference does not.
    Extra(String),
}

impl fmt::Display for SchemaDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaDiff::Missing(p) => write!(f, "missing {p}"),
            SchemaDiff::TypeMismatch(p, r, c) => write!(f, "type {p}: upstream {r}, fmesh {c}"),
            SchemaDiff::Extra(p) => write!(f, "extra {p}"),
        }
    }
}

/// The effective type of a schema node: `type`, or `int-or-string`, or `any` (preserve-unknown without type).
pub fn node_type(s: &Value) -> String {
    if s.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true) {
        return "int-or-string".into();
    }
    if let Some(t) = s.get("type").and_then(Value::as_str) {
        return t.to_owned();
    }
    // anyOf/oneOf [integer, string] as schemars emits for IntOrString-like types
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let ts: BTreeSet<_> = alts
                .iter()
                .filter_map(|a| a.get("type").and_then(Value::as_str))
                .collect();
            if ts.len() == 2 && ts.contains("integer") && ts.contains("string") {
                return "int-or-string".into();
            }
        }
    }
    if s.get("properties").is_some() {
        return "object".into();
    }
    "any".into()
}

/// Compares `candidate` against `reference` from `path` down. The result is sorted.
pub fn diff(reference: &Value, candidate: &Value, path: &str) -> Vec<SchemaDiff> {
    let mut out = Vec::new();
    walk(reference, candidate, path, &mut out);
    out.sort();
    out
}

fn walk(r: &Value, c: &Value, path: &str, out: &mut Vec<SchemaDiff>) {
    let (rt, ct) = (node_type(r), node_type(c));
    if rt != ct && rt != "any" {
        out.push(SchemaDiff::TypeMismatch(path.to_owned(), rt.clone(), ct));
        return;
    }
    if let Some(rp) = r.get("properties").and_then(Value::as_object) {
        let cp = c.get("properties").and_then(Value::as_object);
        for (k, rv) in rp {
            let p = join(path, k);
            match cp.and_then(|m| m.get(k)) {
                Some(cv) => walk(rv, cv, &p, out),
                None => out.push(SchemaDiff::Missing(p)),
            }
        }
        if let Some(cp) = cp {
            for k in cp.keys().filter(|k| !rp.contains_key(*k)) {
                out.push(SchemaDiff::Extra(join(path, k)));
            }
        }
    }
    if let (Some(ri), Some(ci)) = (r.get("items"), c.get("items")) {
        walk(ri, ci, &format!("{path}[]"), out);
    }
    if let Some(ra) = r.get("additionalProperties").filter(|v| v.is_object()) {
        match c.get("additionalProperties").filter(|v| v.is_object()) {
            Some(ca) => walk(ra, ca, &format!("{path}{{}}"), out),
            None => out.push(SchemaDiff::Missing(format!("{path}{{}}"))),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_missing_extra_and_type_mismatches() {
        let r = json!({"type": "object", "properties": {
            "a": {"type": "string"},
            "b": {"type": "integer"},
            "c": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "string"}}}},
            "m": {"type": "object", "additionalProperties": {"type": "object", "properties": {"k": {"type": "string"}}}},
            "q": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]}
        }});
        let c = json!({"type": "object", "properties": {
            "a": {"type": "string"},
            "b": {"type": "string"},
            "c": {"type": "array", "items": {"type": "object", "properties": {}}},
            "m": {"type": "object", "additionalProperties": {"type": "object", "properties": {"k": {"type": "string"}}}},
            "q": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "z": {"type": "boolean"}
        }});
        assert_eq!(
            diff(&r, &c, "spec"),
            vec![
                SchemaDiff::Missing("spec.c[].x".into()),
                SchemaDiff::TypeMismatch("spec.b".into(), "integer".into(), "string".into()),
                SchemaDiff::Extra("spec.z".into()),
            ]
        );
    }

    #[test]
    fn identical_schemas_have_no_diff() {
        let r = json!({"type": "object", "properties": {"a": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}});
        assert!(diff(&r, &r, "spec").is_empty());
    }
}
