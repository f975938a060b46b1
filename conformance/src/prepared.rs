//! The parts that `conformance/scripts/prepare.sh` prepared, read from `<cache>/conformance.env`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{HarnessError, Result};

/// The prepared environment: binaries, CRD directories and parts that could not be prepared.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    /// Raw key/value pairs of `conformance.env`.
    pub values: BTreeMap<String, String>,
    /// Where the file was read from.
    pub source: PathBuf,
}

impl Prepared {
    /// Default cache root: `$FMESH_CACHE`, else `<workspace>/.cache`.
    pub fn cache_root() -> PathBuf {
        match std::env::var_os("FMESH_CACHE") {
            Some(p) => PathBuf::from(p),
            None => workspace_root().join(".cache"),
        }
    }

    /// Reads `<cache_root>/conformance.env`.
    pub fn load(cache_root: &Path) -> Result<Prepared> {
        let source = cache_root.join("conformance.env");
        let text = std::fs::read_to_string(&source).map_err(|e| {
            HarnessError::Prepared(format!(
                "cannot read {}: {e}; run `bash conformance/scripts/prepare.sh` first",
                source.display()
            ))
        })?;
        Ok(Prepared {
            values: parse_env(&text),
            source,
        })
    }

    /// The value of `key`, if recorded.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// A prepared file path under `key`, or a [`HarnessError::Missing`] carrying prepare.sh's reason.
    pub fn path(&self, key: &str, part: &str, missing_key: &str) -> Result<PathBuf> {
        match self.get(key) {
            Some(p) if Path::new(p).exists() => Ok(PathBuf::from(p)),
            Some(p) => Err(HarnessError::Missing {
                part: part.into(),
                reason: format!("{key}={p} recorded by prepare.sh but the path does not exist"),
            }),
            None => Err(HarnessError::Missing {
                part: part.into(),
                reason: self
                    .get(&format!("MISSING_{missing_key}"))
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{key} not recorded in {}", self.source.display())),
            }),
        }
    }

    /// The pinned Function Mesh release (`FM_VERSION`, default `v0.27.2`).
    pub fn fm_version(&self) -> String {
        self.get("FM_VERSION").unwrap_or("v0.27.2").to_owned()
    }

    /// The older Function Mesh releases whose CRDs were prepared (`FM_OLD_CRDS=v0.6.0=/dir,...`).
    pub fn old_crd_dirs(&self) -> Vec<(String, PathBuf)> {
        self.get("FM_OLD_CRDS")
            .unwrap_or_default()
            .split(',')
            .filter_map(|e| e.split_once('='))
            .map(|(v, d)| (v.to_owned(), PathBuf::from(d)))
            .collect()
    }

