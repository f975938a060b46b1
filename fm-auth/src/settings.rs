//! Inputs of [`crate::resolve`]: the worker's auth/TLS settings, the caller, the component
//! and what the target Function Mesh version supports.

use crate::error::AuthError;
use crate::json;
use fm_model::{ComponentKind, Sensitive};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Default `oauth2SecretAnnotationKey`.
pub const DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY: &str =
    "cloud.streamnative.io/service-account.email";

/// The subset of the Pulsar worker config (`functions_worker.yml` and its
/// `functionsWorkerServiceCustomConfigs`) that decides auth and TLS for generated resources.
///
/// `Debug` redacts `broker_client_authentication_parameters`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthSettings {
    /// `authenticationEnabled` [false].
    pub authentication_enabled: bool,
    /// `brokerClientAuthenticationPlugin`.
    pub broker_client_authentication_plugin: Option<String>,
    /// `brokerClientAuthenticationParameters` (secret).
    pub broker_client_authentication_parameters: Option<Sensitive>,
    /// `functionsWorkerServiceCustomConfigs.usingInsecureAuth` [true].
    pub using_insecure_auth: bool,
    /// `functionsWorkerServiceCustomConfigs.oauth2SecretName`.
    pub oauth2_secret_name: Option<String>,
    /// `functionsWorkerServiceCustomConfigs.oauth2SecretAnnotationKey`
    /// (default `cloud.streamnative.io/service-account.email`).
    pub oauth2_secret_annotation_key: String,
    /// `tlsEnabled` [false].
    pub tls_enabled: bool,
    /// `brokerClientTrustCertsFilePath`: the CA the *client* trusts (used for TLS, not the
    /// worker's own `tlsCertificateFilePath`).
    pub broker_client_trust_certs_file_path: Option<String>,
    /// PEM content of that CA file, when the caller read it. Needed for `tlsConfig`, whose
    /// certificate must come from a Secret; see [`crate::resolve`].
    pub broker_client_trust_certs_pem: Option<String>,
    /// `tlsAllowInsecureConnection` [false].
    pub tls_allow_insecure_connection: bool,
    /// `tlsEnableHostnameVerification` [false].
    pub tls_enable_hostname_verification: bool,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            authentication_enabled: false,
            broker_client_authentication_plugin: None,
            broker_client_authentication_parameters: None,
            using_insecure_auth: true,
            oauth2_secret_name: None,
            oauth2_secret_annotation_key: DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY.to_string(),
            tls_enabled: false,
            broker_client_trust_certs_file_path: None,
            broker_client_trust_certs_pem: None,
            tls_allow_insecure_connection: false,
            tls_enable_hostname_verification: false,
        }
    }
}

impl AuthSettings {
    /// Reads the settings from a parsed `functions_worker.yml` (YAML or JSON as a value).
    ///
    /// Unknown keys are ignored (the worker config has many more); the fields read must
    /// have the right types (booleans may be `"true"`/`"false"` strings, as Pulsar's loader
    /// accepts). Empty strings count as unset. `broker_client_trust_certs_pem` is never in
    /// the file: set it afterwards if the caller can read the CA file.
    pub fn from_worker_config(value: &Value) -> Result<Self, AuthError> {
        let map = json::object(value, "<worker config>")?;
        let d = Self::default();
        let s = |key: &str| -> Result<Option<String>, AuthError> {
            Ok(json::opt_str(map, key, "")?
                .filter(|s| !s.is_empty())
                .map(str::to_string))
        };
        let b = |key: &str, default: bool| -> Result<bool, AuthError> {
            Ok(json::opt_bool(map, key, "")?.unwrap_or(default))
        };
        let custom_path = "functionsWorkerServiceCustomConfigs";
        let empty = serde_json::Map::new();
        let custom = match map.get(custom_path) {
            None | Some(Value::Null) => &empty,
            Some(v) => json::object(v, custom_path)?,
        };
        let cs = |key: &str| -> Result<Option<String>, AuthError> {
            Ok(json::opt_str(custom, key, custom_path)?
                .filter(|s| !s.is_empty())
                .map(str::to_string))
        };
        Ok(Self {
            authentication_enabled: b("authenticationEnabled", d.authentication_enabled)?,
            broker_client_authentication_plugin: s("brokerClientAuthenticationPlugin")?,
            broker_client_authentication_parameters: s("brokerClientAuthenticationParameters")?
                .map(Sensitive::new),
            using_insecure_auth: json::opt_bool(custom, "usingInsecureAuth", custom_path)?
                .unwrap_or(d.using_insecure_auth),
            oauth2_secret_name: cs("oauth2SecretName")?,
            oauth2_secret_annotation_key: cs("oauth2SecretAnnotationKey")?
                .unwrap_or(d.oauth2_secret_annotation_key),
            tls_enabled: b("tlsEnabled", d.tls_enabled)?,
            broker_client_trust_certs_file_path: s("brokerClientTrustCertsFilePath")?,
            broker_client_trust_certs_pem: None,
            tls_allow_insecure_connection: b(
                "tlsAllowInsecureConnection",
                d.tls_allow_insecure_connection,
            )?,
            tls_enable_hostname_verification: b(
                "tlsEnableHostnameVerification",
                d.tls_enable_hostname_verification,
            )?,
        })
    }
}

/// Who made the request: the authenticated role and the raw `Authorization` header value.
///
/// `Debug` redacts the header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    /// The authenticated role (e.g. `alice@example.org`).
    pub role: Option<String>,
    /// The `Authorization` header value (`Bearer <token>`), secret.
    pub authorization: Option<Sensitive>,
}

