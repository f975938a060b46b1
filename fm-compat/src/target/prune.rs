//! The pruning walk: a resource document made to fit a target release, with every dropped field
//! reported.

use super::history::{kind_index, FieldHistory, Window};
use super::{BehaviouralField, DroppedField, PruneReport, ResourceKind, TargetError};
use crate::version::FunctionMeshVersion;
use serde_json::Value;
use std::collections::HashSet;

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn child_display(parent: &str, key: &str) -> String {
    if is_identifier(key) {
        if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        }
    } else {
        format!("{parent}[{}]", Value::String(key.to_owned()))
    }
}

fn value_matches(pattern: &Value, value: &Value) -> bool {
    match (pattern, value) {
        (Value::Object(p), Value::Object(v)) => p.iter().all(|(k, pv)| v.get(k) == Some(pv)),
        _ => pattern == value,
    }
}

fn lookup<'a>(root: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(root, |v, seg| v.get(seg.as_str()))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

enum Decision {
    Keep(Option<String>),
    Drop(DroppedField),
    UnknownShape,
}

struct Ctx<'a> {
    kind: ResourceKind,
    target: FunctionMeshVersion,
    original: &'a Value,
}

impl FieldHistory {
    fn decide(
        windows: &[Window],
        target: &FunctionMeshVersion,
        value: &Value,
        path: &str,
    ) -> Decision {
        let fitting: Vec<&Window> = windows.iter().filter(|w| w.shape.accepts(value)).collect();
        if fitting.is_empty() {
            return Decision::UnknownShape;
        }
        if let Some(w) = fitting.iter().find(|w| w.covers(target)) {
            return Decision::Keep(w.rename.clone());
        }
        if let Some(from) = fitting.iter().map(|w| w.from).filter(|f| f > target).min() {
            return Decision::Drop(DroppedField {
                path: path.to_owned(),
                introduced_in: from,
                removed_in: None,
            });
        }
        match fitting
            .iter()
            .filter(|w| w.before.is_some())
            .max_by_key(|w| w.from)
        {
            Some(w) => Decision::Drop(DroppedField {
                path: path.to_owned(),
                introduced_in: w.from,
                removed_in: w.before,
            }),
            None => Decision::UnknownShape,
        }
    }

