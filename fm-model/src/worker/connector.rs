//! The built-in connector catalogue: one [`ConnectorDefinition`] per connector, with the image and
//! NAR path it runs from.

use super::BYTES_TYPE;
use crate::macros::optional_fields;

optional_fields! {
    mirror(Default);
    lenient;
    /// One entry of the built-in connector catalogue (the Java worker's
    /// `FunctionMeshConnectorDefinition`, which extends Pulsar's `ConnectorDefinition`).
    pub struct ConnectorDefinition {
        /// Connector name (what `builtin://<name>` refers to).
        pub name: Option<String>,
        /// Description.
        pub description: Option<String>,
        /// Source class.
        pub source_class: Option<String>,
        /// Sink class.
        pub sink_class: Option<String>,
        /// Source config class.
        pub source_config_class: Option<String>,
        /// Sink config class.
        pub sink_config_class: Option<String>,
        /// Connector id (NAR file stem).
        pub id: Option<String>,
        /// Connector version.
        pub version: Option<String>,
        /// Image registry (default `docker.io/`).
        pub image_registry: Option<String>,
        /// Image repository (`namespace/repository`).
        pub image_repository: Option<String>,
        /// Image tag (default: `version`).
        pub image_tag: Option<String>,
        /// NAR file name in the image's `connectors/` folder (default `<id>-<version>.nar`).
        pub jar_full_name: Option<String>,
        /// Type class of the connector.
        pub type_class_name: Option<String>,
        /// Type class of the source side.
        pub source_type_class_name: Option<String>,
        /// Type class of the sink side.
        pub sink_type_class_name: Option<String>,
        /// Default schema type of the connector's topics.
        pub default_schema_type: Option<String>,
        /// Default SerDe class of the connector's topics.
        pub default_serde_class_name: Option<String>,
    }
}

fn non_blank(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.trim().is_empty())
}

impl ConnectorDefinition {
    /// `<registry or docker.io/><repository>:<tag or version>` (a trailing `/` is added to the registry).
    pub fn image(&self) -> String {
        let registry = match non_blank(self.image_registry.as_deref()) {
            Some(r) if r.ends_with('/') => r.to_string(),
            Some(r) => format!("{r}/"),
            None => "docker.io/".to_string(),
        };
        let tag = non_blank(self.image_tag.as_deref())
            .or(non_blank(self.version.as_deref()))
            .unwrap_or("latest");
        format!(
            "{registry}{}:{tag}",
            self.image_repository.as_deref().unwrap_or_default()
        )
    }

    /// The connector's path inside its image: `connectors/<jarFullName>` or `connectors/<id>-<version>.nar`.
    pub fn jar(&self) -> String {
        match non_blank(self.jar_full_name.as_deref()) {
            Some(full) => format!("connectors/{full}"),
            None => format!(
                "connectors/{}-{}.nar",
                self.id.as_deref().unwrap_or_default(),
                self.version.as_deref().unwrap_or_default()
            ),
        }
    }

    /// The connector's class for `kind`: `sinkClass` for a sink, `sourceClass` for a source
    /// (a function has none).
    pub fn class_of(&self, kind: crate::ComponentKind) -> Option<&str> {
        match kind {
            crate::ComponentKind::Sink => self.sink_class.as_deref(),
            crate::ComponentKind::Source => self.source_class.as_deref(),
            crate::ComponentKind::Function => None,
        }
    }

    /// Sink type class: `sinkTypeClassName`, else `typeClassName`, else `[B`.
    pub fn sink_type(&self) -> &str {
        non_blank(self.sink_type_class_name.as_deref())
            .or(non_blank(self.type_class_name.as_deref()))
            .unwrap_or(BYTES_TYPE)
    }

    /// Source type class: `sourceTypeClassName`, else `typeClassName`, else `[B`.
    pub fn source_type(&self) -> &str {
        non_blank(self.source_type_class_name.as_deref())
            .or(non_blank(self.type_class_name.as_deref()))
            .unwrap_or(BYTES_TYPE)
    }
}
