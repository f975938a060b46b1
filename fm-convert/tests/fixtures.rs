//! Every fixture converts (snapshotted), and converts back to its normalised config.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use std::path::{Path, PathBuf};
use support::{
    function_config, function_to_resource, normalize_function, normalize_sink, normalize_source,
    sink_config, sink_to_resource, source_config, source_to_resource, Ctx as ConversionContext,
};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn ctx() -> ConversionContext {
    ConversionContext {
        worker: fm_convert::parse::parse(&read(&root().join("worker/functions_worker.yml")))
            .unwrap(),
        connectors: fm_convert::parse::parse(&read(&root().join("worker/connectors.yaml")))
            .unwrap(),
        ..Default::default()
    }
}

fn trusted_ctx() -> ConversionContext {
    ConversionContext {
        worker: fm_convert::parse::parse(&read(&root().join("worker/trusted.yml"))).unwrap(),
        ..Default::default()
    }
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_function_fixture_converts_and_comes_back() {
    for path in files("functions") {
        let ctx = if stem(&path).starts_with("trusted") {
            trusted_ctx()
        } else {
            ctx()
        };
        let config: FunctionConfig = fm_convert::parse::parse(&read(&path)).unwrap();
        let converted = function_to_resource(&config, &ctx)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_yaml_snapshot!(format!("function-{}", stem(&path)), converted.resource);
        let back = function_config(&converted.resource, &ctx).unwrap();
        assert_eq!(
            back,
            normalize_function(&config, &ctx),
            "{}",
            path.display()
        );
    }
}

#[test]
fn every_sink_fixture_converts_and_comes_back() {
    let ctx = ctx();
    for path in files("sinks") {
        let config: SinkConfig = fm_convert::parse::parse(&read(&path)).unwrap();
        let converted =
            sink_to_resource(&config, &ctx).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_yaml_snapshot!(format!("sink-{}", stem(&path)), converted.resource);
        let back = sink_config(&converted.resource, &ctx).unwrap();
        assert_eq!(back, normalize_sink(&config, &ctx), "{}", path.display());
    }
}

#[test]
fn every_source_fixture_converts_and_comes_back() {
    let ctx = ctx();
    for path in files("sources") {
        let config: SourceConfig = fm_convert::parse::parse(&read(&path)).unwrap();
        let converted =
            source_to_resource(&config, &ctx).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_yaml_snapshot!(format!("source-{}", stem(&path)), converted.resource);
        let back = source_config(&converted.resource, &ctx).unwrap();
        assert_eq!(back, normalize_source(&config, &ctx), "{}", path.display());
    }
}

#[test]
fn fixtures_convert_without_any_worker_config() {
    let ctx = ConversionContext {
        cluster: Some("standalone".into()),
        ..Default::default()
    };
    for path in files("functions") {
        let config: FunctionConfig = fm_convert::parse::parse(&read(&path)).unwrap();
        let converted = function_to_resource(&config, &ctx).unwrap();
        let back = function_config(&converted.resource, &ctx).unwrap();
        assert_eq!(
            back,
            normalize_function(&config, &ctx),
            "{}",
            path.display()
        );
    }
}
