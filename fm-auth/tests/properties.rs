//! Property tests: arbitrary input never panics, secrets never leak, re-serialisation
//! round-trips.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use fm_auth::{
    resolve, secret_from_value, AuthSettings, Caller, ComponentKind, ComponentRef, FeatureLevel,
    OAuth2Params, OAuth2Secret, PrivateKey, Sensitive, OAUTH2_PLUGIN, TOKEN_PLUGIN,
};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::ByteString;
use proptest::prelude::*;
use serde_json::{json, Value};

fn b64(s: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// Arbitrary JSON values (bounded depth).
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A non-trivial secret value that would be recognisable in output.
fn secret_value() -> impl Strategy<Value = String> {
    "[A-Za-z0-9]{16,24}".prop_map(|s| format!("SECRET{s}"))
}

/// Key-file JSON: sometimes valid, sometimes with fields dropped, mistyped or broken.
fn key_file_json(secret: String) -> impl Strategy<Value = String> {
    (
        prop::option::of(Just("client_credentials")),
        prop::option::of("[a-z]{1,8}"),
        prop::option::of(prop_oneof![
            Just("https://auth.example.org/".to_string()),
            Just("ftp://x/".to_string()),
            "[a-z:/.]{0,12}",
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(ty, id, issuer, secret_as_number, truncate)| {
            let mut m = serde_json::Map::new();
            if let Some(t) = ty {
                m.insert("type".into(), json!(t));
            }
            if let Some(i) = id {
                m.insert("client_id".into(), json!(i));
            }
            if let Some(u) = issuer {
                m.insert("issuer_url".into(), json!(u));
            }
            m.insert(
                "client_secret".into(),
                if secret_as_number {
                    json!([secret.clone()])
                } else {
                    json!(secret.clone())
                },
            );
            let text = Value::Object(m).to_string();
            if truncate {
                text[..text.len() - 1].to_string()
            } else {
                text
            }
        })
}

/// Plugin parameters JSON with a `privateKey` that may hold the secret itself.
fn params_json(secret: String) -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("file:///mnt/secrets/auth.json".to_string()),
            Just("file:relative".to_string()),
            Just(secret.clone()),
            Just(format!("data:application/json;base64,{}", b64(format!(r#"{{"client_id":"c","client_secret":"{secret}","issuer_url":"https://a.example/"}}"#).as_bytes()))),
            Just(format!("data:application/json;base64,{secret}!")),
            Just(format!("data:;base64,{}", b64(secret.as_bytes()))),
        ],
        prop::option::of("[a-z:/.]{0,16}"),
        prop::option::of(".{0,8}"),
    )
        .prop_map(|(pk, issuer, aud)| {
            let mut m = serde_json::Map::new();
            m.insert("privateKey".into(), json!(pk));
            if let Some(i) = issuer {
                m.insert("issuerUrl".into(), json!(i));
            } else {
                m.insert("issuerUrl".into(), json!("https://auth.example.org/"));
            }
            if let Some(a) = aud {
                m.insert("audience".into(), json!(a));
            }
            Value::Object(m).to_string()
        })
}

fn secret_doc(secret: String) -> impl Strategy<Value = (String, Value)> {
    let s2 = secret.clone();
    (
        prop::option::of(key_file_json(secret.clone())),
        prop::option::of(params_json(secret.clone())),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(key, params, as_data, corrupt)| {
            let mut entries = serde_json::Map::new();
            for (k, v) in [("auth.json", key), ("clientAuthenticationParameters", params)] {
                if let Some(v) = v {
                    entries.insert(k.into(), json!(v));
                }
            }
            let doc = if as_data {
                let data: serde_json::Map<String, Value> = entries
                    .iter()
                    .map(|(k, v)| {
                        let raw = v.as_str().unwrap_or_default();
                        let enc = if corrupt {
                            format!("{raw}!")
                        } else {
                            b64(raw.as_bytes())
                        };
                        (k.clone(), json!(enc))
                    })
                    .collect();
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "u"}, "data": data})
            } else {
                json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "u"}, "stringData": entries})
            };
            (s2.clone(), doc)
        })
}

