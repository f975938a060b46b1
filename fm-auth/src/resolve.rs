//! [`resolve`]: which auth and TLS a generated Function Mesh resource gets.

use crate::error::AuthError;
use crate::json;
use crate::oauth2::{OAuth2Params, PrivateKey, OAUTH2_PLUGIN};
use crate::secret::{
    display_name, redacted_secret, OAuth2Secret, AUTH_JSON_KEY, CLIENT_AUTH_PARAMS_KEY,
    CLIENT_AUTH_PLUGIN_KEY,
};
use crate::settings::{AuthSettings, Caller, ComponentRef, FeatureLevel};
use fm_model::auth::{AuthConfig, OAuth2Config, PulsarTlsConfig};
use fm_model::Sensitive;
use k8s_openapi::api::core::v1::{KeyToPath, Secret, SecretVolumeSource, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Fully qualified name of Pulsar's token client authentication plugin.
pub const TOKEN_PLUGIN: &str = "org.apache.pulsar.client.impl.auth.AuthenticationToken";
/// Name of the volume (and mount) of the older per-user scheme.
pub const OAUTH_SECRET_VOLUME: &str = "oauth-secret";
/// Default trust-certificate key in a generated TLS Secret when the client trust path has
/// no file name.
pub const DEFAULT_CA_KEY: &str = "ca.crt";
const PARAMS_PATH: &str = "brokerClientAuthenticationParameters";

/// Which authentication scheme was applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// Nothing: authentication disabled, no authenticated caller, or insecure mode with
    /// no worker credentials.
    #[default]
    None,
    /// Insecure: the worker's plugin and parameters copied verbatim into the auth Secret.
    InsecureSecret,
    /// Insecure, OAuth2: the worker's parameters re-serialised (with `issuer_url` /
    /// `private_key` for the Python runtime) into the auth Secret.
    #[serde(rename = "insecure-oauth2-secret")]
    InsecureOAuth2Secret,
    /// Insecure, OAuth2, `oauth2SecretName` set: `authConfig.oauth2Config` on that Secret.
    #[serde(rename = "insecure-oauth2-config")]
    InsecureOAuth2Config,
    /// Per-user OAuth2: `authConfig.oauth2Config` on the Secret annotated with the role.
    #[serde(rename = "per-user-oauth2")]
    PerUserOAuth2,
    /// Older per-user OAuth2: Secret named after the role, auth Secret + `oauth-secret`
    /// volume.
    #[serde(rename = "per-user-oauth2-legacy")]
    PerUserOAuth2Legacy,
    /// The caller's bearer token in the auth Secret.
    Token,
}

/// How TLS was applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TlsMode {
    /// `tlsEnabled` is false.
    #[default]
    None,
    /// `spec.pulsar.tlsSecret` (env-var Secret with the trust-cert path).
    Secret,
    /// `spec.pulsar.tlsConfig` (optionally with a CA Secret).
    Config,
}

/// What to put on a generated resource. Apply it as:
///
/// * create every Secret in [`AuthOutcome::secrets`] in the job namespace (set
///   `metadata.namespace`; replace on conflict);
/// * `spec.pulsar.authSecret` = [`auth_secret`](Self::auth_secret),
///   `spec.pulsar.authConfig` = [`auth_config`](Self::auth_config),
///   `spec.pulsar.tlsSecret` = [`tls_secret`](Self::tls_secret),
///   `spec.pulsar.tlsConfig` = [`tls_config`](Self::tls_config) (each only when `Some`);
/// * append [`volumes`](Self::volumes) to `spec.pod.volumes` and
///   [`volume_mounts`](Self::volume_mounts) to `spec.volumeMounts`.
///
/// `Debug` and `Serialize` redact the Secrets' values.
#[derive(Clone, Default, PartialEq)]
pub struct AuthOutcome {
    /// The authentication scheme applied.
    pub mode: AuthMode,
    /// The TLS scheme applied.
    pub tls_mode: TlsMode,
    /// Secrets to create (`<kind>-auth-<sha256>`, `<kind>-tls-<sha256>`), values in
    /// `stringData`.
    pub secrets: Vec<Secret>,
    /// `spec.pulsar.authSecret`.
    pub auth_secret: Option<String>,
    /// `spec.pulsar.authConfig`.
    pub auth_config: Option<AuthConfig>,
    /// `spec.pulsar.tlsSecret`.
    pub tls_secret: Option<String>,
    /// `spec.pulsar.tlsConfig`.
    pub tls_config: Option<PulsarTlsConfig>,
    /// Extra pod volumes (`spec.pod.volumes`).
    pub volumes: Vec<Volume>,
    /// Extra container volume mounts (`spec.volumeMounts`).
    pub volume_mounts: Vec<VolumeMount>,
}

