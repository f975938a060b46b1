//! Small `kube::Api` helpers shared by backends and scenarios.

use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::Client;

use crate::error::{HarnessError, Result};

/// Field manager used for every server-side apply of the harness.
pub const FIELD_MANAGER: &str = "fmesh-conformance";

/// Reads every CRD document of every `*.yaml` file in `dir`, sorted by file name.
pub fn load_crds(dir: &Path) -> Result<Vec<CustomResourceDefinition>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| HarnessError::io(format!("read {}", dir.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        out.extend(load_yaml_docs::<CustomResourceDefinition>(&f)?);
    }
    Ok(out)
}

/// A CRD document as the API server of this harness takes it: `apiextensions.k8s.io/v1beta1` documents
/// (Function Mesh v0.1.0–v0.1.10) are rewritten to `v1` (served since Kubernetes 1.16, the only version
/// since 1.22): the top-level `version`/`validation`/`subresources`/`additionalPrinterColumns` move into each
/// entry of `versions`, printer columns spell `jsonPath`, and `preserveUnknownFields` is dropped — so the
/// schema prunes unknown fields, which is stricter than those releases' own clusters (nothing pruned under it
/// means nothing pruned there either). Other documents are returned unchanged.
pub fn crd_as_v1(mut doc: serde_json::Value) -> serde_json::Value {
    use serde_json::{json, Value};
    if doc["apiVersion"] != "apiextensions.k8s.io/v1beta1" {
        return doc;
    }
    doc["apiVersion"] = json!("apiextensions.k8s.io/v1");
    let Some(spec) = doc.get_mut("spec").and_then(Value::as_object_mut) else {
        return doc;
    };
    let version = spec.remove("version");
    let validation = spec.remove("validation");
    let subresources = spec.remove("subresources");
    let columns = spec.remove("additionalPrinterColumns");
    spec.remove("preserveUnknownFields");
    let mut versions = match spec.remove("versions") {
        Some(Value::Array(v)) if !v.is_empty() => v,
        _ => vec![
            json!({"name": version.clone().unwrap_or(json!("v1alpha1")), "served": true, "storage": true}),
        ],
    };
    for v in &mut versions {
        let Some(v) = v.as_object_mut() else { continue };
        if !v.contains_key("schema") {
            if let Some(val) = &validation {
                v.insert("schema".into(), val.clone());
            }
        }
        if !v.contains_key("subresources") {
            if let Some(sub) = &subresources {
                v.insert("subresources".into(), sub.clone());
            }
        }
        let cols = v
            .remove("additionalPrinterColumns")
            .or_else(|| columns.clone());
        if let Some(Value::Array(cols)) = cols {
            let cols: Vec<Value> = cols
                .into_iter()
                .map(|mut c| {
                    if let Some(m) = c.as_object_mut() {
                        if let Some(p) = m.remove("JSONPath") {
                            m.insert("jsonPath".into(), p);
                        }
                    }
                    c
                })
                .collect();
            v.insert("additionalPrinterColumns".into(), Value::Array(cols));
        }
    }
    spec.insert("versions".into(), Value::Array(versions));
    doc
}

/// Reads all non-empty YAML documents of a file as `T`.
pub fn load_yaml_docs<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| HarnessError::io(format!("read {}", path.display()), e))?;
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(&text) {
        let v: serde_json::Value =
            serde::Deserialize::deserialize(doc).map_err(|e| HarnessError::File {
                path: path.into(),
                message: e.to_string(),
            })?;
        if v.is_null() {
            continue;
        }
        let v = crd_as_v1(v);
        out.push(serde_json::from_value(v).map_err(|e| HarnessError::File {
            path: path.into(),
            message: e.to_string(),
        })?);
    }
    Ok(out)
}

