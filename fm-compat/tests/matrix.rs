//! The published matrix: every row and cell of both pages, and query invariants.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_compat::matrix::parse_published_rows;
use fm_compat::{FunctionMeshVersion, Matrix, WorkerRange, WorkerVersion};
use proptest::prelude::*;

#[derive(serde::Serialize)]
struct RangeView {
    kind: &'static str,
    normalised: String,
}

#[derive(serde::Serialize)]
struct ItemView {
    published: String,
    ranges: Vec<RangeView>,
}

#[derive(serde::Serialize)]
struct RowView {
    line: usize,
    function_mesh: String,
    cell: String,
    items: Vec<ItemView>,
}

fn view(page: &str) -> Vec<RowView> {
    parse_published_rows(page)
        .unwrap()
        .into_iter()
        .map(|r| RowView {
            line: r.line,
            function_mesh: r.function_mesh.to_string(),
            cell: r.cell,
            items: r
                .items
                .into_iter()
                .map(|i| ItemView {
                    published: i.text,
                    ranges: i
                        .ranges
                        .iter()
                        .map(|r| RangeView {
                            kind: match r {
                                WorkerRange::Exact(_) => "single version",
                                WorkerRange::Closed { .. } => "closed range (inclusive)",
                                WorkerRange::FromBuild { .. } => {
                                    "this build and later builds of the line"
                                }
                                WorkerRange::Line(_) => "every build of the line",
                            },
                            normalised: r.to_string(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

#[test]
fn newer_page_parses_as_intended() {
    insta::assert_yaml_snapshot!("newer_page", view(Matrix::published_markdown()));
}

#[test]
fn older_page_parses_as_intended() {
    insta::assert_yaml_snapshot!("older_page", view(Matrix::published_older_markdown()));
}

#[test]
fn default_matrix_in_yaml_form() {
    insta::assert_yaml_snapshot!("default_matrix", Matrix::published());
}

fn worker_version() -> impl Strategy<Value = WorkerVersion> {
    // Concentrate on the numbers the matrix uses, with some outside them.
    (
        2u32..=3,
        0u32..=12,
        0u32..=6,
        prop::option::weighted(0.9, 0u32..=40),
    )
        .prop_map(|(major, minor, patch, build)| WorkerVersion {
            line: fm_compat::WorkerLine {
                major,
                minor,
                patch,
            },
            build,
        })
}

proptest! {
    #[test]
    fn queries_agree_with_the_pairwise_check(w in worker_version()) {
        let m = Matrix::published();
        let fms = m.function_mesh_for(&w);
        let mut sorted = fms.clone();
        sorted.sort();
        prop_assert_eq!(&fms, &sorted, "ascending");
        for fm in m.function_mesh_versions() {
            let compatible = m.is_compatible(&fm, &w).unwrap();
            prop_assert_eq!(compatible, fms.contains(&fm));
            let by_ranges = m.worker_ranges(&fm).unwrap().iter().any(|r| r.contains(&w));
            prop_assert_eq!(compatible, by_ranges);
        }
        prop_assert_eq!(m.newest_function_mesh(&w), fms.last().copied());
    }

    #[test]
    fn version_parsing_never_panics(s in ".*") {
        let _ = s.parse::<FunctionMeshVersion>();
        let _ = s.parse::<WorkerVersion>();
        let _ = s.parse::<WorkerRange>();
        let _ = fm_compat::range::parse_published_item(&s);
    }

    #[test]
    fn version_like_strings_never_panic(s in "v?[0-9.x+ ,()-]{0,30}") {
        let _ = s.parse::<WorkerRange>();
        let _ = fm_compat::range::parse_published_item(&s);
        if let Ok(v) = s.parse::<WorkerVersion>() {
            prop_assert_eq!(v.to_string().parse::<WorkerVersion>().unwrap(), v);
        }
    }

    #[test]
    fn matrix_parsing_never_panics(s in ".*") {
        let _ = Matrix::from_any(&s);
        let _ = Matrix::from_markdown(&format!("| Function Mesh | Function Mesh Worker service |\n|---|---|\n| v0.1.9 | {s} |\n"));
        let _ = Matrix::from_markdown(&format!("| Function Mesh | Function Mesh Worker service |\n|---|---|\n{s}"));
    }

    #[test]
    fn worker_versions_round_trip(a in 0u32..1000, b in 0u32..1000, c in 0u32..1000, d in prop::option::of(0u32..1000)) {
        let v = WorkerVersion { line: fm_compat::WorkerLine { major: a, minor: b, patch: c }, build: d };
        prop_assert_eq!(v.to_string().parse::<WorkerVersion>().unwrap(), v);
        let no_v = v.to_string().trim_start_matches('v').to_owned();
        prop_assert_eq!(no_v.parse::<WorkerVersion>().unwrap(), v);
    }
}
