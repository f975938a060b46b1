//! Create races, update restrictions and package uploads, against the in-memory API server and
//! a loopback stand-in for Pulsar's package service.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use http::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const F: &str = "/admin/v3/functions/public/default";

#[tokio::test]
async fn of_two_concurrent_creates_of_one_name_one_lands() {
    let (app, fake) = worker();
    let cfg = function_config("race");
    let create = || {
        send(
            &app,
            multipart(
                Method::POST,
                &format!("{F}/race"),
                &[
                    Part::json("functionConfig", &cfg),
                    Part::text("url", "function://public/default/exclamation@1.0"),
                ],
            ),
        )
    };
    let (a, b) = tokio::join!(create(), create());
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::NO_CONTENT, StatusCode::BAD_REQUEST],
        "{a:?} {b:?}"
    );
    let loser = if a.status == StatusCode::BAD_REQUEST {
        a
    } else {
        b
    };
    assert_eq!(loser.reason(), "Function race already exists");
    // A real create (POST), never an apply that would overwrite the winner.
    let writes: Vec<_> = fake
        .log()
        .into_iter()
        .filter(|r| r.path.ends_with("/functions") || r.path.contains("/functions/"))
        .filter(|r| r.method == Method::POST || r.method == Method::PATCH)
        .map(|r| r.method)
        .collect();
    assert_eq!(
        writes.iter().filter(|m| **m == Method::POST).count(),
        2,
        "{writes:?}"
    );
    // The fields the create wrote belong to the worker's apply manager.
    let stored = fake
        .object(&function_path(&resource_name("race")))
        .expect("stored");
    assert_eq!(
        stored["metadata"]["managedFields"][0]["operation"], "Apply",
        "{stored}"
    );
    assert_eq!(
        stored["metadata"]["managedFields"][0]["manager"],
        "fmesh-worker"
    );
}

async fn put(app: &axum::Router, name: &str, cfg: &str) -> Answer {
    send(
        app,
        multipart(
            Method::PUT,
            &format!("{F}/{name}"),
            &[Part::json("functionConfig", cfg)],
        ),
    )
    .await
}

