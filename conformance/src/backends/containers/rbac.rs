//! The operator's Kubernetes objects for the testcontainers backend: Namespace, ServiceAccount, the two
//! ClusterRoles (and their bindings) that Function Mesh's own helm chart grants the controller manager, and the
//! Deployment (webhooks off, leader election off, watching only [`OPERATOR_WATCHED_NAMESPACE`]).
//!
//! The ClusterRole rules are data transcribed from the release's helm chart
//! (`charts/function-mesh-operator/templates/controller-manager-rbac.yaml` at tag [`RBAC_RELEASE`]), not
//! `cluster-admin`: a permission the release does not grant shows up as an operator error in the run.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule};
use serde_json::json;

use crate::backend::OPERATOR_WATCHED_NAMESPACE;
use crate::error::{HarnessError, Result};

/// Namespace of the operator Deployment.
pub const OPERATOR_NAMESPACE: &str = "function-mesh-system";
/// Name of the operator Deployment, its ServiceAccount and its main ClusterRole (+ binding).
pub const OPERATOR_NAME: &str = "function-mesh-controller-manager";
/// Operator image repository (the release's published image; built for linux/amd64 only).
pub const OPERATOR_IMAGE_REPO: &str = "streamnative/function-mesh";
/// Label selecting the operator's pods.
pub const OPERATOR_POD_LABEL: (&str, &str) = ("app.kubernetes.io/name", "function-mesh-operator");
/// The Function Mesh release whose helm chart the ClusterRole data below comes from.
pub const RBAC_RELEASE: &str = "v0.27.2";

/// One RBAC rule, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// API groups (`""` is the core group).
    pub groups: &'static [&'static str],
    /// Resources (and subresources, `functions/status`).
    pub resources: &'static [&'static str],
    /// Verbs.
    pub verbs: &'static [&'static str],
}

const ALL_WRITE: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];
const STATUS: &[&str] = &["get", "patch", "update"];

