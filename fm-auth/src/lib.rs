//! Per-user Pulsar authentication for Function Mesh resources.
//!
//! Pure: no cluster access. Callers pass in the Secrets that exist.

pub mod resource;
