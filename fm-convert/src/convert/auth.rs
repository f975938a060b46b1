//! Authentication and TLS of a resource: what fm-auth decides, written into `spec.pulsar`, the
//! pod's volumes and the container's mounts, plus the Secrets to create.

use crate::error::ConvertError;
use crate::front_door::{Request, Worker};
use crate::naming::ComponentKind;
use fm_model::crd::{PodPolicy, PulsarMessaging};
use k8s_openapi::api::core::v1::{Secret, VolumeMount};

/// Applies authentication and TLS (fm-auth) to `spec.pulsar`, the pod volumes and mounts;
/// returns the Secrets to create.
pub(crate) fn apply_auth(
    kind: ComponentKind,
    worker: &Worker,
    request: &Request,
    ids: (&str, &str, &str, &str),
    pulsar: &mut PulsarMessaging,
    pod: &mut PodPolicy,
    mounts: &mut Option<Vec<VolumeMount>>,
) -> Result<Vec<Secret>, ConvertError> {
    let (cluster, tenant, namespace, name) = ids;
    let component = fm_auth::ComponentRef {
        kind,
        cluster: cluster.to_string(),
        tenant: tenant.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    let out = fm_auth::resolve(
        &worker.auth,
        &request.caller,
        &component,
        &request.secrets,
        worker.features(),
    )?;
    pulsar.auth_secret = out.auth_secret.clone();
    pulsar.auth_config = out.auth_config.clone();
    pulsar.tls_secret = out.tls_secret.clone();
    pulsar.tls_config = out.tls_config.clone();
    if !out.volumes.is_empty() {
        pod.volumes
            .get_or_insert_with(Vec::new)
            .extend(out.volumes.iter().cloned());
    }
    if !out.volume_mounts.is_empty() {
        mounts
            .get_or_insert_with(Vec::new)
            .extend(out.volume_mounts.iter().cloned());
    }
    let ns = worker.job_namespace();
    Ok(out
        .secrets
        .into_iter()
        .map(|mut s| {
            s.metadata.namespace.get_or_insert(ns.clone());
            s
        })
        .collect())
}