#[tokio::test]
async fn update_refuses_what_pulsar_refuses_and_lists_it_all() {
    let (app, fake) = worker();
    create_function(&app, "fixed").await;
    let path = function_path(&resource_name("fixed"));
    let before = fake.object(&path).unwrap();
    let cfg = json!({
        "tenant": "public", "namespace": "default", "name": "fixed",
        "inputs": ["persistent://public/default/other"],
        "processingGuarantees": "EFFECTIVELY_ONCE",
        "runtime": "PYTHON",
        "retainOrdering": true
    })
    .to_string();
    let a = put(&app, "fixed", &cfg).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert_eq!(
        a.reason(),
        "Input Topics cannot be altered; Processing Guarantees cannot be altered; \
         Retain Ordering cannot be altered; Runtime cannot be altered"
    );
    assert_eq!(fake.object(&path).unwrap(), before, "nothing written");
    // The name in the config must be the one of the URL.
    let a = put(&app, "fixed", r#"{"name": "other", "tenant": "t2"}"#).await;
    assert_eq!(a.reason(), "Tenants differ; Function Names differ");
}

#[tokio::test]
async fn update_may_change_what_pulsar_allows() {
    let (app, fake) = worker();
    create_function(&app, "free").await;
    // Same topic (Gson spelling of its spec), same guarantees, new parallelism and user config.
    let cfg = json!({
        "name": "free", "parallelism": 4, "userConfig": {"k": "v"},
        "inputSpecs": {"persistent://public/default/in": {"isRegexPattern": false}},
        "processingGuarantees": "ATLEAST_ONCE", "autoAck": true, "runtime": "JAVA"
    })
    .to_string();
    let a = put(&app, "free", &cfg).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let stored = fake.object(&function_path(&resource_name("free"))).unwrap();
    assert_eq!(stored["spec"]["replicas"], 4);
    // A regex flag may not flip.
    let cfg = json!({"inputSpecs": {"persistent://public/default/in": {"regexPattern": true}}})
        .to_string();
    let a = put(&app, "free", &cfg).await;
    assert_eq!(
        a.reason(),
        "isRegexPattern for input topic persistent://public/default/in cannot be altered"
    );
}

/// What the package-service stand-in saw and holds.
#[derive(Clone, Default)]
struct Packages {
    stored: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    metadata: Arc<Mutex<BTreeMap<String, Value>>>,
    calls: Arc<Mutex<Vec<String>>>,
}

async fn package_service() -> (String, Packages) {
    use axum::extract::{Path, State};
    use axum::routing::{get, post};
    type P = Path<(String, String, String, String, String)>;
    let key = |p: &(String, String, String, String, String)| {
        format!("{}://{}/{}/{}@{}", p.0, p.1, p.2, p.3, p.4)
    };
    let pk = Packages::default();
    let app =
        axum::Router::new()
            .route(
                "/admin/v3/packages/{kind}/{t}/{ns}/{n}/{v}",
                post(
                    move |State(s): State<Packages>,
                          Path(p): P,
                          mut form: axum::extract::Multipart| async move {
                        s.calls.lock().unwrap().push(format!("POST {}", key(&p)));
                        while let Some(field) = form.next_field().await.unwrap() {
                            let name = field.name().unwrap_or_default().to_owned();
                            let file_name = field.file_name().map(str::to_owned);
                            let bytes = field.bytes().await.unwrap().to_vec();
                            match name.as_str() {
                                "file" => {
                                    assert_eq!(file_name.as_deref(), Some("excl.jar"));
                                    s.stored.lock().unwrap().insert(key(&p), bytes);
                                }
                                "metadata" => {
                                    let m = serde_json::from_slice(&bytes).unwrap();
                                    s.metadata.lock().unwrap().insert(key(&p), m);
                                }
                                other => panic!("unexpected part {other}"),
                            }
                        }
                        StatusCode::NO_CONTENT
                    },
                )
                .get(move |State(s): State<Packages>, Path(p): P| async move {
                    match s.stored.lock().unwrap().get(&key(&p)) {
                        Some(b) => (StatusCode::OK, b.clone()),
                        None => (StatusCode::NOT_FOUND, Vec::new()),
                    }
                })
                .delete(move |State(s): State<Packages>, Path(p): P| async move {
                    s.calls.lock().unwrap().push(format!("DELETE {}", key(&p)));
                    match s.stored.lock().unwrap().remove(&key(&p)) {
                        Some(_) => StatusCode::NO_CONTENT,
                        None => StatusCode::NOT_FOUND,
                    }
                }),
            )
            .route(
                "/admin/v3/packages/{kind}/{t}/{ns}/{n}/{v}/metadata",
                get(move |State(s): State<Packages>, Path(p): P| async move {
                    if s.stored.lock().unwrap().contains_key(&key(&p)) {
                        StatusCode::OK
                    } else {
                        StatusCode::NOT_FOUND
                    }
                }),
            )
            .with_state(pk.clone());
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await });
    (format!("http://{addr}"), pk)
}

const TOKEN: &str = "worker-broker-token";

fn upload_worker(base: &str) -> (axum::Router, FakeApi) {
    worker_with(&format!(
        "pulsarFunctionsCluster: test-pulsar\npulsarWebServiceUrl: {base}\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:{TOKEN}\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n  uploadEnabled: true\n"
    ))
}

fn upload_config(name: &str) -> String {
    json!({
        "tenant": "public", "namespace": "default", "name": name,
        "className": "org.apache.pulsar.functions.api.examples.ExclamationFunction",
        "inputs": ["persistent://public/default/in"],
        "output": "persistent://public/default/out", "runtime": "JAVA"
    })
    .to_string()
}

fn data_part(content: &[u8]) -> Part<'_> {
    Part {
        headers: vec![
            "Content-Disposition: form-data; name=\"data\"; filename=\"/home/me/excl.jar\"".into(),
            "Content-Type: application/octet-stream".into(),
        ],
        content,
    }
}

