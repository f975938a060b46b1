//! Warnings of a conversion that succeeded: what the user would otherwise learn only when the
//! pod fails or behaves differently from the Java worker's.

use crate::fidelity::is_storage_path;
use crate::front_door::{Request, Warning, Worker};
use crate::package::{package_field, ConnectorPackage, Package};
use fm_model::pulsar::{FunctionConfig, Runtime};

fn warning(path: &str, message: String) -> Warning {
    Warning {
        path: path.to_string(),
        message,
    }
}

/// A package given as an absolute path is read as a file in the runner image, not uploaded.
fn in_image(path: &str, value: &str) -> Warning {
    warning(
        path,
        format!(
            "`{value}` is read as a path inside the runner image, not as a file on this machine; \
             to use a local file, upload it (`pulsar-admin packages upload`) and pass its URL"
        ),
    )
}

/// A package given as `tenant/namespace/name` is downloaded from Pulsar's function storage.
fn storage(path: &str, value: &str) -> Warning {
    warning(
        path,
        format!(
            "`{value}` is read as a package in Pulsar's function storage (downloaded with \
             `pulsar-admin functions download --path`), not as a local file"
        ),
    )
}

/// The warnings of a function's conversion.
pub(crate) fn function_warnings(
    c: &FunctionConfig,
    package: &Package,
    worker: &Worker,
    request: &Request,
) -> Vec<Warning> {
    let field = package_field(c);
    let given = match field {
        "py" => c.py.as_deref(),
        "go" => c.go.as_deref(),
        _ => c.jar.as_deref(),
    }
    .unwrap_or_default();
    let mut out = Vec::new();
    match &package.location {
        None if given.starts_with('/') => out.push(in_image(field, given)),
        Some(l) if request.package_url.is_none() && is_storage_path(l) => {
            out.push(storage(field, l));
        }
        _ => {}
    }
    if package.runtime == Runtime::Python
        && package.location.is_some()
        && request.package_file_name.is_none()
    {
        out.push(warning(
            field,
            format!(
                "the package's file name is unknown, so it is written as `{}`: the Python \
                 runner then cannot tell a `.zip` or `.whl` package from a `.py` file nor take \
                 the module name from it; give the file name (`--package-file-name`, Pulsar \
                 package metadata `fileName`)",
                package.path
            ),
        ));
    }
    out.extend(tls(worker));
    out
}

/// The warnings of a sink's or source's conversion.
pub(crate) fn connector_warnings(
    archive: Option<&str>,
    package: &ConnectorPackage,
    worker: &Worker,
    request: &Request,
) -> Vec<Warning> {
    let archive = archive.unwrap_or_default();
    let mut out = Vec::new();
    if package.builtin.is_none() {
        match &package.location {
            None if archive.starts_with('/') => out.push(in_image("archive", archive)),
            Some(l) if request.package_url.is_none() && is_storage_path(l) => {
                out.push(storage("archive", l));
            }
            _ => {}
        }
    }
    out.extend(tls(worker));
    out
}

/// TLS where the Java worker would have given components the worker's own server certificate
/// (`tlsCertificateFilePath`) as their trust path, and fmesh gives them
/// `brokerClientTrustCertsFilePath` or the system trust store.
fn tls(worker: &Worker) -> Option<Warning> {
    let w = &worker.config;
    let server = w
        .tls_certificate_file_path
        .as_deref()
        .filter(|p| !p.is_empty())?;
    let client = w
        .broker_client_trust_certs_file_path
        .as_deref()
        .filter(|p| !p.is_empty());
    if !w.tls_enabled || client == Some(server) {
        return None;
    }
    let used = match client {
        Some(p) => format!("`brokerClientTrustCertsFilePath` (`{p}`)"),
        None => "the system trust store (no `brokerClientTrustCertsFilePath`)".to_string(),
    };
    Some(warning(
        "tlsCertificateFilePath",
        format!(
            "the Java worker gave components the worker's own server certificate (`{server}`) \
             as their trust path; fmesh gives them {used}, so a broker certificate that only \
             the former trusts is refused"
        ),
    ))
}
