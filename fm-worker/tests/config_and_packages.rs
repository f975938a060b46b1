//! The worker config, identity headers, partial updates, `/healthz` and the package service, against
//! an in-memory API server.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use http::{Method, StatusCode};
use serde_json::json;
use support::*;

const F: &str = "/admin/v3/functions/public/default";

#[test]
fn wrong_worker_config_fails_naming_the_key() {
    let cases = [
        ("authenticationEnabled: maybe\n", "authenticationEnabled"),
        (
            "functionsWorkerServiceCustomConfigs:\n  jobNamespace: Not_A_Namespace\n",
            "functionsWorkerServiceCustomConfigs.jobNamespace",
        ),
        (
            "functionRuntimeFactoryConfigs:\n  jobNamespace: UPPER\n",
            "functionRuntimeFactoryConfigs.jobNamespace",
        ),
        (
            "functionInstanceMinResources:\n  cpu: lots\n",
            "functionInstanceMinResources.cpu",
        ),
    ];
    for (text, key) in cases {
        let e = fm_worker::Library::from_worker_config("functions_worker.yml", text, None, None)
            .unwrap_err();
        assert_eq!(e.path, key, "{text}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("functions_worker.yml: {key}: ")),
            "{e}"
        );
    }
    let e =
        fm_worker::Catalogue::parse("connectors.yaml", "- id: x\n  sinkClass: a.B\n").unwrap_err();
    assert_eq!(e.to_string(), "connectors.yaml: [0].name: is required");
}

#[test]
fn job_namespace_and_cluster_fall_back() {
    let l =
        fm_worker::Library::from_worker_config("w", "{}", Some("team-a\n"), Some("east")).unwrap();
    assert_eq!(l.namespace(), "team-a");
    assert_eq!(l.cluster(), "east");
    let l = fm_worker::Library::from_worker_config("w", "{}", None, None).unwrap();
    assert_eq!(l.namespace(), "default");
    assert_eq!(l.cluster(), "standalone");
}

/// The mirror lists a resource where the list selectors would find it: current or legacy label
/// keys, this worker's cluster only, and under its component label.
#[test]
fn listings_follow_the_list_selectors() {
    let l = fm_worker::Library::from_worker_config("w", "{}", None, Some("east")).unwrap();
    let labels = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let new = labels(&[
        ("compute.functionmesh.io/pulsar-cluster", "east"),
        ("compute.functionmesh.io/pulsar-tenant", "t"),
        ("compute.functionmesh.io/pulsar-namespace", "ns"),
        ("compute.functionmesh.io/pulsar-component", "f"),
    ]);
    let one = vec![("t".to_owned(), "ns".to_owned(), "f".to_owned())];
    assert_eq!(l.listings(&new), one);
    let old = labels(&[
        ("pulsar-cluster", "east"),
        ("pulsar-tenant", "t"),
        ("pulsar-namespace", "ns"),
        ("pulsar-component", "f"),
    ]);
    assert_eq!(l.listings(&old), one);
    // Both spellings, agreeing: listed once; disagreeing: under both, as both selectors find it.
    let both: std::collections::BTreeMap<_, _> = new.clone().into_iter().chain(old).collect();
    assert_eq!(l.listings(&both), one);
    let mut split = both.clone();
    split.insert("pulsar-namespace".into(), "other".into());
    assert_eq!(
        l.listings(&split),
        vec![
            ("t".to_owned(), "ns".to_owned(), "f".to_owned()),
            ("t".to_owned(), "other".to_owned(), "f".to_owned())
        ]
    );
    let mut west = new.clone();
    west.insert(
        "compute.functionmesh.io/pulsar-cluster".into(),
        "west".into(),
    );
    assert!(l.listings(&west).is_empty(), "another cluster's resource");
    let mut nameless = new;
    nameless.remove("compute.functionmesh.io/pulsar-component");
    assert!(l.listings(&nameless).is_empty(), "no component label");
}

#[tokio::test]
async fn identity_headers_reach_the_policy() {
    use fm_worker::identity::{Identity, Operation, Policy, Target};
    use std::sync::{Arc, Mutex};
    type Seen = Arc<Mutex<Vec<(Operation, Option<String>)>>>;
    #[derive(Clone, Default)]
    struct DenyDelete(Seen);
    impl Policy for DenyDelete {
        fn check<'a>(
            &'a self,
            who: &'a Identity,
            op: Operation,
            _t: Target<'a>,
        ) -> futures::future::BoxFuture<'a, Result<(), fm_worker::ApiError>> {
            self.0
                .lock()
                .unwrap()
                .push((op, who.original_principal.clone()));
            Box::pin(async move {
                if op == Operation::Delete {
                    Err(fm_worker::ApiError::new(
                        StatusCode::FORBIDDEN,
                        "client is not authorized to perform operation",
                    ))
                } else {
                    Ok(())
                }
            })
        }
    }
    let fake = FakeApi::default();
    let policy = DenyDelete::default();
    let state = fm_worker::WorkerState::with_access(
        settings(WORKER_CONFIG),
        fake.client(),
        Box::new(fm_worker::Unverified),
        Box::new(policy.clone()),
    );
    let app = fm_worker::router(state);
    let mut r = request(Method::DELETE, &format!("{F}/x"));
    r.headers_mut()
        .insert("x-original-principal", "alice".parse().unwrap());
    let a = send(&app, r).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(fake.log().is_empty());
    let seen = policy.0.lock().unwrap().clone();
    assert_eq!(seen, vec![(Operation::Delete, Some("alice".to_owned()))]);
}

