//! Test support: an in-memory stand-in for the Kubernetes API server (a tower service behind
//! `kube::Client::new`), enough for the worker's calls: get, list by label, server-side apply,
//! merge patch with resource-version preconditions, delete. Every request is recorded; a failure
//! can be injected for the next matching request.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use fm_worker::{router, Catalogue, Library, Settings, WorkerState};
use http::{Method, Request, Response, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: String,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    objects: BTreeMap<String, Value>,
    log: Vec<Recorded>,
    fail: Vec<(Method, String, u16)>,
    next_rv: u64,
    missing_crds: bool,
}

/// The fake API server.
#[derive(Clone, Default)]
pub struct FakeApi(Arc<Mutex<Inner>>);

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
               "reason": reason, "message": message}),
    )
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn labels_match(obj: &Value, selector: &str) -> bool {
    selector.split(',').filter(|s| !s.is_empty()).all(|term| {
        let (k, v) = term.split_once('=').unwrap_or((term, ""));
        obj.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            == Some(v)
    })
}

fn query_param(query: &str, key: &str) -> Option<String> {
    url_decode(
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))?,
    )
}

fn url_decode(s: &str) -> Option<String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

impl FakeApi {
    /// Makes the CRDs look uninstalled (every list/get of a Function Mesh kind is a 404).
    pub fn without_crds(self) -> Self {
        self.0.lock().unwrap().missing_crds = true;
        self
    }

