//! Canary secrets: every `fmesh` subcommand and error path runs with client secrets, worker
//! tokens, caller tokens and private keys planted in its inputs; none may appear in stdout or
//! stderr (in plain text or base64), except Secret values in stdout with `--reveal-secrets`.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CLIENT_SECRET: &str = "CANARY-CLIENT-SECRET-4b1d";
const WORKER_TOKEN: &str = "CANARY-WORKER-TOKEN-0e77";
const CALLER_TOKEN: &str = "CANARY-CALLER-TOKEN-77aa";
const PRIVATE_KEY: &str = "CANARY-PRIVATE-KEY-c0ffee";

const CANARIES: [&str; 4] = [CLIENT_SECRET, WORKER_TOKEN, CALLER_TOKEN, PRIVATE_KEY];

fn b64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = s.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Every spelling of the canaries that would be a leak: plain text, and the base64 of the
/// canary at each of the three alignments (as it appears inside a base64-encoded document).
fn leak_needles() -> Vec<String> {
    let mut v = Vec::new();
    for c in CANARIES {
        v.push(c.to_string());
        for pad in ["", "x", "xx"] {
            let enc = b64(&format!("{pad}{c}"));
            // Drop the characters mixed with the padding and the tail.
            let skip = [0, 2, 3][pad.len()];
            v.push(enc.get(skip..enc.len() - 4).unwrap().to_string());
        }
    }
    v
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture(rel: &str) -> String {
    root()
        .join("fixtures")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

fn fmesh(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .env_remove("clusterName")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for needle in leak_needles() {
        assert!(!text.contains(&needle), "{what} leaks `{needle}`:\n{text}");
    }
}

/// Runs the command; neither stream may hold a canary. Returns the exit code.
fn run_clean(args: &[&str], stdin: &str) -> Option<i32> {
    let out = fmesh(args, stdin);
    let what = format!("fmesh {}", args.join(" "));
    assert_clean(&format!("stdout of {what}"), &out.stdout);
    assert_clean(&format!("stderr of {what}"), &out.stderr);
    out.status.code()
}

struct Files {
    _dir: tempfile::TempDir,
    paths: std::collections::BTreeMap<&'static str, String>,
}

impl Files {
    fn get(&self, k: &str) -> &str {
        &self.paths[k]
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Inputs with canaries everywhere a secret can be.
fn files() -> Files {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key_json = format!(
        r#"{{"type":"client_credentials","client_id":"c","client_secret":"{CLIENT_SECRET}","issuer_url":"https://auth.example.org/"}}"#
    );
    let data_url = format!("data:application/json;base64,{}", b64(&key_json));
    let mut paths = std::collections::BTreeMap::new();
    paths.insert(
        "worker-oauth2-data-url",
        write(
            d,
            "w1.yml",
            &format!(
                "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\nbrokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\nbrokerClientAuthenticationParameters: '{{\"audience\":\"a\",\"issuerUrl\":\"https://auth.example.org/\",\"privateKey\":\"{data_url}\",\"type\":\"client_credentials\"}}'\nfunctionsWorkerServiceCustomConfigs:\n  usingInsecureAuth: true\n"
            ),
        ),
    );
    paths.insert(
        "worker-oauth2-private-key",
        write(
            d,
            "w2.yml",
            &format!(
                "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\nbrokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\nbrokerClientAuthenticationParameters: '{{\"issuerUrl\":\"https://auth.example.org/\",\"privateKey\":\"{PRIVATE_KEY}\",\"type\":\"client_credentials\"}}'\nfunctionsWorkerServiceCustomConfigs:\n  usingInsecureAuth: true\n"
            ),
        ),
    );
    paths.insert(
        "worker-oauth2-malformed",
        write(
            d,
            "w3.yml",
            &format!(
                "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\nbrokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\nbrokerClientAuthenticationParameters: '{{\"privateKey\": \"{PRIVATE_KEY}\", oops'\nfunctionsWorkerServiceCustomConfigs:\n  usingInsecureAuth: true\n"
            ),
        ),
    );
    paths.insert(
        "worker-token-wrong-type",
        write(d, "w4.yml", &format!("authenticationEnabled: true\nbrokerClientAuthenticationParameters: [\"token:{WORKER_TOKEN}\"]\n")),
    );
    paths.insert(
        "worker-token-bad-bool",
        write(
            d,
            "w5.yml",
            &format!("authenticationEnabled: \"token:{WORKER_TOKEN}\"\n"),
        ),
    );
    paths.insert(
        "secret-data",
        write(
            d,
            "s1.yaml",
            &format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\n  annotations:\n    cloud.streamnative.io/service-account.email: alice@example.org\ndata:\n  auth.json: {}\n",
                b64(&key_json)
            ),
        ),
    );
    paths.insert(
        "secret-bad-json",
        write(
            d,
            "s2.yaml",
            &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\nstringData:\n  auth.json: '{{\"client_secret\": \"{CLIENT_SECRET}\", '\n"),
        ),
    );
    paths.insert(
        "secret-wrong-type",
        write(
            d,
            "s3.yaml",
            &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\nstringData:\n  auth.json: [\"{CLIENT_SECRET}\"]\n"),
        ),
    );
    paths.insert(
        "secret-bad-base64",
        write(
            d,
            "s4.yaml",
            &format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\ndata:\n  auth.json: \"{CLIENT_SECRET}!!\"\n"),
        ),
    );
    paths.insert(
        "secret-private-key",
        write(
            d,
            "s5.yaml",
            &format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: alice\nstringData:\n  clientAuthenticationParameters: '{{\"privateKey\": \"{PRIVATE_KEY}\", \"issuerUrl\": \"https://auth.example.org/\"}}'\n"
            ),
        ),
    );
    paths.insert(
        "secret-dup-key",
        write(
            d,
            "s6.json",
            &format!(r#"{{"apiVersion":"v1","kind":"Secret","metadata":{{"name":"a"}},"stringData":{{"auth.json":"{CLIENT_SECRET}","auth.json":"{CLIENT_SECRET}"}}}}"#),
        ),
    );
    paths.insert(
        "function-config-canary",
        write(
            d,
            "f1.yaml",
            &format!("name: f\nclassName: C\ninputs: [persistent://public/default/in]\njar: function://public/default/f@1\nparallelism: \"{CALLER_TOKEN}\"\n"),
        ),
    );
    Files { _dir: dir, paths }
}

const KINDS: [(&str, &str); 3] = [
    ("function", "functions/exclamation.yaml"),
    ("sink", "sinks/elasticsearch.yaml"),
    ("source", "sources/kafka.yaml"),
];

#[test]
fn convert_and_validate_never_print_secrets() {
    let f = files();
    let connectors = fixture("worker/connectors.yaml");
    let secrets_list = fixture("auth/secrets-list.yaml");
    let bearer = format!("Bearer {CALLER_TOKEN}");
    let workers: Vec<(String, Vec<String>)> = vec![
        (fixture("auth/worker-insecure-token.yml"), vec![]),
        (
            fixture("auth/worker-insecure-token.yml"),
            vec!["--client-role".into(), "admin".into()],
        ),
        (
            fixture("auth/worker-insecure-oauth2.yml"),
            vec!["--client-role".into(), "admin".into()],
        ),
        (
            f.get("worker-oauth2-data-url").into(),
            vec!["--client-role".into(), "admin".into()],
        ),
        (
            f.get("worker-oauth2-private-key").into(),
            vec!["--client-role".into(), "admin".into()],
        ),
        (fixture("auth/worker-insecure-oauth2.yml"), vec![]),
        (
            fixture("auth/worker-insecure-oauth2-secret-name.yml"),
            vec![],
        ),
        (
            fixture("auth/worker-per-user-token.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--client-token".into(),
                bearer.clone(),
            ],
        ),
        (
            fixture("auth/worker-per-user-token.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--client-token".into(),
                CALLER_TOKEN.into(),
            ],
        ),
        (
            fixture("auth/worker-per-user-token.yml"),
            vec!["--client-token".into(), "Basic x".into()],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice@example.org".into(),
                "--secrets".into(),
                secrets_list.clone(),
            ],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice@example.org".into(),
                "--secrets".into(),
                f.get("secret-data").into(),
            ],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--secrets".into(),
                f.get("secret-bad-json").into(),
            ],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--secrets".into(),
                f.get("secret-wrong-type").into(),
            ],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--secrets".into(),
                f.get("secret-bad-base64").into(),
            ],
        ),
        (
            fixture("auth/worker-per-user-oauth2.yml"),
            vec![
                "--client-role".into(),
                "alice".into(),
                "--secrets".into(),
                f.get("secret-dup-key").into(),
            ],
        ),
        (fixture("auth/worker-tls.yml"), vec![]),
        (f.get("worker-oauth2-data-url").into(), vec![]),
        (f.get("worker-oauth2-private-key").into(), vec![]),
        (f.get("worker-oauth2-malformed").into(), vec![]),
        (f.get("worker-token-wrong-type").into(), vec![]),
        (f.get("worker-token-bad-bool").into(), vec![]),
    ];
    let mut codes = std::collections::BTreeSet::new();
    for (worker, extra) in &workers {
        for (kind, input) in KINDS {
            let input = fixture(input);
            let mut base: Vec<&str> = vec![
                "--kind",
                kind,
                "--worker-config",
                worker,
                "--connectors",
                &connectors,
            ];
            base.extend(extra.iter().map(String::as_str));
            for cmd in [
                &["convert"][..],
                &["convert", "-o", "json"],
                &["convert", "--target-version", "v0.5.0"],
                &["validate"],
                &["validate", "-o", "json"],
            ] {
                let mut args: Vec<&str> = cmd.to_vec();
                args.extend(&base);
                args.push(&input);
                codes.insert(run_clean(&args, ""));
                // The same through standard input.
                let mut args: Vec<&str> = cmd.to_vec();
                args.extend(&base);
                args.push("-");
                codes.insert(run_clean(&args, &std::fs::read_to_string(&input).unwrap()));
            }
        }
        // An invalid config whose bad value is a canary.
        let mut args = vec![
            "convert",
            "--kind",
            "function",
            "--worker-config",
            worker.as_str(),
        ];
        args.extend(extra.iter().map(String::as_str));
        args.push(f.get("function-config-canary"));
        assert_eq!(run_clean(&args, ""), Some(1));
    }
    // Success and invalid-input paths were both taken.
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
}

