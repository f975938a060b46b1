//! Issue 14, "Faithful both ways": one test per item, on the fixtures under `fixtures/faithful/`.

use fm_convert::crd::{Function, ProcessingGuarantee, Sink, Source, WindowProcessingGuarantee};
use fm_convert::pulsar::{
    FunctionConfig, ProcessingGuarantees, SinkConfig, SourceConfig, SubscriptionInitialPosition,
    WindowProcessingGuarantees,
};
use fm_convert::worker::WorkerConfig;
use fm_convert::{AnyResource, ComponentKind, Request, ReverseError, Worker};
use std::path::{Path, PathBuf};

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/faithful")
        .join(rel)
}

fn text(rel: &str) -> String {
    std::fs::read_to_string(path(rel)).unwrap()
}

fn worker(rel: Option<&str>) -> Worker {
    let config: WorkerConfig = match rel {
        Some(r) => fm_convert::parse::parse(&text(r)).unwrap(),
        None => WorkerConfig::default(),
    };
    Worker::new(config)
}

fn config<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    fm_convert::parse::parse(&text(rel)).unwrap()
}

fn resource<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    fm_convert::crd::parse_resource(&text(rel)).unwrap()
}

fn extra_dir(worker_file: Option<&str>) -> Option<String> {
    let c: FunctionConfig = config("configs/function-window.yaml");
    let f = worker(worker_file).convert(&c, &Request::new()).unwrap();
    f.resource.spec.java.unwrap().extra_dependencies_dir
}

/// Item 1: with no `extraDependenciesDir`, the Java worker's class default `/pulsar/lib/`;
/// an explicit value is kept (relative under `/pulsar/`), an explicit empty one means none.
#[test]
fn item1_extra_dependencies_dir_follows_the_class_default() {
    assert_eq!(
        extra_dir(Some("worker/no-extra-deps.yml")).as_deref(),
        Some("/pulsar/lib/")
    );
    assert_eq!(extra_dir(None).as_deref(), Some("/pulsar/lib/"));
    assert_eq!(extra_dir(Some("worker/empty-extra-deps.yml")), None);
    assert_eq!(
        extra_dir(Some("worker/relative-extra-deps.yml")).as_deref(),
        Some("/pulsar/instances/extra")
    );
    // Sinks and sources too.
    let w = worker(Some("worker/no-extra-deps.yml"));
    let s: SinkConfig = config("configs/sink-relative-archive.yaml");
    let sink = w.convert(&s, &Request::new()).unwrap().resource;
    let dir = sink.spec.java.unwrap().extra_dependencies_dir;
    assert_eq!(dir.as_deref(), Some("/pulsar/lib/"));
    let s: SourceConfig = config("configs/source-relative-archive.yaml");
    let source = w.convert(&s, &Request::new()).unwrap().resource;
    let dir = source.spec.java.unwrap().extra_dependencies_dir;
    assert_eq!(dir.as_deref(), Some("/pulsar/lib/"));
}

/// Item 2: a connector archive relative to the image's working directory keeps its directory,
/// and reads back as it was.
#[test]
fn item2_relative_connector_archive_keeps_its_directory() {
    let w = worker(Some("worker/no-extra-deps.yml"));
    let s: SinkConfig = config("configs/sink-relative-archive.yaml");
    let sink = w.convert(&s, &Request::new()).unwrap().resource;
    let java = sink.spec.java.as_ref().unwrap();
    assert_eq!(java.jar, "connectors/pulsar-io-elastic-search-3.0.0.nar");
    assert_eq!(java.jar_location, None);
    assert_eq!(w.reverse(&sink).unwrap().archive, s.archive);
    let s: SourceConfig = config("configs/source-relative-archive.yaml");
    let source = w.convert(&s, &Request::new()).unwrap().resource;
    let jar = &source.spec.java.as_ref().unwrap().jar;
    assert_eq!(jar, "connectors/pulsar-io-debezium-mongodb-3.0.0.nar");
    // A sample-style resource reads back with the directory, and is re-made the same.
    let r: Sink = resource("resources/sink-connectors.yaml");
    let back = w.reverse(&r).unwrap();
    let archive = back.archive.as_deref();
    assert_eq!(
        archive,
        Some("connectors/pulsar-io-elastic-search-3.0.0.1.nar")
    );
    let again = w.convert(&back, &Request::new()).unwrap().resource;
    assert_eq!(
        again.spec.java.unwrap().jar,
        "connectors/pulsar-io-elastic-search-3.0.0.1.nar"
    );
    // A bare file name still means an uploaded file in the download directory, as in Java.
    let mut bare = s.clone();
    bare.archive = Some("pulsar-io-x.nar".into());
    let r = w.convert(&bare, &Request::new()).unwrap().resource;
    assert_eq!(r.spec.java.unwrap().jar, "/pulsar/pulsar-io-x.nar");
}

