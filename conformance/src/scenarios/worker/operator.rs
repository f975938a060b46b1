//! Scenario 10 with the Function Mesh operator: what the worker writes for `pulsar-admin
//! functions stop / start / update --parallelism` reaches the pods' StatefulSet — the operator
//! scales it to 0 on stop, back to the kept parallelism on start, and to the new parallelism on
//! update. Blocked without the operator, like the other operator scenarios.

use std::time::Duration;

use k8s_openapi::api::apps::v1::StatefulSet;
use kube::api::Api;

use super::support::{admin, ensure_package, start_in, CLASS, PACKAGE, PULSAR_NS, TENANT};
use crate::kubeutil::wait_for;
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{need_operator, use_crds, Ctx, Require, ScenarioResult};

/// How long the operator may take to follow one change.
const FOLLOW: Duration = Duration::from_secs(90);

/// Waits until the StatefulSet's `spec.replicas` is `want`; Err(the last value seen).
async fn replicas_become(api: &Api<StatefulSet>, name: &str, want: i32) -> Result<(), String> {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None::<i32>));
    let r = wait_for(
        &format!("StatefulSet {name} spec.replicas = {want}"),
        FOLLOW,
        || {
            let (api, name, seen) = (api.clone(), name.to_owned(), seen.clone());
            async move {
                let got = api
                    .get_opt(&name)
                    .await?
                    .and_then(|s| s.spec)
                    .and_then(|s| s.replicas);
                if let Ok(mut s) = seen.lock() {
                    *s = got;
                }
                Ok(got == Some(want))
            }
        },
    )
    .await;
    r.map_err(|_| {
        let last = seen.lock().ok().and_then(|s| *s);
        match last {
            Some(n) => format!("{n} after {FOLLOW:?}"),
            None => format!("no StatefulSet after {FOLLOW:?}"),
        }
    })
}

/// The scenario: create (parallelism 2) → StatefulSet 2; stop → 0; start → 2; update
/// --parallelism 3 → 3; then delete through the worker.
pub async fn statefulset_follows_lifecycle(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_operator(ctx)?;
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let ns = crate::backend::OPERATOR_WATCHED_NAMESPACE;
    let (st, w) = start_in(ctx, ns).await.require("fmesh worker")?;
    let url = w.url();
    let u = Some(url.as_str());
    ensure_package(ctx, p).require("pulsar-admin packages upload")?;
    let ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wop",
    ];
    let sts_name = format!(
        "{}-function",
        st.library().resource_name(TENANT, PULSAR_NS, "wop")
    );
    let obj = format!("StatefulSet {ns}/{sts_name}");
    let api: Api<StatefulSet> = Api::namespaced(ctx.backend.client(), ns);
    let mut create = vec!["functions", "create"];
    create.extend(ids);
    create.extend([
        "--classname",
        CLASS,
        "--inputs",
        "persistent://public/default/wop-in",
        "--jar",
        PACKAGE,
        "--parallelism",
        "2",
    ]);
    let mut stop = vec!["functions", "stop"];
    stop.extend(ids);
    let mut start = vec!["functions", "start"];
    start.extend(ids);
    let mut update = vec!["functions", "update"];
    update.extend(ids);
    update.extend(["--parallelism", "3"]);
    for (args, want) in [(&create, 2), (&stop, 0), (&start, 2), (&update, 3)] {
        if let Err(e) = admin(p, u, args) {
            o.fail(Failure::new(
                format!("pulsar-admin {}", args.join(" ")),
                "-",
                "exit 0",
                e,
            ));
            break;
        }
        if let Err(got) = replicas_become(&api, &sts_name, want).await {
            o.fail(Failure::new(
                &obj,
                format!("spec.replicas after `functions {}`", args[1]),
                want.to_string(),
                got,
            ));
            break;
        }
    }
    let mut delete = vec!["functions", "delete"];
    delete.extend(ids);
    let _ = admin(p, u, &delete);
    let _ = w.stop().await;
    Ok(o)
}
