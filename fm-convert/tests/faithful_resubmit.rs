//! Issue 14: resources written the way Function Mesh's own samples are, read back (`reverse`)
//! and re-submitted (`convert`), mean the same as the originals for every field a Pulsar config
//! can express. "Means" is what the operator v0.27.2 does with the field, its defaults applied
//! to an absent one ([`fm_convert::fidelity::OPERATOR_DEFAULTS`]); the fields a config cannot
//! express are listed in [`fm_convert::fidelity::INEXPRESSIBLE`] and left out of the comparison.

use fm_convert::fidelity::{is_storage_path, INEXPRESSIBLE, OPERATOR_DEFAULTS};
use fm_convert::normalize::{normalize_function, normalize_sink, normalize_source};
use fm_convert::worker::WorkerConfig;
use fm_convert::{AnyConfig, AnyResource, ComponentKind, Request, Worker};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

const SAMPLES: &[(&str, ComponentKind)] = &[
    ("function-java.yaml", ComponentKind::Function),
    ("function-python-stored.yaml", ComponentKind::Function),
    ("function-go-stored.yaml", ComponentKind::Function),
    ("function-window.yaml", ComponentKind::Function),
    ("function-window-bare.yaml", ComponentKind::Function),
    ("function-relative-jar.yaml", ComponentKind::Function),
    ("sink-connectors.yaml", ComponentKind::Sink),
    ("source-connectors.yaml", ComponentKind::Source),
];

