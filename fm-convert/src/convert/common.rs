//! Pieces every conversion shares: custom runtime options, resources, packages, pod policy,
//! labels, authentication.

use super::naming::{self, ComponentKind};
use super::{ConversionContext, ConvertError};
use crate::crd::{
    ContainerControlledValues, ContainerResourcePolicy, ContainerScalingMode, JavaRuntime,
    LogLevel, PodPolicy, PodResourcePolicy, PodUpdatePolicy, PulsarMessaging, RuntimeLogConfig,
    SecretRef, TriggeringPolicy, VpaSpec, VpaUpdateMode,
};
use crate::pulsar::{FunctionConfig, JsonObject, Resources, Runtime};
use crate::quantity;
use crate::validate::ValidationErrors;
use crate::worker::{CustomRuntimeOptions, WorkerConfig};
use k8s_openapi::api::core::v1::{EnvVar, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// The six built-in HPA rules Function Mesh knows.
pub const BUILTIN_HPA_RULES: [&str; 6] = [
    "AverageUtilizationCPUPercent80",
    "AverageUtilizationCPUPercent50",
    "AverageUtilizationCPUPercent20",
    "AverageUtilizationMemoryPercent80",
    "AverageUtilizationMemoryPercent50",
    "AverageUtilizationMemoryPercent20",
];

/// Parses a config's `customRuntimeOptions` JSON string (absent or empty → defaults).
pub fn parse_custom_runtime_options(s: &Option<String>) -> Result<CustomRuntimeOptions, String> {
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(CustomRuntimeOptions::default()),
        Some(text) => {
            crate::parse::parse_as::<CustomRuntimeOptions>(text, crate::parse::Format::Json)
                .map_err(|e| format!("customRuntimeOptions cannot be deserialized. ({e})"))
        }
    }
}

pub(crate) fn log_level(s: &str) -> Option<LogLevel> {
    serde_json::from_value(serde_json::Value::String(s.to_lowercase())).ok()
}

pub(crate) fn rotate_policy(s: &str) -> Option<TriggeringPolicy> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

fn update_mode(s: &str) -> Option<VpaUpdateMode> {
    match s.to_ascii_lowercase().as_str() {
        "off" => Some(VpaUpdateMode::Off),
        "initial" => Some(VpaUpdateMode::Initial),
        "recreate" => Some(VpaUpdateMode::Recreate),
        "auto" => Some(VpaUpdateMode::Auto),
        _ => None,
    }
}

fn scaling_mode(s: &str) -> Option<ContainerScalingMode> {
    match s.to_ascii_lowercase().as_str() {
        "off" => Some(ContainerScalingMode::Off),
        "auto" => Some(ContainerScalingMode::Auto),
        _ => None,
    }
}

fn controlled_values(s: &str) -> Option<ContainerControlledValues> {
    match s.to_ascii_lowercase().as_str() {
        "requestsonly" => Some(ContainerControlledValues::RequestsOnly),
        "requestsandlimits" => Some(ContainerControlledValues::RequestsAndLimits),
        _ => None,
    }
}

