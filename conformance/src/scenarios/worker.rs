//! Scenario 10: the fmesh worker service (`fm-worker`), served in-process on a free loopback port
//! against the harness's real API server, driven by the real `pulsar-admin --admin-url …`. After
//! every step the resource in the API server is checked.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Instant;

use fm_worker::{Catalogue, Library, Settings, WorkerState};
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{harness_failure, Ctx, Scenario};
use crate::backend::PulsarAdmin;
use crate::kubeutil::ensure_namespace;
use crate::report::{Failure, Outcome};
use crate::{crds, require};

/// Kubernetes namespace the worker writes to.
const NS: &str = "fmesh-worker";
const TENANT: &str = "public";
const PULSAR_NS: &str = "default";
const PACKAGE: &str = "function://public/default/fmesh-worker-exclamation@v2";
const CLASS: &str = "org.apache.pulsar.functions.api.examples.ExclamationFunction";

/// The scenarios of this file, in run order.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        super::scenario("10 worker: pulsar-admin functions lifecycle", |c| {
            Box::pin(functions_lifecycle(c))
        }),
        super::scenario("10 worker: pulsar-admin sinks and sources", |c| {
            Box::pin(connectors(c))
        }),
        super::scenario("10 worker: bad config is 400 with every problem", |c| {
            Box::pin(bad_config(c))
        }),
        super::scenario(
            "10 worker: 16 concurrent creates land; stale update is 409; restarted worker lists the same",
            |c| Box::pin(concurrency_and_restart(c)),
        ),
    ]
}

fn worker_config(pulsar_web_service_url: Option<String>) -> String {
    let web = pulsar_web_service_url
        .map(|u| format!("pulsarWebServiceUrl: {u}\n"))
        .unwrap_or_default();
    format!(
        "pulsarFunctionsCluster: {}\n{web}\
         functionsWorkerServiceCustomConfigs:\n  jobNamespace: {NS}\n  functionRunnerImages:\n    \
         JAVA: streamnative/pulsar-functions-java-runner:3.0.0.1\n",
        crate::pulsar_local::CLUSTER_NAME
    )
}

fn state(ctx: &Ctx<'_>) -> Result<WorkerState, String> {
    let connectors = ctx.fixtures.join("worker").join("connectors.yaml");
    let text = std::fs::read_to_string(&connectors)
        .map_err(|e| format!("{}: {e}", connectors.display()))?;
    let settings = Settings {
        library: Library::from_worker_config(
            "functions_worker.yml",
            &worker_config(ctx.backend.pulsar().ok().map(|p| p.web_service_url())),
            None,
            None,
        )
        .map_err(|e| e.to_string())?,
        catalogue: Catalogue::parse(&connectors.display().to_string(), &text)
            .map_err(|e| e.to_string())?,
        connectors_path: Some(connectors),
    };
    Ok(WorkerState::new(settings, ctx.backend.client()))
}

/// Starts the worker on a free loopback port after checking the CRDs like the binary does.
async fn start(ctx: &Ctx<'_>) -> Result<(WorkerState, fm_worker::Running), String> {
    ensure_namespace(&ctx.backend.client(), NS)
        .await
        .map_err(|e| format!("namespace {NS}: {e}"))?;
    let state = state(ctx)?;
    state.check_cluster().await.map_err(|e| e.to_string())?;
    if ctx.backend.pulsar().is_ok() {
        match state.packages() {
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(format!("package service client: {e}")),
            None => return Err("pulsarWebServiceUrl did not reach the worker".into()),
        }
    }
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    let running = fm_worker::spawn(addr, state.clone())
        .await
        .map_err(|e| format!("listen on 127.0.0.1: {e}"))?;
    Ok((state, running))
}

/// `pulsar-admin [--admin-url URL] <args>`: Ok(stdout) on exit 0, else Err(exit code and stderr).
fn admin(p: &dyn PulsarAdmin, url: Option<&str>, args: &[&str]) -> Result<String, String> {
    let mut all: Vec<&str> = Vec::new();
    if let Some(u) = url {
        all.extend(["--admin-url", u]);
    }
    all.extend_from_slice(args);
    let out = p.admin(&all).map_err(|e| e.to_string())?;
    if out.code == 0 {
        Ok(out.stdout)
    } else {
        Err(format!(
            "exit {}: {}",
            out.code,
            format!("{} {}", out.stdout.trim(), out.stderr.trim()).trim()
        ))
    }
}

