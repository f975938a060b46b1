//! No request body makes the worker panic, and a secret never shows in an answer or a log line.
//!
//! Two canaries: `CANARY` is a secret — the worker's own broker credentials (copied into each
//! component's auth Secret) and the caller's `Authorization` header — and never shows in an
//! answer or a log line. `BODY` is put in arbitrary places of arbitrary config documents and
//! multipart bodies: it never shows in a log line; a 400 may quote it back to the caller where
//! Pulsar's texts quote the input (`Output topic … is invalid`).

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

use http::Method;
use proptest::prelude::*;
use serde_json::{Map, Value};
use support::*;

const CANARY: &str = "CANARY-7f3a9c1e-do-not-print";
const BODY: &str = "BODYCANARY-51d0e2b4";

fn config_with_secret() -> String {
    format!(
        "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:{CANARY}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n  uploadEnabled: true\n"
    )
}

/// Every log line of the test process.
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

const KEYS: &[&str] = &[
    "tenant",
    "namespace",
    "name",
    "className",
    "inputs",
    "output",
    "jar",
    "py",
    "go",
    "archive",
    "parallelism",
    "resources",
    "cpu",
    "ram",
    "userConfig",
    "secrets",
    "customRuntimeOptions",
    "inputSpecs",
    "runtime",
    "configs",
    "topicName",
    "processingGuarantees",
    "logTopic",
    "windowConfig",
    "producerConfig",
    "batchSourceConfig",
    "autoAck",
    "timeoutMs",
    "maxMessageRetries",
    "deadLetterTopic",
    "subName",
    "env",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        Just(Value::String(BODY.to_owned())),
        Just(Value::String(format!("Bearer {BODY}"))),
        Just(Value::String(format!(
            "{{\"env\":{{\"TOKEN\":\"{BODY}\"}}}}"
        ))),
        "[a-z/:.]{0,24}".prop_map(Value::String),
        Just(Value::String("persistent://public/default/t".into())),
        Just(Value::String("function://public/default/p@1".into())),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(str::to_owned),
                        "[a-zA-Z]{1,8}"
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..256),
        Just(format!("{{\"name\": \"{BODY}\"").into_bytes()),
        Just(format!("tenant: [{BODY}").into_bytes()),
    ]
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn check_answer(a: &Answer) {
    assert!(
        !a.text.contains(CANARY),
        "the answer shows the secret: {a:?}"
    );
    assert!(
        !a.status.is_server_error(),
        "no 5xx for a bad request body: {a:?}"
    );
}

fn check_logs() {
    let logs = logs().lock().unwrap();
    let text = String::from_utf8_lossy(&logs);
    assert!(!text.contains(CANARY), "a log line shows the secret");
    assert!(!text.contains(BODY), "a log line quotes the request body");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn config_parts_never_panic_or_leak(
        kind in prop::sample::select(vec![
            ("functions", "functionConfig"), ("sinks", "sinkConfig"), ("source", "sourceConfig")
        ]),
        put in any::<bool>(),
        config in body(),
        url in prop::option::of(prop_oneof![
            Just("function://public/default/p@1".to_owned()),
            Just(format!("http://{BODY}@example.invalid/x.jar")),
            "[ -~]{0,40}",
        ]),
        update_options in prop::option::of(body()),
        trailing_space in any::<bool>(),
    ) {
        logs();
        let _rt = runtime().enter();
        let (app, _fake) = worker_with(&config_with_secret());
        let (base, part) = kind;
        let method = if put { Method::PUT } else { Method::POST };
        let sp = if trailing_space { " " } else { "" };
        let mut parts = vec![Part {
            headers: vec![
                format!("Content-Disposition: form-data; name=\"{part}\"{sp}"),
                "Content-Type: application/json; charset=UTF-8".into(),
            ],
            content: &config,
        }];
        if let Some(u) = &url {
            parts.push(Part::text("url", u));
        }
        if let Some(o) = &update_options {
            parts.push(Part { headers: vec!["Content-Disposition: form-data; name=\"updateOptions\"".into()], content: o });
        }
        let mut req = multipart(method, &format!("/admin/v3/{base}/public/default/hostile"), &parts);
        req.headers_mut().insert("authorization", format!("Bearer {CANARY}").parse().unwrap());
        let a = runtime().block_on(send(&app, req));
        check_answer(&a);
        check_logs();
    }

    #[test]
    fn raw_bodies_never_panic_or_leak(
        path in prop::sample::select(vec![
            "/admin/v3/functions/public/default/x",
            "/admin/v3/sinks/public/default/x",
            "/admin/v3/source/public/default/x",
            "/admin/v3/functions/public/default/x/stop",
            "/admin/v3/functions/public/default/x/0/restart",
        ]),
        method in prop::sample::select(vec![Method::POST, Method::PUT, Method::DELETE, Method::GET]),
        content_type in prop::option::of(prop_oneof![
            Just(format!("multipart/form-data; boundary={BOUNDARY}")),
            Just("multipart/form-data".to_owned()),
            Just("application/json".to_owned()),
            "[ -~]{0,30}",
        ]),
        raw in body(),
    ) {
        logs();
        let _rt = runtime().enter();
        let (app, _fake) = worker_with(&config_with_secret());
        let mut b = http::Request::builder().method(method).uri(path);
        if let Some(ct) = &content_type {
            if let Ok(v) = http::HeaderValue::from_str(ct) {
                b = b.header("content-type", v);
            }
        }
        let req = b.header("authorization", format!("Bearer {CANARY}"))
            .body(axum::body::Body::from(raw)).unwrap();
        let a = runtime().block_on(send(&app, req));
        check_answer(&a);
        check_logs();
    }
}

