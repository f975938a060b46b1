//! `data/field-history.yaml` checked against the real schemas: the `openAPIV3Schema` of the Function, Sink
//! and Source CRDs that Function Mesh published at every release tag, as found in
//! `${FMESH_SHARED:-<repo>/../shared}/function-mesh/<tag>/crds/*.yaml`.
//!
//! For every release, every path the history lists and every kind: the path is in that release's schema
//! exactly when the history says the kind has it (spelled so) in that release — renames and removals
//! included; a kind without a key must never have the path. Where the history gives a shape (`string`,
//! `object`, `string-map`) or `values`, the schema's type (enum) must agree. The API group of each release's
//! CRDs must be the one `apiGroups` names. Mismatches are listed path by path with the releases concerned.
//!
//! Without the shared folder (a clone elsewhere) the test prints one line saying so and passes.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fm_compat::target::{FieldHistory, ResourceKind};
use fm_compat::FunctionMeshVersion;
use serde_json::Value;

const KINDS: [(ResourceKind, &str, &str); 3] = [
    (ResourceKind::Function, "function", "functions"),
    (ResourceKind::Sink, "sink", "sinks"),
    (ResourceKind::Source, "source", "sources"),
];

fn shared_dir() -> PathBuf {
    match std::env::var_os("FMESH_SHARED") {
        Some(p) => PathBuf::from(p).join("function-mesh"),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/function-mesh")
            .to_path_buf(),
    }
}

fn v(s: &str) -> FunctionMeshVersion {
    s.parse()
        .unwrap_or_else(|e| panic!("version `{s}` in the test data: {e}"))
}

/// One release's Function, Sink and Source CRDs: (group, openAPIV3Schema) per plural.
struct Release {
    tag: FunctionMeshVersion,
    crds: BTreeMap<String, (String, Value)>,
}

fn load_release(dir: &Path, tag: FunctionMeshVersion) -> Release {
    let mut crds = BTreeMap::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            // Only the Function, Sink and Source CRDs (not the large FunctionMesh/BackendConfig ones).
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                KINDS
                    .iter()
                    .any(|(_, _, plural)| n.ends_with(&format!("_{plural}.yaml")))
            })
        })
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for doc in serde_yaml_ng::Deserializer::from_str(&text) {
            let crd: Value = serde::Deserialize::deserialize(doc)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            if crd.is_null() {
                continue;
            }
            let plural = crd["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let group = crd["spec"]["group"].as_str().unwrap_or_default().to_owned();
            // apiextensions v1: spec.versions[v1alpha1].schema; v1beta1: spec.validation (or per version).
            let schema = crd["spec"]["versions"]
                .as_array()
                .and_then(|vs| {
                    vs.iter()
                        .find(|x| x["name"] == "v1alpha1")
                        .map(|x| x["schema"]["openAPIV3Schema"].clone())
                })
                .filter(|s| !s.is_null())
                .unwrap_or_else(|| crd["spec"]["validation"]["openAPIV3Schema"].clone());
            assert!(
                !schema.is_null(),
                "{}: no openAPIV3Schema for {plural}",
                f.display()
            );
            crds.insert(plural, (group, schema));
        }
    }
    Release { tag, crds }
}

/// The schema node at a dotted path (`*` = list items or map values), if the schema declares it.
fn node<'a>(schema: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(schema, |n, seg| {
        if seg == "*" {
            n.get("items")
                .or_else(|| n.get("additionalProperties"))
                .filter(|x| x.is_object())
        } else {
            n.get("properties")?.get(seg)
        }
    })
}

/// A history window as written in the YAML.
struct Window {
    from: FunctionMeshVersion,
    before: Option<FunctionMeshVersion>,
    shape: Option<String>,
    values: Option<Vec<String>>,
    rename: Option<String>,
}

fn windows(raw: &Value) -> Vec<Window> {
    match raw {
        Value::String(s) => vec![Window {
            from: v(s),
            before: None,
            shape: None,
            values: None,
            rename: None,
        }],
        Value::Array(list) => list
            .iter()
            .map(|w| Window {
                from: v(w["from"].as_str().unwrap_or_default()),
                before: w["before"].as_str().map(v),
                shape: w["shape"].as_str().map(str::to_owned),
                values: w["values"].as_array().map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                }),
                rename: w["as"].as_str().map(str::to_owned),
            })
            .collect(),
        other => panic!("unexpected availability {other}"),
    }
}

fn covers(w: &Window, r: &FunctionMeshVersion) -> bool {
    w.from <= *r && w.before.is_none_or(|b| *r < b)
}

/// Releases as compact ranges over the ordered release list (`v0.1.0–v0.13.0, v0.27.0`).
fn ranges(all: &[FunctionMeshVersion], picked: &[FunctionMeshVersion]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(FunctionMeshVersion, FunctionMeshVersion)> = None;
    for r in all {
        if picked.contains(r) {
            run = Some(match run {
                Some((a, _)) => (a, *r),
                None => (*r, *r),
            });
        } else if let Some((a, b)) = run.take() {
            out.push(if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            });
        }
    }
    if let Some((a, b)) = run {
        out.push(if a == b {
            a.to_string()
        } else {
            format!("{a}–{b}")
        });
    }
    if out.is_empty() {
        "none".to_owned()
    } else {
        out.join(", ")
    }
}

fn type_of(n: &Value) -> &str {
    n["type"].as_str().unwrap_or("(untyped)")
}

