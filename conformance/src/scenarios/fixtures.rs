//! Fixture loading and conversion through fmesh's public API, and applying the result with `kube::Api`.

use std::path::{Path, PathBuf};

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use serde_json::Value;

use fm_convert::worker::{ConnectorDefinition, WorkerConfig};
use fm_convert::{AnyConfig, AnyResource, Request, Worker};
use fm_model::ComponentKind;

use crate::kubeutil::FIELD_MANAGER;

/// What a scenario's conversion knows, as one value a scenario can adjust field by field; each
/// call turns it into the library's front door ([`Worker`] and [`Request`]).
#[derive(Clone, Debug, Default)]
pub struct ConversionContext {
    /// The worker's `functions_worker.yml`.
    pub worker: WorkerConfig,
    /// The built-in connector catalogue.
    pub connectors: Vec<ConnectorDefinition>,
    /// The package URL of the call.
    pub package_url: Option<String>,
    /// The package's file name.
    pub package_file_name: Option<String>,
    /// The cluster, overriding `pulsarFunctionsCluster`.
    pub cluster: Option<String>,
    /// Who calls.
    pub caller: fm_auth::Caller,
    /// The Secrets of the job namespace.
    pub existing_secrets: Vec<k8s_openapi::api::core::v1::Secret>,
}

impl ConversionContext {
    /// The front door's worker (no fallback cluster: the fixtures' worker names one).
    pub fn worker(&self) -> Worker {
        Worker::builder(self.worker.clone())
            .connectors(self.connectors.clone())
            .cluster(self.cluster.as_deref())
            .fallback_cluster(None)
            .build()
    }

    /// The front door's request.
    pub fn request(&self) -> Request {
        Request::new()
            .package_url(self.package_url.as_deref())
            .package_file_name(self.package_file_name.as_deref())
            .caller(self.caller.clone())
            .secrets(self.existing_secrets.clone())
    }
}

/// The file name of `p` (for scenario titles and messages).
pub fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The dynamic API resource of `kind` (`compute.functionmesh.io/v1alpha1`, plural `functions`, ...).
pub fn api_resource(kind: ComponentKind) -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk(
            fm_convert::crd::GROUP,
            fm_convert::crd::VERSION,
            kind.as_str(),
        ),
        kind.plural(),
    )
}

/// One fixture converted to a resource.
#[derive(Debug, Clone)]
pub struct ConvertedFixture {
    /// The fixture file.
    pub file: PathBuf,
    /// The Pulsar config as parsed JSON (for comparisons).
    pub config: Value,
    /// The converted resource as JSON.
    pub resource: Value,
    /// The Secrets to create with it.
    pub secrets: Vec<k8s_openapi::api::core::v1::Secret>,
}

/// The fixture files of `kind`, sorted.
pub fn files(fixtures: &Path, kind: ComponentKind) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures.join(kind.plural()))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| {
        p.extension()
            .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
    });
    v.sort();
    v
}

/// Parses and converts one fixture with `ctx`. Err is a human-readable reason naming the file.
pub fn convert(
    file: &Path,
    kind: ComponentKind,
    ctx: &ConversionContext,
) -> Result<ConvertedFixture, String> {
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("read {}: {e}", file.display()))?;
    convert_str(&text, file, kind, ctx)
}

/// Parses and converts a Pulsar config given as text (YAML or JSON); `file` names it in errors.
pub fn convert_str(
    text: &str,
    file: &Path,
    kind: ComponentKind,
    ctx: &ConversionContext,
) -> Result<ConvertedFixture, String> {
    let config: Value =
        fm_convert::parse::parse(text).map_err(|e| format!("{}: {e}", file.display()))?;
    let parsed = AnyConfig::parse(kind, text).map_err(|e| format!("{}: {e}", file.display()))?;
    let r = ctx
        .worker()
        .convert_any(&parsed, &ctx.request())
        .map_err(|e| format!("{}: convert: {e}", file.display()))?;
    let (resource, secrets) = (serde_json::to_value(&r.resource), r.secrets);
    let resource = resource.map_err(|e| format!("{}: serialise: {e}", file.display()))?;
    Ok(ConvertedFixture {
        file: file.to_path_buf(),
        config,
        resource,
        secrets,
    })
}

/// The conversion context the scenarios use: the worker settings of `fixtures/worker/functions_worker.yml`
/// and the built-in connector catalogue of `fixtures/worker/connectors.yaml`.
pub fn context(fixtures: &Path) -> Result<ConversionContext, String> {
    context_with_worker(
        fixtures,
        &fixtures.join("worker").join("functions_worker.yml"),
    )
}

