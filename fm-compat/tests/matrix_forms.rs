//! The matrix's embedded pages, its three input forms (markdown, YAML, JSON) and their errors.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_compat::matrix::*;
use fm_compat::{FunctionMeshVersion, WorkerVersion};

fn fm(s: &str) -> FunctionMeshVersion {
    s.parse().unwrap()
}
fn w(s: &str) -> WorkerVersion {
    s.parse().unwrap()
}

#[test]
fn embedded_pages_parse() {
    assert_eq!(Matrix::published().rows().len(), 16);
    assert_eq!(Matrix::published_older().rows().len(), 7);
}

#[test]
fn newer_page_wins_over_older() {
    let mut m = Matrix::published_older();
    m.extend_with(Matrix::published());
    assert_eq!(m, Matrix::published());
    let older = Matrix::published_older();
    assert!(older.is_compatible(&fm("v0.5.0"), &w("v2.10.1.9")).unwrap());
    assert!(!Matrix::published()
        .is_compatible(&fm("v0.5.0"), &w("v2.10.1.9"))
        .unwrap());
}

#[test]
fn must_show_queries() {
    let m = Matrix::published();
    assert_eq!(
        m.function_mesh_for(&w("v2.10.1.8")),
        vec![fm("v0.4.0"), fm("v0.5.0")]
    );
    assert!(m.function_mesh_for(&w("v2.8.1.27")).is_empty());
    assert!(m.is_compatible(&fm("v0.14.0"), &w("v3.0.0.9")).unwrap());
    assert_eq!(m.newest_function_mesh(&w("v2.10.1.8")), Some(fm("v0.5.0")));
    assert_eq!(m.newest_function_mesh(&w("v2.8.1.27")), None);
    let ranges: Vec<String> = m
        .worker_ranges(&fm("v0.5.0"))
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        ranges,
        ["v2.10.1.7-v2.10.1.8", "v2.9.3.6-v2.9.3.8", "v2.8.4.1"]
    );
}

#[test]
fn unknown_function_mesh_is_an_error() {
    let e = Matrix::published()
        .is_compatible(&fm("v0.15.0"), &w("v3.0.0.1"))
        .unwrap_err();
    assert!(e.to_string().starts_with(
        "Function Mesh v0.15.0 is not in the version matrix (known: v0.1.9, v0.1.10,"
    ));
    assert!(Matrix::published().worker_ranges(&fm("v0.0.1")).is_err());
}

#[test]
fn yaml_and_json_forms_round_trip() {
    let m = Matrix::published();
    let yaml = serde_yaml_ng::to_string(&m).unwrap();
    assert_eq!(Matrix::from_yaml(&yaml).unwrap(), m);
    assert_eq!(Matrix::from_any(&yaml).unwrap(), m);
    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(Matrix::from_json(&json).unwrap(), m);
    assert_eq!(Matrix::from_any(&json).unwrap(), m);
    assert_eq!(Matrix::from_any(Matrix::published_markdown()).unwrap(), m);
}

#[test]
fn a_newer_page_extends_the_default() {
    let page = "# Later page\n\n| Function Mesh | Function Mesh Worker service |\n|---|---|\n| v0.15.0 | <br />- v3.0.1.1+ |\n| v0.14.0 | <br />- v3.0.0.2+ |\n\ntrailing text\n";
    let mut m = Matrix::published();
    m.extend_with(Matrix::from_markdown(page).unwrap());
    assert_eq!(m.rows().len(), 17);
    assert!(!m.is_compatible(&fm("v0.14.0"), &w("v3.0.0.1")).unwrap());
    assert_eq!(m.newest_function_mesh(&w("v3.0.1.5")), Some(fm("v0.15.0")));
}

#[test]
fn no_table_error() {
    assert!(matches!(
        Matrix::from_markdown("# nothing here\n| a | b |\n").unwrap_err(),
        MatrixError::NoTable
    ));
}

#[test]
fn missing_separator_error() {
    let e = Matrix::from_markdown(
        "| Function Mesh | Function Mesh Worker service |\n| v0.1.9 | v2.8.3.4 |\n",
    )
    .unwrap_err();
    assert!(matches!(e, MatrixError::MissingSeparator { line: 2 }));
}

#[test]
fn empty_table_error() {
    let e = Matrix::from_markdown(
        "| Function Mesh | Function Mesh Worker service |\n| --- | --- |\n\n",
    )
    .unwrap_err();
    assert!(matches!(e, MatrixError::EmptyTable { line: 1 }));
}

const HEAD: &str = "| Function Mesh | Function Mesh Worker service |\n| --- | --- |\n";

#[test]
fn cell_count_error() {
    let e = Matrix::from_markdown(&format!("{HEAD}| v0.1.9 | a | b |\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 3: expected 2 cells (Function Mesh | worker), found 3"
    );
}

#[test]
fn function_mesh_cell_error() {
    let e = Matrix::from_markdown(&format!("{HEAD}| v0.1 | v2.8.3.4 |\n")).unwrap_err();
    assert!(matches!(e, MatrixError::FunctionMesh { line: 3, .. }));
}

#[test]
fn empty_cell_error() {
    let e = Matrix::from_markdown(&format!("{HEAD}| v0.1.9 | <br /> |\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 3: the worker column of v0.1.9 is empty"
    );
    let e = Matrix::from_rows(vec![MatrixRow {
        function_mesh: fm("v0.1.9"),
        worker: vec![],
    }])
    .unwrap_err();
    assert!(matches!(e, MatrixError::EmptyCell { line: 1, .. }));
}

#[test]
fn worker_cell_error() {
    let e = Matrix::from_markdown(&format!("{HEAD}| v0.1.9 | <br />- v2.8.3.x |\n")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "line 3: worker column of v0.1.9: worker range `v2.8.3.x`: worker version `v2.8.3.x`: part 4 `x` is not a decimal number"
    );
}

#[test]
fn duplicate_row_error() {
    let e = Matrix::from_markdown(&format!(
        "{HEAD}| v0.1.9 | v2.8.3.4 |\n| 0.1.9 | v2.8.3.5 |\n"
    ))
    .unwrap_err();
    assert_eq!(e.to_string(), "line 4: v0.1.9 has more than one row");
    let e = Matrix::from_yaml("- {functionMesh: v0.1.9, worker: [v2.8.3.4]}\n- {functionMesh: v0.1.9, worker: [v2.8.3.5]}\n").unwrap_err();
    assert!(matches!(e, MatrixError::DuplicateRow { line: 2, .. }));
}

#[test]
fn yaml_errors() {
    assert!(matches!(
        Matrix::from_yaml("functionMesh: v0.1.9").unwrap_err(),
        MatrixError::Yaml(_)
    ));
    assert!(matches!(
        Matrix::from_yaml("- {functionMesh: v0.1.9, worker: [v2.8.3.4], extra: 1}").unwrap_err(),
        MatrixError::Yaml(_)
    ));
    let e = Matrix::from_yaml("- {functionMesh: v0.1.9, worker: ['v.2.8.3.4']}").unwrap_err();
    assert!(matches!(e, MatrixError::Worker { line: 1, .. }));
    let e = Matrix::from_yaml("- {functionMesh: vx, worker: ['v2.8.3.4']}").unwrap_err();
    assert!(matches!(e, MatrixError::FunctionMesh { line: 1, .. }));
}

#[test]
fn json_errors() {
    assert!(matches!(
        Matrix::from_json("[{\"functionMesh\": 1}]").unwrap_err(),
        MatrixError::Json(_)
    ));
}