#[test]
fn field_history_matches_every_release_schema() {
    let dir = shared_dir();
    if !dir.is_dir() {
        println!(
            "SKIPPED field history vs. release schemas: {} is absent (the Function Mesh CRDs of every \
             release live in the project's shared folder; set FMESH_SHARED to point at it)",
            dir.display()
        );
        return;
    }
    let history = FieldHistory::embedded();
    let raw: Value = serde_yaml_ng::from_str(FieldHistory::embedded_yaml()).expect("history YAML");
    let known = history.releases().to_vec();

    // Every release the history knows has its CRDs in the shared folder, and vice versa.
    let mut on_disk: Vec<FunctionMeshVersion> = std::fs::read_dir(&dir)
        .expect("read shared dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("crds").is_dir())
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk,
        known,
        "releases in {} vs. `releases` of the history",
        dir.display()
    );
    let releases: Vec<Release> = known
        .iter()
        .map(|r| load_release(&dir.join(r.to_string()).join("crds"), *r))
        .collect();

    let mut problems: Vec<String> = Vec::new();

    // apiGroups.
    let groups: Vec<(FunctionMeshVersion, String)> = raw["apiGroups"]
        .as_array()
        .expect("apiGroups")
        .iter()
        .map(|g| {
            (
                v(g["from"].as_str().unwrap_or_default()),
                g["group"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for rel in &releases {
        let want = groups
            .iter()
            .rfind(|(from, _)| *from <= rel.tag)
            .map(|(_, g)| g.as_str())
            .unwrap_or("(none)");
        for (_, _, plural) in KINDS {
            match rel.crds.get(plural) {
                Some((g, _)) if g == want => {}
                Some((g, _)) => problems.push(format!(
                    "apiGroups: {}: {plural} is in group {g}, the history says {want}",
                    rel.tag
                )),
                None => problems.push(format!("{}: no {plural} CRD", rel.tag)),
            }
        }
    }

    let mut checked = 0usize;
    for field in raw["fields"].as_array().expect("fields") {
        let path = field["path"].as_str().expect("path");
        for (kind, key, plural) in KINDS {
            let raw_avail = if field.get("all").is_some() {
                Some(&field["all"])
            } else {
                field.get(key)
            };
            let ws = raw_avail.map(windows).unwrap_or_default();
            let (mut hist, mut schema) = (Vec::new(), Vec::new());
            let mut shapes: Vec<String> = Vec::new();
            for rel in &releases {
                let Some((_, s)) = rel.crds.get(plural) else {
                    continue;
                };
                checked += 1;
                // What the history claims, through fm-compat's own query (renamed windows count as absent).
                let says = history.available_in(kind, path, &rel.tag).unwrap_or(false)
                    && raw_avail.is_some();
                let n = node(s, path);
                if says {
                    hist.push(rel.tag);
                }
                if n.is_some() {
                    schema.push(rel.tag);
                }
                // Shapes and values of the window covering this release.
                if let (Some(n), Some(w)) = (
                    n,
                    ws.iter()
                        .find(|w| covers(w, &rel.tag) && w.rename.is_none()),
                ) {
                    let t = type_of(n);
                    let bad = match w.shape.as_deref() {
                        Some("string") => t != "string",
                        Some("object") => t != "object",
                        Some("string-map") => {
                            t != "object" || n["additionalProperties"]["type"] != "string"
                        }
                        _ => false,
                    };
                    if bad {
                        shapes.push(format!(
                            "{}: history shape {:?}, schema type {t}",
                            rel.tag,
                            w.shape.as_deref().unwrap_or_default()
                        ));
                    }
                    if let (Some(values), Some(en)) = (&w.values, n["enum"].as_array()) {
                        let en: Vec<&str> = en.iter().filter_map(Value::as_str).collect();
                        let extra: Vec<&String> = values
                            .iter()
                            .filter(|x| !en.contains(&x.as_str()))
                            .collect();
                        if !extra.is_empty() {
                            shapes.push(format!(
                                "{}: history values {extra:?} not in the schema enum {en:?}",
                                rel.tag
                            ));
                        }
                    }
                }
            }
            if hist != schema {
                problems.push(format!(
                    "{key} {path}: history says {}; schemas have it in {}",
                    ranges(&known, &hist),
                    ranges(&known, &schema)
                ));
            }
            if !shapes.is_empty() {
                problems.push(format!("{key} {path}: {}", shapes.join("; ")));
            }
        }
    }
    println!(
        "field history vs. {} release schemas: {checked} (kind, path, release) checks, {} mismatch(es)",
        releases.len(),
        problems.len()
    );
    assert!(
        problems.is_empty(),
        "field-history.yaml disagrees with the release schemas ({} path(s)):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn ranges_compact_consecutive_releases() {
    let all = [v("v0.1.0"), v("v0.1.1"), v("v0.2.0"), v("v0.3.0")];
    assert_eq!(
        ranges(&all, &[v("v0.1.0"), v("v0.1.1"), v("v0.3.0")]),
        "v0.1.0–v0.1.1, v0.3.0"
    );
    assert_eq!(ranges(&all, &[]), "none");
}

#[test]
fn node_follows_properties_items_and_maps() {
    let s: Value = serde_json::json!({"properties": {"spec": {"properties": {
        "a": {"type": "array", "items": {"properties": {"b": {"type": "string"}}}},
        "m": {"type": "object", "additionalProperties": {"properties": {"c": {"type": "string"}}}}
    }}}});
    assert!(node(&s, "spec.a.*.b").is_some());
    assert!(node(&s, "spec.m.*.c").is_some());
    assert!(node(&s, "spec.z").is_none());
    assert!(node(&s, "spec.a.*.z").is_none());
}
