//! Criterion benchmarks: fmesh's conversions against the raw JSON floor (serde_json `Value`
//! parse + serialise of the input and of the output), per kind and direction, and a `list` of
//! 10,000 resources. `cargo bench -p fm-convert`; see BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use fm_convert::crd::{Function, Sink, Source};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{Request, Worker};
use std::hint::black_box;

fn yaml_to_json(text: &str) -> String {
    let v: serde_json::Value = serde_yaml_ng::from_str(text).unwrap();
    serde_json::to_string(&v).unwrap()
}

fn floor(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    serde_json::to_string(&v).unwrap()
}

fn ctx() -> Worker {
    Worker::builder(
        serde_yaml_ng::from_str::<WorkerConfig>(include_str!(
            "../../fixtures/worker/functions_worker.yml"
        ))
        .unwrap(),
    )
    .connectors(
        serde_yaml_ng::from_str::<Vec<ConnectorDefinition>>(include_str!(
            "../../fixtures/worker/connectors.yaml"
        ))
        .unwrap(),
    )
    .cluster(Some("standalone"))
    .build()
}

fn forward_function(t: &str, c: &Worker) -> String {
    let cfg: FunctionConfig = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.convert(&cfg, &Request::new()).unwrap().resource).unwrap()
}
fn forward_sink(t: &str, c: &Worker) -> String {
    let cfg: SinkConfig = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.convert(&cfg, &Request::new()).unwrap().resource).unwrap()
}
fn forward_source(t: &str, c: &Worker) -> String {
    let cfg: SourceConfig = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.convert(&cfg, &Request::new()).unwrap().resource).unwrap()
}
fn reverse_function(t: &str, c: &Worker) -> String {
    let r: Function = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.reverse(&r).unwrap()).unwrap()
}
fn reverse_sink(t: &str, c: &Worker) -> String {
    let r: Sink = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.reverse(&r).unwrap()).unwrap()
}
fn reverse_source(t: &str, c: &Worker) -> String {
    let r: Source = fm_convert::parse::parse(t).unwrap();
    serde_json::to_string(&c.reverse(&r).unwrap()).unwrap()
}

#[derive(serde::Deserialize)]
struct List {
    items: Vec<Function>,
}

fn list_functions(t: &str, c: &Worker) -> String {
    let l: List = fm_convert::parse::parse(t).unwrap();
    let configs: Vec<FunctionConfig> = l.items.iter().map(|r| c.reverse(r).unwrap()).collect();
    serde_json::to_string(&configs).unwrap()
}

type Step = fn(&str, &Worker) -> String;

fn bench(c: &mut Criterion) {
    let ctx = ctx();
    let function = yaml_to_json(include_str!("../../fixtures/functions/exclamation.yaml"));
    let sink = yaml_to_json(include_str!("../../fixtures/sinks/elasticsearch.yaml"));
    let source = yaml_to_json(include_str!("../../fixtures/sources/kafka.yaml"));
    let f_res = forward_function(&function, &ctx);
    let s_res = forward_sink(&sink, &ctx);
    let o_res = forward_source(&source, &ctx);
    let list = format!(
        r#"{{"apiVersion":"v1","kind":"List","items":[{}]}}"#,
        vec![f_res.as_str(); 10_000].join(",")
    );
    let cases: [(&str, String, Step); 7] = [
        ("function/forward", function, forward_function),
        ("sink/forward", sink, forward_sink),
        ("source/forward", source, forward_source),
        ("function/reverse", f_res, reverse_function),
        ("sink/reverse", s_res, reverse_sink),
        ("source/reverse", o_res, reverse_source),
        ("function/list-10000", list, list_functions),
    ];
    for (name, input, step) in &cases {
        let output = step(input, &ctx);
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes((input.len() + output.len()) as u64));
        if name.contains("list") {
            g.sample_size(10);
        }
        g.bench_with_input(BenchmarkId::new("fmesh", ""), input, |b, i| {
            b.iter(|| step(black_box(i), &ctx))
        });
        g.bench_with_input(
            BenchmarkId::new("json-roundtrip", ""),
            &(input, &output),
            |b, (i, o)| {
                b.iter(|| {
                    black_box(floor(black_box(i)));
                    black_box(floor(black_box(o)));
                })
            },
        );
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
