//! fm-compat: which Function Mesh release works with which Function Mesh Worker service
//! version, and which resource fields each Function Mesh release knows.
//!
//! * [`version`]: strict version numbers ([`FunctionMeshVersion`] `vX.Y.Z`,
//!   [`WorkerVersion`] `vX.Y.Z.N` or `vX.Y.Z`), ordered numerically.
//! * [`range`]: worker ranges and their semantics — a single version matches only itself; a
//!   closed range `a-b` is inclusive; `vX.Y.Z.N+` is that build and every later build of the
//!   same `X.Y.Z` line; `vX.Y.Z+` is every build of that line.
//! * [`matrix`]: the published matrix as data (the newer page embedded as the default, the
//!   older page available; the newer page wins where they differ) and the queries both ways.
//! * [`target`]: the per-release field history of Function, Sink and Source (embedded YAML) and
//!   [`target::prune_for_target`], which makes a resource fit an older Function Mesh release.
//!
//! Pure: no I/O, no async, no global state. See `fm-compat/README.md` for the full semantics.
pub mod matrix;
pub mod range;
pub mod target;
pub mod version;

pub use matrix::{Matrix, MatrixError, MatrixRow, QueryError};
pub use range::{RangeError, WorkerRange};
pub use version::{FunctionMeshVersion, VersionError, WorkerLine, WorkerVersion};

/// A value parsed from text embedded at build time (the published matrix pages, the field
/// history). The parse cannot fail at run time: a unit test parses each embedded text.
pub(crate) fn embedded<T, E: std::fmt::Debug>(parsed: Result<T, E>, what: &str) -> T {
    #[allow(clippy::expect_used)]
    parsed.expect(what) // ok: embedded, tested
}
