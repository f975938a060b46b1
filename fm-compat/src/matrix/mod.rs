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
//!
//! Layout: this module holds [`Matrix`] and its queries; `published.rs` reads the published
//! markdown pages; `error.rs` holds the two error types.

mod error;
mod published;

pub use error::{MatrixError, QueryError};
pub use published::{parse_published_rows, PublishedItem, PublishedRow};

use crate::range::WorkerRange;
use crate::version::{FunctionMeshVersion, WorkerVersion};
use published::is_header;

const NEWER_PAGE: &str = include_str!("../../data/matrix-newer.md");
const OLDER_PAGE: &str = include_str!("../../data/matrix-older.md");

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
        // The unit test `embedded_pages_parse` parses the embedded page.
        crate::embedded(
            Self::from_markdown(NEWER_PAGE),
            "embedded newer matrix page parses",
        )
    }

    /// The older published page (Function Mesh v0.1.9 … v0.5.0, wider v0.5.0 row). Kept for
    /// reference; [`Matrix::published`] is what queries should use.
    pub fn published_older() -> Self {
        // The unit test `embedded_pages_parse` parses the embedded page.
        crate::embedded(
            Self::from_markdown(OLDER_PAGE),
            "embedded older matrix page parses",
        )
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
