//! Validated Pulsar configs → Function Mesh resources, as the Java Function Mesh worker service
//! writes them (names, labels, Secrets, field mappings), minus its data-losing bugs.
//!
//! Each kind's conversion is a plain function from a [`Validated`] config to a [`Converted`]
//! resource; an invalid config never gets here. What the three kinds share is worked out once
//! by [`parts`]; what the two connector kinds share by [`connector_code`].

/// A `Function`, `Sink` or `Source` spec: the kind's own `fields`, and the fields every kind fills
/// the same way, from the [`Validated`] config's [`Identity`] (`v`), the [`Parts`] (`p`, moved)
/// and the config (`c`,
/// whose `logTopic`, `resources`, `secrets` and `runtimeFlags` the three kinds share). A sink or
/// source names its [`ConnectorCode`] and the field of its connector type
/// (`connector: code => sink_type`): class, type, Java runtime and image come from it.
///
/// Deliberate fix: the Java worker never wrote `spec.name`, so the operator's webhook defaulted it
/// to the hashed resource name and the instance ran under that name (in metrics, logs and state
/// tables); without the webhook it ran with no name at all.
macro_rules! component_spec {
    (
        $spec:ident { $($field:ident $(: $value:expr)?),* $(,)? }
        $(, connector: $code:ident => $type_field:ident)?;
        $v:ident, $p:ident, $c:ident, $worker:ident $(,)?
    ) => {
        $spec {
            name: Some($v.identity().name.clone()),
            tenant: Some($v.identity().tenant.clone()),
            namespace: Some($v.identity().namespace.clone()),
            cluster_name: Some($v.identity().cluster.clone()),
            replicas: Some($p.replicas),
            max_replicas: $p.max_replicas,
            log_topic: $c.log_topic.clone().filter(|t| !t.is_empty()),
            resources: Some($crate::convert::pod::resource_requirements(
                &$c.resources,
                &$worker.config,
            )?),
            secrets_map: $crate::convert::pod::secrets_map(&$c.secrets),
            volume_mounts: $p.volume_mounts,
            runtime_flags: $c.runtime_flags.clone().filter(|f| !f.is_empty()),
            pod: Some($p.pod),
            pulsar: Some($p.pulsar),
            image_pull_policy: $p.image_pull_policy,
            $(
                class_name: $code.class_name,
                $type_field: $code.builtin.as_ref().and_then(|d| d.name.clone()),
                java: Some($code.java),
                image: $code.image,
            )?
            $($field $(: $value)?,)*
            ..Default::default()
        }
    };
}

mod auth;
mod function;
mod metadata;
mod pod;
mod runtime;
mod sink;
mod source;

pub(crate) use function::function_to_resource;
pub(crate) use function::{function_input_specs, infer_window};
pub(crate) use pod::{effective_resources, worker_env};
pub(crate) use runtime::classify_image;
pub(crate) use runtime::runner_image;
pub(crate) use sink::sink_input_specs;
pub(crate) use sink::sink_to_resource;
pub(crate) use source::source_to_resource;

