//! The real Pulsar standalone and the real `pulsar-admin` from Maven Central: tenant, namespace and a
//! function package round trip through packages management.
//!
//! Needs the cache from `conformance/scripts/prepare.sh` (or `prepare-pulsar.sh`); without it the test
//! fails and says so. Logs stay in `target/tmp/pulsar_local/*/logs/`.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::{Ipv4Addr, TcpStream};
use std::path::Path;
use std::time::Duration;

use conformance::backend::CLUSTER_NAME;
use conformance::backends::local::pulsar::LocalPulsar;
use conformance::backends::local::pulsar_setup::default_cache_root;

const TENANT: &str = "fmesh-conf";
const NAMESPACE: &str = "fmesh-conf/pkgs";
const PACKAGE: &str = "function://fmesh-conf/pkgs/exclamation@v1";
const DESCRIPTION: &str = "conformance test package";

#[test]
fn tenant_namespace_and_package_round_trip() {
    let work_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pulsar_local/main");
    let pulsar =
        LocalPulsar::start(&default_cache_root(), &work_dir).unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "pulsar standalone healthy after {:?}: {} {}",
        pulsar.startup_time(),
        pulsar.web_service_url,
        pulsar.broker_service_url
    );
    let web_port: u16 = pulsar
        .web_service_url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap();
    assert!(pulsar.web_service_url.starts_with("http://127.0.0.1:"));
    assert!(pulsar.broker_service_url.starts_with("pulsar://127.0.0.1:"));

    // Any assertion failure below unwinds through `pulsar`'s Drop, which kills the JVM.
    let admin = |args: &[&str]| -> String {
        let began = std::time::Instant::now();
        let out = pulsar.admin(args).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("pulsar-admin {} took {:?}", out.args, began.elapsed());
        out.ok()
            .unwrap_or_else(|e| panic!("{e} (broker log: {})", pulsar.log_file().display()))
    };

    admin(&[
        "tenants",
        "create",
        TENANT,
        "--allowed-clusters",
        CLUSTER_NAME,
    ]);
    let tenants = admin(&["tenants", "list"]);
    assert!(
        tenants.lines().any(|l| l.trim() == TENANT),
        "tenants list: {tenants}"
    );

    admin(&["namespaces", "create", NAMESPACE]);
    let namespaces = admin(&["namespaces", "list", TENANT]);
    assert_eq!(namespaces.trim(), NAMESPACE);

    let package_file = pulsar.work_dir().join("exclamation.jar");
    let content = b"not really a jar, but bytes that must come back unchanged\n";
    std::fs::write(&package_file, content).unwrap();
    let uploaded = admin(&[
        "packages",
        "upload",
        PACKAGE,
        "--path",
        package_file.to_str().unwrap(),
        "--description",
        DESCRIPTION,
        "-P",
        "fileName=exclamation.jar",
        "-P",
        "contact=fmesh",
    ]);
    assert!(uploaded.contains("successfully"), "upload: {uploaded}");

    let names = admin(&["packages", "list", "--type", "function", NAMESPACE]);
    assert_eq!(names.trim(), "exclamation");
    let versions = admin(&[
        "packages",
        "list-versions",
        "function://fmesh-conf/pkgs/exclamation",
    ]);
    assert_eq!(versions.trim(), "v1");

    let metadata: serde_json::Value =
        serde_json::from_str(&admin(&["packages", "get-metadata", PACKAGE])).unwrap();
    assert_eq!(metadata["description"], DESCRIPTION);
    assert_eq!(metadata["properties"]["fileName"], "exclamation.jar");
    assert_eq!(metadata["properties"]["contact"], "fmesh");
    assert!(
        metadata["createTime"].as_i64().is_some_and(|t| t > 0),
        "{metadata}"
    );

    let downloaded = pulsar.work_dir().join("downloaded.jar");
    admin(&[
        "packages",
        "download",
        PACKAGE,
        "--path",
        downloaded.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&downloaded).unwrap(), content);

    // The filesystem packages storage keeps it under the work directory.
    assert!(pulsar
        .work_dir()
        .join("packages/function/fmesh-conf/pkgs/exclamation/v1")
        .exists());

    // An error of the real CLI comes back as a non-zero status with its message.
    let missing = pulsar
        .admin(&[
            "packages",
            "get-metadata",
            "function://fmesh-conf/pkgs/nope@v1",
        ])
        .unwrap();
    assert!(!missing.success(), "{missing:?}");
    assert!(!missing.stderr.trim().is_empty(), "{missing:?}");

    let work_dir = pulsar.work_dir().to_path_buf();
    drop(pulsar);
    assert_stopped(web_port, &work_dir);
}

/// A failing assertion while the broker runs still stops it: the unwinding drops [`LocalPulsar`].
#[test]
fn a_panic_while_running_still_stops_the_broker() {
    let work_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pulsar_local/panic");
    let web_port = std::sync::Mutex::new(None);
    let outcome = std::panic::catch_unwind(|| {
        let pulsar =
            LocalPulsar::start(&default_cache_root(), &work_dir).unwrap_or_else(|e| panic!("{e}"));
        *web_port.lock().unwrap() = pulsar
            .web_service_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok());
        let tenants = pulsar.admin(&["tenants", "list"]).unwrap().ok().unwrap();
        assert!(
            tenants.contains("a tenant that does not exist"),
            "deliberate failure (this panic is expected)"
        );
    });
    assert!(
        outcome.is_err(),
        "the deliberate assertion should have failed"
    );
    let web_port = web_port
        .lock()
        .unwrap()
        .expect("the broker started before the assertion failed");
    assert_stopped(web_port, &work_dir);
}

/// The web port is closed and no process (watchdog shell or JVM) names the work directory.
fn assert_stopped(web_port: u16, work_dir: &Path) {
    let addr = (Ipv4Addr::LOCALHOST, web_port).into();
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "the web port {web_port} is still open after drop"
    );
    let needle = format!("{}/", work_dir.display()).into_bytes();
    let mut left = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline.windows(needle.len()).any(|w| w == needle) {
            left.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    assert!(left.is_empty(), "processes left behind: {left:#?}");
}
