//! Validation with Pulsar's rules and Pulsar's error texts, plus the checks the Function Mesh
//! operator would only make later (name length, characters Kubernetes rejects). Every problem
//! is reported with its field path, not just the first.
//!
//! Parse, don't validate: a config that passes comes back as a [`Validated`] value that carries
//! what validation worked out (identity, custom runtime options, package), and the forward
//! conversion takes only that.

mod connector;
mod function;

pub(crate) use connector::{validate_sink, validate_source, Connector};
pub(crate) use function::validate_function;

use crate::error::ValidationErrors;
use crate::front_door::Worker;
use crate::naming::{
    is_dns1123_label, is_label_value, resource_name, ComponentKind, MAX_RESOURCE_NAME_LEN,
};
use crate::options::{check_options, parse_custom_runtime_options};
use fm_model::pulsar::{ConsumerConfig, ProducerConfig, Resources, WindowConfig};
use fm_model::worker::CustomRuntimeOptions;
use std::collections::BTreeMap;

/// Who a component is: its cluster (after the worker's precedence), tenant and namespace
/// (after Pulsar's defaults) and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Pulsar cluster (`spec.clusterName`).
    pub cluster: String,
    /// Tenant (default `public`).
    pub tenant: String,
    /// Namespace (default `default`).
    pub namespace: String,
    /// Component name, as given.
    pub name: String,
}

impl Identity {
    /// The resource name: `<sanitized name>-<8 hex of sha1("cluster-tenant-namespace-name")>`.
    pub fn resource_name(&self) -> String {
        resource_name(&self.cluster, &self.tenant, &self.namespace, &self.name)
    }

    pub(crate) fn parts(&self) -> (&str, &str, &str, &str) {
        (&self.cluster, &self.tenant, &self.namespace, &self.name)
    }
}

/// A config that passed validation, with what validation worked out: the identity, the parsed
/// `customRuntimeOptions` and the package (`P`: a function's [`crate::Package`] or a
/// connector's [`crate::ConnectorPackage`]). Only validation makes one.
#[derive(Clone, Debug)]
pub struct Validated<'c, C, P> {
    config: &'c C,
    identity: Identity,
    options: CustomRuntimeOptions,
    package: P,
}

impl<'c, C, P> Validated<'c, C, P> {
    /// The config as given.
    pub fn config(&self) -> &'c C {
        self.config
    }

    /// Cluster, tenant, namespace and name.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The parsed `customRuntimeOptions` (defaults when absent).
    pub fn options(&self) -> &CustomRuntimeOptions {
        &self.options
    }

    /// Where the code comes from.
    pub fn package(&self) -> &P {
        &self.package
    }
}

/// The start of every validation: the name, `customRuntimeOptions` and the identity, with the
/// problems found so far.
fn start(
    kind: ComponentKind,
    worker: &Worker,
    ids: (Option<&str>, Option<&str>, Option<&str>),
    custom_runtime_options: Option<&str>,
) -> (
    ValidationErrors,
    Option<CustomRuntimeOptions>,
    Option<Identity>,
) {
    let mut e = ValidationErrors::default();
    if ids.2.is_none_or(str::is_empty) {
        e.push("name", format!("{kind} name cannot be null"));
    }
    let options = options(&mut e, custom_runtime_options);
    let identity = identity(&mut e, kind, worker, ids, options.as_ref());
    (e, options, identity)
}

/// The end of every validation: the checks of the options' values, then the problems or the
/// validated value.
fn finish<'c, C, P>(
    mut e: ValidationErrors,
    config: &'c C,
    identity: Option<Identity>,
    options: Option<CustomRuntimeOptions>,
    package: Option<P>,
) -> Result<Validated<'c, C, P>, ValidationErrors> {
    if let Some(opts) = &options {
        check_options(&mut |p, m| e.push(p, m), opts);
    }
    e.into_result()?;
    match (identity, options, package) {
        (Some(identity), Some(options), Some(package)) => Ok(Validated {
            config,
            identity,
            options,
            package,
        }),
        // Every `None` above was recorded as a problem; this only guards that invariant.
        _ => Err(ValidationErrors::single(
            "(config)",
            "validation found no problem but could not resolve the component",
        )),
    }
}

pub(crate) fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|v| v.trim().is_empty())
}

