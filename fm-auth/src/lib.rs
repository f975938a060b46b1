//! Per-user Pulsar authentication for Function Mesh resources.
//!
//! Pure: no cluster access. Callers pass in the Secrets that exist and get back what to
//! create and what to set on the resource.
//!
//! * [`resolve`] decides the auth/TLS of one generated resource ([`AuthOutcome`]).
//! * [`OAuth2Secret::parse`] understands a user's OAuth2 Secret (`fmesh auth inspect`).
//! * [`secret_from_value`] / [`secrets_from_value`] read Secret documents strictly.
//! * Secret values live in [`Sensitive`], which never prints itself.
mod error;
mod json;
pub mod oauth2;
mod resolve;
mod secret;
mod settings;

pub use error::AuthError;
/// The `authConfig` / `tlsConfig` blocks of a resource (defined in `fm-model`).
pub use fm_model::auth as resource;
pub use fm_model::auth::{AuthConfig, GenericAuth, OAuth2Config, PulsarTlsConfig};
pub use fm_model::ComponentKind;
pub use fm_model::{Sensitive, REDACTED};
pub use oauth2::{validate_issuer_url, KeyFile, OAuth2Params, PrivateKey, OAUTH2_PLUGIN};
pub use resolve::{
    bearer_token, resolve, secret_name_for_role, AuthMode, AuthOutcome, TlsMode, DEFAULT_CA_KEY,
    OAUTH_SECRET_VOLUME, TOKEN_PLUGIN,
};
pub use secret::{
    redacted_secret, secret_from_value, secrets_from_value, OAuth2Secret, SecretFormat,
    SourcedKeyFile, SourcedParams, AUTH_JSON_KEY, CLIENT_AUTH_PARAMS_KEY, CLIENT_AUTH_PLUGIN_KEY,
};
pub use settings::{
    AuthSettings, Caller, ComponentRef, FeatureLevel, DEFAULT_OAUTH2_SECRET_ANNOTATION_KEY,
};
