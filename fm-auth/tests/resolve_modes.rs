//! Every auth/TLS mode of `fm_auth::resolve`: snapshots of the resulting Secrets and
//! resource fields, the deliberate Java-bug fixes, every error, and canary checks.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use fm_auth::{
    resolve, AuthError, AuthMode, AuthOutcome, AuthSettings, Caller, ComponentKind, FeatureLevel,
    Sensitive, TlsMode, OAUTH2_PLUGIN, TOKEN_PLUGIN,
};
use k8s_openapi::api::core::v1::Secret;
use serde_json::{json, Value};

const FM_0_3: FeatureLevel = FeatureLevel::SECRETS_ONLY;
const FM_0_5: FeatureLevel = FeatureLevel {
    tls_config: true,
    auth_config: false,
};
const NEWEST: FeatureLevel = FeatureLevel::NEWEST;

fn alice() -> Caller {
    Caller {
        role: Some("alice@example.org".into()),
        authorization: Some(Sensitive::new(format!("Bearer {CALLER_TOKEN}"))),
    }
}

fn run(
    settings: &AuthSettings,
    caller: &Caller,
    kind: ComponentKind,
    secrets: &[Secret],
    target: FeatureLevel,
) -> AuthOutcome {
    let out = resolve(settings, caller, &component(kind), secrets, target).unwrap();
    // The redacting renderings never carry a canary, whatever the mode.
    assert_clean("Debug", &format!("{out:?}"));
    assert_clean("Serialize", &serde_json::to_string(&out).unwrap());
    out
}

fn run_err(
    settings: &AuthSettings,
    caller: &Caller,
    secrets: &[Secret],
    target: FeatureLevel,
) -> AuthError {
    let err = resolve(
        settings,
        caller,
        &component(ComponentKind::Function),
        secrets,
        target,
    )
    .unwrap_err();
    assert_clean("Display", &err.to_string());
    assert_clean("Debug", &format!("{err:?}"));
    err
}

/// The full outcome (Secrets unredacted, canaries labelled) for snapshots.
fn full_view(out: &AuthOutcome) -> String {
    let v = json!({
        "mode": out.mode,
        "tlsMode": out.tls_mode,
        "secrets": out.secrets,
        "resource": {
            "spec.pulsar.authSecret": out.auth_secret,
            "spec.pulsar.authConfig": out.auth_config,
            "spec.pulsar.tlsSecret": out.tls_secret,
            "spec.pulsar.tlsConfig": out.tls_config,
            "spec.pod.volumes (appended)": out.volumes,
            "spec.volumeMounts (appended)": out.volume_mounts,
        }
    });
    label_canaries(&serde_yaml_ng::to_string(&v).unwrap())
}

fn secret_data<'a>(
    out: &'a AuthOutcome,
    name: &str,
) -> &'a std::collections::BTreeMap<String, String> {
    out.secrets
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(name))
        .and_then(|s| s.string_data.as_ref())
        .unwrap()
}

// ---- no auth ----

#[test]
fn nothing_when_authentication_disabled_or_no_caller() {
    let mut s = settings("worker-insecure-token.yml");
    s.authentication_enabled = false;
    let out = run(&s, &alice(), ComponentKind::Function, &[], NEWEST);
    assert_eq!(out, AuthOutcome::default());
    let s = settings("worker-insecure-token.yml");
    let out = run(&s, &Caller::default(), ComponentKind::Function, &[], NEWEST);
    assert_eq!(out, AuthOutcome::default());
    // Insecure mode without worker credentials sets nothing either.
    let s = AuthSettings {
        authentication_enabled: true,
        ..AuthSettings::default()
    };
    assert_eq!(
        run(&s, &alice(), ComponentKind::Sink, &[], NEWEST),
        AuthOutcome::default()
    );
}

// ---- insecure ----

#[test]
fn insecure_copies_worker_credentials_verbatim() {
    let out = run(
        &settings("worker-insecure-token.yml"),
        &alice(),
        ComponentKind::Function,
        &[],
        NEWEST,
    );
    assert_eq!(out.mode, AuthMode::InsecureSecret);
    let name = out.auth_secret.clone().unwrap();
    assert_eq!(
        secret_data(&out, &name)["clientAuthenticationParameters"],
        format!("token:{WORKER_TOKEN}")
    );
    insta::assert_snapshot!("insecure_token", full_view(&out));
}