/// Runs one pulsar-admin step; a failure is recorded and ends the scenario.
macro_rules! step {
    ($o:expr, $p:expr, $url:expr, $args:expr) => {
        match admin($p, $url, $args) {
            Ok(out) => out,
            Err(e) => {
                $o.fail(Failure::new(
                    format!("pulsar-admin {}", $args.join(" ")),
                    "-",
                    "exit 0",
                    e,
                ));
                return $o;
            }
        }
    };
}

fn api(ctx: &Ctx<'_>, kind: fm_worker::Kind) -> Api<DynamicObject> {
    Api::namespaced_with(
        ctx.backend.client(),
        NS,
        &fm_worker::library::api_resource(kind),
    )
}

async fn stored(ctx: &Ctx<'_>, kind: fm_worker::Kind, name: &str) -> Option<Value> {
    api(ctx, kind)
        .get_opt(name)
        .await
        .ok()
        .flatten()
        .and_then(|o| serde_json::to_value(o).ok())
}

fn json_out(text: &str) -> Value {
    serde_json::from_str(text.trim()).unwrap_or(Value::Null)
}

/// Checks one field of a stored resource.
fn check(o: &mut Outcome, object: &str, resource: &Option<Value>, pointer: &str, want: Value) {
    let got = resource
        .as_ref()
        .and_then(|r| r.pointer(pointer).cloned())
        .unwrap_or(Value::Null);
    if got != want {
        o.fail(Failure::new(
            object,
            pointer,
            want.to_string(),
            got.to_string(),
        ));
    }
}