impl AuthOutcome {
    /// The Secrets with every value replaced by `<redacted>`, for printing.
    pub fn redacted_secrets(&self) -> Vec<Secret> {
        self.secrets.iter().map(redacted_secret).collect()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutcomeView<'a> {
    mode: AuthMode,
    tls_mode: TlsMode,
    secrets: Vec<Secret>,
    auth_secret: &'a Option<String>,
    auth_config: &'a Option<AuthConfig>,
    tls_secret: &'a Option<String>,
    tls_config: &'a Option<PulsarTlsConfig>,
    volumes: &'a [Volume],
    volume_mounts: &'a [VolumeMount],
}

impl AuthOutcome {
    fn view(&self) -> OutcomeView<'_> {
        OutcomeView {
            mode: self.mode,
            tls_mode: self.tls_mode,
            secrets: self.redacted_secrets(),
            auth_secret: &self.auth_secret,
            auth_config: &self.auth_config,
            tls_secret: &self.tls_secret,
            tls_config: &self.tls_config,
            volumes: &self.volumes,
            volume_mounts: &self.volume_mounts,
        }
    }
}

impl Serialize for AuthOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(serializer)
    }
}

impl fmt::Debug for AuthOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthOutcome")
            .field("mode", &self.mode)
            .field("tls_mode", &self.tls_mode)
            .field("secrets", &self.redacted_secrets())
            .field("auth_secret", &self.auth_secret)
            .field("auth_config", &self.auth_config)
            .field("tls_secret", &self.tls_secret)
            .field("tls_config", &self.tls_config)
            .field("volumes", &self.volumes)
            .field("volume_mounts", &self.volume_mounts)
            .finish()
    }
}

/// Decides the auth and TLS of one generated resource, as the Java worker's REST layer
/// does after conversion, with its known bugs fixed (see below).
///
/// Authentication applies only when `authentication_enabled` and the caller is
/// authenticated ([`Caller::is_authenticated`]); then:
///
/// | `using_insecure_auth` | `brokerClientAuthenticationPlugin` | mode |
/// |---|---|---|
/// | true | empty, or parameters empty | [`AuthMode::None`] |
/// | true | OAuth2, `oauth2SecretName` set, target has `authConfig`, `file:` key | [`AuthMode::InsecureOAuth2Config`] |
/// | true | OAuth2, otherwise (JSON parameters) | [`AuthMode::InsecureOAuth2Secret`] |
/// | true | OAuth2 with non-JSON parameters, or any other plugin | [`AuthMode::InsecureSecret`] |
/// | false | OAuth2, target has `authConfig` (≥ v0.6.0) | [`AuthMode::PerUserOAuth2`] |
/// | false | OAuth2, target without `authConfig` | [`AuthMode::PerUserOAuth2Legacy`] |
/// | false | AuthenticationToken | [`AuthMode::Token`] |
/// | false | anything else | [`AuthError::NoHandler`] |
///
/// TLS applies whenever `tls_enabled` (independent of authentication): with `tlsConfig`
/// support and either the CA PEM or no trust path at all → [`TlsMode::Config`]; otherwise
/// → [`TlsMode::Secret`] (`tlsConfig` cannot name a file inside the runtime image, so a
/// trust path without its content falls back to the env-var Secret).
///
/// Deliberate fixes of the Java worker (each tested):
/// * the TLS trust path is `brokerClientTrustCertsFilePath` (what the client trusts), not
///   the worker's own server certificate `tlsCertificateFilePath`;
/// * insecure + `oauth2SecretName`: `keySecretKey` is the private key's file name for
///   sinks and sources too (Java gave them `auth.json`);
/// * per-user OAuth2 parses the user's `auth.json` strictly instead of never reading it;
/// * token pass-through strips one leading `Bearer` scheme (case-insensitive) instead of
///   deleting every `Bearer` substring, and a missing header is a typed error (Java: NPE);
/// * OAuth2 worker parameters that are a JSON object but invalid (no `issuerUrl`, bad
///   `privateKey`, …) are an error instead of a silent verbatim fallback; non-JSON
///   parameters (Pulsar's `key:value,…` form) still fall back verbatim.
///
/// `existing_secrets` are the Secrets of the job namespace (only read).
pub fn resolve(
    settings: &AuthSettings,
    caller: &Caller,
    component: &ComponentRef,
    existing_secrets: &[Secret],
    target: FeatureLevel,
) -> Result<AuthOutcome, AuthError> {
    let mut out = AuthOutcome::default();
    if settings.authentication_enabled && caller.is_authenticated() {
        if settings.using_insecure_auth {
            insecure(settings, component, target, &mut out)?;
        } else {
            let plugin = settings
                .broker_client_authentication_plugin
                .as_deref()
                .unwrap_or_default();
            match plugin {
                OAUTH2_PLUGIN if target.auth_config => {
                    per_user_oauth2(settings, caller, existing_secrets, &mut out)?
                }
                OAUTH2_PLUGIN => {
                    per_user_oauth2_legacy(caller, component, existing_secrets, &mut out)?
                }
                TOKEN_PLUGIN => token(plugin, caller, component, &mut out)?,
                other => {
                    return Err(AuthError::NoHandler {
                        plugin: other.to_string(),
                    })
                }
            }
        }
    }
    if settings.tls_enabled {
        tls(settings, component, target, &mut out);
    }
    Ok(out)
}

