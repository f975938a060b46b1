//! `fmesh convert` / `fmesh validate` from the outside: exit codes, messages, round trips.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fmesh(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .current_dir(root())
        .env_remove("clusterName")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn quick_start_prints_the_function_as_json() {
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "-o",
            "json",
            "fixtures/functions/exclamation.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kind"], "Function");
    assert_eq!(v["apiVersion"], "compute.functionmesh.io/v1alpha1");
    assert_eq!(
        v["spec"]["java"]["jarLocation"],
        "function://public/default/exclamation@1.0"
    );
}

#[test]
fn default_output_is_yaml_that_reads_back() {
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "fixtures/functions/exclamation.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_yaml_ng::from_slice(&out.stdout).unwrap();
    assert_eq!(v["metadata"]["name"], "exclamation-57891bbe");
}

#[test]
fn wrong_type_names_the_field_with_rc_1() {
    let cfg = r#"{"name":"f","className":"a.B","inputs":["in"],"jar":"function://public/default/f@1","parallelism":"many"}"#;
    let out = fmesh(&["convert", "--kind", "function", "-"], Some(cfg));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("parallelism") && err.contains("expected an integer"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "nothing half-written on stdout");
}

#[test]
fn unknown_enum_value_lists_the_allowed_values() {
    let cfg = "name: f\nclassName: a.B\ninputs: [in]\njar: function://public/default/f@1\nprocessingGuarantees: atleast_once\n";
    let out = fmesh(&["convert", "--kind", "function", "-"], Some(cfg));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("processingGuarantees") && err.contains("ATLEAST_ONCE"),
        "{err}"
    );
}

