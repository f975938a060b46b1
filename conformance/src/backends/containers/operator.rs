//! Installing the Function Mesh operator in k3s and waiting for it: fails at once when its pod cannot pull its
//! image or crash-loops (naming the amd64-only image on arm64 nodes), and keeps the pod logs and events under the
//! run's logs folder.

use std::path::Path;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use kube::api::{Api, ListParams, LogParams, Patch, PatchParams};
use kube::Client;

use super::docker::is_arm64;
use super::rbac::{
    operator_objects, OPERATOR_IMAGE_REPO, OPERATOR_NAME, OPERATOR_NAMESPACE, OPERATOR_POD_LABEL,
};
use crate::error::{HarnessError, Result};
use crate::kubeutil::FIELD_MANAGER;

/// How long the operator may take to become ready (image pull included).
pub const OPERATOR_READY_TIMEOUT: Duration = Duration::from_secs(600);

/// Container waiting reasons that will not resolve by waiting.
pub const FAIL_FAST_REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

/// Why `pod` will not become ready, when one of its containers waits for a [`FAIL_FAST_REASONS`] reason.
/// `node_arch` is the node's architecture: on arm64 the reason says that the operator image is amd64-only.
pub fn pod_failure(pod: &Pod, node_arch: Option<&str>) -> Option<String> {
    let name = pod.metadata.name.as_deref().unwrap_or("?");
    let status = pod.status.as_ref()?;
    let statuses = status
        .init_container_statuses
        .iter()
        .flatten()
        .chain(status.container_statuses.iter().flatten());
    for cs in statuses {
        let Some(waiting) = cs.state.as_ref().and_then(|s| s.waiting.as_ref()) else {
            continue;
        };
        let reason = waiting.reason.as_deref().unwrap_or_default();
        if !FAIL_FAST_REASONS.contains(&reason) {
            continue;
        }
        let mut msg = format!(
            "operator pod {name}: container `{}` ({}) is {reason}",
            cs.name, cs.image
        );
        if let Some(m) = waiting.message.as_deref().filter(|m| !m.is_empty()) {
            msg.push_str(&format!(": {m}"));
        }
        if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
            msg.push_str(&format!(
                " (last exit code {}{})",
                t.exit_code,
                t.reason
                    .as_deref()
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default()
            ));
        }
        if node_arch.is_some_and(is_arm64) && cs.image.contains(OPERATOR_IMAGE_REPO) {
            msg.push_str(&format!(
                "; the node is arm64 and the {OPERATOR_IMAGE_REPO} image is published for linux/amd64 only: \
                 run on an amd64 Docker host"
            ));
        }
        return Some(msg);
    }
    None
}

async fn apply<K>(api: Api<K>, name: &str, obj: &K) -> Result<()>
where
    K: kube::Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    api.patch(name, &pp, &Patch::Apply(obj)).await?;
    Ok(())
}

