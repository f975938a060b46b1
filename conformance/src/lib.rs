//! End-to-end conformance harness for fmesh: a real Kubernetes API server, the real Function Mesh CRDs and
//! operator, and a real Pulsar, started by one of two [`backend::Backend`]s (`local` processes or
//! `testcontainers`, in [`backends`]), plus the [`scenarios`] that check fmesh's resources against them.
//!
//! Layers, each importing only the ones above it: [`error`] and [`report`]; the shared support
//! ([`process`], [`net`], [`certs`], [`prepared`], [`kubeutil`], [`schema_diff`]); the [`backend`] trait;
//! the two [`backends`]; the [`scenarios`].

// Test harness: its scenarios assert by unwrapping, indexing and panicking; a panic is a failed
// scenario. The no-panic rule of the library crates does not apply here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod backend;
pub mod backends;
pub mod certs;
pub mod error;
pub mod kubeutil;
pub mod net;
pub mod prepared;
pub mod process;
pub mod pulsar_auth;
pub mod report;
pub mod scenarios;
pub mod schema_diff;
pub mod worker_log;

pub use backend::{Backend, BackendKind, PulsarAdmin};
pub use error::{HarnessError, Result};
pub use report::{summary_line, Failure, Outcome};
