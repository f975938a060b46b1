//! Scenario 9: for the last release of every Function Mesh minor line (and every release the compatibility
//! matrix names), that release's CRDs installed and every fixture, pruned for that target version, accepted
//! with nothing pruned by the API server — one release after another in the same API server.

use std::str::FromStr;

use fm_model::ComponentKind;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use super::base::{gate, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage};
use super::fixtures;
use crate::backend::{short_reason, Availability};
use crate::kubeutil::{delete_crds, ensure_namespace, install_crds, load_crds};
use crate::report::{Failure, Outcome};
use kube::api::{Api, ListParams};

/// Scenario 9, one per targeted release (last: it swaps the installed CRDs and puts them back at the end).
pub fn scenarios() -> Vec<Scenario> {
    targets()
        .into_iter()
        .map(|t| {
            let title = format!("target {t}: fixtures accepted");
            Scenario::new(Stage::Versions, 9, title, move |c| {
                let t = t.clone();
                Box::pin(async move { target(c, &t).await })
            })
        })
        .collect()
}

/// The plurals scenario 9 swaps; the FunctionMesh and BackendConfig CRDs stay as they are.
const SWAPPED: [&str; 3] = ["functions", "sinks", "sources"];

fn swapped_only(crds: Vec<CustomResourceDefinition>) -> Vec<CustomResourceDefinition> {
    crds.into_iter()
        .filter(|c| SWAPPED.contains(&c.spec.names.plural.as_str()))
        .collect()
}

/// The releases scenario 9 targets, ascending: the last release of every minor line fm-compat knows, plus every
/// release the published compatibility matrix names — or, when `FMESH_FM_TARGETS` is set (tags separated by
/// spaces or commas), exactly those.
pub fn targets() -> Vec<String> {
    if let Ok(list) = std::env::var("FMESH_FM_TARGETS") {
        let chosen: Vec<String> = list
            .split([' ', ','])
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if !chosen.is_empty() {
            return chosen;
        }
    }
    let releases = fm_compat::target::FieldHistory::embedded()
        .releases()
        .to_vec();
    let mut out: Vec<fm_compat::FunctionMeshVersion> = releases
        .iter()
        .filter(|r| {
            !releases
                .iter()
                .any(|o| o.major == r.major && o.minor == r.minor && o > r)
        })
        .copied()
        .collect();
    let mut matrix = fm_compat::Matrix::published_older();
    matrix.extend_with(fm_compat::Matrix::published());
    out.extend(
        matrix
            .function_mesh_versions()
            .into_iter()
            .filter(|v| releases.contains(v)),
    );
    out.sort();
    out.dedup();
    out.into_iter().map(|v| v.to_string()).collect()
}

/// The Function/Sink/Source CRDs of either Function Mesh API group currently installed.
async fn installed_swapped(client: &kube::Client) -> crate::Result<Vec<String>> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    Ok(api
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|c| {
            SWAPPED.contains(&c.spec.names.plural.as_str())
                && GROUPS.contains(&c.spec.group.as_str())
        })
        .filter_map(|c| c.metadata.name)
        .collect())
}

/// The API groups Function Mesh used (`cloud.streamnative.io` before v0.1.4).
const GROUPS: [&str; 2] = ["compute.functionmesh.io", "cloud.streamnative.io"];

/// Scenario 9 for one release: its Function/Sink/Source CRDs replace whichever are installed, every fixture is
/// converted with `--target-version` (fm-compat's pruning) and server-side applied — accepted with nothing
/// pruned, or refused by fmesh before any request with the reason. The targets run one after another in the
/// same API server; the last one puts the CRDs in use before (the pinned set) back.
pub async fn target(ctx: &Ctx<'_>, version: &str) -> ScenarioResult {
    let mut o = swap_and_apply(ctx, version)
        .await
        .unwrap_or_else(Outcome::from);
    if targets().last().map(String::as_str) == Some(version) {
        if let Ok(set) = ctx.backend.crds() {
            let client = ctx.backend.client();
            let restore = async {
                let current = swapped_only(set.load()?);
                delete_crds(&client, &installed_swapped(&client).await?).await?;
                install_crds(&client, &current).await
            };
            if let Err(e) = restore.await {
                o.fail(Failure::new(
                    "Function Mesh CRDs in use before scenario 9",
                    "-",
                    "restored",
                    e.to_string(),
                ));
            }
        }
    }
    Ok(o)
}

