//! `customRuntimeOptions`: the JSON string in a config that carries Function Mesh's own options,
//! parsed once, and the checks of the values the Java worker only tripped over at conversion.

use crate::quantity;
use fm_model::crd::{
    ContainerControlledValues, ContainerScalingMode, LogLevel, TriggeringPolicy, VpaUpdateMode,
};
use fm_model::worker::CustomRuntimeOptions;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// The six built-in HPA rules Function Mesh knows.
pub(crate) const BUILTIN_HPA_RULES: [&str; 6] = [
    "AverageUtilizationCPUPercent80",
    "AverageUtilizationCPUPercent50",
    "AverageUtilizationCPUPercent20",
    "AverageUtilizationMemoryPercent80",
    "AverageUtilizationMemoryPercent50",
    "AverageUtilizationMemoryPercent20",
];

/// Parses a config's `customRuntimeOptions` JSON string (absent or empty → defaults).
pub(crate) fn parse_custom_runtime_options(
    s: Option<&str>,
) -> Result<CustomRuntimeOptions, String> {
    match s.map(str::trim) {
        None | Some("") => Ok(CustomRuntimeOptions::default()),
        Some(text) => {
            fm_model::parse::parse_as::<CustomRuntimeOptions>(text, fm_model::parse::Format::Json)
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

pub(crate) fn update_mode(s: &str) -> Option<VpaUpdateMode> {
    match s.to_ascii_lowercase().as_str() {
        "off" => Some(VpaUpdateMode::Off),
        "initial" => Some(VpaUpdateMode::Initial),
        "recreate" => Some(VpaUpdateMode::Recreate),
        "auto" => Some(VpaUpdateMode::Auto),
        _ => None,
    }
}

pub(crate) fn scaling_mode(s: &str) -> Option<ContainerScalingMode> {
    match s.to_ascii_lowercase().as_str() {
        "off" => Some(ContainerScalingMode::Off),
        "auto" => Some(ContainerScalingMode::Auto),
        _ => None,
    }
}

pub(crate) fn controlled_values(s: &str) -> Option<ContainerControlledValues> {
    match s.to_ascii_lowercase().as_str() {
        "requestsonly" => Some(ContainerControlledValues::RequestsOnly),
        "requestsandlimits" => Some(ContainerControlledValues::RequestsAndLimits),
        _ => None,
    }
}

/// Checks the parts of custom runtime options the Java worker only trips over at conversion
/// time (HTTP 500s there): log level and rotation names, VPA modes, HPA rule names.
pub(crate) fn check_options(push: &mut dyn FnMut(&str, String), o: &CustomRuntimeOptions) {
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

pub(crate) fn quantity_of(v: &serde_json::Value) -> Option<Quantity> {
    match v {
        serde_json::Value::String(s) => quantity::parse_cpu(s).ok().map(|_| Quantity(s.clone())),
        serde_json::Value::Number(n) => Some(Quantity(n.to_string())),
        _ => None,
    }
}
