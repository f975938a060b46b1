//! Scenario 1 (second half): fmesh's generated CRDs (`fm_convert::crd`, what `fmesh crd` prints) compared
//! structurally with the pinned upstream CRDs, and accepted by the real API server.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams};

use super::base::{
    need_upstream_crds, pinned_crds_dir, use_crds, Ctx, Require, Scenario, ScenarioResult, Stage,
    Stop,
};
use crate::kubeutil::{load_crds, FIELD_MANAGER};
use crate::report::{Failure, Outcome};
use crate::schema_diff::{diff, SchemaDiff};

/// Scenario 1: fmesh's generated CRDs against upstream's.
pub fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new(Stage::Crds, 1, "fmesh Function CRD matches upstream", |c| {
            Box::pin(function(c))
        }),
        Scenario::new(Stage::Crds, 1, "fmesh Sink CRD matches upstream", |c| {
            Box::pin(sink(c))
        }),
        Scenario::new(Stage::Crds, 1, "fmesh Source CRD matches upstream", |c| {
            Box::pin(source(c))
        }),
    ]
}

/// A class of known, intended differences between fmesh's CRD schema and upstream's.
#[derive(Debug, Clone, Copy)]
pub struct KnownDiff {
    /// Why fmesh differs.
    pub reason: &'static str,
    /// Which differences belong to the class.
    pub matches: fn(&SchemaDiff) -> bool,
}

/// Kubernetes fields newer than 1.30: fmesh embeds k8s-openapi's `v1_34` types, Function Mesh v0.27.2 embeds
/// k8s.io/api v0.30.9. Fields only in ours; the API server prunes them if ever written.
const NEWER_K8S_SUFFIXES: &[&str] = &[
    ".resources.claims[].request",
    ".valueFrom.fileKeyRef",
    ".restartPolicyRules",
    ".lifecycle.stopSignal",
    ".sources[].podCertificate",
    "volumes[].image",
    ".securityContext.supplementalGroupsPolicy",
    ".securityContext.seLinuxChangePolicy",
    ".scaleUp.tolerance",
    ".scaleDown.tolerance",
];

/// The known difference classes; every one must still occur in every compared kind (else the list is stale).
pub const KNOWN_DIFFS: &[KnownDiff] = &[
    KnownDiff {
        reason: "extra Kubernetes 1.31+ fields (k8s-openapi v1_34 vs Function Mesh's k8s 1.30 types)",
        matches: |d| matches!(d, SchemaDiff::Extra(p) if NEWER_K8S_SUFFIXES.iter().any(|s| p.ends_with(s))),
    },
    KnownDiff {
        reason: "extra ObjectMeta fields in embedded PVC metadata (upstream's controller-gen \
                 generateEmbeddedObjectMeta keeps only name/namespace/labels/annotations/finalizers)",
        matches: |d| {
            matches!(d, SchemaDiff::Extra(p)
                if p.contains("volumeClaimTemplate.metadata.") || p.contains("volumeClaimTemplates[].metadata."))
        },
    },
];

fn schema_of(crd: &CustomResourceDefinition) -> serde_json::Value {
    crd.spec
        .versions
        .iter()
        .find(|v| v.name == "v1alpha1")
        .and_then(|v| v.schema.as_ref())
        .and_then(|s| s.open_api_v3_schema.as_ref())
        .and_then(|s| serde_json::to_value(s).ok())
        .unwrap_or_default()
}

