//! End-to-end conformance harness for fmesh: a real Kubernetes API server, the real Function Mesh CRDs and
//! operator, and a real Pulsar, started by one of two [`backend::Backend`]s (`local` processes or
//! `testcontainers`, in [`backends`]), plus the [`scenarios`] that check fmesh's resources against them.
//!
//! Layers, each importing only the ones above it: [`error`] and [`report`]; the shared support
//! ([`process`], [`net`], [`certs`], [`prepared`], [`kubeutil`], [`schema_diff`]); the [`backend`] trait;
//! the two [`backends`]; the [`scenarios`].

pub mod backend;
pub mod backends;
pub mod certs;
pub mod error;
pub mod kubeutil;
pub mod net;
pub mod prepared;
pub mod process;
pub mod report;
pub mod scenarios;
pub mod schema_diff;

pub use backend::{Backend, BackendKind, PulsarAdmin};
pub use error::{HarnessError, Result};
pub use report::{summary_line, Failure, Outcome};
