//! What an update may not change, as Pulsar's worker refuses it (its `validateUpdate` of
//! functions, sinks and sources): the names, the runtime, the input topics (only settings of the
//! topics already consumed may change), the processing guarantees, ordering, auto-ack and the
//! subscription name. Every refusal is listed, in Pulsar's words.
//!
//! One deliberate difference: Pulsar also refuses an update of a batch source whose config leaves
//! `batchSourceConfig` out (so `sources update --parallelism 2` of one fails); here leaving it out
//! keeps the stored one, as for every other field.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::Kind;

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Pulsar's default where the stored config leaves a setting out.
fn stored_or<'a>(stored: &'a Value, key: &str, default: &'a Value) -> &'a Value {
    match stored.get(key) {
        Some(v) if !v.is_null() => v,
        _ => default,
    }
}

/// The input topics a config consumes, each with whether it is a pattern, gathered from every
/// field that names inputs (as Pulsar folds them into `inputSpecs`).
fn input_topics(kind: Kind, config: &Value) -> BTreeMap<String, bool> {
    let mut topics = BTreeMap::new();
    if let Some(list) = config.get("inputs").and_then(Value::as_array) {
        for t in list.iter().filter_map(Value::as_str) {
            topics.insert(t.to_owned(), false);
        }
    }
    if let Some(p) = text(config, "topicsPattern") {
        topics.insert(p.to_owned(), true);
    }
    let maps: &[&str] = match kind {
        Kind::Function => &["customSerdeInputs", "customSchemaInputs"],
        Kind::Sink => &["topicToSerdeClassName", "topicToSchemaType"],
        Kind::Source => &[],
    };
    for m in maps {
        if let Some(o) = config.get(*m).and_then(Value::as_object) {
            for t in o.keys() {
                topics.insert(t.clone(), false);
            }
        }
    }
    if let Some(o) = config.get("inputSpecs").and_then(Value::as_object) {
        for (t, spec) in o {
            let regex = ["regexPattern", "isRegexPattern"]
                .iter()
                .find_map(|k| spec.get(*k).and_then(Value::as_bool))
                .unwrap_or(false);
            topics.insert(t.clone(), regex);
        }
    }
    topics
}

