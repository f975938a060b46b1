//! Status, start/stop/restart, the endpoints not served, unknown paths, the connector catalogue,
//! auth Secrets and the CRD check, against an in-memory API server.

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
