//! What the worker knows: the Pulsar worker config (`functions_worker.yml`), the Function Mesh
//! worker service's custom config, per-request `customRuntimeOptions`, and the built-in
//! connector catalogue. Field names are exactly the YAML/JSON keys users already have.
//!
//! `config.rs` holds the worker config, `runtime_options.rs` the per-request options,
//! `connector.rs` the catalogue entries.

mod config;
mod connector;
mod runtime_options;

pub use config::{
    MeshWorkerServiceCustomConfig, ResourceBounds, RuntimeFactoryConfig, WorkerConfig,
};
pub use connector::ConnectorDefinition;
pub use runtime_options::{
    CustomRuntimeOptions, HpaSpec, VpaContainerPolicy, VpaSpecOptions, VpaUpdatePolicy,
};

/// Java's `byte[]` type name, the default type class everywhere.
pub const BYTES_TYPE: &str = "[B";
