//! Scenario 10, instance status over gRPC against a real Pulsar Java instance: the harness starts
//! Pulsar's own `JavaInstanceStarter` (from the prepared Pulsar jars, through
//! `conformance/java/InstanceLauncher.java`) with `--port` on loopback, and stands in for the
//! kubelet: a StatefulSet and a Pod whose status (Running, ready, `podIP` 127.0.0.1, container port
//! `tcp-grpc` = the instance's port) is set through the API server's status subresource. The
//! instance runs Pulsar's `IdentityFunction` against the harness's broker. Only an instance's own
//! report gives an entry its `error` field (empty when healthy; the pod alone gives none), so
//! `pulsar-admin functions status` through the worker must show `running: true, error: ""` while
//! the instance runs, and no `error` once it is stopped.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{json, Value};

use super::support::{admin, api, ensure_package, start, CLASS, NS, PACKAGE, PULSAR_NS, TENANT};
use crate::kubeutil::wait_for;
use crate::prepared::{workspace_root, Prepared};
use crate::process::{free_port, ManagedProcess};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

/// The class the instance runs (in pulsar-functions-api).
const IDENTITY: &str = "org.apache.pulsar.functions.api.utils.IdentityFunction";

fn java() -> std::path::PathBuf {
    match std::env::var_os("JAVA_HOME") {
        Some(h) if !h.is_empty() => Path::new(&h).join("bin").join("java"),
        _ => "java".into(),
    }
}

/// Starts the real instance with `--port port`; its log is `<log_dir>/java-instance.log`. With
/// `auth`, it connects to the broker as the harness's superuser (the token read from its file).
fn start_instance(
    ctx: &Ctx<'_>,
    port: u16,
    broker: &str,
    auth: Option<&crate::pulsar_auth::PulsarAuth>,
) -> Result<ManagedProcess, String> {
    let pulsar = crate::backends::local::pulsar_setup::pulsar_cache_dir(&Prepared::cache_root());
    let lib = pulsar.join("lib").join("broker");
    let api_jar = lib.join("pulsar-functions-api-4.0.7.jar");
    let details = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": "winst",
        "className": IDENTITY, "runtime": "JAVA", "parallelism": 1,
        "autoAck": true, "processingGuarantees": "ATLEAST_ONCE",
        "source": {"inputSpecs": {"persistent://public/default/winst-in": {}},
                   "subscriptionType": "SHARED", "subscriptionName": "winst-sub",
                   "typeClassName": "java.lang.String"},
        "sink": {"topic": "persistent://public/default/winst-out",
                 "typeClassName": "java.lang.String"}
    });
    let mut cmd = Command::new(java());
    cmd.arg("-cp")
        .arg(format!("{}/*", lib.display()))
        .arg(workspace_root().join("conformance/java/InstanceLauncher.java"))
        .args(["--function_details", &details.to_string(), "--jar"])
        .arg(&api_jar)
        .args([
            "--instance_id",
            "0",
            "--function_id",
            "winst-id",
            "--function_version",
            "1",
            "--pulsar_serviceurl",
            broker,
            "--port",
            &port.to_string(),
            "--metrics_port",
            &free_port("instance metrics")
                .map_err(|e| e.to_string())?
                .to_string(),
            "--max_buffered_tuples",
            "100",
            "--expected_healthcheck_interval",
            "-1",
            "--cluster_name",
            crate::backend::CLUSTER_NAME,
        ]);
    if let Some(a) = auth {
        cmd.args(["--client_auth_plugin", crate::pulsar_auth::TOKEN_PLUGIN])
            .arg("--client_auth_params")
            .arg(format!("file://{}", a.admin_token_file().display()));
    }
    ManagedProcess::spawn("java-instance", cmd, ctx.backend.log_dir()).map_err(|e| e.to_string())
}

fn status_patch(status: Value) -> Patch<Value> {
    Patch::Merge(json!({ "status": status }))
}