#[test]
fn bad_yaml_is_rc_1_with_a_position() {
    let out = fmesh(
        &["convert", "--kind", "sink", "-"],
        Some("name: s\ninputs: [a\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("line"), "{}", text(&out.stderr));
}

#[test]
fn usage_errors_are_rc_2() {
    assert_eq!(
        fmesh(&["convert", "--kind", "widget", "x"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        fmesh(&["convert", "fixtures/functions/exclamation.yaml"], None)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(fmesh(&["frobnicate"], None).status.code(), Some(2));
}

#[test]
fn missing_file_is_rc_1() {
    let out = fmesh(
        &["convert", "--kind", "function", "no/such/file.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no/such/file.yaml"));
}

#[test]
fn validate_reports_all_three_mistakes_with_paths() {
    let cfg = r#"{"name":"f","className":"a.B","inputs":["persistent://public/default/in"],"jar":"function://public/default/f@1",
                 "parallelism":0,"output":"persistent://public/default/in","logTopic":"not a topic"}"#;
    let out = fmesh(&["validate", "--kind", "function", "-"], Some(cfg));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for needle in [
        "parallelism: Function parallelism must be a positive number",
        "output: Output topic persistent://public/default/in is also being used as an input topic",
        "logTopic: LogTopic topic not a topic is invalid",
        "3 problems",
    ] {
        assert!(err.contains(needle), "{needle}\n{err}");
    }
    let out = fmesh(
        &["validate", "--kind", "function", "-o", "json", "-"],
        Some(cfg),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 3);
}

#[test]
fn validate_accepts_every_fixture() {
    for (kind, dir) in [
        ("function", "functions"),
        ("sink", "sinks"),
        ("source", "sources"),
    ] {
        for entry in std::fs::read_dir(root().join("fixtures").join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let p = path.to_string_lossy().into_owned();
            let worker = if p.contains("trusted") {
                "fixtures/worker/trusted.yml"
            } else {
                "fixtures/worker/functions_worker.yml"
            };
            let out = fmesh(
                &[
                    "validate",
                    "--kind",
                    kind,
                    "--worker-config",
                    worker,
                    "--connectors",
                    "fixtures/worker/connectors.yaml",
                    &p,
                ],
                None,
            );
            assert_eq!(out.status.code(), Some(0), "{p}: {}", text(&out.stderr));
        }
    }
}

/// Every fixture converts, and `--from crd` brings back the config Pulsar would show.
#[test]
fn every_fixture_converts_and_comes_back_from_crd() {
    for (kind, dir) in [
        ("function", "functions"),
        ("sink", "sinks"),
        ("source", "sources"),
    ] {
        for entry in std::fs::read_dir(root().join("fixtures").join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let p = path.to_string_lossy().into_owned();
            let worker = if p.contains("trusted") {
                "fixtures/worker/trusted.yml"
            } else {
                "fixtures/worker/functions_worker.yml"
            };
            let ctx = [
                "--worker-config",
                worker,
                "--connectors",
                "fixtures/worker/connectors.yaml",
            ];
            let mut args = vec!["convert", "--kind", kind, "-o", "json"];
            args.extend(ctx);
            args.push(&p);
            let forward = fmesh(&args, None);
            assert_eq!(
                forward.status.code(),
                Some(0),
                "{p}: {}",
                text(&forward.stderr)
            );
            let mut back_args = vec!["convert", "--kind", kind, "--from", "crd", "-o", "json"];
            back_args.extend(ctx);
            back_args.push("-");
            let back = fmesh(&back_args, Some(&text(&forward.stdout)));
            assert_eq!(back.status.code(), Some(0), "{p}: {}", text(&back.stderr));
            let config: Value = serde_json::from_slice(&back.stdout).unwrap();
            let original: Value =
                serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(config["name"], original["name"], "{p}");
            assert_eq!(
                config["parallelism"],
                original
                    .get("parallelism")
                    .cloned()
                    .unwrap_or(Value::from(1)),
                "{p}"
            );
            for key in ["jar", "py", "go", "archive", "className"] {
                if let Some(v) = original.get(key) {
                    assert_eq!(&config[key], v, "{p}: {key}");
                }
            }
            // The config that came back converts to the very same resource.
            let mut again_args = vec!["convert", "--kind", kind, "-o", "json"];
            again_args.extend(ctx);
            again_args.push("-");
            let again = fmesh(&again_args, Some(&text(&back.stdout)));
            assert_eq!(text(&again.stdout), text(&forward.stdout), "{p}");
        }
    }
}

#[test]
fn per_user_oauth2_points_at_the_users_secret() {
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "-o",
            "json",
            "--worker-config",
            "fixtures/auth/worker-per-user-oauth2.yml",
            "--client-role",
            "alice@example.org",
            "--secrets",
            "fixtures/auth/secrets-list.yaml",
            "fixtures/functions/exclamation.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let o = &v["spec"]["pulsar"]["authConfig"]["oauth2Config"];
    assert_eq!(o["keySecretName"], "alice-oauth2-key");
    assert_eq!(o["keySecretKey"], "auth.json");
    assert!(
        o["issuerUrl"].is_string() && o["audience"].is_string(),
        "{o}"
    );
}

#[test]
fn target_version_warns_or_fails() {
    // Per-user OAuth2 needs authConfig (v0.6.0): targeting v0.5.0 must fail, not silently drop it.
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--target-version",
            "v0.5.0",
            "--worker-config",
            "fixtures/auth/worker-per-user-oauth2.yml",
            "--client-role",
            "alice@example.org",
            "--secrets",
            "fixtures/auth/secrets-list.yaml",
            "fixtures/functions/exclamation.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("authConfig") || text(&out.stderr).contains("Secret"),
        "{}",
        text(&out.stderr)
    );
    // A plain function targeted at v0.3.0 loses only cosmetic fields: warnings on stderr, rc 0.
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--target-version",
            "v0.3.0",
            "-o",
            "json",
            "fixtures/functions/exclamation.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["spec"]["pulsar"].get("tlsConfig").is_none());
}

/// The Java worker's cluster precedence: `customRuntimeOptions.clusterName` wins over the
/// `clusterName` environment variable and the `standalone` default, and loses to `--cluster`.
/// (fmesh used to let its fallback win.)
#[test]
fn options_cluster_wins_over_the_environment_and_loses_to_the_flag() {
    let config = r#"{"name": "f", "className": "a.B", "inputs": ["in"],
        "jar": "function://public/default/f@1",
        "customRuntimeOptions": "{\"clusterName\":\"east\"}"}"#;
    let cluster_of = |extra: &[&str], env: Option<&str>| {
        let mut args = vec!["convert", "--kind", "function", "-o", "json"];
        args.extend_from_slice(extra);
        args.push("-");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_fmesh"));
        cmd.args(&args)
            .current_dir(root())
            .env_remove("clusterName")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(e) = env {
            cmd.env("clusterName", e);
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(config.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["spec"]["clusterName"].as_str().unwrap().to_owned()
    };
    assert_eq!(cluster_of(&[], None), "east");
    assert_eq!(cluster_of(&[], Some("from-env")), "east");
    assert_eq!(
        cluster_of(&["--cluster", "north"], Some("from-env")),
        "north"
    );
}