/// Pulsar's topic name check: `[persistent|non-persistent]://tenant/namespace/topic`, or a
/// short name, with no empty parts and no characters Pulsar rejects.
pub(crate) fn is_valid_topic(topic: &str) -> bool {
    if topic.trim().is_empty() || topic.contains(char::is_whitespace) {
        return false;
    }
    let rest = match topic.split_once("://") {
        Some((domain, rest)) => {
            if domain != "persistent" && domain != "non-persistent" {
                return false;
            }
            rest
        }
        None => topic,
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let ok_part = |p: &&str| !p.is_empty();
    match parts.len() {
        1 => parts.first().is_some_and(ok_part),
        3 | 4 => parts.iter().all(ok_part),
        _ => false,
    }
}

/// The component's identity after Pulsar's defaults (tenant `public`, namespace `default`) and
/// the worker's cluster precedence; checks that it makes a resource name and label values
/// Kubernetes accepts. `None` (with the problem recorded) when there is no cluster or no name.
fn identity(
    e: &mut ValidationErrors,
    kind: ComponentKind,
    worker: &Worker,
    (tenant, namespace, name): (Option<&str>, Option<&str>, Option<&str>),
    options: Option<&CustomRuntimeOptions>,
) -> Option<Identity> {
    let tenant = tenant.filter(|s| !s.is_empty()).unwrap_or("public");
    let namespace = namespace.filter(|s| !s.is_empty()).unwrap_or("default");
    let name = name.unwrap_or_default();
    let Some(cluster) = worker.cluster_for(options.and_then(|o| o.cluster_name.as_deref())) else {
        e.push("clusterName", "clusterName is not provided.");
        return None;
    };
    if name.is_empty() {
        return None;
    }
    let rname = resource_name(&cluster, tenant, namespace, name);
    if rname.len() > MAX_RESOURCE_NAME_LEN {
        e.push(
            "name",
            format!(
                "{} name `{name}` gives the resource name `{rname}` ({} characters); Function Mesh accepts at most {MAX_RESOURCE_NAME_LEN}, so the name may have at most {} characters",
                kind.as_str(),
                rname.len(),
                MAX_RESOURCE_NAME_LEN - 9
            ),
        );
    } else if !is_dns1123_label(&rname)
        || !rname.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
    {
        e.push(
            "name",
            format!(
                "{} name `{name}` gives the resource name `{rname}`, which Kubernetes rejects: it must start with a letter and contain only letters, digits and '-' (no '.')",
                kind.as_str()
            ),
        );
    }
    for (path, v) in [
        ("clusterName", cluster.as_str()),
        ("tenant", tenant),
        ("namespace", namespace),
        ("name", name),
    ] {
        if !is_label_value(v) {
            e.push(
                path,
                format!("`{v}` cannot be a Kubernetes label value (at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit)"),
            );
        }
    }
    Some(Identity {
        cluster,
        tenant: tenant.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    })
}

pub(crate) fn check_resources(e: &mut ValidationErrors, r: &Option<Resources>, worker: &Worker) {
    let Some(r) = r else { return };
    if r.cpu <= 0.0 {
        e.push(
            "resources.cpu",
            "The cpu allocation for the function must be positive",
        );
    }
    if r.ram <= 0 {
        e.push(
            "resources.ram",
            "The ram allocation for the function must be positive",
        );
    }
    if r.disk <= 0 {
        e.push(
            "resources.disk",
            "The disk allocation for the function must be positive",
        );
    }
    if let Some(min) = &worker.config.function_instance_min_resources {
        if min.cpu.is_some_and(|c| r.cpu < c) || min.ram.is_some_and(|m| r.ram < m) {
            e.push("resources", "Resource is less than minimum requirement");
        }
    }
    if let Some(max) = &worker.config.function_instance_max_resources {
        if max.cpu.is_some_and(|c| r.cpu > c) || max.ram.is_some_and(|m| r.ram > m) {
            e.push("resources", "Resource is larger than max requirement");
        }
    }
}

pub(crate) fn check_consumer(
    e: &mut ValidationErrors,
    path: &str,
    c: &ConsumerConfig,
    java_style: bool,
) {
    if c.receiver_queue_size.is_some_and(|n| n < 0) {
        e.push(
            &format!("{path}.receiverQueueSize"),
            "Receiver queue size should be >= zero",
        );
    }
    if let Some(crypto) = &c.crypto_config {
        if blank(crypto.crypto_key_reader_class_name.as_deref()) {
            e.push(
                &format!("{path}.cryptoConfig.cryptoKeyReaderClassName"),
                "CryptoKeyReader class name required",
            );
        }
    }
    if let Some(p) = &c.message_payload_processor_config {
        if blank(p.class_name.as_deref()) {
            e.push(
                &format!("{path}.messagePayloadProcessorConfig.className"),
                "MessagePayloadProcessor class name required",
            );
        }
    }
    if !blank(c.schema_type.as_deref()) && !blank(c.serde_class_name.as_deref()) {
        e.push(
            path,
            if java_style {
                "Only one of schemaType or serdeClassName should be set in inputSpec"
            } else {
                "Only one of serdeClassName or schemaType should be set"
            },
        );
    }
}

/// The input topics a config names, with their paths: `inputs`, the keys of its two per-topic
/// maps (`keyed`: field name and map), and the `inputSpecs` keys that are not regex patterns
/// (each spec checked on the way). Reports `missing` when there is no input at all (no topic,
/// `topicsPattern` or `inputSpecs`) and every topic name that is not valid.
pub(crate) fn check_inputs(
    e: &mut ValidationErrors,
    inputs: Option<&Vec<String>>,
    keyed: [(&str, Option<&BTreeMap<String, String>>); 2],
    topics_pattern: Option<&str>,
    specs: Option<&BTreeMap<String, ConsumerConfig>>,
    (java_style, missing): (bool, &str),
) -> Vec<(String, String)> {
    let mut topics: Vec<(String, String)> = Vec::new();
    for (i, t) in inputs.into_iter().flatten().enumerate() {
        topics.push((format!("inputs[{i}]"), t.clone()));
    }
    for (field, map) in keyed {
        for t in map.into_iter().flat_map(BTreeMap::keys) {
            topics.push((format!("{field}.{t}"), t.clone()));
        }
    }
    for (t, spec) in specs.into_iter().flatten() {
        if !spec.regex_pattern {
            topics.push((format!("inputSpecs.{t}"), t.clone()));
        }
        check_consumer(e, &format!("inputSpecs.{t}"), spec, java_style);
    }
    if topics.is_empty() && blank(topics_pattern) && specs.is_none_or(BTreeMap::is_empty) {
        e.push("inputs", missing);
    }
    for (path, t) in &topics {
        if !is_valid_topic(t) {
            e.push(path, format!("Input topic {t} is invalid"));
        }
    }
    topics
}

/// A producer that encrypts needs a key reader class and at least one key name.
pub(crate) fn check_producer_crypto(e: &mut ValidationErrors, producer: Option<&ProducerConfig>) {
    let Some(crypto) = producer.and_then(|p| p.crypto_config.as_ref()) else {
        return;
    };
    if blank(crypto.crypto_key_reader_class_name.as_deref()) {
        e.push(
            "producerConfig.cryptoConfig.cryptoKeyReaderClassName",
            "CryptoKeyReader class name required",
        );
    }
    if crypto.encryption_keys.as_ref().is_none_or(|k| k.is_empty()) {
        e.push(
            "producerConfig.cryptoConfig.encryptionKeys",
            "Must provide encryption key name for crypto key reader",
        );
    }
}

pub(crate) fn check_window(e: &mut ValidationErrors, w: &WindowConfig) {
    let p = "windowConfig";
    match (w.window_length_count, w.window_length_duration_ms) {
        (None, None) => e.push(p, "Window length is not specified"),
        (Some(_), Some(_)) => e.push(
            p,
            "Window length for time and count are set! Please set one or the other.",
        ),
        (Some(n), None) if n <= 0 => e.push(
            &format!("{p}.windowLengthCount"),
            format!("Window length must be positive [{n}]"),
        ),
        (None, Some(n)) if n <= 0 => e.push(
            &format!("{p}.windowLengthDurationMs"),
            format!("Window length must be positive [{n}]"),
        ),
        _ => {}
    }
    if let Some(n) = w.sliding_interval_count.filter(|n| *n <= 0) {
        e.push(
            &format!("{p}.slidingIntervalCount"),
            format!("Sliding interval must be positive [{n}]"),
        );
    }
    if let Some(n) = w.sliding_interval_duration_ms.filter(|n| *n <= 0) {
        e.push(
            &format!("{p}.slidingIntervalDurationMs"),
            format!("Sliding interval must be positive [{n}]"),
        );
    }
    if !blank(w.timestamp_extractor_class_name.as_deref()) {
        if let Some(n) = w.max_lag_ms.filter(|n| *n < 0) {
            e.push(
                &format!("{p}.maxLagMs"),
                format!("Lag duration must be positive [{n}]"),
            );
        }
        if let Some(n) = w.watermark_emit_interval_ms.filter(|n| *n <= 0) {
            e.push(
                &format!("{p}.watermarkEmitIntervalMs"),
                format!("Watermark interval must be positive [{n}]"),
            );
        }
    }
    if let Some(late) = &w.late_data_topic {
        if !is_valid_topic(late) {
            e.push(
                &format!("{p}.lateDataTopic"),
                format!("Late data topic {late} is invalid"),
            );
        }
    }
}

pub(crate) fn check_secrets(
    e: &mut ValidationErrors,
    secrets: &Option<serde_json::Map<String, serde_json::Value>>,
) {
    for (k, v) in secrets.iter().flatten() {
        let ok = v.as_object().is_some_and(|o| {
            o.get("path").is_some_and(|p| p.is_string())
                && o.get("key").is_some_and(|p| p.is_string())
        });
        if !ok {
            e.push(
                &format!("secrets.{k}"),
                "a Function Mesh secret must be an object with string fields `path` (the Kubernetes Secret name) and `key`",
            );
        }
    }
}

/// Parses `customRuntimeOptions`; `None` (recorded) when it does not parse.
fn options(e: &mut ValidationErrors, cro: Option<&str>) -> Option<CustomRuntimeOptions> {
    match parse_custom_runtime_options(cro) {
        Ok(opts) => Some(opts),
        Err(msg) => {
            e.push("customRuntimeOptions", msg);
            None
        }
    }
}
