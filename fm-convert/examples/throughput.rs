//! A quick, dependency-light comparison of fmesh's conversions with the raw JSON floor.
//!
//! For each kind (function, sink, source) and direction, it times the fmesh path and, on the same
//! documents in the same run, the floor: `serde_json` parse into a `Value` and serialise back, of
//! the input and of the output. Forward: Pulsar config JSON → parse → validate → convert →
//! resource JSON. Reverse: resource JSON → parse → config → config JSON. List: 10,000 resources
//! (a `v1` List) → a JSON array of configs.
//!
//! Run with `cargo run --release -p fm-convert --example throughput`. The last line is
//! `convert/json-roundtrip ratio: X.XX`, X = fmesh time ÷ floor time over all cases (median of
//! several runs). The criterion benches (`cargo bench -p fm-convert`) measure the same things
//! with statistics.

// Example code over fixed inputs: a failure is the example's own panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::crd::{Function, Sink, Source};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{Component, ComponentResource, Request, Worker};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

type Step = Box<dyn Fn(&str) -> String>;

struct Case {
    name: &'static str,
    input: String,
    output: String,
    fmesh: Step,
}

fn floor(text: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(text).expect("floor input is JSON");
    serde_json::to_string(&v).expect("a Value serialises")
}

fn yaml_to_json(text: &str) -> String {
    let v: serde_json::Value = serde_yaml_ng::from_str(text).expect("fixture is YAML");
    serde_json::to_string(&v).expect("a Value serialises")
}

fn worker() -> Worker {
    let config = serde_yaml_ng::from_str::<WorkerConfig>(include_str!(
        "../../fixtures/worker/functions_worker.yml"
    ))
    .expect("worker fixture");
    let connectors = serde_yaml_ng::from_str::<Vec<ConnectorDefinition>>(include_str!(
        "../../fixtures/worker/connectors.yaml"
    ))
    .expect("connector fixture");
    Worker::builder(config)
        .connectors(connectors)
        .cluster(Some("standalone"))
        .build()
}

/// Parse → validate → convert → serialise, for any kind.
fn forward<C: Component>(worker: Arc<Worker>) -> Step {
    Box::new(move |t| {
        let cfg: C = fm_convert::parse::parse(t).expect("config");
        let converted = worker.convert(&cfg, &Request::new()).expect("converts");
        serde_json::to_string(&converted.resource).expect("serialises")
    })
}

/// Parse → reverse → serialise, for any kind.
fn reverse<R: ComponentResource>(worker: Arc<Worker>) -> Step {
    Box::new(move |t| {
        let r: R = fm_convert::parse::parse(t).expect("resource");
        serde_json::to_string(&worker.reverse(&r).expect("reverses")).expect("serialises")
    })
}

/// The cases; the 10,000-resource list only when `with_list`.
fn cases(with_list: bool) -> Vec<Case> {
    let worker = Arc::new(worker());
    let function = yaml_to_json(include_str!("../../fixtures/functions/exclamation.yaml"));
    let sink = yaml_to_json(include_str!("../../fixtures/sinks/elasticsearch.yaml"));
    let source = yaml_to_json(include_str!("../../fixtures/sources/kafka.yaml"));

    let f_fwd = forward::<FunctionConfig>(worker.clone());
    let s_fwd = forward::<SinkConfig>(worker.clone());
    let o_fwd = forward::<SourceConfig>(worker.clone());
    let function_resource = f_fwd(&function);
    let sink_resource = s_fwd(&sink);
    let source_resource = o_fwd(&source);

    let f_rev = reverse::<Function>(worker.clone());
    let s_rev = reverse::<Sink>(worker.clone());
    let o_rev = reverse::<Source>(worker.clone());

    #[derive(serde::Deserialize)]
    struct List {
        items: Vec<Function>,
    }
    let n = if with_list { 10_000 } else { 1 };
    let items = vec![function_resource.as_str(); n].join(",");
    let list = format!(r#"{{"apiVersion":"v1","kind":"List","items":[{items}]}}"#);
    let w = worker.clone();
    let l_rev: Step = Box::new(move |t| {
        let l: List = fm_convert::parse::parse(t).expect("list");
        let configs = l
            .items
            .iter()
            .map(|r| w.reverse(r))
            .collect::<Result<Vec<_>, _>>()
            .expect("reverses");
        serde_json::to_string(&configs).expect("serialises")
    });

    let mut out = Vec::new();
    for (name, input, step) in [
        ("function/forward", function, f_fwd),
        ("sink/forward", sink, s_fwd),
        ("source/forward", source, o_fwd),
        ("function/reverse", function_resource, f_rev),
        ("sink/reverse", sink_resource, s_rev),
        ("source/reverse", source_resource, o_rev),
    ] {
        let output = step(&input);
        out.push(Case {
            name,
            input,
            output,
            fmesh: step,
        });
    }
    if with_list {
        let output = l_rev(&list);
        out.push(Case {
            name: "function/list-10000",
            input: list,
            output,
            fmesh: l_rev,
        });
    }
    out
}

/// Time of `iters` calls of `f`.
fn time(iters: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    // `throughput profile <case> [n]`: only the fmesh step of one case, n times (for callgrind).
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("profile") {
        let name = args
            .get(2)
            .map(String::as_str)
            .unwrap_or("function/forward");
        let n: u32 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(1000);
        let cases = cases(name.contains("list"));
        let case = cases.iter().find(|c| c.name == name).expect("a case name");
        time(n, || {
            black_box((case.fmesh)(black_box(&case.input)));
        });
        return;
    }
    let cases = cases(true);
    let runs = 9;
    let mut totals = vec![(0.0f64, 0.0f64); runs];
    println!(
        "{:<22} {:>12} {:>12} {:>7}",
        "case", "fmesh µs", "floor µs", "ratio"
    );
    for case in &cases {
        let bytes = case.input.len() + case.output.len();
        // About 4 MB of JSON per sample, at least one call.
        let iters = u32::try_from((4_000_000 / bytes).max(1)).unwrap_or(1);
        let mut fm = Vec::new();
        let mut fl = Vec::new();
        // Warm-up.
        time(iters.div_ceil(4), || {
            black_box((case.fmesh)(black_box(&case.input)));
        });
        for total in totals.iter_mut() {
            let a = time(iters, || {
                black_box((case.fmesh)(black_box(&case.input)));
            })
            .as_secs_f64()
                / f64::from(iters);
            let b = time(iters, || {
                black_box(floor(black_box(&case.input)));
                black_box(floor(black_box(&case.output)));
            })
            .as_secs_f64()
                / f64::from(iters);
            fm.push(a);
            fl.push(b);
            total.0 += a / b;
            total.1 += 1.0;
        }
        let (a, b) = (median(fm), median(fl));
        println!(
            "{:<22} {:>12.2} {:>12.2} {:>7.2}",
            case.name,
            a * 1e6,
            b * 1e6,
            a / b
        );
    }
    // Overall: the mean of the per-case ratios in each run (every case weighs the same), median
    // over runs.
    let overall = median(totals.iter().map(|(sum, n)| sum / n).collect());
    println!("convert/json-roundtrip ratio: {overall:.2}");
}