/// Item 3: a package in Pulsar's function storage (`tenant/namespace/name`, no scheme) reads
/// back and is written again as a download location; a location fmesh cannot name is refused
/// on read, with the field and the reason.
#[test]
fn item3_storage_path_packages_survive_a_round_trip() {
    let w = worker(Some("worker/no-extra-deps.yml"));
    let r: Function = resource("resources/function-python-stored.yaml");
    let c = w.reverse(&r).unwrap();
    assert_eq!(c.py.as_deref(), Some("public/default/py-exclaim"));
    let request = Request::new().package_file_name(Some("exclamation_function.py"));
    let again = w.convert(&c, &request).unwrap().resource;
    let py = again.spec.python.unwrap();
    assert_eq!(py.py_location.as_deref(), Some("public/default/py-exclaim"));
    assert_eq!(py.py, "/pulsar/exclamation_function.py");

    let c: FunctionConfig = config("configs/function-storage-path.yaml");
    let f = w.convert(&c, &Request::new()).unwrap().resource;
    let go = f.spec.golang.as_ref().unwrap();
    assert_eq!(go.go_location.as_deref(), Some("public/default/go-exclaim"));
    assert_eq!(w.reverse(&f).unwrap().go, c.go);

    let bad: Function = resource("resources/function-bad-location.yaml");
    let err = w.reverse(&bad).unwrap_err();
    assert!(
        matches!(&err, ReverseError::UnsupportedLocation { path, value }
            if path == "spec.java.jarLocation" && value == "exclaim-package"),
        "{err:?}"
    );
    assert!(err.to_string().contains("tenant/namespace/name"), "{err}");

    // A relative in-image jar reads back against the runner's working directory, which the
    // forward conversion takes as a file in the image (not a local file to upload).
    let rel: Function = resource("resources/function-relative-jar.yaml");
    let c = w.reverse(&rel).unwrap();
    assert_eq!(c.jar.as_deref(), Some("/pulsar/examples/api-examples.jar"));
    let again = w.convert(&c, &Request::new()).unwrap().resource;
    assert_eq!(
        again.spec.java.unwrap().jar,
        "/pulsar/examples/api-examples.jar"
    );
}

fn warnings_of(worker_file: &str, config_file: &str, request: &Request) -> Vec<String> {
    let w = worker(Some(worker_file));
    let c: FunctionConfig = config(config_file);
    let out = w.convert(&c, request).unwrap();
    out.warnings.iter().map(ToString::to_string).collect()
}

