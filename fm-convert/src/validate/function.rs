//! Validation of a FunctionConfig: Pulsar's rules with Pulsar's texts, Function Mesh's limits.

use super::{
    blank, check_inputs, check_producer_crypto, check_resources, check_secrets, check_window,
    finish, is_valid_topic, start, Validated,
};
use crate::error::ValidationErrors;
use crate::front_door::{Request, Worker};
use crate::naming::ComponentKind;
use crate::package::{function_package, function_runtime, package_field, Package};
use fm_model::pulsar::{ConsumerConfig, FunctionConfig, ProcessingGuarantees, Runtime};

/// Validates a FunctionConfig as Pulsar and Function Mesh would; lists every problem.
pub(crate) fn validate_function<'c>(
    c: &'c FunctionConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Validated<'c, FunctionConfig, Package>, ValidationErrors> {
    let (mut e, options, identity) = start(
        ComponentKind::Function,
        worker,
        (
            c.tenant.as_deref(),
            c.namespace.as_deref(),
            c.name.as_deref(),
        ),
        c.custom_runtime_options.as_deref(),
    );
    let runtime = function_runtime(c);
    match runtime {
        None => e.push(
            "runtime",
            "Function language runtime is either not set or cannot be determined",
        ),
        Some(Runtime::Python) if blank(c.class_name.as_deref()) => {
            e.push("className", "Function classname cannot be null")
        }
        Some(Runtime::Java) if blank(c.class_name.as_deref()) => {
            e.push("className", "Function class name is not provided.")
        }
        _ => {}
    }
    for (t, v) in c.custom_schema_inputs.iter().flatten() {
        if serde_json::from_str::<ConsumerConfig>(v).is_err() {
            e.push(
                &format!("customSchemaInputs.{t}"),
                format!("Topic {t} has an incorrect schema Info"),
            );
        }
    }
    let topics = check_inputs(
        &mut e,
        c.inputs.as_ref(),
        [
            ("customSerdeInputs", c.custom_serde_inputs.as_ref()),
            ("customSchemaInputs", c.custom_schema_inputs.as_ref()),
        ],
        c.topics_pattern.as_deref(),
        c.input_specs.as_ref(),
        (true, "No input topic(s) specified for the function"),
    );
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
    check_resources(&mut e, &c.resources, worker);
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
    if !blank(c.dead_letter_topic.as_deref()) && c.max_message_retries.is_none_or(|r| r < 0) {
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
    check_producer_crypto(&mut e, c.producer_config.as_ref());
    if runtime == Some(Runtime::Java)
        && !blank(c.output_schema_type.as_deref())
        && !blank(c.output_serde_class_name.as_deref())
    {
        e.push(
            "outputSchemaType",
            "Only one of outputSchemaType or outputSerdeClassName should be set",
        );
    }
    // What Pulsar's Python and Go runtimes do not support, with its texts: the effectively-once
    // guarantee, windowing, message retries and key ordering.
    let unsupported = match runtime {
        Some(Runtime::Python) => Some([
            Some("Effectively-once processing guarantees not yet supported in Python"),
            Some("There is currently no support windowing in python"),
            Some("Message retries not yet supported in python"),
            None,
        ]),
        Some(Runtime::Go) => Some([
            Some("Effectively-once processing guarantees not yet supported in Go function"),
            Some("Windowing is not supported in Go function yet"),
            Some("Message retries not yet supported in Go function"),
            Some("Retain Key Orderering not yet supported in Go function"),
        ]),
        _ => None,
    };
    if let Some([guarantee, window, retries, key_ordering]) = unsupported {
        let used = [
            (
                "processingGuarantees",
                g == Some(ProcessingGuarantees::EffectivelyOnce),
                guarantee,
            ),
            ("windowConfig", c.window_config.is_some(), window),
            (
                "maxMessageRetries",
                c.max_message_retries.is_some_and(|r| r >= 0),
                retries,
            ),
            (
                "retainKeyOrdering",
                c.retain_key_ordering == Some(true),
                key_ordering,
            ),
        ];
        for (path, set, text) in used {
            if let (true, Some(text)) = (set, text) {
                e.push(path, text);
            }
        }
    }
    check_secrets(&mut e, &c.secrets);
    let package = function_package(c, worker, request)
        .map_err(|msg| e.push(package_field(c), msg))
        .ok();
    finish(e, c, identity, options, package)
}