/// The Secret name of the older per-user scheme: the role's text before the first `@`
/// (Google service accounts), then a leading `api://` removed (Azure AD).
pub fn secret_name_for_role(role: &str) -> &str {
    let before_at = role.split('@').next().unwrap_or(role);
    before_at.strip_prefix("api://").unwrap_or(before_at)
}

/// Extracts the token from an `Authorization` header value: one leading `Bearer` scheme
/// (any case) is removed and the rest trimmed. A value without the scheme is taken as the
/// raw token.
pub fn bearer_token(header: &str) -> Result<&str, AuthError> {
    let value = header.trim();
    let token = match (value.get(..6), value.get(6..)) {
        (Some(scheme), Some(rest))
            if scheme.eq_ignore_ascii_case("bearer")
                && (rest.is_empty() || rest.starts_with(char::is_whitespace)) =>
        {
            rest.trim()
        }
        _ => value,
    };
    if token.is_empty() {
        return Err(AuthError::EmptyToken {
            reason: "the bearer token is empty",
        });
    }
    Ok(token)
}

fn new_secret(name: String, data: BTreeMap<String, String>) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name),
            ..ObjectMeta::default()
        },
        string_data: Some(data),
        type_: Some("Opaque".to_string()),
        ..Secret::default()
    }
}

fn set_auth_secret(
    out: &mut AuthOutcome,
    component: &ComponentRef,
    plugin: &str,
    params: &Sensitive,
) {
    let name = component.secret_name("auth");
    let data = BTreeMap::from([
        (CLIENT_AUTH_PLUGIN_KEY.to_string(), plugin.to_string()),
        (
            CLIENT_AUTH_PARAMS_KEY.to_string(),
            params.expose().to_string(),
        ),
    ]);
    out.secrets.push(new_secret(name.clone(), data));
    out.auth_secret = Some(name);
}

fn oauth2_config(
    params: &OAuth2Params,
    key_secret_name: &str,
    key_secret_key: &str,
) -> Result<AuthConfig, AuthError> {
    let audience = params.audience.clone().ok_or_else(|| {
        AuthError::MissingField {
            path: json::join(PARAMS_PATH, "audience"),
            expected: "a string (authConfig.oauth2Config.audience is required)",
        }
        .worker_params()
    })?;
    Ok(AuthConfig {
        oauth2_config: Some(OAuth2Config {
            audience,
            issuer_url: params.issuer_url.clone(),
            scope: params.scope.clone().filter(|s| !s.is_empty()),
            key_secret_name: key_secret_name.to_string(),
            key_secret_key: key_secret_key.to_string(),
        }),
        generic_auth: None,
    })
}

fn worker_params(settings: &AuthSettings) -> Result<OAuth2Params, AuthError> {
    let raw = settings
        .broker_client_authentication_parameters
        .as_ref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            AuthError::MissingField {
                path: PARAMS_PATH.to_string(),
                expected: "the worker's OAuth2 parameters as JSON",
            }
            .worker_params()
        })?;
    OAuth2Params::parse(raw.expose(), PARAMS_PATH).map_err(AuthError::worker_params)
}

