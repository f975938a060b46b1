//! Scenario 7: the Pulsar side, with the real `pulsar-admin` against the real broker: tenant and namespace
//! created, a function package uploaded, the converted resource names exactly that package, and the package's
//! metadata can be read back. With the operator, status conversion of a reconciled resource.

use std::time::Duration;

use fm_model::ComponentKind;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::json;

use super::base::{need_operator, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures;
use crate::backend::PulsarAdmin;
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};

/// Scenario 7.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Pulsar,
            7,
            "package uploaded with pulsar-admin is the resource's package",
            |c| Box::pin(package_named(c)),
        ),
        Scenario::new(Stage::Pulsar, 7, "status of a reconciled resource", |c| {
            Box::pin(reconciled_status(c))
        }),
    ]
}

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
pub async fn package_named(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let url = format!("function://{TENANT}/{PULSAR_NS}/{NAME}@v1");
    let cluster = crate::backend::CLUSTER_NAME;
    let tenant_ns = format!("{TENANT}/{PULSAR_NS}");
    let description = "fmesh conformance package";
    let pkg = ctx.backend.log_dir().join("exclamation-package.jar");
    std::fs::write(&pkg, b"fmesh conformance: a function package's bytes\n")
        .map_err(|e| format!("write {}: {e}", pkg.display()))
        .require("package file")?;
    // Where pulsar-admin reads it (copied into the container on the testcontainers backend).
    let pkg_path = p.stage_file(&pkg).await.require("package file")?;
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
            return Ok(o);
        }
    }
    // Convert the exclamation function for that tenant/namespace with the uploaded package.
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let object = "fixture functions/exclamation.yaml (uploaded package)";
    let mut cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    cctx.package_url = Some(url.clone());
    let mut cfg = fixtures::read_config(&file).require(&object)?;
    cfg["tenant"] = json!(TENANT);
    cfg["namespace"] = json!(PULSAR_NS);
    cfg["jar"] = json!(url);
    cfg["inputs"] = json!([format!("persistent://{tenant_ns}/{NAME}-input")]);
    cfg["output"] = json!(format!("persistent://{tenant_ns}/{NAME}-output"));
    let fx =
        fixtures::convert_value(&cfg, &file, ComponentKind::Function, &cctx).require(&object)?;
    o.check_eq(
        object,
        "spec.java.jarLocation",
        Some(url.as_str()),
        fx.resource["spec"]["java"]["jarLocation"].as_str(),
    );
    let client = ctx.backend.client();
    ensure_namespace(&client, K8S_NS)
        .await
        .require(&format!("namespace {K8S_NS}"))?;
    let (name, _) = fixtures::apply(&client, K8S_NS, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let obj = format!("Function {K8S_NS}/{name}");
    let stored = fixtures::get_stored(&client, K8S_NS, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
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
    Ok(o)
}

/// Scenario 7: With the operator: `exclamation.yaml` with parallelism 2, reconciled in the operator's namespace.
/// The operator writes the resource's status (`status.replicas` = 2, a selector); fmesh's status conversion of
/// the operator's StatefulSet and the pods that selector finds gives Pulsar's status JSON with
/// `numInstances` = the StatefulSet's replica count, one instance entry per replica, and none running (no pod
/// runs here).
pub async fn reconciled_status(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_operator(ctx)?;
    use_crds(ctx, &mut o)?;
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let object = "fixture functions/exclamation.yaml as status-check (parallelism 2)";
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    let mut cfg = fixtures::read_config(&file).require(&object)?;
    cfg["name"] = json!("status-check");
    cfg["parallelism"] = json!(2);
    let fx =
        fixtures::convert_value(&cfg, &file, ComponentKind::Function, &cctx).require(&object)?;
    let (name, _) = fixtures::apply(&client, ns, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let obj = format!("Function {ns}/{name}");
    let sts_name = format!("{name}-function");
    super::reconcile::wait_statefulset(&client, ns, &sts_name)
        .await
        .require(&format!("StatefulSet {ns}/{sts_name}"))?;
    // The operator's status of the resource.
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        ns,
        &fixtures::api_resource(ComponentKind::Function),
    );
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
        return Ok(o);
    }
    let stored = fixtures::get_stored(&client, ns, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
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
    let sts = Api::<StatefulSet>::namespaced(client.clone(), ns)
        .get(&sts_name)
        .await
        .require(&format!("StatefulSet {ns}/{sts_name}"))?;
    let pods = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(&selector))
        .await
        .require(&format!("pods of {obj}"))?
        .items;
    let cluster = fx.resource["metadata"]["labels"]["compute.functionmesh.io/pulsar-cluster"]
        .as_str()
        .unwrap_or(crate::backend::CLUSTER_NAME)
        .to_owned();
    let status = fixtures::status_json(
        ComponentKind::Function,
        &cluster,
        fx.resource["spec"]["image"].as_str(),
        &sts,
        &pods,
    )
    .require(&obj)?;
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
    Ok(o)
}
