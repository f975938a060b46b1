//! `fmesh auth inspect` end to end: parsed fields printed, secrets always redacted,
//! malformed Secrets rejected with rc 1 and a reason.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The client secret planted in every fixture Secret.
const CANARY: &str = "CANARY-CLIENT-SECRET-4b1d";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/auth")
        .join(name)
}

fn fmesh(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The child may exit before reading (usage errors); a broken pipe is fine then.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Neither stream contains the canary nor any long raw value of the input file.
fn assert_no_secret(out: &Output, input: &str) {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(!all.contains(CANARY), "canary leaked:\n{all}");
    for line in input.lines() {
        if let Some((_, v)) = line.split_once(": ") {
            let v = v.trim().trim_matches('\'');
            if v.len() > 40 {
                assert!(!all.contains(v), "input value leaked:\n{all}");
            }
        }
    }
}

fn inspect_ok(file: &str, format: &str) -> String {
    let path = fixture(file);
    let out = fmesh(
        &["auth", "inspect", "-o", format, path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(out.stderr.is_empty());
    assert_no_secret(&out, &std::fs::read_to_string(path).unwrap());
    text(&out.stdout)
}

#[test]
fn seed_format_string_data_secret() {
    let out = inspect_ok("secret-seed-stringdata.yaml", "yaml");
    assert!(out.contains("clientSecret: \"<redacted>\""));
    assert!(out.contains("clientId: alice-client"));
    insta::assert_snapshot!("inspect_seed_stringdata_yaml", out);
}

#[test]
fn base64_data_secret_with_data_url_private_key() {
    let out = inspect_ok("secret-data-url-base64.yaml", "json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["format"], "client-params-inline-key");
    assert_eq!(
        v["clientAuthenticationParameters"]["privateKey"]["keyFile"]["clientSecret"],
        "<redacted>"
    );
    insta::assert_snapshot!("inspect_data_url_base64_json", out);
}

#[test]
fn reads_standard_input() {
    let input = std::fs::read_to_string(fixture("secret-seed-stringdata.yaml")).unwrap();
    let out = fmesh(&["auth", "inspect", "-"], Some(&input));
    assert_eq!(out.status.code(), Some(0));
    assert_no_secret(&out, &input);
    assert_eq!(
        text(&out.stdout),
        inspect_ok("secret-seed-stringdata.yaml", "yaml")
    );
}

#[test]
fn custom_annotation_key() {
    let path = fixture("secret-seed-stringdata.yaml");
    let out = fmesh(
        &[
            "auth",
            "inspect",
            "--annotation-key",
            "other/key",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stdout).contains("roleAnnotation"));
}

fn inspect_fails(file: &str) -> String {
    let path = fixture(file);
    let out = fmesh(&["auth", "inspect", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1), "{file}");
    assert!(out.stdout.is_empty());
    assert_no_secret(&out, &std::fs::read_to_string(&path).unwrap());
    // Strip the machine-specific directory from the message.
    text(&out.stderr).replace(path.parent().unwrap().to_str().unwrap(), "<fixtures>")
}

#[test]
fn malformed_secrets_exit_1_with_reason() {
    let cases = [
        ("malformed-no-auth-json.yaml", "has no key `auth.json`"),
        ("malformed-auth-json-not-json.yaml", "not valid JSON"),
        (
            "malformed-missing-client-secret.yaml",
            ".client_secret: missing required field",
        ),
        (
            "malformed-bad-base64.yaml",
            "data[\"auth.json\"]: not valid base64",
        ),
        (
            "malformed-bad-private-key.yaml",
            "privateKey must be a `file:///",
        ),
        (
            "malformed-bad-issuer-url.yaml",
            "issuer URL must be an absolute http(s) URL",
        ),
        (
            "malformed-data-url-bad-base64.yaml",
            "privateKey<data: URL>: not valid base64",
        ),
    ];
    let mut all = String::new();
    for (file, reason) in cases {
        let err = inspect_fails(file);
        assert!(err.contains(reason), "{file}: {err}");
        all.push_str(&err);
    }
    insta::assert_snapshot!("inspect_malformed_stderr", all);
}

#[test]
fn not_a_secret_document() {
    let out = fmesh(
        &["auth", "inspect", "-"],
        Some("kind: ConfigMap\ndata: {a: b}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "fmesh auth inspect: -: kind: expected a Kubernetes Secret (apiVersion `v1`, kind `Secret`), found kind `ConfigMap`\n"
    );
    let out = fmesh(
        &["auth", "inspect", "-"],
        Some(&format!("stringData: {{auth.json: \"{CANARY}\n")),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not a valid YAML or JSON document"), "{err}");
    assert!(!err.contains(CANARY));
}

#[test]
fn missing_file_and_usage_errors() {
    let out = fmesh(&["auth", "inspect", "/nonexistent/secret.yaml"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read /nonexistent/secret.yaml"));
    assert_eq!(fmesh(&["auth", "inspect"], None).status.code(), Some(2));
    assert_eq!(fmesh(&["auth"], None).status.code(), Some(2));
    let path = fixture("secret-seed-stringdata.yaml");
    let out = fmesh(
        &["auth", "inspect", "-o", "xml", path.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}