/// A Kubernetes quantity as a number (cpu in cores, memory in bytes).
fn quantity(q: &Value) -> f64 {
    let s = match q {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let units: [(&str, f64); 9] = [
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("m", 1e-3),
        ("T", 1e12),
        ("Ti", 1024f64.powi(4)),
    ];
    for (suffix, factor) in units {
        if let Some(n) = s.strip_suffix(suffix) {
            return n.parse::<f64>().unwrap() * factor;
        }
    }
    s.parse().unwrap()
}

fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

fn or(v: &Value, path: &str, default: Value) -> Value {
    get(v, path).cloned().unwrap_or(default)
}

fn non_empty_str(v: &Value, path: &str) -> Option<String> {
    get(v, path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Where a package comes from: its download location, else its file in the image (a relative
/// path resolved against the runner's working directory, `/pulsar/`).
fn package(spec: &Value, block: &str, file: &str) -> Value {
    let in_image = |p: String| {
        if p.starts_with('/') {
            p
        } else {
            format!("/pulsar/{}", p.trim_start_matches("./"))
        }
    };
    match non_empty_str(spec, &format!("{block}.{file}Location")) {
        Some(l) => {
            assert!(l.contains("://") || is_storage_path(&l), "{l}");
            json!({"location": l, "file": in_image(non_empty_str(spec, &format!("{block}.{file}")).unwrap_or_default())})
        }
        None => {
            json!({"file": in_image(non_empty_str(spec, &format!("{block}.{file}")).unwrap_or_default())})
        }
    }
}

/// What a resource means to the operator, for every field a Pulsar config can express.
fn meaning(kind: ComponentKind, doc: &Value) -> BTreeMap<&'static str, Value> {
    let s = &doc["spec"];
    let mut m = BTreeMap::new();
    let name = non_empty_str(s, "name").or_else(|| non_empty_str(doc, "metadata.name"));
    m.insert("name", json!(name));
    m.insert(
        "tenant",
        json!(non_empty_str(s, "tenant").unwrap_or("public".into())),
    );
    m.insert(
        "namespace",
        json!(non_empty_str(s, "namespace").unwrap_or("default".into())),
    );
    m.insert(
        "cluster",
        json!(non_empty_str(s, "clusterName").unwrap_or("kubernetes".into())),
    );
    m.insert("className", or(s, "className", json!(null)));
    let replicas = or(s, "replicas", json!(1));
    let max = get(s, "maxReplicas").filter(|m| m.as_i64() > replicas.as_i64());
    m.insert("replicas", replicas);
    m.insert("maxReplicas", json!(max));
    m.insert(
        "processingGuarantee",
        or(s, "processingGuarantee", json!("atleast_once")),
    );
    m.insert("logTopic", or(s, "logTopic", json!(null)));
    m.insert("secretsMap", or(s, "secretsMap", json!(null)));
    m.insert("runtimeFlags", or(s, "runtimeFlags", json!(null)));
    let (cpu, memory) = ["cpu", "memory"]
        .map(|k| {
            get(s, &format!("resources.requests.{k}"))
                .or_else(|| get(s, &format!("resources.limits.{k}")))
                .map(quantity)
        })
        .into();
    // A resource without any `resources` runs without requests, which no config can say
    // (INEXPRESSIBLE); otherwise what Kubernetes requests.
    if get(s, "resources.requests").is_some() || get(s, "resources.limits").is_some() {
        m.insert("cpu", json!(cpu.unwrap_or(1.0)));
        m.insert("memory", json!(memory));
    }
    if kind != ComponentKind::Source {
        let topics: Vec<Value> = {
            let mut t: Vec<String> = get(s, "input.topics")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(str::to_string))
                .chain(
                    get(s, "input.sourceSpecs")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(Map::keys)
                        .cloned(),
                )
                .collect();
            t.sort();
            t.dedup();
            t.into_iter().map(Value::String).collect()
        };
        m.insert("inputs", json!(topics));
        m.insert("inputType", or(s, "input.typeClassName", json!("[B")));
        m.insert("autoAck", or(s, "autoAck", json!(true)));
        m.insert("retainOrdering", or(s, "retainOrdering", json!(false)));
        m.insert(
            "retainKeyOrdering",
            or(s, "retainKeyOrdering", json!(false)),
        );
        m.insert("subscriptionName", or(s, "subscriptionName", json!(null)));
        m.insert(
            "subscriptionPosition",
            or(s, "subscriptionPosition", json!("earliest")),
        );
        m.insert(
            "cleanupSubscription",
            or(s, "cleanupSubscription", json!(false)),
        );
        m.insert("timeout", or(s, "timeout", json!(0)));
        m.insert("maxMessageRetry", or(s, "maxMessageRetry", json!(0)));
        m.insert("deadLetterTopic", or(s, "deadLetterTopic", json!(null)));
    }
    if kind != ComponentKind::Sink {
        m.insert("output", or(s, "output.topic", json!(null)));
        m.insert("outputType", or(s, "output.typeClassName", json!("[B")));
        m.insert(
            "outputSerde",
            or(s, "output.sinkSerdeClassName", json!(null)),
        );
        m.insert("outputSchema", or(s, "output.sinkSchemaType", json!(null)));
        m.insert(
            "forwardSourceMessageProperty",
            or(s, "forwardSourceMessageProperty", json!(true)),
        );
        let producer_default = match kind {
            ComponentKind::Source => json!({"maxPendingMessages": 1000,
                "maxPendingMessagesAcrossPartitions": 1000, "useThreadLocalProducers": true}),
            _ => json!({"maxPendingMessages": 0, "maxPendingMessagesAcrossPartitions": 0,
                "useThreadLocalProducers": false}),
        };
        m.insert(
            "producerConf",
            or(s, "output.producerConf", producer_default),
        );
    }
    match kind {
        ComponentKind::Function => {
            m.insert("funcConfig", or(s, "funcConfig", json!({})));
            m.insert(
                "maxPendingAsyncRequests",
                or(s, "maxPendingAsyncRequests", json!(1000)),
            );
            m.insert("skipToLatest", or(s, "skipToLatest", json!(false)));
            let pkg = if get(s, "python").is_some() {
                package(s, "python", "py")
            } else if get(s, "golang").is_some() {
                package(s, "golang", "go")
            } else {
                package(s, "java", "jar")
            };
            m.insert("package", pkg);
            if let Some(w) = get(s, "windowConfig") {
                let mut w = w.clone();
                let o = w.as_object_mut().unwrap();
                o.insert(
                    "actualWindowFunctionClassName".into(),
                    s["className"].clone(),
                );
                let g = o.get("processingGuarantees").cloned().unwrap_or(json!(if s
                    ["processingGuarantee"]
                    == "atmost_once"
                {
                    "ATMOST_ONCE"
                } else {
                    "ATLEAST_ONCE"
                }));
                o.insert("processingGuarantees".into(), g);
                for (len, slide) in [
                    ("windowLengthCount", "slidingIntervalCount"),
                    ("windowLengthDurationMs", "slidingIntervalDurationMs"),
                ] {
                    if let Some(l) = o.get(len).cloned() {
                        o.entry(slide).or_insert(l);
                    }
                }
                m.insert("window", w);
                // The function itself runs with MANUAL; what counts is the window's guarantee.
                m.remove("processingGuarantee");
                m.remove("autoAck");
            }
        }
        ComponentKind::Sink => {
            m.insert("sinkConfig", or(s, "sinkConfig", json!({})));
            m.insert(
                "negativeAck",
                or(s, "negativeAckRedeliveryDelayMs", json!(0)),
            );
            m.insert("package", package(s, "java", "jar"));
        }
        ComponentKind::Source => {
            m.insert("sourceConfig", or(s, "sourceConfig", json!({})));
            m.insert("batchSource", or(s, "batchSourceConfig", json!(null)));
            m.insert("package", package(s, "java", "jar"));
        }
    }
    m
}

/// The file name of a downloaded package, which the config cannot carry (see INEXPRESSIBLE):
/// the caller passes it with the request, as the worker does from the package's metadata.
fn file_name(doc: &Value) -> Option<String> {
    let s = &doc["spec"];
    [("java", "jar"), ("python", "py"), ("golang", "go")]
        .iter()
        .find(|(b, f)| non_empty_str(s, &format!("{b}.{f}Location")).is_some())
        .and_then(|(b, f)| non_empty_str(s, &format!("{b}.{f}")))
        .map(|p| p.rsplit('/').next().unwrap_or_default().to_string())
}

#[test]
fn sample_style_resources_read_back_and_resubmitted_mean_the_same() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/faithful/resources");
    let worker = Worker::builder(WorkerConfig::default()).build();
    for (file, kind) in SAMPLES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let original = AnyResource::parse(*kind, &text).unwrap();
        let doc = original.to_value().unwrap();
        let config = worker
            .reverse_any(&original)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let request = Request::new().package_file_name(file_name(&doc).as_deref());
        let remade = worker
            .convert_any(&config, &request)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let remade = remade.resource.to_value().unwrap();
        let (before, after) = (meaning(*kind, &doc), meaning(*kind, &remade));
        for (field, was) in &before {
            assert_eq!(Some(was), after.get(field), "{file}: {field}");
        }
        let extra: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
        assert!(
            extra.iter().all(|k| ["cpu", "memory"].contains(k)),
            "{file}: {extra:?}"
        );
        // And the re-made resource reads back as the config's canonical form.
        let again = worker.reverse_any(&AnyResource::parse(*kind, &remade.to_string()).unwrap());
        let expected = match &config {
            AnyConfig::Function(c) => AnyConfig::Function(normalize_function(c, &worker, &request)),
            AnyConfig::Sink(c) => AnyConfig::Sink(normalize_sink(c, &worker, &request)),
            AnyConfig::Source(c) => AnyConfig::Source(normalize_source(c, &worker, &request)),
        };
        assert_eq!(again.unwrap(), expected, "{file}");
    }
}