/// `functions create` (a `function://` package uploaded with `packages upload`), get, list,
/// update --parallelism, status, stop/start/restart, delete.
pub async fn functions_lifecycle(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let (st, w) = require!(start(ctx).await, "fmesh worker");
    let url = w.url();
    let u = Some(url.as_str());
    let t0 = Instant::now();
    let pkg = ctx.backend.log_dir().join("fmesh-worker-package.jar");
    require!(
        // The real examples jar: the worker reads the function's type arguments from it.
        std::fs::copy(super::worker_upload::examples_jar(), &pkg)
            .map_err(|e| format!("copy the examples jar to {}: {e}", pkg.display())),
        "package file"
    );
    let pkg_path = pkg.to_string_lossy().into_owned();
    // The package goes to the real Pulsar; a second run finds it there already.
    if let Err(e) = admin(
        p,
        None,
        &[
            "packages",
            "upload",
            PACKAGE,
            "--path",
            &pkg_path,
            "--description",
            "fmesh worker",
        ],
    ) {
        if admin(p, None, &["packages", "get-metadata", PACKAGE]).is_err() {
            o.fail(Failure::new(
                "pulsar-admin packages upload",
                "-",
                "exit 0",
                e,
            ));
            return o;
        }
    }
    // A package that was never uploaded: refused before anything is written.
    let missing = "function://public/default/fmesh-worker-never-uploaded@v1";
    let args = [
        "functions",
        "create",
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wmissing",
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wm-in",
        "--jar",
        missing,
    ];
    match admin(p, u, &args) {
        Ok(out) => o.fail(Failure::new(
            "functions create (package not uploaded)",
            "-",
            "refused",
            out,
        )),
        Err(e) if !e.contains(&format!("package {missing} does not exist")) => {
            o.fail(Failure::new(
                "functions create (package not uploaded)",
                "-",
                "the reason names the package",
                e,
            ))
        }
        Err(_) => {}
    }
    let ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wfn",
    ];
    let name = st.library().resource_name(TENANT, PULSAR_NS, "wfn");
    let obj = format!("Function {NS}/{name}");
    let f = fm_worker::Kind::Function;
    // create
    let mut args = vec!["functions", "create"];
    args.extend(ids);
    args.extend([
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wfn-in",
        "--output",
        "persistent://public/default/wfn-out",
        "--jar",
        PACKAGE,
    ]);
    step!(o, p, u, &args);
    let r = stored(ctx, f, &name).await;
    check(&mut o, &obj, &r, "/spec/java/jarLocation", json!(PACKAGE));
    check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
    check(&mut o, &obj, &r, "/spec/replicas", json!(1));
    check(
        &mut o,
        &obj,
        &r,
        "/metadata/labels/compute.functionmesh.io~1pulsar-component",
        json!("wfn"),
    );
    let managers: Vec<Value> = r
        .as_ref()
        .and_then(|r| r.pointer("/metadata/managedFields"))
        .and_then(Value::as_array)
        .map(|m| {
            m.iter()
                .map(|e| json!([e["manager"], e["operation"]]))
                .collect()
        })
        .unwrap_or_default();
    if !managers.contains(&json!(["fmesh-worker", "Apply"])) {
        o.fail(Failure::new(
            &obj,
            "metadata.managedFields",
            "fmesh-worker Apply",
            format!("{managers:?}"),
        ));
    }
    // get
    let mut args = vec!["functions", "get"];
    args.extend(ids);
    let got = json_out(&step!(o, p, u, &args));
    for (field, want) in [
        ("className", json!(CLASS)),
        ("jar", json!(PACKAGE)),
        ("inputs", json!(["persistent://public/default/wfn-in"])),
        ("output", json!("persistent://public/default/wfn-out")),
        ("parallelism", json!(1)),
    ] {
        if got[field] != want {
            o.fail(Failure::new(
                "functions get wfn",
                field,
                want.to_string(),
                got[field].to_string(),
            ));
        }
    }
    // list (pulsar-admin prints one name per line)
    let listed = step!(
        o,
        p,
        u,
        &[
            "functions",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS
        ]
    );
    if !listed.lines().any(|l| l.trim() == "wfn") {
        o.fail(Failure::new(
            "functions list",
            "-",
            "a line `wfn`",
            listed.trim().to_owned(),
        ));
    }
    // update --parallelism
    let mut args = vec!["functions", "update"];
    args.extend(ids);
    args.extend(["--parallelism", "3"]);
    step!(o, p, u, &args);
    let r = stored(ctx, f, &name).await;
    check(&mut o, &obj, &r, "/spec/replicas", json!(3));
    check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
    check(&mut o, &obj, &r, "/spec/java/jarLocation", json!(PACKAGE));
    // status (no operator: no StatefulSet yet, so no instances — but a known name is a 200)
    let mut args = vec!["functions", "status"];
    args.extend(ids);
    let status = json_out(&step!(o, p, u, &args));
    if status.get("numInstances").is_none() {
        o.fail(Failure::new(
            "functions status wfn",
            "numInstances",
            "present",
            status.to_string(),
        ));
    }
    // stop / start / restart
    for (action, replicas, stopped) in [("stop", 0, json!("3")), ("start", 3, Value::Null)] {
        let mut args = vec!["functions", action];
        args.extend(ids);
        step!(o, p, u, &args);
        let r = stored(ctx, f, &name).await;
        check(&mut o, &obj, &r, "/spec/replicas", json!(replicas));
        check(
            &mut o,
            &obj,
            &r,
            "/metadata/annotations/fmesh.io~1stopped-parallelism",
            stopped,
        );
    }
    let mut args = vec!["functions", "restart"];
    args.extend(ids);
    step!(o, p, u, &args);
    let r = stored(ctx, f, &name).await;
    if r.as_ref()
        .and_then(|r| r.pointer("/spec/pod/annotations/fmesh.io~1restarted-at"))
        .is_none()
    {
        o.fail(Failure::new(
            &obj,
            "spec.pod.annotations[fmesh.io/restarted-at]",
            "set",
            "absent",
        ));
    }
    // per-instance restart is refused with a reason
    let mut args = vec!["functions", "restart", "--instance-id", "0"];
    args.extend(ids);
    match admin(p, u, &args) {
        Ok(_) => o.fail(Failure::new(
            "functions restart --instance-id 0",
            "-",
            "refused (400)",
            "exit 0",
        )),
        Err(e) if !e.contains("one StatefulSet") => o.fail(Failure::new(
            "functions restart --instance-id 0",
            "-",
            "the reason",
            e,
        )),
        Err(_) => {}
    }
    // delete
    let mut args = vec!["functions", "delete"];
    args.extend(ids);
    step!(o, p, u, &args);
    if stored(ctx, f, &name).await.is_some() {
        o.fail(Failure::new(&obj, "-", "deleted", "still there"));
    }
    let mut args = vec!["functions", "get"];
    args.extend(ids);
    match admin(p, u, &args) {
        Ok(out) => o.fail(Failure::new("functions get (deleted)", "-", "404", out)),
        Err(e) if !e.contains("doesn't exist") => o.fail(Failure::new(
            "functions get (deleted)",
            "-",
            "Function wfn doesn't exist",
            e,
        )),
        Err(_) => {}
    }
    o.note(format!(
        "pulsar-admin session against {url}: {:.1}s",
        t0.elapsed().as_secs_f64()
    ));
    let _ = w.stop().await;
    o
}

