//! Schema helpers for the derived types and the post-processing that brings the
//! kube-derived CustomResourceDefinitions in line with upstream's controller-gen output.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool,
};

/// Schema of a free-form JSON object whose content the API server keeps (upstream `Config`
/// with `+kubebuilder:pruning:PreserveUnknownFields`).
pub fn preserve_unknown_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true,
    })
}

/// Schema of a free-form JSON object *without* the preserve marker (upstream quirk of
/// `statefulConfig.pulsar.javaProvider.config`: the API server prunes its content).
pub fn bare_object(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object" })
}

/// What [`apply_upstream_markers`] changes beyond the common clean-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpstreamMarkers {
    /// Set `x-kubernetes-preserve-unknown-fields: true` on the root schema
    /// (upstream `+kubebuilder:pruning:PreserveUnknownFields` on the kind).
    pub root_preserve_unknown_fields: bool,
}

/// Post-processes a kube-derived CRD into upstream's shape where the derive cannot express it:
///
/// * every `description` is removed (upstream generates with `maxDescLen=0`);
/// * kube's `nullable: true` on optional fields is removed, and `null` is dropped from `enum`
///   lists (controller-gen emits neither, so the API server prunes nulls like upstream);
/// * the root `title` is removed, and the root declares `apiVersion`, `kind` (strings) and
///   `metadata` (object) like controller-gen does;
/// * `spec` is no longer required at the root (upstream `spec` is `omitempty`);
/// * `names.listKind` is set to `<Kind>List`;
/// * the root gets `x-kubernetes-preserve-unknown-fields: true` when asked.
pub fn apply_upstream_markers(crd: &mut CustomResourceDefinition, markers: UpstreamMarkers) {
    if crd.spec.names.list_kind.is_none() {
        crd.spec.names.list_kind = Some(format!("{}List", crd.spec.names.kind));
    }
    for version in &mut crd.spec.versions {
        let Some(root) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        else {
            continue;
        };
        clean_schema(root);
        root.title = None;
        let properties = root.properties.get_or_insert_with(Default::default);
        for (name, type_) in [
            ("apiVersion", "string"),
            ("kind", "string"),
            ("metadata", "object"),
        ] {
            properties
                .entry(name.to_owned())
                .or_insert_with(|| JSONSchemaProps {
                    type_: Some(type_.to_owned()),
                    ..Default::default()
                });
        }
        if let Some(required) = root.required.as_mut() {
            required.retain(|r| r != "spec");
            if required.is_empty() {
                root.required = None;
            }
        }
        if markers.root_preserve_unknown_fields {
            root.x_kubernetes_preserve_unknown_fields = Some(true);
        }
    }
}

/// Recursively removes `description`/`nullable` and `null` enum members from a schema.
fn clean_schema(schema: &mut JSONSchemaProps) {
    schema.description = None;
    schema.nullable = None;
    if let Some(values) = schema.enum_.as_mut() {
        values.retain(|v| !v.0.is_null());
    }
    let children = schema
        .properties
        .iter_mut()
        .flat_map(|m| m.values_mut())
        .chain(
            schema
                .pattern_properties
                .iter_mut()
                .flat_map(|m| m.values_mut()),
        )
        .chain(schema.definitions.iter_mut().flat_map(|m| m.values_mut()))
        .chain(schema.all_of.iter_mut().flatten())
        .chain(schema.any_of.iter_mut().flatten())
        .chain(schema.one_of.iter_mut().flatten());
    for child in children {
        clean_schema(child);
    }
    if let Some(not) = schema.not.as_mut() {
        clean_schema(not);
    }
    match schema.items.as_mut() {
        Some(JSONSchemaPropsOrArray::Schema(s)) => clean_schema(s),
        Some(JSONSchemaPropsOrArray::Schemas(v)) => v.iter_mut().for_each(clean_schema),
        None => {}
    }
    if let Some(JSONSchemaPropsOrBool::Schema(s)) = schema.additional_properties.as_mut() {
        clean_schema(s);
    }
    if let Some(JSONSchemaPropsOrBool::Schema(s)) = schema.additional_items.as_mut() {
        clean_schema(s);
    }
}
