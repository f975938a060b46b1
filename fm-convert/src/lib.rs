//! Pulsar function and connector configs ⇄ Function Mesh resources, as the Java Function Mesh
//! worker service converts them, minus its data-losing bugs.
//!
//! The front door is a [`Worker`], built once from what a worker service knows, and a
//! [`Request`] per call; one generic method per direction serves the three kinds
//! ([`Component`], [`ComponentResource`]), and [`AnyConfig`] / [`AnyResource`] serve callers
//! that learn the kind at run time. The types themselves are fm-model's, re-exported here.
//!
//! Data path, by module: parse ([`parse`]) → validate ([`validate`], giving a [`Validated`]
//! value) → convert (`convert`: one file per kind, `parts` shared; then the target release in
//! `front_door`) → serialise ([`crd::to_kube_yaml`] or JSON); back: `reverse`
//! ([`Worker::reverse`]) and [`status`] ([`ComponentResource::status`]). [`normalize`] is the
//! test oracle: `reverse(convert(c)) == normalize(c)`.
//!
//! Pure: no I/O, no async, no global state.
//!
//! # A worker service's create, end to end
//!
//! ```no_run
//! use fm_convert::{crd::Function, pulsar::FunctionConfig, worker::WorkerConfig, Request, Worker};
//! use kube::api::{Api, Patch, PatchParams};
//! use std::sync::Arc;
//!
//! # async fn create(client: kube::Client) -> Result<(), Box<dyn std::error::Error>> {
//! // Once, at start-up: the worker's functions_worker.yml.
//! let config: WorkerConfig = fm_convert::parse::parse(
//!     "pulsarFunctionsCluster: east\nfunctionsWorkerServiceCustomConfigs:\n  jobNamespace: pulsar-fns\n",
//! )?;
//! let worker = Arc::new(Worker::builder(config).build());
//!
//! // Per request: the `functionConfig` part of `pulsar-admin functions create`.
//! let body = r#"{"tenant":"public","namespace":"default","name":"exclaim",
//!   "className":"org.apache.pulsar.functions.api.examples.ExclamationFunction",
//!   "inputs":["persistent://public/default/in"],"output":"persistent://public/default/out",
//!   "jar":"function://public/default/exclamation@1"}"#;
//! let config: FunctionConfig = fm_convert::parse::parse(body)?;
//! let converted = worker.convert(&config, &Request::new())?;
//!
//! // At the edge: server-side apply of the Secrets, then the resource.
//! let functions: Api<Function> = Api::namespaced(client, &worker.job_namespace());
//! let name = converted.resource.metadata.name.clone().unwrap_or_default();
//! let params = PatchParams::apply("fmesh-worker").force();
//! functions.patch(&name, &params, &Patch::Apply(converted.document()?)).await?;
//!
//! // And back, for `pulsar-admin functions get`.
//! let stored = functions.get(&name).await?;
//! let shown: FunctionConfig = worker.reverse(&stored)?;
//! assert_eq!(shown.name.as_deref(), Some("exclaim"));
//! # Ok(()) }
//! ```
mod component;
mod convert;
mod error;
pub mod fidelity;
mod front_door;
mod inputs;
pub mod naming;
pub mod normalize;
mod options;
mod package;
mod quantity;
mod reverse;
mod shared_fields;
pub mod status;
pub mod validate;
mod warnings;

pub use component::{AnyConfig, AnyResource, Component, ComponentResource};
pub use convert::component_labels;
pub use error::{ConvertError, ReverseError, ValidationErrors, ValidationIssue};
pub use fm_model::{crd, parse, pulsar, worker, ComponentKind, Sensitive};
pub use front_door::{Converted, Request, Warning, Worker, WorkerBuilder, DEFAULT_CLUSTER};
pub use package::{ConnectorPackage, Package};
pub use validate::{Identity, Validated};
