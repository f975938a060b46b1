//! End-to-end conformance harness for fmesh (filled by the conformance work).

pub mod pulsar_local;