/// `sinks create --sink-type` (the CLI checks `builtinsinks` first), `sources create
/// --source-type`, get, list, delete.
pub async fn connectors(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let (st, w) = require!(start(ctx).await, "fmesh worker");
    let url = w.url();
    let u = Some(url.as_str());
    let sink_ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wsink",
    ];
    let source_ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wsrc",
    ];
    let mut args = vec![
        "sinks",
        "create",
        "--sink-type",
        "elastic_search",
        "--inputs",
        "persistent://public/default/wsink-in",
        "--sink-config",
        "{\"elasticSearchUrl\":\"http://es:9200\"}",
    ];
    args.extend(sink_ids);
    step!(o, p, u, &args);
    let sink = st.library().resource_name(TENANT, PULSAR_NS, "wsink");
    let obj = format!("Sink {NS}/{sink}");
    let r = stored(ctx, fm_worker::Kind::Sink, &sink).await;
    check(
        &mut o,
        &obj,
        &r,
        "/spec/image",
        json!("docker.io/streamnative/pulsar-io-elastic-search:3.0.0.1"),
    );
    check(
        &mut o,
        &obj,
        &r,
        "/spec/className",
        json!("org.apache.pulsar.io.elasticsearch.ElasticSearchSink"),
    );
    check(
        &mut o,
        &obj,
        &r,
        "/spec/sinkConfig/elasticSearchUrl",
        json!("http://es:9200"),
    );
    let mut args = vec!["sinks", "get"];
    args.extend(sink_ids);
    let got = json_out(&step!(o, p, u, &args));
    if got["archive"] != json!("builtin://elastic_search") {
        o.fail(Failure::new(
            "sinks get wsink",
            "archive",
            "builtin://elastic_search",
            got["archive"].to_string(),
        ));
    }
    let listed = step!(
        o,
        p,
        u,
        &[
            "sinks",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS
        ]
    );
    if !listed.contains("wsink") {
        o.fail(Failure::new("sinks list", "-", "contains wsink", listed));
    }
    let mut args = vec![
        "sources",
        "create",
        "--source-type",
        "data-generator",
        "--destination-topic-name",
        "persistent://public/default/wsrc-out",
    ];
    args.extend(source_ids);
    step!(o, p, u, &args);
    let source = st.library().resource_name(TENANT, PULSAR_NS, "wsrc");
    let sobj = format!("Source {NS}/{source}");
    let r = stored(ctx, fm_worker::Kind::Source, &source).await;
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/output/topic",
        json!("persistent://public/default/wsrc-out"),
    );
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/className",
        json!("org.apache.pulsar.io.datagenerator.DataGeneratorSource"),
    );
    let mut args = vec!["sources", "get"];
    args.extend(source_ids);
    let got = json_out(&step!(o, p, u, &args));
    if got["topicName"] != json!("persistent://public/default/wsrc-out") {
        o.fail(Failure::new(
            "sources get wsrc",
            "topicName",
            "persistent://public/default/wsrc-out",
            got["topicName"].to_string(),
        ));
    }
    let listed = step!(
        o,
        p,
        u,
        &[
            "sources",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS
        ]
    );
    if !listed.contains("wsrc") {
        o.fail(Failure::new("sources list", "-", "contains wsrc", listed));
    }
    let mut args = vec!["sinks", "delete"];
    args.extend(sink_ids);
    step!(o, p, u, &args);
    let mut args = vec!["sources", "delete"];
    args.extend(source_ids);
    step!(o, p, u, &args);
    if stored(ctx, fm_worker::Kind::Sink, &sink).await.is_some() {
        o.fail(Failure::new(&obj, "-", "deleted", "still there"));
    }
    if stored(ctx, fm_worker::Kind::Source, &source)
        .await
        .is_some()
    {
        o.fail(Failure::new(&sobj, "-", "deleted", "still there"));
    }
    let _ = w.stop().await;
    o
}

