//! Reading Function Mesh resources the way `kubectl get -o yaml` prints them: one resource, a
//! `List` (of mixed kinds), or several YAML documents; each resource's kind from its own `kind`.
//! The Secrets in a `List` that `fmesh convert` printed are skipped.

use fm_convert::{AnyResource, ComponentKind};
use serde::Deserialize;
use serde_yaml_ng::Value;

/// Every resource of a text, in order, and whether the text held more than one document or a
/// `List` (then the output is a list too). `fallback` is `--kind`, for documents without one.
pub fn resources(
    text: &str,
    fallback: Option<ComponentKind>,
) -> Result<(Vec<AnyResource>, bool), String> {
    fm_convert::parse::check_flow_depth(text).map_err(|e| e.to_string())?;
    let mut docs = Vec::new();
    for (i, de) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        // YAML's own value type refuses duplicate keys (a JSON value would keep the last).
        let value = Value::deserialize(de).map_err(|e| format!("document {}: {e}", i + 1))?;
        if !value.is_null() {
            docs.push((format!("document {}", i + 1), value));
        }
    }
    let several = docs.len() != 1;
    let mut out = Vec::new();
    let mut list = false;
    for (place, value) in docs {
        if value.get("kind").and_then(Value::as_str) == Some("List") {
            list = true;
            let items = value
                .get("items")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default();
            for (j, item) in items.into_iter().enumerate() {
                // `fmesh convert` lists the Secrets to create before the resource.
                if item.get("kind").and_then(Value::as_str) == Some("Secret") {
                    continue;
                }
                out.push(resource(&format!("{place}: items[{j}]"), item, fallback)?);
            }
        } else {
            out.push(resource(&place, value, fallback)?);
        }
    }
    if out.is_empty() {
        return Err("no resource in the input".into());
    }
    Ok((out, several || list))
}

fn resource(
    place: &str,
    value: Value,
    fallback: Option<ComponentKind>,
) -> Result<AnyResource, String> {
    let found = value.get("kind").and_then(Value::as_str);
    let kind = match (found, fallback) {
        (Some(k), Some(f)) => {
            let k = k
                .parse::<ComponentKind>()
                .map_err(|e| format!("{place}: {e}"))?;
            if k != f {
                return Err(format!(
                    "{place}: kind: the document is a {k}, but --kind says {f}"
                ));
            }
            k
        }
        (Some(k), None) => k.parse().map_err(|e| format!("{place}: {e}"))?,
        (None, Some(f)) => f,
        (None, None) => {
            return Err(format!(
                "{place}: kind: missing; give the document a `kind` or pass --kind"
            ))
        }
    };
    let json = serde_json::to_string(&value).map_err(|e| format!("{place}: {e}"))?;
    AnyResource::parse(kind, &json).map_err(|e| format!("{place}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nmetadata: {name: f}\nspec: {className: C, input: {topics: [a]}}\n";
    const S: &str = "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Sink\nmetadata: {name: s}\nspec: {className: C, input: {topics: [a]}}\n";

    #[test]
    fn one_list_or_several_documents() {
        let (one, many) = resources(F, None).unwrap();
        assert_eq!((one.len(), many), (1, false));
        assert_eq!(one[0].kind(), ComponentKind::Function);
        let (two, many) = resources(&format!("{F}---\n{S}---\n"), None).unwrap();
        assert!(many);
        assert_eq!(
            two.iter().map(AnyResource::kind).collect::<Vec<_>>(),
            [ComponentKind::Function, ComponentKind::Sink]
        );
        let list = format!(
            "apiVersion: v1\nkind: List\nitems:\n{}{}",
            indent(S),
            indent(F)
        );
        let (items, many) = resources(&list, None).unwrap();
        assert!(many);
        assert_eq!(
            items.iter().map(AnyResource::kind).collect::<Vec<_>>(),
            [ComponentKind::Sink, ComponentKind::Function]
        );
    }

    fn indent(doc: &str) -> String {
        let mut out = String::new();
        for (i, line) in doc.lines().enumerate() {
            out.push_str(if i == 0 { "- " } else { "  " });
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    #[test]
    fn kind_errors_name_the_document() {
        let no_kind = "metadata: {name: f}\nspec: {}\n";
        assert!(resources(no_kind, None)
            .unwrap_err()
            .contains("document 1: kind: missing"));
        assert_eq!(
            resources(no_kind, Some(ComponentKind::Source)).unwrap().0[0].kind(),
            ComponentKind::Source
        );
        let err = resources(&format!("{F}---\n{S}"), Some(ComponentKind::Function)).unwrap_err();
        assert!(err.starts_with("document 2: kind:"), "{err}");
        let dup = format!("{F}metadata: {{name: g}}\n");
        let err = resources(&dup, None).unwrap_err();
        assert!(err.contains("duplicate"), "{err}");
        let err = resources("kind: FunctionMesh\n", None).unwrap_err();
        assert!(err.contains("found `FunctionMesh`"), "{err}");
        assert_eq!(resources("", None).unwrap_err(), "no resource in the input");
    }
}
