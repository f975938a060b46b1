//! Scenario 7: the Pulsar side, with the real `pulsar-admin` against the real broker: tenant and namespace
//! created, a function package uploaded, the converted resource names exactly that package, and the package's
//! metadata can be read back. With the operator, status conversion of a reconciled resource.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::json;

use super::fixtures::{self, Kind};
use super::{need_operator, Ctx};
use crate::backend::PulsarAdmin;
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};
use crate::{crds, gate, require};

const TENANT: &str = "fmesh-conformance";
const PULSAR_NS: &str = "apps";
const NAME: &str = "exclamation";
const K8S_NS: &str = "fmesh-pulsar";

/// Runs `pulsar-admin <args>`; Err names the command, exit code and stderr.
async fn admin(p: &dyn PulsarAdmin, args: &[&str]) -> Result<String, String> {
    let out = p.admin_async(args).await.map_err(|e| e.to_string())?;
    if out.code == 0 {
        Ok(out.stdout)
    } else {
        Err(format!(
            "`pulsar-admin {}` exited {}: {}",
            args.join(" "),
            out.code,
            out.stderr.trim()
        ))
    }
}

/// Scenario 7: Tenant + namespace + `packages upload`; the converted resource's `spec.java.jarLocation` is that package
/// URL (also as stored by the API server); `packages get-metadata` of that URL works.
pub async fn package_named(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    let p = require!(ctx.backend.pulsar(), "Pulsar");
    crds!(ctx, o);
    let url = format!("function://{TENANT}/{PULSAR_NS}/{NAME}@v1");
    let cluster = crate::pulsar_local::CLUSTER_NAME;
    let tenant_ns = format!("{TENANT}/{PULSAR_NS}");
    let description = "fmesh conformance package";
    let pkg = ctx.backend.log_dir().join("exclamation-package.jar");
    require!(
        std::fs::write(&pkg, b"fmesh conformance: a function package's bytes\n")
            .map_err(|e| format!("write {}: {e}", pkg.display())),
        "package file"
    );
    // Where pulsar-admin reads it (copied into the container on the testcontainers backend).
    let pkg_path = require!(p.stage_file(&pkg).await, "package file");
    let steps: [&[&str]; 3] = [
        &["tenants", "create", TENANT, "--allowed-clusters", cluster],
        &["namespaces", "create", &tenant_ns],
        &[
            "packages",
            "upload",
            &url,
            "--path",
            &pkg_path,
            "--description",
            description,
        ],
    ];
    for args in steps {
        if let Err(e) = admin(p, args).await {
            o.fail(Failure::new("pulsar-admin", args.join(" "), "exit 0", e));
            return o;
        }
    }
    // Convert the exclamation function for that tenant/namespace with the uploaded package.
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let object = "fixture functions/exclamation.yaml (uploaded package)";
    let mut cctx = require!(fixtures::context(&ctx.fixtures), object);
    cctx.package_url = Some(url.clone());
    let mut cfg = require!(fixtures::read_config(&file), object);
    cfg["tenant"] = json!(TENANT);
    cfg["namespace"] = json!(PULSAR_NS);
    cfg["jar"] = json!(url);
    cfg["inputs"] = json!([format!("persistent://{tenant_ns}/{NAME}-input")]);
    cfg["output"] = json!(format!("persistent://{tenant_ns}/{NAME}-output"));
    let fx = require!(
        fixtures::convert_value(&cfg, &file, Kind::Function, &cctx),
        object
    );
    o.check_eq(
        object,
        "spec.java.jarLocation",
        Some(url.as_str()),
        fx.resource["spec"]["java"]["jarLocation"].as_str(),
    );
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, K8S_NS).await,
        format!("namespace {K8S_NS}")
    );
    let (name, _) = require!(
        fixtures::apply(&client, K8S_NS, Kind::Function, &fx).await,
        object
    );
    let obj = format!("Function {K8S_NS}/{name}");
    let stored = require!(
        fixtures::get_stored(&client, K8S_NS, Kind::Function, &name).await,
        obj
    );
    o.check_eq(
        &obj,
        "spec.java.jarLocation",
        Some(url.as_str()),
        stored["spec"]["java"]["jarLocation"].as_str(),
    );
    // The package the resource names exists in Pulsar.
    let located = stored["spec"]["java"]["jarLocation"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    match admin(p, &["packages", "get-metadata", &located]).await {
        Ok(meta) => {
            if !meta.contains(description) {
                o.fail(Failure::new(
                    format!("package {located}"),
                    "description",
                    description,
                    meta.trim().to_owned(),
                ));
            }
            o.note(format!(
                "pulsar-admin packages get-metadata {located}: {}",
                meta.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        Err(e) => o.fail(Failure::new(
            format!("package {located}"),
            "-",
            "get-metadata exits 0",
            e,
        )),
    }
    o
}

/// Scenario 7: With the operator: `exclamation.yaml` with parallelism 2, reconciled in the operator's namespace.
/// The operator writes the resource's status (`status.replicas` = 2, a selector); fmesh's status conversion of
/// the operator's StatefulSet and the pods that selector finds gives Pulsar's status JSON with
/// `numInstances` = the StatefulSet's replica count, one instance entry per replica, and none running (no pod
/// runs here).
pub async fn reconciled_status(ctx: &Ctx<'_>) -> Outcome {
    let mut o = Outcome::default();
    gate!(need_operator(ctx));
    crds!(ctx, o);
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let object = "fixture functions/exclamation.yaml as status-check (parallelism 2)";
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, ns).await,
        format!("namespace {ns}")
    );
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let cctx = require!(fixtures::context(&ctx.fixtures), object);
    let mut cfg = require!(fixtures::read_config(&file), object);
    cfg["name"] = json!("status-check");
    cfg["parallelism"] = json!(2);
    let fx = require!(
        fixtures::convert_value(&cfg, &file, Kind::Function, &cctx),
        object
    );
    let (name, _) = require!(
        fixtures::apply(&client, ns, Kind::Function, &fx).await,
        object
    );
    let obj = format!("Function {ns}/{name}");
    let sts_name = format!("{name}-function");
    require!(
        super::reconcile::wait_statefulset(&client, ns, &sts_name).await,
        format!("StatefulSet {ns}/{sts_name}")
    );
    // The operator's status of the resource.
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), ns, &Kind::Function.api_resource());
    let written = wait_for(
        &format!("{obj} status.replicas = 2"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            let n = name.clone();
            async move {
                let r = api.get(&n).await?;
                Ok(r.data["status"]["replicas"].as_i64() == Some(2))
            }
        },
    )
    .await;
    if let Err(e) = written {
        o.fail(Failure::new(&obj, "status.replicas", "2", e.to_string()));
        return o;
    }
    let stored = require!(
        fixtures::get_stored(&client, ns, Kind::Function, &name).await,
        obj
    );
    let selector = stored["status"]["selector"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if selector.is_empty() {
        o.fail(Failure::new(
            &obj,
            "status.selector",
            "a label selector",
            "absent",
        ));
    }
    let sts = require!(
        Api::<StatefulSet>::namespaced(client.clone(), ns)
            .get(&sts_name)
            .await,
        format!("StatefulSet {ns}/{sts_name}")
    );
    let pods = require!(
        Api::<Pod>::namespaced(client.clone(), ns)
            .list(&ListParams::default().labels(&selector))
            .await,
        format!("pods of {obj}")
    )
    .items;
    let cluster = fx.resource["metadata"]["labels"]["compute.functionmesh.io/pulsar-cluster"]
        .as_str()
        .unwrap_or(crate::pulsar_local::CLUSTER_NAME)
        .to_owned();
    let status = require!(
        fixtures::status_json(
            Kind::Function,
            &cluster,
            fx.resource["spec"]["image"].as_str(),
            &sts,
            &pods
        ),
        obj
    );
    let sobj = format!("{obj} → Pulsar status");
    let sts_replicas = sts.status.as_ref().map_or(0, |s| s.replicas);
    o.check_eq(
        &sobj,
        "numInstances",
        Some(i64::from(sts_replicas)),
        status["numInstances"].as_i64(),
    );
    o.check_eq(&sobj, "numRunning", Some(0), status["numRunning"].as_i64());
    let instances = status["instances"].as_array().cloned().unwrap_or_default();
    o.check_eq(
        &sobj,
        "instances (count)",
        i64::from(sts_replicas),
        instances.len() as i64,
    );
    for (i, inst) in instances.iter().enumerate() {
        o.check_eq(
            &sobj,
            &format!("instances[{i}].status.running"),
            Some(false),
            inst["status"]["running"].as_bool(),
        );
    }
    o.note(format!(
        "operator: status.replicas 2, selector `{selector}`; StatefulSet status.replicas {sts_replicas}, \
         {} pod(s); Pulsar status: {}",
        pods.len(),
        status
    ));
    o
}
