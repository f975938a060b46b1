//! Everything the worker does in the Kubernetes API server. State lives only there.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Pod, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
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

/// How many objects one list call asks the API server for (`limit`); the rest comes page by page
/// with the `continue` token.
pub const LIST_PAGE_SIZE: u32 = 500;
/// How many times a paged list starts again from the first page when its continue token expired
/// (410 Gone) before the list fails with [`KubeError::Expired`].
pub const LIST_RESTARTS: usize = 2;

/// The worker's view of one namespace of the API server.
#[derive(Clone)]
pub struct Store {
    client: kube::Client,
    namespace: String,
    metrics: Option<crate::metrics::Metrics>,
    page_size: Arc<AtomicU32>,
    mirror: Arc<crate::mirror::Mirror>,
}

/// One page of a metadata list: the objects' metadata and the token of the next page.
#[derive(Debug, Default)]
pub struct MetadataPage {
    /// The metadata (name, labels, annotations, …) of the page's objects.
    pub items: Vec<ObjectMeta>,
    /// The `continue` token of the next page; `None` on the last page.
    pub next: Option<String>,
}

impl Store {
    /// A store on `namespace`.
    pub fn new(client: kube::Client, namespace: impl Into<String>) -> Self {
        Store {
            client,
            namespace: namespace.into(),
            metrics: None,
            page_size: Arc::new(AtomicU32::new(LIST_PAGE_SIZE)),
            mirror: Arc::new(crate::mirror::Mirror::new()),
        }
    }

    /// Sets how many objects one list call asks for (default [`LIST_PAGE_SIZE`]; 0 is taken as 1).
    /// Clones of this store share the setting.
    pub fn set_list_page_size(&self, n: u32) {
        self.page_size.store(n.max(1), Ordering::Relaxed);
    }

    /// How many objects one list call asks for.
    pub fn list_page_size(&self) -> u32 {
        self.page_size.load(Ordering::Relaxed)
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

    /// The mirror of this store's resources (filled only while [`crate::mirror::Mirror::run`]
    /// runs); the store tells it the resource version of each of its writes.
    pub fn mirror(&self) -> &Arc<crate::mirror::Mirror> {
        &self.mirror
    }

    /// Tells the mirror what a write of `kind` left behind: the resource version of the API
    /// server's answer, or that it is unknown.
    fn wrote(&self, kind: Kind, outcome: Result<Option<&str>, &KubeError>) {
        match outcome {
            Ok(version) => self.mirror.wrote(kind, version),
            // Refused: nothing changed.
            Err(
                KubeError::NotFound
                | KubeError::Conflict(_)
                | KubeError::Rejected(_)
                | KubeError::Forbidden(_),
            ) => {}
            Err(_) => self.mirror.wrote(kind, None),
        }
    }

    pub(crate) fn api(&self, kind: Kind) -> Api<DynamicObject> {
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

    /// One page of the metadata (no specs) of the resources matching a label selector: at most
    /// [`Store::list_page_size`] objects, from `token` (`None`: the first page).
    pub async fn list_metadata_page(
        &self,
        kind: Kind,
        selector: &str,
        token: Option<&str>,
    ) -> Result<MetadataPage, KubeError> {
        let mut params = ListParams::default()
            .labels(selector)
            .limit(self.list_page_size());
        if let Some(t) = token {
            params = params.continue_token(t);
        }
        let list = self
            .api(kind)
            .list_metadata(&params)
            .await
            .map_err(|e| self.failed("list", e))?;
        Ok(MetadataPage {
            items: list.items.into_iter().map(|o| o.metadata).collect(),
            next: list.metadata.continue_.filter(|t| !t.is_empty()),
        })
    }

    /// What `pick` takes from the metadata of every resource matching a label selector, read page
    /// by page ([`Store::list_page_size`] objects at a time): only the picked values are kept,
    /// never the objects.
    pub async fn list_metadata<T>(
        &self,
        kind: Kind,
        selector: &str,
        pick: impl FnMut(ObjectMeta) -> Option<T>,
    ) -> Result<Vec<T>, KubeError> {
        collect_pages(
            |token| async move {
                self.list_metadata_page(kind, selector, token.as_deref())
                    .await
            },
            pick,
        )
        .await
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
            .map_err(|e| self.failed("apply", e));
        self.wrote(kind, version_of(&o));
        to_value(&o?)
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
            .map_err(|e| self.failed("create", e));
        match &created {
            // The client retries a create the API server answered 5xx/429; a 409 then may be
            // the first try's own object: its outcome is unknown.
            Err(KubeError::Conflict(_)) => self.mirror.wrote(kind, None),
            other => self.wrote(kind, version_of(other)),
        }
        let created = created?;
        let name = created.metadata.name.clone().unwrap_or_default();
        let mut current = to_value(&created)?;
        // The operator may write in between (status): retry on a newer resource version.
        for _ in 0..3 {
            let Some(patch) = as_applied(&current) else {
                break;
            };
            let patched = self
                .api(kind)
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .map_err(|e| self.failed("create", e));
            self.wrote(kind, version_of(&patched));
            match patched {
                Ok(o) => return to_value(&o),
                Err(e) => match e {
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
        let patched = self
            .api(kind)
            .patch(name, &params, &Patch::Merge(&patch))
            .await
            .map_err(|e| self.failed("patch", e));
        self.wrote(kind, version_of(&patched));
        patched.map(|_| ())
    }

    /// Deletes a resource; `Ok(false)` when it did not exist.
    pub async fn delete(&self, kind: Kind, name: &str) -> Result<bool, KubeError> {
        let deleted = self
            .api(kind)
            .delete(name, &DeleteParams::default())
            .await
            .map_err(|e| self.failed("delete", e));
        // The deleted object carries the deletion's resource version (the API server answers
        // with it while finalizers hold the object); a bare status does not, so the mirror waits
        // for the object to go.
        match &deleted {
            Ok(d) if d.is_right() => self.mirror.deleted(kind, name),
            other => self.wrote(
                kind,
                other.as_ref().map(|d| {
                    d.as_ref()
                        .left()
                        .and_then(|o| o.metadata.resource_version.as_deref())
                }),
            ),
        }
        match deleted {
            Ok(_) => Ok(true),
            Err(KubeError::NotFound) => Ok(false),
            Err(other) => Err(other),
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

/// Walks a paged list: `fetch(None)` gives the first page, `fetch(Some(token))` the next ones;
/// `pick` keeps what it wants of each object's metadata. When a continue token has expired (the
/// API server answers 410 Gone once etcd compacted the list's revision), the walk drops what it
/// gathered and starts again from the first page, at most [`LIST_RESTARTS`] times; then it fails
/// with [`KubeError::Expired`].
pub async fn collect_pages<T, F, Fut>(
    mut fetch: F,
    mut pick: impl FnMut(ObjectMeta) -> Option<T>,
) -> Result<Vec<T>, KubeError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<MetadataPage, KubeError>>,
{
    let mut restarts = 0;
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = match fetch(token.take()).await {
            Ok(p) => p,
            Err(KubeError::Expired(_)) if restarts < LIST_RESTARTS => {
                restarts += 1;
                out.clear();
                continue;
            }
            Err(e) => return Err(e),
        };
        out.extend(page.items.into_iter().filter_map(&mut pick));
        match page.next {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
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

/// The resource version of a write's answer, for [`Store::wrote`].
fn version_of(r: &Result<DynamicObject, KubeError>) -> Result<Option<&str>, &KubeError> {
    r.as_ref().map(|o| o.metadata.resource_version.as_deref())
}
