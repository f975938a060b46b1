//! `spec.resources` and `spec.pod`: cpu and memory as Kubernetes quantities, env, volumes,
//! service account, init containers, VPA and HPA, and `spec.secretsMap`.

use crate::error::ValidationErrors;
use crate::naming::ComponentKind;
use crate::options::{controlled_values, quantity_of, scaling_mode, update_mode};
use crate::quantity;
use fm_model::crd::{
    ContainerResourcePolicy, PodPolicy, PodResourcePolicy, PodUpdatePolicy, SecretRef, VpaSpec,
};
use fm_model::pulsar::{JsonObject, Resources};
use fm_model::worker::{CustomRuntimeOptions, VpaSpecOptions, WorkerConfig};
use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

/// The config's resources, else the worker's `defaultResources`, else Pulsar's defaults.
pub(crate) fn effective_resources(r: &Option<Resources>, worker: &WorkerConfig) -> Resources {
    let d = worker
        .functions_worker_service_custom_configs
        .default_resources
        .clone()
        .unwrap_or_default();
    r.clone().unwrap_or(Resources {
        cpu: d.cpu.unwrap_or(Resources::DEFAULT_CPU),
        ram: d.ram.unwrap_or(Resources::DEFAULT_RAM),
        disk: d.disk.unwrap_or(Resources::DEFAULT_DISK),
    })
}

/// Pulsar resources (merged with the worker's defaults) as Kubernetes requirements: cpu
/// request = limit; memory request = ram, limit = ram + 10 %.
pub(crate) fn resource_requirements(
    r: &Option<Resources>,
    worker: &WorkerConfig,
) -> Result<ResourceRequirements, ValidationErrors> {
    let r = effective_resources(r, worker);
    let bad =
        |path: &str, e: quantity::QuantityError| ValidationErrors::single(path, e.to_string());
    let cpu = quantity::format_cpu(r.cpu).map_err(|e| bad("resources.cpu", e))?;
    let limit = quantity::padded_memory_limit(r.ram).map_err(|e| bad("resources.ram", e))?;
    let requests = BTreeMap::from([
        ("cpu".to_string(), Quantity(cpu.clone())),
        (
            "memory".to_string(),
            Quantity(quantity::format_bytes(r.ram)),
        ),
    ]);
    let limits = BTreeMap::from([
        ("cpu".to_string(), Quantity(cpu)),
        (
            "memory".to_string(),
            Quantity(quantity::format_bytes(limit)),
        ),
    ]);
    Ok(ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..Default::default()
    })
}

