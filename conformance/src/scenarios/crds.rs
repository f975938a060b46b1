//! Scenario 1: the pinned upstream CRDs install, and fmesh's generated CRDs match them structurally.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::Api;

use super::base::{
    need_upstream_crds, pinned_crds_dir, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage,
};
use crate::kubeutil::load_crds;
use crate::report::{Failure, Outcome};

/// Scenario 1: the pinned upstream CRDs install.
pub fn scenarios() -> Vec<Scenario> {
    vec![Scenario::new(
        Stage::Crds,
        1,
        "upstream CRDs install",
        |c| Box::pin(upstream_installed(c)),
    )]
}

/// The CRDs of the pinned release, by plural, with the subresources each must serve.
pub const EXPECTED: &[(&str, &str, bool)] = &[
    ("functions", "Function", true),
    ("sinks", "Sink", true),
    ("sources", "Source", true),
    ("functionmeshes", "FunctionMesh", false),
    ("backendconfigs", "BackendConfig", true),
];

/// Scenario 1: the pinned CRDs are installed, Established, served at `compute.functionmesh.io/v1alpha1`
/// with the status (and scale) subresources, and what the API server stores equals the release files.
pub async fn upstream_installed(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    need_upstream_crds(ctx)?;
    use_crds(ctx, &mut o)?;
    let dir = pinned_crds_dir(ctx, "CRDs compute.functionmesh.io")?;
    let files = load_crds(&dir).require("CRDs compute.functionmesh.io")?;
    let api: Api<CustomResourceDefinition> = Api::all(ctx.backend.client());
    for (plural, kind, scale) in EXPECTED {
        let name = format!("{plural}.compute.functionmesh.io");
        let object = format!("CRD {name}");
        let crd = match api.get_opt(&name).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                o.fail(Failure::new(&object, "-", "installed", "not found"));
                continue;
            }
            Err(e) => {
                o.fail(Failure::unavailable(&object, e));
                continue;
            }
        };
        o.check_eq(
            &object,
            "spec.names.kind",
            *kind,
            crd.spec.names.kind.as_str(),
        );
        o.check_eq(&object, "spec.scope", "Namespaced", crd.spec.scope.as_str());
        let established = crd
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| {
                cs.iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
            });
        o.check_eq(&object, "status.conditions[Established]", true, established);
        let v = crd.spec.versions.iter().find(|v| v.name == "v1alpha1");
        o.check_eq(
            &object,
            "spec.versions[v1alpha1].served",
            Some(true),
            v.map(|v| v.served),
        );
        let sub = v.and_then(|v| v.subresources.as_ref());
        o.check_eq(
            &object,
            "spec.versions[v1alpha1].subresources.status",
            true,
            sub.is_some_and(|s| s.status.is_some()),
        );
        o.check_eq(
            &object,
            "spec.versions[v1alpha1].subresources.scale",
            *scale,
            sub.is_some_and(|s| s.scale.is_some()),
        );
        // What the server stores is what the release ships (nothing dropped from the schema).
        if let Some(file) = files
            .iter()
            .find(|c| c.metadata.name.as_deref() == Some(name.as_str()))
        {
            let stored = v
                .and_then(|v| v.schema.as_ref())
                .map(|s| serde_json::to_value(s).unwrap_or_default());
            let shipped = file
                .spec
                .versions
                .iter()
                .find(|v| v.name == "v1alpha1")
                .and_then(|v| v.schema.as_ref())
                .map(|s| serde_json::to_value(s).unwrap_or_default());
            if stored != shipped {
                o.fail(Failure::new(
                    &object,
                    "spec.versions[v1alpha1].schema",
                    "the release file's schema",
                    "a different stored schema",
                ));
            }
        } else {
            o.fail(Failure::new(
                &object,
                "-",
                format!("a file for it in {}", dir.display()),
                "none",
            ));
        }
    }
    o.note(format!("CRDs from {}", dir.display()));
    Ok(o)
}