use crate::error::ConvertError;
use crate::front_door::{Converted, Request, Worker};
use crate::naming::ComponentKind;
use crate::package::ConnectorPackage;
use crate::validate::{Identity, Validated};
use fm_model::crd::{JavaRuntime, PodPolicy, PulsarMessaging};
use fm_model::worker::ConnectorDefinition;
use k8s_openapi::api::core::v1::{Secret, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// What every kind's resource shares: replicas, labels, the pod policy, `spec.pulsar` with its
/// authentication and TLS, the container's volume mounts and the Secrets to create.
pub(crate) struct Parts {
    /// `spec.replicas` (`parallelism`, default 1).
    pub replicas: i32,
    /// `spec.maxReplicas`: written only above the replicas (HPA on).
    pub max_replicas: Option<i32>,
    /// `spec.pod`.
    pub pod: PodPolicy,
    /// `spec.pulsar`.
    pub pulsar: PulsarMessaging,
    /// `spec.volumeMounts`.
    pub volume_mounts: Option<Vec<VolumeMount>>,
    /// `spec.imagePullPolicy`.
    pub image_pull_policy: Option<String>,
    /// The Secrets to create with the resource.
    pub secrets: Vec<Secret>,
    /// `metadata`.
    pub metadata: ObjectMeta,
}

/// Works out the [`Parts`] of a component.
pub(crate) fn parts<C, P>(
    kind: ComponentKind,
    v: &Validated<'_, C, P>,
    parallelism: Option<i32>,
    worker: &Worker,
    request: &Request,
) -> Result<Parts, ConvertError> {
    let (id, opts) = (v.identity(), v.options());
    let custom = &worker.config.functions_worker_service_custom_configs;
    let labels = metadata::resource_labels(kind, &worker.config, id.parts());
    let replicas = parallelism.unwrap_or(1);
    let max_replicas = (opts.max_replicas > replicas).then_some(opts.max_replicas);
    let mut pod = pod::pod_policy(kind, &worker.config, opts, &labels, max_replicas.is_some());
    let mut pulsar = metadata::pulsar_messaging(&id.cluster);
    let mut volume_mounts = custom.volume_mounts.clone().filter(|v| !v.is_empty());
    let secrets = auth::apply_auth(
        kind,
        worker,
        request,
        id.parts(),
        &mut pulsar,
        &mut pod,
        &mut volume_mounts,
    )?;
    let managed = !custom.enable_trusted_mode || opts.managed;
    let metadata = metadata::object_meta(id.resource_name(), labels, &worker.config, managed);
    Ok(Parts {
        replicas,
        max_replicas,
        pod,
        pulsar,
        volume_mounts,
        image_pull_policy: custom.image_pull_policy.clone().filter(|p| !p.is_empty()),
        secrets,
        metadata,
    })
}

/// `spec.timeout` of a function or sink: the config's `timeoutMs` (0 is "none"), as the 32-bit
/// number Function Mesh stores (validation refuses a larger one).
pub(crate) fn timeout_ms(timeout: Option<i64>) -> Option<i32> {
    timeout
        .filter(|t| *t != 0)
        .and_then(|t| i32::try_from(t).ok())
}

/// The resource around `spec` (made by the kind's `new`), with the metadata of `parts` and the
/// Secrets to create with it.
pub(crate) fn assemble<R: kube::Resource, S>(
    new: fn(&str, S) -> R,
    spec: S,
    metadata: ObjectMeta,
    secrets: Vec<Secret>,
) -> Converted<R> {
    let mut resource = new(metadata.name.as_deref().unwrap_or_default(), spec);
    *resource.meta_mut() = metadata;
    Converted::new(resource, secrets)
}

/// What a sink's or source's code is: the catalogue entry of a built-in connector, the class,
/// the image and the Java runtime block.
pub(crate) struct ConnectorCode {
    /// The catalogue entry, for `builtin://<name>`.
    pub builtin: Option<ConnectorDefinition>,
    /// `spec.className` (the config's, else the catalogue's).
    pub class_name: Option<String>,
    /// `spec.image` (the connector's own image for a built-in connector).
    pub image: Option<String>,
    /// `spec.java`.
    pub java: JavaRuntime,
}

/// Works out the [`ConnectorCode`] of a validated sink or source.
pub(crate) fn connector_code<C>(
    kind: ComponentKind,
    v: &Validated<'_, C, ConnectorPackage>,
    class_name: Option<&str>,
    worker: &Worker,
) -> ConnectorCode {
    let pkg = v.package();
    let builtin = pkg.builtin.clone();
    let class_name = class_name
        .filter(|s| !s.is_empty())
        .or_else(|| builtin.as_ref().and_then(|d| d.class_of(kind)))
        .map(str::to_string);
    let image = match &builtin {
        Some(def) => Some(def.image()),
        None => runner_image(&worker.config, "JAVA", v.options()),
    };
    // A built-in connector is already in its image: no download location (the connector name
    // is kept in `sinkType`/`sourceType` so the archive survives a round trip).
    let location = if builtin.is_some() {
        None
    } else {
        pkg.location.clone()
    };
    let java = runtime::java_runtime(&worker.config, pkg.jar.clone(), location, None);
    ConnectorCode {
        builtin,
        class_name,
        image,
        java,
    }
}

/// Labels of a component, for callers that select resources by them.
pub fn component_labels(
    kind: ComponentKind,
    worker: &Worker,
    id: &Identity,
) -> BTreeMap<String, String> {
    metadata::resource_labels(kind, &worker.config, id.parts())
}