/// The conversion context for one fixture file: `fixtures/worker/trusted.yml` for `trusted-*` fixtures,
/// else [`context`].
pub fn context_for(fixtures: &Path, file: &Path) -> Result<ConversionContext, String> {
    let trusted = file
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("trusted-"));
    if trusted {
        context_with_worker(fixtures, &fixtures.join("worker").join("trusted.yml"))
    } else {
        context(fixtures)
    }
}

/// A conversion context with the worker settings of `worker` and the connector catalogue of
/// `fixtures/worker/connectors.yaml`. Unreadable or invalid files are errors, not defaults.
pub fn context_with_worker(fixtures: &Path, worker: &Path) -> Result<ConversionContext, String> {
    let read =
        |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("read {}: {e}", p.display()));
    let mut ctx = ConversionContext {
        worker: fm_convert::parse::parse(&read(worker)?)
            .map_err(|e| format!("{}: {e}", worker.display()))?,
        ..ConversionContext::default()
    };
    let connectors = fixtures.join("worker").join("connectors.yaml");
    ctx.connectors = fm_convert::parse::parse(&read(&connectors)?)
        .map_err(|e| format!("{}: {e}", connectors.display()))?;
    Ok(ctx)
}

/// Server-side applies the Secrets and then the resource into `namespace`; returns what the server stored.
pub async fn apply(
    client: &kube::Client,
    namespace: &str,
    kind: ComponentKind,
    fx: &ConvertedFixture,
) -> Result<(String, Value), String> {
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    let secrets: Api<k8s_openapi::api::core::v1::Secret> =
        Api::namespaced(client.clone(), namespace);
    for s in &fx.secrets {
        let mut s = s.clone();
        s.metadata.namespace = Some(namespace.to_owned());
        let name = s.metadata.name.clone().unwrap_or_default();
        secrets
            .patch(&name, &pp, &Patch::Apply(&s))
            .await
            .map_err(|e| format!("apply Secret {name}: {e}"))?;
    }
    let mut body = fx.resource.clone();
    body["metadata"]["namespace"] = Value::String(namespace.to_owned());
    let name = body["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let obj: DynamicObject =
        serde_json::from_value(body).map_err(|e| format!("as DynamicObject: {e}"))?;
    // The group the resource names (targets before v0.1.4 use the older group).
    let ar = match obj.types.as_ref().map(|t| t.api_version.split_once('/')) {
        Some(Some((group, version))) => ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk(group, version, kind.as_str()),
            kind.plural(),
        ),
        _ => api_resource(kind),
    };
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    let stored = api
        .patch(&name, &pp, &Patch::Apply(&obj))
        .await
        .map_err(|e| format!("apply {} {namespace}/{name}: {e}", kind.as_str()))?;
    let v = serde_json::to_value(&stored).map_err(|e| e.to_string())?;
    Ok((name, v))
}

/// A fixture file's Pulsar config as JSON (to modify it before converting with [`convert_value`]).
pub fn read_config(file: &Path) -> Result<Value, String> {
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("read {}: {e}", file.display()))?;
    fm_convert::parse::parse(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// Converts a (possibly modified) Pulsar config given as JSON; `label` names it in errors.
pub fn convert_value(
    config: &Value,
    label: &Path,
    kind: ComponentKind,
    ctx: &ConversionContext,
) -> Result<ConvertedFixture, String> {
    let text = serde_json::to_string(config).map_err(|e| e.to_string())?;
    convert_str(&text, label, kind, ctx)
}

/// Reads a Function/Sink/Source back from the API server as JSON.
pub async fn get_stored(
    client: &kube::Client,
    namespace: &str,
    kind: ComponentKind,
    name: &str,
) -> Result<Value, String> {
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), namespace, &api_resource(kind));
    let o = api
        .get(name)
        .await
        .map_err(|e| format!("get {} {namespace}/{name}: {e}", kind.as_str()))?;
    serde_json::to_value(&o).map_err(|e| e.to_string())
}

/// Every leaf of `written` (under `path`) that is missing from or different in `stored`, as
/// (path, written, stored) triples. Extra fields in `stored` (server defaults) are allowed.
pub fn lost_fields(written: &Value, stored: &Value, path: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    walk(written, Some(stored), path, &mut out);
    out
}

