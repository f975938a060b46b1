//! [`AuthError`]: every way authentication input can be wrong.
//!
//! No variant ever carries a secret value: paths, key names, roles and descriptions only.
//! Messages reuse the Java worker's texts where it has one (`Client role is empty`,
//! `Failed to get oauth2 private key secret`, `Failed to parse oauth2 parameters`,
//! `Failed to get token from Authorization header`, `No handler for given auth plugin: …`).

/// An authentication or TLS input that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Per-user OAuth2 needs the caller's role, and it was absent or blank.
    #[error("Client role is empty")]
    EmptyRole,

    /// No Secret carries the role annotation with the caller's role as its value.
    #[error(
        "Failed to get oauth2 private key secret: no Secret has annotation `{annotation_key}` equal to the caller's role `{role}`"
    )]
    NoSecretForRole {
        /// The annotation key looked at (`oauth2SecretAnnotationKey`).
        annotation_key: String,
        /// The caller's role.
        role: String,
    },

    /// Older per-user scheme: no Secret is named after the caller's role.
    #[error(
        "Failed to get secret {name}: no Secret named `{name}` (derived from the caller's role `{role}`: text before the first `@`, a leading `api://` removed)"
    )]
    NoSecretNamed {
        /// The Secret name derived from the role (may be empty).
        name: String,
        /// The caller's role.
        role: String,
    },

    /// A Secret lacks a key it must have.
    #[error("{path}: Secret `{secret}` has no key `{key}` in `data` or `stringData`")]
    MissingKey {
        /// Where the key was expected, e.g. `data["auth.json"]`.
        path: String,
        /// The Secret's name (`<unnamed>` when it has none).
        secret: String,
        /// The missing key.
        key: String,
    },

    /// A value that must be JSON is not.
    #[error("{path}: not valid JSON ({reason})")]
    NotJson {
        /// Field path of the value.
        path: String,
        /// Parser position (never any of the input).
        reason: String,
    },

    /// A required field is absent (or null).
    #[error("{path}: missing required field ({expected})")]
    MissingField {
        /// Field path.
        path: String,
        /// What should be there.
        expected: &'static str,
    },

    /// A field has the wrong JSON type or an empty value.
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        /// Field path.
        path: String,
        /// What should be there.
        expected: &'static str,
        /// What was found (a type name, never the value).
        found: &'static str,
    },

    /// A value that must be base64 is not.
    #[error("{path}: not valid base64")]
    BadBase64 {
        /// Field path.
        path: String,
    },

    /// Decoded bytes are not UTF-8 text.
    #[error("{path}: not valid UTF-8 text")]
    NotUtf8 {
        /// Field path.
        path: String,
    },

    /// `privateKey` is neither a `file:` nor a base64 `data:` URL.
    #[error(
        "{path}: privateKey must be a `file:///<absolute path>` or a `data:application/json;base64,<key file>` URL ({reason})"
    )]
    BadPrivateKey {
        /// Field path.
        path: String,
        /// What is wrong (never the value).
        reason: &'static str,
    },

    /// An issuer URL that is not an absolute `http`/`https` URL.
    #[error("{path}: issuer URL must be an absolute http(s) URL ({reason})")]
    BadIssuerUrl {
        /// Field path.
        path: String,
        /// What is wrong (never the value).
        reason: String,
    },

    /// The caller's `Authorization` value is absent or holds no token.
    #[error("Failed to get token from Authorization header: {reason}")]
    EmptyToken {
        /// Absent header or empty token.
        reason: &'static str,
    },

    /// The worker's own OAuth2 broker-client parameters cannot be used.
    #[error("Failed to parse oauth2 parameters: {source}")]
    WorkerOAuth2Params {
        /// The underlying problem (paths start with `brokerClientAuthenticationParameters`).
        source: Box<AuthError>,
    },

    /// Per-user auth (`usingInsecureAuth: false`) with a plugin that has no handler.
    #[error(
        "No handler for given auth plugin: {plugin} (per-user auth supports org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2 and org.apache.pulsar.client.impl.auth.AuthenticationToken)"
    )]
    NoHandler {
        /// The worker's `brokerClientAuthenticationPlugin` (empty when unset).
        plugin: String,
    },

    /// A document that should be a Kubernetes Secret is something else.
    #[error("{path}: expected a Kubernetes Secret (apiVersion `v1`, kind `Secret`), {found}")]
    NotASecret {
        /// Document path.
        path: String,
        /// What was found.
        found: String,
    },
}

impl AuthError {
    /// Wraps an error about the worker's own OAuth2 parameters.
    pub(crate) fn worker_params(self) -> Self {
        Self::WorkerOAuth2Params {
            source: Box::new(self),
        }
    }
}