/// A config with several problems: pulsar-admin exits non-zero and shows every problem; nothing
/// reaches the API server.
pub async fn bad_config(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let (_st, w) = require!(start(ctx).await, "fmesh worker");
    let url = w.url();
    let cfg = ctx.backend.log_dir().join("fmesh-worker-bad.yaml");
    // Two problems the CLI does not check itself: negative resources and an unusable output topic.
    require!(
        std::fs::write(
            &cfg,
            format!(
                "tenant: public\nnamespace: default\nname: wbad\nclassName: {CLASS}\n\
                 inputs: [persistent://public/default/wbad-in]\noutput: 'persistent://public/default/bad topic'\n\
                 jar: {PACKAGE}\nresources:\n  cpu: -1.0\n"
            )
        )
        .map_err(|e| format!("write {}: {e}", cfg.display())),
        "config file"
    );
    let path = cfg.to_string_lossy().into_owned();
    match admin(
        p,
        Some(&url),
        &["functions", "create", "--function-config-file", &path],
    ) {
        Ok(out) => o.fail(Failure::new(
            "functions create (bad config)",
            "-",
            "refused",
            out,
        )),
        Err(e) => {
            for field in ["resources.cpu", "output"] {
                if !e.contains(&format!("{field}: ")) {
                    o.fail(Failure::new(
                        "functions create (bad config)",
                        field,
                        "named in the reason",
                        e.clone(),
                    ));
                }
            }
            o.note(format!(
                "pulsar-admin said: {}",
                e.lines().last().unwrap_or_default()
            ));
        }
    }
    let list = api(ctx, fm_worker::Kind::Function)
        .list(&ListParams::default().labels("compute.functionmesh.io/pulsar-component=wbad"))
        .await;
    match list {
        Ok(l) if l.items.is_empty() => {}
        Ok(l) => o.fail(Failure::new(
            "Function wbad",
            "-",
            "not created",
            format!("{} objects", l.items.len()),
        )),
        Err(e) => return harness_failure("list Functions", e),
    }
    let _ = w.stop().await;
    o
}

type Call = Pin<Box<dyn Future<Output = (String, u16)> + Send>>;

fn multipart_create(name: &str) -> http::Request<axum::body::Body> {
    let boundary = "fmesh-conformance-7d2a";
    let cfg = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": name, "className": CLASS,
        "inputs": [format!("persistent://public/default/{name}-in")],
        "output": format!("persistent://public/default/{name}-out"), "jar": PACKAGE
    });
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"functionConfig\"\r\n\
         Content-Type: application/json\r\n\r\n{cfg}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"url\"\r\nContent-Type: text/plain\r\n\r\n{PACKAGE}\r\n--{boundary}--\r\n"
    );
    http::Request::builder()
        .method("POST")
        .uri(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{name}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(axum::body::Body::from(body))
        .unwrap_or_default()
}

