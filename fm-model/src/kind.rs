//! [`ComponentKind`]: Function, Sink or Source — the one kind every crate of fmesh speaks of.

use std::fmt;
use std::str::FromStr;

/// The three kinds of Pulsar component, and of the Function Mesh resource that runs one.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum ComponentKind {
    /// A Pulsar function (`FunctionConfig` ⇄ `Function`).
    Function,
    /// A Pulsar IO sink (`SinkConfig` ⇄ `Sink`).
    Sink,
    /// A Pulsar IO source (`SourceConfig` ⇄ `Source`).
    Source,
}

impl ComponentKind {
    /// All kinds, in this order.
    pub const ALL: [ComponentKind; 3] = [
        ComponentKind::Function,
        ComponentKind::Sink,
        ComponentKind::Source,
    ];

    /// The Kubernetes `kind` (`Function`, `Sink`, `Source`); also Pulsar's word in its error
    /// texts (`Function name cannot be null`).
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Function => "Function",
            ComponentKind::Sink => "Sink",
            ComponentKind::Source => "Source",
        }
    }

    /// `function`, `sink` or `source` (labels, Secret name prefixes, REST paths' singular).
    pub fn lower(self) -> &'static str {
        match self {
            ComponentKind::Function => "function",
            ComponentKind::Sink => "sink",
            ComponentKind::Source => "source",
        }
    }

    /// The resource's plural (`functions`, `sinks`, `sources`): REST paths and CRD names.
    pub fn plural(self) -> &'static str {
        match self {
            ComponentKind::Function => "functions",
            ComponentKind::Sink => "sinks",
            ComponentKind::Source => "sources",
        }
    }

    /// The name of the config part in Pulsar's multipart requests and of the config type
    /// (`functionConfig`, `sinkConfig`, `sourceConfig`).
    pub fn config_part(self) -> &'static str {
        match self {
            ComponentKind::Function => "functionConfig",
            ComponentKind::Sink => "sinkConfig",
            ComponentKind::Source => "sourceConfig",
        }
    }
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`ComponentKind`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("kind: expected Function, Sink or Source, found `{found}`")]
pub struct UnknownKind {
    /// What was found.
    pub found: String,
}

impl FromStr for ComponentKind {
    type Err = UnknownKind;

    /// Accepts the Kubernetes kind (`Function`) and the lower-case word (`function`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ComponentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.lower() == s)
            .ok_or_else(|| UnknownKind {
                found: s.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in ComponentKind::ALL {
            assert_eq!(k.as_str().parse::<ComponentKind>(), Ok(k));
            assert_eq!(k.lower().parse::<ComponentKind>(), Ok(k));
            assert_eq!(k.to_string(), k.as_str());
        }
        assert_eq!(
            "FunctionMesh"
                .parse::<ComponentKind>()
                .unwrap_err()
                .to_string(),
            "kind: expected Function, Sink or Source, found `FunctionMesh`"
        );
        assert_eq!(ComponentKind::Sink.plural(), "sinks");
        assert_eq!(ComponentKind::Source.config_part(), "sourceConfig");
    }
}
