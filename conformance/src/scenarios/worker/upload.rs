//! Scenario 10, uploads: `pulsar-admin functions create --jar <local jar>` against the fmesh worker
//! (with `uploadEnabled`) streams the jar into the real Pulsar's package service under the name the
//! Java worker uses, the resource names that package, and `functions delete` removes both.

use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::support::{admin, examples_jar, start_with_uploads, NS};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

const NAME: &str = "wupload";
const PACKAGE: &str = "function://public/default/wupload";
const CLASS: &str = "org.apache.pulsar.functions.api.examples.ExclamationFunction";

/// Create with a local jar, check the package and the resource, delete, check both are gone.
pub async fn upload_and_delete(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let jar = examples_jar();
    let size = std::fs::metadata(&jar)
        .map(|m| m.len())
        .map_err(|e| {
            format!(
                "{} (run conformance/scripts/prepare.sh): {e}",
                jar.display()
            )
        })
        .require("pulsar-functions-api-examples jar")?;
    let (state, w) = start_with_uploads(ctx).await.require("fmesh worker")?;
    let library = state.library();
    let url = w.url();
    let u = Some(url.as_str());
    // Leftovers of an earlier run.
    let _ = admin(
        p,
        u,
        &[
            "functions",
            "delete",
            "--tenant",
            "public",
            "--namespace",
            "default",
            "--name",
            NAME,
        ],
    );
    let _ = admin(p, None, &["packages", "delete", PACKAGE]);
    let jar_path = jar.to_string_lossy().into_owned();
    let create = [
        "functions",
        "create",
        "--tenant",
        "public",
        "--namespace",
        "default",
        "--name",
        NAME,
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wu-in",
        "--output",
        "persistent://public/default/wu-out",
        "--jar",
        &jar_path,
    ];
    if let Err(e) = admin(p, u, &create) {
        o.fail(Failure::new(
            "functions create --jar <local jar>",
            "-",
            "exit 0",
            e,
        ));
        return Ok(o);
    }
    let api: Api<DynamicObject> = Api::namespaced_with(
        ctx.backend.client(),
        NS,
        &fm_worker::library::api_resource(fm_worker::Kind::Function),
    );
    let resource_name = library.resource_name("public", "default", NAME);
    let stored = api
        .get_opt(&resource_name)
        .await
        .ok()
        .flatten()
        .and_then(|r| serde_json::to_value(r).ok())
        .unwrap_or(Value::Null);
    for (pointer, want) in [
        ("/spec/java/jarLocation", PACKAGE),
        ("/metadata/annotations/fmesh.io~1uploaded-package", PACKAGE),
        ("/spec/className", CLASS),
    ] {
        let got = stored.pointer(pointer).cloned().unwrap_or(Value::Null);
        if got != Value::String(want.into()) {
            o.fail(Failure::new(
                format!("Function {resource_name}"),
                pointer,
                want,
                got.to_string(),
            ));
        }
    }
    match admin(p, None, &["packages", "get-metadata", PACKAGE]) {
        Ok(out) => {
            let meta: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
            let want_size = size.to_string();
            for (pointer, want) in [
                ("/contact", "mesh-worker-service"),
                ("/properties/managedByMeshWorkerService", "true"),
                ("/properties/fileSize", want_size.as_str()),
                ("/properties/functionName", NAME),
            ] {
                let got = meta.pointer(pointer).cloned().unwrap_or(Value::Null);
                if got != Value::String(want.into()) {
                    o.fail(Failure::new(
                        format!("package {PACKAGE}"),
                        pointer,
                        want,
                        out.trim(),
                    ));
                }
            }
        }
        Err(e) => o.fail(Failure::new(
            format!("package {PACKAGE}"),
            "metadata",
            "uploaded",
            e,
        )),
    }
    if let Err(e) = admin(
        p,
        u,
        &[
            "functions",
            "delete",
            "--tenant",
            "public",
            "--namespace",
            "default",
            "--name",
            NAME,
        ],
    ) {
        o.fail(Failure::new("functions delete", "-", "exit 0", e));
        return Ok(o);
    }
    if matches!(api.get_opt(&resource_name).await, Ok(Some(_))) {
        o.fail(Failure::new(
            format!("Function {resource_name}"),
            "-",
            "deleted",
            "still there",
        ));
    }
    if let Ok(out) = admin(p, None, &["packages", "get-metadata", PACKAGE]) {
        o.fail(Failure::new(
            format!("package {PACKAGE}"),
            "-",
            "deleted with the function",
            out.trim(),
        ));
    }
    let _ = w.stop().await;
    Ok(o)
}
