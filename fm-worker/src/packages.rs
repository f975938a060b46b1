//! Pulsar's package service (`/admin/v3/packages`), through the broker's admin API at
//! `pulsarWebServiceUrl`: the worker checks that a `function://`, `sink://` or `source://`
//! package exists before it writes a resource naming it, streams `data` uploads into it under the
//! names the Java worker uses, and deletes what it uploaded.

use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt};

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

    /// Where the Java worker stores a component's upload: `<kind>://<tenant>/<namespace>/<name>`
    /// (no version: Pulsar's `latest`).
    pub fn for_upload(kind: crate::Kind, tenant: &str, namespace: &str, name: &str) -> Self {
        PackageName {
            kind: kind.lower().into(),
            tenant: tenant.into(),
            namespace: namespace.into(),
            name: name.into(),
            version: "latest".into(),
        }
    }

    /// The URL a resource names: versionless for `latest`, as the Java worker writes it.
    pub fn url(&self) -> String {
        let base = format!(
            "{}://{}/{}/{}",
            self.kind, self.tenant, self.namespace, self.name
        );
        if self.version == "latest" {
            base
        } else {
            format!("{base}@{}", self.version)
        }
    }

    fn path(&self) -> String {
        format!(
            "/admin/v3/packages/{}/{}/{}/{}/{}",
            self.kind, self.tenant, self.namespace, self.name, self.version
        )
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
    /// The upload stream failed (the caller's body broke off).
    #[error("the uploaded file cannot be read: {0}")]
    Body(String),
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

/// What an upload stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uploaded {
    /// The package's URL, for the resource.
    pub url: String,
    /// Bytes stored.
    pub size: u64,
    /// CRC32 of the bytes (Pulsar's metadata `checksum`).
    pub checksum: u32,
}

/// Chunks the upload body is forwarded in, at most, before the broker takes them.
const UPLOAD_QUEUE: usize = 4;

impl Packages {
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header(http::header::ACCEPT, "application/json");
        if let Some(a) = &self.auth {
            req = req.header(http::header::AUTHORIZATION, a.expose());
        }
        req
    }

    fn unavailable(&self, message: String) -> PackageError {
        PackageError::Unavailable {
            base: self.base.clone(),
            message,
        }
    }

    /// Streams a package's file into `into` (a file, so the package is never held whole in
    /// memory); returns its size.
    pub async fn download(
        &self,
        package: &PackageName,
        into: &mut tokio::fs::File,
    ) -> Result<u64, PackageError> {
        use tokio::io::AsyncWriteExt;
        let resp = self
            .request(reqwest::Method::GET, &package.path())
            .timeout(UPLOAD_TIMEOUT)
            .send()
            .await
            .map_err(|e| self.unavailable(without_url(&e)))?;
        match resp.status().as_u16() {
            200 => {}
            code => {
                return Err(
                    self.unavailable(format!("answered {code} to downloading {}", package.url()))
                )
            }
        }
        let mut body = resp.bytes_stream();
        let mut size = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| self.unavailable(without_url(&e)))?;
            size += chunk.len() as u64;
            into.write_all(&chunk)
                .await
                .map_err(|e| PackageError::Client(format!("temporary file: {e}")))?;
        }
        into.flush()
            .await
            .map_err(|e| PackageError::Client(format!("temporary file: {e}")))?;
        Ok(size)
    }

    /// Deletes a package; `Ok(false)` when there was none (asked first: Pulsar answers 500, not
    /// 404, to deleting a package that does not exist).
    pub async fn delete(&self, package: &PackageName) -> Result<bool, PackageError> {
        if !self.exists(package).await? {
            return Ok(false);
        }
        let resp = self
            .request(reqwest::Method::DELETE, &package.path())
            .send()
            .await
            .map_err(|e| self.unavailable(without_url(&e)))?;
        match resp.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            code => Err(self.unavailable(format!("answered {code} to deleting {}", package.url()))),
        }
    }

    /// Stores `file` (a stream of chunks, e.g. the request's `data` part) as `package`, replacing
    /// any package there, with the metadata the Java worker writes. The chunks are forwarded to
    /// the broker as they arrive (the file is never held whole); its size and CRC32 go in the
    /// metadata part, which follows the file in the same request.
    pub async fn upload<S, E>(
        &self,
        package: &PackageName,
        file_name: &str,
        mut file: S,
    ) -> Result<Uploaded, PackageError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        self.delete(package).await?;
        let boundary = format!(
            "fmesh-upload-{:x}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        let (mut tx, rx) =
            futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(UPLOAD_QUEUE);
        let send = self
            .request(reqwest::Method::POST, &package.path())
            .header(
                http::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(reqwest::Body::wrap_stream(rx))
            // An upload may take longer than a metadata call.
            .timeout(UPLOAD_TIMEOUT)
            .send();
        let url = package.url();
        let pump = async {
            let head = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n",
                file_name.replace(['"', '\r', '\n'], "_")
            );
            let _ = tx.send(Ok(Bytes::from(head))).await;
            let mut crc = crc32fast::Hasher::new();
            let mut size = 0u64;
            while let Some(chunk) = file.next().await {
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = tx
                            .send(Err(std::io::Error::other("upload broke off")))
                            .await;
                        return Err(PackageError::Body(e.to_string()));
                    }
                };
                crc.update(&chunk);
                size += chunk.len() as u64;
                if tx.send(Ok(chunk)).await.is_err() {
                    // The broker stopped reading; its answer says why.
                    break;
                }
            }
            let checksum = crc.finalize();
            let metadata = serde_json::json!({
                "description": format!("mesh-worker-service created for {url}"),
                "contact": "mesh-worker-service",
                "properties": {
                    "tenant": package.tenant,
                    "namespace": package.namespace,
                    "functionName": package.name,
                    "fileName": file_name,
                    "fileSize": size.to_string(),
                    "checksum": checksum.to_string(),
                    "managedByMeshWorkerService": "true",
                }
            });
            let tail = format!(
                "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\
                 Content-Type: application/json\r\n\r\n{metadata}\r\n--{boundary}--\r\n"
            );
            let _ = tx.send(Ok(Bytes::from(tail))).await;
            drop(tx);
            Ok((size, checksum))
        };
        let (resp, pumped) = futures::join!(send, pump);
        let (size, checksum) = pumped?;
        let resp = resp.map_err(|e| self.unavailable(without_url(&e)))?;
        match resp.status().as_u16() {
            200..=299 => Ok(Uploaded {
                url,
                size,
                checksum,
            }),
            code => Err(self.unavailable(format!("answered {code} to uploading {url}"))),
        }
    }
}

/// How long one upload may take.
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

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