#[test]
fn insecure_oauth2_reserialised_for_python() {
    let out = run(
        &settings("worker-insecure-oauth2.yml"),
        &alice(),
        ComponentKind::Function,
        &[],
        NEWEST,
    );
    assert_eq!(out.mode, AuthMode::InsecureOAuth2Secret);
    let name = out.auth_secret.clone().unwrap();
    let params: Value =
        serde_json::from_str(&secret_data(&out, &name)["clientAuthenticationParameters"]).unwrap();
    assert_eq!(params["private_key"], "/mnt/secrets/auth.json");
    assert_eq!(params["issuer_url"], "https://auth.example.org/");
    insta::assert_snapshot!("insecure_oauth2_secret", full_view(&out));
}

#[test]
fn insecure_oauth2_non_json_params_fall_back_verbatim() {
    let mut s = settings("worker-insecure-oauth2.yml");
    s.broker_client_authentication_parameters = Some(Sensitive::new(
        "issuerUrl:https://auth.example.org/,privateKey:file:///k.json",
    ));
    let out = run(&s, &alice(), ComponentKind::Function, &[], NEWEST);
    assert_eq!(out.mode, AuthMode::InsecureSecret);
    assert_eq!(
        secret_data(&out, out.auth_secret.as_deref().unwrap())["clientAuthenticationParameters"],
        "issuerUrl:https://auth.example.org/,privateKey:file:///k.json"
    );
}

#[test]
fn insecure_oauth2_secret_name_gives_auth_config() {
    let s = settings("worker-insecure-oauth2-secret-name.yml");
    let out = run(&s, &alice(), ComponentKind::Function, &[], NEWEST);
    assert_eq!(out.mode, AuthMode::InsecureOAuth2Config);
    assert!(out.secrets.is_empty() && out.auth_secret.is_none());
    insta::assert_snapshot!("insecure_oauth2_config", full_view(&out));
}

/// Fix of Java bug §5.10: sinks and sources got `keySecretKey: auth.json` regardless of
/// the private key's file name.
#[test]
fn insecure_oauth2_key_secret_key_is_the_file_name_for_every_kind() {
    let s = settings("worker-insecure-oauth2-secret-name.yml");
    for kind in [
        ComponentKind::Function,
        ComponentKind::Sink,
        ComponentKind::Source,
    ] {
        let out = run(&s, &alice(), kind, &[], NEWEST);
        let cfg = out.auth_config.unwrap().oauth2_config.unwrap();
        assert_eq!(cfg.key_secret_key, "super-user.json", "{kind:?}");
        assert_eq!(cfg.key_secret_name, "pulsar-super-user-oauth2");
        assert_eq!(cfg.scope.as_deref(), Some("api://pulsar/.default"));
    }
}

#[test]
fn insecure_oauth2_secret_name_before_v0_6_uses_the_auth_secret() {
    let s = settings("worker-insecure-oauth2-secret-name.yml");
    let out = run(&s, &alice(), ComponentKind::Sink, &[], FM_0_5);
    assert_eq!(out.mode, AuthMode::InsecureOAuth2Secret);
    assert!(out.auth_config.is_none());
    assert!(out
        .auth_secret
        .as_deref()
        .unwrap()
        .starts_with("sink-auth-"));
}

#[test]
fn insecure_oauth2_invalid_json_params_are_an_error() {
    let mut s = settings("worker-insecure-oauth2.yml");
    s.broker_client_authentication_parameters = Some(Sensitive::new(format!(
        r#"{{"privateKey":"file:///k.json","secret":"{CLIENT_SECRET}"}}"#
    )));
    let err = run_err(&s, &alice(), &[], NEWEST);
    assert_eq!(
        err.to_string(),
        "Failed to parse oauth2 parameters: brokerClientAuthenticationParameters.issuerUrl: missing required field (a non-empty string)"
    );
    s.broker_client_authentication_parameters = Some(Sensitive::new(format!(
        r#"{{"issuerUrl":"https://a/","privateKey":"{CLIENT_SECRET}"}}"#
    )));
    assert!(matches!(
        run_err(&s, &alice(), &[], NEWEST),
        AuthError::WorkerOAuth2Params { .. }
    ));
}

// ---- per-user OAuth2 (annotation) ----

#[test]
fn per_user_oauth2_points_at_the_annotated_secret() {
    let s = settings("worker-per-user-oauth2.yml");
    let out = run(
        &s,
        &alice(),
        ComponentKind::Function,
        &secrets("secrets-list.yaml"),
        NEWEST,
    );
    assert_eq!(out.mode, AuthMode::PerUserOAuth2);
    let cfg = out.auth_config.clone().unwrap().oauth2_config.unwrap();
    assert_eq!(cfg.key_secret_name, "alice-oauth2-key");
    assert_eq!(cfg.key_secret_key, "auth.json");
    assert_eq!(cfg.audience, "urn:sn:pulsar:example:cluster");
    insta::assert_snapshot!("per_user_oauth2", full_view(&out));
}

