//! Where the testcontainers backend gets the upstream Function Mesh CRDs, without `prepare.sh`:
//!
//! 1. `<shared>/function-mesh/<version>/crds/` (`$FMESH_SHARED`, default `<repo>/../shared`) when present;
//! 2. else the release's published CRD asset (`crd.yaml` of the GitHub release `<version>`), downloaded once on
//!    the user's machine into `<cache>/function-mesh-release-crds/<version>/crds/` (conversion-webhook stanza
//!    removed: the operator runs with webhooks off);
//! 3. else none: the backend installs fmesh's generated CRDs and the scenarios that need the upstream ones
//!    (and the operator) are reported BLOCKED with the reasons of 1 and 2.

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

use crate::prepared::Prepared;

/// Where Function Mesh publishes its release assets.
pub const RELEASE_DOWNLOAD_BASE: &str =
    "https://github.com/streamnative/function-mesh/releases/download";
/// Environment variable replacing [`RELEASE_DOWNLOAD_BASE`] (a mirror).
pub const BASE_URL_ENV: &str = "FM_CONFORMANCE_CRD_BASE_URL";
/// The release asset holding every CRD of a release.
pub const ASSET_NAME: &str = "crd.yaml";
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);
const MAX_ASSET_BYTES: u64 = 64 * 1024 * 1024;

/// Where to look.
#[derive(Debug, Clone)]
pub struct CrdLookup {
    /// The shared data folder (its `function-mesh/<version>/crds/`).
    pub shared_root: PathBuf,
    /// Where downloaded assets are kept between runs.
    pub cache_root: PathBuf,
    /// Base URL of release downloads (`<base>/<version>/crd.yaml`).
    pub base_url: String,
}

impl CrdLookup {
    /// From `$FMESH_SHARED` (default `<repo>/../shared`), the harness cache root and `$FM_CONFORMANCE_CRD_BASE_URL`.
    pub fn from_env() -> CrdLookup {
        let shared_root = match std::env::var_os("FMESH_SHARED") {
            Some(p) => PathBuf::from(p),
            None => crate::prepared::workspace_root().join("..").join("shared"),
        };
        CrdLookup {
            shared_root,
            cache_root: Prepared::cache_root(),
            base_url: std::env::var(BASE_URL_ENV)
                .ok()
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| RELEASE_DOWNLOAD_BASE.to_owned()),
        }
    }

    fn shared_dir(&self, version: &str) -> PathBuf {
        self.shared_root
            .join("function-mesh")
            .join(version)
            .join("crds")
    }

    fn cache_dir(&self, version: &str) -> PathBuf {
        self.cache_root
            .join("function-mesh-release-crds")
            .join(version)
            .join("crds")
    }

    /// The asset URL of `version`.
    pub fn asset_url(&self, version: &str) -> String {
        format!(
            "{}/{version}/{ASSET_NAME}",
            self.base_url.trim_end_matches('/')
        )
    }
}

/// Where a release's CRDs were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrdOrigin {
    /// The shared data folder.
    Shared,
    /// The release asset, downloaded now.
    Downloaded {
        /// From where.
        url: String,
    },
    /// The release asset, downloaded by an earlier run.
    Cached {
        /// From where it was downloaded.
        url: String,
    },
}

/// A release's CRD directory and its origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCrds {
    /// The release (`v0.27.2`).
    pub version: String,
    /// A directory of CRD YAML files.
    pub dir: PathBuf,
    /// Where they came from.
    pub origin: CrdOrigin,
}

impl FoundCrds {
    /// One line for the run's output.
    pub fn describe(&self) -> String {
        let v = &self.version;
        let d = self.dir.display();
        match &self.origin {
            CrdOrigin::Shared => format!("Function Mesh {v} CRDs from the shared folder {d}"),
            CrdOrigin::Downloaded { url } => {
                format!("Function Mesh {v} CRDs from the release asset {url} (downloaded to {d})")
            }
            CrdOrigin::Cached { url } => {
                format!("Function Mesh {v} CRDs from the release asset {url} (downloaded earlier to {d})")
            }
        }
    }
}

