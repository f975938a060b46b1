//! Scenario 10 with pulsarctl's client library: `conformance/go/fmesh-pulsaradmin` (on
//! `github.com/apache/pulsar-client-go/pulsaradmin`, built by `prepare.sh`) creates, reads, lists,
//! updates and deletes a function, a built-in sink and a built-in source through the worker —
//! the plural `/admin/v3/sinks` and `/admin/v3/sources` paths and the library's multipart form
//! (a `functionConfig ` part name with its trailing space, the `url` part as `text/plain`). After
//! every step the resource in the API server is checked.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::support::{check, ensure_package, start, stored, CLASS, NS, PACKAGE, PULSAR_NS, TENANT};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult, Stop};

/// One run of the Go client: Ok(stdout as JSON) on exit 0, else Err(exit code and stderr).
fn go(bin: &Path, url: &str, args: &[&str]) -> Result<Value, String> {
    go_as(bin, url, None, args)
}

/// [`go`] with the token `token` (`FMESH_PULSARADMIN_TOKEN`: every request carries it).
pub(super) fn go_as(
    bin: &Path,
    url: &str,
    token: Option<&str>,
    args: &[&str],
) -> Result<Value, String> {
    let mut cmd = Command::new(bin);
    cmd.env_remove("FMESH_PULSARADMIN_TOKEN");
    if let Some(t) = token {
        cmd.env("FMESH_PULSARADMIN_TOKEN", t);
    }
    let out = cmd
        .arg(url)
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if out.status.success() {
        serde_json::from_slice(&out.stdout).map_err(|e| format!("stdout is not JSON: {e}"))
    } else {
        Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Runs one Go client step: its output, or (a failure recorded in `o`) the end of the scenario.
fn step(o: &mut Outcome, bin: &Path, url: &str, args: &[&str]) -> Result<Value, Stop> {
    go(bin, url, args).map_err(|e| {
        Stop::after(
            o,
            Failure::new(
                format!("fmesh-pulsaradmin {}", args.join(" ")),
                "-",
                "exit 0",
                e,
            ),
        )
    })
}

pub(super) fn want_field(o: &mut Outcome, object: &str, got: &Value, field: &str, want: Value) {
    if got[field] != want {
        o.fail(Failure::new(
            object,
            field,
            want.to_string(),
            got[field].to_string(),
        ));
    }
}

pub(super) fn want_listed(o: &mut Outcome, object: &str, list: &Value, name: &str) {
    let listed = list.as_array().is_some_and(|l| l.iter().any(|n| n == name));
    if !listed {
        o.fail(Failure::new(
            object,
            "-",
            format!("lists {name}"),
            list.to_string(),
        ));
    }
}

/// The scenario: function (package URL) create / get / update / list / delete, built-in sink and
/// source create / get / list / delete, all through pulsar-client-go's admin library.
pub async fn pulsaradmin_go(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let bin = ctx
        .backend
        .prepared()
        .pulsaradmin_go_bin()
        .require("pulsaradmin Go client")?;
    let (st, w) = start(ctx).await.require("fmesh worker")?;
    let url = w.url();
    let bin = bin.as_path();
    if let Err(e) = ensure_package(ctx, p) {
        o.fail(Failure::new(
            "pulsar-admin packages upload",
            "-",
            "exit 0",
            e,
        ));
        return Ok(o);
    }
    let lib = st.library();
    let (f, sk, sr) = (
        fm_worker::Kind::Function,
        fm_worker::Kind::Sink,
        fm_worker::Kind::Source,
    );

    // function: create with a package URL
    let name = lib.resource_name(TENANT, PULSAR_NS, "wgo");
    let obj = format!("Function {NS}/{name}");
    let mut cfg = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": "wgo", "className": CLASS,
        "inputs": ["persistent://public/default/wgo-in"],
        "output": "persistent://public/default/wgo-out", "parallelism": 1,
        // pulsarctl puts `--jar` into the config as well as into the `url` part
        "jar": PACKAGE
    });
    let c = cfg.to_string();
    step(&mut o, bin, &url, &["functions", "create", &c, PACKAGE])?;
    let r = stored(ctx, f, &name).await;
    check(&mut o, &obj, &r, "/spec/java/jarLocation", json!(PACKAGE));
    check(&mut o, &obj, &r, "/spec/className", json!(CLASS));
    check(&mut o, &obj, &r, "/spec/replicas", json!(1));
    let got = step(
        &mut o,
        bin,
        &url,
        &["functions", "get", TENANT, PULSAR_NS, "wgo"],
    )?;
    want_field(&mut o, "functions get wgo", &got, "className", json!(CLASS));
    want_field(&mut o, "functions get wgo", &got, "jar", json!(PACKAGE));
    want_field(
        &mut o,
        "functions get wgo",
        &got,
        "inputs",
        json!(["persistent://public/default/wgo-in"]),
    );
    // update (no updateOptions part: the library sends none when the options are nil)
    cfg["parallelism"] = json!(2);
    let c = cfg.to_string();
    step(&mut o, bin, &url, &["functions", "update", &c, PACKAGE])?;
    check(
        &mut o,
        &obj,
        &stored(ctx, f, &name).await,
        "/spec/replicas",
        json!(2),
    );
    let list = step(&mut o, bin, &url, &["functions", "list", TENANT, PULSAR_NS])?;
    want_listed(&mut o, "functions list", &list, "wgo");

    // built-in sink through /admin/v3/sinks (config part only: no url, no data)
    let sink = lib.resource_name(TENANT, PULSAR_NS, "wgosink");
    let sobj = format!("Sink {NS}/{sink}");
    let c = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": "wgosink",
        "archive": "builtin://elastic_search",
        "inputs": ["persistent://public/default/wgosink-in"],
        "configs": {"elasticSearchUrl": "http://es:9200"}
    })
    .to_string();
    step(&mut o, bin, &url, &["sinks", "create", &c])?;
    let r = stored(ctx, sk, &sink).await;
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/className",
        json!("org.apache.pulsar.io.elasticsearch.ElasticSearchSink"),
    );
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/sinkConfig/elasticSearchUrl",
        json!("http://es:9200"),
    );
    let got = step(
        &mut o,
        bin,
        &url,
        &["sinks", "get", TENANT, PULSAR_NS, "wgosink"],
    )?;
    want_field(
        &mut o,
        "sinks get wgosink",
        &got,
        "archive",
        json!("builtin://elastic_search"),
    );
    let list = step(&mut o, bin, &url, &["sinks", "list", TENANT, PULSAR_NS])?;
    want_listed(&mut o, "sinks list", &list, "wgosink");

    // built-in source through /admin/v3/sources
    let source = lib.resource_name(TENANT, PULSAR_NS, "wgosrc");
    let robj = format!("Source {NS}/{source}");
    let c = json!({
        "tenant": TENANT, "namespace": PULSAR_NS, "name": "wgosrc",
        "archive": "builtin://data-generator",
        "topicName": "persistent://public/default/wgosrc-out"
    })
    .to_string();
    step(&mut o, bin, &url, &["sources", "create", &c])?;
    let r = stored(ctx, sr, &source).await;
    check(
        &mut o,
        &robj,
        &r,
        "/spec/output/topic",
        json!("persistent://public/default/wgosrc-out"),
    );
    let got = step(
        &mut o,
        bin,
        &url,
        &["sources", "get", TENANT, PULSAR_NS, "wgosrc"],
    )?;
    want_field(
        &mut o,
        "sources get wgosrc",
        &got,
        "topicName",
        json!("persistent://public/default/wgosrc-out"),
    );
    let list = step(&mut o, bin, &url, &["sources", "list", TENANT, PULSAR_NS])?;
    want_listed(&mut o, "sources list", &list, "wgosrc");

    // delete all three; each is gone from the API server, and a get is refused
    for (kind, plural, short, resource, object) in [
        (f, "functions", "wgo", &name, &obj),
        (sk, "sinks", "wgosink", &sink, &sobj),
        (sr, "sources", "wgosrc", &source, &robj),
    ] {
        step(
            &mut o,
            bin,
            &url,
            &[plural, "delete", TENANT, PULSAR_NS, short],
        )?;
        if stored(ctx, kind, resource).await.is_some() {
            o.fail(Failure::new(object, "-", "deleted", "still there"));
        }
        match go(bin, &url, &[plural, "get", TENANT, PULSAR_NS, short]) {
            Ok(v) => o.fail(Failure::new(
                format!("{plural} get {short} (deleted)"),
                "-",
                "refused (404)",
                v.to_string(),
            )),
            Err(e) if !e.contains("404") => o.fail(Failure::new(
                format!("{plural} get {short} (deleted)"),
                "-",
                "404",
                e,
            )),
            Err(_) => {}
        }
    }
    let _ = w.stop().await;
    Ok(o)
}
