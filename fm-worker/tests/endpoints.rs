//! The create, get, list, update and delete endpoints, their success and error paths, against an
//! in-memory API server (status, lifecycle and the catalogue: `control.rs`; the worker config,
//! identity headers and packages: `config_and_packages.rs`).

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

#[tokio::test]
async fn create_writes_the_resource_owned_by_the_apply_manager() {
    let (app, fake) = worker();
    create_function(&app, "excl").await;
    let name = resource_name("excl");
    let stored = fake.object(&function_path(&name)).expect("stored");
    assert_eq!(stored["kind"], "Function");
    assert_eq!(stored["metadata"]["namespace"], "fmesh");
    assert_eq!(stored["spec"]["replicas"], 2);
    assert_eq!(
        stored["spec"]["java"]["jarLocation"],
        "function://public/default/exclamation@1.0"
    );
    let post = fake
        .log()
        .into_iter()
        .find(|r| r.method == Method::POST)
        .expect("a create");
    assert!(post.query.contains("fieldManager=fmesh-worker"), "{post:?}");
    // Its fields are handed to the server-side-apply manager, so updates can remove them.
    let managed = &stored["metadata"]["managedFields"][0];
    assert_eq!(managed["manager"], "fmesh-worker");
    assert_eq!(managed["operation"], "Apply");
}

#[tokio::test]
async fn create_accepts_pulsarctl_part_headers_and_gson_spelling() {
    let (app, fake) = worker();
    // pulsarctl: trailing space after the name; a charset parameter; Gson's `isRegexPattern`.
    let cfg = json!({
        "tenant": "public", "namespace": "default", "name": "ctl",
        "className": "org.example.F",
        "inputSpecs": {"persistent://public/default/in-.*": {"isRegexPattern": true}},
        "output": "persistent://public/default/out",
        "jar": "function://public/default/f@1"
    })
    .to_string();
    let parts = [
        Part {
            headers: vec![
                "Content-Disposition: form-data; name=\"functionConfig\" ".into(),
                "Content-Type: application/json; charset=UTF-8".into(),
            ],
            content: cfg.as_bytes(),
        },
        Part {
            headers: vec![
                "Content-Disposition: form-data; name=\"url\" ".into(),
                "Content-Type: text/plain".into(),
            ],
            content: b"function://public/default/f@1",
        },
    ];
    let a = send(&app, multipart(Method::POST, &format!("{F}/ctl"), &parts)).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let stored = fake
        .object(&function_path(&resource_name("ctl")))
        .expect("stored");
    let specs = &stored["spec"]["input"]["sourceSpecs"]["persistent://public/default/in-.*"];
    assert_eq!(specs["isRegexPattern"], true, "{stored}");
}

#[tokio::test]
async fn create_of_an_existing_name_is_400_already_exists() {
    let (app, _) = worker();
    create_function(&app, "twice").await;
    let cfg = function_config("twice");
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/twice"),
            &[Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.reason(), "Function twice already exists");
}

#[tokio::test]
async fn create_without_config_part_is_400() {
    let (app, fake) = worker();
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/x"),
            &[Part::text("url", "function://public/default/x@1")],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.reason(), "Function config is not provided");
    assert!(fake.log().is_empty(), "nothing asked of the API server");
}