/// Server-side applies CRDs (no last-applied annotation, so the 589 KB FunctionMesh CRD fits) and waits until
/// each is Established.
pub async fn install_crds(client: &Client, crds: &[CustomResourceDefinition]) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    // All at once: the CRDs are independent, and the API server establishes them in parallel.
    let applied = futures::future::join_all(crds.iter().map(|crd| {
        let (api, pp) = (&api, &pp);
        async move {
            let name = crd.metadata.name.clone().unwrap_or_default();
            let mut body = crd.clone();
            body.metadata.managed_fields = None;
            body.metadata.resource_version = None;
            body.status = None;
            api.patch(&name, pp, &Patch::Apply(&body)).await
        }
    }))
    .await;
    for r in applied {
        r?;
    }
    let established = futures::future::join_all(crds.iter().map(|crd| {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let api = api.clone();
        async move {
            wait_for(
                &format!("CRD {name} Established"),
                Duration::from_secs(60),
                || {
                    let api = api.clone();
                    let name = name.clone();
                    async move {
                        let c = api.get(&name).await?;
                        Ok(c.status
                            .and_then(|s| s.conditions)
                            .unwrap_or_default()
                            .iter()
                            .any(|c| c.type_ == "Established" && c.status == "True"))
                    }
                },
            )
            .await
        }
    }))
    .await;
    established.into_iter().collect()
}

/// Deletes CRDs by name and waits until they are gone.
pub async fn delete_crds(client: &Client, names: &[String]) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    for n in names {
        match api.delete(n, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
    }
    let gone = futures::future::join_all(names.iter().map(|n| {
        let api = api.clone();
        async move {
            wait_for(
                &format!("CRD {n} deleted"),
                Duration::from_secs(120),
                || {
                    let api = api.clone();
                    let n = n.clone();
                    async move { Ok(api.get_opt(&n).await?.is_none()) }
                },
            )
            .await
        }
    }))
    .await;
    gone.into_iter().collect()
}

/// Creates a namespace if it does not exist.
pub async fn ensure_namespace(client: &Client, name: &str) -> Result<()> {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &ns).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 409 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Polls `check` every 100 ms until it yields `true`, an error that is not transient, or `timeout`.
pub async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last_err = None;
    loop {
        match check().await {
            Ok(true) => return Ok(()),
            Ok(false) => {}
            Err(e) => last_err = Some(e.to_string()),
        }
        if tokio::time::Instant::now() >= deadline {
            let what = match last_err {
                Some(e) => format!("{what} (last error: {e})"),
                None => what.to_owned(),
            };
            return Err(HarnessError::Timeout {
                what,
                seconds: timeout.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1beta1_crd_becomes_v1_with_the_schema_in_each_version() {
        let doc = json!({
            "apiVersion": "apiextensions.k8s.io/v1beta1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "functions.compute.functionmesh.io"},
            "spec": {
                "group": "compute.functionmesh.io",
                "names": {"kind": "Function", "plural": "functions"},
                "scope": "Namespaced",
                "version": "v1alpha1",
                "versions": [{"name": "v1alpha1", "served": true, "storage": true}],
                "validation": {"openAPIV3Schema": {"type": "object"}},
                "subresources": {"status": {}},
                "additionalPrinterColumns": [{"name": "Age", "type": "date", "JSONPath": ".metadata.creationTimestamp"}],
                "preserveUnknownFields": true
            }
        });
        let v1 = crd_as_v1(doc);
        assert_eq!(v1["apiVersion"], "apiextensions.k8s.io/v1");
        let spec = &v1["spec"];
        for gone in [
            "version",
            "validation",
            "subresources",
            "additionalPrinterColumns",
            "preserveUnknownFields",
        ] {
            assert!(spec.get(gone).is_none(), "{gone} left at the top");
        }
        let ver = &spec["versions"][0];
        assert_eq!(ver["schema"]["openAPIV3Schema"]["type"], "object");
        assert_eq!(ver["subresources"], json!({"status": {}}));
        assert_eq!(
            ver["additionalPrinterColumns"][0]["jsonPath"],
            ".metadata.creationTimestamp"
        );
        let crd: CustomResourceDefinition = serde_json::from_value(v1).unwrap();
        assert_eq!(crd.spec.versions.len(), 1);
    }

    #[test]
    fn v1_crd_is_unchanged() {
        let doc = json!({"apiVersion": "apiextensions.k8s.io/v1", "spec": {"version": "x"}});
        assert_eq!(crd_as_v1(doc.clone()), doc);
    }
}
