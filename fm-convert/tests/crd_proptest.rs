//! Property tests: every Function Mesh-own type survives generate → serialise → parse (JSON and
//! the Kubernetes-safe YAML), and `to_kube_yaml` preserves any JSON value.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_convert::crd::*;
use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

#[path = "crd_proptest/leaves.rs"]
mod leaves;
#[path = "crd_proptest/specs.rs"]
mod specs;

use leaves::*;
use specs::*;

/// generate → serialise → parse → equal, through JSON and through `to_kube_yaml`.
fn check<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(value).unwrap();
    let back: T =
        parse_resource(&json).map_err(|e| TestCaseError::fail(format!("JSON: {e}\n{json}")))?;
    prop_assert_eq!(&back, value);
    let yaml = to_kube_yaml(value).unwrap();
    let back: T =
        parse_resource(&yaml).map_err(|e| TestCaseError::fail(format!("YAML: {e}\n{yaml}")))?;
    prop_assert_eq!(&back, value);
    Ok(())
}

/// Runs a property on a thread with a large stack: the value trees of these wide strategies are
/// big, and debug builds keep several copies on the stack.
fn run_property<S, F>(make_strategy: F, test: fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: std::fmt::Debug + 'static,
    F: FnOnce() -> S + Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(64));
            if let Err(e) = runner.run(&make_strategy(), test) {
                panic!("{e}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn function_round_trips() {
    run_property(
        || (function_spec(), of(status())),
        |(spec, st)| {
            let mut f = Function::new("f", spec);
            f.status = st;
            check(&f)
        },
    );
}

#[test]
fn sink_round_trips() {
    run_property(
        || (sink_spec(), of(status())),
        |(spec, st)| {
            let mut s = Sink::new("s", spec);
            s.status = st;
            check(&s)
        },
    );
}

#[test]
fn source_round_trips() {
    run_property(
        || (source_spec(), of(status())),
        |(spec, st)| {
            let mut s = Source::new("s", spec);
            s.status = st;
            check(&s)
        },
    );
}

#[test]
fn function_mesh_round_trips() {
    run_property(
        || {
            let conditions = || of(btree_map(s(), condition(), 0..2));
            (
                of(vec(function_spec(), 0..2)),
                of(vec(sink_spec(), 0..2)),
                of(vec(source_spec(), 0..2)),
                (
                    conditions(),
                    conditions(),
                    conditions(),
                    of(any::<i64>()),
                    of(condition()),
                ),
            )
        },
        |(functions, sinks, sources, conds)| {
            let mut m = FunctionMesh::new(
                "m",
                FunctionMeshSpec {
                    functions,
                    sinks,
                    sources,
                },
            );
            m.status = Some(FunctionMeshStatus {
                function_conditions: conds.0,
                sink_conditions: conds.1,
                source_conditions: conds.2,
                observed_generation: conds.3,
                condition: conds.4,
            });
            check(&m)
        },
    );
}

#[test]
fn backend_config_round_trips() {
    run_property(
        || (os(), smap(), of(pod()), of(any::<bool>())),
        |(name, env, pod, auto_update)| {
            check(&BackendConfig::new(
                "b",
                BackendConfigSpec {
                    name,
                    env,
                    pod,
                    auto_update,
                },
            ))
        },
    );
}

proptest! {
    #[test]
    fn kube_yaml_preserves_any_json(v in json_value()) {
        let yaml = to_kube_yaml(&v).unwrap();
        let back: Value = serde_yaml_ng::from_str(&yaml).map_err(|e| TestCaseError::fail(format!("{e}\n{yaml}")))?;
        prop_assert_eq!(back, v);
    }
}
