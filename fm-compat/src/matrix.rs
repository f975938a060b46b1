//! The Function Mesh ↔ Function Mesh Worker service version matrix, as data.
//!
//! The default is the newer published page's table (Function Mesh v0.1.9 … v0.14.0), embedded
//! verbatim from `data/matrix-newer.md` and parsed at run time. The older page
//! (`data/matrix-older.md`, v0.1.9 … v0.5.0) is available too; where the two pages differ (only
//! the v0.5.0 row: the older page had open ranges `v2.10.1.7+ v2.9.3.5+ v2.8.4.1+`, the newer one
//! `v2.10.1.7-v2.10.1.8 v2.9.3.6-v2.9.3.8 v2.8.4.1`), **the newer page wins**.
//!
//! A user can extend the matrix with a newer page's markdown, or with the YAML/JSON form that
//! [`Matrix`] serialises to: a list of `{functionMesh: vX.Y.Z, worker: [range, ...]}` rows.
//! Rows of the loaded matrix replace rows of the same Function Mesh version.

use crate::range::{parse_published_item, RangeError, WorkerRange};
use crate::version::{FunctionMeshVersion, VersionError, WorkerVersion};

const NEWER_PAGE: &str = include_str!("../data/matrix-newer.md");
const OLDER_PAGE: &str = include_str!("../data/matrix-older.md");

/// One row: a Function Mesh release and the worker versions that work with it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    /// The Function Mesh release.
    pub function_mesh: FunctionMeshVersion,
    /// The worker ranges, in published order.
    pub worker: Vec<WorkerRange>,
}

impl MatrixRow {
    /// Whether `worker` lies in one of this row's ranges.
    pub fn matches(&self, worker: &WorkerVersion) -> bool {
        self.worker.iter().any(|r| r.contains(worker))
    }
}

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

/// Why a matrix could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    /// The page has no `| Function Mesh | Function Mesh Worker service |` table.
    #[error("no `| Function Mesh | Function Mesh Worker service |` table found")]
    NoTable,
    /// The header is not followed by a `| --- | --- |` separator line.
    #[error("line {line}: expected the `| --- | --- |` separator below the table header")]
    MissingSeparator {
        /// 1-based line number.
        line: usize,
    },
    /// The table has a header but no rows.
    #[error("line {line}: the table has no rows")]
    EmptyTable {
        /// 1-based line number of the header.
        line: usize,
    },
    /// A row does not have exactly two cells.
    #[error("line {line}: expected 2 cells (Function Mesh | worker), found {found}")]
    CellCount {
        /// 1-based line number.
        line: usize,
        /// Cells found.
        found: usize,
    },
    /// The Function Mesh cell is not a version.
    #[error("line {line}: Function Mesh column: {source}")]
    FunctionMesh {
        /// 1-based line number (row number for YAML/JSON).
        line: usize,
        /// The version error.
        #[source]
        source: VersionError,
    },
    /// The worker cell lists nothing.
    #[error("line {line}: the worker column of {function_mesh} is empty")]
    EmptyCell {
        /// 1-based line number (row number for YAML/JSON).
        line: usize,
        /// The row's Function Mesh version.
        function_mesh: FunctionMeshVersion,
    },
    /// An item of the worker cell is malformed.
    #[error("line {line}: worker column of {function_mesh}: {source}")]
    Worker {
        /// 1-based line number (row number for YAML/JSON).
        line: usize,
        /// The row's Function Mesh version.
        function_mesh: FunctionMeshVersion,
        /// The range error.
        #[source]
        source: RangeError,
    },
    /// The same Function Mesh version has two rows.
    #[error("line {line}: {function_mesh} has more than one row")]
    DuplicateRow {
        /// 1-based line number (row number for YAML/JSON) of the second row.
        line: usize,
        /// The repeated version.
        function_mesh: FunctionMeshVersion,
    },
    /// The YAML form does not have the expected shape.
    #[error("matrix YAML: {0}")]
    Yaml(String),
    /// The JSON form does not have the expected shape.
    #[error("matrix JSON: {0}")]
    Json(String),
}