    fn walk(
        &self,
        ctx: &Ctx<'_>,
        value: &mut Value,
        pattern: &mut Vec<String>,
        display: &str,
        report: &mut PruneReport,
    ) -> Result<(), TargetError> {
        let prefixes = self.prefixes.get(kind_index(ctx.kind));
        let descends = |p: &Vec<String>| prefixes.is_some_and(|s| s.contains(p));
        match value {
            Value::Array(items) => {
                pattern.push("*".to_owned());
                if descends(pattern) {
                    for (i, item) in items.iter_mut().enumerate() {
                        self.walk(ctx, item, pattern, &format!("{display}[{i}]"), report)?;
                    }
                }
                pattern.pop();
                Ok(())
            }
            Value::Object(map) => {
                let old = std::mem::take(map);
                let old_keys: HashSet<String> = old.keys().cloned().collect();
                for (key, mut child) in old {
                    let path = child_display(display, &key);
                    let mut exact = pattern.clone();
                    exact.push(key.clone());
                    let mut wild = pattern.clone();
                    wild.push("*".to_owned());
                    let (found, seg_path) = match self.windows_for(ctx.kind, &exact) {
                        Some(hit) => (Some(hit), exact),
                        None => match self.windows_for(ctx.kind, &wild) {
                            Some(hit) => (Some(hit), wild),
                            None if descends(&exact) => (None, exact),
                            None => (None, wild),
                        },
                    };
                    let mut seg_path = seg_path;
                    let Some((entry, ws)) = found else {
                        if descends(&seg_path) {
                            self.walk(ctx, &mut child, &mut seg_path, &path, report)?;
                        }
                        map.insert(key, child);
                        continue;
                    };
                    match Self::decide(ws, &ctx.target, &child, &path) {
                        Decision::UnknownShape => {
                            map.insert(key, child);
                        }
                        Decision::Keep(rename) => {
                            if descends(&seg_path) {
                                self.walk(ctx, &mut child, &mut seg_path, &path, report)?;
                            }
                            let name = match rename {
                                Some(name) if name != key => {
                                    if old_keys.contains(&name) {
                                        return Err(TargetError::RenameConflict {
                                            path,
                                            name,
                                            target: ctx.target,
                                        });
                                    }
                                    name
                                }
                                _ => key,
                            };
                            map.insert(name, child);
                        }
                        Decision::Drop(field) => match &entry.behaviour {
                            Some(b)
                                if !b.harmless.iter().any(|h| value_matches(h, &child))
                                    && !b.same_as.as_ref().is_some_and(|p| {
                                        lookup(ctx.original, p) == Some(&child)
                                    }) =>
                            {
                                report.behavioural.push(BehaviouralField {
                                    field,
                                    reason: b.why.clone(),
                                });
                            }
                            _ => report.dropped.push(field),
                        },
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn check_target(&self, target: &FunctionMeshVersion) -> Result<(), TargetError> {
        if self.releases.contains(target) {
            return Ok(());
        }
        let (Some(oldest), Some(newest)) = (self.releases.first(), self.releases.last()) else {
            // ok: from_yaml guarantees a non-empty release list; report the target itself.
            return Err(TargetError::UnknownRelease {
                target: *target,
                oldest: *target,
                newest: *target,
            });
        };
        Err(TargetError::UnknownRelease {
            target: *target,
            oldest: *oldest,
            newest: *newest,
        })
    }

    /// Removes from `resource` every field `target` lacks and reports them all, behavioural or
    /// not, without failing on behavioural ones (for callers that let the user force it). On an
    /// error `resource` is unchanged.
    pub fn prune_report(
        &self,
        kind: ResourceKind,
        resource: &mut Value,
        target: &FunctionMeshVersion,
    ) -> Result<PruneReport, TargetError> {
        let (pruned, report) = self.pruned(kind, resource, target)?;
        *resource = pruned;
        Ok(report)
    }

    /// Like [`prune_for_target`](super::prune_for_target), with this history.
    pub fn prune(
        &self,
        kind: ResourceKind,
        resource: &mut Value,
        target: &FunctionMeshVersion,
    ) -> Result<Vec<DroppedField>, TargetError> {
        let (pruned, report) = self.pruned(kind, resource, target)?;
        if !report.behavioural.is_empty() {
            return Err(TargetError::BehaviourChange {
                target: *target,
                fields: report.behavioural,
            });
        }
        *resource = pruned;
        Ok(report.dropped)
    }

    fn pruned(
        &self,
        kind: ResourceKind,
        original: &Value,
        target: &FunctionMeshVersion,
    ) -> Result<(Value, PruneReport), TargetError> {
        self.check_target(target)?;
        let mut resource = original.clone();
        let Value::Object(root) = &mut resource else {
            return Err(TargetError::NotAnObject {
                path: "(document)".to_owned(),
            });
        };
        if let Some(found) = root.get("kind") {
            if found.as_str() != Some(kind.as_str()) {
                return Err(TargetError::KindMismatch {
                    expected: kind,
                    found: found
                        .as_str()
                        .map_or_else(|| json_type(found).to_owned(), str::to_owned),
                });
            }
        }
        for key in ["spec", "status"] {
            if let Some(v) = root.get(key) {
                if !v.is_object() {
                    return Err(TargetError::NotAnObject {
                        path: key.to_owned(),
                    });
                }
            }
        }
        if let Some(api_version) = root.get_mut("apiVersion") {
            let text = api_version.as_str().unwrap_or_default().to_owned();
            let known = text
                .split_once('/')
                .filter(|(group, _)| self.api_groups.iter().any(|(_, g)| g == group));
            let Some((_, ver)) = known else {
                return Err(TargetError::ForeignApiVersion {
                    found: if api_version.is_string() {
                        text
                    } else {
                        json_type(api_version).to_owned()
                    },
                });
            };
            if let Some((_, group)) = self
                .api_groups
                .iter()
                .rev()
                .find(|(from, _)| from <= target)
            {
                *api_version = Value::String(format!("{group}/{ver}"));
            }
        }
        let ctx = Ctx {
            kind,
            target: *target,
            original,
        };
        let mut report = PruneReport::default();
        self.walk(&ctx, &mut resource, &mut Vec::new(), "", &mut report)?;
        Ok((resource, report))
    }
}
