//! Validation with Pulsar's rules and Pulsar's error texts, plus the checks the Function Mesh
//! operator would only make later (name length, characters Kubernetes rejects). Every problem
//! is reported with its field path, not just the first.

use crate::convert::{resource_name, ComponentKind, ConversionContext, MAX_RESOURCE_NAME_LEN};
use crate::pulsar::{
    ConsumerConfig, FunctionConfig, ProcessingGuarantees, Resources, Runtime, SinkConfig,
    SourceConfig, WindowConfig,
};
use std::fmt;

/// One problem: where, and what Pulsar (or Kubernetes) says about it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ValidationIssue {
    /// Field path in the config (`parallelism`, `inputSpecs.t.receiverQueueSize`).
    pub path: String,
    /// The message (Pulsar's exact text where Pulsar has one).
    pub message: String,
}

/// Every problem found in a config.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, thiserror::Error)]
pub struct ValidationErrors(pub Vec<ValidationIssue>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}:", if n == 1 { "" } else { "s" })?;
        for issue in &self.0 {
            write!(f, "\n  {}: {}", issue.path, issue.message)?;
        }
        Ok(())
    }
}

impl ValidationErrors {
    fn push(&mut self, path: &str, message: impl Into<String>) {
        self.0.push(ValidationIssue {
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|v| v.trim().is_empty())
}

/// Pulsar's topic name check: `[persistent|non-persistent]://tenant/namespace/topic`, or a
/// short name, with no empty parts and no characters Pulsar rejects.
pub fn is_valid_topic(topic: &str) -> bool {
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

/// The identity after Pulsar's defaults (tenant `public`, namespace `default`).
pub(crate) fn identity(
    tenant: &Option<String>,
    namespace: &Option<String>,
    name: &Option<String>,
) -> (String, String, String) {
    let t = tenant
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "public".into());
    let n = namespace
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".into());
    (t, n, name.clone().unwrap_or_default())
}

/// The cluster a conversion uses: the context's, else `pulsarFunctionsCluster`, else
/// `customRuntimeOptions.clusterName`.
pub(crate) fn cluster_of(ctx: &ConversionContext, cro_cluster: Option<&str>) -> Option<String> {
    ctx.cluster
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| {
            ctx.worker
                .pulsar_functions_cluster
                .clone()
                .filter(|c| !c.is_empty())
        })
        .or_else(|| cro_cluster.filter(|c| !c.is_empty()).map(str::to_string))
}

fn check_names(
    e: &mut ValidationErrors,
    kind: ComponentKind,
    ctx: &ConversionContext,
    ids: (&str, &str, &str),
    cro_cluster: Option<&str>,
) {
    let (tenant, namespace, name) = ids;
    let Some(cluster) = cluster_of(ctx, cro_cluster) else {
        e.push("clusterName", "clusterName is not provided.");
        return;
    };
    if name.is_empty() {
        return;
    }
    let rname = resource_name(&cluster, tenant, namespace, name);
    if rname.len() > MAX_RESOURCE_NAME_LEN {
        e.push(
            "name",
            format!(
                "{} name `{name}` gives the resource name `{rname}` ({} characters); Function Mesh accepts at most {MAX_RESOURCE_NAME_LEN}, so the name may have at most {} characters",
                kind.title(),
                rname.len(),
                MAX_RESOURCE_NAME_LEN - 9
            ),
        );
    } else if !crate::convert::naming_is_dns_label(&rname)
        || !rname.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
    {
        e.push(
            "name",
            format!(
                "{} name `{name}` gives the resource name `{rname}`, which Kubernetes rejects: it must start with a letter and contain only letters, digits and '-' (no '.')",
                kind.title()
            ),
        );
    }
    for (path, v) in [
        ("clusterName", cluster.as_str()),
        ("tenant", tenant),
        ("namespace", namespace),
        ("name", name),
    ] {
        if !crate::convert::naming_is_label_value(v) {
            e.push(
                path,
                format!("`{v}` cannot be a Kubernetes label value (at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit)"),
            );
        }
    }
}

fn check_resources(e: &mut ValidationErrors, r: &Option<Resources>, ctx: &ConversionContext) {
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
    if let Some(min) = &ctx.worker.function_instance_min_resources {
        if min.cpu.is_some_and(|c| r.cpu < c) || min.ram.is_some_and(|m| r.ram < m) {
            e.push("resources", "Resource is less than minimum requirement");
        }
    }
    if let Some(max) = &ctx.worker.function_instance_max_resources {
        if max.cpu.is_some_and(|c| r.cpu > c) || max.ram.is_some_and(|m| r.ram > m) {
            e.push("resources", "Resource is larger than max requirement");
        }
    }
}

fn check_consumer(e: &mut ValidationErrors, path: &str, c: &ConsumerConfig, java_style: bool) {
    if c.receiver_queue_size.is_some_and(|n| n < 0) {
        e.push(
            &format!("{path}.receiverQueueSize"),
            "Receiver queue size should be >= zero",
        );
    }
    if let Some(crypto) = &c.crypto_config {
        if blank(&crypto.crypto_key_reader_class_name) {
            e.push(
                &format!("{path}.cryptoConfig.cryptoKeyReaderClassName"),
                "CryptoKeyReader class name required",
            );
        }
    }
    if let Some(p) = &c.message_payload_processor_config {
        if blank(&p.class_name) {
            e.push(
                &format!("{path}.messagePayloadProcessorConfig.className"),
                "MessagePayloadProcessor class name required",
            );
        }
    }
    if !blank(&c.schema_type) && !blank(&c.serde_class_name) {
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

fn check_window(e: &mut ValidationErrors, w: &WindowConfig) {
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
    if !blank(&w.timestamp_extractor_class_name) {
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

fn check_secrets(
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

fn check_custom_runtime_options(
    e: &mut ValidationErrors,
    cro: &Option<String>,
) -> Option<crate::worker::CustomRuntimeOptions> {
    match crate::convert::parse_custom_runtime_options(cro) {
        Ok(opts) => Some(opts),
        Err(msg) => {
            e.push("customRuntimeOptions", msg);
            None
        }
    }
}

/// Validates a FunctionConfig as Pulsar and Function Mesh would; lists every problem.
pub fn validate_function(
    c: &FunctionConfig,
    ctx: &ConversionContext,
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let (tenant, namespace, name) = identity(&c.tenant, &c.namespace, &c.name);
    if name.is_empty() {
        e.push("name", "Function name cannot be null");
    }
    let cro = check_custom_runtime_options(&mut e, &c.custom_runtime_options);
    check_names(
        &mut e,
        ComponentKind::Function,
        ctx,
        (&tenant, &namespace, &name),
        cro.as_ref().and_then(|o| o.cluster_name.as_deref()),
    );
    let runtime = crate::convert::function_runtime(c);
    match runtime {
        None => e.push(
            "runtime",
            "Function language runtime is either not set or cannot be determined",
        ),
        Some(Runtime::Python) if blank(&c.class_name) => {
            e.push("className", "Function classname cannot be null")
        }
        Some(Runtime::Java) if blank(&c.class_name) => {
            e.push("className", "Function class name is not provided.")
        }
        _ => {}
    }
    let mut topics: Vec<(String, String)> = Vec::new();
    for (i, t) in c.inputs.iter().flatten().enumerate() {
        topics.push((format!("inputs[{i}]"), t.clone()));
    }
    for (t, _) in c.custom_serde_inputs.iter().flatten() {
        topics.push((format!("customSerdeInputs.{t}"), t.clone()));
    }
    for (t, v) in c.custom_schema_inputs.iter().flatten() {
        topics.push((format!("customSchemaInputs.{t}"), t.clone()));
        if serde_json::from_str::<ConsumerConfig>(v).is_err() {
            e.push(
                &format!("customSchemaInputs.{t}"),
                format!("Topic {t} has an incorrect schema Info"),
            );
        }
    }
    for (t, spec) in c.input_specs.iter().flatten() {
        if !spec.regex_pattern {
            topics.push((format!("inputSpecs.{t}"), t.clone()));
        }
        check_consumer(&mut e, &format!("inputSpecs.{t}"), spec, true);
    }
    if topics.is_empty()
        && blank(&c.topics_pattern)
        && c.input_specs.as_ref().is_none_or(|m| m.is_empty())
    {
        e.push("inputs", "No input topic(s) specified for the function");
    }
    for (path, t) in &topics {
        if !is_valid_topic(t) {
            e.push(path, format!("Input topic {t} is invalid"));
        }
    }
    if let Some(out) = c.output.as_deref().filter(|o| !o.is_empty()) {
        if !is_valid_topic(out) {
            e.push("output", format!("Output topic {out} is invalid"));
        }
        if topics.iter().any(|(_, t)| t == out) {
            e.push("output", format!("Output topic {out} is also being used as an input topic (topics must be one or the other)"));
        }
    }
    if let Some(t) = c
        .log_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
    if let Some(t) = c
        .dead_letter_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push(
            "deadLetterTopic",
            format!("DeadLetter topic {t} is invalid"),
        );
    }
    if c.parallelism.is_some_and(|p| p <= 0) {
        e.push(
            "parallelism",
            "Function parallelism must be a positive number",
        );
    }
    check_resources(&mut e, &c.resources, ctx);
    let g = c.processing_guarantees;
    if let Some(t) = c.timeout_ms {
        if t <= 0 {
            e.push("timeoutMs", "Function timeout must be a positive number");
        } else if i32::try_from(t).is_err() {
            e.push("timeoutMs", format!("Function Mesh stores the timeout as a 32-bit number of milliseconds; {t} is too large"));
        }
        if g.is_some_and(|g| g != ProcessingGuarantees::AtleastOnce) {
            e.push(
                "timeoutMs",
                "Message timeout can only be specified with processing guarantee is ATLEAST_ONCE",
            );
        }
    }
    if g == Some(ProcessingGuarantees::EffectivelyOnce)
        && c.max_message_retries.is_some_and(|r| r >= 0)
    {
        e.push(
            "maxMessageRetries",
            "MaxMessageRetries and Effectively once don't gel well",
        );
    }
    if !blank(&c.dead_letter_topic) && c.max_message_retries.is_none_or(|r| r < 0) {
        e.push(
            "deadLetterTopic",
            "Dead Letter Topic specified, however max retries is set to infinity",
        );
    }
    if c.retain_key_ordering == Some(true) {
        if g == Some(ProcessingGuarantees::EffectivelyOnce) {
            e.push("retainKeyOrdering", "When effectively once processing guarantee is specified, retain Key ordering cannot be set");
        }
        if c.retain_ordering == Some(true) {
            e.push(
                "retainKeyOrdering",
                "Only one of retain ordering or retain key ordering can be set",
            );
        }
    }
    if let Some(w) = &c.window_config {
        check_window(&mut e, w);
        if matches!(
            g,
            Some(ProcessingGuarantees::EffectivelyOnce | ProcessingGuarantees::Manual)
        ) {
            let gs = if g == Some(ProcessingGuarantees::Manual) {
                "MANUAL"
            } else {
                "EFFECTIVELY_ONCE"
            };
            e.push(
                "processingGuarantees",
                format!("Windows Function not support {gs} delivery semantics."),
            );
        }
    }
    if c.auto_ack == Some(false)
        && g == Some(ProcessingGuarantees::AtmostOnce)
        && c.window_config.is_none()
    {
        e.push("autoAck", "When Guarantees == ATMOST_ONCE, autoAck must be equal to true. This is a contradictory configuration, autoAck will be removed later. Please refer to PIP: https://github.com/apache/pulsar/issues/15560");
    }
    if let Some(p) = &c.producer_config {
        if let Some(crypto) = &p.crypto_config {
            if blank(&crypto.crypto_key_reader_class_name) {
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
    }
    if runtime == Some(Runtime::Java)
        && !blank(&c.output_schema_type)
        && !blank(&c.output_serde_class_name)
    {
        e.push(
            "outputSchemaType",
            "Only one of outputSchemaType or outputSerdeClassName should be set",
        );
    }
    match runtime {
        Some(Runtime::Python) => {
            if g == Some(ProcessingGuarantees::EffectivelyOnce) {
                e.push(
                    "processingGuarantees",
                    "Effectively-once processing guarantees not yet supported in Python",
                );
            }
            if c.window_config.is_some() {
                e.push(
                    "windowConfig",
                    "There is currently no support windowing in python",
                );
            }
            if c.max_message_retries.is_some_and(|r| r >= 0) {
                e.push(
                    "maxMessageRetries",
                    "Message retries not yet supported in python",
                );
            }
        }
        Some(Runtime::Go) => {
            if g == Some(ProcessingGuarantees::EffectivelyOnce) {
                e.push(
                    "processingGuarantees",
                    "Effectively-once processing guarantees not yet supported in Go function",
                );
            }
            if c.window_config.is_some() {
                e.push(
                    "windowConfig",
                    "Windowing is not supported in Go function yet",
                );
            }
            if c.max_message_retries.is_some_and(|r| r >= 0) {
                e.push(
                    "maxMessageRetries",
                    "Message retries not yet supported in Go function",
                );
            }
            if c.retain_key_ordering == Some(true) {
                e.push(
                    "retainKeyOrdering",
                    "Retain Key Orderering not yet supported in Go function",
                );
            }
        }
        _ => {}
    }
    check_secrets(&mut e, &c.secrets);
    if let Err(msg) = crate::convert::function_package(c, ctx) {
        e.push(crate::convert::package_field(c), msg);
    }
    if let Some(opts) = &cro {
        crate::convert::check_options(&mut |p, m| e.push(p, m), opts);
    }
    e.into_result()
}

/// Validates a SinkConfig as Pulsar and Function Mesh would; lists every problem.
pub fn validate_sink(c: &SinkConfig, ctx: &ConversionContext) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let (tenant, namespace, name) = identity(&c.tenant, &c.namespace, &c.name);
    if name.is_empty() {
        e.push("name", "Sink name cannot be null");
    }
    let cro = check_custom_runtime_options(&mut e, &c.custom_runtime_options);
    check_names(
        &mut e,
        ComponentKind::Sink,
        ctx,
        (&tenant, &namespace, &name),
        cro.as_ref().and_then(|o| o.cluster_name.as_deref()),
    );
    let mut topics: Vec<(String, String)> = Vec::new();
    for (i, t) in c.inputs.iter().flatten().enumerate() {
        topics.push((format!("inputs[{i}]"), t.clone()));
    }
    for (t, _) in c.topic_to_serde_class_name.iter().flatten() {
        topics.push((format!("topicToSerdeClassName.{t}"), t.clone()));
    }
    for (t, _) in c.topic_to_schema_type.iter().flatten() {
        topics.push((format!("topicToSchemaType.{t}"), t.clone()));
    }
    for (t, spec) in c.input_specs.iter().flatten() {
        if !spec.regex_pattern {
            topics.push((format!("inputSpecs.{t}"), t.clone()));
        }
        check_consumer(&mut e, &format!("inputSpecs.{t}"), spec, false);
    }
    if topics.is_empty()
        && blank(&c.topics_pattern)
        && c.input_specs.as_ref().is_none_or(|m| m.is_empty())
    {
        e.push("inputs", "Must specify at least one topic of input via topicToSerdeClassName, topicsPattern, topicToSchemaType or inputSpecs");
    }
    for (path, t) in &topics {
        if !is_valid_topic(t) {
            e.push(path, format!("Input topic {t} is invalid"));
        }
    }
    if let Some(t) = c
        .log_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
    if c.parallelism.is_some_and(|p| p <= 0) {
        e.push("parallelism", "Sink parallelism must be a positive number");
    }
    if let Some(t) = c.timeout_ms {
        if t < 0 {
            e.push("timeoutMs", "Sink timeout must be a positive number");
        } else if i32::try_from(t).is_err() {
            e.push("timeoutMs", format!("Function Mesh stores the timeout as a 32-bit number of milliseconds; {t} is too large"));
        }
    }
    if let Some(t) = c
        .negative_ack_redelivery_delay_ms
        .filter(|t| i32::try_from(*t).is_err())
    {
        e.push("negativeAckRedeliveryDelayMs", format!("Function Mesh stores this delay as a 32-bit number of milliseconds; {t} is out of range"));
    }
    check_resources(&mut e, &c.resources, ctx);
    let g = c.processing_guarantees;
    if c.retain_key_ordering == Some(true) {
        if g == Some(ProcessingGuarantees::EffectivelyOnce) {
            e.push("retainKeyOrdering", "When effectively once processing guarantee is specified, retain Key ordering cannot be set");
        }
        if c.retain_ordering == Some(true) {
            e.push(
                "retainKeyOrdering",
                "Only one of retain ordering or retain key ordering can be set",
            );
        }
    }
    if !blank(&c.dead_letter_topic) && c.max_message_retries.is_none_or(|r| r <= 0) {
        e.push(
            "deadLetterTopic",
            "Dead Letter Topic specified, however max retries is set to infinity",
        );
    }
    check_secrets(&mut e, &c.secrets);
    if let Err(msg) =
        crate::convert::connector_package(ComponentKind::Sink, &c.archive, &c.class_name, ctx)
    {
        e.push("archive", msg);
    }
    if let Some(opts) = &cro {
        crate::convert::check_options(&mut |p, m| e.push(p, m), opts);
    }
    e.into_result()
}

/// Validates a SourceConfig as Pulsar and Function Mesh would; lists every problem.
pub fn validate_source(c: &SourceConfig, ctx: &ConversionContext) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    let (tenant, namespace, name) = identity(&c.tenant, &c.namespace, &c.name);
    if name.is_empty() {
        e.push("name", "Source name cannot be null");
    }
    let cro = check_custom_runtime_options(&mut e, &c.custom_runtime_options);
    check_names(
        &mut e,
        ComponentKind::Source,
        ctx,
        (&tenant, &namespace, &name),
        cro.as_ref().and_then(|o| o.cluster_name.as_deref()),
    );
    if let Some(t) = c
        .topic_name
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        let _ = t;
        e.push("topicName", "Topic name is invalid");
    }
    if let Some(t) = c
        .log_topic
        .as_deref()
        .filter(|t| !t.is_empty() && !is_valid_topic(t))
    {
        e.push("logTopic", format!("LogTopic topic {t} is invalid"));
    }
    if c.parallelism.is_some_and(|p| p <= 0) {
        e.push(
            "parallelism",
            "Source parallelism must be a positive number",
        );
    }
    check_resources(&mut e, &c.resources, ctx);
    if !blank(&c.serde_class_name) && !blank(&c.schema_type) {
        e.push(
            "schemaType",
            "Only one of serdeClassName or schemaType should be set",
        );
    }
    if let Some(b) = &c.batch_source_config {
        if blank(&b.discovery_triggerer_class_name) {
            e.push(
                "batchSourceConfig.discoveryTriggererClassName",
                "BatchSourceConfig does not specify Discovery Trigger ClassName",
            );
        }
    }
    if let Some(crypto) = c
        .producer_config
        .as_ref()
        .and_then(|p| p.crypto_config.as_ref())
    {
        if blank(&crypto.crypto_key_reader_class_name) {
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
    check_secrets(&mut e, &c.secrets);
    if let Err(msg) =
        crate::convert::connector_package(ComponentKind::Source, &c.archive, &c.class_name, ctx)
    {
        e.push("archive", msg);
    }
    if let Some(opts) = &cro {
        crate::convert::check_options(&mut |p, m| e.push(p, m), opts);
    }
    e.into_result()
}
