//! `fmesh compat` end to end through the built binary: the issue's "Must show" lines, every
//! output format, exit codes 0/1/2, and loading a newer matrix page.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fmesh(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fmesh"))
        .arg("compat")
        .args(args)
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

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap()
}

// ------------------------------------------------------------------ Must show

#[test]
fn worker_v2_10_1_8_lists_exactly_v0_4_0_and_v0_5_0() {
    let out = fmesh(&["--worker", "v2.10.1.8", "-o", "json"], None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"worker": "v2.10.1.8", "functionMesh": ["v0.4.0", "v0.5.0"]})
    );
    insta::assert_snapshot!(stdout(&out), @r###"
    {
      "worker": "v2.10.1.8",
      "functionMesh": [
        "v0.4.0",
        "v0.5.0"
      ]
    }
    "###);
}

#[test]
fn worker_v2_8_1_27_lists_none() {
    let out = fmesh(&["--worker", "v2.8.1.27", "-o", "json"], None);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"worker": "v2.8.1.27", "functionMesh": []})
    );
}

#[test]
fn check_v0_14_0_with_v3_0_0_9_exits_0() {
    let out = fmesh(
        &[
            "--check",
            "--function-mesh",
            "v0.14.0",
            "--worker",
            "v3.0.0.9",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "compatible: Function Mesh v0.14.0 works with worker v3.0.0.9\n"
    );
}

// ------------------------------------------------------------------ other queries

#[test]
fn check_exits_1_when_not_compatible() {
    let out = fmesh(
        &[
            "--check",
            "--function-mesh",
            "v0.5.0",
            "--worker",
            "v2.10.1.9",
        ],
        None,
    );
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out),
        "not compatible: Function Mesh v0.5.0 works with worker v2.10.1.7-v2.10.1.8, v2.9.3.6-v2.9.3.8, v2.8.4.1\n"
    );
    let out = fmesh(
        &[
            "--check",
            "--function-mesh",
            "0.5.0",
            "--worker",
            "2.10.1.9",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 1);
    insta::assert_snapshot!(stdout(&out), @r###"
    {
      "functionMesh": "v0.5.0",
      "worker": "v2.10.1.9",
      "compatible": false
    }
    "###);
}

#[test]
fn function_mesh_lists_normalised_ranges_in_published_order() {
    let out = fmesh(&["--function-mesh", "v0.5.0", "-o", "json"], None);
    assert_eq!(code(&out), 0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"functionMesh": "v0.5.0", "worker": ["v2.10.1.7-v2.10.1.8", "v2.9.3.6-v2.9.3.8", "v2.8.4.1"]})
    );
    let out = fmesh(&["--function-mesh", "v0.1.9"], None);
    insta::assert_snapshot!(stdout(&out), @r###"
    functionMesh: v0.1.9
    worker:
    - v2.9.1.1-v2.9.1.2
    - v2.8.2.0-v2.8.2.2
    - v2.8.1.25-v2.8.1.26
    - v2.8.1.28-v2.8.1.30
    "###);
}

#[test]
fn table_outputs() {
    let out = fmesh(&["--worker", "v2.9.3.21", "-o", "table"], None);
    insta::assert_snapshot!(stdout(&out), @r###"
    WORKER     FUNCTION MESH
    v2.9.3.21  v0.4.0, v0.6.0, v0.7.0, v0.8.0, v0.9.0
    "###);
    let out = fmesh(&["--worker", "v2.8.1.27", "-o", "table"], None);
    assert_eq!(
        stdout(&out),
        "WORKER     FUNCTION MESH\nv2.8.1.27  (none)\n"
    );
    let out = fmesh(&["--function-mesh", "v0.14.0", "-o", "table"], None);
    insta::assert_snapshot!(stdout(&out), @r###"
    FUNCTION MESH  FUNCTION MESH WORKER SERVICE
    v0.14.0        v3.0.0.1+, v2.11.1.3+, v2.10.4.4+, v2.9.5.2+
    "###);
}

#[test]
fn whole_line_worker_version() {
    let out = fmesh(&["--worker", "v2.10.0", "-o", "json"], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"worker": "v2.10.0", "functionMesh": ["v0.1.11"]})
    );
}