    /// The Function Mesh operator binary: `$FMESH_OPERATOR_BIN` when set at run time, else the one prepare.sh
    /// recorded (`FM_OPERATOR_BIN`, from `FMESH_OPERATOR_BIN` at prepare time or built from the Go module proxy).
    pub fn operator_bin(&self) -> Option<String> {
        std::env::var("FMESH_OPERATOR_BIN")
            .ok()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| self.get("FM_OPERATOR_BIN").map(str::to_owned))
    }

    /// The pulsaradmin Go client of the worker scenarios (`conformance/go`): `$FMESH_PULSARADMIN_BIN` when set
    /// at run time, else the one prepare.sh built (`PULSARADMIN_GO_BIN`), else why there is none.
    pub fn pulsaradmin_go_bin(&self) -> Result<PathBuf> {
        match std::env::var_os("FMESH_PULSARADMIN_BIN").filter(|p| !p.is_empty()) {
            Some(p) => Ok(PathBuf::from(p)),
            None => self.path(
                "PULSARADMIN_GO_BIN",
                "pulsaradmin Go client",
                "PULSARADMIN_GO",
            ),
        }
    }

    /// The folder holding every release's CRDs (`<dir>/<tag>/crds/*.yaml`): `FM_SHARED_DIR`, else the
    /// grandparent of the pinned release's `FM_CRDS_DIR`.
    pub fn shared_dir(&self) -> Option<PathBuf> {
        self.get("FM_SHARED_DIR").map(PathBuf::from).or_else(|| {
            Path::new(self.get("FM_CRDS_DIR")?)
                .parent()?
                .parent()
                .map(Path::to_path_buf)
        })
    }

    /// The CRD folder of release `tag`: named in `FM_OLD_CRDS`, else `<shared_dir>/<tag>/crds` when it holds
    /// YAML files.
    pub fn crds_dir_of(&self, tag: &str) -> Option<PathBuf> {
        if let Some((_, d)) = self.old_crd_dirs().into_iter().find(|(v, _)| v == tag) {
            return Some(d);
        }
        let d = self.shared_dir()?.join(tag).join("crds");
        let has_yaml = std::fs::read_dir(&d).ok()?.filter_map(|e| e.ok()).any(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml")
        });
        has_yaml.then_some(d)
    }

    /// The older releases that were asked for but could not be prepared, with the reason.
    pub fn missing_old(&self) -> Vec<(String, String)> {
        self.values
            .iter()
            .filter_map(|(k, v)| {
                let version = k.strip_prefix("MISSING_FM_CRDS_")?;
                (version != self.fm_version()).then(|| (version.to_owned(), v.clone()))
            })
            .collect()
    }
}

/// The workspace root (parent of this crate's manifest directory).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(Path::to_path_buf).unwrap_or(here)
}

/// Parses `KEY=VALUE` lines; `#` comments and blank lines are skipped; the first `=` splits.
pub fn parse_env(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_env_lines_and_old_crds() {
        let p = Prepared {
            values: parse_env(
                "# c\nETCD_BIN=/x/etcd\nFM_VERSION=v0.27.2\nFM_OLD_CRDS=v0.6.0=/a,v0.14.0=/b\nMISSING_FM_CRDS_v0.1.11=no tag\nMISSING_FM_CRDS_v0.27.2=403\nK=a=b\n",
            ),
            source: PathBuf::from("/t/conformance.env"),
        };
        assert_eq!(p.get("ETCD_BIN"), Some("/x/etcd"));
        assert_eq!(p.get("K"), Some("a=b"));
        assert_eq!(
            p.old_crd_dirs(),
            vec![
                ("v0.6.0".into(), PathBuf::from("/a")),
                ("v0.14.0".into(), PathBuf::from("/b"))
            ]
        );
        assert_eq!(p.missing_old(), vec![("v0.1.11".into(), "no tag".into())]);
    }

    #[test]
    fn shared_dir_falls_back_to_the_pinned_crds_grandparent() {
        let p = Prepared {
            values: parse_env("FM_CRDS_DIR=/s/function-mesh/v0.27.2/crds\n"),
            source: PathBuf::from("/t/conformance.env"),
        };
        assert_eq!(p.shared_dir(), Some(PathBuf::from("/s/function-mesh")));
        let p = Prepared {
            values: parse_env("FM_SHARED_DIR=/x\nFM_CRDS_DIR=/s/function-mesh/v0.27.2/crds\n"),
            source: PathBuf::from("/t/conformance.env"),
        };
        assert_eq!(p.shared_dir(), Some(PathBuf::from("/x")));
        assert_eq!(p.crds_dir_of("v0.6.0"), None);
    }

    #[test]
    fn missing_part_carries_prepare_reason() {
        let p = Prepared {
            values: parse_env("MISSING_FM_OPERATOR=go build failed\n"),
            source: PathBuf::from("/t/conformance.env"),
        };
        let err = p
            .path("FM_OPERATOR_BIN", "operator", "FM_OPERATOR")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "part `operator` is not available: go build failed"
        );
    }
}