/// A valid create with the secret in the worker config and the header: the Secret carries it,
/// nothing else does.
#[test]
fn a_successful_create_keeps_the_secret_in_the_secret() {
    logs();
    let _rt = runtime().enter();
    let (app, fake) = worker_with(&config_with_secret());
    let cfg = function_config("ok");
    let mut req = multipart(
        Method::POST,
        "/admin/v3/functions/public/default/ok",
        &[
            Part::json("functionConfig", &cfg),
            Part::text("url", "function://public/default/exclamation@1.0"),
        ],
    );
    req.headers_mut()
        .insert("authorization", format!("Bearer {CANARY}").parse().unwrap());
    let a = runtime().block_on(send(&app, req));
    assert_eq!(a.status, http::StatusCode::NO_CONTENT, "{a:?}");
    let secret_paths: Vec<String> = fake
        .paths()
        .into_iter()
        .filter(|p| p.contains("/secrets/"))
        .collect();
    assert_eq!(secret_paths.len(), 1);
    // The worker's own credentials went into the Secret (insecure mode copies them) ...
    let secret = fake.object(&secret_paths[0]).unwrap().to_string();
    assert!(secret.contains(CANARY), "{secret}");
    // ... and nowhere else: not the resource, not the answer, not a log line.
    let resource = fake
        .object(&function_path(&resource_name("ok")))
        .unwrap()
        .to_string();
    assert!(!resource.contains(CANARY));
    let get = runtime().block_on(send(
        &app,
        request(Method::GET, "/admin/v3/functions/public/default/ok"),
    ));
    assert_eq!(get.status, http::StatusCode::OK);
    check_answer(&get);
    check_logs();
    // The capture works: the create was logged (without the secret).
    let logs = String::from_utf8_lossy(&logs().lock().unwrap()).into_owned();
    assert!(logs.contains("created"), "{logs}");
}

/// Uploads: the broker token goes to the package service and nowhere else, whatever the upload
/// holds and whether the service answers.
#[tokio::test]
async fn uploads_never_show_the_broker_token() {
    let log = logs().clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let service = axum::Router::new().fallback(move |headers: http::HeaderMap| {
        let s2 = s2.clone();
        async move {
            let auth = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            s2.lock().unwrap().push(auth);
            http::StatusCode::NO_CONTENT
        }
    });
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, service).await });
    let with = |url: &str| {
        config_with_secret().replace(
            "pulsarFunctionsCluster: test-pulsar\n",
            &format!("pulsarFunctionsCluster: test-pulsar\npulsarWebServiceUrl: {url}\n"),
        )
    };
    let cfg =
        function_config("up").replace(",\"jar\":\"function://public/default/exclamation@1.0\"", "");
    for url in [base.as_str(), "http://127.0.0.1:9"] {
        let (app, _) = worker_with(&with(url));
        for (data, config) in [
            (BODY.as_bytes(), cfg.as_str()),
            (CANARY.as_bytes(), "{not json"),
            (b"PK\x03\x04".as_slice(), cfg.as_str()),
        ] {
            let parts = [
                Part {
                    headers: vec![format!(
                        "Content-Disposition: form-data; name=\"data\"; filename=\"{BODY}.jar\""
                    )],
                    content: data,
                },
                Part::json("functionConfig", config),
            ];
            let a = send(
                &app,
                multipart(
                    Method::POST,
                    "/admin/v3/functions/public/default/up",
                    &parts,
                ),
            )
            .await;
            assert!(!a.text.contains(CANARY), "{a:?}");
            assert!(a.status.as_u16() < 500 || a.status.as_u16() == 503, "{a:?}");
        }
    }
    assert!(
        seen.lock()
            .unwrap()
            .iter()
            .all(|a| a == &format!("Bearer {CANARY}")),
        "the package service gets the worker's token"
    );
    assert!(!seen.lock().unwrap().is_empty());
    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(!text.contains(CANARY), "a log line shows the token");
    assert!(!text.contains(BODY), "a log line shows the upload");
}
