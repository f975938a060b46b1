//! Scenario 2, one per fixture file: the fixture converts, server-side applies with `kube::Api`, reads back
//! with nothing pruned or changed, and converting the stored resource back (`fm_convert::reverse`) gives the
//! normalised input (`fm_convert::normalize`).

use std::path::{Path, PathBuf};

use fm_model::ComponentKind;
use kube::api::{Api, DynamicObject};
use serde_json::Value;

use super::base::{use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures;
use crate::kubeutil::ensure_namespace;
use crate::report::{Failure, Outcome};

/// Scenario 2, one per fixture file (Functions, then Sinks, then Sources).
pub fn scenarios(fixtures_dir: &Path) -> Vec<Scenario> {
    let mut v = Vec::new();
    for kind in ComponentKind::ALL {
        for f in fixtures::files(fixtures_dir, kind) {
            let title = format!("apply {} {}", kind.as_str(), fixtures::file_name(&f));
            v.push(Scenario::new(Stage::Apply, 2, title, move |c| {
                Box::pin(one(c, kind, f.clone()))
            }));
        }
    }
    v
}

/// Namespace of scenarios 2 and 3 (the one the operator watches).
pub const NS: &str = crate::backend::OPERATOR_WATCHED_NAMESPACE;

/// Every leaf fmesh wrote under `spec`, `metadata.labels` and `metadata.annotations` is kept by the server.
pub fn check_nothing_pruned(o: &mut Outcome, obj: &str, written: &Value, stored: &Value) {
    for (path, w, s) in fixtures::lost_fields(&written["spec"], &stored["spec"], "spec") {
        o.fail(Failure::new(obj, path, w, s));
    }
    for part in ["labels", "annotations"] {
        for (path, w, s) in fixtures::lost_fields(
            &written["metadata"][part],
            &stored["metadata"][part],
            &format!("metadata.{part}"),
        ) {
            o.fail(Failure::new(obj, path, w, s));
        }
    }
}

/// Scenario 2: One fixture file.
pub async fn one(ctx: &Ctx<'_>, kind: ComponentKind, file: PathBuf) -> ScenarioResult {
    let mut o = Outcome::default();
    let fname = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fixture = format!("fixture {}/{fname}", kind.plural());
    use_crds(ctx, &mut o)?;
    let client = ctx.backend.client();
    ensure_namespace(&client, NS)
        .await
        .require(&format!("namespace {NS}"))?;
    let cctx = fixtures::context_for(&ctx.fixtures, &file).require(&fixture)?;
    let fx = match fixtures::convert(&file, kind, &cctx) {
        Ok(fx) => fx,
        Err(e) => {
            o.fail(Failure::new(&fixture, "-", "converts", e));
            return Ok(o);
        }
    };
    let (name, applied) = match fixtures::apply(&client, NS, kind, &fx).await {
        Ok(x) => x,
        Err(e) => {
            o.fail(Failure::new(&fixture, "-", "accepted by the API server", e));
            return Ok(o);
        }
    };
    let obj = format!("{} {NS}/{name} (from {fname})", kind.as_str());
    // Read back with a fresh GET (not only the apply response).
    let api: Api<DynamicObject> = Api::namespaced_with(client, NS, &fixtures::api_resource(kind));
    let stored = match api.get(&name).await {
        Ok(s) => serde_json::to_value(&s).unwrap_or_default(),
        Err(e) => {
            o.fail(Failure::new(
                &obj,
                "-",
                "readable after apply",
                e.to_string(),
            ));
            return Ok(o);
        }
    };
    // Only what fmesh wrote (spec, labels, annotations) is compared: the server and the operator own the rest
    // (resourceVersion, managedFields, status) and may change it between the apply and the read.
    check_nothing_pruned(
        &mut o,
        &format!("{obj} (apply response)"),
        &fx.resource,
        &applied,
    );
    check_nothing_pruned(&mut o, &obj, &fx.resource, &stored);
    match fixtures::round_trip(&file, kind, &stored, &cctx) {
        Ok(diffs) => {
            for (path, w, g) in diffs {
                o.fail(Failure::new(format!("{obj} → Pulsar config"), path, w, g));
            }
        }
        Err(e) => o.fail(Failure::new(
            format!("{obj} → Pulsar config"),
            "-",
            "converts back",
            e,
        )),
    }
    if !fx.secrets.is_empty() {
        o.note(format!("{} Secret(s) applied with it", fx.secrets.len()));
    }
    Ok(o)
}