impl Caller {
    /// True when the request carried any authentication data (role or header); auth is
    /// only applied then, as in the Java worker.
    pub fn is_authenticated(&self) -> bool {
        self.role.is_some() || self.authorization.is_some()
    }
}

/// The Pulsar component a resource is generated for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentRef {
    /// Resource kind.
    pub kind: ComponentKind,
    /// Pulsar cluster (`spec.clusterName`).
    pub cluster: String,
    /// Pulsar tenant.
    pub tenant: String,
    /// Pulsar namespace.
    pub namespace: String,
    /// Component name (original, unsanitised).
    pub name: String,
}

impl ComponentRef {
    /// `<kind>-<type>-<sha256hex("<cluster>-<tenant>-<namespace>-<name>")>`, the name of
    /// the generated auth (`type` = `auth`) or TLS (`tls`) Secret.
    pub fn secret_name(&self, type_: &str) -> String {
        let digest = Sha256::digest(
            format!(
                "{}-{}-{}-{}",
                self.cluster, self.tenant, self.namespace, self.name
            )
            .as_bytes(),
        );
        format!("{}-{}-{}", self.kind.lower(), type_, hex::encode(digest))
    }
}

/// What the target Function Mesh CRDs can express.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FeatureLevel {
    /// `spec.pulsar.tlsConfig` (Function Mesh ≥ v0.4.0).
    pub tls_config: bool,
    /// Object `spec.pulsar.authConfig` with `oauth2Config` (Function Mesh ≥ v0.6.0).
    pub auth_config: bool,
}

impl FeatureLevel {
    /// Everything (current Function Mesh).
    pub const NEWEST: Self = Self {
        tls_config: true,
        auth_config: true,
    };
    /// Only `authSecret` / `tlsSecret` (Function Mesh v0.1.5 – v0.3.x).
    pub const SECRETS_ONLY: Self = Self {
        tls_config: false,
        auth_config: false,
    };

    /// The features of a Function Mesh release `v<major>.<minor>.<patch>`.
    pub fn for_function_mesh(major: u64, minor: u64, patch: u64) -> Self {
        let v = (major, minor, patch);
        Self {
            tls_config: v >= (0, 4, 0),
            auth_config: v >= (0, 6, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_name_is_sha256_of_the_component() {
        let c = ComponentRef {
            kind: ComponentKind::Sink,
            cluster: "test-pulsar".into(),
            tenant: "public".into(),
            namespace: "default".into(),
            name: "word-count".into(),
        };
        let expected = hex::encode(Sha256::digest(b"test-pulsar-public-default-word-count"));
        assert_eq!(c.secret_name("auth"), format!("sink-auth-{expected}"));
        assert_eq!(c.secret_name("tls").len(), "sink-tls-".len() + 64);
    }

    #[test]
    fn feature_levels() {
        assert_eq!(
            FeatureLevel::for_function_mesh(0, 3, 9),
            FeatureLevel::SECRETS_ONLY
        );
        assert_eq!(
            FeatureLevel::for_function_mesh(0, 5, 0),
            FeatureLevel {
                tls_config: true,
                auth_config: false
            }
        );
        assert_eq!(
            FeatureLevel::for_function_mesh(0, 6, 0),
            FeatureLevel::NEWEST
        );
        assert_eq!(
            FeatureLevel::for_function_mesh(1, 0, 0),
            FeatureLevel::NEWEST
        );
    }

    #[test]
    fn settings_from_worker_config() {
        let s = AuthSettings::from_worker_config(&json!({
            "authenticationEnabled": "true",
            "brokerClientAuthenticationPlugin": "p",
            "brokerClientAuthenticationParameters": "CANARY-params",
            "tlsEnabled": true,
            "tlsCertificateFilePath": "/server.crt",
            "brokerClientTrustCertsFilePath": "/ca.crt",
            "functionsWorkerServiceCustomConfigs": {"usingInsecureAuth": false, "oauth2SecretName": ""}
        }))
        .unwrap();
        assert!(s.authentication_enabled && s.tls_enabled && !s.using_insecure_auth);
        assert_eq!(s.oauth2_secret_name, None);
        assert_eq!(
            s.oauth2_secret_annotation_key,
            DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY
        );
        assert_eq!(
            s.broker_client_trust_certs_file_path.as_deref(),
            Some("/ca.crt")
        );
        assert!(!format!("{s:?}").contains("CANARY"));
        let d = AuthSettings::from_worker_config(&json!({})).unwrap();
        assert_eq!(d, AuthSettings::default());
        assert!(d.using_insecure_auth);
        let e = AuthSettings::from_worker_config(&json!({"tlsEnabled": 1})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tlsEnabled: expected a boolean, found a number"
        );
        let e = AuthSettings::from_worker_config(
            &json!({"functionsWorkerServiceCustomConfigs": {"usingInsecureAuth": "no"}}),
        )
        .unwrap_err();
        assert!(
            matches!(e, AuthError::WrongType { ref path, .. } if path == "functionsWorkerServiceCustomConfigs.usingInsecureAuth")
        );
        assert!(AuthSettings::from_worker_config(
            &json!({"functionsWorkerServiceCustomConfigs": 3})
        )
        .is_err());
        assert!(AuthSettings::from_worker_config(&json!([])).is_err());
    }

    #[test]
    fn caller_presence() {
        assert!(!Caller::default().is_authenticated());
        assert!(Caller {
            role: Some(String::new()),
            authorization: None
        }
        .is_authenticated());
    }
}