#[test]
fn reveal_secrets_prints_values_only_on_stdout() {
    let worker = fixture("auth/worker-insecure-token.yml");
    let input = fixture("functions/exclamation.yaml");
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--worker-config",
            &worker,
            "--client-role",
            "admin",
            "--reveal-secrets",
            "-o",
            "json",
            &input,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0));
    assert_clean("stderr", &out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        leak_needles().iter().any(|n| stdout.contains(n.as_str())),
        "with --reveal-secrets the worker token is printed (positive control):\n{stdout}"
    );
    // Without the flag: redacted.
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--worker-config",
            &worker,
            "--client-role",
            "admin",
            "-o",
            "json",
            &input,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("<redacted>"));
    assert_clean("stdout", &out.stdout);
}

#[test]
fn reverse_conversions_never_print_secrets() {
    let worker = fixture("auth/worker-insecure-oauth2.yml");
    for (kind, res) in [
        ("function", "resources/function-java-full.yaml"),
        ("sink", "resources/sink-elasticsearch.yaml"),
        ("source", "resources/source-batch.yaml"),
    ] {
        let res = fixture(res);
        let text = std::fs::read_to_string(&res).unwrap();
        for args in [
            vec!["convert", "--from", "crd", "--kind", kind, res.as_str()],
            vec![
                "convert",
                "--from",
                "crd",
                "--kind",
                kind,
                "--worker-config",
                worker.as_str(),
                "-o",
                "json",
                res.as_str(),
            ],
        ] {
            run_clean(&args, "");
        }
        // A canary in a place the resource types refuse.
        let bad = text.replacen(
            "spec:",
            &format!("spec:\n  replicas: \"{CLIENT_SECRET}\""),
            1,
        );
        assert_eq!(
            run_clean(&["convert", "--from", "crd", "--kind", kind, "-"], &bad),
            Some(1)
        );
    }
}