/// The scenario.
pub async fn real_instance_status(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let (st, w) = start(ctx).await.require("fmesh worker")?;
    let u = Some(w.url());
    let u = u.as_deref();
    ensure_package(ctx, p).require("pulsar-admin packages upload")?;
    let ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "winst",
    ];
    let mut create = vec!["functions", "create"];
    create.extend(ids);
    create.extend([
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/winst-in",
        "--jar",
        PACKAGE,
    ]);
    admin(p, u, &create).require("pulsar-admin functions create winst")?;

    // The real instance.
    let port = free_port("instance gRPC").require("free port")?;
    let mut instance =
        start_instance(ctx, port, &p.broker_service_url(), p.auth()).require("Java instance")?;
    {
        let instance = &mut instance;
        wait_for(
            "Java instance gRPC port",
            Duration::from_secs(120),
            move || {
                let alive = instance.check_running();
                async move {
                    alive?;
                    Ok(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok())
                }
            },
        )
        .await
        .require("Java instance")?;
    }

    // The objects the operator and the kubelet would make, with their status set by hand.
    let client = ctx.backend.client();
    let resource = st.library().resource_name(TENANT, PULSAR_NS, "winst");
    let sts_name = format!("{resource}-function");
    let selector = format!("fmesh-conformance/instance={resource}");
    let labels = json!({ "fmesh-conformance/instance": resource });
    let sts: StatefulSet = serde_json::from_value(json!({
        "metadata": {"name": sts_name},
        "spec": {
            "replicas": 1,
            "serviceName": sts_name,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels},
                         "spec": {"containers": [{"name": "pulsar-function", "image": "instance"}]}}
        }
    }))
    .require("StatefulSet")?;
    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": format!("{sts_name}-0"), "labels": labels},
        "spec": {
            "serviceAccountName": "fmesh-worker",
            "automountServiceAccountToken": false,
            "containers": [{"name": "pulsar-function", "image": "instance",
                            "ports": [{"name": "tcp-grpc", "containerPort": port}]}]
        }
    }))
    .require("Pod")?;
    let sts_api: Api<StatefulSet> = Api::namespaced(client.clone(), NS);
    let pod_api: Api<Pod> = Api::namespaced(client.clone(), NS);
    let pp = PatchParams::default();
    let _ = sts_api.delete(&sts_name, &Default::default()).await;
    let _ = pod_api
        .delete(&format!("{sts_name}-0"), &Default::default())
        .await;
    sts_api
        .create(&PostParams::default(), &sts)
        .await
        .require("create StatefulSet")?;
    sts_api
        .patch_status(
            &sts_name,
            &pp,
            &status_patch(json!({"replicas": 1, "readyReplicas": 1, "availableReplicas": 1})),
        )
        .await
        .require("StatefulSet status")?;
    pod_api
        .create(&PostParams::default(), &pod)
        .await
        .require("create Pod")?;
    pod_api
        .patch_status(
            &format!("{sts_name}-0"),
            &pp,
            &status_patch(json!({
                "phase": "Running", "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}],
                "containerStatuses": [{"name": "pulsar-function", "ready": true,
                    "restartCount": 0, "image": "instance", "imageID": "",
                    "state": {"running": {}}}]
            })),
        )
        .await
        .require("Pod status")?;
    let functions: Api<DynamicObject> = api(ctx, fm_worker::Kind::Function);
    functions
        .patch_status(
            &resource,
            &pp,
            &status_patch(json!({"selector": selector, "replicas": 1, "conditions": {}})),
        )
        .await
        .require("Function status.selector")?;

    // The worker's status: the entry carries the instance's own report while it runs.
    let mut status_args = vec!["functions", "status"];
    status_args.extend(ids);
    let report = |want: bool| {
        let status_args = status_args.clone();
        let mut last = Value::Null;
        async move {
            let r = wait_for(
                "the instance's report in functions status",
                Duration::from_secs(60),
                || {
                    last = admin(p, u, &status_args)
                        .ok()
                        .and_then(|s| serde_json::from_str::<Value>(s.trim()).ok())
                        .unwrap_or(Value::Null);
                    let has = last.pointer("/instances/0/status/error") == Some(&json!(""))
                        && last.pointer("/instances/0/status/running") == Some(&json!(true));
                    async move { Ok(has == want) }
                },
            )
            .await;
            (r.is_ok(), last)
        }
    };
    let (ok, last) = report(true).await;
    if !ok {
        o.fail(Failure::new(
            "functions status winst (instance running)",
            "instances[0].status",
            "running: true, error: \"\" (the instance's report)",
            last.to_string(),
        ));
    } else {
        o.note(format!(
            "real Java instance on 127.0.0.1:{port} answered GetFunctionStatus: {}",
            last["instances"][0]["status"]
        ));
    }
    instance.stop();
    let (ok, last) = report(false).await;
    if !ok {
        o.fail(Failure::new(
            "functions status winst (instance stopped)",
            "instances[0].status.error",
            "absent (no report)",
            last.to_string(),
        ));
    }
    let _ = pod_api
        .delete(&format!("{sts_name}-0"), &Default::default())
        .await;
    let _ = sts_api.delete(&sts_name, &Default::default()).await;
    let mut delete = vec!["functions", "delete"];
    delete.extend(ids);
    let _ = admin(p, u, &delete);
    let _ = w.stop().await;
    Ok(o)
}
