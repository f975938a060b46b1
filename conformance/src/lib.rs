//! End-to-end conformance harness for fmesh: a real Kubernetes API server, the real Function Mesh CRDs and
//! operator, and a real Pulsar, started by one of two [`backend::Backend`]s (`local` processes or
//! `testcontainers`), plus the scenarios that check fmesh's resources against them.

// Test harness: its scenarios assert by unwrapping, indexing and panicking; a panic is a failed
// scenario. The no-panic rule of the library crates does not apply here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod backend;
pub mod certs;
pub mod containers;
pub mod error;
pub mod kubeutil;
pub mod local;
pub mod prepared;
pub mod process;
pub mod pulsar_local;
pub mod report;
pub mod scenarios;
pub mod schema_diff;

pub use backend::{Backend, BackendKind, PulsarAdmin};
pub use error::{HarnessError, Result};
pub use report::{summary_line, Failure, Outcome};
