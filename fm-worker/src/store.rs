//! Everything the worker does in the Kubernetes API server. State lives only there.

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{json, Value};

use crate::error::KubeError;
use crate::library;
use crate::Kind;

/// Field manager of every server-side apply the worker makes.
pub const FIELD_MANAGER: &str = "fmesh-worker";
/// Field manager of start / stop / restart patches.
pub const LIFECYCLE_MANAGER: &str = "fmesh-worker-lifecycle";
/// Label on the Secrets the worker creates: which kind of component owns them.
pub const OWNER_KIND_LABEL: &str = "fmesh.io/owner-kind";
/// Label on the Secrets the worker creates: the owning resource's name.
pub const OWNER_NAME_LABEL: &str = "fmesh.io/owner-name";
/// Resource annotation holding the parallelism of a stopped component.
pub const STOPPED_ANNOTATION: &str = "fmesh.io/stopped-parallelism";
/// Resource annotation naming the package the worker stored from a `data` upload (delete removes
/// it).
pub const UPLOADED_ANNOTATION: &str = "fmesh.io/uploaded-package";
/// Pod annotation whose change rolls the pods (restart).
pub const RESTARTED_AT_ANNOTATION: &str = "fmesh.io/restarted-at";

/// The worker's view of one namespace of the API server.
#[derive(Clone)]
pub struct Store {
    client: kube::Client,
    namespace: String,
    metrics: Option<crate::metrics::Metrics>,
}

impl Store {
    /// A store on `namespace`.
    pub fn new(client: kube::Client, namespace: impl Into<String>) -> Self {
        Store {
            client,
            namespace: namespace.into(),
            metrics: None,
        }
    }

    /// Counts failed calls in `metrics`.
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// The worker's error for a failed call, counted.
    fn failed(&self, operation: &str, e: kube::Error) -> KubeError {
        let e = KubeError::from(e);
        if let Some(m) = &self.metrics {
            m.kube_error(operation, &e);
        }
        e
    }

    fn api(&self, kind: Kind) -> Api<DynamicObject> {
        Api::namespaced_with(
            self.client.clone(),
            &self.namespace,
            &library::api_resource(kind),
        )
    }

    /// Checks that the Function Mesh CRDs are served: lists each kind (limit 1). Returns the CRD
    /// names that are missing.
    pub async fn missing_crds(&self) -> Result<Vec<String>, KubeError> {
        let mut missing = Vec::new();
        for kind in Kind::ALL {
            match self.api(kind).list(&ListParams::default().limit(1)).await {
                Ok(_) => {}
                Err(e) => match KubeError::from(e) {
                    KubeError::NotFound => missing.push(library::crd_name(kind)),
                    other => return Err(other),
                },
            }
        }
        Ok(missing)
    }

    /// The resource as JSON, or `None`.
    pub async fn get(&self, kind: Kind, name: &str) -> Result<Option<Value>, KubeError> {
        match self.api(kind).get_opt(name).await {
            Ok(Some(o)) => Ok(Some(to_value(&o)?)),
            Ok(None) => Ok(None),
            Err(e) => Err(self.failed("get", e)),
        }
    }

