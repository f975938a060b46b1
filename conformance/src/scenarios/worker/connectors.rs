//! Scenario 10, connectors: `pulsar-admin sinks` and `sources` through the worker.

use serde_json::json;

use super::support::{check, json_out, start, step, stored, NS, PULSAR_NS, TENANT};
use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

/// `sinks create --sink-type` (the CLI checks `builtinsinks` first), `sources create
/// --source-type`, get, list, delete.
pub async fn connectors(ctx: &Ctx<'_>) -> ScenarioResult {
    let mut o = Outcome::default();
    let p = ctx.backend.pulsar().require("Pulsar")?;
    use_crds(ctx, &mut o)?;
    let (st, w) = start(ctx).await.require("fmesh worker")?;
    let url = w.url();
    let u = Some(url.as_str());
    let sink_ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wsink",
    ];
    let source_ids = [
        "--tenant",
        TENANT,
        "--namespace",
        PULSAR_NS,
        "--name",
        "wsrc",
    ];
    let mut args = vec![
        "sinks",
        "create",
        "--sink-type",
        "elastic_search",
        "--inputs",
        "persistent://public/default/wsink-in",
        "--sink-config",
        "{\"elasticSearchUrl\":\"http://es:9200\"}",
    ];
    args.extend(sink_ids);
    step(&mut o, p, u, &args)?;
    let sink = st.library().resource_name(TENANT, PULSAR_NS, "wsink");
    let obj = format!("Sink {NS}/{sink}");
    let r = stored(ctx, fm_worker::Kind::Sink, &sink).await;
    check(
        &mut o,
        &obj,
        &r,
        "/spec/image",
        json!("docker.io/streamnative/pulsar-io-elastic-search:3.0.0.1"),
    );
    check(
        &mut o,
        &obj,
        &r,
        "/spec/className",
        json!("org.apache.pulsar.io.elasticsearch.ElasticSearchSink"),
    );
    check(
        &mut o,
        &obj,
        &r,
        "/spec/sinkConfig/elasticSearchUrl",
        json!("http://es:9200"),
    );
    let mut args = vec!["sinks", "get"];
    args.extend(sink_ids);
    let got = json_out(&step(&mut o, p, u, &args)?);
    if got["archive"] != json!("builtin://elastic_search") {
        o.fail(Failure::new(
            "sinks get wsink",
            "archive",
            "builtin://elastic_search",
            got["archive"].to_string(),
        ));
    }
    let listed = step(
        &mut o,
        p,
        u,
        &[
            "sinks",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS,
        ],
    )?;
    if !listed.contains("wsink") {
        o.fail(Failure::new("sinks list", "-", "contains wsink", listed));
    }
    let mut args = vec![
        "sources",
        "create",
        "--source-type",
        "data-generator",
        "--destination-topic-name",
        "persistent://public/default/wsrc-out",
    ];
    args.extend(source_ids);
    step(&mut o, p, u, &args)?;
    let source = st.library().resource_name(TENANT, PULSAR_NS, "wsrc");
    let sobj = format!("Source {NS}/{source}");
    let r = stored(ctx, fm_worker::Kind::Source, &source).await;
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/output/topic",
        json!("persistent://public/default/wsrc-out"),
    );
    check(
        &mut o,
        &sobj,
        &r,
        "/spec/className",
        json!("org.apache.pulsar.io.datagenerator.DataGeneratorSource"),
    );
    let mut args = vec!["sources", "get"];
    args.extend(source_ids);
    let got = json_out(&step(&mut o, p, u, &args)?);
    if got["topicName"] != json!("persistent://public/default/wsrc-out") {
        o.fail(Failure::new(
            "sources get wsrc",
            "topicName",
            "persistent://public/default/wsrc-out",
            got["topicName"].to_string(),
        ));
    }
    let listed = step(
        &mut o,
        p,
        u,
        &[
            "sources",
            "list",
            "--tenant",
            TENANT,
            "--namespace",
            PULSAR_NS,
        ],
    )?;
    if !listed.contains("wsrc") {
        o.fail(Failure::new("sources list", "-", "contains wsrc", listed));
    }
    let mut args = vec!["sinks", "delete"];
    args.extend(sink_ids);
    step(&mut o, p, u, &args)?;
    let mut args = vec!["sources", "delete"];
    args.extend(source_ids);
    step(&mut o, p, u, &args)?;
    if stored(ctx, fm_worker::Kind::Sink, &sink).await.is_some() {
        o.fail(Failure::new(&obj, "-", "deleted", "still there"));
    }
    if stored(ctx, fm_worker::Kind::Source, &source)
        .await
        .is_some()
    {
        o.fail(Failure::new(&sobj, "-", "deleted", "still there"));
    }
    let _ = w.stop().await;
    Ok(o)
}
