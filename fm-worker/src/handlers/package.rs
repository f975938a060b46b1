//! The package a create or update names, checked against Pulsar's package service.

use http::StatusCode;
use serde_json::Value;

use super::Result;
use crate::error::ApiError;
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