#[test]
fn per_user_oauth2_custom_annotation_key() {
    let mut s = settings("worker-per-user-oauth2.yml");
    s.oauth2_secret_annotation_key = "login.microsoft.com/service-account.name".into();
    let mut secret = secrets("secrets-list.yaml").remove(1);
    secret.metadata.annotations = Some(
        [(
            "login.microsoft.com/service-account.name".to_string(),
            "alice@example.org".to_string(),
        )]
        .into(),
    );
    secret.metadata.name = Some("azure-alice".into());
    let out = run(&s, &alice(), ComponentKind::Source, &[secret], NEWEST);
    assert_eq!(
        out.auth_config
            .unwrap()
            .oauth2_config
            .unwrap()
            .key_secret_name,
        "azure-alice"
    );
}

#[test]
fn per_user_oauth2_errors() {
    let s = settings("worker-per-user-oauth2.yml");
    let list = secrets("secrets-list.yaml");
    // No role.
    let no_role = Caller {
        role: None,
        authorization: Some(Sensitive::new(CALLER_TOKEN)),
    };
    assert_eq!(run_err(&s, &no_role, &list, NEWEST), AuthError::EmptyRole);
    let blank = Caller {
        role: Some("  ".into()),
        authorization: None,
    };
    assert_eq!(
        run_err(&s, &blank, &list, NEWEST).to_string(),
        "Client role is empty"
    );
    // No Secret for the role.
    let dave = Caller {
        role: Some("dave@example.org".into()),
        authorization: None,
    };
    assert_eq!(
        run_err(&s, &dave, &list, NEWEST).to_string(),
        "Failed to get oauth2 private key secret: no Secret has annotation `cloud.streamnative.io/service-account.email` equal to the caller's role `dave@example.org`"
    );
    // The annotated Secret has no auth.json (only an inline-key parameters entry).
    let mut carol = secrets("secret-data-url-base64.yaml");
    carol[0].metadata.annotations = Some(
        [(
            s.oauth2_secret_annotation_key.clone(),
            "alice@example.org".into(),
        )]
        .into(),
    );
    assert!(matches!(
        run_err(&s, &alice(), &carol, NEWEST),
        AuthError::MissingKey { ref key, ref secret, .. } if key == "auth.json" && secret == "carol"
    ));
    // The annotated Secret's auth.json is not JSON.
    let mut bad = list.clone();
    bad[1].string_data = Some(
        [(
            "auth.json".to_string(),
            format!("client_secret={CLIENT_SECRET}"),
        )]
        .into(),
    );
    assert!(matches!(
        run_err(&s, &alice(), &bad, NEWEST),
        AuthError::NotJson { ref path, .. } if path == "stringData[\"auth.json\"]"
    ));
    // The annotated Secret has no name.
    let mut unnamed = list.clone();
    unnamed[1].metadata.name = None;
    assert!(matches!(
        run_err(&s, &alice(), &unnamed, NEWEST),
        AuthError::MissingField { ref path, .. } if path == "metadata.name"
    ));
    // The worker's own parameters: absent, not JSON, no audience.
    let mut w = s.clone();
    w.broker_client_authentication_parameters = None;
    assert_eq!(
        run_err(&w, &alice(), &list, NEWEST).to_string(),
        "Failed to parse oauth2 parameters: brokerClientAuthenticationParameters: missing required field (the worker's OAuth2 parameters as JSON)"
    );
    w.broker_client_authentication_parameters = Some(Sensitive::new(CLIENT_SECRET));
    assert!(run_err(&w, &alice(), &list, NEWEST)
        .to_string()
        .starts_with(
        "Failed to parse oauth2 parameters: brokerClientAuthenticationParameters: not valid JSON"
    ));
    w.broker_client_authentication_parameters = Some(Sensitive::new(
        r#"{"issuerUrl":"https://auth.example.org/","privateKey":"file:///k.json"}"#,
    ));
    assert!(matches!(
        run_err(&w, &alice(), &list, NEWEST),
        AuthError::WorkerOAuth2Params { ref source } if matches!(**source, AuthError::MissingField { ref path, .. } if path == "brokerClientAuthenticationParameters.audience")
    ));
}

// ---- older per-user scheme (Secret named after the role) ----