/// Applies the operator's objects for `version` (the release's ClusterRoles, not cluster-admin) and waits until
/// its Deployment has a ready replica; fails at once on a [`FAIL_FAST_REASONS`] pod.
pub async fn install_operator(client: &Client, version: &str, timeout: Duration) -> Result<()> {
    let o = operator_objects(version)?;
    apply(
        Api::<Namespace>::all(client.clone()),
        OPERATOR_NAMESPACE,
        &o.namespace,
    )
    .await?;
    apply(
        Api::<ServiceAccount>::namespaced(client.clone(), OPERATOR_NAMESPACE),
        OPERATOR_NAME,
        &o.service_account,
    )
    .await?;
    for r in &o.cluster_roles {
        let name = r.metadata.name.clone().unwrap_or_default();
        apply(Api::<ClusterRole>::all(client.clone()), &name, r).await?;
    }
    for b in &o.bindings {
        let name = b.metadata.name.clone().unwrap_or_default();
        apply(Api::<ClusterRoleBinding>::all(client.clone()), &name, b).await?;
    }
    let deployments = Api::<Deployment>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    apply(deployments.clone(), OPERATOR_NAME, &o.deployment).await?;

    let node_arch = node_architecture(client).await;
    let pods = Api::<Pod>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    let selector = format!("{}={}", OPERATOR_POD_LABEL.0, OPERATOR_POD_LABEL.1);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let ready = deployments
            .get(OPERATOR_NAME)
            .await
            .ok()
            .and_then(|d| d.status)
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0);
        if ready >= 1 {
            return Ok(());
        }
        if let Ok(list) = pods.list(&ListParams::default().labels(&selector)).await {
            if let Some(why) = list
                .items
                .iter()
                .find_map(|p| pod_failure(p, node_arch.as_deref()))
            {
                return Err(HarnessError::Missing {
                    part: "Function Mesh operator".into(),
                    reason: why,
                });
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(HarnessError::Timeout {
                what: format!(
                    "the operator Deployment {OPERATOR_NAMESPACE}/{OPERATOR_NAME} to have a ready replica"
                ),
                seconds: timeout.as_secs(),
            });
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// The architecture of the (single) k3s node, as the kubelet reports it.
pub async fn node_architecture(client: &Client) -> Option<String> {
    Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .ok()?
        .items
        .into_iter()
        .find_map(|n| n.status?.node_info.map(|i| i.architecture))
}

/// Why the operator stopped being healthy after it was ready (a crash-looping or restarted pod), if it did.
pub async fn operator_health(client: &Client) -> Option<String> {
    let pods = Api::<Pod>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    let selector = format!("{}={}", OPERATOR_POD_LABEL.0, OPERATOR_POD_LABEL.1);
    let list = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .ok()?;
    for p in &list.items {
        if let Some(why) = pod_failure(p, None) {
            return Some(why);
        }
        let restarts: i32 = p
            .status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .sum();
        if restarts > 0 {
            return Some(format!(
                "operator pod {} restarted {restarts} time(s)",
                p.metadata.name.as_deref().unwrap_or("?")
            ));
        }
    }
    None
}

/// Writes the operator pods' logs (and the previous container's, after a restart), the pods' status and the
/// namespace's events into `dir`. Best effort: what cannot be fetched is noted in the files.
pub async fn save_operator_logs(client: &Client, dir: &Path) {
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let pods = Api::<Pod>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    let selector = format!("{}={}", OPERATOR_POD_LABEL.0, OPERATOR_POD_LABEL.1);
    match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => {
            for p in &list.items {
                let name = p.metadata.name.clone().unwrap_or_default();
                let status = serde_yaml_ng::to_string(&p.status).unwrap_or_default();
                let _ = std::fs::write(dir.join(format!("{name}.status.yaml")), status);
                for previous in [false, true] {
                    let lp = LogParams {
                        previous,
                        ..Default::default()
                    };
                    let text = match pods.logs(&name, &lp).await {
                        Ok(t) => t,
                        Err(_) if previous => continue,
                        Err(e) => format!("(logs not available: {e})\n"),
                    };
                    let file = if previous {
                        format!("{name}.previous.log")
                    } else {
                        format!("{name}.log")
                    };
                    let _ = std::fs::write(dir.join(file), text);
                }
            }
        }
        Err(e) => {
            let _ = std::fs::write(dir.join("pods.txt"), format!("(pods not listed: {e})\n"));
        }
    }
    let events = Api::<Event>::namespaced(client.clone(), OPERATOR_NAMESPACE);
    let text = match events.list(&ListParams::default()).await {
        Ok(list) => list
            .items
            .iter()
            .map(|e| {
                format!(
                    "{} {} {}/{}: {} {}\n",
                    e.last_timestamp
                        .as_ref()
                        .map(|t| t.0.to_string())
                        .unwrap_or_default(),
                    e.type_.as_deref().unwrap_or_default(),
                    e.involved_object.kind.as_deref().unwrap_or_default(),
                    e.involved_object.name.as_deref().unwrap_or_default(),
                    e.reason.as_deref().unwrap_or_default(),
                    e.message.as_deref().unwrap_or_default()
                )
            })
            .collect(),
        Err(e) => format!("(events not listed: {e})\n"),
    };
    let _ = std::fs::write(dir.join("events.txt"), text);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(waiting_reason: &str, message: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "function-mesh-controller-manager-5d9c-x"},
            "status": {"containerStatuses": [{
                "name": "manager",
                "image": "streamnative/function-mesh:v0.27.2",
                "imageID": "",
                "ready": false,
                "restartCount": 3,
                "state": {"waiting": {"reason": waiting_reason, "message": message}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}
            }]}
        }))
        .unwrap()
    }

    #[test]
    fn image_pull_failures_fail_at_once() {
        for reason in ["ErrImagePull", "ImagePullBackOff"] {
            let why = pod_failure(&pod(reason, "rpc error: not found"), Some("amd64")).unwrap();
            assert_eq!(
                why,
                format!(
                    "operator pod function-mesh-controller-manager-5d9c-x: container `manager` \
                     (streamnative/function-mesh:v0.27.2) is {reason}: rpc error: not found (last exit code 1, Error)"
                )
            );
        }
    }

    #[test]
    fn arm64_nodes_are_told_the_image_is_amd64_only() {
        let why = pod_failure(
            &pod("ErrImagePull", "no matching manifest for linux/arm64/v8"),
            Some("arm64"),
        )
        .unwrap();
        assert!(
            why.ends_with(
                "the node is arm64 and the streamnative/function-mesh image is published for linux/amd64 only: \
                 run on an amd64 Docker host"
            ),
            "{why}"
        );
        let crash = pod_failure(&pod("CrashLoopBackOff", "back-off 40s"), Some("aarch64")).unwrap();
        assert!(
            crash.contains("is CrashLoopBackOff: back-off 40s"),
            "{crash}"
        );
        assert!(crash.contains("amd64 only"), "{crash}");
    }

    #[test]
    fn waiting_to_start_is_not_a_failure() {
        assert_eq!(
            pod_failure(&pod("ContainerCreating", ""), Some("amd64")),
            None
        );
        let pending: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"}, "status": {"phase": "Pending"}
        }))
        .unwrap();
        assert_eq!(pod_failure(&pending, None), None);
    }
}
