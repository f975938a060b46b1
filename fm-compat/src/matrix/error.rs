//! Why a matrix could not be read, and why a query could not be answered.

use crate::range::RangeError;
use crate::version::{FunctionMeshVersion, VersionError};

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
