//! Reading the multipart body of create and update, as leniently as Pulsar's clients need:
//! pulsarctl's trailing space after the Content-Disposition name, `; charset=…` on part types,
//! parts in any order, unknown parts ignored.

use axum::extract::{FromRequest, Multipart, Request};
use serde::Deserialize;

use crate::error::ApiError;
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
}

fn unreadable(e: axum::extract::multipart::MultipartError) -> ApiError {
    ApiError::new(
        e.status(),
        format!("the multipart body cannot be read: {}", e.body_text()),
    )
}

/// Reads the form. A `data` part (a package upload) is refused: with `uploadEnabled` false as
/// Pulsar words it, otherwise because this worker cannot store uploads yet.
pub async fn read(kind: Kind, upload_enabled: bool, req: Request) -> Result<Form, ApiError> {
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
                return Err(ApiError::bad_request(if upload_enabled {
                    "uploading a package to this worker is not supported yet: upload it with \
                     `pulsar-admin packages upload` and pass its function://, sink:// or \
                     source:// URL"
                } else {
                    "Uploading Jar File is not enabled"
                }));
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
