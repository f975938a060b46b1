//! The k3s kubeconfig: read from inside the k3s container (no host bind mount, so a remote Docker engine works)
//! and pointed at the host and mapped port testcontainers reports.

use kube::config::Kubeconfig;

use crate::error::{HarnessError, Result};

/// Where k3s writes its admin kubeconfig inside the container.
pub const K3S_KUBECONFIG_PATH: &str = "/etc/rancher/k3s/k3s.yaml";

/// A DNS name that k3s always puts in its serving certificate; used as the TLS server name when the API server
/// is reached through a host name or address the certificate does not list (a remote Docker engine).
pub const K3S_CERT_NAME: &str = "localhost";

/// The host part of a URL for `host` as testcontainers reports it (`localhost`, a name, an IPv4 address or
/// a bracketed IPv6 address). `localhost` becomes `127.0.0.1`: the mapped port is the IPv4 one.
pub fn url_host(host: &str) -> String {
    let h = host.trim();
    if h.eq_ignore_ascii_case("localhost") {
        "127.0.0.1".to_owned()
    } else if h.contains(':') && !h.starts_with('[') {
        format!("[{h}]")
    } else {
        h.to_owned()
    }
}

/// Whether k3s's serving certificate names `url_host` (it lists 127.0.0.1, ::1 and localhost).
fn cert_names(url_host: &str) -> bool {
    matches!(url_host, "127.0.0.1" | "[::1]" | "localhost")
}

/// Rewrites k3s's kubeconfig (`server: https://127.0.0.1:6443`) so that every cluster points at
/// `https://<host>:<port>`, the host and mapped port testcontainers reports; when the certificate does not name
/// that host, the TLS server name is set to [`K3S_CERT_NAME`]. Credentials are kept as they are.
pub fn rewrite_kubeconfig(text: &str, host: &str, port: u16) -> Result<Kubeconfig> {
    let mut kc = Kubeconfig::from_yaml(text)?;
    if kc.clusters.is_empty() {
        return Err(HarnessError::BackendUnavailable {
            backend: "testcontainers".into(),
            reason: format!("{K3S_KUBECONFIG_PATH}: no clusters"),
        });
    }
    let h = url_host(host);
    for (i, named) in kc.clusters.iter_mut().enumerate() {
        let cluster = named
            .cluster
            .as_mut()
            .ok_or_else(|| HarnessError::BackendUnavailable {
                backend: "testcontainers".into(),
                reason: format!("{K3S_KUBECONFIG_PATH}: clusters[{i}].cluster is missing"),
            })?;
        cluster.server = Some(format!("https://{h}:{port}"));
        cluster.tls_server_name = (!cert_names(&h)).then(|| K3S_CERT_NAME.to_owned());
    }
    Ok(kc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    /// A kubeconfig shaped like the one k3s v1.28 writes, with real key material.
    fn k3s_style_file() -> (String, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let certs = crate::certs::ControlPlaneCerts::generate(dir.path()).unwrap();
        let b64 = |p: &std::path::Path| {
            base64::engine::general_purpose::STANDARD.encode(std::fs::read(p).unwrap())
        };
        let text = format!(
            "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {}\n    server: https://127.0.0.1:6443\n  name: default\ncontexts:\n- context:\n    cluster: default\n    user: default\n  name: default\ncurrent-context: default\nkind: Config\npreferences: {{}}\nusers:\n- name: default\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
            b64(&certs.ca_cert),
            b64(&certs.client_cert),
            b64(&certs.client_key)
        );
        (text, dir)
    }

    async fn config_of(kc: Kubeconfig) -> kube::Config {
        kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn local_engine_points_at_the_mapped_ipv4_port() {
        let (text, _d) = k3s_style_file();
        let kc = rewrite_kubeconfig(&text, "localhost", 40001).unwrap();
        let c = kc.clusters[0].cluster.as_ref().unwrap();
        assert_eq!(c.server.as_deref(), Some("https://127.0.0.1:40001"));
        assert_eq!(c.tls_server_name, None);
        // Credentials untouched; a client can be built from it.
        assert!(kc.auth_infos[0]
            .auth_info
            .as_ref()
            .unwrap()
            .client_key_data
            .is_some());
        let config = config_of(kc).await;
        assert_eq!(config.cluster_url.to_string(), "https://127.0.0.1:40001/");
        kube::Client::try_from(config).unwrap();
    }

    #[tokio::test]
    async fn remote_engine_keeps_the_certificate_name() {
        let (text, _d) = k3s_style_file();
        let kc = rewrite_kubeconfig(&text, "docker.example.internal", 32768).unwrap();
        let config = config_of(kc).await;
        assert_eq!(
            config.cluster_url.to_string(),
            "https://docker.example.internal:32768/"
        );
        assert_eq!(config.tls_server_name.as_deref(), Some(K3S_CERT_NAME));
        let kc = rewrite_kubeconfig(&text, "10.1.2.3", 32768).unwrap();
        assert_eq!(
            kc.clusters[0].cluster.as_ref().unwrap().server.as_deref(),
            Some("https://10.1.2.3:32768")
        );
        let kc = rewrite_kubeconfig(&text, "fd00::5", 32768).unwrap();
        assert_eq!(
            kc.clusters[0].cluster.as_ref().unwrap().server.as_deref(),
            Some("https://[fd00::5]:32768")
        );
    }

    #[test]
    fn a_file_without_clusters_is_an_error() {
        let e = rewrite_kubeconfig(
            "apiVersion: v1\nkind: Config\nclusters: []\n",
            "localhost",
            1,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "backend `testcontainers` cannot start: /etc/rancher/k3s/k3s.yaml: no clusters"
        );
        assert!(rewrite_kubeconfig("clusters: [", "localhost", 1).is_err());
    }

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("localhost"), "127.0.0.1");
        assert_eq!(url_host("10.0.0.2"), "10.0.0.2");
        assert_eq!(url_host("::1"), "[::1]");
        assert_eq!(url_host("[::1]"), "[::1]");
        assert_eq!(url_host("docker.example"), "docker.example");
    }
}
