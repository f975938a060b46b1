//! Scenario 10, refusals: a config with several problems is refused with all of them.

use kube::api::ListParams;

use super::support::{admin, api, start, CLASS, PACKAGE};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult, Stop};

/// A config with several problems: pulsar-admin exits non-zero and shows every problem; nothing
/// reaches the API server.
pub async fn bad_config(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let (_st, w) = start(ctx).await.require("fmesh worker")?;
    let url = w.url();
    let cfg = ctx.backend.log_dir().join("fmesh-worker-bad.yaml");
    // Two problems the CLI does not check itself: negative resources and an unusable output topic.
    std::fs::write(
            &cfg,
            format!(
                "tenant: public\nnamespace: default\nname: wbad\nclassName: {CLASS}\n\
                 inputs: [persistent://public/default/wbad-in]\noutput: 'persistent://public/default/bad topic'\n\
                 jar: {PACKAGE}\nresources:\n  cpu: -1.0\n"
            )
        )
        .map_err(|e| format!("write {}: {e}", cfg.display())).require("config file")?;
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
        Err(e) => return Err(Stop::Failed(Failure::unavailable("list Functions", e))),
    }
    let _ = w.stop().await;
    Ok(o)
}
