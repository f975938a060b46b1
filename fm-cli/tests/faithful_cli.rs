//! Issue 14 from the outside: `fmesh convert --from crd` takes each resource's kind from the
//! document and reads what `kubectl get -o yaml` prints (one resource, a `List` of mixed kinds,
//! several documents); the warnings of a conversion go to standard error.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fmesh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .current_dir(root())
        .env_remove("clusterName")
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn back(file: &str, extra: &[&str], format: &str) -> Output {
    let path = format!("fixtures/faithful/resources/{file}");
    let mut args = vec!["convert", "--from", "crd", "-o", format];
    args.extend(extra);
    args.push(&path);
    fmesh(&args)
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn item9_from_crd_takes_the_kind_from_the_document() {
    // One resource, no --kind: a single config.
    let out = back("sink-connectors.yaml", &[], "json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["name"], "es-sink");
    assert_eq!(
        c["archive"],
        "connectors/pulsar-io-elastic-search-3.0.0.1.nar"
    );
    assert!(c.get("sourceSubscriptionPosition").is_some(), "{c}");

    // A List of mixed kinds: one config per resource, in order.
    let out = back("list-mixed.yaml", &[], "json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        names(&v),
        ["es-sink", "window-count", "mongo-source", "py-exclaim"]
    );
    assert_eq!(v[0]["configs"]["indexName"], "events");
    assert_eq!(v[1]["windowConfig"]["processingGuarantees"], "ATMOST_ONCE");
    assert_eq!(v[2]["topicName"], "persistent://public/default/mongo-out");

    // Several YAML documents: YAML out, one document per resource, in order.
    let out = back("several-documents.yaml", &[], "yaml");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text(&out.stdout))
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    let got: Vec<&str> = docs.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(got, ["java-exclaim", "es-sink", "mongo-source"]);

    // --kind only fills in; a document of another kind is refused with its place.
    let out = back("several-documents.yaml", &["--kind", "function"], "json");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("document 2: kind: the document is a Sink, but --kind says Function"),
        "{err}"
    );
    // A Pulsar config still needs --kind.
    let out = fmesh(&["convert", "fixtures/faithful/configs/function-window.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--kind is required"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn item7_from_crd_reads_resources_without_status_fields() {
    for file in [
        "function-java.yaml",
        "function-python-stored.yaml",
        "source-connectors.yaml",
    ] {
        let out = back(file, &[], "json");
        assert_eq!(out.status.code(), Some(0), "{file}: {}", text(&out.stderr));
    }
}

#[test]
fn item4_warnings_go_to_standard_error() {
    let out = fmesh(&[
        "convert",
        "--kind",
        "function",
        "--worker-config",
        "fixtures/faithful/worker/tls-server-cert-only.yml",
        "fixtures/faithful/configs/function-python-url.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: py: the package's file name is unknown"),
        "{err}"
    );
    assert!(
        err.contains("warning: tlsCertificateFilePath: the Java worker"),
        "{err}"
    );
    assert!(
        !text(&out.stdout).contains("warning"),
        "{}",
        text(&out.stdout)
    );
    let out = fmesh(&[
        "convert",
        "--kind",
        "function",
        "fixtures/faithful/configs/function-absolute-jar.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("warning: jar: `/home/me/build/libs/exclaim.jar` is read as a path inside the runner image"),
        "{}",
        text(&out.stderr)
    );
}