#[tokio::test]
async fn update_with_only_parallelism_keeps_the_rest() {
    let (app, fake) = worker();
    create_function(&app, "p").await;
    let path = function_path(&resource_name("p"));
    let before = fake.object(&path).unwrap();
    // What `pulsar-admin functions update --parallelism 4` sends: the names and the change.
    let cfg = r#"{"tenant":"public","namespace":"default","name":"p","parallelism":4}"#;
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/p"),
            &[Part::json("functionConfig", cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let after = fake.object(&path).unwrap();
    assert_eq!(after["spec"]["replicas"], 4);
    assert_eq!(after["spec"]["input"], before["spec"]["input"]);
    assert_eq!(after["spec"]["java"], before["spec"]["java"]);
    assert_eq!(after["spec"]["className"], before["spec"]["className"]);
    // A new input topic is refused, as Pulsar refuses it.
    let cfg = r#"{"inputs":["persistent://public/default/more"]}"#;
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/p"),
            &[Part::json("functionConfig", cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert_eq!(a.reason(), "Input Topics cannot be altered");
    let a = send(&app, request(Method::GET, &format!("{F}/p"))).await;
    assert_eq!(
        a.json["inputs"],
        json!(["persistent://public/default/in"]),
        "{a:?}"
    );
    assert_eq!(a.json["parallelism"], 4);
    // A config that is not an object is refused.
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/p"),
            &[Part::json("functionConfig", "[1]")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.reason(), "functionConfig: expected a JSON object");
}

#[tokio::test]
async fn healthz_answers_ok() {
    let (app, fake) = worker();
    let a = send(&app, request(Method::GET, "/healthz")).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.text, "ok");
    assert!(fake.log().is_empty());
}

#[tokio::test]
async fn data_part_without_a_package_service_is_503() {
    let (app, _) = worker_with(
        "pulsarFunctionsCluster: c\nfunctionsWorkerServiceCustomConfigs:\n  uploadEnabled: true\n",
    );
    let cfg = function_config("up");
    let data = Part {
        headers: vec!["Content-Disposition: form-data; name=\"data\"; filename=\"f.jar\"".into()],
        content: b"PK\x03\x04",
    };
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/up"),
            &[Part::json("functionConfig", &cfg), data],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        a.reason(),
        "uploaded packages cannot be stored: pulsarWebServiceUrl is not configured"
    );
}

/// A stand-in for the broker's package metadata endpoint: one package exists.
async fn package_service() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::routing::get;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let app = axum::Router::new()
        .route(
            "/admin/v3/packages/function/public/default/exclamation/1.0",
            get(|| async { examples_jar() }),
        )
        .route(
            "/admin/v3/packages/{kind}/{tenant}/{ns}/{name}/{version}/metadata",
            get(
                move |axum::extract::Path(p): axum::extract::Path<(
                    String,
                    String,
                    String,
                    String,
                    String,
                )>,
                      headers: http::HeaderMap| {
                    let s2 = s2.clone();
                    async move {
                        s2.lock().unwrap().push(format!(
                            "{}/{}/{}/{}@{} auth={:?}",
                            p.0,
                            p.1,
                            p.2,
                            p.3,
                            p.4,
                            headers
                                .get("authorization")
                                .map(|v| v.to_str().unwrap().to_owned())
                        ));
                        if p == (
                            "function".into(),
                            "public".into(),
                            "default".into(),
                            "exclamation".into(),
                            "1.0".into(),
                        ) {
                            (StatusCode::OK, "{}")
                        } else {
                            (StatusCode::NOT_FOUND, "{\"reason\":\"not found\"}")
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

#[tokio::test]
async fn package_urls_must_exist_in_the_package_service() {
    let (base, seen) = package_service().await;
    let (app, fake) = worker_with(&format!(
        "pulsarFunctionsCluster: test-pulsar\npulsarWebServiceUrl: {base}\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:worker-token\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n"
    ));
    create_function(&app, "exists").await;
    let cfg = function_config("missing").replace("exclamation@1.0", "exclamation@9.9");
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/missing"),
            &[Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        a.reason(),
        "package function://public/default/exclamation@9.9 does not exist in Pulsar's package \
         service (upload it with `pulsar-admin packages upload`)"
    );
    assert!(fake
        .object(&function_path(&resource_name("missing")))
        .is_none());
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            "function/public/default/exclamation@1.0 auth=Some(\"Bearer worker-token\")",
            "function/public/default/exclamation@9.9 auth=Some(\"Bearer worker-token\")"
        ]
    );
}

#[tokio::test]
async fn unreachable_package_service_is_503() {
    // A port nothing listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", l.local_addr().unwrap());
    drop(l);
    let (app, _) = worker_with(&format!(
        "pulsarFunctionsCluster: test-pulsar\npulsarWebServiceUrl: {base}\n"
    ));
    let cfg = function_config("x");
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/x"),
            &[Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{a:?}");
    assert_eq!(
        a.reason(),
        format!("Pulsar's package service at {base}: cannot connect")
    );
}