#[test]
fn auth_inspect_never_prints_secrets() {
    let f = files();
    let mut inputs: Vec<String> = std::fs::read_dir(root().join("fixtures/auth"))
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_string())
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    inputs.extend(f.paths.values().cloned());
    inputs.sort();
    let mut codes = std::collections::BTreeSet::new();
    for input in &inputs {
        for fmt in ["yaml", "json"] {
            codes.insert(run_clean(&["auth", "inspect", "-o", fmt, input], ""));
            codes.insert(run_clean(
                &["auth", "inspect", "-o", fmt, "-"],
                &std::fs::read_to_string(input).unwrap(),
            ));
        }
    }
    assert!(
        codes.contains(&Some(0)) && codes.contains(&Some(1)),
        "{codes:?}"
    );
}

#[test]
fn usage_errors_and_other_commands_never_print_secrets() {
    let token = format!("--client-token={CALLER_TOKEN}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["convert", &token],
        vec!["convert", "--kind", "function", &token, &token, "-"],
        vec![
            "convert",
            "--kind",
            "function",
            "--client-token",
            CALLER_TOKEN,
            "--bogus",
            "-",
        ],
        vec!["validate", "--client-token", CALLER_TOKEN],
        vec![
            "convert",
            "--kind",
            "function",
            "--client-token",
            CALLER_TOKEN,
            "/nonexistent/file",
        ],
        vec![
            "convert",
            "--kind",
            "function",
            "--client-token",
            CALLER_TOKEN,
            "--target-version",
            "bogus",
            "-",
        ],
        vec![
            "convert",
            "--kind",
            "function",
            "--client-token",
            CALLER_TOKEN,
            "--secrets",
            "/nonexistent",
            "-",
        ],
        vec!["auth", "inspect"],
        vec!["auth", "inspect", "/nonexistent"],
        vec!["crd", "all"],
        vec!["compat"],
        vec!["compat", "-o", "json"],
        vec!["--help"],
    ];
    for args in cases {
        run_clean(&args, &format!("tenant: public\nname: {CALLER_TOKEN}\n"));
    }
}