fn has_yaml(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok()).any(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml")
        })
    })
}

/// Finds `version`'s CRDs in the order of the module docs; Err gives why each source failed.
pub fn find_crds(lookup: &CrdLookup, version: &str) -> Result<FoundCrds, String> {
    let shared = lookup.shared_dir(version);
    if has_yaml(&shared) {
        return Ok(FoundCrds {
            version: version.to_owned(),
            dir: shared,
            origin: CrdOrigin::Shared,
        });
    }
    let url = lookup.asset_url(version);
    let cache = lookup.cache_dir(version);
    if has_yaml(&cache) {
        return Ok(FoundCrds {
            version: version.to_owned(),
            dir: cache,
            origin: CrdOrigin::Cached { url },
        });
    }
    match download_asset(&url).and_then(|bytes| store_asset(&bytes, &cache)) {
        Ok(()) => Ok(FoundCrds {
            version: version.to_owned(),
            dir: cache,
            origin: CrdOrigin::Downloaded { url },
        }),
        Err(e) => Err(format!(
            "{} has no CRD files, and the release asset {url} could not be had: {e}",
            shared.display()
        )),
    }
}

fn download_asset(url: &str) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| e.to_string())?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {}", status.as_u16()));
    }
    resp.body_mut()
        .with_config()
        .limit(MAX_ASSET_BYTES)
        .read_to_vec()
        .map_err(|e| e.to_string())
}

/// The CRDs of a release asset, ready to install with webhooks off: only `CustomResourceDefinition` documents,
/// each without `spec.conversion` (the asset routes conversion to the operator's webhook Service) and without
/// cert-manager's CA-injection annotation.
pub fn normalize_asset(text: &str) -> Result<Vec<serde_json::Value>, String> {
    let mut out = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let mut v: serde_json::Value = serde::Deserialize::deserialize(doc)
            .map_err(|e| format!("{ASSET_NAME} document {i}: {e}"))?;
        if v.get("kind").and_then(|k| k.as_str()) != Some("CustomResourceDefinition") {
            continue;
        }
        if let Some(spec) = v.get_mut("spec").and_then(|s| s.as_object_mut()) {
            spec.remove("conversion");
        }
        if let Some(ann) = v
            .pointer_mut("/metadata/annotations")
            .and_then(|a| a.as_object_mut())
        {
            ann.remove("cert-manager.io/inject-ca-from");
        }
        serde_json::from_value::<CustomResourceDefinition>(v.clone())
            .map_err(|e| format!("{ASSET_NAME} document {i}: {e}"))?;
        out.push(v);
    }
    if out.is_empty() {
        return Err(format!("{ASSET_NAME} holds no CustomResourceDefinition"));
    }
    Ok(out)
}

fn store_asset(bytes: &[u8], dir: &Path) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{ASSET_NAME}: {e}"))?;
    let docs = normalize_asset(text)?;
    let mut yaml = String::new();
    for d in &docs {
        yaml.push_str("---\n");
        yaml.push_str(&serde_yaml_ng::to_string(d).map_err(|e| e.to_string())?);
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    // Written under another name first, so an interrupted run never leaves a half file that looks cached.
    let tmp = dir.join(format!("{ASSET_NAME}.partial"));
    std::fs::write(&tmp, yaml).map_err(|e| format!("write {}: {e}", tmp.display()))?;
    let dest = dir.join(ASSET_NAME);
    std::fs::rename(&tmp, &dest).map_err(|e| format!("rename to {}: {e}", dest.display()))
}

