//! Random identity headers and bodies against a worker with authentication and authorization on:
//! no panic, a well-formed answer, and no canary token in any answer or captured log line.
//!
//! Canaries: `TOKEN_CANARY` is carried by every token sent (in a claim, so it is part of the
//! token text) and by random `Authorization` values; `WORKER_CANARY` is the worker's own broker
//! token. Neither may ever show in an answer body or a log line.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use http::{Method, StatusCode};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use proptest::prelude::*;
use serde_json::json;
use support::*;

const SECRET: &[u8] = b"hostile-test-secret-0123456789abcdef";
const TOKEN_CANARY: &str = "TOKCANARY-8d1f22aa";
const WORKER_CANARY: &str = "WRKCANARY-02b9e6c4";

fn logs() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Capture(buf.clone());
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init();
        buf
    })
}

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// A broker that knows tenant `acme` (admin `acme-admin`) and namespace `acme/apps`
/// (`fn-dev` may run functions).
fn broker_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        runtime().block_on(async {
            use axum::routing::get;
            let app = axum::Router::new()
                .route(
                    "/admin/v2/tenants/{t}",
                    get(|axum::extract::Path(t): axum::extract::Path<String>| async move {
                        if t == "acme" {
                            (StatusCode::OK, r#"{"adminRoles":["acme-admin"],"allowedClusters":["standalone"]}"#)
                        } else {
                            (StatusCode::NOT_FOUND, r#"{"reason":"Tenant does not exist"}"#)
                        }
                    }),
                )
                .route(
                    "/admin/v2/namespaces/{t}/{n}/permissions",
                    get(|| async { (StatusCode::OK, r#"{"fn-dev":["functions"]}"#) }),
                );
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(l, app).await });
            format!("http://{addr}")
        })
    })
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn app() -> &'static (axum::Router, FakeApi) {
    static APP: OnceLock<(axum::Router, FakeApi)> = OnceLock::new();
    APP.get_or_init(|| {
        let config = format!(
            "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\nauthorizationEnabled: true\n\
             authenticationProviders: [org.apache.pulsar.broker.authentication.AuthenticationProviderToken]\n\
             superUserRoles: [admin]\nproxyRoles: [proxy]\npulsarWebServiceUrl: {}\n\
             brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
             brokerClientAuthenticationParameters: token:{WORKER_CANARY}\n\
             properties:\n  tokenSecretKey: data:;base64,{}\n\
             functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n",
            broker_url(),
            b64(SECRET)
        );
        let _runtime = runtime().enter();
        let fake = FakeApi::default();
        let access = fm_worker::auth::AccessConfig::parse("w", &config).unwrap();
        let (authn, policy) = fm_worker::auth::build("w", &access).unwrap();
        let state = fm_worker::WorkerState::with_access(settings(&config), fake.client(), authn, policy);
        (fm_worker::router(state), fake)
    })
}

fn token(role: &str, key: &[u8], exp_offset: Option<i64>) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut claims = json!({"sub": role, "note": TOKEN_CANARY});
    if let Some(o) = exp_offset {
        claims["exp"] = json!(now + o);
    }
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key).unwrap(),
    )
    .unwrap()
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    let role = prop::sample::select(vec!["admin", "acme-admin", "fn-dev", "reader", "proxy", ""]);
    prop_oneof![
        Just(None),
        role.clone()
            .prop_map(|r| Some(format!("Bearer {}", token(r, SECRET, None)))),
        role.clone()
            .prop_map(|r| Some(format!("Bearer {}", token(r, SECRET, Some(-30))))),
        role.prop_map(|r| Some(format!(
            "Bearer {}",
            token(r, b"wrong-key-wrong-key-wrong-key-wrong", None)
        ))),
        "[ -~]{0,40}".prop_map(|s| Some(format!("Bearer {TOKEN_CANARY}{s}"))),
        "[ -~]{0,40}".prop_map(|s| Some(format!("{s}{TOKEN_CANARY}"))),
        Just(Some(format!(
            "Bearer {TOKEN_CANARY}.{TOKEN_CANARY}.{TOKEN_CANARY}"
        ))),
    ]
}

fn principal() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        prop::sample::select(vec!["admin", "fn-dev", "reader", "proxy"])
            .prop_map(|s| Some(s.to_owned())),
        "[ -~]{0,20}".prop_map(|s| Some(format!("{TOKEN_CANARY}{s}"))),
    ]
}