/// Item 4: the warnings a user needs, on the conversion's result.
#[test]
fn item4_warnings_on_the_result() {
    let none = Request::new();
    let w = warnings_of(
        "worker/no-extra-deps.yml",
        "configs/function-absolute-jar.yaml",
        &none,
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "jar: `/home/me/build/libs/exclaim.jar` is read as a path inside the runner image"
        ),
        "{w:?}"
    );

    let w = warnings_of(
        "worker/no-extra-deps.yml",
        "configs/function-python-url.yaml",
        &none,
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("py: the package's file name is unknown"),
        "{w:?}"
    );
    assert!(w[0].contains("--package-file-name"), "{w:?}");
    let named = Request::new().package_file_name(Some("exclamation.py"));
    let w = warnings_of(
        "worker/no-extra-deps.yml",
        "configs/function-python-url.yaml",
        &named,
    );
    assert!(w.is_empty(), "{w:?}");

    let w = warnings_of(
        "worker/tls-server-cert-only.yml",
        "configs/function-window.yaml",
        &none,
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("tlsCertificateFilePath: the Java worker gave components the worker's own server certificate (`/pulsar/certs/worker.cert.pem`)"), "{w:?}");
    assert!(w[0].contains("the system trust store"), "{w:?}");
    let w = warnings_of("worker/tls-both.yml", "configs/function-window.yaml", &none);
    assert!(
        w[0].contains("`brokerClientTrustCertsFilePath` (`/pulsar/certs/ca.cert.pem`)"),
        "{w:?}"
    );

    let w = warnings_of(
        "worker/no-extra-deps.yml",
        "configs/function-storage-path.yaml",
        &none,
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(
            "go: `public/default/go-exclaim` is read as a package in Pulsar's function storage"
        ),
        "{w:?}"
    );

    // None for a plain package URL, and none for connectors in the image under a directory.
    let w = warnings_of(
        "worker/no-extra-deps.yml",
        "configs/function-window.yaml",
        &none,
    );
    assert!(w.is_empty(), "{w:?}");
    let s: SinkConfig = config("configs/sink-relative-archive.yaml");
    let out = worker(None).convert(&s, &none).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let mut abs = s.clone();
    abs.archive = Some("/opt/connectors/x.nar".into());
    let out = worker(None).convert(&abs, &none).unwrap();
    assert_eq!(out.warnings.len(), 1);
    assert_eq!(out.warnings[0].path, "archive");
}

/// Item 5: an absent `subscriptionPosition` is the operator's `earliest`, an absent
/// `cleanupSubscription` its `false`; explicit values are kept.
#[test]
fn item5_absent_subscription_fields_mean_the_operator_defaults() {
    let w = worker(None);
    let f: Function = resource("resources/function-java.yaml");
    let c = w.reverse(&f).unwrap();
    assert_eq!(
        c.subscription_position,
        SubscriptionInitialPosition::Earliest
    );
    assert_eq!(c.cleanup_subscription, Some(false));
    let again = w.convert(&c, &Request::new()).unwrap().resource.spec;
    assert_eq!(again.cleanup_subscription, Some(false));
    assert_eq!(
        again.subscription_position,
        Some(fm_convert::crd::SubscriptionPosition::Earliest)
    );
    let s: Sink = resource("resources/sink-connectors.yaml");
    let c = w.reverse(&s).unwrap();
    assert_eq!(
        c.source_subscription_position,
        SubscriptionInitialPosition::Earliest
    );
    assert_eq!(c.cleanup_subscription, Some(false));
    let g: Function = resource("resources/function-go-stored.yaml");
    let c = w.reverse(&g).unwrap();
    assert_eq!(c.subscription_position, SubscriptionInitialPosition::Latest);
    assert_eq!(c.cleanup_subscription, Some(true));
    assert_eq!(c.sub_name.as_deref(), Some("go-sub"));
}

/// Item 6: `limits` without `requests` read back as the resources (Kubernetes' requests).
#[test]
fn item6_limits_only_resources_fall_back_to_the_limits() {
    let w = worker(None);
    let f: Function = resource("resources/function-python-stored.yaml");
    let r = w.reverse(&f).unwrap().resources.unwrap();
    assert_eq!((r.cpu, r.ram), (0.5, 256 * 1024 * 1024));
    let s: Sink = resource("resources/sink-connectors.yaml");
    let r = w.reverse(&s).unwrap().resources.unwrap();
    assert_eq!((r.cpu, r.ram), (0.2, 1_100_000_000));
    // Requests win where both are given.
    let j: Function = resource("resources/function-java.yaml");
    let r = w.reverse(&j).unwrap().resources.unwrap();
    assert_eq!((r.cpu, r.ram), (0.2, 512 * 1024 * 1024));
}

