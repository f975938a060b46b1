//! The worker's own Kubernetes identity in the conformance run: the RBAC manifests of
//! `deploy/rbac.yaml` (ServiceAccount, Role/ClusterRole, bindings) are applied to the harness's
//! API server (which authorizes with RBAC), moved into the namespace the worker serves, and the
//! worker gets a token of that ServiceAccount (TokenRequest API) in a kubeconfig of its own. A
//! permission missing from `deploy/` therefore fails the worker scenarios with a 403.

use std::path::{Path, PathBuf};

use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::api::{Api, ApiResource, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use kube::Client;
use serde_json::{json, Value};

use crate::report::{Failure, Outcome};
use crate::scenarios::base::{use_crds, Ctx, Require, ScenarioResult};

/// Field manager of the harness's applies of `deploy/rbac.yaml`.
const MANAGER: &str = "fmesh-conformance";
/// Lifetime asked for the worker's token.
const TOKEN_SECONDS: i64 = 3600;

/// `deploy/rbac.yaml` in the workspace.
pub fn rbac_manifest() -> PathBuf {
    crate::prepared::workspace_root()
        .join("deploy")
        .join("rbac.yaml")
}

/// The kinds `deploy/rbac.yaml` may hold: (kind, plural, namespaced).
const KINDS: [(&str, &str, bool); 5] = [
    ("ServiceAccount", "serviceaccounts", true),
    ("Role", "roles", true),
    ("RoleBinding", "rolebindings", true),
    ("ClusterRole", "clusterroles", false),
    ("ClusterRoleBinding", "clusterrolebindings", false),
];

/// The RBAC documents of `text` (multi-document YAML), moved to `namespace`: every namespaced
/// object and every ServiceAccount subject. Anything but the RBAC kinds is refused.
pub fn rbac_documents(text: &str, namespace: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(text) {
        let v: Value = serde::Deserialize::deserialize(doc).map_err(|e| e.to_string())?;
        if v.is_null() {
            continue;
        }
        let kind = v["kind"].as_str().unwrap_or_default().to_owned();
        let Some((_, _, namespaced)) = KINDS.iter().find(|(k, _, _)| *k == kind) else {
            return Err(format!("kind `{kind}` is not an RBAC object"));
        };
        let mut v = v;
        if *namespaced {
            v["metadata"]["namespace"] = json!(namespace);
        }
        if let Some(subjects) = v.get_mut("subjects").and_then(Value::as_array_mut) {
            for s in subjects {
                if s["kind"] == "ServiceAccount" {
                    s["namespace"] = json!(namespace);
                }
            }
        }
        out.push(v);
    }
    Ok(out)
}

fn api_for(client: &Client, doc: &Value) -> Result<Api<DynamicObject>, String> {
    let kind = doc["kind"].as_str().unwrap_or_default();
    let (group, version) = match doc["apiVersion"].as_str().unwrap_or_default() {
        v if v.contains('/') => v.split_once('/').unwrap_or_default(),
        v => ("", v),
    };
    let (_, plural, namespaced) = KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .ok_or_else(|| format!("kind `{kind}` is not an RBAC object"))?;
    let ar =
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    Ok(if *namespaced {
        let ns = doc["metadata"]["namespace"].as_str().unwrap_or_default();
        Api::namespaced_with(client.clone(), ns, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    })
}

/// Applies `deploy/rbac.yaml` (moved to `namespace`) with the admin client; returns the name of
/// its ServiceAccount.
pub async fn apply_rbac(admin: &Client, namespace: &str) -> Result<String, String> {
    let path = rbac_manifest();
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
    let docs = rbac_documents(&text, namespace).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut account = None;
    for doc in &docs {
        let name = doc["metadata"]["name"].as_str().unwrap_or_default();
        if doc["kind"] == "ServiceAccount" {
            account = Some(name.to_owned());
        }
        api_for(admin, doc)?
            .patch(
                name,
                &PatchParams::apply(MANAGER).force(),
                &Patch::Apply(doc),
            )
            .await
            .map_err(|e| format!("apply {} {name}: {e}", doc["kind"]))?;
    }
    account.ok_or_else(|| format!("{} has no ServiceAccount", path.display()))
}

/// A kubeconfig for the API server of `admin_kubeconfig` (its cluster entry: server and CA)
/// that authenticates with `token` only.
pub fn token_kubeconfig(admin_kubeconfig: &str, token: &str) -> Result<String, String> {
    let admin: Value = serde_yaml_ng::from_str(admin_kubeconfig).map_err(|e| e.to_string())?;
    let current = admin["current-context"].as_str().unwrap_or_default();
    let contexts = admin["contexts"].as_array().cloned().unwrap_or_default();
    let context = contexts
        .iter()
        .find(|c| c["name"] == current)
        .or_else(|| contexts.first())
        .ok_or("the admin kubeconfig has no context")?;
    let cluster_name = context["context"]["cluster"].clone();
    let cluster = admin["clusters"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == cluster_name))
        .ok_or("the admin kubeconfig has no cluster for its context")?;
    let kc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster],
        "users": [{"name": "fmesh-worker", "user": {"token": token}}],
        "contexts": [{"name": "fmesh-worker",
                      "context": {"cluster": cluster_name, "user": "fmesh-worker"}}],
        "current-context": "fmesh-worker",
    });
    serde_yaml_ng::to_string(&kc).map_err(|e| e.to_string())
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("write {}: {e}", path.display()))
}

