//! The published markdown pages: the first `| Function Mesh | Function Mesh Worker service |`
//! table of a page, its `<br />`-separated worker cells and their ranges.

use super::MatrixError;
use crate::range::{parse_published_item, WorkerRange};
use crate::version::FunctionMeshVersion;

/// A row of a published markdown table, kept with its source text (for diagnostics and tests).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedRow {
    /// 1-based line number in the page.
    pub line: usize,
    /// The Function Mesh release.
    pub function_mesh: FunctionMeshVersion,
    /// The worker cell as published.
    pub cell: String,
    /// Each item of the cell (as published) and the ranges it parsed to.
    pub items: Vec<PublishedItem>,
}

/// One `<br />- ...` item of a published worker cell.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PublishedItem {
    /// The item text as published (bullet removed, trimmed).
    pub text: String,
    /// The ranges it stands for.
    pub ranges: Vec<WorkerRange>,
}

fn split_cells(line: &str) -> Vec<&str> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(str::trim).collect()
}

pub(super) fn is_header(line: &str) -> bool {
    let t = line.trim_start();
    if !t.starts_with('|') {
        return false;
    }
    let cells = split_cells(t);
    matches!(cells.as_slice(), [a, b]
        if a.eq_ignore_ascii_case("Function Mesh")
            && b.eq_ignore_ascii_case("Function Mesh Worker service"))
}

fn is_separator(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('|')
        && split_cells(t)
            .iter()
            .all(|c| !c.is_empty() && c.contains('-') && c.chars().all(|ch| ch == '-' || ch == ':'))
}

/// Splits a published worker cell into its items: `<br />` (also `<br/>`, `<br>`) separated,
/// each optionally starting with a `-` bullet; empty items are skipped.
fn cell_items(cell: &str) -> Vec<String> {
    let lower = cell.to_ascii_lowercase();
    let mut items = Vec::new();
    let mut rest_start = 0;
    let mut pos = 0;
    while let Some(found) = lower.get(pos..).and_then(|s| s.find("<br")) {
        let at = pos + found;
        let Some(close) = lower.get(at..).and_then(|s| s.find('>')) else {
            break;
        };
        if let Some(piece) = cell.get(rest_start..at) {
            items.push(piece.to_owned());
        }
        pos = at + close + 1;
        rest_start = pos;
    }
    if let Some(piece) = cell.get(rest_start..) {
        items.push(piece.to_owned());
    }
    items
        .into_iter()
        .map(|i| {
            let t = i.trim();
            t.strip_prefix('-').unwrap_or(t).trim().to_owned()
        })
        .filter(|i| !i.is_empty())
        .collect()
}

/// Parses the first `| Function Mesh | Function Mesh Worker service |` table of a markdown
/// page, as published, keeping each row's source text.
pub fn parse_published_rows(page: &str) -> Result<Vec<PublishedRow>, MatrixError> {
    let lines: Vec<&str> = page.lines().collect();
    let header = lines
        .iter()
        .position(|l| is_header(l))
        .ok_or(MatrixError::NoTable)?;
    let sep_line = header + 1;
    if !lines.get(sep_line).is_some_and(|l| is_separator(l)) {
        return Err(MatrixError::MissingSeparator { line: sep_line + 1 });
    }
    let mut rows: Vec<PublishedRow> = Vec::new();
    for (idx, text) in lines.iter().enumerate().skip(sep_line + 1) {
        if !text.trim_start().starts_with('|') {
            break;
        }
        let line = idx + 1;
        let cells = split_cells(text);
        let [fm_cell, worker_cell] = cells.as_slice() else {
            return Err(MatrixError::CellCount {
                line,
                found: cells.len(),
            });
        };
        let function_mesh: FunctionMeshVersion = fm_cell
            .parse()
            .map_err(|source| MatrixError::FunctionMesh { line, source })?;
        if rows.iter().any(|r| r.function_mesh == function_mesh) {
            return Err(MatrixError::DuplicateRow {
                line,
                function_mesh,
            });
        }
        let mut items = Vec::new();
        for text in cell_items(worker_cell) {
            let ranges = parse_published_item(&text).map_err(|source| MatrixError::Worker {
                line,
                function_mesh,
                source,
            })?;
            items.push(PublishedItem { text, ranges });
        }
        if items.is_empty() {
            return Err(MatrixError::EmptyCell {
                line,
                function_mesh,
            });
        }
        rows.push(PublishedRow {
            line,
            function_mesh,
            cell: (*worker_cell).to_owned(),
            items,
        });
    }
    if rows.is_empty() {
        return Err(MatrixError::EmptyTable { line: header + 1 });
    }
    Ok(rows)
}