/// The rules of the chart's `<release>-function-mesh-controller-manager` ClusterRole (v0.27.2).
pub const MANAGER_RULES: &[Rule] = &[
    Rule {
        groups: &["apps"],
        resources: &["statefulsets", "statefulsets/finalizers"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["autoscaling"],
        resources: &[
            "horizontalpodautoscalers",
            "horizontalpodautoscalers/finalizers",
        ],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["autoscaling.k8s.io"],
        resources: &["verticalpodautoscalers"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["functionmeshes"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["functionmeshes/status"],
        verbs: STATUS,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["functions"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["functions/status"],
        verbs: STATUS,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["sinks"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["sinks/status"],
        verbs: STATUS,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["sources"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["sources/status"],
        verbs: STATUS,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["backendconfigs"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["compute.functionmesh.io"],
        resources: &["backendconfigs/status"],
        verbs: STATUS,
    },
    Rule {
        groups: &[""],
        resources: &["secrets", "secrets/finalizers"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &[""],
        resources: &["services", "services/finalizers"],
        verbs: ALL_WRITE,
    },
    Rule {
        groups: &["coordination.k8s.io"],
        resources: &["leases", "leases/finalizers"],
        verbs: &["create", "delete", "get", "list", "update"],
    },
    Rule {
        groups: &["batch"],
        resources: &["jobs"],
        verbs: &["create", "watch", "delete", "get", "list", "update"],
    },
    Rule {
        groups: &[""],
        resources: &["pods", "pods/exec"],
        verbs: ALL_WRITE,
    },
];

/// The rules of the chart's `<release>-function-mesh-controller-manager-admin` ClusterRole (v0.27.2).
pub const ADMIN_RULES: &[Rule] = &[
    Rule {
        groups: &[""],
        resources: &["configmaps", "configmaps/finalizers"],
        verbs: &[
            "get", "list", "watch", "create", "update", "patch", "delete",
        ],
    },
    Rule {
        groups: &[""],
        resources: &["configmaps/status"],
        verbs: &["get", "update", "patch"],
    },
    Rule {
        groups: &[""],
        resources: &["events"],
        verbs: &["create", "patch"],
    },
    Rule {
        groups: &[""],
        resources: &["namespaces"],
        verbs: &["get", "list", "watch"],
    },
];

/// Whether `rules` allow `verb` on `group`/`resource` (exact names; the chart uses no wildcards).
pub fn allows(rules: &[PolicyRule], group: &str, resource: &str, verb: &str) -> bool {
    rules.iter().any(|r| {
        let has = |list: &Option<Vec<String>>, v: &str| {
            list.as_ref()
                .is_some_and(|l| l.iter().any(|x| x == v || x == "*"))
        };
        has(&r.api_groups, group)
            && has(&r.resources, resource)
            && r.verbs.iter().any(|x| x == verb || x == "*")
    })
}

/// Everything the operator needs in the cluster, in apply order.
#[derive(Debug, Clone)]
pub struct OperatorObjects {
    /// `function-mesh-system`.
    pub namespace: Namespace,
    /// The controller manager's ServiceAccount.
    pub service_account: ServiceAccount,
    /// The two ClusterRoles of the release's chart.
    pub cluster_roles: Vec<ClusterRole>,
    /// Their bindings to the ServiceAccount.
    pub bindings: Vec<ClusterRoleBinding>,
    /// The operator Deployment.
    pub deployment: Deployment,
}

fn rules_json(rules: &[Rule]) -> serde_json::Value {
    rules
        .iter()
        .map(|r| json!({"apiGroups": r.groups, "resources": r.resources, "verbs": r.verbs}))
        .collect()
}

fn de<T: serde::de::DeserializeOwned>(v: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(v).map_err(|e| HarnessError::BackendUnavailable {
        backend: "testcontainers".into(),
        reason: format!("operator manifest {what}: {e}"),
    })
}

/// The operator's objects for Function Mesh release `version`. Fails for a release whose chart rules the
/// harness does not carry (only [`RBAC_RELEASE`]).
pub fn operator_objects(version: &str) -> Result<OperatorObjects> {
    if version != RBAC_RELEASE {
        return Err(HarnessError::Missing {
            part: "operator RBAC".into(),
            reason: format!(
                "the harness carries the helm chart ClusterRole rules of Function Mesh {RBAC_RELEASE} only, \
                 not of {version} (conformance/src/containers/rbac.rs)"
            ),
        });
    }
    let (label_key, label_value) = OPERATOR_POD_LABEL;
    let labels = json!({ label_key: label_value });
    let roles = [
        (OPERATOR_NAME.to_owned(), MANAGER_RULES),
        (format!("{OPERATOR_NAME}-admin"), ADMIN_RULES),
    ];
    let mut cluster_roles = Vec::new();
    let mut bindings = Vec::new();
    for (name, rules) in &roles {
        cluster_roles.push(de(
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": name}, "rules": rules_json(rules)
            }),
            &format!("ClusterRole {name}"),
        )?);
        bindings.push(de(
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
                "subjects": [{"kind": "ServiceAccount", "name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE}]
            }),
            &format!("ClusterRoleBinding {name}"),
        )?);
    }
    let deployment = de(
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE, "labels": labels},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": OPERATOR_NAME,
                        "containers": [{
                            "name": "manager",
                            "image": format!("{OPERATOR_IMAGE_REPO}:{version}"),
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["/manager"],
                            "args": [
                                "--enable-leader-election=false",
                                "--metrics-secure=false",
                                "--metrics-addr=:8080",
                                "--health-probe-addr=:8000",
                                format!("--watched-namespace={OPERATOR_WATCHED_NAMESPACE}"),
                            ],
                            "env": [
                                // Webhooks off: no cert-manager, no webhook Service; fmesh's resources are
                                // checked by the API server's schema and the operator only.
                                {"name": "ENABLE_WEBHOOKS", "value": "false"},
                                {"name": "NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}
                            ],
                            "readinessProbe": {"httpGet": {"path": "/readyz", "port": 8000}, "periodSeconds": 5}
                        }]
                    }
                }
            }
        }),
        "Deployment",
    )?;
    Ok(OperatorObjects {
        namespace: de(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": OPERATOR_NAMESPACE}}),
            "Namespace",
        )?,
        service_account: de(
            json!({
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": OPERATOR_NAME, "namespace": OPERATOR_NAMESPACE}
            }),
            "ServiceAccount",
        )?,
        cluster_roles,
        bindings,
        deployment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_rules(o: &OperatorObjects) -> Vec<PolicyRule> {
        o.cluster_roles
            .iter()
            .flat_map(|r| r.rules.clone().unwrap_or_default())
            .collect()
    }

    /// What the v0.27.2 controllers watch (`For`/`Owns`/`Watches` in their `SetupWithManager`, the VPA only
    /// when its CRDs exist): each needs get, list and watch.
    const WATCHED: &[(&str, &str)] = &[
        ("compute.functionmesh.io", "functions"),
        ("compute.functionmesh.io", "sinks"),
        ("compute.functionmesh.io", "sources"),
        ("compute.functionmesh.io", "functionmeshes"),
        ("compute.functionmesh.io", "backendconfigs"),
        ("apps", "statefulsets"),
        ("", "services"),
        ("", "secrets"),
        ("batch", "jobs"),
        ("autoscaling", "horizontalpodautoscalers"),
        ("autoscaling.k8s.io", "verticalpodautoscalers"),
    ];

    #[test]
    fn cluster_role_data_parses_and_covers_what_the_operator_watches() {
        let o = operator_objects(RBAC_RELEASE).unwrap();
        assert_eq!(o.cluster_roles.len(), 2);
        let rules = all_rules(&o);
        assert_eq!(rules.len(), MANAGER_RULES.len() + ADMIN_RULES.len());
        for (g, r) in WATCHED {
            for verb in ["get", "list", "watch"] {
                assert!(allows(&rules, g, r, verb), "{verb} {g}/{r} not granted");
            }
        }
        // What it writes.
        for kind in ["functions", "sinks", "sources", "functionmeshes"] {
            assert!(allows(
                &rules,
                "compute.functionmesh.io",
                &format!("{kind}/status"),
                "update"
            ));
        }
        for (g, r) in [
            ("apps", "statefulsets"),
            ("", "services"),
            ("", "secrets"),
            ("autoscaling", "horizontalpodautoscalers"),
        ] {
            for verb in ["create", "update", "delete"] {
                assert!(allows(&rules, g, r, verb), "{verb} {g}/{r}");
            }
        }
        assert!(allows(&rules, "", "events", "create"));
        // Not cluster-admin: nothing beyond the chart.
        assert!(!allows(&rules, "", "nodes", "get"));
        assert!(!allows(
            &rules,
            "rbac.authorization.k8s.io",
            "clusterroles",
            "create"
        ));
        assert!(!allows(&rules, "", "namespaces", "delete"));
        assert!(rules.iter().all(|r| !r.verbs.iter().any(|v| v == "*")));
    }

    #[test]
    fn bindings_name_the_roles_and_the_service_account() {
        let o = operator_objects(RBAC_RELEASE).unwrap();
        let roles: Vec<_> = o
            .cluster_roles
            .iter()
            .filter_map(|r| r.metadata.name.clone())
            .collect();
        assert_eq!(
            roles,
            [OPERATOR_NAME.to_owned(), format!("{OPERATOR_NAME}-admin")]
        );
        for (b, role) in o.bindings.iter().zip(&roles) {
            assert_eq!(&b.role_ref.name, role);
            assert_ne!(b.role_ref.name, "cluster-admin");
            let s = &b.subjects.as_ref().unwrap()[0];
            assert_eq!(
                (s.kind.as_str(), s.name.as_str(), s.namespace.as_deref()),
                ("ServiceAccount", OPERATOR_NAME, Some(OPERATOR_NAMESPACE))
            );
        }
    }

    #[test]
    fn deployment_runs_the_release_image_with_webhooks_off() {
        let o = operator_objects("v0.27.2").unwrap();
        assert_eq!(
            o.namespace.metadata.name.as_deref(),
            Some(OPERATOR_NAMESPACE)
        );
        assert_eq!(
            o.service_account.metadata.namespace.as_deref(),
            Some(OPERATOR_NAMESPACE)
        );
        let pod = o.deployment.spec.unwrap().template.spec.unwrap();
        assert_eq!(pod.service_account_name.as_deref(), Some(OPERATOR_NAME));
        let c = &pod.containers[0];
        assert_eq!(
            c.image.as_deref(),
            Some("streamnative/function-mesh:v0.27.2")
        );
        let env = c.env.as_ref().unwrap();
        assert!(env
            .iter()
            .any(|e| e.name == "ENABLE_WEBHOOKS" && e.value.as_deref() == Some("false")));
        let args = c.args.as_ref().unwrap();
        assert!(args.contains(&"--enable-leader-election=false".to_owned()));
        assert!(args.contains(&format!("--watched-namespace={OPERATOR_WATCHED_NAMESPACE}")));
    }

    #[test]
    fn other_releases_are_refused_with_the_reason() {
        let e = operator_objects("v0.26.0").unwrap_err().to_string();
        assert_eq!(
            e,
            "part `operator RBAC` is not available: the harness carries the helm chart ClusterRole rules of \
             Function Mesh v0.27.2 only, not of v0.26.0 (conformance/src/containers/rbac.rs)"
        );
    }
}
