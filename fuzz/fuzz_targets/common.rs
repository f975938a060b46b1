//! Shared by the Pulsar config targets: parse in one format, then validate, convert (plain and
//! with an auth-enabled worker), convert back and normalise. Nothing may panic.

use fm_convert::convert::{function_to_resource, sink_to_resource, source_to_resource, ConversionContext};
use fm_convert::parse::{parse_as, Format};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::reverse::{function_config, sink_config, source_config};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};

fn contexts() -> &'static [ConversionContext] {
    static CONTEXTS: std::sync::OnceLock<Vec<ConversionContext>> = std::sync::OnceLock::new();
    CONTEXTS.get_or_init(build_contexts)
}

fn build_contexts() -> Vec<ConversionContext> {
    let worker = |t: &str| parse_as::<WorkerConfig>(t, Format::Yaml).ok().unwrap_or_default();
    let connectors =
        parse_as::<Vec<ConnectorDefinition>>(include_str!("../../fixtures/worker/connectors.yaml"), Format::Yaml)
            .ok()
            .unwrap_or_default();
    let plain = ConversionContext {
        worker: worker(include_str!("../../fixtures/worker/functions_worker.yml")),
        connectors: connectors.clone(),
        ..Default::default()
    };
    let auth = ConversionContext {
        worker: worker(include_str!("../../fixtures/auth/worker-insecure-oauth2.yml")),
        connectors,
        ..Default::default()
    };
    vec![ConversionContext::default(), plain, auth]
}

pub fn run(data: &[u8], format: Format) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let ctxs = contexts();
    let ctx = &ctxs[usize::from(selector >> 2) % ctxs.len()];
    match selector % 3 {
        0 => {
            if let Ok(c) = parse_as::<FunctionConfig>(text, format) {
                let _ = fm_convert::normalize::normalize_function(&c, ctx);
                if let Ok(r) = function_to_resource(&c, ctx) {
                    let _ = serde_json::to_string(&r.resource);
                    let _ = function_config(&r.resource, ctx);
                }
            }
        }
        1 => {
            if let Ok(c) = parse_as::<SinkConfig>(text, format) {
                let _ = fm_convert::normalize::normalize_sink(&c, ctx);
                if let Ok(r) = sink_to_resource(&c, ctx) {
                    let _ = serde_json::to_string(&r.resource);
                    let _ = sink_config(&r.resource, ctx);
                }
            }
        }
        _ => {
            if let Ok(c) = parse_as::<SourceConfig>(text, format) {
                let _ = fm_convert::normalize::normalize_source(&c, ctx);
                if let Ok(r) = source_to_resource(&c, ctx) {
                    let _ = serde_json::to_string(&r.resource);
                    let _ = source_config(&r.resource, ctx);
                }
            }
        }
    }
}