#[test]
fn per_user_legacy_mounts_the_key_file() {
    let s = settings("worker-per-user-oauth2.yml");
    let out = run(
        &s,
        &alice(),
        ComponentKind::Function,
        &secrets("secret-seed-stringdata.yaml"),
        FM_0_5,
    );
    assert_eq!(out.mode, AuthMode::PerUserOAuth2Legacy);
    assert_eq!(out.volumes.len(), 1);
    assert_eq!(
        out.volume_mounts[0].mount_path,
        "/mnt/secrets/auth.json".to_string()
    );
    insta::assert_snapshot!("per_user_oauth2_legacy", full_view(&out));
}

#[test]
fn per_user_legacy_inline_key_needs_no_volume() {
    let s = settings("worker-per-user-oauth2.yml");
    let carol = Caller {
        role: Some("api://carol@example.net".into()),
        authorization: None,
    };
    let out = run(
        &s,
        &carol,
        ComponentKind::Sink,
        &secrets("secret-data-url-base64.yaml"),
        FM_0_3,
    );
    assert_eq!(out.mode, AuthMode::PerUserOAuth2Legacy);
    assert!(out.volumes.is_empty() && out.volume_mounts.is_empty());
    let params: Value = serde_json::from_str(
        &secret_data(&out, out.auth_secret.as_deref().unwrap())["clientAuthenticationParameters"],
    )
    .unwrap();
    assert!(params["private_key"]
        .as_str()
        .unwrap()
        .starts_with("data:application/json;base64,"));
}

#[test]
fn per_user_legacy_errors() {
    let s = settings("worker-per-user-oauth2.yml");
    let dave = Caller {
        role: Some("dave@example.org".into()),
        authorization: None,
    };
    assert_eq!(
        run_err(&s, &dave, &secrets("secret-seed-stringdata.yaml"), FM_0_5).to_string(),
        "Failed to get secret dave: no Secret named `dave` (derived from the caller's role `dave@example.org`: text before the first `@`, a leading `api://` removed)"
    );
    let at = Caller {
        role: Some("@example.org".into()),
        authorization: None,
    };
    assert!(matches!(
        run_err(&s, &at, &secrets("secret-seed-stringdata.yaml"), FM_0_5),
        AuthError::NoSecretNamed { ref name, .. } if name.is_empty()
    ));
    // A key-file-only Secret named after the role lacks the parameters.
    let mut key_only = secrets("secrets-list.yaml").remove(1);
    key_only.metadata.name = Some("alice".into());
    assert!(matches!(
        run_err(&s, &alice(), &[key_only], FM_0_5),
        AuthError::MissingKey { ref key, .. } if key == "clientAuthenticationParameters"
    ));
}

// ---- token pass-through ----

#[test]
fn token_pass_through() {
    let s = settings("worker-per-user-token.yml");
    let out = run(&s, &alice(), ComponentKind::Source, &[], FM_0_3);
    assert_eq!(out.mode, AuthMode::Token);
    let data = secret_data(&out, out.auth_secret.as_deref().unwrap());
    assert_eq!(data["clientAuthenticationParameters"], CALLER_TOKEN);
    assert_eq!(data["clientAuthenticationPlugin"], TOKEN_PLUGIN);
    insta::assert_snapshot!("token_pass_through", full_view(&out));
}

#[test]
fn token_errors() {
    let s = settings("worker-per-user-token.yml");
    for header in ["Bearer", "Bearer    ", ""] {
        let c = Caller {
            role: Some("alice".into()),
            authorization: Some(Sensitive::new(header)),
        };
        assert_eq!(
            run_err(&s, &c, &[], NEWEST).to_string(),
            "Failed to get token from Authorization header: the bearer token is empty"
        );
    }
    let no_header = Caller {
        role: Some("alice".into()),
        authorization: None,
    };
    assert_eq!(
        run_err(&s, &no_header, &[], NEWEST),
        AuthError::EmptyToken {
            reason: "the request has no Authorization header"
        }
    );
}

#[test]
fn unknown_plugin_has_no_handler() {
    let mut s = settings("worker-per-user-token.yml");
    s.broker_client_authentication_plugin =
        Some("org.apache.pulsar.client.impl.auth.AuthenticationTls".into());
    assert_eq!(
        run_err(&s, &alice(), &[], NEWEST),
        AuthError::NoHandler {
            plugin: "org.apache.pulsar.client.impl.auth.AuthenticationTls".into()
        }
    );
    s.broker_client_authentication_plugin = None;
    assert!(run_err(&s, &alice(), &[], NEWEST)
        .to_string()
        .starts_with("No handler for given auth plugin:  (per-user auth supports"));
}

// ---- TLS ----

