//! What the tests share: a plain struct of everything a conversion may know ([`Ctx`]), turned
//! into the front door's [`Worker`] and [`Request`] for each call, and the per-kind calls the
//! tests read best, all going through the front door.
#![allow(dead_code)]

use fm_convert::crd::{Function, Sink, Source};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{ConvertError, Converted, Request, ReverseError, ValidationErrors, Worker};
use k8s_openapi::api::core::v1::Secret;

/// Everything a conversion may know, as one value a test can build with `..Default::default()`.
/// Unlike the CLI, no fallback cluster: a config with no cluster anywhere is invalid.
#[derive(Clone, Debug, Default)]
pub struct Ctx {
    pub worker: WorkerConfig,
    pub connectors: Vec<ConnectorDefinition>,
    pub package_url: Option<String>,
    pub package_file_name: Option<String>,
    pub cluster: Option<String>,
    pub caller: fm_auth::Caller,
    pub existing_secrets: Vec<Secret>,
}

impl Ctx {
    pub fn worker(&self) -> Worker {
        Worker::builder(self.worker.clone())
            .connectors(self.connectors.clone())
            .cluster(self.cluster.as_deref())
            .fallback_cluster(None)
            .build()
    }

    pub fn request(&self) -> Request {
        Request::new()
            .package_url(self.package_url.as_deref())
            .package_file_name(self.package_file_name.as_deref())
            .caller(self.caller.clone())
            .secrets(self.existing_secrets.clone())
    }
}

pub fn function_to_resource(
    c: &FunctionConfig,
    ctx: &Ctx,
) -> Result<Converted<Function>, ConvertError> {
    ctx.worker().convert(c, &ctx.request())
}

pub fn sink_to_resource(c: &SinkConfig, ctx: &Ctx) -> Result<Converted<Sink>, ConvertError> {
    ctx.worker().convert(c, &ctx.request())
}

pub fn source_to_resource(c: &SourceConfig, ctx: &Ctx) -> Result<Converted<Source>, ConvertError> {
    ctx.worker().convert(c, &ctx.request())
}

pub fn validate_function(c: &FunctionConfig, ctx: &Ctx) -> Result<(), ValidationErrors> {
    ctx.worker().validate(c, &ctx.request()).map(drop)
}

pub fn validate_sink(c: &SinkConfig, ctx: &Ctx) -> Result<(), ValidationErrors> {
    ctx.worker().validate(c, &ctx.request()).map(drop)
}

pub fn validate_source(c: &SourceConfig, ctx: &Ctx) -> Result<(), ValidationErrors> {
    ctx.worker().validate(c, &ctx.request()).map(drop)
}

pub fn function_config(r: &Function, ctx: &Ctx) -> Result<FunctionConfig, ReverseError> {
    ctx.worker().reverse(r)
}

pub fn sink_config(r: &Sink, ctx: &Ctx) -> Result<SinkConfig, ReverseError> {
    ctx.worker().reverse(r)
}

pub fn source_config(r: &Source, ctx: &Ctx) -> Result<SourceConfig, ReverseError> {
    ctx.worker().reverse(r)
}

pub fn normalize_function(c: &FunctionConfig, ctx: &Ctx) -> FunctionConfig {
    fm_convert::normalize::normalize_function(c, &ctx.worker(), &ctx.request())
}

pub fn normalize_sink(c: &SinkConfig, ctx: &Ctx) -> SinkConfig {
    fm_convert::normalize::normalize_sink(c, &ctx.worker(), &ctx.request())
}

pub fn normalize_source(c: &SourceConfig, ctx: &Ctx) -> SourceConfig {
    fm_convert::normalize::normalize_source(c, &ctx.worker(), &ctx.request())
}