/// A setting's text, `None` when it is unset or empty (Pulsar's "not configured").
fn given(setting: Option<&str>) -> Option<&str> {
    setting.filter(|s| !s.is_empty())
}

fn insecure(
    settings: &AuthSettings,
    component: &ComponentRef,
    target: FeatureLevel,
    out: &mut AuthOutcome,
) -> Result<(), AuthError> {
    let plugin = given(settings.broker_client_authentication_plugin.as_deref());
    let params = settings
        .broker_client_authentication_parameters
        .as_ref()
        .filter(|p| !p.is_empty());
    let (Some(plugin), Some(params)) = (plugin, params) else {
        return Ok(());
    };
    let parsed = match plugin {
        OAUTH2_PLUGIN => match json::parse(params.expose(), PARAMS_PATH) {
            Ok(value) if value.is_object() => Some(
                OAuth2Params::from_value(&value, PARAMS_PATH).map_err(AuthError::worker_params)?,
            ),
            _ => None,
        },
        _ => None,
    };
    let Some(oauth) = parsed else {
        out.mode = AuthMode::InsecureSecret;
        set_auth_secret(out, component, plugin, params);
        return Ok(());
    };
    let secret_name = settings
        .oauth2_secret_name
        .as_deref()
        .filter(|n| !n.is_empty());
    match (secret_name, oauth.private_key.file_name()) {
        (Some(name), Some(file)) if target.auth_config => {
            out.mode = AuthMode::InsecureOAuth2Config;
            out.auth_config = Some(oauth2_config(&oauth, name, file)?);
        }
        _ => {
            out.mode = AuthMode::InsecureOAuth2Secret;
            set_auth_secret(out, component, plugin, &oauth.to_runtime_json());
        }
    }
    Ok(())
}

fn caller_role(caller: &Caller) -> Result<&str, AuthError> {
    caller
        .role
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or(AuthError::EmptyRole)
}

fn per_user_oauth2(
    settings: &AuthSettings,
    caller: &Caller,
    existing_secrets: &[Secret],
    out: &mut AuthOutcome,
) -> Result<(), AuthError> {
    let role = caller_role(caller)?;
    let key = settings.oauth2_secret_annotation_key.as_str();
    let found = existing_secrets
        .iter()
        .find(|s| {
            s.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(key))
                .is_some_and(|v| v == role)
        })
        .ok_or_else(|| AuthError::NoSecretForRole {
            annotation_key: key.to_string(),
            role: role.to_string(),
        })?;
    let name = found
        .metadata
        .name
        .as_deref()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| AuthError::MissingField {
            path: "metadata.name".to_string(),
            expected: "the name of the Secret annotated with the caller's role",
        })?;
    let parsed = OAuth2Secret::parse(found)?;
    if parsed.key_file.is_none() {
        return Err(AuthError::MissingKey {
            path: crate::secret::key_path("data", AUTH_JSON_KEY),
            secret: display_name(found),
            key: AUTH_JSON_KEY.to_string(),
        });
    }
    let params = worker_params(settings)?;
    out.mode = AuthMode::PerUserOAuth2;
    out.auth_config = Some(oauth2_config(&params, name, AUTH_JSON_KEY)?);
    Ok(())
}

fn per_user_oauth2_legacy(
    caller: &Caller,
    component: &ComponentRef,
    existing_secrets: &[Secret],
    out: &mut AuthOutcome,
) -> Result<(), AuthError> {
    let role = caller_role(caller)?;
    let name = secret_name_for_role(role);
    let found = existing_secrets
        .iter()
        .find(|s| !name.is_empty() && s.metadata.name.as_deref() == Some(name))
        .ok_or_else(|| AuthError::NoSecretNamed {
            name: name.to_string(),
            role: role.to_string(),
        })?;
    let parsed = OAuth2Secret::parse(found)?;
    let params = parsed
        .client_authentication_parameters
        .ok_or_else(|| AuthError::MissingKey {
            path: crate::secret::key_path("data", CLIENT_AUTH_PARAMS_KEY),
            secret: name.to_string(),
            key: CLIENT_AUTH_PARAMS_KEY.to_string(),
        })?
        .params;
    out.mode = AuthMode::PerUserOAuth2Legacy;
    set_auth_secret(out, component, OAUTH2_PLUGIN, &params.to_runtime_json());
    if let PrivateKey::File { path, .. } = &params.private_key {
        // The parser guarantees an absolute path that does not end in `/`.
        let file = params.private_key.file_name().unwrap_or(AUTH_JSON_KEY);
        out.volumes.push(Volume {
            name: OAUTH_SECRET_VOLUME.to_string(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(name.to_string()),
                default_mode: Some(0o644),
                items: Some(vec![KeyToPath {
                    key: AUTH_JSON_KEY.to_string(),
                    path: file.to_string(),
                    mode: None,
                }]),
                optional: None,
            }),
            ..Volume::default()
        });
        out.volume_mounts.push(VolumeMount {
            name: OAUTH_SECRET_VOLUME.to_string(),
            mount_path: path.clone(),
            sub_path: Some(file.to_string()),
            ..VolumeMount::default()
        });
    }
    Ok(())
}