fn walk(w: &Value, s: Option<&Value>, path: &str, out: &mut Vec<(String, String, String)>) {
    match (w, s) {
        (Value::Object(wm), Some(Value::Object(sm))) => {
            for (k, wv) in wm {
                walk(wv, sm.get(k), &format!("{path}.{k}"), out);
            }
        }
        (Value::Array(wa), Some(Value::Array(sa))) if wa.len() == sa.len() => {
            for (i, (wv, sv)) in wa.iter().zip(sa).enumerate() {
                walk(wv, Some(sv), &format!("{path}[{i}]"), out);
            }
        }
        (Value::Object(wm), None) if wm.is_empty() => {}
        (_, None) => out.push((path.to_owned(), short(w), "absent (pruned)".to_owned())),
        (_, Some(sv)) if !same(w, sv) => out.push((path.to_owned(), short(w), short(sv))),
        _ => {}
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(120).collect::<String>())
    } else {
        s
    }
}

/// Converts the stored resource back to a Pulsar config with `fm_convert::reverse` and compares it with the
/// normalised input config (`fm_convert::normalize`). Returns (path, expected, got) differences.
pub fn round_trip(
    file: &Path,
    kind: ComponentKind,
    stored: &Value,
    ctx: &ConversionContext,
) -> Result<Vec<(String, String, String)>, String> {
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("read {}: {e}", file.display()))?;
    round_trip_str(&text, file, kind, stored, ctx)
}

/// [`round_trip`] for a config given as text; `file` names it in errors.
pub fn round_trip_str(
    text: &str,
    file: &Path,
    kind: ComponentKind,
    stored: &Value,
    ctx: &ConversionContext,
) -> Result<Vec<(String, String, String)>, String> {
    let p = |e: fm_convert::parse::ParseError| format!("{}: {e}", file.display());
    let s = |e: serde_json::Error| format!("stored resource: {e}");
    let worker = ctx.worker();
    let config = AnyConfig::parse(kind, text).map_err(p)?;
    let stored = AnyResource::parse(kind, &stored.to_string())
        .map_err(|e| format!("stored resource: {e}"))?;
    let back = worker
        .reverse_any(&stored)
        .map_err(|e| format!("reverse conversion: {e}"))?;
    let want =
        match &config {
            AnyConfig::Function(c) => serde_json::to_value(
                fm_convert::normalize::normalize_function(c, &worker, &ctx.request()),
            ),
            AnyConfig::Sink(c) => serde_json::to_value(fm_convert::normalize::normalize_sink(
                c,
                &worker,
                &ctx.request(),
            )),
            AnyConfig::Source(c) => serde_json::to_value(fm_convert::normalize::normalize_source(
                c,
                &worker,
                &ctx.request(),
            )),
        };
    let got = back.to_value();
    let (want, got) = (want.map_err(s)?, got.map_err(s)?);
    let mut diffs = lost_fields(&want, &got, "config");
    // and nothing extra came back
    diffs.extend(
        lost_fields(&got, &want, "config")
            .into_iter()
            .filter(|(_, _, w)| w == "absent (pruned)")
            .map(|(p, g, _)| (p, "absent".to_owned(), g)),
    );
    Ok(diffs)
}

/// Pulsar's status JSON (`pulsar-admin functions status`) of a resource of `kind`, by fmesh's status conversion
/// (`fm_convert::status`) from the operator's StatefulSet and the pods listed for it (no instance reports).
pub fn status_json(
    kind: ComponentKind,
    cluster: &str,
    image: Option<&str>,
    sts: &k8s_openapi::api::apps::v1::StatefulSet,
    pods: &[k8s_openapi::api::core::v1::Pod],
) -> Result<Value, String> {
    use fm_convert::status::{function_status, sink_status, source_status};
    let none = std::collections::BTreeMap::new();
    match kind {
        ComponentKind::Function => {
            serde_json::to_value(function_status(cluster, image, Some(sts), pods, &none))
        }
        ComponentKind::Sink => {
            serde_json::to_value(sink_status(cluster, image, Some(sts), pods, &none))
        }
        ComponentKind::Source => {
            serde_json::to_value(source_status(cluster, image, Some(sts), pods, &none))
        }
    }
    .map_err(|e| format!("status JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lost_fields_reports_pruned_and_changed_leaves_but_allows_defaults() {
        let w = json!({"a": 1, "b": {"c": "x", "d": [1, 2]}, "e": {}});
        let s = json!({"a": 1.0, "b": {"c": "y", "d": [1, 2]}, "z": true});
        assert_eq!(
            lost_fields(&w, &s, "spec"),
            vec![(
                "spec.b.c".to_owned(),
                "\"x\"".to_owned(),
                "\"y\"".to_owned()
            )]
        );
        let s2 = json!({"a": 1});
        assert_eq!(
            lost_fields(&json!({"a": 1, "q": 2}), &s2, "spec")[0].2,
            "absent (pruned)"
        );
    }
}
