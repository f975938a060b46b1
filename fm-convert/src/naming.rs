//! Resource names, labels and the Pulsar config map name, exactly as the Java worker makes them.

use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

pub use fm_model::ComponentKind;

/// The operator's webhook rejects `metadata.name` longer than this.
pub const MAX_RESOURCE_NAME_LEN: usize = 43;

/// CR annotation that makes the operator leave the workload alone.
pub const MANAGED_ANNOTATION: &str = "compute.functionmesh.io/managed";

/// Lower-cases and replaces every character outside `[a-z0-9.-]` with `-`.
pub fn sanitize(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// `sanitize(name)-<first 8 hex of sha1("<cluster>-<tenant>-<namespace>-<name>")>`; the hash
/// uses the original name. Example: `test-pulsar`, `public/default/word-count` →
/// `word-count-640ae9e6`.
pub fn resource_name(cluster: &str, tenant: &str, namespace: &str, name: &str) -> String {
    let digest = Sha1::digest(format!("{cluster}-{tenant}-{namespace}-{name}").as_bytes());
    let hex = hex::encode(digest);
    format!("{}-{}", sanitize(name), hex.get(..8).unwrap_or(&hex))
}

/// `<cluster>-function-mesh-config`, sanitised: the ConfigMap with the broker URLs.
pub fn config_map_name(cluster: &str) -> String {
    sanitize(&format!("{cluster}-function-mesh-config"))
}

/// The worker's labels: four `compute.functionmesh.io/pulsar-*` keys and their legacy
/// `pulsar-*` twins.
pub fn labels(
    cluster: &str,
    tenant: &str,
    namespace: &str,
    name: &str,
) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    for prefix in ["compute.functionmesh.io/", ""] {
        l.insert(format!("{prefix}pulsar-cluster"), cluster.to_string());
        l.insert(format!("{prefix}pulsar-tenant"), tenant.to_string());
        l.insert(format!("{prefix}pulsar-namespace"), namespace.to_string());
        l.insert(format!("{prefix}pulsar-component"), name.to_string());
    }
    l
}

/// Is `s` a DNS-1123 label (lower-case alphanumerics and `-`, alphanumeric at both ends, ≤ 63)?
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Is `s` a valid label value (≤ 63, alphanumerics, `-`, `_`, `.`, alphanumeric at both ends)?
pub(crate) fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && s.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_java_worker() {
        assert_eq!(
            resource_name("test-pulsar", "public", "default", "word-count"),
            "word-count-640ae9e6"
        );
        assert_eq!(sanitize("My_Func.v2"), "my-func.v2");
        assert_eq!(
            config_map_name("Test_Pulsar"),
            "test-pulsar-function-mesh-config"
        );
    }

    #[test]
    fn dns_labels() {
        assert!(is_dns1123_label("word-count-640ae9e6"));
        assert!(!is_dns1123_label("a.b-1"));
        assert!(!is_dns1123_label("-a"));
        assert!(is_label_value("public"));
        assert!(!is_label_value("a/b"));
    }
}
