//! Scenario 2: every fixture converts, server-side applies, and reads back with nothing pruned or changed;
//! converting back to the Pulsar config gives the input.

use super::fixtures::{self, Kind};
use super::Ctx;
use crate::kubeutil::ensure_namespace;
use crate::report::{Failure, Outcome};
use crate::require;

/// Namespace of scenarios 2 and 3.
pub const NS: &str = crate::backend::OPERATOR_WATCHED_NAMESPACE;

async fn applied(ctx: &Ctx<'_>, kind: Kind) -> Outcome {
    let mut o = Outcome::default();
    let object = format!("{} fixtures", kind.kind());
    require!(ctx.backend.crds_installed(), object);
    let client = ctx.backend.client();
    require!(
        ensure_namespace(&client, NS).await,
        format!("namespace {NS}")
    );
    let cctx = fixtures::context(&ctx.fixtures);
    let files = fixtures::files(&ctx.fixtures, kind);
    if files.is_empty() {
        return Outcome::failed(Failure::new(
            &object,
            "-",
            format!("fixtures in fixtures/{}", kind.dir()),
            "none",
        ));
    }
    for f in files {
        let fname = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let fx = match fixtures::convert(&f, kind, &cctx) {
            Ok(fx) => fx,
            Err(e) => {
                o.fail(Failure::new(
                    format!("fixture {}/{fname}", kind.dir()),
                    "-",
                    "converts",
                    e,
                ));
                continue;
            }
        };
        match fixtures::apply(&client, NS, kind, &fx).await {
            Ok((name, stored)) => {
                let obj = format!("{} {NS}/{name} (from {fname})", kind.kind());
                for part in ["spec"] {
                    for (path, w, s) in
                        fixtures::lost_fields(&fx.resource[part], &stored[part], part)
                    {
                        o.fail(Failure::new(&obj, path, w, s));
                    }
                }
                for part in ["labels", "annotations"] {
                    for (path, w, s) in fixtures::lost_fields(
                        &fx.resource["metadata"][part],
                        &stored["metadata"][part],
                        &format!("metadata.{part}"),
                    ) {
                        o.fail(Failure::new(&obj, path, w, s));
                    }
                }
                match fixtures::round_trip(&f, kind, &stored, &cctx) {
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
                o.note(format!("{fname} → {} {name}: every written field kept; converts back to the normalised input", kind.kind()));
            }
            Err(e) => o.fail(Failure::new(
                format!("fixture {}/{fname}", kind.dir()),
                "-",
                "accepted by the API server",
                e,
            )),
        }
    }
    o
}

/// 2. Functions.
pub async fn functions(ctx: &Ctx<'_>) -> Outcome {
    applied(ctx, Kind::Function).await
}
/// 2. Sinks.
pub async fn sinks(ctx: &Ctx<'_>) -> Outcome {
    applied(ctx, Kind::Sink).await
}
/// 2. Sources.
pub async fn sources(ctx: &Ctx<'_>) -> Outcome {
    applied(ctx, Kind::Source).await
}