#[test]
fn compat_alone_prints_the_whole_matrix_as_a_table() {
    let out = fmesh(&[], None);
    assert_eq!(code(&out), 0);
    insta::assert_snapshot!("whole_matrix_table", stdout(&out));
}

#[test]
fn whole_matrix_yaml_form_loads_back() {
    let out = fmesh(&["-o", "yaml"], None);
    assert_eq!(code(&out), 0);
    let yaml = stdout(&out);
    assert!(yaml.starts_with("- functionMesh: v0.1.9\n  worker:\n  - v2.9.1.1-v2.9.1.2\n"));
    let again = fmesh(&["--matrix", "-", "-o", "yaml"], Some(&yaml));
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert_eq!(stdout(&again), yaml);
    let json = stdout(&fmesh(&["-o", "json"], None));
    let again = fmesh(&["--matrix", "-", "-o", "json"], Some(&json));
    assert_eq!(stdout(&again), json);
}

#[test]
fn a_newer_page_extends_the_matrix() {
    let page = "Some text.\n\n| Function Mesh | Function Mesh Worker service |\n| --- | --- |\n| v0.15.0| <br />- v3.0.1.1+ <br />- v2.11.2.2+ |\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("page.md");
    std::fs::write(&path, page).unwrap();
    let out = fmesh(
        &[
            "--matrix",
            path.to_str().unwrap(),
            "--worker",
            "v3.0.1.4",
            "-o",
            "json",
        ],
        None,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // v3.0.0.1+ (v0.14.0) covers only the v3.0.0 line, so v3.0.1.4 needs the new row.
    assert_eq!(v["functionMesh"], serde_json::json!(["v0.15.0"]));
    let out = fmesh(
        &[
            "--matrix",
            "-",
            "--check",
            "--function-mesh",
            "v0.15.0",
            "--worker",
            "v2.11.2.3",
        ],
        Some(page),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

// ------------------------------------------------------------------ errors

#[test]
fn invalid_worker_version_exits_2() {
    let out = fmesh(&["--worker", "v2.10"], None);
    assert_eq!(code(&out), 2);
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("worker version `v2.10`: expected vMAJOR.MINOR.PATCH.BUILD or vMAJOR.MINOR.PATCH (e.g. v2.10.1.8), found 2 dot-separated part(s)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_function_mesh_version_exits_2() {
    let out = fmesh(&["--function-mesh", "v0.14.0-rc-1"], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out)
        .contains("Function Mesh version `v0.14.0-rc-1`: part 3 `0-rc-1` is not a decimal number"));
}

#[test]
fn unknown_function_mesh_version_exits_2() {
    let out = fmesh(&["--function-mesh", "v0.15.0"], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).starts_with(
        "fmesh compat: Function Mesh v0.15.0 is not in the version matrix (known: v0.1.9, "
    ));
    let out = fmesh(
        &[
            "--check",
            "--function-mesh",
            "v0.27.2",
            "--worker",
            "v3.0.0.9",
        ],
        None,
    );
    assert_eq!(code(&out), 2, "unknown is not the same as incompatible");
}

#[test]
fn check_needs_both_versions() {
    let out = fmesh(&["--check", "--worker", "v3.0.0.9"], None);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--function-mesh <V>"));
}

#[test]
fn both_versions_without_check_exits_2() {
    let out = fmesh(
        &["--worker", "v3.0.0.9", "--function-mesh", "v0.14.0"],
        None,
    );
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "fmesh compat: give either --worker or --function-mesh, or both with --check\n"
    );
}

#[test]
fn bad_output_format_exits_2() {
    let out = fmesh(&["-o", "xml"], None);
    assert_eq!(code(&out), 2);
}

#[test]
fn malformed_matrix_file_exits_1() {
    let page = "| Function Mesh | Function Mesh Worker service |\n| --- | --- |\n| v0.15.0 | <br />- v3.0.x+ |\n";
    let out = fmesh(&["--matrix", "-"], Some(page));
    assert_eq!(code(&out), 1);
    assert_eq!(
        stderr(&out),
        "fmesh compat: -: line 3: worker column of v0.15.0: worker range `v3.0.x+`: worker version `v3.0.x`: part 3 `x` is not a decimal number\n"
    );
    let out = fmesh(&["--matrix", "/nonexistent/matrix.md"], None);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).starts_with("fmesh compat: cannot read /nonexistent/matrix.md"));
}