/// Item 7: reading a resource does not need its status; the status conversion names what
/// is missing.
#[test]
fn item7_status_is_not_needed_to_read_a_spec() {
    let w = worker(None);
    for (file, kind) in [
        ("resources/function-java.yaml", ComponentKind::Function),
        (
            "resources/function-python-stored.yaml",
            ComponentKind::Function,
        ),
        ("resources/sink-connectors.yaml", ComponentKind::Sink),
        ("resources/source-connectors.yaml", ComponentKind::Source),
    ] {
        let r = AnyResource::parse(kind, &text(file)).unwrap();
        w.reverse_any(&r).unwrap();
    }
    let f: Function = resource("resources/function-java.yaml");
    let err = f.status.as_ref().unwrap().checked().unwrap_err();
    assert_eq!(err.field, "status.conditions");
    let p: Function = resource("resources/function-python-stored.yaml");
    let status = p.status.as_ref().unwrap();
    assert_eq!(status.replicas, Some(1));
    assert_eq!(status.checked().unwrap_err().field, "status.conditions");
    let s: Sink = resource("resources/sink-connectors.yaml");
    assert_eq!(
        s.status.unwrap().checked().unwrap_err().to_string(),
        "status.replicas: missing (the operator writes it once it has reconciled the resource)"
    );
    let src: Source = resource("resources/source-connectors.yaml");
    assert_eq!(src.status, Some(Default::default()));
}

/// Item 8: a window function reads without `actualWindowFunctionClassName` (the operator's
/// `spec.className`), shows the window's guarantee as Pulsar's GET does, and is written again
/// with the top-level `manual` the window executor runs with.
#[test]
fn item8_window_functions() {
    let w = worker(None);
    let f: Function = resource("resources/function-window.yaml");
    let c = w.reverse(&f).unwrap();
    let class = "org.apache.pulsar.functions.api.examples.WindowFunction";
    assert_eq!(c.class_name.as_deref(), Some(class));
    let win = c.window_config.as_ref().unwrap();
    assert_eq!(
        win.actual_window_function_class_name.as_deref(),
        Some(class)
    );
    assert_eq!(
        win.processing_guarantees,
        Some(WindowProcessingGuarantees::AtmostOnce)
    );
    assert_eq!(
        c.processing_guarantees,
        Some(ProcessingGuarantees::AtmostOnce)
    );
    // fmesh's own forward takes it (no "Windows Function not support MANUAL").
    let again = w.convert(&c, &Request::new()).unwrap().resource.spec;
    assert_eq!(
        again.processing_guarantee,
        Some(ProcessingGuarantee::Manual)
    );
    let again_window = again.window_config.unwrap();
    assert_eq!(
        again_window.actual_window_function_class_name.as_deref(),
        Some(class)
    );
    assert_eq!(
        again_window.processing_guarantees,
        Some(WindowProcessingGuarantee::AtmostOnce)
    );
    assert_eq!(again.auto_ack, Some(false));

    let bare: Function = resource("resources/function-window-bare.yaml");
    let c = w.reverse(&bare).unwrap();
    assert_eq!(
        c.processing_guarantees,
        Some(ProcessingGuarantees::AtleastOnce)
    );
    let actual = c
        .window_config
        .as_ref()
        .unwrap()
        .actual_window_function_class_name
        .as_deref();
    assert_eq!(actual, Some("org.example.WindowSum"));
    w.convert(&c, &Request::new()).unwrap();

    // Forward: the config's guarantee goes to the window, MANUAL to the function.
    let c: FunctionConfig = config("configs/function-window.yaml");
    let spec = w.convert(&c, &Request::new()).unwrap().resource.spec;
    assert_eq!(spec.processing_guarantee, Some(ProcessingGuarantee::Manual));
    assert_eq!(
        spec.window_config.unwrap().processing_guarantees,
        Some(WindowProcessingGuarantee::AtmostOnce)
    );
    // MANUAL asked for by the config itself stays refused, with Pulsar's message.
    let manual: FunctionConfig = config("configs/function-window-manual.yaml");
    let err = w.convert(&manual, &Request::new()).unwrap_err().to_string();
    assert!(err.contains("Windows Function not support MANUAL"), "{err}");
}
