//! Every name fmesh produces — resource names, auth/TLS Secret names, label values — is valid
//! for Kubernetes, or the config is rejected with a validation error. Conversions run with a
//! worker config that enables authentication and TLS, so Secrets are generated.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::naming::MAX_RESOURCE_NAME_LEN;
use fm_convert::parse::{parse_as, Format};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::ConvertError;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use support::{
    function_to_resource, sink_to_resource, source_to_resource, Ctx as ConversionContext,
};

/// Kubernetes' `IsDNS1123Subdomain`: at most 253 characters, dot-separated parts of lowercase
/// letters, digits and `-`, each starting and ending with a letter or digit (the parts have no
/// length limit of their own).
fn is_dns1123_part(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_part)
}

fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric()))
}

fn check_meta(meta: &ObjectMeta, max_len: usize) -> Result<(), TestCaseError> {
    let name = meta.name.as_deref().unwrap_or_default();
    prop_assert!(
        is_dns1123_subdomain(name) && name.len() <= max_len,
        "name `{name}`"
    );
    if max_len <= 63 {
        // Resource names are also DNS-1123 labels (the operator derives Services from them).
        prop_assert!(!name.contains('.'), "name `{name}`");
    }
    for (k, v) in meta.labels.iter().flatten() {
        prop_assert!(is_label_value(v), "label {k}=`{v}`");
    }
    Ok(())
}

fn check_secrets(secrets: &[Secret]) -> Result<(), TestCaseError> {
    for s in secrets {
        check_meta(&s.metadata, 253)?;
    }
    Ok(())
}

fn contexts(cluster: &str) -> Vec<ConversionContext> {
    let worker = |extra: &str| {
        parse_as(
            &format!(
                "authenticationEnabled: true\nbrokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\nbrokerClientAuthenticationParameters: token:abc\ntlsEnabled: true\nbrokerClientTrustCertsFilePath: /pulsar/certs/ca.cert.pem\n{extra}"
            ),
            Format::Yaml,
        )
        .unwrap()
    };
    let caller = fm_auth::Caller {
        role: Some("admin".into()),
        authorization: None,
    };
    vec![
        ConversionContext {
            worker: worker(""),
            cluster: Some(cluster.into()),
            caller: caller.clone(),
            ..Default::default()
        },
        ConversionContext {
            worker: worker("functionsWorkerServiceCustomConfigs:\n  usingInsecureAuth: false\n"),
            cluster: Some(cluster.into()),
            caller: fm_auth::Caller {
                role: Some("admin".into()),
                authorization: Some(fm_auth::Sensitive::new("Bearer t".to_string())),
            },
            ..Default::default()
        },
    ]
}

fn valid_or_rejected<R>(
    r: Result<fm_convert::Converted<R>, ConvertError>,
    meta: impl Fn(&R) -> &ObjectMeta,
) -> Result<(), TestCaseError> {
    match r {
        Ok(c) => {
            check_meta(meta(&c.resource), MAX_RESOURCE_NAME_LEN)?;
            check_secrets(&c.secrets)
        }
        Err(ConvertError::Invalid(_)) => Ok(()),
        Err(e @ (ConvertError::Auth(_) | ConvertError::Target(_))) => {
            Err(TestCaseError::fail(format!("unexpected error: {e}")))
        }
    }
}

fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,40}",
        "[A-Za-z0-9._-]{1,70}",
        "[a-z]{1,5}[.][a-z]{1,5}",
        "\\PC{1,12}",
        Just("-".to_string()),
        Just("a".repeat(43)),
        Just("é".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn resource_secret_names_and_label_values_are_valid_or_rejected(
        name in any_name(), tenant in any_name(), namespace in any_name(),
        cluster in prop_oneof!["[a-z][a-z0-9-]{0,20}", "[A-Za-z0-9._-]{1,70}", "\\PC{1,8}"],
    ) {
        for ctx in contexts(&cluster) {
            let f = FunctionConfig {
                tenant: Some(tenant.clone()), namespace: Some(namespace.clone()), name: Some(name.clone()),
                class_name: Some("C".into()), inputs: Some(vec!["persistent://public/default/in".into()]),
                jar: Some("function://public/default/f@1".into()),
                ..Default::default()
            };
            valid_or_rejected(function_to_resource(&f, &ctx), |r| &r.metadata)?;
            let s = SinkConfig {
                tenant: Some(tenant.clone()), namespace: Some(namespace.clone()), name: Some(name.clone()),
                class_name: Some("C".into()), inputs: Some(vec!["persistent://public/default/in".into()]),
                archive: Some("/pulsar/connectors/s.nar".into()),
                ..Default::default()
            };
            valid_or_rejected(sink_to_resource(&s, &ctx), |r| &r.metadata)?;
            let o = SourceConfig {
                tenant: Some(tenant.clone()), namespace: Some(namespace.clone()), name: Some(name.clone()),
                class_name: Some("C".into()), topic_name: Some("persistent://public/default/out".into()),
                archive: Some("/pulsar/connectors/s.nar".into()),
                ..Default::default()
            };
            valid_or_rejected(source_to_resource(&o, &ctx), |r| &r.metadata)?;
        }
    }
}

#[test]
fn the_auth_contexts_do_generate_secrets() {
    for ctx in contexts("standalone") {
        let f: FunctionConfig = fm_convert::parse::parse(
            r#"{"name":"f","tenant":"public","namespace":"default","className":"C","inputs":["persistent://public/default/in"],"jar":"function://public/default/f@1"}"#,
        )
        .unwrap();
        let c = function_to_resource(&f, &ctx).unwrap();
        assert!(!c.secrets.is_empty(), "auth/TLS Secrets are generated");
    }
}