/// The worker's identity: `deploy/rbac.yaml` applied in `namespace`, a token of its
/// ServiceAccount from the TokenRequest API, and a client (and a kubeconfig file,
/// `<log_dir>/fmesh-worker-<namespace>.kubeconfig`) that uses only that token.
pub async fn worker_client(ctx: &Ctx<'_>, namespace: &str) -> Result<(Client, PathBuf), String> {
    let admin = ctx.backend.client();
    let account = apply_rbac(&admin, namespace).await?;
    let request = TokenRequest {
        spec: TokenRequestSpec {
            expiration_seconds: Some(TOKEN_SECONDS),
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    let token = Api::<ServiceAccount>::namespaced(admin, namespace)
        .create_token_request(&account, &PostParams::default(), &request)
        .await
        .map_err(|e| format!("TokenRequest for ServiceAccount {namespace}/{account}: {e}"))?
        .status
        .map(|s| s.token)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("TokenRequest for {namespace}/{account} gave no token"))?;
    let admin_kc = ctx
        .backend
        .admin_kubeconfig()
        .ok_or("the backend wrote no admin kubeconfig (server and CA for the worker)")?;
    let text = std::fs::read_to_string(&admin_kc)
        .map_err(|e| format!("read {}: {e}", admin_kc.display()))?;
    let yaml = token_kubeconfig(&text, &token)?;
    let path = ctx
        .backend
        .log_dir()
        .join(format!("fmesh-worker-{namespace}.kubeconfig"));
    write_private(&path, &yaml)?;
    let kc = kube::config::Kubeconfig::from_yaml(&yaml).map_err(|e| e.to_string())?;
    let config =
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .map_err(|e| e.to_string())?;
    let client = Client::try_from(config).map_err(|e| e.to_string())?;
    Ok((client, path))
}

fn forbidden<T>(r: Result<T, kube::Error>) -> Result<bool, String> {
    match r {
        Ok(_) => Ok(false),
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(true),
        Err(e) => Err(e.to_string()),
    }
}

/// Scenario: the worker's client is the ServiceAccount of `deploy/rbac.yaml` (the API server
/// says who it is), it may use the Function Mesh resources of its namespace, and it is refused
/// elsewhere (Secrets and Functions of another namespace): least privilege, enforced by RBAC.
pub async fn runs_as_service_account(ctx: &Ctx<'_>, namespace: &str) -> ScenarioResult {
    let mut o = Outcome::default();
    use_crds(ctx, &mut o)?;
    crate::kubeutil::ensure_namespace(&ctx.backend.client(), namespace)
        .await
        .require(&format!("namespace {namespace}"))?;
    let (client, path) = worker_client(ctx, namespace)
        .await
        .require("worker identity")?;
    let who = Api::<SelfSubjectReview>::all(client.clone())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await;
    let user = who
        .ok()
        .and_then(|r| r.status?.user_info?.username)
        .unwrap_or_default();
    let want = format!("system:serviceaccount:{namespace}:fmesh-worker");
    if user != want {
        o.fail(Failure::new(path.display().to_string(), "user", want, user));
    }
    let ar = fm_worker::library::api_resource(fm_worker::Kind::Function);
    let own: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &ar);
    if let Err(e) = own.list(&ListParams::default().limit(1)).await {
        o.fail(Failure::new(
            format!("Functions in {namespace}"),
            "list",
            "allowed",
            e.to_string(),
        ));
    }
    // The worker's mirror watches them (get and list are answered from it).
    if let Err(e) = own
        .watch(&kube::api::WatchParams::default().timeout(1), "0")
        .await
    {
        o.fail(Failure::new(
            format!("Functions in {namespace}"),
            "watch",
            "allowed",
            e.to_string(),
        ));
    }
    let other: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &ar);
    let secrets: Api<Secret> = Api::namespaced(client, "default");
    for (what, denied) in [
        (
            "Functions in default",
            forbidden(other.list(&ListParams::default().limit(1)).await),
        ),
        (
            "Secrets in default",
            forbidden(secrets.list(&ListParams::default().limit(1)).await),
        ),
    ] {
        match denied {
            Ok(true) => {}
            Ok(false) => o.fail(Failure::new(what, "list", "403 Forbidden", "allowed")),
            Err(e) => o.fail(Failure::new(what, "list", "403 Forbidden", e)),
        }
    }
    o.note(format!(
        "worker kubeconfig (token only): {}",
        path.display()
    ));
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_rbac_is_only_rbac_objects_moved_to_the_namespace() {
        let text = std::fs::read_to_string(rbac_manifest()).unwrap();
        let docs = rbac_documents(&text, "elsewhere").unwrap();
        assert!(docs.iter().any(|d| d["kind"] == "ServiceAccount"));
        for d in &docs {
            if d["kind"] != "ClusterRole" && d["kind"] != "ClusterRoleBinding" {
                assert_eq!(d["metadata"]["namespace"], "elsewhere", "{d}");
            }
            for s in d["subjects"].as_array().into_iter().flatten() {
                assert_eq!(s["namespace"], "elsewhere");
            }
        }
    }

    #[test]
    fn other_kinds_are_refused() {
        let e = rbac_documents("kind: Deployment\nmetadata: {name: x}\n", "n").unwrap_err();
        assert!(e.contains("Deployment"), "{e}");
    }

    #[test]
    fn token_kubeconfig_keeps_server_and_ca_and_drops_the_admin_credentials() {
        let admin = "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: k\n  cluster:\n    \
                     server: https://127.0.0.1:1234\n    certificate-authority-data: Q0E=\ncontexts:\n- name: c\n  \
                     context: {cluster: k, user: admin}\nusers:\n- name: admin\n  user:\n    \
                     client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n";
        let kc = token_kubeconfig(admin, "tok-123").unwrap();
        assert!(
            kc.contains("https://127.0.0.1:1234") && kc.contains("Q0E="),
            "{kc}"
        );
        assert!(kc.contains("tok-123"));
        assert!(!kc.contains("a2V5") && !kc.contains("Y2VydA=="), "{kc}");
        assert!(token_kubeconfig("contexts: []\n", "t").is_err());
    }
}