    /// The next request with this method whose path contains `path_part` fails with `code`.
    pub fn fail_next(&self, method: Method, path_part: &str, code: u16) {
        self.0
            .lock()
            .unwrap()
            .fail
            .push((method, path_part.to_owned(), code));
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Recorded> {
        self.0.lock().unwrap().log.clone()
    }

    /// The stored object at an API path (`/apis/.../functions/name`).
    pub fn object(&self, path: &str) -> Option<Value> {
        self.0.lock().unwrap().objects.get(path).cloned()
    }

    /// Stored object paths.
    pub fn paths(&self) -> Vec<String> {
        self.0.lock().unwrap().objects.keys().cloned().collect()
    }

    /// Changes a stored object behind the worker's back (bumps its resource version).
    pub fn touch(&self, path: &str) {
        let mut g = self.0.lock().unwrap();
        g.next_rv += 1;
        let rv = g.next_rv.to_string();
        if let Some(o) = g.objects.get_mut(path) {
            o["metadata"]["resourceVersion"] = json!(rv);
        }
    }

    /// Stores an object directly.
    pub fn put(&self, path: &str, mut obj: Value) {
        let mut g = self.0.lock().unwrap();
        g.next_rv += 1;
        obj["metadata"]["resourceVersion"] = json!(g.next_rv.to_string());
        obj["metadata"]["uid"] = json!(format!("uid-{}", g.next_rv));
        g.objects.insert(path.to_owned(), obj);
    }

    fn handle(
        &self,
        method: Method,
        path: &str,
        query: &str,
        content_type: &str,
        body: Value,
    ) -> (u16, Value) {
        let mut g = self.0.lock().unwrap();
        g.log.push(Recorded {
            method: method.clone(),
            path: path.to_owned(),
            query: query.to_owned(),
            body: body.clone(),
        });
        if let Some(i) = g
            .fail
            .iter()
            .position(|(m, p, _)| *m == method && path.contains(p.as_str()))
        {
            let (_, _, code) = g.fail.remove(i);
            return status(code, "Injected", "injected failure");
        }
        if g.missing_crds && path.starts_with("/apis/compute.functionmesh.io/") {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        // Collection paths: /api/v1/namespaces/ns/secrets, /apis/g/v/namespaces/ns/plural.
        let is_collection = matches!(segments.len(), 5 if segments[0] == "api")
            || matches!(segments.len(), 6 if segments[0] == "apis");
        match method {
            Method::POST if is_collection => {
                let name = body
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let at = format!("{path}/{name}");
                if g.objects.contains_key(&at) {
                    return status(409, "AlreadyExists", &format!("{name} already exists"));
                }
                g.next_rv += 1;
                let mut obj = body.clone();
                obj["metadata"]["uid"] = json!(format!("uid-{}", g.next_rv));
                obj["metadata"]["resourceVersion"] = json!(g.next_rv.to_string());
                obj["metadata"]["managedFields"] = json!([{
                    "manager": query_param(query, "fieldManager").unwrap_or_default(),
                    "operation": "Update", "apiVersion": obj["apiVersion"].clone(),
                    "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}
                }]);
                g.objects.insert(at, obj.clone());
                (201, obj)
            }
            Method::GET if is_collection => {
                let selector = query_param(query, "labelSelector").unwrap_or_default();
                let prefix = format!("{path}/");
                let items: Vec<Value> = g
                    .objects
                    .iter()
                    .filter(|(p, o)| {
                        p.starts_with(&prefix)
                            && !p[prefix.len()..].contains('/')
                            && labels_match(o, &selector)
                    })
                    .map(|(_, o)| o.clone())
                    .collect();
                (
                    200,
                    json!({"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": items}),
                )
            }
            Method::GET => match g.objects.get(path) {
                Some(o) => (200, o.clone()),
                None => status(404, "NotFound", &format!("{path} not found")),
            },
            Method::DELETE => match g.objects.remove(path) {
                Some(o) => (200, o),
                None => status(404, "NotFound", &format!("{path} not found")),
            },
            Method::PATCH => {
                let wanted_rv = body
                    .pointer("/metadata/resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let apply = content_type.starts_with("application/apply-patch");
                let existing = g.objects.get(path).cloned();
                if let (Some(rv), Some(e)) = (&wanted_rv, &existing) {
                    if e.pointer("/metadata/resourceVersion")
                        .and_then(Value::as_str)
                        != Some(rv.as_str())
                    {
                        return status(409, "Conflict", "the object has been modified");
                    }
                }
                if existing.is_none() && !apply {
                    return status(404, "NotFound", &format!("{path} not found"));
                }
                let mut obj = match (existing, apply) {
                    (Some(mut e), true) => {
                        let uid = e["metadata"]["uid"].clone();
                        e = body.clone();
                        e["metadata"]["uid"] = uid;
                        e
                    }
                    (Some(mut e), false) => {
                        merge(&mut e, &body);
                        e
                    }
                    (None, _) => {
                        let mut b = body.clone();
                        let n = g.next_rv + 1;
                        b["metadata"]["uid"] = json!(format!("uid-{n}"));
                        b
                    }
                };
                g.next_rv += 1;
                obj["metadata"]["resourceVersion"] = json!(g.next_rv.to_string());
                g.objects.insert(path.to_owned(), obj.clone());
                (200, obj)
            }
            _ => status(405, "MethodNotAllowed", "not supported by the fake"),
        }
    }

    /// A kube client talking to this fake.
    pub fn client(&self) -> kube::Client {
        let fake = self.clone();
        let svc = tower::service_fn(move |req: Request<kube::client::Body>| {
            let fake = fake.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(Body::new(body), usize::MAX)
                    .await
                    .unwrap_or_default();
                let body: Value = if bytes.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
                };
                let (code, out) = fake.handle(
                    parts.method.clone(),
                    parts.uri.path(),
                    parts.uri.query().unwrap_or_default(),
                    parts
                        .headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default(),
                    body,
                );
                let resp = Response::builder()
                    .status(code)
                    .header("content-type", "application/json")
                    .body(kube::client::Body::from(serde_json::to_vec(&out).unwrap()))
                    .unwrap();
                Ok::<_, Infallible>(resp)
            }
        });
        kube::Client::new(svc, "default")
    }
}

/// The worker config of most tests.
pub const WORKER_CONFIG: &str = r#"
pulsarFunctionsCluster: test-pulsar
functionsWorkerServiceCustomConfigs:
  jobNamespace: fmesh
  functionRunnerImages:
    JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1
"#;

/// A catalogue with one sink and one source connector.
pub const CONNECTORS: &str = r#"
- id: pulsar-io-elastic-search
  name: elastic_search
  description: Writes data into Elasticsearch
  sinkClass: org.apache.pulsar.io.elasticsearch.ElasticSearchSink
  imageRepository: streamnative/pulsar-io-elastic-search
  version: 3.0.0.1
- id: pulsar-io-data-generator
  name: data-generator
  sourceClass: org.apache.pulsar.io.datagenerator.DataGeneratorSource
  imageRepository: streamnative/pulsar-io-data-generator
  version: 3.0.0.1
"#;

/// Settings from a worker config text and the test catalogue.
pub fn settings(worker_config: &str) -> Settings {
    Settings {
        library: Library::from_worker_config("functions_worker.yml", worker_config, None, None)
            .unwrap(),
        catalogue: Catalogue::parse("connectors.yaml", CONNECTORS).unwrap(),
        connectors_path: None,
    }
}

/// A worker on a fresh fake.
pub fn worker() -> (axum::Router, FakeApi) {
    worker_with(WORKER_CONFIG)
}

/// A worker with this config on a fresh fake.
pub fn worker_with(config: &str) -> (axum::Router, FakeApi) {
    let fake = FakeApi::default();
    let state = WorkerState::new(settings(config), fake.client());
    (router(state), fake)
}

/// An answer: status, parsed JSON body (Null when empty), raw text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub json: Value,
    pub text: String,
}