/// Compares one kind: every upstream `spec`/`status` field exists in ours with the same type; the list of
/// differences equals `expected_diffs`.
pub async fn compare(
    ctx: &Ctx<'_>,
    plural: &str,
    ours: CustomResourceDefinition,
) -> ScenarioResult {
    let mut o = Outcome::default();
    need_upstream_crds(ctx)?;
    use_crds(ctx, &mut o)?;
    let name = format!("{plural}.compute.functionmesh.io");
    let object = format!("CRD {name} (fmesh vs upstream)");
    let dir = pinned_crds_dir(ctx, &object)?;
    let upstream = load_crds(&dir).require(&object)?;
    let Some(up) = upstream
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some(name.as_str()))
    else {
        return Err(Stop::Failed(Failure::new(
            &object,
            "-",
            format!("an upstream CRD in {}", dir.display()),
            "none",
        )));
    };
    o.check_eq(
        &object,
        "metadata.name",
        Some(name.as_str()),
        ours.metadata.name.as_deref(),
    );
    o.check_eq(
        &object,
        "spec.group",
        up.spec.group.as_str(),
        ours.spec.group.as_str(),
    );
    o.check_eq(
        &object,
        "spec.names.kind",
        up.spec.names.kind.as_str(),
        ours.spec.names.kind.as_str(),
    );
    o.check_eq(
        &object,
        "spec.names.listKind",
        up.spec.names.list_kind.as_deref(),
        ours.spec.names.list_kind.as_deref(),
    );
    o.check_eq(
        &object,
        "spec.scope",
        up.spec.scope.as_str(),
        ours.spec.scope.as_str(),
    );
    let (us, os) = (schema_of(up), schema_of(&ours));
    let mut got = Vec::new();
    for part in ["spec", "status"] {
        let (u, c) = (&us["properties"][part], &os["properties"][part]);
        got.extend(diff(u, c, part));
    }
    got.sort();
    let mut counts = vec![0usize; KNOWN_DIFFS.len()];
    for d in &got {
        match KNOWN_DIFFS.iter().position(|k| (k.matches)(d)) {
            Some(i) => {
                if let Some(c) = counts.get_mut(i) {
                    *c += 1;
                }
            }
            None => {
                let (field, expected, found) = match d {
                    SchemaDiff::Missing(p) => (
                        p.clone(),
                        "present (upstream has it)".to_owned(),
                        "missing".to_owned(),
                    ),
                    SchemaDiff::TypeMismatch(p, u, c) => {
                        (p.clone(), format!("type {u}"), format!("type {c}"))
                    }
                    SchemaDiff::Extra(p) => (
                        p.clone(),
                        "absent (upstream does not have it)".to_owned(),
                        "present".to_owned(),
                    ),
                };
                o.fail(Failure::new(&object, field, expected, found));
            }
        }
    }
    for (k, n) in KNOWN_DIFFS.iter().zip(&counts) {
        if *n == 0 {
            o.fail(Failure::new(
                &object,
                "KNOWN_DIFFS",
                format!("the listed difference class `{}`", k.reason),
                "no longer occurs",
            ));
        } else {
            o.note(format!("asserted: {n} x {}", k.reason));
        }
    }
    o.note("every upstream spec/status field exists in fmesh's schema with the same type");
    // The API server accepts ours as a structural schema (server-side dry-run over the installed CRD).
    let api: Api<CustomResourceDefinition> = Api::all(ctx.backend.client());
    let mut body = ours.clone();
    body.status = None;
    if let Err(e) = api
        .patch(
            &name,
            &PatchParams::apply(FIELD_MANAGER).force().dry_run(),
            &Patch::Apply(&body),
        )
        .await
    {
        o.fail(Failure::new(
            &object,
            "-",
            "accepted by the API server (dry-run apply)",
            e.to_string(),
        ));
    }
    Ok(o)
}

/// Function.
pub async fn function(ctx: &Ctx<'_>) -> ScenarioResult {
    compare(ctx, "functions", fm_convert::crd::function_crd()).await
}
/// Sink.
pub async fn sink(ctx: &Ctx<'_>) -> ScenarioResult {
    compare(ctx, "sinks", fm_convert::crd::sink_crd()).await
}
/// Source.
pub async fn source(ctx: &Ctx<'_>) -> ScenarioResult {
    compare(ctx, "sources", fm_convert::crd::source_crd()).await
}