/// Checks the parts of custom runtime options the Java worker only trips over at conversion
/// time (HTTP 500s there): log level and rotation names, VPA modes, HPA rule names.
pub fn check_options(push: &mut dyn FnMut(&str, String), o: &CustomRuntimeOptions) {
    let p = "customRuntimeOptions";
    if let Some(l) = o.log_level.as_deref().filter(|l| log_level(l).is_none()) {
        push(p, format!("logLevel `{l}` is not one of off, trace, debug, info, warn, error, fatal, all, panic"));
    }
    if let Some(r) = o
        .log_rotation_policy
        .as_deref()
        .filter(|r| rotate_policy(r).is_none())
    {
        push(p, format!("logRotationPolicy `{r}` is not one of TimedPolicyWithDaily, TimedPolicyWithWeekly, TimedPolicyWithMonthly, SizedPolicyWith10MB, SizedPolicyWith50MB, SizedPolicyWith100MB"));
    }
    if let Some(v) = &o.vpa_spec {
        if let Some(m) = v
            .update_policy
            .as_ref()
            .and_then(|u| u.update_mode.as_deref())
            .filter(|m| update_mode(m).is_none())
        {
            push(p, format!("vpaSpec.updatePolicy.updateMode `{m}` is not one of off, initial, recreate, auto"));
        }
        for (i, c) in v.resource_policy.iter().flatten().enumerate() {
            if let Some(m) = c.mode.as_deref().filter(|m| scaling_mode(m).is_none()) {
                push(
                    p,
                    format!("vpaSpec.resourcePolicy[{i}].mode `{m}` is not one of off, auto"),
                );
            }
            if let Some(m) = c
                .controlled_values
                .as_deref()
                .filter(|m| controlled_values(m).is_none())
            {
                push(p, format!("vpaSpec.resourcePolicy[{i}].controlledValues `{m}` is not one of requestsonly, requestsandlimits"));
            }
            for (res, q) in c
                .max_allowed
                .iter()
                .flatten()
                .chain(c.min_allowed.iter().flatten())
            {
                if quantity_of(q).is_none() {
                    push(
                        p,
                        format!(
                            "vpaSpec.resourcePolicy[{i}]: `{res}` is not a Kubernetes quantity"
                        ),
                    );
                }
            }
        }
    }
    if let Some(h) = &o.hpa_spec {
        for (field, rule) in [
            ("builtinCPURule", &h.builtin_cpu_rule),
            ("builtinMemoryRule", &h.builtin_memory_rule),
        ] {
            if let Some(r) = rule.as_deref().filter(|r| !BUILTIN_HPA_RULES.contains(r)) {
                push(
                    p,
                    format!(
                        "hpaSpec.{field} `{r}` is not one of {}",
                        BUILTIN_HPA_RULES.join(", ")
                    ),
                );
            }
        }
        for (i, m) in h.auto_scaling_metrics.iter().flatten().enumerate() {
            if serde_json::from_value::<k8s_openapi::api::autoscaling::v2::MetricSpec>(m.clone())
                .is_err()
            {
                push(
                    p,
                    format!("hpaSpec.autoScalingMetrics[{i}] is not an autoscaling/v2 MetricSpec"),
                );
            }
        }
        if let Some(b) = &h.auto_scaling_behavior {
            if serde_json::from_value::<
                k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior,
            >(b.clone())
            .is_err()
            {
                push(p, "hpaSpec.autoScalingBehavior is not an autoscaling/v2 HorizontalPodAutoscalerBehavior".into());
            }
        }
    }
}

fn quantity_of(v: &serde_json::Value) -> Option<Quantity> {
    match v {
        serde_json::Value::String(s) => quantity::parse_cpu(s).ok().map(|_| Quantity(s.clone())),
        serde_json::Value::Number(n) => Some(Quantity(n.to_string())),
        _ => None,
    }
}

/// Runtime of a function as Pulsar infers it: `jar` → JAVA, else `py` → PYTHON, else `go` →
/// GO (overriding any `runtime` sent), else the `runtime` field.
pub fn function_runtime(c: &FunctionConfig) -> Option<Runtime> {
    let set = |s: &Option<String>| s.as_deref().is_some_and(|v| !v.is_empty());
    if set(&c.jar) {
        Some(Runtime::Java)
    } else if set(&c.py) {
        Some(Runtime::Python)
    } else if set(&c.go) {
        Some(Runtime::Go)
    } else {
        c.runtime
    }
}

/// The config field that names the function's package.
pub fn package_field(c: &FunctionConfig) -> &'static str {
    match function_runtime(c) {
        Some(Runtime::Python) => "py",
        Some(Runtime::Go) => "go",
        _ => "jar",
    }
}

/// Where a function's package comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    /// Path of the file in the pod.
    pub path: String,
    /// URL the operator downloads it from (`None`: already in the image).
    pub location: Option<String>,
}

fn is_package_url(s: &str) -> bool {
    ["function://", "sink://", "source://"]
        .iter()
        .any(|p| s.starts_with(p))
}

fn is_download_url(s: &str) -> bool {
    is_package_url(s) || s.starts_with("http://") || s.starts_with("https://")
}

