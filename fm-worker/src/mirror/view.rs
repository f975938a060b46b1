//! The mirror's view of one kind: the kept resources by name, and their list entries.

use std::collections::{BTreeSet, HashMap};

use kube::api::DynamicObject;

use super::{Listing, ListingFn};

/// The kept resources of one kind.
#[derive(Default)]
pub(super) struct View {
    /// By resource name.
    pub(super) objects: HashMap<String, Entry>,
    /// `(tenant, namespace, component name, resource name)`, for list.
    listed: BTreeSet<(String, String, String, String)>,
}

/// One kept resource.
pub(super) struct Entry {
    /// The resource's JSON without `managedFields`.
    pub(super) json: Box<str>,
    listings: Vec<Listing>,
}

impl View {
    fn insert(&mut self, name: String, entry: Entry) {
        self.remove(&name);
        for (t, ns, n) in &entry.listings {
            self.listed
                .insert((t.clone(), ns.clone(), n.clone(), name.clone()));
        }
        self.objects.insert(name, entry);
    }

    fn remove(&mut self, name: &str) {
        if let Some(old) = self.objects.remove(name) {
            for (t, ns, n) in old.listings {
                self.listed.remove(&(t, ns, n, name.to_owned()));
            }
        }
    }

    /// The component names listed under `tenant`/`namespace`, sorted, each once.
    pub(super) fn names(&self, tenant: &str, namespace: &str) -> Vec<String> {
        let from = (
            tenant.to_owned(),
            namespace.to_owned(),
            String::new(),
            String::new(),
        );
        let mut out: Vec<String> = Vec::new();
        for (t, ns, n, _) in self.listed.range(from..) {
            if t != tenant || ns != namespace {
                break;
            }
            if out.last() != Some(n) {
                out.push(n.clone());
            }
        }
        out
    }
}

/// Puts `object` into `view` (or takes it out).
pub(super) fn apply(
    view: &mut View,
    mut object: DynamicObject,
    deleted: bool,
    listings: &ListingFn,
) {
    let Some(name) = object.metadata.name.clone() else {
        return;
    };
    if deleted {
        view.remove(&name);
        return;
    }
    object.metadata.managed_fields = None;
    let listed = object
        .metadata
        .labels
        .as_ref()
        .map(listings)
        .unwrap_or_default();
    match serde_json::to_string(&object) {
        Ok(json) => view.insert(
            name,
            Entry {
                json: json.into_boxed_str(),
                listings: listed,
            },
        ),
        // Cannot happen for an object that was just read from JSON; not kept if it does.
        Err(_) => view.remove(&name),
    }
}

/// Helpers of the mirror's tests: objects, and putting them into a view.
#[cfg(test)]
pub(super) mod test_support {
    use std::collections::BTreeMap;

    use super::*;

    pub(in crate::mirror) fn listings(labels: &BTreeMap<String, String>) -> Vec<Listing> {
        match (labels.get("t"), labels.get("ns"), labels.get("n")) {
            (Some(t), Some(ns), Some(n)) => vec![(t.clone(), ns.clone(), n.clone())],
            _ => Vec::new(),
        }
    }

    pub(in crate::mirror) fn object(
        name: &str,
        rv: &str,
        t: &str,
        ns: &str,
        n: &str,
    ) -> DynamicObject {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "compute.functionmesh.io/v1alpha1", "kind": "Function",
            "metadata": {
                "name": name, "resourceVersion": rv,
                "labels": {"t": t, "ns": ns, "n": n},
                "managedFields": [{"manager": "fmesh-worker", "operation": "Apply"}]
            },
            "spec": {"className": "C"}
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Applies one object (`name` at `rv`, listed as tenant/namespace/name `at`) to `v`, or
    /// takes it out.
    pub(in crate::mirror) fn put(
        v: &mut View,
        name: &str,
        rv: &str,
        at: (&str, &str, &str),
        deleted: bool,
    ) {
        apply(v, object(name, rv, at.0, at.1, at.2), deleted, &listings);
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::put;
    use super::*;

    #[test]
    fn a_view_lists_each_name_once_sorted_and_forgets_deleted_ones() {
        let mut v = View::default();
        put(&mut v, "r-b", "1", ("public", "default", "b"), false);
        put(&mut v, "r-a", "2", ("public", "default", "a"), false);
        put(&mut v, "r-a2", "3", ("public", "default", "a"), false);
        put(&mut v, "r-c", "4", ("public", "other", "c"), false);
        put(&mut v, "r-d", "5", ("publicx", "default", "d"), false);
        assert_eq!(v.names("public", "default"), ["a", "b"]);
        assert_eq!(v.names("public", "other"), ["c"]);
        assert!(v.names("public", "none").is_empty());
        put(&mut v, "r-a", "6", ("public", "default", "a"), true);
        assert_eq!(v.names("public", "default"), ["a", "b"]);
        put(&mut v, "r-a2", "7", ("public", "default", "a"), true);
        assert_eq!(v.names("public", "default"), ["b"]);
        // A relabelled resource moves.
        put(&mut v, "r-b", "8", ("public", "other", "b"), false);
        assert!(v.names("public", "default").is_empty());
        assert_eq!(v.names("public", "other"), ["b", "c"]);
    }

    #[test]
    fn a_kept_resource_has_no_managed_fields() {
        let mut v = View::default();
        put(&mut v, "r", "1", ("t", "n", "x"), false);
        let json = &v.objects["r"].json;
        assert!(!json.contains("managedFields"), "{json}");
        assert!(json.contains("\"className\":\"C\""), "{json}");
    }
}