/// Fix of Java bug §5.11: the trust path is the client's `brokerClientTrustCertsFilePath`,
/// not the worker's server certificate `tlsCertificateFilePath`.
#[test]
fn tls_secret_uses_the_client_trust_path() {
    let s = settings("worker-tls.yml");
    let out = run(&s, &Caller::default(), ComponentKind::Function, &[], FM_0_3);
    assert_eq!(out.tls_mode, TlsMode::Secret);
    let data = secret_data(&out, out.tls_secret.as_deref().unwrap());
    assert_eq!(data["tlsTrustCertsFilePath"], "/pulsar/certs/ca.cert.pem");
    assert!(!full_view(&out).contains("worker.cert.pem"));
    insta::assert_snapshot!("tls_secret", full_view(&out));
}

#[test]
fn tls_config_with_the_ca_from_the_client_trust_setting() {
    let mut s = settings("worker-tls.yml");
    s.broker_client_trust_certs_pem =
        Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".into());
    let out = run(&s, &Caller::default(), ComponentKind::Sink, &[], FM_0_5);
    assert_eq!(out.tls_mode, TlsMode::Config);
    let cfg = out.tls_config.clone().unwrap();
    assert_eq!(cfg.cert_secret_key.as_deref(), Some("ca.cert.pem"));
    assert_eq!(cfg.cert_secret_name, out.secrets[0].metadata.name);
    insta::assert_snapshot!("tls_config_with_ca", full_view(&out));
}

#[test]
fn tls_config_without_trust_path_and_path_without_content() {
    let mut s = settings("worker-tls.yml");
    s.broker_client_trust_certs_file_path = None;
    let out = run(&s, &Caller::default(), ComponentKind::Source, &[], NEWEST);
    assert_eq!(out.tls_mode, TlsMode::Config);
    assert!(out.secrets.is_empty());
    assert_eq!(
        serde_json::to_value(out.tls_config.unwrap()).unwrap(),
        json!({"enabled": true, "allowInsecure": false, "hostnameVerification": true})
    );
    // A trust path whose content the caller did not read: tlsConfig cannot name a file in
    // the image, so the env-var Secret carries the path.
    let s = settings("worker-tls.yml");
    let out = run(&s, &Caller::default(), ComponentKind::Source, &[], NEWEST);
    assert_eq!(out.tls_mode, TlsMode::Secret);
}

#[test]
fn per_user_oauth2_and_tls_together() {
    let mut s = settings("worker-per-user-oauth2.yml");
    let tls = settings("worker-tls.yml");
    s.tls_enabled = true;
    s.broker_client_trust_certs_file_path = tls.broker_client_trust_certs_file_path;
    s.tls_enable_hostname_verification = true;
    s.broker_client_trust_certs_pem = Some("PEM".into());
    let out = run(
        &s,
        &alice(),
        ComponentKind::Function,
        &secrets("secrets-list.yaml"),
        NEWEST,
    );
    assert_eq!(
        (out.mode, out.tls_mode),
        (AuthMode::PerUserOAuth2, TlsMode::Config)
    );
    insta::assert_snapshot!("per_user_oauth2_with_tls", full_view(&out));
}

// ---- canaries ----

#[test]
fn canaries_only_in_the_generated_secret_values() {
    let cases: Vec<(AuthSettings, FeatureLevel, Vec<Secret>)> = vec![
        (settings("worker-insecure-token.yml"), NEWEST, vec![]),
        (settings("worker-per-user-token.yml"), NEWEST, vec![]),
        (
            settings("worker-per-user-oauth2.yml"),
            NEWEST,
            secrets("secrets-list.yaml"),
        ),
        (
            settings("worker-per-user-oauth2.yml"),
            FM_0_5,
            secrets("secret-seed-stringdata.yaml"),
        ),
    ];
    for (s, target, existing) in cases {
        assert_clean("settings Debug", &format!("{s:?}"));
        assert_clean("caller Debug", &format!("{:?}", alice()));
        let out = run(&s, &alice(), ComponentKind::Function, &existing, target);
        assert_clean("redacted secrets", &format!("{:?}", out.redacted_secrets()));
        // The per-user OAuth2 outcome never copies the user's client secret anywhere.
        if out.mode == AuthMode::PerUserOAuth2 || out.mode == AuthMode::PerUserOAuth2Legacy {
            assert_clean("outcome", &full_view(&out));
            assert!(!serde_json::to_string(&out.secrets)
                .unwrap()
                .contains(CLIENT_SECRET));
        }
    }
    assert_eq!(
        OAUTH2_PLUGIN,
        settings("worker-per-user-oauth2.yml")
            .broker_client_authentication_plugin
            .unwrap()
    );
}
