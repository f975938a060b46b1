//! Pulsar's authorization on every endpoint, against recorded broker answers: a tiny local HTTP
//! server answers `GET /admin/v2/tenants/{t}` and `GET /admin/v2/namespaces/{t}/{ns}/permissions`
//! with the JSON shapes Pulsar's broker sends (TenantInfo; role → AuthAction list), and records
//! what the worker asked and with which credentials.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::sync::{Arc, Mutex};

use http::{Method, StatusCode};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::json;
use support::*;

const SECRET: &[u8] = b"policy-test-secret-0123456789abcdef";
const WORKER_TOKEN: &str = "worker-broker-token";
const F: &str = "/admin/v3/functions/acme/apps";
const SINKS: &str = "/admin/v3/sinks/acme/apps";
const SOURCES: &str = "/admin/v3/sources/acme/apps";

type Seen = Arc<Mutex<Vec<String>>>;

/// The broker: recorded answers of a Pulsar 4.0 broker.
async fn broker() -> (String, Seen) {
    use axum::routing::get;
    let seen: Seen = Arc::default();
    let (s1, s2) = (seen.clone(), seen.clone());
    let auth = |h: &http::HeaderMap| {
        h.get("authorization")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let app = axum::Router::new()
        // Every package exists (the package check is not what these tests are about).
        .route(
            "/admin/v3/packages/{kind}/{t}/{ns}/{name}/{version}/metadata",
            get(|| async { (StatusCode::OK, "{}") }),
        )
        .route(
            "/admin/v2/tenants/{tenant}",
            get(
                move |axum::extract::Path(t): axum::extract::Path<String>,
                      h: http::HeaderMap| {
                    let s1 = s1.clone();
                    async move {
                        s1.lock().unwrap().push(format!("tenant {t} {}", auth(&h)));
                        match t.as_str() {
                            "acme" => (
                                StatusCode::OK,
                                r#"{"adminRoles":["acme-admin"],"allowedClusters":["standalone"]}"#,
                            ),
                            "broken" => (StatusCode::SERVICE_UNAVAILABLE, "{}"),
                            _ => (
                                StatusCode::NOT_FOUND,
                                r#"{"reason":"Tenant does not exist"}"#,
                            ),
                        }
                    }
                },
            ),
        )
        .route(
            "/admin/v2/namespaces/{tenant}/{ns}/permissions",
            get(
                move |axum::extract::Path((t, n)): axum::extract::Path<(String, String)>,
                      h: http::HeaderMap| {
                    let s2 = s2.clone();
                    async move {
                        s2.lock()
                            .unwrap()
                            .push(format!("permissions {t}/{n} {}", auth(&h)));
                        if (t.as_str(), n.as_str()) == ("acme", "apps") {
                            (
                                StatusCode::OK,
                                r#"{"fn-dev":["functions"],"sink-dev":["sinks"],"src-dev":["sources"],"reader":["consume","produce"],"team-*":["functions"],"proxy":["functions","sinks"]}"#,
                            )
                        } else {
                            (
                                StatusCode::NOT_FOUND,
                                r#"{"reason":"Namespace does not exist"}"#,
                            )
                        }
                    }
                },
            ),
        );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    (format!("http://{addr}"), seen)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn config(broker: &str, authn: bool, authz: bool, extra: &str) -> String {
    format!(
        "pulsarFunctionsCluster: test-pulsar\n\
         authenticationEnabled: {authn}\n\
         authorizationEnabled: {authz}\n\
         authenticationProviders: [org.apache.pulsar.broker.authentication.AuthenticationProviderToken]\n\
         superUserRoles: [admin]\n\
         proxyRoles: [proxy, proxy2]\n\
         pulsarWebServiceUrl: {broker}\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:{WORKER_TOKEN}\n\
         properties:\n  tokenSecretKey: data:;base64,{}\n{extra}\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n",
        b64(SECRET)
    )
}

fn worker_for(config: &str) -> (axum::Router, FakeApi) {
    let fake = FakeApi::default();
    let access = fm_worker::auth::AccessConfig::parse("functions_worker.yml", config).unwrap();
    let (authn, policy) = fm_worker::auth::build("functions_worker.yml", &access).unwrap();
    let state = fm_worker::WorkerState::with_access(settings(config), fake.client(), authn, policy);
    (fm_worker::router(state), fake)
}

fn token(role: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        &json!({ "sub": role }),
        &EncodingKey::from_secret(SECRET).unwrap(),
    )
    .unwrap()
}

fn with(
    mut r: http::Request<axum::body::Body>,
    role: Option<&str>,
    original: Option<&str>,
) -> http::Request<axum::body::Body> {
    if let Some(role) = role {
        r.headers_mut().insert(
            "authorization",
            format!("Bearer {}", token(role)).parse().unwrap(),
        );
    }
    if let Some(o) = original {
        r.headers_mut()
            .insert("x-original-principal", o.parse().unwrap());
    }
    r
}

fn create(
    base: &str,
    kind_part: &str,
    config: &str,
    name: &str,
) -> http::Request<axum::body::Body> {
    multipart(
        Method::POST,
        &format!("{base}/{name}"),
        &[Part::json(kind_part, config)],
    )
}

/// A function config; its type arguments are given, so the worker need not read the jar (the
/// recorded broker has no package to download).
fn fn_config(name: &str) -> String {
    json!({"tenant": "acme", "namespace": "apps", "name": name, "className": "a.B",
           "inputs": ["persistent://acme/apps/in"], "output": "persistent://acme/apps/out",
           "inputTypeClassName": "java.lang.String", "outputTypeClassName": "java.lang.String",
           "jar": "function://acme/apps/pkg@1"})
    .to_string()
}

/// Every endpoint of one kind for one component: (method, path).
fn endpoints(base: &str) -> Vec<(Method, String)> {
    let mut all = vec![
        (Method::GET, base.to_owned()),
        (Method::GET, format!("{base}/x")),
        (Method::GET, format!("{base}/x/status")),
        (Method::GET, format!("{base}/x/0/status")),
        (Method::POST, format!("{base}/x/start")),
        (Method::POST, format!("{base}/x/stop")),
        (Method::POST, format!("{base}/x/restart")),
        (Method::DELETE, format!("{base}/x")),
    ];
    all.extend(unsupported_endpoints(base));
    all
}

/// The component endpoints the worker does not serve (400 with a reason once authorized).
fn unsupported_endpoints(base: &str) -> Vec<(Method, String)> {
    let mut all = vec![
        (Method::POST, format!("{base}/x/0/start")),
        (Method::POST, format!("{base}/x/0/stop")),
        (Method::POST, format!("{base}/x/0/restart")),
    ];
    if base == F {
        all.extend([
            (Method::GET, format!("{base}/x/stats")),
            (Method::GET, format!("{base}/x/0/stats")),
            (Method::POST, format!("{base}/x/trigger")),
            (Method::GET, format!("{base}/x/state/k")),
            (Method::POST, format!("{base}/x/state/k")),
            (Method::GET, format!("{base}/x/download")),
            (
                Method::PUT,
                "/admin/v3/functions/leader/acme/apps/x".to_owned(),
            ),
        ]);
    }
    all
}

#[tokio::test]
async fn unsupported_endpoints_authorize_first_then_give_the_reason() {
    let (b, _) = broker().await;
    let (app, fake) = worker_for(&config(&b, true, true, ""));
    for base in [F, SINKS, SOURCES] {
        for (m, path) in unsupported_endpoints(base) {
            let a = status_of(&app, m.clone(), &path, Some("reader"), None).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{m} {path}: {a:?}");
            let a = status_of(&app, m.clone(), &path, Some("admin"), None).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{m} {path}: {a:?}");
            assert!(
                a.reason().contains("not supported") || a.reason().contains("one StatefulSet"),
                "{m} {path}: {a:?}"
            );
        }
    }
    assert!(fake.log().is_empty(), "{:?}", fake.log());
}

async fn status_of(
    app: &axum::Router,
    m: Method,
    path: &str,
    role: Option<&str>,
    original: Option<&str>,
) -> Answer {
    send(app, with(request(m, path), role, original)).await
}

#[tokio::test]
async fn a_role_with_no_right_is_refused_on_every_endpoint_and_nothing_is_written() {
    let (b, _) = broker().await;
    let (app, fake) = worker_for(&config(&b, true, true, ""));
    for base in [F, SINKS, SOURCES] {
        for (m, path) in endpoints(base) {
            let a = status_of(&app, m.clone(), &path, Some("reader"), None).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{m} {path}: {a:?}");
            assert_eq!(a.reason(), "Client is not authorized to perform operation");
        }
    }
    let a = send(
        &app,
        with(
            create(F, "functionConfig", &fn_config("x"), "x"),
            Some("reader"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{a:?}");
    assert!(fake.log().is_empty(), "{:?}", fake.log());
}

#[tokio::test]
async fn superuser_tenant_admin_and_namespace_grant_are_allowed() {
    let (b, seen) = broker().await;
    let (app, fake) = worker_for(&config(&b, true, true, ""));
    // A superuser needs no broker answer.
    let a = status_of(&app, Method::GET, F, Some("admin"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert!(seen.lock().unwrap().is_empty());
    for role in ["acme-admin", "fn-dev"] {
        let a = send(
            &app,
            with(
                create(F, "functionConfig", &fn_config(role), role),
                Some(role),
                None,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{role}: {a:?}");
        let a = status_of(&app, Method::GET, &format!("{F}/{role}"), Some(role), None).await;
        assert_eq!(a.status, StatusCode::OK, "{role}: {a:?}");
        let a = status_of(&app, Method::GET, F, Some(role), None).await;
        assert_eq!(a.status, StatusCode::OK, "{role}: {a:?}");
        assert!(
            a.json.as_array().unwrap().iter().any(|n| n == role),
            "{a:?}"
        );
        let a = status_of(
            &app,
            Method::DELETE,
            &format!("{F}/{role}"),
            Some(role),
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{role}: {a:?}");
    }
    assert!(!fake.log().is_empty());
    // The worker asked with its own broker credentials, never the caller's.
    for s in seen.lock().unwrap().iter() {
        assert!(s.ends_with(&format!(" Bearer {WORKER_TOKEN}")), "{s}");
    }
}

#[tokio::test]
async fn each_kind_needs_its_own_action() {
    let (b, _) = broker().await;
    let (app, _) = worker_for(&config(&b, true, true, ""));
    let cases = [
        ("fn-dev", F, true),
        ("fn-dev", SINKS, false),
        ("fn-dev", SOURCES, false),
        ("sink-dev", SINKS, true),
        ("sink-dev", F, false),
        ("src-dev", SOURCES, true),
        ("src-dev", SINKS, false),
        ("acme-admin", SINKS, true),
        ("acme-admin", SOURCES, true),
    ];
    for (role, base, allowed) in cases {
        let a = status_of(&app, Method::GET, base, Some(role), None).await;
        let want = if allowed {
            StatusCode::OK
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(a.status, want, "{role} {base}: {a:?}");
    }
    // Another tenant: acme's admin is nobody there; an unknown tenant grants nothing.
    let a = status_of(
        &app,
        Method::GET,
        "/admin/v3/functions/ghost/apps",
        Some("acme-admin"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{a:?}");
}

#[tokio::test]
async fn wildcard_grants_apply_only_when_enabled() {
    let (b, _) = broker().await;
    let (off, _) = worker_for(&config(&b, true, true, ""));
    let a = status_of(&off, Method::GET, F, Some("team-x"), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let (on, _) = worker_for(&config(
        &b,
        true,
        true,
        "  authorizationAllowWildcardsMatching: true\n",
    ));
    let a = status_of(&on, Method::GET, F, Some("team-x"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let a = status_of(&on, Method::GET, SINKS, Some("team-x"), None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn through_a_proxy_both_roles_must_be_allowed() {
    let (b, _) = broker().await;
    let (app, _) = worker_for(&config(&b, true, true, ""));
    let cases: [(&str, Option<&str>, &str, StatusCode); 7] = [
        // proxy has functions and sinks; fn-dev has functions.
        ("proxy", Some("fn-dev"), F, StatusCode::OK),
        ("proxy", Some("admin"), F, StatusCode::OK),
        // The original principal lacks the right.
        ("proxy", Some("reader"), F, StatusCode::UNAUTHORIZED),
        // The proxy itself lacks the right (sources).
        ("proxy", Some("src-dev"), SOURCES, StatusCode::UNAUTHORIZED),
        // A proxy must say for whom, and not for another proxy.
        ("proxy", None, F, StatusCode::UNAUTHORIZED),
        ("proxy", Some("proxy2"), F, StatusCode::UNAUTHORIZED),
        // A non-proxy role cannot act for someone else (even a superuser).
        ("fn-dev", Some("admin"), F, StatusCode::UNAUTHORIZED),
    ];
    for (role, original, base, want) in cases {
        let a = status_of(&app, Method::GET, base, Some(role), original).await;
        assert_eq!(a.status, want, "{role} for {original:?} on {base}: {a:?}");
    }
    // Naming itself is fine.
    let a = status_of(&app, Method::GET, F, Some("fn-dev"), Some("fn-dev")).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn connectors_need_a_role_and_reload_needs_a_superuser() {
    let (b, _) = broker().await;
    let (app, _) = worker_for(&config(&b, true, true, ""));
    let a = status_of(
        &app,
        Method::GET,
        "/admin/v3/sink/builtinsinks",
        Some("reader"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    let a = status_of(&app, Method::GET, "/admin/v3/sink/builtinsinks", None, None).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert_eq!(a.reason(), "Authentication required");
    let a = status_of(
        &app,
        Method::POST,
        "/admin/v3/sinks/reloadBuiltInSinks",
        Some("acme-admin"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{a:?}");
    assert_eq!(a.reason(), "This operation requires super-user access");
    let a = status_of(
        &app,
        Method::POST,
        "/admin/v3/sinks/reloadBuiltInSinks",
        Some("admin"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let a = status_of(
        &app,
        Method::POST,
        "/admin/v3/sinks/reloadBuiltInSinks",
        Some("proxy"),
        Some("admin"),
    )
    .await;
    assert_eq!(
        a.status,
        StatusCode::UNAUTHORIZED,
        "the proxy is no superuser: {a:?}"
    );
}

#[tokio::test]
async fn authentication_and_authorization_switches() {
    let (b, _) = broker().await;
    // Authentication on, no or bad token: 401 before anything else.
    let (app, _) = worker_for(&config(&b, true, false, ""));
    let a = status_of(&app, Method::GET, F, None, None).await;
    assert_eq!(
        (a.status, a.reason()),
        (StatusCode::UNAUTHORIZED, "Authentication required")
    );
    let mut r = request(Method::GET, F);
    r.headers_mut()
        .insert("authorization", "Bearer nonsense".parse().unwrap());
    assert_eq!(send(&app, r).await.status, StatusCode::UNAUTHORIZED);
    let mut r = with(request(Method::GET, F), Some("reader"), None);
    r.headers_mut()
        .insert("x-pulsar-auth-method-name", "tls".parse().unwrap());
    assert_eq!(send(&app, r).await.status, StatusCode::UNAUTHORIZED);
    // Authentication on, authorization off: any valid token is allowed.
    let a = status_of(&app, Method::GET, F, Some("reader"), None).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    // Both off: everything is allowed, as in Pulsar.
    let (open, _) = app_pair(&b, false, false);
    assert_eq!(
        status_of(&open, Method::GET, F, None, None).await.status,
        StatusCode::OK
    );
    // Authorization without authentication: no role, so refused.
    let (closed, _) = app_pair(&b, false, true);
    let a = status_of(&closed, Method::GET, F, None, None).await;
    assert_eq!(
        (a.status, a.reason()),
        (
            StatusCode::UNAUTHORIZED,
            "Client is not authorized to perform operation"
        )
    );
}

fn app_pair(b: &str, authn: bool, authz: bool) -> (axum::Router, FakeApi) {
    worker_for(&config(b, authn, authz, ""))
}

#[tokio::test]
async fn broker_answers_are_cached_and_bursts_share_one_request() {
    let (b, seen) = broker().await;
    let (app, _) = worker_for(&config(&b, true, true, ""));
    let calls: Vec<_> = (0..20)
        .map(|_| status_of(&app, Method::GET, F, Some("fn-dev"), None))
        .collect();
    for a in futures::future::join_all(calls).await {
        assert_eq!(a.status, StatusCode::OK);
    }
    let a = status_of(&app, Method::GET, F, Some("fn-dev"), None).await;
    assert_eq!(a.status, StatusCode::OK);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            format!("tenant acme Bearer {WORKER_TOKEN}"),
            format!("permissions acme/apps Bearer {WORKER_TOKEN}"),
        ]
    );
}

#[tokio::test]
async fn a_broker_that_cannot_answer_is_a_500_naming_the_cause() {
    let (b, _) = broker().await;
    let (app, _) = worker_for(&config(&b, true, true, ""));
    let a = status_of(
        &app,
        Method::GET,
        "/admin/v3/functions/broken/apps",
        Some("fn-dev"),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{a:?}");
    assert!(a.reason().contains("answered 503"), "{a:?}");
    // Nothing listens there.
    let (app, _) = worker_for(&config("http://127.0.0.1:9", true, true, ""));
    let a = status_of(&app, Method::GET, F, Some("fn-dev"), None).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{a:?}");
    assert!(a.reason().contains("cannot be reached"), "{a:?}");
    assert!(!a.text.contains(WORKER_TOKEN));
}

#[tokio::test]
async fn the_acting_role_drives_per_user_oauth2() {
    // Per-user OAuth2: the component runs with the Secret annotated with the caller's role. The
    // role is the verified one, or the original principal when a proxy calls.
    let cfg = format!(
        "pulsarFunctionsCluster: test-pulsar\n\
         authenticationEnabled: true\n\
         authenticationProviders: [org.apache.pulsar.broker.authentication.AuthenticationProviderToken]\n\
         proxyRoles: [proxy]\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\n\
         brokerClientAuthenticationParameters: '{{\"audience\":\"urn:x\",\"issuerUrl\":\"https://auth.example.org/\",\"privateKey\":\"file:///pulsar/conf/worker-auth.json\",\"type\":\"client_credentials\"}}'\n\
         properties:\n  tokenSecretKey: data:;base64,{}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n  usingInsecureAuth: false\n  \
         oauth2SecretAnnotationKey: cloud.streamnative.io/service-account.email\n",
        b64(SECRET)
    );
    let (app, fake) = worker_for(&cfg);
    fake.put(
        "/api/v1/namespaces/fmesh/secrets/alice-key",
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "alice-key", "namespace": "fmesh",
                            "annotations": {"cloud.streamnative.io/service-account.email": "alice@example.org"}},
               "data": {"auth.json": b64(br#"{"type":"client_credentials","client_id":"a","client_secret":"s","issuer_url":"https://auth.example.org/"}"#)}}),
    );
    let resource = |name: &str| {
        fake.object(&format!(
            "/apis/compute.functionmesh.io/v1alpha1/namespaces/fmesh/functions/{}",
            fm_worker::Library::from_worker_config("w", &cfg, None, None)
                .unwrap()
                .resource_name("acme", "apps", name)
        ))
    };
    for (name, role, original) in [
        ("direct", "alice@example.org", None),
        ("proxied", "proxy", Some("alice@example.org")),
    ] {
        let a = send(
            &app,
            with(
                create(F, "functionConfig", &fn_config(name), name),
                Some(role),
                original,
            ),
        )
        .await;
        assert_eq!(a.status, StatusCode::NO_CONTENT, "{name}: {a:?}");
        let r = resource(name).unwrap_or_else(|| panic!("{name}: {:?}", fake.paths()));
        let shown = serde_json::to_string(&r["spec"]).unwrap();
        assert!(shown.contains("alice-key"), "{name}: {shown}");
    }
    // A non-proxy role cannot borrow alice's Secret by naming her.
    let a = send(
        &app,
        with(
            create(F, "functionConfig", &fn_config("borrow"), "borrow"),
            Some("bob@example.org"),
            Some("alice@example.org"),
        ),
    )
    .await;
    assert_ne!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    assert!(resource("borrow").is_none());
}
