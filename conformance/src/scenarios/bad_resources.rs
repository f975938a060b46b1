//! Scenario 8: bad resources are rejected by the real API server (or by fmesh before any request), and nothing
//! is left half-created.

use kube::api::{Api, DynamicObject, ListParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};

use super::base::{use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use crate::kubeutil::ensure_namespace;
use crate::report::{Failure, Outcome};

/// Scenario 8.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Rejections,
            8,
            "name too long rejected by fmesh before any request",
            |c| Box::pin(name_too_long_fmesh(c)),
        ),
        Scenario::new(
            Stage::Rejections,
            8,
            "name too long rejected by the API server",
            |c| Box::pin(name_too_long(c)),
        ),
        Scenario::new(
            Stage::Rejections,
            8,
            "unknown enum value rejected by the API server",
            |c| Box::pin(unknown_enum(c)),
        ),
    ]
}

const NS: &str = "fmesh-bad-resources";

fn function_api(ctx: &Ctx<'_>) -> Api<DynamicObject> {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("compute.functionmesh.io", "v1alpha1", "Function"),
        "functions",
    );
    Api::namespaced_with(ctx.backend.client(), NS, &ar)
}

/// A minimal hand-written Function body.
fn function(name: &str, spec: serde_json::Value) -> DynamicObject {
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("compute.functionmesh.io", "v1alpha1", "Function"),
        "functions",
    );
    let mut o = DynamicObject::new(name, &ar).within(NS);
    o.data = serde_json::json!({ "spec": spec });
    o
}

/// Creates `obj`, expects a 422 from the API server naming `field`, and that nothing with that name (and
/// nothing at all in the scenario namespace) exists afterwards.
async fn expect_rejected(
    ctx: &Ctx<'_>,
    o: &mut Outcome,
    obj: DynamicObject,
    field: &str,
    cause: &str,
) {
    let api = function_api(ctx);
    let name = obj.metadata.name.clone().unwrap_or_default();
    let object = format!(
        "Function {NS}/{}",
        if name.len() > 40 {
            format!("{}…({} chars)", &name[..20], name.len())
        } else {
            name.clone()
        }
    );
    match api.create(&PostParams::default(), &obj).await {
        Ok(_) => o.fail(Failure::new(
            &object,
            field,
            format!("rejected by the API server ({cause})"),
            "created",
        )),
        Err(kube::Error::Api(s)) => {
            o.check_eq(&object, "response.code", 422, s.code);
            o.check_eq(&object, "response.reason", "Invalid", s.reason.as_str());
            if !s.message.contains(field) {
                o.fail(Failure::new(
                    &object,
                    field,
                    format!("a message naming `{field}`"),
                    s.message.clone(),
                ));
            }
            let msg: String = s.message.replace(&"a".repeat(254), "<254 x a>");
            o.note(format!("rejected by the API server: {msg}"));
        }
        Err(e) => o.fail(Failure::unavailable(&object, e)),
    }
    if name.len() <= 253 {
        match api.get_opt(&name).await {
            Ok(None) => {}
            Ok(Some(_)) => o.fail(Failure::new(
                &object,
                "-",
                "absent after rejection",
                "present",
            )),
            Err(e) => o.fail(Failure::unavailable(&object, e)),
        }
    }
    match api.list(&ListParams::default()).await {
        Ok(l) if l.items.is_empty() => {}
        Ok(l) => o.fail(Failure::new(
            format!("namespace {NS}"),
            "functions",
            "none",
            format!("{} left", l.items.len()),
        )),
        Err(e) => o.fail(Failure::unavailable(format!("namespace {NS}"), e)),
    }
}

/// The names of every Function in the scenario namespace (to show nothing was created).
async fn functions_in_ns(ctx: &Ctx<'_>) -> crate::Result<Vec<String>> {
    Ok(function_api(ctx)
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter_map(|f| f.metadata.name)
        .collect())
}

/// Scenario 8a: A Pulsar function name that makes the resource name too long is rejected by fmesh's validation, so no
/// request is made: the conversion returns a validation error naming `name`, and the namespace holds no
/// Function afterwards.
pub async fn name_too_long_fmesh(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    ensure_namespace(&ctx.backend.client(), NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let file = ctx.fixtures.join("functions").join("exclamation.yaml");
    let object = "fixture functions/exclamation.yaml with a 60-character name";
    let cctx = super::fixtures::context(&ctx.fixtures).require(&object)?;
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("read {}: {e}", file.display()))
        .require(&object)?;
    let mut cfg: fm_convert::pulsar::FunctionConfig =
        fm_convert::parse::parse(&text).require(&object)?;
    cfg.name = Some("a".repeat(60));
    let before = functions_in_ns(ctx)
        .await
        .require(&format!("namespace {NS}"))?;
    match cctx.worker().convert(&cfg, &cctx.request()) {
        Ok(r) => o.fail(Failure::new(
            object,
            "name",
            "rejected by fmesh's validation",
            format!(
                "converted to {}",
                r.resource.metadata.name.unwrap_or_default()
            ),
        )),
        Err(fm_convert::ConvertError::Invalid(errs)) => {
            let paths: Vec<&str> = errs.issues().iter().map(|i| i.path.as_str()).collect();
            if !paths.contains(&"name") {
                o.fail(Failure::new(
                    object,
                    "name",
                    "a validation issue at `name`",
                    format!("{paths:?}"),
                ));
            }
            o.note(format!("fmesh: {}", errs.to_string().replace('\n', " ")));
        }
        Err(e) => o.fail(Failure::new(
            object,
            "name",
            "a validation error",
            e.to_string(),
        )),
    }
    let after = functions_in_ns(ctx)
        .await
        .require(&format!("namespace {NS}"))?;
    o.check_eq(&format!("namespace {NS}"), "functions", before, after);
    Ok(o)
}

/// Scenario 8a: A name longer than Kubernetes allows for a custom resource (253) is rejected by the API server.
pub async fn name_too_long(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    ensure_namespace(&ctx.backend.client(), NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let name = "a".repeat(254);
    let spec = serde_json::json!({"className": "org.example.Exclamation", "replicas": 1, "java": {"jar": "f.jar"}});
    expect_rejected(
        ctx,
        &mut o,
        function(&name, spec),
        "metadata.name",
        "name longer than 253",
    )
    .await;
    Ok(o)
}

/// Scenario 8b: A value outside a CRD enum (`processingGuarantee: exactly_once`) is rejected by the API server.
pub async fn unknown_enum(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    ensure_namespace(&ctx.backend.client(), NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let spec = serde_json::json!({
        "className": "org.example.Exclamation", "replicas": 1, "java": {"jar": "f.jar"},
        "processingGuarantee": "exactly_once"
    });
    expect_rejected(
        ctx,
        &mut o,
        function("bad-enum", spec.clone()),
        "spec.processingGuarantee",
        "enum",
    )
    .await;
    let mut spec2 = spec;
    spec2["processingGuarantee"] = "atleast_once".into();
    spec2["subscriptionPosition"] = "middle".into();
    expect_rejected(
        ctx,
        &mut o,
        function("bad-enum-2", spec2),
        "spec.subscriptionPosition",
        "enum",
    )
    .await;
    Ok(o)
}
