//! The operations of the front door, once for the three kinds: [`Component`] (a Pulsar config
//! that becomes a resource) and [`ComponentResource`] (a resource that reads back as a config
//! and reports a status), and [`AnyConfig`] / [`AnyResource`] for callers that learn the kind
//! only at run time (a CLI flag, a REST path, a document's `kind`).
//!
//! Data path: parse ([`fm_model::parse`]) → [`Worker::validate`] ([`crate::validate`]) →
//! [`Worker::convert`] (`convert`, then the target release) → serialise
//! ([`fm_model::crd::to_kube_yaml`] or JSON); back: [`Worker::reverse`] (`reverse`) and
//! [`ComponentResource::status`] ([`crate::status`]).

use crate::error::{ConvertError, ReverseError, ValidationErrors};
use crate::front_door::{target, Converted, Request, Worker};
use crate::package::{ConnectorPackage, Package};
use crate::status::InstanceReport;
use crate::validate::{self, Validated};
use crate::{convert, reverse, status};
use fm_model::crd::{Function, Sink, Source};
use fm_model::pulsar::{
    ComponentStatus, FunctionConfig, FunctionInstanceStatusData, SinkConfig,
    SinkInstanceStatusData, SourceConfig, SourceInstanceStatusData,
};
use fm_model::ComponentKind;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;

mod sealed {
    pub trait Sealed {}
    impl Sealed for fm_model::pulsar::FunctionConfig {}
    impl Sealed for fm_model::pulsar::SinkConfig {}
    impl Sealed for fm_model::pulsar::SourceConfig {}
    impl Sealed for fm_model::crd::Function {}
    impl Sealed for fm_model::crd::Sink {}
    impl Sealed for fm_model::crd::Source {}
}

/// A Pulsar config of one kind: `FunctionConfig`, `SinkConfig` or `SourceConfig`.
pub trait Component: sealed::Sealed + Serialize + DeserializeOwned + Sized {
    /// Its kind.
    const KIND: ComponentKind;
    /// The Function Mesh resource it becomes.
    type Resource: ComponentResource<Config = Self>;
    /// What validation resolves as its code ([`Package`] or [`ConnectorPackage`]).
    type Package: Clone + std::fmt::Debug;

    /// Validates it (see [`Worker::validate`]).
    fn validate<'c>(
        &'c self,
        worker: &Worker,
        request: &Request,
    ) -> Result<Validated<'c, Self, Self::Package>, ValidationErrors>;

    /// Converts a validated config (see [`Worker::convert`]).
    fn to_resource(
        validated: &Validated<'_, Self, Self::Package>,
        worker: &Worker,
        request: &Request,
    ) -> Result<Converted<Self::Resource>, ConvertError>;
}

/// A Function Mesh resource of one kind: `Function`, `Sink` or `Source`.
pub trait ComponentResource: sealed::Sealed + Serialize + DeserializeOwned + Sized {
    /// Its kind.
    const KIND: ComponentKind;
    /// The Pulsar config it reads back as.
    type Config: Component<Resource = Self>;
    /// Its Pulsar status body's per-instance data.
    type InstanceStatus: Serialize;

    /// Reads it back (see [`Worker::reverse`]).
    fn to_config(&self, worker: &Worker) -> Result<Self::Config, ReverseError>;

    /// The Pulsar status (`pulsar-admin … status`) from what Kubernetes shows of it: its
    /// StatefulSet, its pods, and the instances' own reports where they could be asked.
    fn status(
        &self,
        statefulset: Option<&StatefulSet>,
        pods: &[Pod],
        reports: &BTreeMap<i32, InstanceReport>,
    ) -> ComponentStatus<Self::InstanceStatus>;
}

