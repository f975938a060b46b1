//! Scenario 9: for older Function Mesh releases, that release's CRDs installed and every fixture, pruned for
//! that target version, accepted with nothing pruned by the API server.

use std::str::FromStr;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use super::fixtures::{self, Kind};
use super::gate;
use super::Ctx;
use crate::backend::{short_reason, Availability};
use crate::kubeutil::{delete_crds, ensure_namespace, install_crds, load_crds};
use crate::report::{Failure, Outcome};
use crate::{crds, gate, require};

fn names(crds: &[CustomResourceDefinition]) -> Vec<String> {
    crds.iter()
        .filter_map(|c| c.metadata.name.clone())
        .collect()
}

async fn target(ctx: &Ctx<'_>, version: &str) -> Outcome {
    let mut o = Outcome::default();
    let object = format!("Function Mesh {version} CRDs");
    let prepared = ctx.backend.prepared();
    let Some((_, old_dir)) = prepared
        .old_crd_dirs()
        .into_iter()
        .find(|(v, _)| v == version)
    else {
        let availability = match prepared
            .missing_old()
            .into_iter()
            .find(|(v, _)| v == version)
        {
            Some((_, r)) => Availability::Blocked(short_reason(&r).to_owned()),
            None => Availability::Failed(format!(
                "neither FM_OLD_CRDS nor MISSING_FM_CRDS_{version} names it in {}",
                prepared.source.display()
            )),
        };
        gate!(gate(
            &format!("the upstream Function Mesh {version} CRDs"),
            availability
        ));
        return o;
    };
    let current_set = crds!(ctx, o);
    let target_v = require!(fm_compat::FunctionMeshVersion::from_str(version), object);
    let current = require!(current_set.load(), object);
    let old = require!(load_crds(&old_dir), object);
    let client = ctx.backend.client();
    // Swap: remove the pinned CRDs (and with them every resource), install the old release's.
    require!(delete_crds(&client, &names(&current)).await, object);
    let swapped = install_crds(&client, &old).await;
    if let Err(e) = swapped {
        o.fail(Failure::new(&object, "-", "installed", e.to_string()));
    } else {
        let ns = format!("fmesh-target-{}", version.replace('.', "-"));
        require!(
            ensure_namespace(&client, &ns).await,
            format!("namespace {ns}")
        );
        // The connector catalogue, but the default worker settings: the fixture worker's JVM options would
        // (rightly) make every Java resource need `javaOpts` (v0.8.0+).
        let mut cctx = require!(fixtures::context(&ctx.fixtures), object);
        cctx.worker = Default::default();
        cctx.cluster = Some("standalone".to_owned());
        let mut applied = 0usize;
        for kind in Kind::ALL {
            for f in fixtures::files(&ctx.fixtures, kind) {
                let fname = format!(
                    "{}/{}",
                    kind.dir(),
                    f.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                );
                let mut fx = match fixtures::convert(&f, kind, &cctx) {
                    Ok(fx) => fx,
                    Err(e) => {
                        o.fail(Failure::new(format!("fixture {fname}"), "-", "converts", e));
                        continue;
                    }
                };
                match fm_compat::target::prune_for_target(
                    kind.compat(),
                    &mut fx.resource,
                    &target_v,
                ) {
                    Ok(dropped) if !dropped.is_empty() => o.note(format!(
                        "{fname}: --target-version {version} dropped {} field(s)",
                        dropped.len()
                    )),
                    Ok(_) => {}
                    Err(e) => {
                        o.note(format!("{fname}: refused by fmesh before any request: {e}"));
                        continue;
                    }
                }
                match fixtures::apply(&client, &ns, kind, &fx).await {
                    Ok((name, stored)) => {
                        applied += 1;
                        let obj = format!(
                            "{} {ns}/{name} (from {fname}, target {version})",
                            kind.kind()
                        );
                        for (path, w, s) in
                            fixtures::lost_fields(&fx.resource["spec"], &stored["spec"], "spec")
                        {
                            o.fail(Failure::new(&obj, path, w, s));
                        }
                    }
                    Err(e) => o.fail(Failure::new(
                        format!("fixture {fname} (target {version})"),
                        "-",
                        "accepted",
                        e,
                    )),
                }
            }
        }
        if applied == 0 {
            o.fail(Failure::new(
                &object,
                "-",
                "at least one fixture accepted for this target",
                "every fixture refused by fmesh",
            ));
        } else {
            o.note(format!(
                "{applied} fixture(s) applied against the {version} CRDs with nothing pruned"
            ));
        }
    }
    // Restore the CRDs in use before.
    let restore = async {
        delete_crds(&client, &names(&old)).await?;
        install_crds(&client, &current).await
    };
    if let Err(e) = restore.await {
        o.fail(Failure::new(
            "Function Mesh CRDs in use before",
            "-",
            "restored",
            e.to_string(),
        ));
    }
    o
}

/// Scenario 9: Function Mesh v0.6.0.
pub async fn v0_6_0(ctx: &Ctx<'_>) -> Outcome {
    target(ctx, "v0.6.0").await
}
/// Scenario 9: Function Mesh v0.14.0.
pub async fn v0_14_0(ctx: &Ctx<'_>) -> Outcome {
    target(ctx, "v0.14.0").await
}
