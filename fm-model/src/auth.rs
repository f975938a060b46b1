//! The authentication and TLS blocks of a Function Mesh resource (`spec.pulsar.*`).
//!
//! These are the exact JSON shapes of `compute.functionmesh.io/v1alpha1`
//! (`AuthConfig`, `OAuth2Config`, `GenericAuth`, `PulsarTLSConfig`). `fm-auth`
//! decides their values; the CRD types embed them.

use crate::macros::optional_fields;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

optional_fields! {
    mirror(Default, JsonSchema);
    /// `spec.pulsar.authConfig` (object form, Function Mesh ≥ v0.6.0).
    pub struct AuthConfig {
        /// OAuth2 client credentials read from a Secret (v0.6.0). Wins over `genericAuth`.
        pub oauth2_config: Option<OAuth2Config>,
        /// Any Pulsar client auth plugin with its parameters (v0.13.0).
        pub generic_auth: Option<GenericAuth>,
    }
}

optional_fields! {
    /// `authConfig.oauth2Config`: the operator mounts `keySecretName`/`keySecretKey` at
    /// `/etc/oauth2/<keySecretKey>` and builds the OAuth2 client parameters from it.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct OAuth2Config {
        /// OAuth2 audience (required by the CRD).
        pub audience: String,
        /// Issuer URL (required by the CRD).
        pub issuer_url: String,
        /// Optional OAuth2 scope.
        pub scope: Option<String>,
        /// Name of the Secret holding the credentials file (required).
        pub key_secret_name: String,
        /// Key in that Secret, e.g. `auth.json` (required).
        pub key_secret_key: String,
    }
}

/// `authConfig.genericAuth`: a Pulsar client authentication plugin and its parameters.
/// `Debug` redacts the parameters (they may hold a token).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GenericAuth {
    /// Fully qualified plugin class name.
    pub client_authentication_plugin: String,
    /// Plugin parameters as Pulsar's client expects them.
    pub client_authentication_parameters: String,
}

optional_fields! {
    /// `spec.pulsar.tlsConfig` (Function Mesh ≥ v0.4.0).
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct PulsarTlsConfig {
        /// Use TLS towards the broker.
        pub enabled: Option<bool>,
        /// Accept untrusted broker certificates.
        pub allow_insecure: Option<bool>,
        /// Verify the broker's host name.
        pub hostname_verification: Option<bool>,
        /// Secret holding the trust certificate.
        pub cert_secret_name: Option<String>,
        /// Key of the trust certificate in that Secret.
        pub cert_secret_key: Option<String>,
    }
}

impl std::fmt::Debug for GenericAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenericAuth")
            .field(
                "client_authentication_plugin",
                &self.client_authentication_plugin,
            )
            .field("client_authentication_parameters", &crate::REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_auth_debug_hides_the_parameters() {
        let g = GenericAuth {
            client_authentication_plugin: "org.apache.pulsar.client.impl.auth.AuthenticationToken"
                .into(),
            client_authentication_parameters: "token:CANARY-TOKEN-123".into(),
        };
        let shown = format!(
            "{g:?} {:?}",
            AuthConfig {
                generic_auth: Some(g.clone()),
                oauth2_config: None
            }
        );
        assert!(!shown.contains("CANARY-TOKEN-123"), "{shown}");
        assert!(shown.contains("AuthenticationToken"));
    }
}
