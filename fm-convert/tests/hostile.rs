//! Hostile input: deep nesting, huge strings, large documents, duplicate keys, numbers out of
//! range, NaN. Each is a typed error naming the field (or a successful, bounded conversion),
//! never a panic. Inputs the fuzzers found are kept at the end as regression tests.

// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use fm_convert::parse::{parse, parse_as, Format, ParseError};
use fm_convert::pulsar::{FunctionConfig, SinkConfig, SourceConfig};
use fm_convert::ConvertError;
use support::{
    function_to_resource, sink_to_resource, source_to_resource, Ctx as ConversionContext,
};

const BASE: &str = r#"{"tenant":"public","namespace":"default","name":"f","className":"C",
"inputs":["persistent://public/default/in"],"jar":"function://public/default/f@1""#;

fn function_json(extra: &str) -> String {
    format!("{BASE}{extra}}}")
}

fn ctx() -> ConversionContext {
    ConversionContext {
        cluster: Some("standalone".into()),
        ..Default::default()
    }
}

fn parse_err<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> ParseError {
    parse::<T>(text).expect_err("the document must be refused")
}

fn invalid_paths(e: ConvertError) -> Vec<String> {
    match e {
        ConvertError::Invalid(v) => v.into_iter().map(|i| i.path).collect(),
        other => panic!("expected a validation error, got {other}"),
    }
}

