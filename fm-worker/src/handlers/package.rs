//! The package a create or update names, checked against Pulsar's package service.

use http::StatusCode;
use serde_json::Value;

use super::Result;
use crate::error::ApiError;
use crate::jar::{self, JarError};
use crate::{Kind, WorkerState};

/// The package a config names: the `url` part, else `jar`/`py`/`go` (functions) or `archive`.
pub(super) fn package_url<'a>(
    kind: Kind,
    url: Option<&'a str>,
    config: &'a Value,
) -> Option<&'a str> {
    let fields: &[&str] = match kind {
        Kind::Function => &["jar", "py", "go"],
        Kind::Sink | Kind::Source => &["archive"],
    };
    url.or_else(|| {
        fields
            .iter()
            .find_map(|f| config.get(*f).and_then(Value::as_str))
            .filter(|s| !s.is_empty())
    })
}

/// A `function://`, `sink://` or `source://` package must exist in Pulsar's package service
/// before a resource names it (checked when `pulsarWebServiceUrl` is configured).
pub(super) async fn check_package(
    kind: Kind,
    state: &WorkerState,
    url: Option<&str>,
    config: &Value,
) -> Result<()> {
    let (Some(packages), Some(url)) = (state.packages(), package_url(kind, url, config)) else {
        return Ok(());
    };
    let Some(name) = crate::packages::PackageName::parse(url) else {
        return Ok(());
    };
    let packages =
        packages.map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.to_owned()))?;
    match packages.exists(&name).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::bad_request(format!(
            "package {url} does not exist in Pulsar's package service (upload it with \
             `pulsar-admin packages upload`)"
        ))),
        Err(e) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            e.to_string(),
        )),
    }
}

/// Fills `inputTypeClassName` / `outputTypeClassName` of a Java function config that gives
/// neither, from the function class in its package (fetched from the package service into a
/// temporary file), as the Java worker does. Nothing to do for other runtimes, for packages that
/// are not in the package service, or without a package service.
pub(super) async fn fill_type_args(
    state: &WorkerState,
    url: Option<&str>,
    config: &mut Value,
) -> Result<()> {
    let given = |k: &str| {
        config
            .get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let java = match config.get("runtime").and_then(Value::as_str) {
        Some(r) => r.eq_ignore_ascii_case("JAVA"),
        None => !given("py") && !given("go"),
    };
    if !java || (given("inputTypeClassName") && given("outputTypeClassName")) {
        return Ok(());
    }
    let Some(class) = config
        .get("className")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
    else {
        return Ok(());
    };
    let Some(url) = package_url(Kind::Function, url, config).map(str::to_owned) else {
        return Ok(());
    };
    let (Some(Ok(packages)), Some(package)) =
        (state.packages(), crate::packages::PackageName::parse(&url))
    else {
        return Ok(());
    };
    let unavailable = |e: String| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e);
    let temp =
        tempfile::tempfile().map_err(|e| ApiError::internal(format!("temporary file: {e}")))?;
    let mut file = tokio::fs::File::from_std(
        temp.try_clone()
            .map_err(|e| ApiError::internal(format!("temporary file: {e}")))?,
    );
    packages
        .download(&package, &mut file)
        .await
        .map_err(|e| unavailable(e.to_string()))?;
    drop(file);
    let c = class.clone();
    let read = tokio::task::spawn_blocking(move || {
        let mut temp = temp;
        std::io::Seek::rewind(&mut temp).map_err(|e| JarError::NotAJar(e.to_string()))?;
        jar::function_type_args(std::io::BufReader::new(temp), &c)
    })
    .await
    .map_err(|e| ApiError::internal(format!("reading the jar: {e}")))?;
    let types = read.map_err(|e| {
        ApiError::bad_request(format!(
            "Function class {class} cannot be read from {url}: {e}"
        ))
    })?;
    if let Some(o) = config.as_object_mut() {
        for (key, value) in [
            ("inputTypeClassName", types.input),
            ("outputTypeClassName", types.output),
        ] {
            let empty = o.get(key).and_then(Value::as_str).is_none_or(str::is_empty);
            if empty {
                o.insert(key.into(), Value::String(value));
            }
        }
    }
    Ok(())
}
