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
    pub(crate) fn serde(self, entries: Option<&BTreeMap<String, String>>) -> Self {
        self.each(entries, |serde| ConsumerConfig {
            serde_class_name: Some(serde),
            ..Default::default()
        })
    }

    /// Topics with a schema type.
    pub(crate) fn schema(self, entries: Option<&BTreeMap<String, String>>) -> Self {
        self.each(entries, |schema| ConsumerConfig {
            schema_type: Some(schema),
            ..Default::default()
        })
    }

    /// Topics of a `topic → value` map, each with the consumer settings `spec` makes of its value.
    fn each(
        mut self,
        entries: Option<&BTreeMap<String, String>>,
        spec: impl Fn(String) -> ConsumerConfig,
    ) -> Self {
        for (t, value) in entries.into_iter().flatten() {
            self.0.insert(t.clone(), spec(value.clone()));
        }
        self
    }

    /// The `inputSpecs` of a config (topic → full consumer settings).
    pub(crate) fn input_specs(self, specs: Option<&BTreeMap<String, ConsumerConfig>>) -> Self {
        self.specs(
            specs
                .into_iter()
                .flatten()
                .map(|(t, s)| (t.clone(), s.clone())),
        )
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