#[test]
fn deep_json_nesting_is_a_recursion_error_at_the_field() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e =
        parse_err::<FunctionConfig>(&function_json(&format!(r#","userConfig":{{"k":{deep}}}"#)));
    assert!(e.path.starts_with("userConfig.k[0][0]"), "{e}");
    assert!(
        e.path.len() < 1000,
        "the path is bounded by the recursion limit"
    );
    assert!(e.message.contains("recursion limit exceeded"), "{e}");
    let deep = format!("{}1{}", r#"{"a":"#.repeat(50_000), "}".repeat(50_000));
    let e = parse_err::<FunctionConfig>(&function_json(&format!(r#","userConfig":{deep}"#)));
    assert!(e.path.starts_with("userConfig.a.a"), "{e}");
    assert!(e.message.contains("recursion limit exceeded"), "{e}");
}

#[test]
fn deep_yaml_nesting_is_an_error() {
    // Flow collections: refused before the YAML scanner (quadratic in the depth) sees them.
    let deep = format!(
        "name: f\nuserConfig:\n  k: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let e = parse_as::<FunctionConfig>(&deep, Format::Yaml).expect_err("too deep");
    assert_eq!(
        e.to_string(),
        "the document nests `[`/`{` more than 1024 levels deep"
    );
    let deep = format!("name: f\nuserConfig: {}\n", "{a: ".repeat(8 << 20 >> 2));
    assert!(parse_as::<FunctionConfig>(&deep, Format::Yaml).is_err());
    // Within the bracket limit but beyond the reader's recursion limit.
    let deep = format!(
        "name: f\nuserConfig:\n  k: {}{}\n",
        "[".repeat(1000),
        "]".repeat(1000)
    );
    let e = parse_as::<FunctionConfig>(&deep, Format::Yaml).expect_err("too deep");
    assert!(e.message.contains("recursion limit exceeded"), "{e}");
    // Block collections.
    let deep = format!(
        "name: f\nuserConfig:\n  k:\n    {}1\n",
        "- ".repeat(100_000)
    );
    let e = parse_as::<FunctionConfig>(&deep, Format::Yaml).expect_err("too deep");
    assert!(e.message.contains("recursion limit exceeded"), "{e}");
    // Brackets in strings are fine up to the limit.
    let text = format!("name: f\nuserConfig:\n  k: \"{}\"\n", "[".repeat(1000));
    assert!(parse_as::<FunctionConfig>(&text, Format::Yaml).is_ok());
}

#[test]
fn yaml_alias_bombs_are_refused() {
    let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..20 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    doc.push_str("name: f\nuserConfig:\n  bomb: *a19\n");
    let e = parse_as::<FunctionConfig>(&doc, Format::Yaml).expect_err("billion laughs");
    assert!(e.message.contains("repetition limit exceeded"), "{e}");
}

#[test]
fn a_huge_name_is_a_validation_error_naming_the_field() {
    let huge = "a".repeat(10 << 20);
    let c: FunctionConfig =
        parse(&function_json("").replace(r#""name":"f""#, &format!(r#""name":"{huge}""#))).unwrap();
    let ConvertError::Invalid(e) = function_to_resource(&c, &ctx()).unwrap_err() else {
        panic!("not a validation error")
    };
    assert!(!e.is_empty());
    for issue in &e {
        assert_eq!(issue.path, "name");
        // The message quotes the name (linear in the input, which the CLI caps at 16 MiB).
        assert!(
            issue.message.len() < 3 * huge.len(),
            "{:.200}",
            issue.message
        );
    }
}

#[test]
fn a_huge_topic_and_class_name_convert_or_fail_by_field() {
    let huge = "t".repeat(4 << 20);
    let c: FunctionConfig = parse(&function_json(&format!(
        r#","output":"persistent://public/default/{huge}","logTopic":"{huge}""#
    )))
    .unwrap();
    let r = function_to_resource(&c, &ctx()).unwrap();
    assert_eq!(
        r.resource.spec.output.unwrap().topic.unwrap().len(),
        huge.len() + 28
    );
}

#[test]
fn a_ten_megabyte_document_converts() {
    let entries: Vec<String> = (0..200_000)
        .map(|i| format!(r#""key{i}":"{}""#, "v".repeat(40)))
        .collect();
    let text = function_json(&format!(r#","userConfig":{{{}}}"#, entries.join(",")));
    assert!(text.len() > 10 << 20);
    let c: FunctionConfig = parse(&text).unwrap();
    let r = function_to_resource(&c, &ctx()).unwrap();
    assert_eq!(r.resource.spec.func_config.unwrap().len(), 200_000);
}

#[test]
fn ten_megabytes_of_garbage_is_a_parse_error() {
    let garbage = "{\"name\": ".to_string() + &"\u{7f}!".repeat(5 << 20);
    let e = parse_err::<FunctionConfig>(&garbage);
    assert!(e.message.contains("line 1"), "{e}");
    let e = parse_as::<FunctionConfig>(&"- [".repeat(3 << 20), Format::Yaml).unwrap_err();
    assert!(!e.message.is_empty());
}

#[test]
fn duplicate_struct_fields_are_errors() {
    let e = parse_err::<FunctionConfig>(r#"{"name":"a","name":"b"}"#);
    assert!(e.message.contains("duplicate field `name`"), "{e}");
    let e = parse_as::<FunctionConfig>("name: a\nname: b\n", Format::Yaml).unwrap_err();
    assert!(e.message.contains("duplicate"), "{e}");
}

#[test]
fn duplicate_map_keys_are_errors_naming_the_map_and_key() {
    let e = parse_err::<FunctionConfig>(&function_json(
        r#","userConfig":{"suffix":"!","suffix":"?"}"#,
    ));
    assert_eq!(e.path, "userConfig");
    assert_eq!(e.message, "duplicate key `suffix`");
    assert_eq!(e.to_string(), "userConfig: duplicate key `suffix`");

    let e = parse_err::<FunctionConfig>(&function_json(
        r#","inputSpecs":{"t":{"consumerProperties":{"a":"1","b":"2","a":"3"}}}"#,
    ));
    assert_eq!(e.path, "inputSpecs.t.consumerProperties");
    assert_eq!(e.message, "duplicate key `a`");

    let e = parse_as::<FunctionConfig>("name: f\nuserConfig:\n  k: 1\n  k: 2\n", Format::Yaml)
        .unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("userConfig", "duplicate key `k`")
    );

    // Escaped spellings of one key are the same key.
    let e = parse_err::<serde_json::Value>(r#"{"a":1,"\u0061":2}"#);
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("", "duplicate key `a`")
    );

    // Large objects (hashed) too, and in arrays.
    let mut keys: Vec<String> = (0..100).map(|i| format!(r#""k{i}":{i}"#)).collect();
    keys.push(r#""k42":0"#.into());
    let e = parse_err::<serde_json::Value>(&format!(r#"{{"list":[{{}},{{{}}}]}}"#, keys.join(",")));
    assert_eq!(
        (e.path.as_str(), e.message.as_str()),
        ("list[1]", "duplicate key `k42`")
    );
}

#[test]
fn distinct_keys_and_yaml_tags_are_fine() {
    let c: FunctionConfig = parse(&function_json(r#","userConfig":{"a":1,"A":2,"a ":3}"#)).unwrap();
    assert_eq!(c.user_config.unwrap().len(), 3);
    let v: serde_json::Value = parse_as("a: !Tag {x: 1, x: 2}\nb: 1\n", Format::Yaml)
        .map_err(|e| e.to_string())
        .unwrap_or(serde_json::Value::Null);
    // Whatever the YAML reader makes of a tag, the duplicate scan does not panic on it.
    let _ = v;
}

#[test]
fn trailing_characters_after_json_are_an_error() {
    let e = parse_err::<FunctionConfig>(r#"{"name":"f"} {"name":"g"}"#);
    assert!(e.message.contains("trailing characters"), "{e}");
    assert!(parse::<FunctionConfig>("{\"name\":\"f\"}\n\n").is_ok());
}

#[test]
fn parallelism_out_of_range_is_a_parse_error_at_the_field() {
    for (kind, n) in [
        ("function", 1u64 << 40),
        ("function", 1u64 << 63),
        ("sink", 1 << 31),
        ("source", u64::MAX),
    ] {
        let text = function_json(&format!(r#","parallelism":{n}"#));
        let e = match kind {
            "function" => parse::<FunctionConfig>(&text).unwrap_err(),
            "sink" => parse::<SinkConfig>(&text).unwrap_err(),
            _ => parse::<SourceConfig>(&text).unwrap_err(),
        };
        assert_eq!(e.path, "parallelism", "{e}");
        assert!(e.message.contains("integer"), "{e}");
    }
    let e = parse_err::<FunctionConfig>(&function_json(r#","parallelism":1e400"#));
    assert_eq!(e.path, "parallelism");
    let e = parse_err::<FunctionConfig>(&function_json(
        r#","resources":{"ram":99999999999999999999}"#,
    ));
    assert_eq!(e.path, "resources.ram");
}

#[test]
fn negative_and_zero_resources_are_validation_errors() {
    let c: FunctionConfig = parse(&function_json(
        r#","resources":{"cpu":-1,"ram":-1073741824,"disk":0}"#,
    ))
    .unwrap();
    let e = function_to_resource(&c, &ctx()).unwrap_err();
    assert_eq!(
        invalid_paths(e),
        ["resources.cpu", "resources.ram", "resources.disk"]
    );
    let c: SinkConfig = parse(&function_json(
        r#","archive":"/a.nar","resources":{"ram":-5}"#,
    ))
    .unwrap();
    assert!(invalid_paths(sink_to_resource(&c, &ctx()).unwrap_err())
        .contains(&"resources.ram".to_string()));
    let c: SourceConfig =
        parse(r#"{"name":"s","archive":"/a.nar","className":"C","resources":{"cpu":-0.5}}"#)
            .unwrap();
    assert!(invalid_paths(source_to_resource(&c, &ctx()).unwrap_err())
        .contains(&"resources.cpu".to_string()));
}

#[test]
fn nan_and_infinite_cpu_are_errors_at_the_field() {
    // JSON has no NaN: a parse error at the field.
    let e = parse_err::<FunctionConfig>(&function_json(r#","resources":{"cpu":NaN}"#));
    assert_eq!(e.path, "resources.cpu");
    // YAML has: refused as not finite, at the field.
    for cpu in [".nan", ".inf", "-.inf"] {
        let text = format!("name: f\nresources:\n  cpu: {cpu}\n");
        let e = parse_as::<FunctionConfig>(&text, Format::Yaml).unwrap_err();
        assert_eq!(e.path, "resources.cpu", "{cpu}");
        assert!(e.message.contains("finite"), "{e}");
    }
    // A caller building the config in code: the conversion refuses it at the field.
    for cpu in [f64::NAN, f64::INFINITY] {
        let mut c: FunctionConfig = parse(&function_json("")).unwrap();
        c.resources = Some(fm_convert::pulsar::Resources {
            cpu,
            ..Default::default()
        });
        let e = function_to_resource(&c, &ctx()).unwrap_err();
        assert_eq!(invalid_paths(e), ["resources.cpu"], "{cpu}");
    }
}

#[test]
fn invalid_utf8_never_reaches_the_parser_as_text() {
    // The library takes `&str`; callers (the CLI) refuse invalid UTF-8 before parsing. A lossy
    // conversion yields U+FFFD, which is an ordinary character for the parser.
    let bytes: &[u8] = &b"{\"name\":\"f\xff\xfe\"}"[..];
    assert!(std::str::from_utf8(bytes).is_err());
    let c: FunctionConfig = parse(&String::from_utf8_lossy(bytes)).unwrap();
    let mut full: FunctionConfig = parse(&function_json("")).unwrap();
    full.name = c.name;
    let e = function_to_resource(&full, &ctx()).unwrap_err();
    assert_eq!(invalid_paths(e), ["name"]);
}

#[test]
fn hostile_custom_runtime_options_are_errors_naming_the_field() {
    for opts in [
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        r#"{"clusterName":"a","clusterName":"b"}"#.to_string(),
        r#"{"maxReplicas": 1099511627776}"#.to_string(),
        "\u{0}".to_string(),
    ] {
        let text = function_json(&format!(
            r#","customRuntimeOptions":{}"#,
            serde_json::to_string(&opts).unwrap()
        ));
        let c: FunctionConfig = parse(&text).unwrap();
        let e = function_to_resource(&c, &ctx()).unwrap_err();
        assert_eq!(invalid_paths(e), ["customRuntimeOptions"], "{opts:.40}");
    }
}

#[test]
fn parse_errors_do_not_echo_string_values() {
    let e = parse_err::<FunctionConfig>(&function_json(r#","parallelism":"CANARY-TOKEN-1""#));
    assert_eq!(e.path, "parallelism");
    assert!(!e.to_string().contains("CANARY"), "{e}");
    assert!(
        e.message
            .starts_with("invalid value: string (value not shown), expected"),
        "{e}"
    );
    let e = parse_as::<FunctionConfig>("name: f\nparallelism: CANARY-TOKEN-2\n", Format::Yaml)
        .unwrap_err();
    assert_eq!(e.path, "parallelism");
    assert!(!e.to_string().contains("CANARY"), "{e}");
    assert!(
        !e.message.starts_with("parallelism:"),
        "the path is not repeated: {e}"
    );
    let e = parse_err::<FunctionConfig>(&function_json(r#","autoAck":"CANARY-TOKEN-3""#));
    assert!(!e.to_string().contains("CANARY"), "{e}");
}

#[test]
fn debug_of_contexts_and_conversions_does_not_show_secrets() {
    const CANARY: &str = "CANARY-WORKER-TOKEN-5f5f";
    let worker: fm_convert::worker::WorkerConfig = parse_as(
        &format!("authenticationEnabled: true\nbrokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\nbrokerClientAuthenticationParameters: token:{CANARY}\n"),
        Format::Yaml,
    )
    .unwrap();
    let existing =
        fm_auth::secret_from_value(&serde_json::json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "a"}, "stringData": {"auth.json": CANARY}}))
        .unwrap();
    let ctx = ConversionContext {
        worker,
        cluster: Some("standalone".into()),
        caller: fm_auth::Caller {
            role: Some("admin".into()),
            authorization: Some(fm_auth::Sensitive::new(CANARY.to_string())),
        },
        existing_secrets: vec![existing],
        ..Default::default()
    };
    let debug = format!("{:?}", ctx.worker());
    assert!(debug.contains("<redacted>"), "Worker Debug: {debug}");
    assert!(!debug.contains(CANARY), "Worker Debug: {debug}");
    let debug = format!("{:?}", ctx.request());
    assert!(debug.contains("<redacted>"), "Request Debug: {debug}");
    assert!(!debug.contains(CANARY), "Request Debug: {debug}");
    let c: FunctionConfig = parse(&function_json("")).unwrap();
    let converted = function_to_resource(&c, &ctx).unwrap();
    assert!(!converted.secrets.is_empty());
    let debug = format!("{converted:?}");
    assert!(!debug.contains(CANARY), "Converted Debug: {debug:.3000}");
}

#[test]
fn deeply_nested_resources_are_refused_quickly() {
    let text = format!(
        "apiVersion: compute.functionmesh.io/v1alpha1\nkind: Function\nspec:\n  funcConfig: {}\n",
        "[".repeat(1 << 20)
    );
    let e = fm_convert::crd::parse_resource::<fm_convert::crd::Function>(&text).unwrap_err();
    assert!(e.to_string().contains("more than 1024 levels deep"), "{e}");
}
