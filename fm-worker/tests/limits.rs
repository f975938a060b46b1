//! The hardened listener and the request limits: slow clients are cut off, TLS serves the API,
//! config parts over 1 MiB are refused without being held, and every path but `/healthz` needs
//! authentication when it is on.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::time::Duration;

use fm_worker::listener::{self, ServeOptions};
use http::{Method, StatusCode};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/auth");

async fn serve(
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
    options: ServeOptions,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let (app, _) = worker();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(listener::serve(l, tls, app, options, async move {
        let _ = rx.await;
    }));
    (addr, tx)
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    let options = ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        ..ServeOptions::default()
    };
    let (addr, _stop) = serve(None, options).await;
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // The server closes the connection (after a 408 or without an answer); a generous outer
    // bound keeps a broken server from hanging the test.
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
    let read = read.expect("the server kept a stalled connection open");
    assert!(read.is_ok() || buf.is_empty(), "{read:?}");
    let text = String::from_utf8_lossy(&buf);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // A complete request on a fresh connection is still served.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("ok"), "{text}");
}

#[tokio::test]
async fn the_tls_listener_serves_the_api() {
    let cert = std::path::Path::new(FIXTURES).join("tls-cert.pem");
    let key = std::path::Path::new(FIXTURES).join("tls-key.pem");
    let config = listener::tls_config(&cert, &key).unwrap();
    let (addr, stop) = serve(Some(config), ServeOptions::default()).await;
    let ca_file = std::path::Path::new(FIXTURES).join("tls-ca.pem");
    let ca = reqwest::Certificate::from_pem(&std::fs::read(ca_file).unwrap()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([ca])
        .build()
        .unwrap();
    let url = format!("https://localhost:{}", addr.port());
    let r = client.get(format!("{url}/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "ok");
    let r = client
        .get(format!("{url}/admin/v3/functions/public/default"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Plain HTTP on the TLS port gets no answer.
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));
    let _ = stop.send(());
}

#[test]
fn tls_files_are_checked_at_start_up() {
    let dir = std::env::temp_dir().join(format!("fm-worker-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let cert = std::path::Path::new(FIXTURES).join("tls-cert.pem");
    let key = std::path::Path::new(FIXTURES).join("tls-key.pem");
    let e = listener::tls_config(&empty, &key).unwrap_err();
    assert!(e.to_string().starts_with("TLS certificate "), "{e}");
    assert!(e.to_string().contains("empty.pem"), "{e}");
    let e = listener::tls_config(&cert, &empty).unwrap_err();
    assert!(e.to_string().contains("no private key"), "{e}");
    let e = listener::tls_config(&cert, &dir.join("missing.pem")).unwrap_err();
    assert!(e.to_string().contains("missing.pem"), "{e}");
    // A key that is not the certificate's.
    let other = std::path::Path::new(FIXTURES).join("ec-private.pem");
    let e = listener::tls_config(&cert, &other).unwrap_err();
    assert!(e.to_string().starts_with("TLS certificate and key"), "{e}");
}

#[tokio::test]
async fn config_parts_over_one_mib_are_refused() {
    let (app, fake) = worker();
    let mut big = function_config("big");
    big.push_str(&" ".repeat(fm_worker::form::MAX_CONFIG_BYTES));
    let a = send(
        &app,
        multipart(
            Method::POST,
            "/admin/v3/functions/public/default/big",
            &[Part::json("functionConfig", &big)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{a:?}");
    assert!(
        a.reason()
            .starts_with("functionConfig: larger than 1048576 bytes"),
        "{a:?}"
    );
    assert!(fake.log().is_empty());
    // Just under the limit is read.
    let mut fits = function_config("fits");
    fits.push_str(&" ".repeat(fm_worker::form::MAX_CONFIG_BYTES - fits.len()));
    let a = send(
        &app,
        multipart(
            Method::POST,
            "/admin/v3/functions/public/default/fits",
            &[Part::json("functionConfig", &fits)],
        ),
    )
    .await;
    assert_ne!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{a:?}");
}

/// A worker with token authentication on (a symmetric key) and an API server behind it.
fn worker_with_authentication() -> axum::Router {
    let secret = b"limits-test-secret-0123456789abcdef";
    let config = format!(
        "authenticationEnabled: true\n\
         authenticationProviders: [org.apache.pulsar.broker.authentication.AuthenticationProviderToken]\n\
         properties:\n  tokenSecretKey: data:;base64,{}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n",
        {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(secret)
        }
    );
    let fake = FakeApi::default();
    let access = fm_worker::auth::AccessConfig::parse("w", &config).unwrap();
    let (authn, policy) = fm_worker::auth::build("w", &access).unwrap();
    fm_worker::router(fm_worker::WorkerState::with_access(
        settings(&config),
        fake.client(),
        authn,
        policy,
    ))
}

#[tokio::test]
async fn every_path_but_healthz_needs_authentication_when_it_is_on() {
    let app = worker_with_authentication();
    for path in [
        "/admin/v3/functions/builtins",
        "/admin/v3/functions/connectors",
        "/admin/v3/nothing/here",
        "/admin/v2/worker/cluster",
    ] {
        let a = send(&app, request(Method::GET, path)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{path}: {a:?}");
        assert_eq!(a.reason(), "Authentication required");
    }
    let a = send(&app, request(Method::GET, "/healthz")).await;
    assert_eq!(a.status, StatusCode::OK);
}

/// pulsar-admin writes a whole upload before it reads the answer: a refused upload is read to its
/// end before the 401 goes out, so the client gets the answer instead of a reset connection
/// (pulsar-admin's "Channel output shutdown").
#[tokio::test]
async fn a_refused_upload_is_read_to_its_end_before_the_answer() {
    let app = worker_with_authentication();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let (_stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(listener::serve(
        l,
        None,
        app,
        ServeOptions::default(),
        async move {
            let _ = rx.await;
        },
    ));
    let len = 12 * 1024 * 1024; // under the 16 MiB body limit, over any socket buffer
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /admin/v3/functions/public/default/big HTTP/1.1\r\nHost: x\r\n\
         Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {len}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // Give the server time to answer early, as it would without reading the body.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let chunk = vec![b'x'; 64 * 1024];
    for i in 0..len / chunk.len() {
        if let Err(e) = s.write_all(&chunk).await {
            panic!("the worker stopped reading the upload after {i} chunks: {e}");
        }
    }
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf);
    assert!(matches!(read, Ok(Ok(_))), "{read:?}: {text}");
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    assert!(text.contains("Authentication required"), "{text}");
}