/// 16 creates at once all land; an update with a stale resource version is refused by the API
/// server (409), not applied; a new worker (a restart: state is only in the API server) lists
/// the same functions to pulsar-admin.
pub async fn concurrency_and_restart(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let (st, w) = require!(start(ctx).await, "fmesh worker");
    let app = fm_worker::router(st.clone());
    let names: Vec<String> = (0..16).map(|i| format!("wc{i:02}")).collect();
    let calls: Vec<Call> = names
        .iter()
        .map(|n| {
            let app = app.clone();
            let req = multipart_create(n);
            let n = n.clone();
            Box::pin(async move {
                let status = match app.oneshot(req).await {
                    Ok(r) => r.status().as_u16(),
                    Err(e) => match e {},
                };
                (n, status)
            }) as Call
        })
        .collect();
    let t0 = Instant::now();
    let results = futures::future::join_all(calls.into_iter().map(tokio::spawn)).await;
    let took = t0.elapsed();
    for r in results {
        match r {
            Ok((n, 204)) => {
                let rn = st.library().resource_name(TENANT, PULSAR_NS, &n);
                if stored(ctx, fm_worker::Kind::Function, &rn).await.is_none() {
                    o.fail(Failure::new(
                        format!("Function {NS}/{rn}"),
                        "-",
                        "created",
                        "absent",
                    ));
                }
            }
            Ok((n, s)) => o.fail(Failure::new(
                format!("create {n}"),
                "status",
                "204",
                s.to_string(),
            )),
            Err(e) => o.fail(Failure::new("create task", "-", "finished", e.to_string())),
        }
    }
    o.note(format!("16 concurrent creates: {:.2}s", took.as_secs_f64()));
    // A stale resource version: the API server refuses the apply; the newer change stays.
    let first = st.library().resource_name(TENANT, PULSAR_NS, &names[0]);
    let fobj = format!("Function {NS}/{first}");
    if let Some(r) = stored(ctx, fm_worker::Kind::Function, &first).await {
        let rv = r
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut newer = r.clone();
        strip_server_fields(&mut newer);
        newer["spec"]["replicas"] = json!(2);
        if let Err(e) = st
            .store()
            .apply(fm_worker::Kind::Function, &first, newer, Some(&rv))
            .await
        {
            o.fail(Failure::new(
                &fobj,
                "apply with the current resourceVersion",
                "accepted",
                e.to_string(),
            ));
        }
        let mut stale = r.clone();
        strip_server_fields(&mut stale);
        stale["spec"]["replicas"] = json!(5);
        match st
            .store()
            .apply(fm_worker::Kind::Function, &first, stale, Some(&rv))
            .await
        {
            Err(fm_worker::error::KubeError::Conflict(_)) => {}
            other => o.fail(Failure::new(
                &fobj,
                "apply with a stale resourceVersion",
                "409 Conflict",
                format!("{other:?}"),
            )),
        }
        let now = stored(ctx, fm_worker::Kind::Function, &first).await;
        check(&mut o, &fobj, &now, "/spec/replicas", json!(2));
    } else {
        o.fail(Failure::new(&fobj, "-", "present", "absent"));
    }
    // Restart: stop this worker, start another; pulsar-admin lists the same 16.
    let _ = w.stop().await;
    let (_st2, w2) = require!(start(ctx).await, "fmesh worker (restarted)");
    let listed = match admin(
        p,
        Some(&w2.url()),
        &[
            "functions",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS,
        ],
    ) {
        Ok(s) => s,
        Err(e) => {
            o.fail(Failure::new(
                "functions list (restarted worker)",
                "-",
                "exit 0",
                e,
            ));
            String::new()
        }
    };
    for n in &names {
        if !listed.lines().any(|l| {
            l.trim()
                .trim_matches('"')
                .trim_end_matches(',')
                .trim_matches('"')
                == n
        }) {
            o.fail(Failure::new(
                "functions list (restarted worker)",
                n,
                "listed",
                listed.clone(),
            ));
            break;
        }
    }
    // Clean up through the worker.
    for n in &names {
        let req = http::Request::builder()
            .method("DELETE")
            .uri(format!("/admin/v3/functions/{TENANT}/{PULSAR_NS}/{n}"))
            .body(axum::body::Body::empty())
            .unwrap_or_default();
        let _ = fm_worker::router(_st2.clone()).oneshot(req).await;
    }
    let _ = w2.stop().await;
    o
}

fn strip_server_fields(r: &mut Value) {
    if let Some(m) = r.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            m.remove(k);
        }
    }
    if let Some(o) = r.as_object_mut() {
        o.remove("status");
    }
}
