//! Every input form of a component folded into one `topic → ConsumerConfig` map, in Pulsar's
//! order (topics, pattern, serde classes, schema types, full specs; a later form wins for the
//! same topic). Functions, sinks and resources read back each list their own forms.

use fm_model::pulsar::ConsumerConfig;
use std::collections::BTreeMap;

/// A fold of input forms; see the module docs.
#[derive(Default)]
pub(crate) struct InputSpecs(BTreeMap<String, ConsumerConfig>);

impl InputSpecs {
    /// Plain topics: default consumer settings.
    pub(crate) fn topics<'a>(mut self, topics: impl IntoIterator<Item = &'a String>) -> Self {
        for t in topics {
            self.0.insert(t.clone(), ConsumerConfig::default());
        }
        self
    }

    /// A topics pattern (a regex).
    pub(crate) fn pattern(mut self, pattern: Option<&String>) -> Self {
        if let Some(p) = pattern.filter(|p| !p.is_empty()) {
            self.0.insert(
                p.clone(),
                ConsumerConfig {
                    regex_pattern: true,
                    ..Default::default()
                },
            );
        }
        self
    }

    /// Topics with a SerDe class.
    pub(crate) fn serde<'a>(
        mut self,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        for (t, serde) in entries {
            self.0.insert(
                t.clone(),
                ConsumerConfig {
                    serde_class_name: Some(serde.clone()),
                    ..Default::default()
                },
            );
        }
        self
    }

    /// Topics with a schema type.
    pub(crate) fn schema<'a>(
        mut self,
        entries: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> Self {
        for (t, schema) in entries {
            self.0.insert(
                t.clone(),
                ConsumerConfig {
                    schema_type: Some(schema.clone()),
                    ..Default::default()
                },
            );
        }
        self
    }

    /// Topics with full consumer settings.
    pub(crate) fn specs(
        mut self,
        entries: impl IntoIterator<Item = (String, ConsumerConfig)>,
    ) -> Self {
        self.0.extend(entries);
        self
    }

    /// The folded map.
    pub(crate) fn into_map(self) -> BTreeMap<String, ConsumerConfig> {
        self.0
    }
}