fn method_name() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("token".to_owned())),
        "[ -~]{0,12}".prop_map(|s| Some(format!("{s}{TOKEN_CANARY}"))),
    ]
}

fn target() -> impl Strategy<Value = (Method, String)> {
    let base = prop::sample::select(vec![
        "/admin/v3/functions/acme/apps",
        "/admin/v3/sinks/acme/apps",
        "/admin/v3/source/acme/apps",
        "/admin/v3/functions/other/ns",
    ]);
    let tail = prop::sample::select(vec![
        "",
        "/x",
        "/x/status",
        "/x/0/status",
        "/x/stop",
        "/x/restart",
    ]);
    let method = prop::sample::select(vec![Method::GET, Method::POST, Method::PUT, Method::DELETE]);
    prop_oneof![
        (method, base, tail).prop_map(|(m, b, t)| (m, format!("{b}{t}"))),
        Just((Method::GET, "/admin/v3/sink/builtinsinks".to_owned())),
        Just((
            Method::POST,
            "/admin/v3/functions/builtins/reload".to_owned()
        )),
        Just((Method::GET, "/admin/v3/nothing/here".to_owned())),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..128),
        Just(
            json!({"name": "x", "className": TOKEN_CANARY})
                .to_string()
                .into_bytes()
        ),
    ]
}

/// No canary, and no part of the credential sent (the whole value, a JWT's signature), in the
/// answer or the log.
fn check(a: &Answer, sent: Option<&str>) {
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    let mut secrets = vec![TOKEN_CANARY.to_owned(), WORKER_CANARY.to_owned()];
    if let Some(v) = sent {
        let token = v.strip_prefix("Bearer ").unwrap_or(v);
        if token.len() >= 16 {
            secrets.push(token.to_owned());
        }
        if let Some(sig) = token.rsplit('.').next().filter(|s| s.len() >= 16) {
            secrets.push(sig.to_owned());
        }
    }
    for s in &secrets {
        assert!(!a.text.contains(s.as_str()), "{s} in answer: {}", a.text);
        assert!(!logs.contains(s.as_str()), "{s} in the log");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn identity_headers_never_panic_or_leak(
        auth in authorization(),
        original in principal(),
        method_header in method_name(),
        (m, path) in target(),
        body in body(),
        multipart_body in any::<bool>(),
    ) {
        logs();
        let (app, _) = app();
        let a = runtime().block_on(async {
            let mut r = if multipart_body && m == Method::POST {
                let text = String::from_utf8_lossy(&body).into_owned();
                multipart(m.clone(), &path, &[Part::json("functionConfig", &text)])
            } else {
                let mut r = request(m.clone(), &path);
                *r.body_mut() = axum::body::Body::from(body.clone());
                r
            };
            let h = r.headers_mut();
            if let Some(v) = auth.as_deref().and_then(|v| v.parse().ok()) {
                h.insert("authorization", v);
            }
            if let Some(v) = original.as_deref().and_then(|v| v.parse().ok()) {
                h.insert("x-original-principal", v);
            }
            if let Some(v) = method_header.as_deref().and_then(|v| v.parse().ok()) {
                h.insert("x-pulsar-auth-method-name", v);
            }
            send(app, r).await
        });
        prop_assert!(a.status.is_client_error() || a.status.is_success() || a.status == StatusCode::INTERNAL_SERVER_ERROR, "{a:?}");
        // No credential or a refused one never gets past 401.
        if auth.as_deref().is_none_or(|v| v.contains(TOKEN_CANARY) && !v.starts_with("Bearer ey")) {
            prop_assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{:?}", a);
        }
        check(&a, auth.as_deref());
    }
}

#[test]
fn refusals_are_logged_without_the_token() {
    logs();
    let (app, _) = app();
    let bad = token("admin", b"wrong-key-wrong-key-wrong-key-wrong", None);
    let a = runtime().block_on(async {
        let mut r = request(Method::GET, "/admin/v3/functions/acme/apps");
        r.headers_mut()
            .insert("authorization", format!("Bearer {bad}").parse().unwrap());
        send(app, r).await
    });
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.reason(), "Authentication required");
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(
        logs.contains("JWT signature does not match"),
        "the reason is logged"
    );
    check(&a, Some(&bad));
}
