//! `metadata` of a resource (name, job namespace, labels, owner reference, `managed`
//! annotation) and `spec.pulsar`'s config map.

use crate::naming::{config_map_name, labels, ComponentKind, MANAGED_ANNOTATION};
use fm_model::crd::PulsarMessaging;
use fm_model::worker::WorkerConfig;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// Labels of the resource: the worker's eight, then the runtime factory's `customLabels`, the
/// custom config's `labels`, then the kind's labels (later ones win).
pub(crate) fn resource_labels(
    kind: ComponentKind,
    worker: &WorkerConfig,
    ids: (&str, &str, &str, &str),
) -> BTreeMap<String, String> {
    let (cluster, tenant, namespace, name) = ids;
    let mut l = labels(cluster, tenant, namespace, name);
    let custom = &worker.functions_worker_service_custom_configs;
    let kind_labels = match kind {
        ComponentKind::Function => &custom.function_labels,
        ComponentKind::Sink => &custom.sink_labels,
        ComponentKind::Source => &custom.source_labels,
    };
    let factory = worker
        .function_runtime_factory_configs
        .as_ref()
        .and_then(|f| f.custom_labels.as_ref());
    for extra in [factory, custom.labels.as_ref(), kind_labels.as_ref()]
        .into_iter()
        .flatten()
    {
        l.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    l
}

/// Object metadata: name, job namespace, labels, owner reference, `managed` annotation.
pub(crate) fn object_meta(
    name: String,
    labels: BTreeMap<String, String>,
    worker: &WorkerConfig,
    managed: bool,
) -> ObjectMeta {
    let owner = worker
        .functions_worker_service_custom_configs
        .owner_reference
        .as_ref()
        .map(|o| {
            let get = |k: &str| o.get(k).cloned().unwrap_or_default();
            vec![OwnerReference {
                api_version: get("apiVersion"),
                kind: get("kind"),
                name: get("name"),
                uid: get("uid"),
                ..Default::default()
            }]
        });
    let annotations =
        (!managed).then(|| BTreeMap::from([(MANAGED_ANNOTATION.to_string(), "false".to_string())]));
    ObjectMeta {
        name: Some(name),
        namespace: Some(worker.job_namespace()),
        labels: Some(labels),
        owner_references: owner,
        annotations,
        ..Default::default()
    }
}

/// `spec.pulsar` without auth: the cluster's config map.
pub(crate) fn pulsar_messaging(cluster: &str) -> PulsarMessaging {
    PulsarMessaging {
        pulsar_config: Some(config_map_name(cluster)),
        ..Default::default()
    }
}
