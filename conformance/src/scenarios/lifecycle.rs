//! Scenario 4: update (parallelism, resources, inputs) and delete against the real API server; with the
//! operator, the StatefulSet follows the update.

use std::path::PathBuf;
use std::time::Duration;

use fm_model::ComponentKind;
use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::{Api, DeleteParams, DynamicObject};
use serde_json::{json, Value};

use super::apply::check_nothing_pruned;
use super::base::{need_operator, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures::{self, ConvertedFixture};
use crate::kubeutil::{ensure_namespace, wait_for};
use crate::report::{Failure, Outcome};

/// Scenario 4.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(
            Stage::Lifecycle,
            4,
            "update parallelism, resources and inputs; delete",
            |c| Box::pin(update_delete(c)),
        ),
        Scenario::new(Stage::Lifecycle, 4, "StatefulSet follows the update", |c| {
            Box::pin(statefulset_follows(c))
        }),
    ]
}

const NS: &str = "fmesh-update";
const NEW_INPUT: &str = "persistent://public/default/exclamation-input-2";

fn fixture(ctx: &Ctx<'_>) -> PathBuf {
    ctx.fixtures.join("functions").join("exclamation.yaml")
}

/// The exclamation fixture as converted (v1) and with parallelism 3, 1.5 CPU / 1 GiB and a second input (v2).
fn versions(ctx: &Ctx<'_>) -> Result<(Value, ConvertedFixture, ConvertedFixture), String> {
    let file = fixture(ctx);
    let cctx = fixtures::context(&ctx.fixtures)?;
    let v1 = fixtures::convert(&file, ComponentKind::Function, &cctx)?;
    let mut cfg = fixtures::read_config(&file)?;
    cfg["parallelism"] = json!(3);
    cfg["resources"] = json!({"cpu": 1.5, "ram": 1_073_741_824_u64, "disk": 10_737_418_240_u64});
    match cfg["inputs"].as_array_mut() {
        Some(a) => a.push(json!(NEW_INPUT)),
        None => return Err("exclamation.yaml has no `inputs` list".into()),
    }
    let v2 = fixtures::convert_value(&cfg, &file, ComponentKind::Function, &cctx)?;
    Ok((cfg, v1, v2))
}