/// Every change of `submitted` (the update's config, in Pulsar's field names) that Pulsar refuses
/// against `stored` (the component's config now); `ids` are the tenant, namespace and name of the
/// URL. Empty when the update may go ahead.
pub(super) fn refused_changes(
    kind: Kind,
    (tenant, namespace, name): (&str, &str, &str),
    stored: &Value,
    submitted: &Value,
) -> Vec<String> {
    let mut refused = Vec::new();
    let differs = |key: &str, want: &str| text(submitted, key).is_some_and(|v| v != want);
    if differs("tenant", tenant) {
        refused.push("Tenants differ".to_owned());
    }
    if differs("namespace", namespace) {
        refused.push("Namespaces differ".to_owned());
    }
    if differs("name", name) {
        refused.push(format!("{} Names differ", kind.as_str()));
    }
    if kind != Kind::Source {
        let old = input_topics(kind, stored);
        for (topic, regex) in input_topics(kind, submitted) {
            match old.get(&topic) {
                None => {
                    if !refused
                        .iter()
                        .any(|r| r == "Input Topics cannot be altered")
                    {
                        refused.push("Input Topics cannot be altered".to_owned());
                    }
                }
                Some(was) if *was != regex => refused.push(format!(
                    "isRegexPattern for input topic {topic} cannot be altered"
                )),
                Some(_) => {}
            }
        }
    }
    if kind == Kind::Function {
        for (key, reason) in [
            ("outputSerdeClassName", "Output Serde mismatch"),
            ("outputSchemaType", "Output Schema mismatch"),
        ] {
            if let Some(v) = text(submitted, key) {
                if text(stored, key) != Some(v) {
                    refused.push(reason.to_owned());
                }
            }
        }
    }
    // Settings fixed for life, with the default Pulsar compares against when none was stored.
    let (at_least_once, no, yes) = (
        Value::String("ATLEAST_ONCE".into()),
        Value::Bool(false),
        Value::Bool(true),
    );
    let mut fixed: Vec<(&str, &Value, &str)> = vec![(
        "processingGuarantees",
        &at_least_once,
        "Processing Guarantees cannot be altered",
    )];
    if kind != Kind::Source {
        fixed.extend([
            ("retainOrdering", &no, "Retain Ordering cannot be altered"),
            (
                "retainKeyOrdering",
                &no,
                "Retain Key Ordering cannot be altered",
            ),
            ("autoAck", &yes, "AutoAck cannot be altered"),
        ]);
    }
    for (key, default, reason) in fixed {
        match submitted.get(key) {
            Some(v) if !v.is_null() && v != stored_or(stored, key, default) => {
                refused.push(reason.to_owned());
            }
            _ => {}
        }
    }
    // The stored runtime is what the resource runs (the reverse conversion always names it).
    if kind == Kind::Function {
        if let (Some(new), Some(old)) = (text(submitted, "runtime"), text(stored, "runtime")) {
            if new != old {
                refused.push("Runtime cannot be altered".to_owned());
            }
        }
    }
    let subscription = match kind {
        Kind::Function => Some("subName"),
        Kind::Sink => Some("sourceSubscriptionName"),
        Kind::Source => None,
    };
    if let Some(key) = subscription {
        if text(submitted, key).is_some_and(|v| text(stored, key) != Some(v)) {
            refused.push("Subscription Name cannot be altered".to_owned());
        }
    }
    if kind == Kind::Source {
        let batch = |c: &Value| c.get("batchSourceConfig").is_some_and(|b| !b.is_null());
        let submitted_batch = batch(submitted);
        if submitted_batch && !batch(stored) {
            refused.push("Sources cannot be update between regular sources and batchsource".into());
        } else if submitted_batch {
            let trigger = |c: &Value| {
                c.pointer("/batchSourceConfig/discoveryTriggererClassName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            if trigger(submitted) != trigger(stored) {
                refused.push("DiscoverTriggerer class cannot be updated for batchsources".into());
            }
        }
    }
    refused
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const IDS: (&str, &str, &str) = ("public", "default", "f");

    fn stored_function() -> Value {
        json!({
            "tenant": "public", "namespace": "default", "name": "f", "runtime": "JAVA",
            "inputs": ["persistent://public/default/in"],
            "inputSpecs": {"persistent://public/default/in": {"regexPattern": false}},
            "output": "persistent://public/default/out",
            "processingGuarantees": "ATLEAST_ONCE", "autoAck": true
        })
    }

    #[test]
    fn parallelism_and_known_topics_may_change() {
        let new = json!({
            "parallelism": 3,
            "inputs": ["persistent://public/default/in"],
            "processingGuarantees": "ATLEAST_ONCE", "retainOrdering": false,
            "tenant": "public", "namespace": "default", "name": "f", "runtime": "JAVA"
        });
        assert!(refused_changes(Kind::Function, IDS, &stored_function(), &new).is_empty());
    }

    #[test]
    fn every_refusal_is_listed_in_pulsars_words() {
        let new = json!({
            "tenant": "other", "namespace": "ns2", "name": "g", "runtime": "PYTHON",
            "inputs": ["persistent://public/default/new"],
            "topicsPattern": "persistent://public/default/in",
            "outputSerdeClassName": "org.example.Serde", "outputSchemaType": "AVRO",
            "processingGuarantees": "EFFECTIVELY_ONCE", "retainOrdering": true,
            "retainKeyOrdering": true, "autoAck": false, "subName": "s2"
        });
        assert_eq!(
            refused_changes(Kind::Function, IDS, &stored_function(), &new),
            [
                "Tenants differ",
                "Namespaces differ",
                "Function Names differ",
                "isRegexPattern for input topic persistent://public/default/in cannot be altered",
                "Input Topics cannot be altered",
                "Output Serde mismatch",
                "Output Schema mismatch",
                "Processing Guarantees cannot be altered",
                "Retain Ordering cannot be altered",
                "Retain Key Ordering cannot be altered",
                "AutoAck cannot be altered",
                "Runtime cannot be altered",
                "Subscription Name cannot be altered",
            ]
        );
    }

    #[test]
    fn defaults_count_as_stored() {
        let stored = json!({"inputs": ["t"]});
        let same = json!({"processingGuarantees": "ATLEAST_ONCE", "autoAck": true,
                          "retainOrdering": false});
        assert!(refused_changes(Kind::Sink, IDS, &stored, &same).is_empty());
        let changed = json!({"retainOrdering": true, "sourceSubscriptionName": "x",
                             "topicToSerdeClassName": {"u": "S"}});
        assert_eq!(
            refused_changes(Kind::Sink, IDS, &stored, &changed),
            [
                "Input Topics cannot be altered",
                "Retain Ordering cannot be altered",
                "Subscription Name cannot be altered"
            ]
        );
    }

    #[test]
    fn sources_keep_their_batch_shape() {
        let plain = json!({"topicName": "t"});
        let batch = json!({"batchSourceConfig": {"discoveryTriggererClassName": "A"}});
        assert_eq!(
            refused_changes(Kind::Source, IDS, &plain, &batch),
            ["Sources cannot be update between regular sources and batchsource"]
        );
        let other = json!({"batchSourceConfig": {"discoveryTriggererClassName": "B"}});
        assert_eq!(
            refused_changes(Kind::Source, IDS, &batch, &other),
            ["DiscoverTriggerer class cannot be updated for batchsources"]
        );
        assert!(refused_changes(Kind::Source, IDS, &batch, &batch).is_empty());
        // A topic change is fine for a source (its output).
        assert!(refused_changes(Kind::Source, IDS, &plain, &json!({"topicName": "u"})).is_empty());
    }
}
