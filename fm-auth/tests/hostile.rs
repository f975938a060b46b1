//! Hostile input for fm-auth's parsers (deep nesting, huge strings, bad base64, wrong types,
//! invalid UTF-8 inside base64) and canary secrets in `Debug`/`Display` of every public type
//! that holds one.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_auth::*;
use k8s_openapi::api::core::v1::Secret;
use serde_json::{json, Value};

const CLIENT_SECRET: &str = "CANARY-CLIENT-SECRET-4b1d";
const TOKEN: &str = "CANARY-TOKEN-9e9e";
const PRIVATE_KEY: &str = "CANARY-PRIVATE-KEY-c0ffee";

fn assert_clean(what: &str, text: &str) {
    for c in [CLIENT_SECRET, TOKEN, PRIVATE_KEY] {
        assert!(!text.contains(c), "{what} leaks {c}: {text}");
    }
}

fn key_json() -> String {
    json!({"type": "client_credentials", "client_id": "c", "client_secret": CLIENT_SECRET,
           "issuer_url": "https://auth.example.org/"})
    .to_string()
}

fn secret(string_data: Value) -> Secret {
    secret_from_value(&json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "alice", "annotations": {DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY: "alice@example.org"}},
        "stringData": string_data}))
    .unwrap()
}

#[test]
fn debug_and_errors_never_show_secrets() {
    let s = secret(json!({AUTH_JSON_KEY: key_json(), CLIENT_AUTH_PARAMS_KEY:
        json!({"privateKey": "file:///mnt/secrets/auth.json", "issuerUrl": "https://auth.example.org/"}).to_string()}));
    let parsed = OAuth2Secret::parse(&s).unwrap();
    assert_clean("OAuth2Secret", &format!("{parsed:?}"));
    assert_clean("redacted Secret", &format!("{:?}", redacted_secret(&s)));
    let key = KeyFile::parse(&key_json(), "auth.json").unwrap();
    assert_clean("KeyFile", &format!("{key:?}"));
    let params = OAuth2Params::parse(
        &json!({"privateKey": format!("data:application/json;base64,{PRIVATE_KEY}"), "issuerUrl": "https://a.example/"}).to_string(),
        "p",
    );
    assert_clean("OAuth2Params", &format!("{params:?}"));
    if let Ok(p) = &params {
        assert_clean(
            "runtime json",
            &format!("{:?} {}", p.to_runtime_json(), p.to_runtime_json()),
        );
    }
    let sensitive = Sensitive::new(TOKEN.to_string());
    assert_clean("Sensitive", &format!("{sensitive:?} {sensitive}"));
    let caller = Caller {
        role: Some("alice".into()),
        authorization: Some(Sensitive::new(format!("Bearer {TOKEN}"))),
    };
    assert_clean("Caller", &format!("{caller:?}"));
    let settings = AuthSettings::from_worker_config(&json!({
        "authenticationEnabled": true,
        "brokerClientAuthenticationPlugin": TOKEN_PLUGIN,
        "brokerClientAuthenticationParameters": format!("token:{TOKEN}"),
    }))
    .unwrap();
    assert_clean("AuthSettings", &format!("{settings:?}"));
    let component = ComponentRef {
        kind: ComponentKind::Function,
        cluster: "c".into(),
        tenant: "t".into(),
        namespace: "n".into(),
        name: "f".into(),
    };
    let out = resolve(&settings, &caller, &component, &[], FeatureLevel::NEWEST).unwrap();
    assert!(!out.secrets.is_empty());
    assert_clean("AuthOutcome", &format!("{out:?}"));
    assert_clean("redacted outcome", &format!("{:?}", out.redacted_secrets()));
}

#[test]
fn malformed_secrets_are_errors_without_the_value() {
    let cases = [
        json!({AUTH_JSON_KEY: format!("{{\"client_secret\": \"{CLIENT_SECRET}\", ")}),
        json!({AUTH_JSON_KEY: format!("[\"{CLIENT_SECRET}\"]")}),
        json!({AUTH_JSON_KEY: json!({"client_secret": 5, "client_id": CLIENT_SECRET}).to_string()}),
        json!({CLIENT_AUTH_PARAMS_KEY: json!({"privateKey": PRIVATE_KEY, "issuerUrl": "https://a/"}).to_string()}),
        json!({CLIENT_AUTH_PARAMS_KEY: json!({"privateKey": format!("data:application/json;base64,{PRIVATE_KEY}!"), "issuerUrl": "x"}).to_string()}),
        json!({CLIENT_AUTH_PARAMS_KEY: json!({"privateKey": "file:///k", "issuerUrl": format!("ftp://{TOKEN}")}).to_string()}),
    ];
    for data in cases {
        let e = OAuth2Secret::parse(&secret(data.clone())).unwrap_err();
        assert_clean("error", &format!("{e} {e:?}"));
    }
    // Secret documents with a canary in a wrongly typed or badly encoded field.
    for doc in [
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "data": {AUTH_JSON_KEY: format!("{CLIENT_SECRET}!")}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "stringData": {AUTH_JSON_KEY: [CLIENT_SECRET]}}),
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": CLIENT_SECRET.to_lowercase() + "/"}, "stringData": 5}),
        json!({"apiVersion": "v1", "kind": "List", "items": [{"kind": "Secret", "data": {"k": TOKEN}}]}),
    ] {
        match secrets_from_value(&doc) {
            Ok(list) => assert_clean(
                "secrets",
                &format!("{:?}", list.iter().map(redacted_secret).collect::<Vec<_>>()),
            ),
            Err(e) => assert_clean("error", &format!("{e} {e:?}")),
        }
    }
    for header in [
        format!("Basic {TOKEN}"),
        format!("Bearer  {TOKEN} x"),
        "Bearer ".into(),
        String::new(),
    ] {
        if let Err(e) = bearer_token(&header) {
            assert_clean("bearer error", &format!("{e} {e:?}"));
        }
    }
}

#[test]
fn deep_and_huge_inputs_are_errors_not_panics() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(KeyFile::parse(&deep, "auth.json").is_err());
    assert!(OAuth2Params::parse(&deep, "p").is_err());
    let huge = "x".repeat(10 << 20);
    assert!(PrivateKey::parse(&huge, "privateKey").is_err());
    assert!(validate_issuer_url(&huge, "issuerUrl").is_err());
    let e = PrivateKey::parse(
        &format!("data:application/json;base64,{huge}"),
        "privateKey",
    );
    if let Err(e) = e {
        assert!(e.to_string().len() < 10_000, "errors do not echo the input");
    }
    let big_key = json!({"type": "client_credentials", "client_id": huge, "client_secret": "s", "issuer_url": "https://a/"});
    let _ = KeyFile::parse(&big_key.to_string(), "auth.json");
    // Base64 of invalid UTF-8 in a Secret's data.
    let doc = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "data": {AUTH_JSON_KEY: "//79"}});
    if let Ok(s) = secret_from_value(&doc) {
        assert!(OAuth2Secret::parse(&s).is_err());
    }
    // A nested Secret value (deeper than any parser lets through: 128 levels).
    let mut v = json!(1);
    for _ in 0..200 {
        v = json!([v]);
    }
    let doc = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}, "stringData": {"x": v}});
    assert!(secret_from_value(&doc).is_err());
}
