//! Who is calling, and whether they may: the identity extractor and the policy layer.
//!
//! * [`Authenticator`] turns a request's headers into an [`Identity`]. [`Unverified`] reads the
//!   headers without verifying anything (the role stays unknown); Pulsar's token provider is
//!   [`crate::auth::PulsarAuthenticator`].
//! * [`Policy`] decides whether an identity may perform an [`Operation`] on a [`Target`].
//!   [`AllowAll`] allows everything; Pulsar's rules are [`crate::auth::PulsarPolicy`].
//!
//! Every handler extracts an [`Identity`] and asks the policy before it touches anything.

use std::fmt;

use axum::extract::FromRequestParts;
use futures::future::BoxFuture;
use http::request::Parts;

use crate::error::ApiError;
use crate::{Kind, WorkerState};

/// A credential or other secret (the `Authorization` header value, a configured key or broker
/// token). Never printed: `Debug` shows `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential(String);

impl Credential {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Credential(value.into())
    }

    /// The value, for the place that uses it (the component's auth Secret, the token verifier,
    /// the broker client).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The caller of one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    /// The authenticated role; `None` when nothing was verified.
    pub role: Option<String>,
    /// `X-Original-Principal`: the role the Pulsar proxy authenticated (not verified here).
    pub original_principal: Option<String>,
    /// `X-Pulsar-Auth-Method-Name`: the authentication method the client names.
    pub auth_method: Option<String>,
    /// The raw `Authorization` header (token pass-through puts it into the component's Secret).
    pub authorization: Option<Credential>,
    /// The role the request acts as, for the component's credentials (what the CLI's
    /// `--client-role` gives): the original principal when `role` is a proxy role, else `role`.
    /// `None` when nothing was verified.
    pub acting_role: Option<String>,
}

/// Turns request headers into an [`Identity`].
pub trait Authenticator: Send + Sync + 'static {
    /// Authenticates one request; an error is answered as is (401).
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Identity, ApiError>>;
}

/// Reads the identity headers and verifies nothing: `role` stays `None`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unverified;

/// A request header's value, trimmed; `None` when absent, empty or not text.
pub(crate) fn header(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl Authenticator for Unverified {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Identity, ApiError>> {
        Box::pin(async move {
            Ok(Identity {
                role: None,
                original_principal: header(parts, "x-original-principal"),
                auth_method: header(parts, "x-pulsar-auth-method-name"),
                authorization: header(parts, "authorization").map(Credential),
                acting_role: None,
            })
        })
    }
}

/// What a request wants to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Create a component.
    Create,
    /// Update a component.
    Update,
    /// Delete a component.
    Delete,
    /// Read a component's config.
    Get,
    /// List the components of a namespace.
    List,
    /// Read a component's status.
    Status,
    /// Start, stop or restart a component.
    Lifecycle,
    /// Read the connector catalogue.
    Connectors,
    /// Reload the connector catalogue.
    Reload,
}

/// What a request acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// Kind of component.
    pub kind: Kind,
    /// Pulsar tenant (None for worker-wide operations).
    pub tenant: Option<&'a str>,
    /// Pulsar namespace.
    pub namespace: Option<&'a str>,
    /// Component name.
    pub name: Option<&'a str>,
}

/// Decides whether an identity may perform an operation.
pub trait Policy: Send + Sync + 'static {
    /// Ok to go ahead; an error (401/403 with a reason) is answered as is.
    fn check<'a>(
        &'a self,
        who: &'a Identity,
        op: Operation,
        target: Target<'a>,
    ) -> BoxFuture<'a, Result<(), ApiError>>;
}

/// Allows every operation (the worker's only policy until authorization exists).
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

impl Policy for AllowAll {
    fn check<'a>(
        &'a self,
        _who: &'a Identity,
        _op: Operation,
        _target: Target<'a>,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(async { Ok(()) })
    }
}

impl FromRequestParts<WorkerState> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WorkerState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(who) = parts.extensions.get::<Identity>() {
            return Ok(who.clone());
        }
        state.authenticator().authenticate(parts).await
    }
}