fn token(
    plugin: &str,
    caller: &Caller,
    component: &ComponentRef,
    out: &mut AuthOutcome,
) -> Result<(), AuthError> {
    let header = caller.authorization.as_ref().ok_or(AuthError::EmptyToken {
        reason: "the request has no Authorization header",
    })?;
    let token = Sensitive::new(bearer_token(header.expose())?);
    out.mode = AuthMode::Token;
    set_auth_secret(out, component, plugin, &token);
    Ok(())
}

fn tls(
    settings: &AuthSettings,
    component: &ComponentRef,
    target: FeatureLevel,
    out: &mut AuthOutcome,
) {
    let trust_path = given(settings.broker_client_trust_certs_file_path.as_deref());
    let pem = given(settings.broker_client_trust_certs_pem.as_deref());
    let name = component.secret_name("tls");
    if target.tls_config && (pem.is_some() || trust_path.is_none()) {
        let mut config = PulsarTlsConfig {
            enabled: Some(true),
            allow_insecure: Some(settings.tls_allow_insecure_connection),
            hostname_verification: Some(settings.tls_enable_hostname_verification),
            cert_secret_name: None,
            cert_secret_key: None,
        };
        if let Some(pem) = pem {
            let key = trust_path
                .and_then(|p| p.rsplit('/').next())
                .filter(|f| !f.is_empty())
                .unwrap_or(DEFAULT_CA_KEY);
            out.secrets.push(new_secret(
                name.clone(),
                BTreeMap::from([(key.to_string(), pem.to_string())]),
            ));
            config.cert_secret_name = Some(name);
            config.cert_secret_key = Some(key.to_string());
        }
        out.tls_mode = TlsMode::Config;
        out.tls_config = Some(config);
    } else {
        let data = BTreeMap::from([
            (
                "tlsTrustCertsFilePath".to_string(),
                trust_path.unwrap_or_default().to_string(),
            ),
            ("useTls".to_string(), "true".to_string()),
            (
                "tlsAllowInsecureConnection".to_string(),
                settings.tls_allow_insecure_connection.to_string(),
            ),
            (
                "tlsHostnameVerificationEnable".to_string(),
                settings.tls_enable_hostname_verification.to_string(),
            ),
        ]);
        out.secrets.push(new_secret(name.clone(), data));
        out.tls_mode = TlsMode::Secret;
        out.tls_secret = Some(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_to_secret_name() {
        assert_eq!(secret_name_for_role("alice@example.org"), "alice");
        assert_eq!(secret_name_for_role("api://1234-abcd"), "1234-abcd");
        assert_eq!(secret_name_for_role("api://client@tenant"), "client");
        assert_eq!(secret_name_for_role("bob"), "bob");
        assert_eq!(secret_name_for_role("@x"), "");
    }

    #[test]
    fn bearer_token_parsing() {
        assert_eq!(bearer_token("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer_token("  bearer   abc  ").unwrap(), "abc");
        assert_eq!(bearer_token("abc").unwrap(), "abc");
        // Fix: Java deleted every "Bearer" substring, corrupting such tokens.
        assert_eq!(bearer_token("Bearer xBearery").unwrap(), "xBearery");
        assert_eq!(bearer_token("BearerX").unwrap(), "BearerX");
        for empty in ["", "Bearer", "Bearer   ", "  "] {
            assert_eq!(
                bearer_token(empty).unwrap_err().to_string(),
                "Failed to get token from Authorization header: the bearer token is empty"
            );
        }
        assert!(bearer_token("é").is_ok());
    }
}
