//! Reading the multipart body of create and update, as leniently as Pulsar's clients need:
//! pulsarctl's trailing space after the Content-Disposition name, `; charset=…` on part types,
//! parts in any order, unknown parts ignored. A `data` part (a package) is streamed to Pulsar's
//! package service as it is read.

use axum::extract::{FromRequest, Multipart, Request};
use serde::Deserialize;

use crate::error::ApiError;
use crate::packages::{PackageError, PackageName, Packages, Uploaded};
use crate::Kind;

/// The largest config part read, in bytes (also `url` and `updateOptions`).
pub const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// `updateOptions` (`{"updateAuthData": bool}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOptions {
    /// Re-derive the component's credentials from this request.
    #[serde(default)]
    pub update_auth_data: bool,
}

/// The parts of a create or update.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// The config part, as text.
    pub config: Option<String>,
    /// The `url` part.
    pub url: Option<String>,
    /// The `updateOptions` part.
    pub update_options: Option<UpdateOptions>,
    /// The `data` part, stored in the package service, and its file name.
    pub uploaded: Option<(Uploaded, String)>,
}

/// What becomes of a `data` part.
#[derive(Clone, Copy, Debug)]
pub enum Uploads<'a> {
    /// `uploadEnabled` is false: refused as Pulsar words it.
    Disabled,
    /// Enabled, but there is no package service to store it in (why).
    Unavailable(&'a str),
    /// Streamed into the package service as this package.
    To(&'a Packages, &'a PackageName),
}

fn upload_failed(e: PackageError) -> ApiError {
    match e {
        PackageError::Body(m) => ApiError::bad_request(format!("data: {m}")),
        other => ApiError::new(http::StatusCode::SERVICE_UNAVAILABLE, other.to_string()),
    }
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::new(
        e.status(),
        format!("the multipart body cannot be read: {}", e.body_text()),
    )
}

/// Reads the form; a `data` part goes where `uploads` says.
pub async fn read(kind: Kind, uploads: Uploads<'_>, req: Request) -> Result<Form, ApiError> {
    let is_multipart = req
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        return Err(ApiError::bad_request(format!(
            "expected a multipart/form-data body with a `{}` part",
            kind.config_part()
        )));
    }
    let mut multipart = Multipart::from_request(req, &()).await.map_err(|e| {
        ApiError::bad_request(format!(
            "the multipart body cannot be read: {}",
            e.body_text()
        ))
    })?;
    let mut form = Form::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().trim().to_owned();
        match name.as_str() {
            "data" => {
                let (packages, package) = match uploads {
                    Uploads::Disabled => {
                        return Err(ApiError::bad_request("Uploading Jar File is not enabled"))
                    }
                    Uploads::Unavailable(why) => {
                        return Err(ApiError::new(
                            http::StatusCode::SERVICE_UNAVAILABLE,
                            format!("uploaded packages cannot be stored: {why}"),
                        ))
                    }
                    Uploads::To(p, n) => (p, n),
                };
                if form.uploaded.is_some() {
                    return Err(ApiError::bad_request("data: more than one `data` part"));
                }
                let file_name = field
                    .file_name()
                    .map(|f| f.rsplit(['/', '\\']).next().unwrap_or(f).to_owned())
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| package.name.clone());
                let mut stream = std::pin::pin!(field);
                let up = packages
                    .upload(package, &file_name, stream.as_mut())
                    .await
                    .map_err(upload_failed)?;
                tracing::info!(package = %up.url, bytes = up.size, "package uploaded");
                form.uploaded = Some((up, file_name));
                continue;
            }
            "url" | "updateOptions" => {}
            n if n == kind.config_part() => {}
            _ => continue,
        }
        let bytes = bounded(field, &name).await?;
        let text = String::from_utf8(bytes).map_err(|e| {
            ApiError::bad_request(format!(
                "{name}: not UTF-8 text (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        match name.as_str() {
            "url" => form.url = Some(text.trim().to_owned()).filter(|u| !u.is_empty()),
            "updateOptions" => {
                let o = if text.trim().is_empty() {
                    UpdateOptions::default()
                } else {
                    serde_json::from_str::<UpdateOptions>(&text).map_err(|e| {
                        ApiError::bad_request(format!(
                            "updateOptions: expected {{\"updateAuthData\": true|false}} (line {} column {})",
                            e.line(),
                            e.column()
                        ))
                    })?
                };
                form.update_options = Some(o);
            }
            _ => form.config = Some(text),
        }
    }
    Ok(form)
}

/// Reads a part chunk by chunk, refusing it (413) as soon as it passes [`MAX_CONFIG_BYTES`]:
/// an oversized part is never held whole.
async fn bounded(
    mut field: axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
        if out.len() + chunk.len() > MAX_CONFIG_BYTES {
            return Err(ApiError::new(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                format!("{name}: larger than {MAX_CONFIG_BYTES} bytes"),
            ));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}
