//! Hostile input through the `fmesh` binary: the 16 MiB input limit, invalid UTF-8, duplicate
//! keys, deep nesting. Each is exit code 1 with a message on stderr.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const LIMIT: usize = 16 * 1024 * 1024;

fn fmesh(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A function config padded with YAML comment lines to exactly `len` bytes.
fn padded(len: usize) -> Vec<u8> {
    let head = "name: f\ntenant: public\nnamespace: default\nclassName: C\ninputs: [persistent://public/default/in]\njar: function://public/default/f@1\n";
    let mut v = head.as_bytes().to_vec();
    while v.len() < len {
        let n = (len - v.len()).min(1000);
        if n == 1 {
            v.push(b'\n');
        } else {
            v.push(b'#');
            v.extend(std::iter::repeat_n(b'x', n - 2));
            v.push(b'\n');
        }
    }
    v
}

#[test]
fn inputs_over_16_mib_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let over = dir.path().join("over.yaml");
    std::fs::write(&over, padded(LIMIT + 1)).unwrap();
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--cluster",
            "c",
            over.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("input is larger than the 16777216-byte limit"),
        "{}",
        stderr(&out)
    );
    let out = fmesh(
        &["validate", "--kind", "function", "--cluster", "c", "-"],
        &padded(LIMIT + 1),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("-: input is larger than the 16777216-byte limit"),
        "{}",
        stderr(&out)
    );
    let out = fmesh(&["auth", "inspect", "-"], &padded(LIMIT + 1));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("limit"), "{}", stderr(&out));
    // Exactly at the limit: read and converted.
    let at = dir.path().join("at.yaml");
    std::fs::write(&at, padded(LIMIT)).unwrap();
    let out = fmesh(
        &[
            "convert",
            "--kind",
            "function",
            "--cluster",
            "c",
            at.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn invalid_utf8_is_refused_with_the_offset() {
    let mut bytes = b"name: f\xff\n".to_vec();
    bytes.extend(b"tenant: public\n");
    let out = fmesh(&["convert", "--kind", "function", "-"], &bytes);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("input is not valid UTF-8 (first bad byte at offset 7)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn duplicate_keys_and_deep_nesting_are_errors_naming_the_field() {
    let out = fmesh(
        &["convert", "--kind", "function", "--cluster", "c", "-"],
        br#"{"name":"f","tenant":"public","namespace":"default","className":"C","inputs":["persistent://public/default/in"],"jar":"function://public/default/f@1","userConfig":{"k":1,"k":2}}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("userConfig: duplicate key `k`"),
        "{}",
        stderr(&out)
    );
    let deep = format!("name: f\nuserConfig: {}\n", "[".repeat(1 << 20));
    let out = fmesh(
        &["convert", "--kind", "function", "--cluster", "c", "-"],
        deep.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("more than 1024 levels deep"),
        "{}",
        stderr(&out)
    );
    let deep = format!(
        "{{\"name\":\"f\",\"userConfig\":{{\"a\":{}}}}}",
        "[".repeat(1 << 20)
    );
    let out = fmesh(
        &["convert", "--kind", "function", "--cluster", "c", "-"],
        deep.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("recursion limit exceeded"),
        "{}",
        stderr(&out)
    );
    let out = fmesh(
        &["convert", "--kind", "function", "--cluster", "c", "-"],
        b"name: f\nparallelism: 1099511627776\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("parallelism: invalid value"),
        "{}",
        stderr(&out)
    );
}