/// Env of the pod: the custom config's `env`, then the kind's, then `customRuntimeOptions.env`.
pub(crate) fn pod_env(
    kind: ComponentKind,
    worker: &WorkerConfig,
    opts: &CustomRuntimeOptions,
) -> Vec<EnvVar> {
    let c = &worker.functions_worker_service_custom_configs;
    let kind_env = match kind {
        ComponentKind::Function => &c.function_env,
        ComponentKind::Sink => &c.sink_env,
        ComponentKind::Source => &c.source_env,
    };
    let mut merged: BTreeMap<String, String> = BTreeMap::new();
    for m in [c.env.as_ref(), kind_env.as_ref(), opts.env.as_ref()]
        .into_iter()
        .flatten()
    {
        merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    merged
        .into_iter()
        .map(|(name, value)| EnvVar {
            name,
            value: Some(value),
            value_from: None,
        })
        .collect()
}

/// The worker-level env of a kind (what `pod_env` merges before the request's own env).
pub(crate) fn worker_env(kind: ComponentKind, worker: &WorkerConfig) -> BTreeMap<String, String> {
    pod_env(kind, worker, &CustomRuntimeOptions::default())
        .into_iter()
        .filter_map(|e| e.value.map(|v| (e.name, v)))
        .collect()
}

/// `spec.pod`: labels, annotations, env, volumes, pull secrets, init containers, service
/// account, VPA, HPA.
///
/// Deliberate fixes: sinks get `sinkInitContainers` (the Java worker gave them
/// `functionInitContainers`); HPA options apply only when `spec.maxReplicas` is written (the
/// Java worker also applied them when `maxReplicas` ≤ parallelism, where the operator ignores them).
pub(crate) fn pod_policy(
    kind: ComponentKind,
    worker: &WorkerConfig,
    opts: &CustomRuntimeOptions,
    labels: &BTreeMap<String, String>,
    hpa: bool,
) -> PodPolicy {
    let c = &worker.functions_worker_service_custom_configs;
    let kind_annotations = match kind {
        ComponentKind::Function => &c.function_annotations,
        ComponentKind::Sink => &c.sink_annotations,
        ComponentKind::Source => &c.source_annotations,
    };
    let mut annotations = BTreeMap::new();
    for m in [c.annotations.as_ref(), kind_annotations.as_ref()]
        .into_iter()
        .flatten()
    {
        annotations.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    let init = match kind {
        ComponentKind::Function => &c.function_init_containers,
        ComponentKind::Sink => &c.sink_init_containers,
        ComponentKind::Source => &c.source_init_containers,
    };
    let trusted_sa = c.enable_trusted_mode || c.allow_user_defined_service_account_name;
    let service_account = opts
        .service_account_name
        .clone()
        .filter(|s| trusted_sa && !s.is_empty())
        .or_else(|| {
            c.default_service_account_name
                .clone()
                .filter(|s| !s.is_empty())
        });
    let mut pod = PodPolicy {
        labels: Some(labels.clone()),
        annotations: (!annotations.is_empty()).then_some(annotations),
        env: Some(pod_env(kind, worker, opts)),
        volumes: c.volumes.clone().filter(|v| !v.is_empty()),
        image_pull_secrets: c.image_pull_secrets.clone().filter(|v| !v.is_empty()),
        init_containers: init.clone().filter(|v| !v.is_empty()),
        service_account_name: service_account,
        vpa: opts.vpa_spec.as_ref().map(vpa_spec),
        ..Default::default()
    };
    if hpa {
        if let Some(h) = &opts.hpa_spec {
            if h.builtin_cpu_rule.is_some() || h.builtin_memory_rule.is_some() {
                pod.builtin_autoscaler = Some(
                    [&h.builtin_cpu_rule, &h.builtin_memory_rule]
                        .into_iter()
                        .flatten()
                        .cloned()
                        .collect(),
                );
            } else {
                pod.auto_scaling_metrics = h.auto_scaling_metrics.as_ref().map(|m| {
                    m.iter()
                        .filter_map(|v| serde_json::from_value(v.clone()).ok())
                        .collect()
                });
                pod.auto_scaling_behavior = h
                    .auto_scaling_behavior
                    .as_ref()
                    .and_then(|b| serde_json::from_value(b.clone()).ok());
            }
        }
    }
    pod
}

fn vpa_spec(v: &VpaSpecOptions) -> VpaSpec {
    let quantities = |m: &Option<BTreeMap<String, serde_json::Value>>| {
        m.as_ref().map(|m| {
            m.iter()
                .filter_map(|(k, v)| quantity_of(v).map(|q| (k.clone(), q)))
                .collect()
        })
    };
    VpaSpec {
        update_policy: v.update_policy.as_ref().map(|u| PodUpdatePolicy {
            update_mode: u.update_mode.as_deref().and_then(update_mode),
            min_replicas: u.min_replicas,
        }),
        resource_policy: v.resource_policy.as_ref().map(|list| PodResourcePolicy {
            container_policies: Some(
                list.iter()
                    .map(|c| ContainerResourcePolicy {
                        container_name: c.container_name.clone(),
                        mode: c.mode.as_deref().and_then(scaling_mode),
                        min_allowed: quantities(&c.min_allowed),
                        max_allowed: quantities(&c.max_allowed),
                        controlled_resources: c.controlled_resources.clone(),
                        controlled_values: c
                            .controlled_values
                            .as_deref()
                            .and_then(controlled_values),
                    })
                    .collect(),
            ),
        }),
    }
}

/// `spec.secretsMap` from a config's `secrets` (validated beforehand).
pub(crate) fn secrets_map(secrets: &Option<JsonObject>) -> Option<BTreeMap<String, SecretRef>> {
    let m: BTreeMap<String, SecretRef> = secrets
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            let o = v.as_object()?;
            Some((
                k.clone(),
                SecretRef {
                    path: o.get("path").and_then(|p| p.as_str()).map(str::to_string),
                    key: o.get("key").and_then(|p| p.as_str()).map(str::to_string),
                },
            ))
        })
        .collect();
    (!m.is_empty()).then_some(m)
}