async fn swap_and_apply(ctx: &Ctx<'_>, version: &str) -> ScenarioResult {
    let mut o = Outcome::default();
    let object = format!("Function Mesh {version} CRDs");
    let prepared = ctx.backend.prepared();
    let Some(old_dir) = prepared.crds_dir_of(version) else {
        let availability = match prepared
            .missing_old()
            .into_iter()
            .find(|(v, _)| v == version)
        {
            Some((_, r)) => Availability::Blocked(short_reason(&r).to_owned()),
            None => Availability::Blocked(format!(
                "no CRD files for {version} under {} (prepare.sh looks in \
                 ${{FMESH_SHARED:-<repo>/../shared}}/function-mesh/<tag>/crds/)",
                prepared
                    .shared_dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_else(|| "the shared folder (absent)".to_owned())
            )),
        };
        gate(
            &format!("the upstream Function Mesh {version} CRDs"),
            availability,
        )?;
        return Ok(o);
    };
    use_crds(ctx, &mut o)?;
    let target_v = fm_compat::FunctionMeshVersion::from_str(version).require(&object)?;
    let old = swapped_only(load_crds(&old_dir).require(&object)?);
    let client = ctx.backend.client();
    // Swap: remove the installed Function/Sink/Source CRDs (and with them their resources), install the release's.
    let t0 = std::time::Instant::now();
    let installed = installed_swapped(&client).await.require(&object)?;
    delete_crds(&client, &installed).await.require(&object)?;
    let t_deleted = t0.elapsed();
    if let Err(e) = install_crds(&client, &old).await {
        o.fail(Failure::new(&object, "-", "installed", e.to_string()));
        return Ok(o);
    }
    let t_installed = t0.elapsed();
    let ns = format!("fmesh-target-{}", version.replace('.', "-"));
    ensure_namespace(&client, &ns)
        .await
        .require(&format!("namespace {ns}"))?;
    // The connector catalogue, but the default worker settings: the fixture worker's JVM options would
    // (rightly) make every Java resource need `javaOpts` (v0.8.0+).
    let mut cctx = fixtures::context(&ctx.fixtures).require(&object)?;
    cctx.worker = Default::default();
    cctx.cluster = Some("standalone".to_owned());
    let mut prepared_fx = Vec::new();
    let (mut dropped_notes, mut refused) = (Vec::new(), Vec::new());
    for kind in ComponentKind::ALL {
        for f in fixtures::files(&ctx.fixtures, kind) {
            let fname = format!(
                "{}/{}",
                kind.plural(),
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
            match fm_compat::target::prune_for_target(kind, &mut fx.resource, &target_v) {
                Ok(dropped) if !dropped.is_empty() => {
                    dropped_notes.push(format!("{fname} ({})", dropped.len()))
                }
                Ok(_) => {}
                Err(e) => {
                    refused.push(format!("{fname}: {e}"));
                    continue;
                }
            }
            prepared_fx.push((kind, fname, fx));
        }
    }
    // Every fixture at once: the requests are independent.
    let results = futures::future::join_all(
        prepared_fx
            .iter()
            .map(|(kind, _, fx)| fixtures::apply(&client, &ns, *kind, fx)),
    )
    .await;
    let mut applied = 0usize;
    for ((kind, fname, fx), result) in prepared_fx.iter().zip(results) {
        match result {
            Ok((name, stored)) => {
                applied += 1;
                let obj = format!(
                    "{} {ns}/{name} (from {fname}, target {version})",
                    kind.as_str()
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
    if applied == 0 {
        o.fail(Failure::new(
            &object,
            "-",
            "at least one fixture accepted for this target",
            "every fixture refused by fmesh",
        ));
    }
    o.note(format!(
        "{applied} fixture(s) applied against the {version} CRDs with nothing pruned; fields dropped by \
         --target-version: {}",
        if dropped_notes.is_empty() {
            "none".to_owned()
        } else {
            dropped_notes.join(", ")
        }
    ));
    o.note(format!(
        "CRDs deleted in {:.1}s, installed in {:.1}s, fixtures applied in {:.1}s",
        t_deleted.as_secs_f64(),
        (t_installed - t_deleted).as_secs_f64(),
        (t0.elapsed() - t_installed).as_secs_f64()
    ));
    for r in refused {
        o.note(format!("refused by fmesh before any request: {r}"));
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_every_minor_lines_last_release_and_the_matrix_releases() {
        if std::env::var_os("FMESH_FM_TARGETS").is_some() {
            return;
        }
        let t = targets();
        for want in [
            "v0.1.9", "v0.1.10", "v0.1.11", "v0.2.0", "v0.2.1", "v0.11.0", "v0.11.2", "v0.17.4",
            "v0.21.10", "v0.27.2",
        ] {
            assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
        }
        for not in ["v0.1.8", "v0.17.3", "v0.21.9", "v0.27.1"] {
            assert!(!t.iter().any(|x| x == not), "{not} in {t:?}");
        }
        assert_eq!(t.len(), 31);
    }
}