/// The release and older releases to look for: `$FMESH_FM_VERSION` (default v0.27.2) and
/// `$FMESH_FM_OLD_VERSIONS` (default `v0.6.0 v0.14.0`), as `prepare.sh` reads them.
pub fn versions_from_env() -> (String, Vec<String>) {
    let fm = std::env::var("FMESH_FM_VERSION")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "v0.27.2".to_owned());
    let old = std::env::var("FMESH_FM_OLD_VERSIONS")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "v0.6.0 v0.14.0".to_owned());
    (fm, old.split_whitespace().map(str::to_owned).collect())
}

/// The prepared environment this backend hands to the scenarios (the keys `prepare.sh` would record), and one
/// line per release saying where its CRDs came from or why they are missing.
pub fn prepared_environment(
    lookup: &CrdLookup,
    fm_version: &str,
    old_versions: &[String],
    env_file: &Path,
) -> (Prepared, Vec<String>) {
    let mut lines = Vec::new();
    let mut values = std::collections::BTreeMap::new();
    values.insert("FM_VERSION".to_owned(), fm_version.to_owned());
    match find_crds(lookup, fm_version) {
        Ok(found) => {
            lines.push(found.describe());
            values.insert("FM_CRDS_DIR".to_owned(), found.dir.display().to_string());
        }
        Err(why) => {
            lines.push(format!(
                "Function Mesh {fm_version} CRDs not found ({why}): fmesh's generated CRDs are installed and \
                 the scenarios that need the upstream ones or the operator are BLOCKED"
            ));
            values.insert(format!("MISSING_FM_CRDS_{fm_version}"), why);
        }
    }
    let mut old_list = Vec::new();
    for v in old_versions.iter().filter(|v| v.as_str() != fm_version) {
        match find_crds(lookup, v) {
            Ok(found) => {
                lines.push(found.describe());
                old_list.push(format!("{v}={}", found.dir.display()));
            }
            Err(why) => {
                lines.push(format!("Function Mesh {v} CRDs not found: {why}"));
                values.insert(format!("MISSING_FM_CRDS_{v}"), why);
            }
        }
    }
    values.insert("FM_OLD_CRDS".to_owned(), old_list.join(","));
    let text: String = values.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
    // The file is a record for the user; the values are used from memory.
    let _ = std::fs::write(env_file, text);
    (
        Prepared {
            values,
            source: env_file.to_path_buf(),
        },
        lines,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A loopback HTTP server answering every request with `status` and `body`; counts requests.
    fn serve(status: u16, body: &'static str) -> (String, Arc<AtomicUsize>) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", l.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                // The whole request head, before answering and closing.
                let (mut req, mut buf) = (Vec::new(), [0u8; 4096]);
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                h.fetch_add(1, Ordering::SeqCst);
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (base, hits)
    }

    const ASSET: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  annotations:\n    cert-manager.io/inject-ca-from: $(CERTIFICATE_NAMESPACE)/$(CERTIFICATE_NAME)\n    controller-gen.kubebuilder.io/version: v0.15.0\n  name: functions.compute.functionmesh.io\nspec:\n  conversion:\n    strategy: Webhook\n    webhook:\n      clientConfig:\n        service:\n          name: webhook-service\n          namespace: system\n          path: /convert\n      conversionReviewVersions: [v1]\n  group: compute.functionmesh.io\n  names:\n    kind: Function\n    plural: functions\n  scope: Namespaced\n  versions:\n  - name: v1alpha1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: system\n";

    fn lookup(shared: &Path, cache: &Path, base: &str) -> CrdLookup {
        CrdLookup {
            shared_root: shared.to_path_buf(),
            cache_root: cache.to_path_buf(),
            base_url: base.to_owned(),
        }
    }

    #[test]
    fn shared_folder_comes_first() {
        let shared = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let dir = shared.path().join("function-mesh/v0.27.2/crds");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("compute.functionmesh.io_functions.yaml"), "x").unwrap();
        let (base, hits) = serve(200, ASSET);
        let found = find_crds(&lookup(shared.path(), cache.path(), &base), "v0.27.2").unwrap();
        assert_eq!(found.origin, CrdOrigin::Shared);
        assert_eq!(found.dir, dir);
        assert_eq!(
            hits.load(Ordering::SeqCst),
            0,
            "no download when the shared folder has them"
        );
    }

    #[test]
    fn release_asset_is_downloaded_normalized_and_cached() {
        let shared = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let (base, hits) = serve(200, ASSET);
        let l = lookup(shared.path(), cache.path(), &base);
        let found = find_crds(&l, "v0.27.2").unwrap();
        let url = format!("{base}/v0.27.2/crd.yaml");
        assert_eq!(found.origin, CrdOrigin::Downloaded { url: url.clone() });
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let crds = crate::kubeutil::load_crds(&found.dir).unwrap();
        assert_eq!(crds.len(), 1, "the Namespace document is dropped");
        assert!(
            crds[0].spec.conversion.is_none(),
            "conversion webhook removed"
        );
        let ann = crds[0].metadata.annotations.clone().unwrap();
        assert!(!ann.contains_key("cert-manager.io/inject-ca-from"));
        assert!(ann.contains_key("controller-gen.kubebuilder.io/version"));
        // A second run uses the cached copy.
        let again = find_crds(&l, "v0.27.2").unwrap();
        assert_eq!(again.origin, CrdOrigin::Cached { url });
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        assert!(again.describe().contains("downloaded earlier"));
    }

    #[test]
    fn nothing_found_names_both_sources_and_blocks_upstream() {
        let shared = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        let (base, hits) = serve(404, "Not Found");
        let l = lookup(shared.path(), cache.path(), &base);
        let why = find_crds(&l, "v0.27.2").unwrap_err();
        assert_eq!(
            why,
            format!(
                "{} has no CRD files, and the release asset {base}/v0.27.2/crd.yaml could not be had: HTTP 404",
                shared.path().join("function-mesh/v0.27.2/crds").display()
            )
        );
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        let env = cache.path().join("conformance.env");
        let (p, lines) = prepared_environment(&l, "v0.27.2", &["v0.6.0".to_owned()], &env);
        assert_eq!(p.get("FM_VERSION"), Some("v0.27.2"));
        assert_eq!(p.get("FM_CRDS_DIR"), None);
        assert_eq!(p.get("MISSING_FM_CRDS_v0.27.2"), Some(why.as_str()));
        assert!(p.old_crd_dirs().is_empty());
        assert_eq!(p.missing_old().len(), 1);
        assert!(
            lines[0].contains("fmesh's generated CRDs are installed"),
            "{}",
            lines[0]
        );
        assert!(std::fs::read_to_string(env)
            .unwrap()
            .contains("FM_VERSION=v0.27.2"));
    }

    #[test]
    fn prepared_environment_records_found_dirs() {
        let shared = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        for v in ["v0.27.2", "v0.6.0"] {
            let d = shared.path().join(format!("function-mesh/{v}/crds"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("a.yaml"), "x").unwrap();
        }
        let (base, _) = serve(404, "");
        let l = lookup(shared.path(), cache.path(), &base);
        let (p, lines) = prepared_environment(
            &l,
            "v0.27.2",
            &["v0.6.0".to_owned(), "v0.14.0".to_owned()],
            &cache.path().join("env"),
        );
        assert_eq!(
            p.get("FM_CRDS_DIR").map(PathBuf::from),
            Some(shared.path().join("function-mesh/v0.27.2/crds"))
        );
        assert_eq!(p.old_crd_dirs().len(), 1);
        assert_eq!(p.missing_old()[0].0, "v0.14.0");
        assert!(lines[0].starts_with("Function Mesh v0.27.2 CRDs from the shared folder"));
    }

    #[test]
    fn asset_without_crds_is_refused() {
        assert_eq!(
            normalize_asset("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n").unwrap_err(),
            "crd.yaml holds no CustomResourceDefinition"
        );
    }
}
