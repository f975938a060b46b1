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
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        let mut body = crd.clone();
        body.metadata.managed_fields = None;
        body.metadata.resource_version = None;
        body.status = None;
        api.patch(&name, &pp, &Patch::Apply(&body)).await?;
    }
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
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
        .await?;
    }
    Ok(())
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
    for n in names {
        wait_for(
            &format!("CRD {n} deleted"),
            Duration::from_secs(120),
            || {
                let api = api.clone();
                let n = n.clone();
                async move { Ok(api.get_opt(&n).await?.is_none()) }
            },
        )
        .await?;
    }
    Ok(())
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

/// Polls `check` every 250 ms until it yields `true`, an error that is not transient, or `timeout`.
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
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
