//! Shared helpers for the fm-auth integration tests.
#![allow(dead_code)]

use fm_auth::{AuthSettings, ComponentKind, ComponentRef};
use k8s_openapi::api::core::v1::Secret;
use serde_json::Value;
use std::path::PathBuf;

/// Client secret planted in the fixture Secrets.
pub const CLIENT_SECRET: &str = "CANARY-CLIENT-SECRET-4b1d";
/// Token planted in the worker token fixtures.
pub const WORKER_TOKEN: &str = "CANARY-WORKER-TOKEN-0e77";
/// A caller's token.
pub const CALLER_TOKEN: &str = "CANARY-CALLER-TOKEN-a8d3";
/// Every canary.
pub const CANARIES: [&str; 3] = [CLIENT_SECRET, WORKER_TOKEN, CALLER_TOKEN];

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/auth")
        .join(name)
}

pub fn fixture_value(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path(name)).unwrap();
    serde_yaml_ng::from_str(&text).unwrap()
}

pub fn settings(name: &str) -> AuthSettings {
    AuthSettings::from_worker_config(&fixture_value(name)).unwrap()
}

pub fn secrets(name: &str) -> Vec<Secret> {
    fm_auth::secrets_from_value(&fixture_value(name)).unwrap()
}

pub fn component(kind: ComponentKind) -> ComponentRef {
    ComponentRef {
        kind,
        cluster: "test-pulsar".into(),
        tenant: "public".into(),
        namespace: "default".into(),
        name: "word-count".into(),
    }
}

/// Asserts no canary is in `text`.
pub fn assert_clean(what: &str, text: &str) {
    for c in CANARIES {
        assert!(!text.contains(c), "{what} leaked {c}: {text}");
    }
}

/// Replaces canaries by labels so snapshots never hold them.
pub fn label_canaries(text: &str) -> String {
    text.replace(CLIENT_SECRET, "<canary:client-secret>")
        .replace(WORKER_TOKEN, "<canary:worker-token>")
        .replace(CALLER_TOKEN, "<canary:caller-token>")
}