/// The operator's defaults, checked against Function Mesh v0.27.2's webhook and controller
/// (`pkg/webhook/*_webhook.go` `Default`, `controllers/spec/utils.go`): every field with one is
/// listed, and for each an absent field reads back as the operator's meaning, not Pulsar's.
#[test]
fn operator_defaults_are_listed_and_applied() {
    let fields: Vec<&str> = OPERATOR_DEFAULTS.iter().map(|d| d.field).collect();
    for f in [
        "spec.subscriptionPosition",
        "spec.cleanupSubscription",
        "spec.processingGuarantee",
        "spec.windowConfig.actualWindowFunctionClassName",
        "spec.windowConfig.processingGuarantees",
        "spec.windowConfig.slidingIntervalDurationMs",
        "spec.autoAck",
        "spec.forwardSourceMessageProperty",
        "spec.maxPendingAsyncRequests",
        "spec.replicas",
        "spec.minReplicas",
        "spec.name",
        "spec.tenant",
        "spec.namespace",
        "spec.clusterName",
        "spec.resources.requests",
        "spec.resources.requests.cpu",
        "spec.output.producerConf",
        "spec.subscriptionName",
        "spec.deadLetterTopic",
        "spec.logTopicAgent",
    ] {
        assert!(fields.contains(&f), "{f} is not listed");
    }
    assert!(!INEXPRESSIBLE.is_empty());
    let worker = Worker::builder(WorkerConfig::default()).build();
    let bare = |kind: &str, extra: &str| {
        format!(
            "apiVersion: compute.functionmesh.io/v1alpha1\nkind: {kind}\nmetadata: {{name: x}}\n\
             spec:\n  className: C\n  java: {{jar: /pulsar/x.jar}}\n{extra}"
        )
    };
    let f = AnyResource::parse(
        ComponentKind::Function,
        &bare("Function", "  input: {topics: [t]}\n"),
    )
    .unwrap();
    let c = serde_json::to_value(worker.reverse_any(&f).unwrap()).unwrap();
    assert_eq!(c["subscriptionPosition"], "Earliest");
    assert_eq!(c["cleanupSubscription"], false);
    assert_eq!(c["autoAck"], true);
    assert_eq!(c["forwardSourceMessageProperty"], true);
    assert_eq!(c["retainOrdering"], false);
    assert_eq!(
        (&c["tenant"], &c["namespace"]),
        (&json!("public"), &json!("default"))
    );
    assert_eq!(c["name"], "x");
    let options: Value = serde_json::from_str(c["customRuntimeOptions"].as_str().unwrap()).unwrap();
    assert_eq!(options["clusterName"], "kubernetes");
    // Pulsar's defaults where they are the operator's too: left unset.
    assert!(c.get("processingGuarantees").is_none());
    assert!(c.get("maxPendingAsyncRequests").is_none());
    assert!(c.get("parallelism").is_none());
    let s = AnyResource::parse(
        ComponentKind::Source,
        &bare("Source", "  output: {topic: t}\n"),
    )
    .unwrap();
    let c = serde_json::to_value(worker.reverse_any(&s).unwrap()).unwrap();
    assert_eq!(
        c["producerConfig"],
        json!({"maxPendingMessages": 1000, "maxPendingMessagesAcrossPartitions": 1000,
            "useThreadLocalProducers": true})
    );
}
