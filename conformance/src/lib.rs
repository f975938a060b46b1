//! End-to-end conformance harness for fmesh: a real Kubernetes API server, the real Function Mesh CRDs and
//! operator, and a real Pulsar, started by one of two [`backend::Backend`]s (`local` processes or
//! `testcontainers`), plus the scenarios that check fmesh's resources against them.

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