#[tokio::test]
async fn data_uploads_stream_to_the_package_service_and_go_with_delete() {
    let (base, pk) = package_service().await;
    let (app, fake) = upload_worker(&base);
    let jar = examples_jar();
    let cfg = upload_config("up");
    // pulsar-admin sends the file before the config.
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/up"),
            &[data_part(&jar), Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let key = "function://public/default/up@latest";
    let stored_jar = pk
        .stored
        .lock()
        .unwrap()
        .get(key)
        .cloned()
        .expect("uploaded");
    assert!(stored_jar == jar, "the whole file, unchanged");
    let meta = pk
        .metadata
        .lock()
        .unwrap()
        .get(key)
        .cloned()
        .expect("metadata");
    let crc = crc32fast::hash(&jar);
    assert_eq!(
        meta,
        json!({
            "description": "mesh-worker-service created for function://public/default/up",
            "contact": "mesh-worker-service",
            "properties": {
                "tenant": "public", "namespace": "default", "functionName": "up",
                "fileName": "excl.jar", "fileSize": jar.len().to_string(),
                "checksum": crc.to_string(), "managedByMeshWorkerService": "true"
            }
        })
    );
    let path = function_path(&resource_name("up"));
    let stored = fake.object(&path).unwrap();
    assert_eq!(
        stored["spec"]["java"]["jarLocation"],
        "function://public/default/up"
    );
    assert_eq!(
        stored["metadata"]["annotations"]["fmesh.io/uploaded-package"],
        "function://public/default/up"
    );
    // The type arguments come from the uploaded jar's class.
    assert_eq!(stored["spec"]["input"]["typeClassName"], "java.lang.String");
    assert_eq!(
        stored["spec"]["output"]["typeClassName"],
        "java.lang.String"
    );
    // An update without a file keeps the mark (the resource still runs that package).
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/up"),
            &[Part::json("functionConfig", r#"{"parallelism": 2}"#)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let stored = fake.object(&path).unwrap();
    assert_eq!(
        stored["metadata"]["annotations"]["fmesh.io/uploaded-package"],
        "function://public/default/up"
    );
    let a = send(&app, request(Method::DELETE, &format!("{F}/up"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    assert!(pk.stored.lock().unwrap().is_empty());
    let calls = pk.calls.lock().unwrap().clone();
    assert_eq!(calls, [format!("POST {key}"), format!("DELETE {key}")]);
}

#[tokio::test]
async fn a_create_refused_after_its_upload_removes_the_package() {
    let (base, pk) = package_service().await;
    let (app, fake) = upload_worker(&base);
    let bad = json!({"name": "bad", "runtime": "JAVA", "parallelism": -1}).to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/bad"),
            &[data_part(b"PK\x03\x04"), Part::json("functionConfig", &bad)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert!(pk.stored.lock().unwrap().is_empty());
    assert!(fake.object(&function_path(&resource_name("bad"))).is_none());
    // A package the worker did not upload stays at delete.
    create_function_with_url(&app, "kept", &pk).await;
    let a = send(&app, request(Method::DELETE, &format!("{F}/kept"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    assert_eq!(pk.stored.lock().unwrap().len(), 1);
}

async fn create_function_with_url(app: &axum::Router, name: &str, pk: &Packages) {
    pk.stored.lock().unwrap().insert(
        "function://public/default/exclamation@1.0".into(),
        examples_jar(),
    );
    create_function(app, name).await;
}

#[tokio::test]
async fn a_class_the_jar_does_not_have_is_400_naming_it() {
    let (base, pk) = package_service().await;
    let (app, fake) = upload_worker(&base);
    let jar = examples_jar();
    let cfg = upload_config("nocls").replace("ExclamationFunction", "NoSuchFunction");
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/nocls"),
            &[data_part(&jar), Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert_eq!(
        a.reason(),
        "Function class org.apache.pulsar.functions.api.examples.NoSuchFunction cannot be read \
         from function://public/default/nocls: class \
         org.apache.pulsar.functions.api.examples.NoSuchFunction is not in the jar"
    );
    assert!(fake
        .object(&function_path(&resource_name("nocls")))
        .is_none());
    assert!(
        pk.stored.lock().unwrap().is_empty(),
        "the upload is removed"
    );
}

#[tokio::test]
async fn types_the_config_gives_are_kept() {
    let (base, _) = package_service().await;
    let (app, fake) = upload_worker(&base);
    let cfg = json!({
        "name": "given", "runtime": "JAVA", "className": "org.example.NotInTheJar",
        "inputs": ["persistent://public/default/in"],
        "inputTypeClassName": "[B", "outputTypeClassName": "java.lang.Integer"
    })
    .to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/given"),
            &[data_part(b"PK"), Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let stored = fake
        .object(&function_path(&resource_name("given")))
        .unwrap();
    assert_eq!(stored["spec"]["input"]["typeClassName"], "[B");
    assert_eq!(
        stored["spec"]["output"]["typeClassName"],
        "java.lang.Integer"
    );
}