/// Resolves a function's package (deliberately wider than the Java worker, which accepts only
/// Pulsar package URLs): a Pulsar package URL or an http(s) URL is downloaded by the operator to
/// `<downloadDirectory>/<file name>`; an absolute path names a file already in the runner image.
pub fn function_package(c: &FunctionConfig, ctx: &ConversionContext) -> Result<Package, String> {
    let given = match function_runtime(c) {
        Some(Runtime::Python) => c.py.clone(),
        Some(Runtime::Go) => c.go.clone(),
        _ => c.jar.clone(),
    }
    .filter(|s| !s.is_empty());
    let url = ctx
        .package_url
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| given.clone().filter(|g| g.contains("://")));
    match url {
        Some(u) if is_download_url(&u) => Ok(Package {
            path: format!(
                "{}{}",
                ctx.worker.download_dir(),
                ctx.package_file_name.clone().filter(|f| !f.is_empty()).unwrap_or_else(|| "function-executable".into())
            ),
            location: Some(u),
        }),
        Some(u) if u.starts_with("builtin://") => Err(format!(
            "`{u}`: Function Mesh has no built-in functions; upload the package with `pulsar-admin packages upload` and use its function:// URL"
        )),
        Some(_) => Err("Function Package url is not valid. supported url (function/sink/source/http/https)".into()),
        None => match given {
            Some(path) if path.starts_with('/') => Ok(Package { path, location: None }),
            Some(path) => Err(format!(
                "`{path}` is a local file: upload it with `pulsar-admin packages upload` and pass the package URL, or give an absolute path inside the runner image"
            )),
            None => Err("Function package is not provided".into()),
        },
    }
}

/// A connector's package: a built-in connector from the catalogue, or an archive.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorPackage {
    /// `spec.java.jar`.
    pub jar: String,
    /// `spec.java.jarLocation`.
    pub location: Option<String>,
    /// The catalogue entry, for a built-in connector.
    pub builtin: Option<crate::worker::ConnectorDefinition>,
}

/// Resolves a sink's or source's `archive`.
pub fn connector_package(
    kind: ComponentKind,
    archive: &Option<String>,
    class_name: &Option<String>,
    ctx: &ConversionContext,
) -> Result<ConnectorPackage, String> {
    let archive = archive.clone().filter(|a| !a.is_empty());
    if let Some(name) = archive
        .as_deref()
        .and_then(|a| a.strip_prefix("builtin://"))
    {
        let def = ctx
            .connectors
            .iter()
            .find(|d| d.name.as_deref() == Some(name))
            .ok_or_else(|| format!("connectorType {name} is not supported yet"))?;
        let has_class = match kind {
            ComponentKind::Sink => def.sink_class.is_some(),
            _ => def.source_class.is_some(),
        };
        if !has_class && class_name.as_deref().is_none_or(str::is_empty) {
            return Err(format!(
                "connector {name} has no {} class in the catalogue",
                kind.lower()
            ));
        }
        return Ok(ConnectorPackage {
            jar: def.jar(),
            location: None,
            builtin: Some(def.clone()),
        });
    }
    let url = ctx
        .package_url
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| archive.clone().filter(|a| a.contains("://")));
    if class_name.as_deref().is_none_or(str::is_empty) {
        return Err("no className provided".into());
    }
    let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    match (url, archive) {
        (Some(u), _) if is_download_url(&u) => Ok(ConnectorPackage {
            jar: format!(
                "{}{}",
                ctx.worker.download_dir(),
                ctx.package_file_name
                    .clone()
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| last(&u))
            ),
            location: Some(u),
            builtin: None,
        }),
        (Some(_), _) => Err(
            "Function Package url is not valid. supported url (function/sink/source/http/https)"
                .into(),
        ),
        (None, Some(path)) if path.starts_with('/') => Ok(ConnectorPackage {
            jar: path,
            location: None,
            builtin: None,
        }),
        (None, Some(path)) => Ok(ConnectorPackage {
            jar: format!("{}{}", ctx.worker.download_dir(), last(&path)),
            location: None,
            builtin: None,
        }),
        (None, None) => Err(format!("{} package is not provided", kind.title())),
    }
}