impl Worker {
    /// Checks a config against Pulsar's and Function Mesh's rules, listing every problem with
    /// its field path; on success returns what validation worked out.
    pub fn validate<'c, C: Component>(
        &self,
        config: &'c C,
        request: &Request,
    ) -> Result<Validated<'c, C, C::Package>, ValidationErrors> {
        config.validate(self, request)
    }

    /// Converts a config to its Function Mesh resource and the Secrets to create with it,
    /// written for the worker's target release when it has one.
    pub fn convert<C: Component>(
        &self,
        config: &C,
        request: &Request,
    ) -> Result<Converted<C::Resource>, ConvertError> {
        let validated = config.validate(self, request)?;
        self.convert_validated(&validated, request)
    }

    /// Converts an already validated config.
    pub fn convert_validated<C: Component>(
        &self,
        validated: &Validated<'_, C, C::Package>,
        request: &Request,
    ) -> Result<Converted<C::Resource>, ConvertError> {
        target(self, C::KIND, C::to_resource(validated, self, request)?)
    }

    /// Reads a resource back as the Pulsar config `pulsar-admin … get` shows.
    pub fn reverse<R: ComponentResource>(&self, resource: &R) -> Result<R::Config, ReverseError> {
        resource.to_config(self)
    }
}

/// Implements [`Component`] for a config and [`ComponentResource`] for its resource: the same
/// wiring for each kind, to that kind's validation, conversion, reverse and status functions.
macro_rules! kind {
    ($kind:ident, $config:ty, $resource:ty, $package:ty, $instance:ty,
     $validate:path, $convert:path, $reverse:path, $status:path) => {
        impl Component for $config {
            const KIND: ComponentKind = ComponentKind::$kind;
            type Resource = $resource;
            type Package = $package;

            fn validate<'c>(
                &'c self,
                worker: &Worker,
                request: &Request,
            ) -> Result<Validated<'c, Self, $package>, ValidationErrors> {
                $validate(self, worker, request)
            }

            fn to_resource(
                validated: &Validated<'_, Self, $package>,
                worker: &Worker,
                request: &Request,
            ) -> Result<Converted<$resource>, ConvertError> {
                $convert(validated, worker, request)
            }
        }

        impl ComponentResource for $resource {
            const KIND: ComponentKind = ComponentKind::$kind;
            type Config = $config;
            type InstanceStatus = $instance;

            fn to_config(&self, worker: &Worker) -> Result<$config, ReverseError> {
                $reverse(self, worker)
            }

            fn status(
                &self,
                statefulset: Option<&StatefulSet>,
                pods: &[Pod],
                reports: &BTreeMap<i32, InstanceReport>,
            ) -> ComponentStatus<$instance> {
                let s = &self.spec;
                let cluster = s.cluster_name.as_deref().unwrap_or_default();
                $status(cluster, s.image.as_deref(), statefulset, pods, reports)
            }
        }
    };
}

kind!(
    Function,
    FunctionConfig,
    Function,
    Package,
    FunctionInstanceStatusData,
    validate::validate_function,
    convert::function_to_resource,
    reverse::function_config,
    status::function_status
);
kind!(
    Sink,
    SinkConfig,
    Sink,
    ConnectorPackage,
    SinkInstanceStatusData,
    validate::validate_sink,
    convert::sink_to_resource,
    reverse::sink_config,
    status::sink_status
);
kind!(
    Source,
    SourceConfig,
    Source,
    ConnectorPackage,
    SourceInstanceStatusData,
    validate::validate_source,
    convert::source_to_resource,
    reverse::source_config,
    status::source_status
);

