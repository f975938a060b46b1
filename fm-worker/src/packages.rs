//! Pulsar's package service (`/admin/v3/packages`), through the broker's admin API at
//! `pulsarWebServiceUrl`: the worker checks that a `function://`, `sink://` or `source://`
//! package exists before it writes a resource naming it.

use std::time::Duration;

use crate::identity::Credential;

/// A Pulsar package URL, split: `<type>://<tenant>/<namespace>/<name>[@<version>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageName {
    /// `function`, `sink` or `source`.
    pub kind: String,
    /// Tenant.
    pub tenant: String,
    /// Namespace.
    pub namespace: String,
    /// Package name.
    pub name: String,
    /// Version (`latest` when the URL has none, as in Pulsar).
    pub version: String,
}

impl PackageName {
    /// Parses a package URL; `None` for anything that is not a Pulsar package URL.
    pub fn parse(url: &str) -> Option<PackageName> {
        let (kind, rest) = url.split_once("://")?;
        if !matches!(kind, "function" | "sink" | "source") {
            return None;
        }
        let mut parts = rest.splitn(3, '/');
        let tenant = parts.next().filter(|s| !s.is_empty())?;
        let namespace = parts.next().filter(|s| !s.is_empty())?;
        let last = parts.next().filter(|s| !s.is_empty() && !s.contains('/'))?;
        let (name, version) = match last.split_once('@') {
            Some((n, v)) if !n.is_empty() && !v.is_empty() => (n, v),
            Some(_) => return None,
            None => (last, "latest"),
        };
        let ok = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | ':'))
        };
        if ![tenant, namespace, name, version].iter().all(|s| ok(s)) {
            return None;
        }
        Some(PackageName {
            kind: kind.into(),
            tenant: tenant.into(),
            namespace: namespace.into(),
            name: name.into(),
            version: version.into(),
        })
    }

    fn metadata_path(&self) -> String {
        format!(
            "/admin/v3/packages/{}/{}/{}/{}/{}/metadata",
            self.kind, self.tenant, self.namespace, self.name, self.version
        )
    }
}

/// What went wrong asking the package service.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// The broker cannot be reached or answered with an error.
    #[error("Pulsar's package service at {base}: {message}")]
    Unavailable {
        /// `pulsarWebServiceUrl`.
        base: String,
        /// What happened (never a credential).
        message: String,
    },
    /// The HTTP client cannot be built.
    #[error("HTTP client for Pulsar's package service: {0}")]
    Client(String),
}

/// A client of the package service.
#[derive(Clone)]
pub struct Packages {
    http: reqwest::Client,
    base: String,
    auth: Option<Credential>,
}

impl std::fmt::Debug for Packages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packages")
            .field("base", &self.base)
            .field("auth", &self.auth)
            .finish()
    }
}

/// How long one package-service request may take.
pub const PACKAGE_TIMEOUT: Duration = Duration::from_secs(10);

impl Packages {
    /// A client of the broker at `base` (`pulsarWebServiceUrl`), sending `Authorization: <auth>`
    /// when given (the worker's broker-client token).
    pub fn new(base: &str, auth: Option<Credential>) -> Result<Packages, PackageError> {
        // TLS through rustls with the ring provider (the one kube uses: no second crypto stack).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(PACKAGE_TIMEOUT)
            .build()
            .map_err(|e| PackageError::Client(e.to_string()))?;
        Ok(Packages {
            http,
            base: base.trim_end_matches('/').to_owned(),
            auth,
        })
    }

    /// Whether the package exists.
    pub async fn exists(&self, package: &PackageName) -> Result<bool, PackageError> {
        let url = format!("{}{}", self.base, package.metadata_path());
        let mut req = self
            .http
            .get(&url)
            .header(http::header::ACCEPT, "application/json");
        if let Some(a) = &self.auth {
            req = req.header(http::header::AUTHORIZATION, a.expose());
        }
        let unavailable = |message: String| PackageError::Unavailable {
            base: self.base.clone(),
            message,
        };
        let resp = req.send().await.map_err(|e| unavailable(without_url(&e)))?;
        match resp.status().as_u16() {
            200 => Ok(true),
            404 => Ok(false),
            code => Err(unavailable(format!("answered {code}"))),
        }
    }
}

fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    kind.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_urls_parse_like_pulsar() {
        let p = PackageName::parse("function://public/default/excl@1.0").unwrap();
        assert_eq!(
            p.metadata_path(),
            "/admin/v3/packages/function/public/default/excl/1.0/metadata"
        );
        assert_eq!(
            PackageName::parse("sink://t/n/s").unwrap().version,
            "latest"
        );
        for bad in [
            "http://t/n/x@1",
            "builtin://x",
            "function://t/n",
            "function://t/n/x@",
            "function://t//x@1",
            "function://t/n/x/y@1",
            "function://t/n/x y@1",
            "function://t/n/..%2F@1",
        ] {
            assert_eq!(PackageName::parse(bad), None, "{bad}");
        }
    }
}
