//! The types of fmesh, and nothing else: Pulsar's function and connector configs, the Function
//! Mesh custom resources, the worker's configuration, one [`ComponentKind`] and one redacting
//! secret wrapper ([`Sensitive`]).
//!
//! This crate plays the role kube-core and k8s-openapi play for kube-rs: a program that only
//! reads or watches `Function`/`Sink`/`Source` resources, or only parses Pulsar configs,
//! depends on it alone. Conversions live in `fm-convert`, authentication in `fm-auth`.
//!
//! Pure: no I/O, no async, no global state.
//!
//! * [`pulsar`] — `FunctionConfig`, `SinkConfig`, `SourceConfig` and the status bodies, JSON/YAML
//!   compatible with Pulsar (Jackson's rules, Gson's spellings accepted).
//! * [`crd`] — `Function`, `Sink`, `Source`, `FunctionMesh`, `BackendConfig` (kube
//!   `CustomResource` + `JsonSchema`), their CRDs and the YAML emitter.
//! * [`worker`] — `functions_worker.yml`, the connector catalogue, `customRuntimeOptions`.
//! * [`auth`] — the `authConfig` / `tlsConfig` blocks of a resource.
//! * [`parse`] — JSON-or-YAML parsing with Pulsar's leniency and fmesh's strictness.

// `optional_fields!` reads a struct one field at a time (two or three steps a field); the
// largest specs need more than the default 128 steps.
#![recursion_limit = "256"]
pub mod auth;
pub mod crd;
mod kind;
mod lenient;
mod macros;
pub mod parse;
pub mod pulsar;
mod sensitive;
pub mod worker;

pub use kind::{ComponentKind, UnknownKind};
pub use sensitive::{Sensitive, REDACTED};