#[tokio::test]
async fn create_with_a_non_multipart_body_is_400() {
    let (app, _) = worker();
    let req = http::Request::builder()
        .method(Method::POST)
        .uri(format!("{F}/x"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let a = send(&app, req).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.reason().contains("multipart/form-data"), "{a:?}");
}

#[tokio::test]
async fn create_with_a_broken_multipart_body_is_400() {
    let (app, _) = worker();
    let req = http::Request::builder()
        .method(Method::POST)
        .uri(format!("{F}/x"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(axum::body::Body::from(format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"functionConfig\"\r\n\r\n{{"
        )))
        .unwrap();
    let a = send(&app, req).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{a:?}");
    assert!(
        a.reason().starts_with("the multipart body cannot be read"),
        "{a:?}"
    );
}

#[tokio::test]
async fn create_with_an_unreadable_config_names_the_field() {
    let (app, _) = worker();
    let cfg = r#"{"className": "a.B", "parallelism": "many", "inputs": ["t"]}"#;
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/x"),
            &[Part::json("functionConfig", cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.reason().starts_with("functionConfig: parallelism: "),
        "{a:?}"
    );
}

#[tokio::test]
async fn create_with_an_invalid_config_lists_every_problem() {
    let (app, fake) = worker();
    let cfg = json!({
        "className": "a.B",
        "parallelism": -1,
        "inputs": ["persistent://public/default/in"],
        "jar": "function://public/default/x@1",
        "resources": {"cpu": -2.0}
    })
    .to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            &format!("{F}/x"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/x@1"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let r = a.reason();
    assert!(r.starts_with("Function config is invalid ("), "{r}");
    assert!(r.contains("parallelism: "), "{r}");
    assert!(r.contains("resources.cpu: "), "{r}");
    assert!(fake.log().iter().all(|r| r.method != Method::PATCH));
}

#[tokio::test]
async fn create_with_a_data_part_is_400_when_uploads_are_off() {
    let (app, _) = worker();
    let cfg = function_config("up");
    let data = Part {
        headers: vec![
            "Content-Disposition: form-data; name=\"data\"; filename=\"f.jar\"".into(),
            "Content-Type: application/octet-stream".into(),
        ],
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
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.reason(), "Uploading Jar File is not enabled");
}

#[tokio::test]
async fn invalid_path_names_are_400() {
    let (app, _) = worker();
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/functions/pub%20lic/default/x"),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(
        a.reason().starts_with("tenant: not a valid Pulsar name"),
        "{a:?}"
    );
}

#[tokio::test]
async fn disabled_kind_is_400() {
    let (app, _) = worker_with(
        "pulsarFunctionsCluster: c\nfunctionsWorkerServiceCustomConfigs:\n  sinkEnabled: false\n",
    );
    for path in [
        "/admin/v3/sinks/public/default",
        "/admin/v3/sink/public/default/x",
        "/admin/v3/sinks/builtinsinks",
    ] {
        let a = send(&app, request(Method::GET, path)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(a.reason(), "Sink API is disabled", "{path}");
    }
}

#[tokio::test]
async fn get_returns_the_config_and_unknown_is_404() {
    let (app, _) = worker();
    create_function(&app, "g").await;
    let a = send(&app, request(Method::GET, &format!("{F}/g"))).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.json["name"], "g");
    assert_eq!(a.json["parallelism"], 2);
    assert_eq!(a.json["jar"], "function://public/default/exclamation@1.0");
    let a = send(&app, request(Method::GET, &format!("{F}/nope"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.reason(), "Function nope doesn't exist");
}

#[tokio::test]
async fn list_gives_the_component_names() {
    let (app, _) = worker();
    create_function(&app, "b").await;
    create_function(&app, "a").await;
    let a = send(&app, request(Method::GET, F)).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json, json!(["a", "b"]));
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/functions/public/other"),
    )
    .await;
    assert_eq!(a.json, json!([]));
}

#[tokio::test]
async fn list_failure_is_500_not_an_empty_list() {
    let (app, fake) = worker();
    fake.fail_next(Method::GET, "/functions", 500);
    let a = send(&app, request(Method::GET, F)).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        a.reason().starts_with("Kubernetes API server: 500"),
        "{a:?}"
    );
}

#[tokio::test]
async fn update_applies_with_the_resource_version() {
    let (app, fake) = worker();
    create_function(&app, "u").await;
    let path = function_path(&resource_name("u"));
    let rv = fake.object(&path).unwrap()["metadata"]["resourceVersion"].clone();
    let cfg = function_config("u").replace("\"parallelism\":2", "\"parallelism\":3");
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/u"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/exclamation@1.0"),
                Part::json("updateOptions", r#"{"updateAuthData":false}"#),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    assert_eq!(fake.object(&path).unwrap()["spec"]["replicas"], 3);
    let apply = fake
        .log()
        .into_iter()
        .rfind(|r| r.method == Method::PATCH)
        .unwrap();
    assert_eq!(apply.body["metadata"]["resourceVersion"], rv);
}

#[tokio::test]
async fn update_of_unknown_is_404() {
    let (app, _) = worker();
    let cfg = function_config("ghost");
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/ghost"),
            &[Part::json("functionConfig", &cfg)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.reason(), "Function ghost doesn't exist");
}

#[tokio::test]
async fn concurrent_change_during_update_is_409() {
    let (app, fake) = worker();
    create_function(&app, "c").await;
    // The API server answers the resource-version precondition with 409.
    fake.fail_next(Method::PATCH, "/functions/", 409);
    let cfg = function_config("c");
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/c"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/exclamation@1.0"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(a.reason().contains("was changed by someone else"), "{a:?}");
}

#[tokio::test]
async fn update_with_bad_update_options_is_400() {
    let (app, _) = worker();
    create_function(&app, "o").await;
    let cfg = function_config("o");
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/o"),
            &[
                Part::json("functionConfig", &cfg),
                Part::json("updateOptions", "{not json"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.reason().starts_with("updateOptions: "), "{a:?}");
}

#[tokio::test]
async fn delete_removes_and_unknown_is_404() {
    let (app, fake) = worker();
    create_function(&app, "d").await;
    let a = send(&app, request(Method::DELETE, &format!("{F}/d"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(fake.object(&function_path(&resource_name("d"))).is_none());
    let a = send(&app, request(Method::DELETE, &format!("{F}/d"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.reason(), "Function d doesn't exist");
}

#[tokio::test]
async fn delete_forbidden_by_kubernetes_is_500_naming_the_cause() {
    let (app, fake) = worker();
    create_function(&app, "f").await;
    fake.fail_next(Method::DELETE, "/functions/", 403);
    let a = send(&app, request(Method::DELETE, &format!("{F}/f"))).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        a.reason().contains("not allowed to do this in Kubernetes"),
        "{a:?}"
    );
}
