//! Pulsar's error answers: a status and `{"reason": "…"}`.

use axum::response::{IntoResponse, Response};
use axum::Json;
use http::StatusCode;

/// An error answer. Its reason is shown to the caller (and logged for 5xx): it never holds a
/// secret of the worker's, and quotes the request only where Pulsar's texts do (4xx).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {reason}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Pulsar's `reason`.
    pub reason: String,
}

impl ApiError {
    /// An error with a status and a reason.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        ApiError {
            status,
            reason: reason.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, reason)
    }

    /// 404 Not Found.
    pub fn not_found(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, reason)
    }

    /// 409 Conflict.
    pub fn conflict(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, reason)
    }

    /// 500 Internal Server Error: a real fault of the worker or the API server.
    pub fn internal(reason: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, reason)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), reason = %self.reason, "request failed");
        } else {
            // A refusal's reason may quote the caller's own input (a topic name, as Pulsar's texts
            // do): it goes back to the caller, not into the worker's log.
            tracing::info!(status = self.status.as_u16(), "request refused");
        }
        (
            self.status,
            Json(serde_json::json!({ "reason": self.reason })),
        )
            .into_response()
    }
}

/// What went wrong talking to the Kubernetes API server.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// The object does not exist.
    #[error("not found")]
    NotFound,
    /// The object exists already, or changed since it was read (resource version).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The API server refused the object (400/422); the message is the API server's.
    #[error("rejected by the API server: {0}")]
    Rejected(String),
    /// The worker's service account may not do this (401/403).
    #[error("the worker is not allowed to do this in Kubernetes: {0}")]
    Forbidden(String),
    /// A paged list's continue token is too old (410 Gone: etcd compacted the list's revision).
    #[error("the list changed too much while it was read page by page (410 Gone): {0}")]
    Expired(String),
    /// Anything else (transport, 5xx).
    #[error("Kubernetes API server: {0}")]
    Other(String),
}

impl From<kube::Error> for KubeError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => {
                let message = s.message.clone();
                match s.code {
                    404 => KubeError::NotFound,
                    409 => KubeError::Conflict(message),
                    400 | 422 => KubeError::Rejected(message),
                    401 | 403 => KubeError::Forbidden(message),
                    410 => KubeError::Expired(message),
                    code => KubeError::Other(format!("{code}: {message}")),
                }
            }
            other => KubeError::Other(other.to_string()),
        }
    }
}