/// Declares an enum of the three kinds' values (`AnyConfig`, `AnyResource`): the enum, `parse`
/// (with `$parse` for each kind), `kind` and `to_value`, written once for both.
macro_rules! any_kind {
    (
        $(#[$attr:meta])*
        pub enum $name:ident {
            $function:ident, $sink:ident, $source:ident $(,)?
        }
        parse: $parse:path, $error:ty, $parse_doc:literal;
        to_value: $to_value_doc:literal $(;)?
    ) => {
        $(#[$attr])*
        // One is held per call, never in bulk: boxing the variants would only add an allocation.
        #[allow(clippy::large_enum_variant)]
        #[derive(Clone, Debug, PartialEq)]
        pub enum $name {
            #[doc = concat!("A `", stringify!($function), "`.")]
            Function($function),
            #[doc = concat!("A `", stringify!($sink), "`.")]
            Sink($sink),
            #[doc = concat!("A `", stringify!($source), "`.")]
            Source($source),
        }

        impl $name {
            #[doc = $parse_doc]
            pub fn parse(kind: ComponentKind, text: &str) -> Result<Self, $error> {
                Ok(match kind {
                    ComponentKind::Function => $name::Function($parse(text)?),
                    ComponentKind::Sink => $name::Sink($parse(text)?),
                    ComponentKind::Source => $name::Source($parse(text)?),
                })
            }

            /// Its kind.
            pub fn kind(&self) -> ComponentKind {
                match self {
                    $name::Function(_) => ComponentKind::Function,
                    $name::Sink(_) => ComponentKind::Sink,
                    $name::Source(_) => ComponentKind::Source,
                }
            }

            #[doc = $to_value_doc]
            pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    $name::Function(v) => serde_json::to_value(v),
                    $name::Sink(v) => serde_json::to_value(v),
                    $name::Source(v) => serde_json::to_value(v),
                }
            }
        }
    };
}

any_kind! {
    /// A Pulsar config whose kind is known only at run time.
    pub enum AnyConfig { FunctionConfig, SinkConfig, SourceConfig }
    parse: fm_model::parse::parse, fm_model::parse::ParseError,
        "Parses a config of `kind` from JSON or YAML text (Pulsar's spellings; see \
        [`fm_model::parse`]).";
    to_value: "The config as JSON (Pulsar's field names, nulls omitted)."
}

any_kind! {
    /// A Function Mesh resource whose kind is known only at run time.
    pub enum AnyResource { Function, Sink, Source }
    parse: fm_model::crd::parse_resource, fm_model::crd::ResourceParseError,
        "Parses a resource of `kind` from JSON or YAML text.";
    to_value: "The resource as JSON."
}

impl Worker {
    /// [`Worker::validate`] for a config of any kind.
    pub fn validate_any(
        &self,
        config: &AnyConfig,
        request: &Request,
    ) -> Result<(), ValidationErrors> {
        match config {
            AnyConfig::Function(c) => self.validate(c, request).map(drop),
            AnyConfig::Sink(c) => self.validate(c, request).map(drop),
            AnyConfig::Source(c) => self.validate(c, request).map(drop),
        }
    }

    /// [`Worker::convert`] for a config of any kind.
    pub fn convert_any(
        &self,
        config: &AnyConfig,
        request: &Request,
    ) -> Result<Converted<AnyResource>, ConvertError> {
        Ok(match config {
            AnyConfig::Function(c) => self.convert(c, request)?.map(AnyResource::Function),
            AnyConfig::Sink(c) => self.convert(c, request)?.map(AnyResource::Sink),
            AnyConfig::Source(c) => self.convert(c, request)?.map(AnyResource::Source),
        })
    }

    /// [`Worker::reverse`] for a resource of any kind.
    pub fn reverse_any(&self, resource: &AnyResource) -> Result<AnyConfig, ReverseError> {
        Ok(match resource {
            AnyResource::Function(r) => AnyConfig::Function(self.reverse(r)?),
            AnyResource::Sink(r) => AnyConfig::Sink(self.reverse(r)?),
            AnyResource::Source(r) => AnyConfig::Source(self.reverse(r)?),
        })
    }
}

impl Serialize for AnyResource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnyResource::Function(r) => r.serialize(s),
            AnyResource::Sink(r) => r.serialize(s),
            AnyResource::Source(r) => r.serialize(s),
        }
    }
}

impl Serialize for AnyConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AnyConfig::Function(c) => c.serialize(s),
            AnyConfig::Sink(c) => c.serialize(s),
            AnyConfig::Source(c) => c.serialize(s),
        }
    }
}