fn assert_not_leaked(secret: &str, text: &str) {
    assert!(!text.contains(secret), "leaked: {text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary bytes as `auth.json` (in `data`): a typed value or error, never a panic,
    /// and the error never quotes the input.
    #[test]
    fn arbitrary_bytes_as_auth_json(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let secret = Secret {
            data: Some([("auth.json".to_string(), ByteString(bytes.clone()))].into()),
            ..Secret::default()
        };
        if let Err(e) = OAuth2Secret::parse(&secret) {
            let msg = e.to_string();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                if text.len() >= 8 && !text.trim().is_empty() {
                    prop_assert!(!msg.contains(text), "{msg}");
                }
            }
        }
    }

    /// Arbitrary JSON documents as Secrets (and as Secret lists): never a panic.
    #[test]
    fn arbitrary_documents(doc in any_json()) {
        if let Ok(secret) = secret_from_value(&doc) {
            let _ = OAuth2Secret::parse(&secret);
        }
        let _ = fm_auth::secrets_from_value(&doc);
        let _ = AuthSettings::from_worker_config(&doc);
    }

    /// Arbitrary Secret-shaped documents wrapped around arbitrary entries: never a panic.
    #[test]
    fn arbitrary_secret_shapes(
        name in prop::option::of(any_json()),
        annotations in prop::option::of(any_json()),
        data in prop::option::of(any_json()),
        string_data in prop::option::of(any_json()),
        auth_json in ".{0,40}",
    ) {
        let mut doc = json!({"kind": "Secret", "metadata": {}});
        if let Some(n) = name { doc["metadata"]["name"] = n; }
        if let Some(a) = annotations { doc["metadata"]["annotations"] = a; }
        if let Some(d) = data { doc["data"] = d; }
        match string_data {
            Some(sd) => doc["stringData"] = sd,
            None => doc["stringData"] = json!({"auth.json": auth_json}),
        }
        if let Ok(secret) = secret_from_value(&doc) {
            let _ = OAuth2Secret::parse(&secret);
        }
    }

    /// Structured, often malformed OAuth2 Secrets: the secret value never appears in any
    /// error, `Debug` or `Serialize` rendering.
    #[test]
    fn secret_values_never_leak((secret, doc) in secret_value().prop_flat_map(secret_doc)) {
        match secret_from_value(&doc) {
            Err(e) => {
                assert_not_leaked(&secret, &e.to_string());
                assert_not_leaked(&secret, &format!("{e:?}"));
            }
            Ok(s) => match OAuth2Secret::parse(&s) {
                Ok(parsed) => {
                    assert_not_leaked(&secret, &format!("{parsed:?}"));
                    assert_not_leaked(&secret, &serde_json::to_string(&parsed).unwrap());
                }
                Err(e) => {
                    assert_not_leaked(&secret, &e.to_string());
                    assert_not_leaked(&secret, &format!("{e:?}"));
                }
            },
        }
    }

    /// Re-serialised parameters parse back to the same values.
    #[test]
    fn runtime_json_round_trips(
        audience in prop::option::of("[ -~]{0,16}"),
        scope in prop::option::of("[ -~]{0,16}"),
        ty in prop::option::of("[a-z_]{1,12}"),
        file in "[a-z0-9._-]{1,12}",
        host in "[a-z]{1,10}",
    ) {
        let mut m = serde_json::Map::new();
        m.insert("issuerUrl".into(), json!(format!("https://{host}.example/")));
        m.insert("privateKey".into(), json!(format!("file:///mnt/{file}")));
        if let Some(a) = &audience { m.insert("audience".into(), json!(a)); }
        if let Some(s) = &scope { m.insert("scope".into(), json!(s)); }
        if let Some(t) = &ty { m.insert("type".into(), json!(t)); }
        let p = OAuth2Params::parse(&Value::Object(m).to_string(), "p").unwrap();
        let out = p.to_runtime_json();
        let back = OAuth2Params::parse(out.expose(), "p").unwrap();
        prop_assert_eq!(&back, &p);
        let v: Value = serde_json::from_str(out.expose()).unwrap();
        prop_assert_eq!(v["private_key"].as_str().unwrap(), format!("/mnt/{file}"));
        prop_assert_eq!(v["issuer_url"].as_str().unwrap(), p.issuer_url.as_str());
        let PrivateKey::File { path, .. } = &back.private_key else { panic!("file key") };
        prop_assert_eq!(path, &format!("/mnt/{file}"));
    }

    /// `resolve` with arbitrary settings, callers and Secrets: never a panic, and the
    /// caller's token and the worker's parameters never show in errors or `Debug`.
    #[test]
    fn resolve_never_panics(
        auth in any::<bool>(),
        insecure in any::<bool>(),
        tls in any::<bool>(),
        plugin in prop_oneof![Just(Some(OAUTH2_PLUGIN.to_string())), Just(Some(TOKEN_PLUGIN.to_string())), Just(None), ".{0,6}".prop_map(Some)],
        params in prop::option::of(prop_oneof![
            Just(r#"{"audience":"a","issuerUrl":"https://x.example/","privateKey":"file:///k/key.json"}"#.to_string()),
            ".{0,20}",
        ]),
        secret_name in prop::option::of("[a-z]{0,6}"),
        role in prop::option::of(".{0,12}"),
        header in prop::option::of(prop_oneof![Just("Bearer ".to_string()), ".{0,10}"]),
        trust in prop::option::of("[a-z/.]{0,12}"),
        pem in prop::option::of(".{0,8}"),
        docs in prop::collection::vec((secret_value().prop_flat_map(secret_doc), prop::option::of(".{0,12}")), 0..3),
        target in any::<(bool, bool)>(),
    ) {
        let token = "CANARY-PROP-TOKEN-77";
        let settings = AuthSettings {
            authentication_enabled: auth,
            broker_client_authentication_plugin: plugin,
            broker_client_authentication_parameters: params.map(Sensitive::new),
            using_insecure_auth: insecure,
            oauth2_secret_name: secret_name,
            tls_enabled: tls,
            broker_client_trust_certs_file_path: trust,
            broker_client_trust_certs_pem: pem,
            ..AuthSettings::default()
        };
        let caller = Caller {
            role,
            authorization: header.map(|h| Sensitive::new(format!("{h}{token}"))),
        };
        let existing: Vec<Secret> = docs
            .into_iter()
            .filter_map(|((_, doc), annotation)| {
                let mut s = secret_from_value(&doc).ok()?;
                if let Some(a) = annotation {
                    s.metadata.annotations = Some([(settings.oauth2_secret_annotation_key.clone(), a)].into());
                }
                Some(s)
            })
            .collect();
        let component = ComponentRef {
            kind: ComponentKind::Sink,
            cluster: "c".into(),
            tenant: "t".into(),
            namespace: "n".into(),
            name: "x".into(),
        };
        let level = FeatureLevel { tls_config: target.0, auth_config: target.1 };
        match resolve(&settings, &caller, &component, &existing, level) {
            Ok(out) => {
                assert_not_leaked(token, &format!("{out:?}"));
                assert_not_leaked(token, &serde_json::to_string(&out).unwrap());
            }
            Err(e) => {
                assert_not_leaked(token, &e.to_string());
                assert_not_leaked(token, &format!("{e:?}"));
            }
        }
        assert_not_leaked(token, &format!("{caller:?}"));
    }
}