/// Scenario 4: Update and delete: the API server stores the new replicas, resources and inputs; the stored resource
/// converts back to the updated config; delete leaves nothing (404).
pub async fn update_delete(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    let object = "fixture functions/exclamation.yaml (updated)";
    let client = ctx.backend.client();
    ensure_namespace(&client, NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let (cfg2, v1, v2) = versions(ctx).require(&object)?;
    let (name, _) = fixtures::apply(&client, NS, ComponentKind::Function, &v1)
        .await
        .require(&object)?;
    let obj = format!("Function {NS}/{name}");
    let before = fixtures::get_stored(&client, NS, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
    fixtures::apply(&client, NS, ComponentKind::Function, &v2)
        .await
        .require(&object)?;
    let after = fixtures::get_stored(&client, NS, ComponentKind::Function, &name)
        .await
        .require(&obj)?;
    for (field, path) in [
        ("spec.replicas", "/spec/replicas"),
        ("spec.resources", "/spec/resources"),
        ("spec.input", "/spec/input"),
    ] {
        let want = v2.resource.pointer(path).cloned().unwrap_or_default();
        let old = before.pointer(path).cloned().unwrap_or_default();
        let got = after.pointer(path).cloned().unwrap_or_default();
        if want == old {
            o.fail(Failure::new(
                &obj,
                field,
                "the update to change it",
                format!("the same value {want}"),
            ));
        }
        o.check_eq(&obj, field, want, got);
    }
    o.check_eq(
        &obj,
        "spec.replicas",
        Some(3),
        after["spec"]["replicas"].as_i64(),
    );
    let topics: Vec<&str> = after["spec"]["input"]["topics"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if !topics.contains(&NEW_INPUT) {
        o.fail(Failure::new(
            &obj,
            "spec.input.topics",
            format!("contains {NEW_INPUT}"),
            format!("{topics:?}"),
        ));
    }
    check_nothing_pruned(&mut o, &obj, &v2.resource, &after);
    let cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    let text = serde_json::to_string(&cfg2).unwrap_or_default();
    match fixtures::round_trip_str(&text, &fixture(ctx), ComponentKind::Function, &after, &cctx) {
        Ok(diffs) => {
            for (path, w, g) in diffs {
                o.fail(Failure::new(format!("{obj} → Pulsar config"), path, w, g));
            }
        }
        Err(e) => o.fail(Failure::new(&obj, "-", "converts back", e)),
    }
    o.note(format!(
        "replicas {} → {}, cpu request {} → {}, inputs {} → {}",
        before["spec"]["replicas"],
        after["spec"]["replicas"],
        before["spec"]["resources"]["requests"]["cpu"],
        after["spec"]["resources"]["requests"]["cpu"],
        before["spec"]["input"]["topics"]
            .as_array()
            .map_or(0, Vec::len),
        topics.len()
    ));
    // Delete.
    let api: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        NS,
        &fixtures::api_resource(ComponentKind::Function),
    );
    if let Err(e) = api.delete(&name, &DeleteParams::default()).await {
        o.fail(Failure::new(&obj, "-", "deleted", e.to_string()));
        return Ok(o);
    }
    let gone = wait_for(&format!("{obj} gone"), Duration::from_secs(30), || {
        let api = api.clone();
        let name = name.clone();
        async move { Ok(api.get_opt(&name).await?.is_none()) }
    })
    .await;
    if let Err(e) = gone {
        o.fail(Failure::new(&obj, "-", "gone after delete", e.to_string()));
    }
    match api.get(&name).await {
        Err(kube::Error::Api(s)) => o.check_eq(&obj, "GET after delete: code", 404, s.code),
        Ok(_) => o.fail(Failure::new(&obj, "GET after delete", "404", "found")),
        Err(e) => o.fail(Failure::new(&obj, "GET after delete", "404", e.to_string())),
    }
    Ok(o)
}

/// Scenario 4: With the operator: the StatefulSet takes the updated replicas and resources.
pub async fn statefulset_follows(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_operator(ctx)?;
    use_crds(ctx, &mut o)?;
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let object = "fixture functions/exclamation.yaml (updated)";
    let client = ctx.backend.client();
    ensure_namespace(&client, ns)
        .await
        .require(&format!("namespace {ns}"))?;
    let (_, v1, v2) = versions(ctx).require(&object)?;
    let (name, _) = fixtures::apply(&client, ns, ComponentKind::Function, &v1)
        .await
        .require(&object)?;
    let sts_name = format!("{name}-function");
    let obj = format!("StatefulSet {ns}/{sts_name}");
    super::reconcile::wait_statefulset(&client, ns, &sts_name)
        .await
        .require(&obj)?;
    fixtures::apply(&client, ns, ComponentKind::Function, &v2)
        .await
        .require(&object)?;
    let want = v2.resource["spec"]["replicas"].as_i64().unwrap_or(1);
    let api: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    let followed = wait_for(
        &format!("{obj} spec.replicas = {want}"),
        Duration::from_secs(60),
        || {
            let api = api.clone();
            let n = sts_name.clone();
            async move {
                Ok(api
                    .get(&n)
                    .await?
                    .spec
                    .and_then(|s| s.replicas)
                    .map(i64::from)
                    == Some(want))
            }
        },
    )
    .await;
    if let Err(e) = followed {
        o.fail(Failure::new(
            &obj,
            "spec.replicas",
            want.to_string(),
            e.to_string(),
        ));
        return Ok(o);
    }
    let sts = api.get(&sts_name).await.require(&obj)?;
    let res = sts
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|p| p.containers.into_iter().next())
        .and_then(|c| c.resources);
    let got = serde_json::to_value(res).unwrap_or_default();
    for (path, w, g) in fixtures::lost_fields(
        &v2.resource["spec"]["resources"],
        &got,
        "spec.template.spec.containers[0].resources",
    ) {
        o.fail(Failure::new(&obj, path, w, g));
    }
    Ok(o)
}
