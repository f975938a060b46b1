//! Reading a request to its end before its answer goes out.
//!
//! Pulsar's worker reads a whole request before it answers, and the clients people use with it
//! (pulsar-admin's asynchronous HTTP client) write the whole upload before they read the answer.
//! A server that answers early and closes the connection with unread bytes in it makes the
//! client's kernel see a reset: pulsar-admin then reports `Channel output shutdown` instead of the
//! 401, 403 or 400 the worker sent. [`read_to_end`] keeps hold of every request body and, once the
//! handler has answered, reads what it left unread (up to [`MAX_BODY_BYTES`]) and throws it away,
//! so refused uploads get their answer.

use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use futures::StreamExt;
use http_body::{Frame, SizeHint};

use crate::MAX_BODY_BYTES;

/// A request body the handler reads while the middleware keeps a handle to what is left.
struct Shared(Arc<Mutex<Option<Body>>>);

impl http_body::Body for Shared {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let mut body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match body.as_mut() {
            Some(b) => Pin::new(b).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        let body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        body.as_ref().is_none_or(http_body::Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        let body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        body.as_ref()
            .map_or_else(|| SizeHint::with_exact(0), http_body::Body::size_hint)
    }
}

/// Middleware: runs the request, then reads whatever of its body the handler left unread (at most
/// [`MAX_BODY_BYTES`]; a longer body is left for the connection to close on) before answering.
pub(crate) async fn read_to_end(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if http_body::Body::is_end_stream(&body) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let shared = Arc::new(Mutex::new(Some(body)));
    let answer = next
        .run(Request::from_parts(
            parts,
            Body::new(Shared(shared.clone())),
        ))
        .await;
    let rest = shared.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(rest) = rest.filter(|b| !http_body::Body::is_end_stream(b)) {
        let mut chunks = rest.into_data_stream();
        let mut read = 0usize;
        while let Some(Ok(chunk)) = chunks.next().await {
            read = read.saturating_add(chunk.len());
            if read > MAX_BODY_BYTES {
                break;
            }
        }
    }
    answer
}