/// Why a query could not be answered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The Function Mesh version has no row in the matrix.
    #[error("Function Mesh {version} is not in the version matrix (known: {known})")]
    UnknownFunctionMesh {
        /// The version asked for.
        version: FunctionMeshVersion,
        /// The known versions, comma-separated.
        known: String,
    },
}

/// The version matrix: rows sorted by Function Mesh version, ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matrix {
    rows: Vec<MatrixRow>,
}

impl serde::Serialize for Matrix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.rows.serialize(s)
    }
}

/// The YAML/JSON row before validation (so errors can name the row).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawRow {
    function_mesh: String,
    worker: Vec<String>,
}

fn split_cells(line: &str) -> Vec<&str> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(str::trim).collect()
}

fn is_header(line: &str) -> bool {
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

impl Matrix {
    /// Builds a matrix from rows; rows are sorted by Function Mesh version.
    ///
    /// Errors on a repeated Function Mesh version or a row without ranges (`line` is the 1-based
    /// row index).
    pub fn from_rows(rows: Vec<MatrixRow>) -> Result<Self, MatrixError> {
        let mut sorted: Vec<MatrixRow> = Vec::with_capacity(rows.len());
        for (i, row) in rows.into_iter().enumerate() {
            if row.worker.is_empty() {
                return Err(MatrixError::EmptyCell {
                    line: i + 1,
                    function_mesh: row.function_mesh,
                });
            }
            if sorted.iter().any(|r| r.function_mesh == row.function_mesh) {
                return Err(MatrixError::DuplicateRow {
                    line: i + 1,
                    function_mesh: row.function_mesh,
                });
            }
            sorted.push(row);
        }
        sorted.sort_by_key(|r| r.function_mesh);
        Ok(Self { rows: sorted })
    }

    /// The default matrix: the newer published page (Function Mesh v0.1.9 … v0.14.0).
    pub fn published() -> Self {
        // ok: the embedded page is fixed at build time and parsed by the unit test
        // `embedded_pages_parse`; it cannot fail at run time.
        let parsed = Self::from_markdown(NEWER_PAGE);
        #[allow(clippy::expect_used)]
        parsed.expect("embedded newer matrix page parses") // ok: embedded, tested
    }

    /// The older published page (Function Mesh v0.1.9 … v0.5.0, wider v0.5.0 row). Kept for
    /// reference; [`Matrix::published`] is what queries should use.
    pub fn published_older() -> Self {
        // ok: as in `published`, verified by the unit test `embedded_pages_parse`.
        let parsed = Self::from_markdown(OLDER_PAGE);
        #[allow(clippy::expect_used)]
        parsed.expect("embedded older matrix page parses") // ok: embedded, tested
    }

    /// The embedded newer page's markdown, as published.
    pub fn published_markdown() -> &'static str {
        NEWER_PAGE
    }

    /// The embedded older page's markdown, as published.
    pub fn published_older_markdown() -> &'static str {
        OLDER_PAGE
    }

    /// Parses the first version table of a published markdown page (see [`parse_published_rows`]).
    pub fn from_markdown(page: &str) -> Result<Self, MatrixError> {
        let rows = parse_published_rows(page)?
            .into_iter()
            .map(|r| MatrixRow {
                function_mesh: r.function_mesh,
                worker: r.items.into_iter().flat_map(|i| i.ranges).collect(),
            })
            .collect();
        Self::from_rows(rows)
    }

    fn from_raw(raw: Vec<RawRow>) -> Result<Self, MatrixError> {
        let mut rows = Vec::with_capacity(raw.len());
        for (i, r) in raw.into_iter().enumerate() {
            let line = i + 1;
            let function_mesh: FunctionMeshVersion = r
                .function_mesh
                .parse()
                .map_err(|source| MatrixError::FunctionMesh { line, source })?;
            let worker = r
                .worker
                .iter()
                .map(|w| w.parse::<WorkerRange>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|source| MatrixError::Worker {
                    line,
                    function_mesh,
                    source,
                })?;
            rows.push(MatrixRow {
                function_mesh,
                worker,
            });
        }
        Self::from_rows(rows)
    }

    /// Parses the YAML form: a list of `{functionMesh, worker: [normalised ranges]}`.
    ///
    /// A document with more than 1024 `[`/`{` open at once is refused before the YAML reader
    /// sees it: the reader's time grows with the square of the flow nesting depth.
    pub fn from_yaml(text: &str) -> Result<Self, MatrixError> {
        let mut depth = 0usize;
        for b in text.bytes() {
            match b {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > 1024 {
                return Err(MatrixError::Yaml(
                    "the document nests `[`/`{` more than 1024 levels deep".into(),
                ));
            }
        }
        let raw: Vec<RawRow> =
            serde_yaml_ng::from_str(text).map_err(|e| MatrixError::Yaml(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Parses the JSON form (same shape as the YAML form).
    pub fn from_json(text: &str) -> Result<Self, MatrixError> {
        let raw: Vec<RawRow> =
            serde_json::from_str(text).map_err(|e| MatrixError::Json(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Parses any of the three forms: markdown when the text holds the version table, JSON
    /// when it starts with `[` or `{`, YAML otherwise.
    pub fn from_any(text: &str) -> Result<Self, MatrixError> {
        if text.lines().any(is_header) {
            Self::from_markdown(text)
        } else if text.trim_start().starts_with(['[', '{']) {
            Self::from_json(text)
        } else {
            Self::from_yaml(text)
        }
    }

    /// Adds `newer`'s rows, replacing rows of the same Function Mesh version (newer wins).
    pub fn extend_with(&mut self, newer: Matrix) {
        for row in newer.rows {
            match self
                .rows
                .iter_mut()
                .find(|r| r.function_mesh == row.function_mesh)
            {
                Some(existing) => *existing = row,
                None => self.rows.push(row),
            }
        }
        self.rows.sort_by_key(|r| r.function_mesh);
    }

    /// All rows, ascending by Function Mesh version.
    pub fn rows(&self) -> &[MatrixRow] {
        &self.rows
    }

    /// The Function Mesh versions that have a row, ascending.
    pub fn function_mesh_versions(&self) -> Vec<FunctionMeshVersion> {
        self.rows.iter().map(|r| r.function_mesh).collect()
    }

    fn row(&self, version: &FunctionMeshVersion) -> Result<&MatrixRow, QueryError> {
        self.rows
            .iter()
            .find(|r| r.function_mesh == *version)
            .ok_or_else(|| QueryError::UnknownFunctionMesh {
                version: *version,
                known: self
                    .rows
                    .iter()
                    .map(|r| r.function_mesh.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Function Mesh version → the worker ranges that work with it (published order).
    pub fn worker_ranges(
        &self,
        version: &FunctionMeshVersion,
    ) -> Result<&[WorkerRange], QueryError> {
        Ok(&self.row(version)?.worker)
    }

    /// Worker version → the Function Mesh versions it works with, ascending (may be empty).
    pub fn function_mesh_for(&self, worker: &WorkerVersion) -> Vec<FunctionMeshVersion> {
        self.rows
            .iter()
            .filter(|r| r.matches(worker))
            .map(|r| r.function_mesh)
            .collect()
    }

    /// The newest Function Mesh version that works with `worker`, if any.
    pub fn newest_function_mesh(&self, worker: &WorkerVersion) -> Option<FunctionMeshVersion> {
        self.function_mesh_for(worker).into_iter().max()
    }

    /// Whether the pair works together. Unknown Function Mesh version → error.
    pub fn is_compatible(
        &self,
        function_mesh: &FunctionMeshVersion,
        worker: &WorkerVersion,
    ) -> Result<bool, QueryError> {
        Ok(self.row(function_mesh)?.matches(worker))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e =
            Matrix::from_markdown(&format!("{HEAD}| v0.1.9 | <br />- v2.8.3.x |\n")).unwrap_err();
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
            Matrix::from_yaml("- {functionMesh: v0.1.9, worker: [v2.8.3.4], extra: 1}")
                .unwrap_err(),
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
}