impl Answer {
    /// The `reason` of an error answer.
    pub fn reason(&self) -> &str {
        self.json["reason"].as_str().unwrap_or_default()
    }
}

/// Sends a request to the router.
pub async fn send(app: &axum::Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer {
        status,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        text,
    }
}

/// A request without body.
pub fn request(method: Method, uri: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .unwrap()
}

/// One part of a multipart body: raw header lines and content.
pub struct Part<'a> {
    pub headers: Vec<String>,
    pub content: &'a [u8],
}

impl<'a> Part<'a> {
    /// A JSON part as pulsar-admin sends it.
    pub fn json(name: &str, content: &'a str) -> Self {
        Part {
            headers: vec![
                format!("Content-Disposition: form-data; name=\"{name}\""),
                "Content-Type: application/json".into(),
            ],
            content: content.as_bytes(),
        }
    }

    /// A text part.
    pub fn text(name: &str, content: &'a str) -> Self {
        Part {
            headers: vec![
                format!("Content-Disposition: form-data; name=\"{name}\""),
                "Content-Type: text/plain".into(),
            ],
            content: content.as_bytes(),
        }
    }
}

pub const BOUNDARY: &str = "fmesh-test-boundary-7c1e";

/// A multipart/form-data request.
pub fn multipart(method: Method, uri: &str, parts: &[Part<'_>]) -> Request<Body> {
    let mut body = Vec::new();
    for p in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        for h in &p.headers {
            body.extend_from_slice(h.as_bytes());
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(p.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::builder()
        .method(method)
        .uri(uri)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// A function config for public/default/<name>.
pub fn function_config(name: &str) -> String {
    json!({
        "tenant": "public", "namespace": "default", "name": name,
        "className": "org.apache.pulsar.functions.api.examples.ExclamationFunction",
        "inputs": ["persistent://public/default/in"],
        "output": "persistent://public/default/out",
        "jar": "function://public/default/exclamation@1.0",
        "parallelism": 2
    })
    .to_string()
}

/// Creates public/default/<name> (a function) and asserts 204.
pub async fn create_function(app: &axum::Router, name: &str) {
    let cfg = function_config(name);
    let a = send(
        app,
        multipart(
            Method::POST,
            &format!("/admin/v3/functions/public/default/{name}"),
            &[
                Part::json("functionConfig", &cfg),
                Part::text("url", "function://public/default/exclamation@1.0"),
            ],
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{a:?}");
}

/// API path of a function resource in the test namespace.
pub fn function_path(resource_name: &str) -> String {
    format!("/apis/compute.functionmesh.io/v1alpha1/namespaces/fmesh/functions/{resource_name}")
}

/// The resource name of public/default/<name> in cluster test-pulsar.
pub fn resource_name(name: &str) -> String {
    settings(WORKER_CONFIG)
        .library
        .resource_name("public", "default", name)
}

/// Pulsar's functions API examples jar (`conformance/scripts/prepare-pulsar.sh` puts it in the
/// cache's Maven repository).
pub fn examples_jar() -> Vec<u8> {
    let cache = std::env::var_os("FMESH_CACHE")
        .filter(|c| !c.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache"));
    let v = "4.0.7";
    let jar = cache
        .join("m2/org/apache/pulsar/pulsar-functions-api-examples")
        .join(v)
        .join(format!("pulsar-functions-api-examples-{v}.jar"));
    std::fs::read(&jar).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run conformance/scripts/prepare.sh to fetch it)",
            jar.display()
        )
    })
}
