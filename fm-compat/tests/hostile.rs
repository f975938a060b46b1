//! Hostile input for fm-compat: huge and odd version strings, ranges and matrix pages.
//! Every one is an error or a value, never a panic, in bounded time.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_compat::{FunctionMeshVersion, Matrix, WorkerRange, WorkerVersion};

#[test]
fn odd_version_strings_are_errors() {
    let huge = "9".repeat(1 << 20);
    for s in [
        "",
        "v",
        "v.",
        "v1",
        "v1.2",
        "v1.2.3.4.5",
        "v-1.2.3",
        "v1..3",
        "v١.٢.٣",
        "v1.2.3\0",
        "v99999999999999999999.0.0",
        "v4294967296.0.0",
        "V1.2.3",
        " v1.2.3",
        "v1.2.3 ",
        &huge,
    ] {
        assert!(
            s.parse::<FunctionMeshVersion>().is_err() || s.starts_with('v'),
            "{s:.20}"
        );
        let _ = s.parse::<WorkerVersion>();
        let _ = s.parse::<WorkerRange>();
        let _ = fm_compat::range::parse_published_item(s);
    }
    assert!("v4294967296.0.0".parse::<FunctionMeshVersion>().is_err());
    assert!(huge.parse::<WorkerVersion>().is_err());
}

#[test]
fn odd_ranges_are_errors() {
    for s in [
        "v1.0.0.1-",
        "-v1.0.0.1",
        "v1.0.0.2-v1.0.0.1",
        "v1.0.0.1++",
        "v1.0.0.1-v2.0.0.1-v3.0.0.1",
        "+",
    ] {
        let _ = s.parse::<WorkerRange>();
        let _ = fm_compat::range::parse_published_item(s);
    }
}

#[test]
fn odd_matrix_pages_are_errors_or_values() {
    let row = "| v0.1.0 | v2.9.0.1 |\n";
    let big = format!(
        "| Function Mesh | Worker |\n|---|---|\n{}",
        row.repeat(200_000)
    );
    let _ = Matrix::from_markdown(&big);
    for page in [
        String::new(),
        "|".repeat(1 << 20),
        "| a |\n".repeat(10_000),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!("rows: {}", "[".repeat(100_000)),
        "\u{feff}| x | y |\n|-|-|\n| v0.1.0 | v\u{0}1.0.0.1 |".into(),
    ] {
        let _ = Matrix::from_markdown(&page);
        let _ = Matrix::from_any(&page);
    }
}

#[test]
fn deeply_nested_yaml_is_refused_before_the_reader() {
    let e = Matrix::from_yaml(&format!("rows: {}", "[".repeat(100_000))).unwrap_err();
    assert!(e.to_string().contains("more than 1024 levels deep"), "{e}");
    let e = Matrix::from_any(&format!("- {}", "{a: ".repeat(100_000))).unwrap_err();
    assert!(e.to_string().contains("more than 1024 levels deep"), "{e}");
}
