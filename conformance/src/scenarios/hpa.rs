//! Scenario 5: HPA. `maxReplicas` above parallelism is accepted by the API server with `spec.maxReplicas` and
//! the autoscaler pod fields intact; with the operator, a HorizontalPodAutoscaler targets the resource.

use std::time::Duration;

use fm_model::ComponentKind;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kube::api::{Api, ListParams};

use super::apply::check_nothing_pruned;
use super::base::{need_operator, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures;
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};

/// Scenario 5.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Autoscaling,
            5,
            "maxReplicas above parallelism accepted",
            |c| Box::pin(accepted(c)),
        ),
        Scenario::new(
            Stage::Autoscaling,
            5,
            "operator creates the HorizontalPodAutoscaler",
            |c| Box::pin(operator_creates_hpa(c)),
        ),
    ]
}

const NS: &str = "fmesh-hpa";

/// Pod-policy fields that carry the autoscaler settings.
const HPA_POD_FIELDS: &[&str] = &[
    "builtinAutoscaler",
    "autoScalingMetrics",
    "autoScalingBehavior",
];

/// Scenario 5: `fixtures/functions/autoscaled.yaml` (maxReplicas 6, parallelism 2, a built-in CPU rule) is accepted
/// with `spec.maxReplicas` and the pod's autoscaler fields kept.
pub async fn accepted(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    let file = ctx.fixtures.join("functions").join("autoscaled.yaml");
    let object = "fixture functions/autoscaled.yaml";
    let client = ctx.backend.client();
    ensure_namespace(&client, NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    let fx = fixtures::convert(&file, ComponentKind::Function, &cctx).require(&object)?;
    let (max, replicas) = (
        fx.resource["spec"]["maxReplicas"].as_i64(),
        fx.resource["spec"]["replicas"].as_i64(),
    );
    if !matches!((max, replicas), (Some(m), Some(r)) if m > r) {
        o.fail(Failure::new(
            object,
            "spec.maxReplicas",
            "above spec.replicas in the converted resource",
            format!("maxReplicas {max:?}, replicas {replicas:?}"),
        ));
    }
    let present: Vec<&str> = HPA_POD_FIELDS
        .iter()
        .copied()
        .filter(|f| !fx.resource["spec"]["pod"][*f].is_null())
        .collect();
    if present.is_empty() {
        o.fail(Failure::new(
            object,
            "spec.pod",
            format!("one of {HPA_POD_FIELDS:?} in the converted resource"),
            "none",
        ));
    }
    let (name, _) = fixtures::apply(&client, NS, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let obj = format!("Function {NS}/{name}");
    let stored = fixtures::get_stored(&client, NS, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
    o.check_eq(
        &obj,
        "spec.maxReplicas",
        max,
        stored["spec"]["maxReplicas"].as_i64(),
    );
    o.check_eq(
        &obj,
        "spec.replicas",
        replicas,
        stored["spec"]["replicas"].as_i64(),
    );
    for f in &present {
        for (path, w, g) in fixtures::lost_fields(
            &fx.resource["spec"]["pod"][*f],
            &stored["spec"]["pod"][*f],
            &format!("spec.pod.{f}"),
        ) {
            o.fail(Failure::new(&obj, path, w, g));
        }
    }
    check_nothing_pruned(&mut o, &obj, &fx.resource, &stored);
    o.note(format!(
        "maxReplicas {} > replicas {}; kept: spec.pod.{{{}}}",
        max.unwrap_or_default(),
        replicas.unwrap_or_default(),
        present.join(", ")
    ));
    Ok(o)
}

/// Scenario 5: With the operator: a HorizontalPodAutoscaler targets the resource with its `maxReplicas`.
pub async fn operator_creates_hpa(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_operator(ctx)?;
    use_crds(ctx, &mut o)?;
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let file = ctx.fixtures.join("functions").join("autoscaled.yaml");
    let object = "fixture functions/autoscaled.yaml";
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;
    let cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    let fx = fixtures::convert(&file, ComponentKind::Function, &cctx).require(&object)?;
    let (name, _) = fixtures::apply(&client, ns, ComponentKind::Function, &fx)
        .await
        .require(&object)?;
    let api: Api<HorizontalPodAutoscaler> = Api::namespaced(client.clone(), ns);
    let targets = |h: &HorizontalPodAutoscaler| {
        h.spec.as_ref().is_some_and(|s| {
            s.scale_target_ref.kind == "Function" && s.scale_target_ref.name == name
        })
    };
    let found = wait_for(
        &format!("an HPA in {ns} targeting Function {name}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            async move {
                Ok(api
                    .list(&ListParams::default())
                    .await?
                    .items
                    .iter()
                    .any(targets))
            }
        },
    )
    .await;
    if let Err(e) = found {
        o.fail(Failure::new(
            format!("HPA for Function {ns}/{name}"),
            "-",
            "created by the operator",
            e.to_string(),
        ));
        return Ok(o);
    }
    let hpas = api.list(&ListParams::default()).await.require("HPA list")?;
    if let Some(h) = hpas.items.iter().find(|h| targets(h)) {
        o.check_eq(
            &format!("HPA {ns}/{}", h.metadata.name.clone().unwrap_or_default()),
            "spec.maxReplicas",
            fx.resource["spec"]["maxReplicas"].as_i64(),
            h.spec.as_ref().map(|s| i64::from(s.max_replicas)),
        );
    }
    Ok(o)
}
