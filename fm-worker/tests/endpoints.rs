//! Every endpoint, its success and its error paths, against an in-memory API server.

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

#[tokio::test]
async fn status_of_unknown_is_404_and_of_known_counts_instances() {
    let (app, fake) = worker();
    let a = send(&app, request(Method::GET, &format!("{F}/nope/status"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    create_function(&app, "s").await;
    let name = resource_name("s");
    fake.put(
        &format!("/apis/apps/v1/namespaces/fmesh/statefulsets/{name}-function"),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": format!("{name}-function")},
               "spec": {"selector": {}, "serviceName": "x", "template": {}},
               "status": {"replicas": 2, "readyReplicas": 1}}),
    );
    let a = send(&app, request(Method::GET, &format!("{F}/s/status"))).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.json["numInstances"], 2);
    assert_eq!(a.json["numRunning"], 1);
    let a = send(&app, request(Method::GET, &format!("{F}/s/1/status"))).await;
    assert_eq!(a.status, StatusCode::OK, "{a:?}");
    assert_eq!(a.json["running"], false);
    let a = send(&app, request(Method::GET, &format!("{F}/s/7/status"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.reason(), "Function s has no instance 7");
    let a = send(&app, request(Method::GET, &format!("{F}/s/x/status"))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stop_keeps_the_parallelism_and_start_restores_it() {
    let (app, fake) = worker();
    create_function(&app, "l").await;
    let path = function_path(&resource_name("l"));
    let a = send(&app, request(Method::POST, &format!("{F}/l/stop"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let o = fake.object(&path).unwrap();
    assert_eq!(o["spec"]["replicas"], 0);
    assert_eq!(
        o["metadata"]["annotations"]["fmesh.io/stopped-parallelism"],
        "2"
    );
    // get shows the parallelism the function will run with.
    let a = send(&app, request(Method::GET, &format!("{F}/l"))).await;
    assert_eq!(a.json["parallelism"], 2);
    // stopping twice changes nothing
    let before = fake.log().len();
    let a = send(&app, request(Method::POST, &format!("{F}/l/stop"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(fake.log()[before..]
        .iter()
        .all(|r| r.method != Method::PATCH));
    let a = send(&app, request(Method::POST, &format!("{F}/l/start"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let o = fake.object(&path).unwrap();
    assert_eq!(o["spec"]["replicas"], 2);
    assert!(o["metadata"]["annotations"]
        .get("fmesh.io/stopped-parallelism")
        .is_none());
}

#[tokio::test]
async fn update_of_a_stopped_function_keeps_it_stopped() {
    let (app, fake) = worker();
    create_function(&app, "ks").await;
    let path = function_path(&resource_name("ks"));
    send(&app, request(Method::POST, &format!("{F}/ks/stop"))).await;
    let cfg = function_config("ks").replace("\"parallelism\":2", "\"parallelism\":5");
    let a = send(
        &app,
        multipart(
            Method::PUT,
            &format!("{F}/ks"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/exclamation@1.0"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let o = fake.object(&path).unwrap();
    assert_eq!(o["spec"]["replicas"], 0);
    assert_eq!(
        o["metadata"]["annotations"]["fmesh.io/stopped-parallelism"],
        "5"
    );
}

#[tokio::test]
async fn restart_rolls_the_pods() {
    let (app, fake) = worker();
    create_function(&app, "r").await;
    let a = send(&app, request(Method::POST, &format!("{F}/r/restart"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let o = fake.object(&function_path(&resource_name("r"))).unwrap();
    assert!(
        o["spec"]["pod"]["annotations"]["fmesh.io/restarted-at"].is_string(),
        "{o}"
    );
    let a = send(&app, request(Method::POST, &format!("{F}/unknown/restart"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn per_instance_lifecycle_is_400_with_a_reason() {
    let (app, _) = worker();
    for action in ["start", "stop", "restart"] {
        let a = send(&app, request(Method::POST, &format!("{F}/x/0/{action}"))).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{action}");
        assert!(a.reason().contains("one StatefulSet"), "{a:?}");
    }
    let a = send(&app, request(Method::POST, &format!("{F}/x/0/explode"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = send(&app, request(Method::POST, &format!("{F}/x/explode"))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unsupported_function_endpoints_are_400_with_a_reason() {
    let (app, _) = worker();
    for (m, p) in [
        (Method::GET, format!("{F}/x/stats")),
        (Method::GET, format!("{F}/x/0/stats")),
        (Method::POST, format!("{F}/x/trigger")),
        (Method::GET, format!("{F}/x/state/k")),
        (Method::POST, format!("{F}/x/state/k")),
        (Method::GET, format!("{F}/x/download")),
        (Method::POST, "/admin/v3/functions/upload".into()),
        (Method::GET, "/admin/v3/functions/download".into()),
        (
            Method::PUT,
            "/admin/v3/functions/leader/public/default/x".into(),
        ),
    ] {
        let a = send(&app, request(m.clone(), &p)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{m} {p}");
        assert!(a.reason().contains("not supported"), "{m} {p}: {a:?}");
    }
}

#[tokio::test]
async fn unknown_paths_are_404_json() {
    let (app, _) = worker();
    let a = send(&app, request(Method::GET, "/admin/v2/worker/cluster")).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.reason(), "no such endpoint: GET /admin/v2/worker/cluster");
}

#[tokio::test]
async fn builtin_connectors_are_listed_per_kind_under_both_spellings() {
    let (app, _) = worker();
    for base in ["/admin/v3/sinks", "/admin/v3/sink"] {
        let a = send(&app, request(Method::GET, &format!("{base}/builtinsinks"))).await;
        assert_eq!(a.status, StatusCode::OK);
        let names: Vec<&str> = a
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(names, ["elastic_search"]);
    }
    for base in ["/admin/v3/sources", "/admin/v3/source"] {
        let a = send(
            &app,
            request(Method::GET, &format!("{base}/builtinsources")),
        )
        .await;
        let names: Vec<&str> = a
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(names, ["data-generator"]);
    }
    let a = send(&app, request(Method::GET, "/admin/v3/functions/connectors")).await;
    assert_eq!(a.json.as_array().unwrap().len(), 2);
    // Only Pulsar's ConnectorDefinition fields.
    assert!(a.json[0].get("imageRepository").is_none(), "{}", a.json);
    let a = send(
        &app,
        request(
            Method::GET,
            "/admin/v3/sinks/builtinsinks/elastic_search/configdefinition",
        ),
    )
    .await;
    assert_eq!(a.json, json!([]));
    let a = send(
        &app,
        request(
            Method::GET,
            "/admin/v3/sinks/builtinsinks/nope/configdefinition",
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = send(
        &app,
        request(Method::POST, "/admin/v3/sinks/reloadBuiltInSinks"),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let a = send(&app, request(Method::GET, "/admin/v3/functions/builtins")).await;
    assert_eq!(a.json, json!([]));
}

#[tokio::test]
async fn builtin_sink_and_source_are_created_from_the_catalogue() {
    let (app, fake) = worker();
    let sink = json!({"archive": "builtin://elastic_search", "inputs": ["persistent://public/default/es-in"],
                      "configs": {"elasticSearchUrl": "http://elastic:9200"}})
    .to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            "/admin/v3/sink/public/default/es",
            &[Part::json("sinkConfig", &sink)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let source = json!({"archive": "builtin://data-generator", "topicName": "persistent://public/default/gen"}).to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            "/admin/v3/sources/public/default/gen",
            &[Part::json("sourceConfig", &source)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let kinds: Vec<String> = fake.paths();
    assert!(kinds.iter().any(|p| p.contains("/sinks/es-")), "{kinds:?}");
    assert!(
        kinds.iter().any(|p| p.contains("/sources/gen-")),
        "{kinds:?}"
    );
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/sinks/public/default/es"),
    )
    .await;
    assert_eq!(a.json["archive"], "builtin://elastic_search", "{a:?}");
    let a = send(
        &app,
        request(Method::GET, "/admin/v3/sources/public/default"),
    )
    .await;
    assert_eq!(a.json, json!(["gen"]));
    // Unknown connector type: 400 naming it.
    let sink = json!({"archive": "builtin://nope", "inputs": ["persistent://public/default/x"]})
        .to_string();
    let a = send(
        &app,
        multipart(
            Method::POST,
            "/admin/v3/sinks/public/default/x",
            &[Part::json("sinkConfig", &sink)],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.reason().contains("nope"), "{a:?}");
}

#[tokio::test]
async fn auth_secrets_are_applied_with_the_resource_and_deleted_with_it() {
    let (app, fake) = worker_with(
        "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:worker-secret-token\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n",
    );
    let cfg = function_config("sec");
    let req = {
        let mut r = multipart(
            Method::POST,
            &format!("{F}/sec"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/exclamation@1.0"),
            ],
        );
        r.headers_mut()
            .insert("authorization", "Bearer caller-token".parse().unwrap());
        r
    };
    let a = send(&app, req).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
    let secrets: Vec<String> = fake
        .paths()
        .into_iter()
        .filter(|p| p.contains("/secrets/"))
        .collect();
    assert_eq!(secrets.len(), 1, "{secrets:?}");
    let secret = fake.object(&secrets[0]).unwrap();
    assert_eq!(
        secret["metadata"]["labels"]["fmesh.io/owner-kind"],
        "function"
    );
    assert_eq!(secret["metadata"]["ownerReferences"][0]["kind"], "Function");
    let resource = fake.object(&function_path(&resource_name("sec"))).unwrap();
    assert_eq!(
        resource["spec"]["pulsar"]["authSecret"],
        secret["metadata"]["name"],
    );
    let a = send(&app, request(Method::DELETE, &format!("{F}/sec"))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    assert!(
        fake.paths().iter().all(|p| !p.contains("/secrets/")),
        "{:?}",
        fake.paths()
    );
}

#[tokio::test]
async fn secret_failures_never_echo_the_api_servers_message() {
    let (app, fake) = worker_with(
        "pulsarFunctionsCluster: test-pulsar\nauthenticationEnabled: true\n\
         brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
         brokerClientAuthenticationParameters: token:worker-secret-token\n\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: fmesh\n",
    );
    fake.fail_next(Method::PATCH, "/secrets/", 422);
    let cfg = function_config("sf");
    let mut r = multipart(
        Method::POST,
        &format!("{F}/sf"),
        &[
            Part::json("functionConfig", &cfg),
            Part::text("url", "function://public/default/exclamation@1.0"),
        ],
    );
    r.headers_mut()
        .insert("authorization", "Bearer caller-token".parse().unwrap());
    let a = send(&app, r).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR, "{a:?}");
    assert!(!a.text.contains("injected failure"), "{a:?}");
    assert!(
        a.reason().contains("applying Secret function-auth-"),
        "{a:?}"
    );
}

#[tokio::test]
async fn crd_check_names_the_missing_crds() {
    let fake = FakeApi::default().without_crds();
    let state = fm_worker::WorkerState::new(settings(WORKER_CONFIG), fake.client());
    let e = state.check_cluster().await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "the Function Mesh CRDs are not installed in the cluster (missing: \
         functions.compute.functionmesh.io, sinks.compute.functionmesh.io, \
         sources.compute.functionmesh.io); install Function Mesh (or `fmesh crd all | kubectl \
         apply -f -`) first"
    );
    let fake = FakeApi::default();
    let state = fm_worker::WorkerState::new(settings(WORKER_CONFIG), fake.client());
    state.check_cluster().await.unwrap();
}

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