/// Pulsar resources (merged with the worker's defaults) as Kubernetes requirements: cpu
/// request = limit; memory request = ram, limit = ram + 10 %.
pub fn resource_requirements(
    r: &Option<Resources>,
    worker: &WorkerConfig,
) -> Result<ResourceRequirements, ValidationErrors> {
    let d = worker
        .functions_worker_service_custom_configs
        .default_resources
        .clone()
        .unwrap_or_default();
    let r = r.clone().unwrap_or(Resources {
        cpu: d.cpu.unwrap_or(Resources::DEFAULT_CPU),
        ram: d.ram.unwrap_or(Resources::DEFAULT_RAM),
        disk: d.disk.unwrap_or(Resources::DEFAULT_DISK),
    });
    let bad = |path: &str, e: quantity::QuantityError| {
        ValidationErrors(vec![crate::validate::ValidationIssue {
            path: path.into(),
            message: e.to_string(),
        }])
    };
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

/// Labels of the resource: the worker's eight, then the runtime factory's `customLabels`, the
/// custom config's `labels`, then the kind's labels (later ones win).
pub fn resource_labels(
    kind: ComponentKind,
    worker: &WorkerConfig,
    ids: (&str, &str, &str, &str),
) -> BTreeMap<String, String> {
    let (cluster, tenant, namespace, name) = ids;
    let mut l = naming::labels(cluster, tenant, namespace, name);
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
pub fn object_meta(
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
    let annotations = (!managed)
        .then(|| BTreeMap::from([(naming::MANAGED_ANNOTATION.to_string(), "false".to_string())]));
    ObjectMeta {
        name: Some(name),
        namespace: Some(worker.job_namespace()),
        labels: Some(labels),
        owner_references: owner,
        annotations,
        ..Default::default()
    }
}

/// Env of the pod: the custom config's `env`, then the kind's, then `customRuntimeOptions.env`.
pub fn pod_env(
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
pub fn worker_env(kind: ComponentKind, worker: &WorkerConfig) -> BTreeMap<String, String> {
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
pub fn pod_policy(
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

fn vpa_spec(v: &crate::worker::VpaSpecOptions) -> VpaSpec {
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
pub fn secrets_map(secrets: &Option<JsonObject>) -> Option<BTreeMap<String, SecretRef>> {
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

/// The runner image: `functionRunnerImages[runtime]` with `runnerImageTag` applied (only when
/// the image has exactly one `:`), overridden by a trusted `runnerImage`.
pub fn runner_image(
    worker: &WorkerConfig,
    runtime: &str,
    opts: &CustomRuntimeOptions,
) -> Option<String> {
    let c = &worker.functions_worker_service_custom_configs;
    if c.enable_trusted_mode {
        if let Some(img) = opts.runner_image.clone().filter(|i| !i.is_empty()) {
            return Some(img);
        }
    }
    let image = c.function_runner_images.as_ref()?.get(runtime)?.clone();
    match opts.runner_image_tag.as_deref().filter(|t| !t.is_empty()) {
        Some(tag) if image.matches(':').count() == 1 => {
            let repo = image.split(':').next().unwrap_or(&image);
            Some(format!("{repo}:{tag}"))
        }
        _ => Some(image),
    }
}

/// How a resource's image reads back: `(runnerImage, runnerImageTag)`. The configured runner
/// image with another tag is a `runnerImageTag`; any other image is a trusted `runnerImage`.
pub fn classify_image(
    image: Option<&String>,
    configured: Option<&String>,
    trusted: bool,
) -> (Option<String>, Option<String>) {
    let Some(img) = image else {
        return (None, None);
    };
    match configured {
        Some(conf) if conf == img => (None, None),
        Some(conf)
            if conf.matches(':').count() == 1
                && img.matches(':').count() == 1
                && img.split(':').next() == conf.split(':').next() =>
        {
            (None, img.split(':').nth(1).map(str::to_string))
        }
        _ if trusted => (Some(img.clone()), None),
        _ => (None, None),
    }
}

/// The Java runtime block: jar, location, JVM options, extra dependencies dir.
pub fn java_runtime(
    worker: &WorkerConfig,
    jar: String,
    location: Option<String>,
    log: Option<RuntimeLogConfig>,
) -> JavaRuntime {
    let c = &worker.functions_worker_service_custom_configs;
    let abs = |d: &str| {
        if d.starts_with('/') {
            d.to_string()
        } else {
            format!("/pulsar/{d}")
        }
    };
    let extra = worker
        .function_runtime_factory_configs
        .as_ref()
        .and_then(|f| f.extra_function_dependencies_dir.clone())
        .filter(|d| !d.is_empty())
        .or_else(|| c.extra_dependencies_dir.clone().filter(|d| !d.is_empty()))
        .map(|d| abs(&d))
        .unwrap_or_else(|| "/pulsar/instances/deps".to_string());
    JavaRuntime {
        jar,
        jar_location: location,
        extra_dependencies_dir: Some(extra),
        log,
        java_opts: c.java_opts.clone().filter(|o| !o.is_empty()),
        ..Default::default()
    }
}

/// `log` of a Java or Python runtime from `logLevel` / `logRotationPolicy`.
pub fn runtime_log(opts: &CustomRuntimeOptions) -> Option<RuntimeLogConfig> {
    let level = opts.log_level.as_deref().and_then(log_level);
    let rotate = opts.log_rotation_policy.as_deref().and_then(rotate_policy);
    (level.is_some() || rotate.is_some()).then(|| RuntimeLogConfig {
        level,
        rotate_policy: rotate,
        ..Default::default()
    })
}

/// `spec.pulsar` without auth: the cluster's config map.
pub fn pulsar_messaging(cluster: &str) -> PulsarMessaging {
    PulsarMessaging {
        pulsar_config: Some(naming::config_map_name(cluster)),
        ..Default::default()
    }
}

/// Applies authentication and TLS (fm-auth) to `spec.pulsar`, the pod volumes and mounts;
/// returns the Secrets to create.
pub fn apply_auth(
    kind: ComponentKind,
    ctx: &ConversionContext,
    ids: (&str, &str, &str, &str),
    pulsar: &mut PulsarMessaging,
    pod: &mut PodPolicy,
    mounts: &mut Option<Vec<k8s_openapi::api::core::v1::VolumeMount>>,
) -> Result<Vec<k8s_openapi::api::core::v1::Secret>, ConvertError> {
    let (cluster, tenant, namespace, name) = ids;
    let w = &ctx.worker;
    let c = &w.functions_worker_service_custom_configs;
    let settings = fm_auth::AuthSettings {
        authentication_enabled: w.authentication_enabled,
        broker_client_authentication_plugin: w
            .broker_client_authentication_plugin
            .clone()
            .filter(|s| !s.is_empty()),
        broker_client_authentication_parameters: w
            .broker_client_authentication_parameters
            .as_ref()
            .filter(|p| !p.expose().is_empty())
            .map(|p| fm_auth::Sensitive::new(p.expose())),
        using_insecure_auth: c.using_insecure_auth,
        oauth2_secret_name: c.oauth2_secret_name.clone().filter(|s| !s.is_empty()),
        oauth2_secret_annotation_key: c
            .oauth2_secret_annotation_key
            .clone()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| fm_auth::DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY.to_string()),
        tls_enabled: w.tls_enabled,
        broker_client_trust_certs_file_path: w
            .broker_client_trust_certs_file_path
            .clone()
            .filter(|s| !s.is_empty()),
        broker_client_trust_certs_pem: None,
        tls_allow_insecure_connection: w.tls_allow_insecure_connection,
        tls_enable_hostname_verification: w.tls_enable_hostname_verification,
    };
    let component = fm_auth::ComponentRef {
        kind: kind.auth(),
        cluster: cluster.to_string(),
        tenant: tenant.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    };
    let out = fm_auth::resolve(
        &settings,
        &ctx.caller,
        &component,
        &ctx.existing_secrets,
        ctx.features.0,
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
    let ns = w.job_namespace();
    Ok(out
        .secrets
        .into_iter()
        .map(|mut s| {
            s.metadata.namespace.get_or_insert(ns.clone());
            s
        })
        .collect())
}
