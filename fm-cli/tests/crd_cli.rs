//! `fmesh crd`: prints the CustomResourceDefinitions; snapshots make every schema change reviewed.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::process::{Command, Output};

fn fmesh(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .output()
        .expect("run fmesh")
}

fn stdout_of(args: &[&str]) -> String {
    let out = fmesh(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "fmesh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn function_crd_snapshot() {
    insta::assert_snapshot!("crd_function", stdout_of(&["crd", "function"]));
}

#[test]
fn sink_crd_snapshot() {
    insta::assert_snapshot!("crd_sink", stdout_of(&["crd", "sink"]));
}

#[test]
fn source_crd_snapshot() {
    insta::assert_snapshot!("crd_source", stdout_of(&["crd", "source"]));
}

#[test]
fn all_is_the_default_and_joins_the_three_with_separators() {
    let all = stdout_of(&["crd", "all"]);
    assert_eq!(stdout_of(&["crd"]), all);
    let expected = [
        stdout_of(&["crd", "function"]),
        stdout_of(&["crd", "sink"]),
        stdout_of(&["crd", "source"]),
    ]
    .join("---\n");
    assert_eq!(all, expected);
    let docs: Vec<serde_json::Value> = serde_yaml_ng::Deserializer::from_str(&all)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    let names: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "functions.compute.functionmesh.io",
            "sinks.compute.functionmesh.io",
            "sources.compute.functionmesh.io"
        ]
    );
    for doc in &docs {
        assert_eq!(doc["apiVersion"], "apiextensions.k8s.io/v1");
        assert_eq!(doc["kind"], "CustomResourceDefinition");
    }
}

#[test]
fn output_is_the_library_crd() {
    let printed: serde_json::Value = serde_yaml_ng::from_str(&stdout_of(&["crd", "sink"])).unwrap();
    assert_eq!(
        printed,
        serde_json::to_value(fm_convert::crd::sink_crd()).unwrap()
    );
}

#[test]
fn yaml11_ambiguous_enum_values_are_quoted() {
    let out = stdout_of(&["crd", "function"]);
    assert!(
        out.contains("- \"off\"\n"),
        "log level `off` must be quoted"
    );
    assert!(out.contains("- \"Off\"\n"), "VPA `Off` must be quoted");
    assert!(!out
        .lines()
        .any(|l| l.trim_end().ends_with("- off") || l.trim_end().ends_with("- Off")));
}

#[test]
fn bad_kind_is_a_usage_error() {
    let out = fmesh(&["crd", "functionmesh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("invalid value 'functionmesh'"), "{err}");
    assert!(err.contains("function, sink, source, all"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn extra_argument_is_a_usage_error() {
    let out = fmesh(&["crd", "function", "sink"]);
    assert_eq!(out.status.code(), Some(2));
}
