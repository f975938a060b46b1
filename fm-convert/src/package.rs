//! Where a component's code comes from: the runtime of a function, its package (a Pulsar package
//! URL, an http(s) URL, or a file in the runner image), a connector's archive or built-in entry.

use crate::fidelity::is_storage_path;
use crate::front_door::{Request, Worker};
use fm_model::pulsar::{FunctionConfig, Runtime};
use fm_model::worker::ConnectorDefinition;
use fm_model::ComponentKind;

/// Runtime of a function as Pulsar infers it: `jar` → JAVA, else `py` → PYTHON, else `go` →
/// GO (overriding any `runtime` sent), else the `runtime` field.
pub(crate) fn function_runtime(c: &FunctionConfig) -> Option<Runtime> {
    let set = |s: Option<&str>| s.is_some_and(|v| !v.is_empty());
    if set(c.jar.as_deref()) {
        Some(Runtime::Java)
    } else if set(c.py.as_deref()) {
        Some(Runtime::Python)
    } else if set(c.go.as_deref()) {
        Some(Runtime::Go)
    } else {
        c.runtime
    }
}

/// The config field that names the function's package.
pub(crate) fn package_field(c: &FunctionConfig) -> &'static str {
    match function_runtime(c) {
        Some(Runtime::Python) => "py",
        Some(Runtime::Go) => "go",
        _ => "jar",
    }
}

/// Where a function's package comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    /// The function's language runtime.
    pub runtime: Runtime,
    /// Path of the file in the pod.
    pub path: String,
    /// URL the operator downloads it from (`None`: already in the image).
    pub location: Option<String>,
}

fn is_package_url(s: &str) -> bool {
    ["function://", "sink://", "source://"]
        .iter()
        .any(|p| s.starts_with(p))
}

fn is_download_url(s: &str) -> bool {
    is_package_url(s) || s.starts_with("http://") || s.starts_with("https://")
}

/// Resolves a function's package (deliberately wider than the Java worker, which accepts only
/// Pulsar package URLs): a Pulsar package URL or an http(s) URL is downloaded by the operator to
/// `<downloadDirectory>/<file name>`; so is a `tenant/namespace/name` path in Pulsar's function
/// storage ([`is_storage_path`], the form Function Mesh's samples use, which a resource read
/// back gives); an absolute path names a file already in the runner image.
pub(crate) fn function_package(
    c: &FunctionConfig,
    worker: &Worker,
    request: &Request,
) -> Result<Package, String> {
    let runtime = function_runtime(c).unwrap_or(Runtime::Java);
    let given = match runtime {
        Runtime::Python => c.py.clone(),
        Runtime::Go => c.go.clone(),
        Runtime::Java => c.jar.clone(),
    }
    .filter(|s| !s.is_empty());
    let url = request
        .package_url
        .clone()
        .or_else(|| given.clone().filter(|g| g.contains("://")));
    // The operator downloads the package from `location` to the download directory.
    let downloaded = |location: String| Package {
        runtime,
        path: format!(
            "{}{}",
            worker.config.download_dir(),
            request
                .package_file_name
                .as_deref()
                .unwrap_or("function-executable")
        ),
        location: Some(location),
    };
    match url {
        Some(u) if is_download_url(&u) => Ok(downloaded(u)),
        Some(u) if u.starts_with("builtin://") => Err(format!(
            "`{u}`: Function Mesh has no built-in functions; upload the package with `pulsar-admin packages upload` and use its function:// URL"
        )),
        Some(_) => Err("Function Package url is not valid. supported url (function/sink/source/http/https)".into()),
        None => match given {
            Some(path) if path.starts_with('/') => Ok(Package { runtime, path, location: None }),
            Some(path) if is_storage_path(&path) => Ok(downloaded(path)),
            Some(path) => Err(format!(
                "`{path}` is a local file: upload it with `pulsar-admin packages upload` and pass the package URL, or give an absolute path inside the runner image"
            )),
            None => Err("Function package is not provided".into()),
        },
    }
}

/// A connector's package: a built-in connector from the catalogue, or an archive.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorPackage {
    /// `spec.java.jar`.
    pub jar: String,
    /// `spec.java.jarLocation`.
    pub location: Option<String>,
    /// The catalogue entry, for a built-in connector.
    pub builtin: Option<ConnectorDefinition>,
}

/// Resolves a sink's or source's `archive`: `builtin://<name>` from the catalogue; a package
/// URL or a storage path ([`is_storage_path`]) downloaded to `<downloadDirectory>/<file name>`;
/// an absolute path or a relative path with a directory as a file in the image; a bare file
/// name as the Java worker reads it, an uploaded file in `<downloadDirectory>`.
pub(crate) fn connector_package(
    kind: ComponentKind,
    archive: Option<&str>,
    class_name: Option<&str>,
    worker: &Worker,
    request: &Request,
) -> Result<ConnectorPackage, String> {
    let archive = archive.filter(|a| !a.is_empty()).map(str::to_string);
    if let Some(name) = archive
        .as_deref()
        .and_then(|a| a.strip_prefix("builtin://"))
    {
        let def = worker
            .connector(name)
            .ok_or_else(|| format!("connectorType {name} is not supported yet"))?;
        let has_class = match kind {
            ComponentKind::Sink => def.sink_class.is_some(),
            _ => def.source_class.is_some(),
        };
        if !has_class && class_name.is_none_or(str::is_empty) {
            return Err(format!(
                "connector {name} has no {} class in the catalogue",
                kind.lower()
            ));
        }
        return Ok(ConnectorPackage {
            jar: def.jar(),
            location: None,
            builtin: Some(def.clone()),
        });
    }
    let url = request
        .package_url
        .clone()
        .or_else(|| archive.clone().filter(|a| a.contains("://")));
    if class_name.is_none_or(str::is_empty) {
        return Err("no className provided".into());
    }
    let last = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
    let url = url.or_else(|| archive.clone().filter(|a| is_storage_path(a)));
    match (url, archive) {
        (Some(u), _) if is_download_url(&u) || is_storage_path(&u) => Ok(ConnectorPackage {
            jar: format!(
                "{}{}",
                worker.config.download_dir(),
                request
                    .package_file_name
                    .clone()
                    .unwrap_or_else(|| last(&u))
            ),
            location: Some(u),
            builtin: None,
        }),
        (Some(_), _) => Err(
            "Function Package url is not valid. supported url (function/sink/source/http/https)"
                .into(),
        ),
        (None, Some(path)) if path.starts_with('/') => Ok(ConnectorPackage {
            jar: path,
            location: None,
            builtin: None,
        }),
        // Deliberate fix: a relative path with a directory (`connectors/pulsar-io-x.nar`, as
        // Function Mesh's samples and catalogue write it) is a file relative to the image's
        // working directory and is kept as given; the Java worker dropped the directory.
        (None, Some(path)) if path.contains('/') => Ok(ConnectorPackage {
            jar: path,
            location: None,
            builtin: None,
        }),
        (None, Some(path)) => Ok(ConnectorPackage {
            jar: format!("{}{}", worker.config.download_dir(), last(&path)),
            location: None,
            builtin: None,
        }),
        (None, None) => Err(format!("{} package is not provided", kind.as_str())),
    }
}