    /// Resources matching a label selector.
    pub async fn list(&self, kind: Kind, selector: &str) -> Result<Vec<Value>, KubeError> {
        let list = self
            .api(kind)
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| self.failed("list", e))?;
        list.items.iter().map(to_value).collect()
    }

    /// Server-side apply of a whole resource (force: the worker owns what it writes). With
    /// `resource_version`, the API server refuses (409) when the object changed since.
    pub async fn apply(
        &self,
        kind: Kind,
        name: &str,
        mut resource: Value,
        resource_version: Option<&str>,
    ) -> Result<Value, KubeError> {
        if let (Some(rv), Some(meta)) = (
            resource_version,
            resource.get_mut("metadata").and_then(Value::as_object_mut),
        ) {
            meta.insert("resourceVersion".into(), Value::String(rv.to_owned()));
        }
        let o = self
            .api(kind)
            .patch(
                name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(&resource),
            )
            .await
            .map_err(|e| self.failed("apply", e))?;
        to_value(&o)
    }

    /// Creates the resource: refused with [`KubeError::Conflict`] when the name is taken, so of
    /// two concurrent creates exactly one lands. The fields it writes are then handed to the
    /// worker's server-side-apply manager (as if applied), so a later update can also remove them.
    pub async fn create(&self, kind: Kind, resource: Value) -> Result<Value, KubeError> {
        let object: DynamicObject = serde_json::from_value(resource)
            .map_err(|e| KubeError::Other(format!("the resource is not an object: {e}")))?;
        let params = PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PostParams::default()
        };
        let created = self
            .api(kind)
            .create(&params, &object)
            .await
            .map_err(|e| self.failed("create", e))?;
        let name = created.metadata.name.clone().unwrap_or_default();
        let mut current = to_value(&created)?;
        // The operator may write in between (status): retry on a newer resource version.
        for _ in 0..3 {
            let Some(patch) = as_applied(&current) else {
                break;
            };
            match self
                .api(kind)
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(o) => return to_value(&o),
                Err(e) => match self.failed("create", e) {
                    KubeError::Conflict(_) => match self.get(kind, &name).await? {
                        Some(fresh) => current = fresh,
                        None => break,
                    },
                    other => return Err(other),
                },
            }
        }
        Ok(current)
    }

    /// A JSON merge patch (start / stop / restart), refused (409) when the object changed since
    /// `resource_version`.
    pub async fn merge_patch(
        &self,
        kind: Kind,
        name: &str,
        mut patch: Value,
        resource_version: &str,
    ) -> Result<(), KubeError> {
        if let Some(o) = patch.as_object_mut() {
            let meta = o.entry("metadata").or_insert_with(|| json!({}));
            if let Some(m) = meta.as_object_mut() {
                m.insert(
                    "resourceVersion".into(),
                    Value::String(resource_version.into()),
                );
            }
        }
        let params = PatchParams {
            field_manager: Some(LIFECYCLE_MANAGER.into()),
            ..PatchParams::default()
        };
        self.api(kind)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| self.failed("patch", e))?;
        Ok(())
    }

    /// Deletes a resource; `Ok(false)` when it did not exist.
    pub async fn delete(&self, kind: Kind, name: &str) -> Result<bool, KubeError> {
        match self.api(kind).delete(name, &DeleteParams::default()).await {
            Ok(_) => Ok(true),
            Err(e) => match self.failed("delete", e) {
                KubeError::NotFound => Ok(false),
                other => Err(other),
            },
        }
    }

    fn secrets(&self) -> Api<Secret> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// Every Secret of the namespace (per-user OAuth2 looks for the caller's key Secret).
    pub async fn all_secrets(&self) -> Result<Vec<Secret>, KubeError> {
        Ok(self
            .secrets()
            .list(&ListParams::default())
            .await
            .map_err(|e| self.failed("list secrets", e))?
            .items)
    }

    /// Names of the Secrets the worker made for a resource.
    pub async fn owned_secrets(&self, kind: Kind, owner: &str) -> Result<Vec<String>, KubeError> {
        let selector = format!(
            "{OWNER_KIND_LABEL}={},{OWNER_NAME_LABEL}={owner}",
            kind.lower()
        );
        let list = self
            .secrets()
            .list_metadata(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| self.failed("list secrets", e))?;
        Ok(list
            .items
            .into_iter()
            .filter_map(|s| s.metadata.name)
            .collect())
    }

    /// Server-side apply of a Secret, labelled with its owner and, when the owner's uid is known,
    /// with an owner reference (the garbage collector then deletes it with the resource).
    ///
    /// Errors name the Secret but never carry the API server's message (it could echo data).
    pub async fn apply_secret(
        &self,
        kind: Kind,
        owner: &str,
        owner_uid: Option<&str>,
        secret: &Secret,
    ) -> Result<(), KubeError> {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let mut s = secret.clone();
        s.metadata.namespace = Some(self.namespace.clone());
        let labels = s.metadata.labels.get_or_insert_with(Default::default);
        labels.insert(OWNER_KIND_LABEL.into(), kind.lower().into());
        labels.insert(OWNER_NAME_LABEL.into(), owner.into());
        if let Some(uid) = owner_uid {
            let ar = library::api_resource(kind);
            s.metadata.owner_references = Some(vec![
                k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                    api_version: ar.api_version.clone(),
                    kind: ar.kind.clone(),
                    name: owner.into(),
                    uid: uid.into(),
                    block_owner_deletion: None,
                    controller: None,
                },
            ]);
        }
        let mut v = serde_json::to_value(&s)
            .map_err(|_| KubeError::Other(format!("Secret {name} cannot be written")))?;
        if let Some(o) = v.as_object_mut() {
            o.insert("apiVersion".into(), json!("v1"));
            o.insert("kind".into(), json!("Secret"));
        }
        self.secrets()
            .patch(
                &name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(&v),
            )
            .await
            .map(|_| ())
            .map_err(|e| match self.failed("apply secret", e) {
                KubeError::Forbidden(_) => KubeError::Forbidden(format!("applying Secret {name}")),
                KubeError::Conflict(_) => KubeError::Conflict(format!("Secret {name}")),
                KubeError::NotFound => KubeError::Other(format!("Secret {name}: not found")),
                _ => KubeError::Other(format!("applying Secret {name} failed")),
            })
    }

    /// Deletes one Secret (a missing one is fine).
    pub async fn delete_secret(&self, name: &str) -> Result<(), KubeError> {
        match self.secrets().delete(name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(e) => match self.failed("delete secret", e) {
                KubeError::NotFound => Ok(()),
                KubeError::Forbidden(_) => {
                    Err(KubeError::Forbidden(format!("deleting Secret {name}")))
                }
                _ => Err(KubeError::Other(format!("deleting Secret {name} failed"))),
            },
        }
    }

    /// The StatefulSet the operator made for a resource, if any.
    pub async fn statefulset(&self, name: &str) -> Result<Option<StatefulSet>, KubeError> {
        let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), &self.namespace);
        api.get_opt(name)
            .await
            .map_err(|e| self.failed("get statefulset", e))
    }

    /// Pods matching a label selector.
    pub async fn pods(&self, selector: &str) -> Result<Vec<Pod>, KubeError> {
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.namespace);
        Ok(api
            .list(&ListParams::default().labels(selector))
            .await
            .map_err(|e| self.failed("list pods", e))?
            .items)
    }
}

fn to_value(o: &DynamicObject) -> Result<Value, KubeError> {
    serde_json::to_value(o).map_err(|e| KubeError::Other(format!("unreadable object: {e}")))
}

/// The merge patch that turns the worker's create-time field ownership (`Update`) into
/// server-side-apply ownership (`Apply`), pinned to the resource version read; `None` when there
/// is nothing to turn.
fn as_applied(object: &Value) -> Option<Value> {
    let rv = object.pointer("/metadata/resourceVersion")?.as_str()?;
    let mut entries = object
        .pointer("/metadata/managedFields")?
        .as_array()?
        .clone();
    let mut changed = false;
    for e in &mut entries {
        let mine = e.get("manager").and_then(Value::as_str) == Some(FIELD_MANAGER)
            && e.get("operation").and_then(Value::as_str) == Some("Update")
            && e.get("subresource")
                .is_none_or(|s| s.as_str().unwrap_or_default().is_empty());
        if let (true, Some(o)) = (mine, e.as_object_mut()) {
            o.insert("operation".into(), Value::String("Apply".into()));
            changed = true;
        }
    }
    changed.then(|| json!({"metadata": {"resourceVersion": rv, "managedFields": entries}}))
}
