//! Pulsar's authentication and authorization for the worker: the token provider
//! ([`token::PulsarAuthenticator`]), the authorization rules ([`policy::PulsarPolicy`]) and the
//! broker they ask ([`broker::BrokerAdmin`]), configured from `functions_worker.yml`
//! ([`config::AccessConfig`]).

pub mod broker;
pub mod config;
pub mod policy;
pub mod token;

use std::sync::Arc;

pub use broker::{BrokerAdmin, BrokerError};
pub use config::AccessConfig;
pub use policy::PulsarPolicy;
pub use token::{PulsarAuthenticator, TokenError, TokenVerifier};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::identity::{Authenticator, Policy};
use crate::library::ConfigProblem;
use crate::WorkerState;

/// Why the access layer cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// A setting is wrong (file and key path named).
    #[error("{0}")]
    Config(#[from] ConfigProblem),
    /// The broker client cannot be set up.
    #[error("{0}")]
    Broker(#[from] BrokerError),
}

/// The authenticator and the policy the config asks for.
pub type Access = (Box<dyn Authenticator>, Box<dyn Policy>);

/// Builds the authenticator and the policy (keys are read and checked now).
pub fn build(file: &str, config: &AccessConfig) -> Result<Access, AccessError> {
    let verifier = match (&config.token, config.authentication_enabled) {
        (Some(t), true) => Some(TokenVerifier::new(file, t)?),
        _ => None,
    };
    let broker = match (&config.broker, config.authorization_enabled) {
        (Some(b), true) => Some(Arc::new(BrokerAdmin::new(b)?)),
        _ => None,
    };
    let authenticator = PulsarAuthenticator::new(
        config.authentication_enabled,
        verifier,
        config.proxy_roles.clone(),
    );
    let policy = PulsarPolicy::new(
        config.authorization_enabled,
        config.super_user_roles.clone(),
        config.proxy_roles.clone(),
        config.wildcards,
        broker,
    );
    Ok((Box::new(authenticator), Box::new(policy)))
}

/// Authenticates every request before routing (only `/healthz` is exempt), as Pulsar's
/// authentication filter runs before any resource: no endpoint, not even an unknown path, answers
/// an unauthenticated caller with more than 401. The identity is kept in the request's extensions
/// for the handlers' [`crate::Identity`] extractor.
pub async fn authenticate_all(
    State(state): State<WorkerState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    match state.authenticator().authenticate(&parts).await {
        Ok(who) => {
            parts.extensions.insert(who);
            next.run(Request::from_parts(parts, body)).await
        }
        Err(e) => e.into_response(),
    }
}
