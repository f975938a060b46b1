//! Kubernetes Secrets in and out: reading Secret documents strictly (with our own base64
//! errors), and understanding a user's OAuth2 Secret.

use crate::error::AuthError;
use crate::json;
use crate::oauth2::{KeyFile, OAuth2Params, PrivateKey};
use base64::Engine as _;
use fm_model::REDACTED;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::ByteString;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Secret key of the OAuth2 key file (`{client_id, client_secret, issuer_url}`).
pub const AUTH_JSON_KEY: &str = "auth.json";
/// Secret key of the OAuth2 plugin parameters (older per-user format); also the env var
/// the operator reads from an auth Secret.
pub const CLIENT_AUTH_PARAMS_KEY: &str = "clientAuthenticationParameters";
/// Secret key of the plugin class name in an auth Secret.
pub const CLIENT_AUTH_PLUGIN_KEY: &str = "clientAuthenticationPlugin";

/// Reads one Kubernetes Secret from a parsed YAML/JSON document.
///
/// Unlike deserialising `k8s_openapi`'s `Secret` directly, every problem is a typed
/// [`AuthError`] with a field path (`data["auth.json"]: not valid base64`), and no error
/// quotes a value. `kind` must be `Secret` and `apiVersion` `v1` when present.
pub fn secret_from_value(value: &Value) -> Result<Secret, AuthError> {
    secret_at(value, "")
}

/// Reads the Secrets of a `--secrets` document: one Secret, a `List`/`SecretList` with
/// `items`, or a JSON/YAML array of Secrets.
pub fn secrets_from_value(value: &Value) -> Result<Vec<Secret>, AuthError> {
    let items = match value {
        Value::Array(items) => Some((items, "")),
        Value::Object(map) if map.get("kind").and_then(Value::as_str) != Some("Secret") => {
            match map.get("items") {
                Some(Value::Array(items)) => Some((items, "items")),
                _ => None,
            }
        }
        _ => None,
    };
    match items {
        Some((items, prefix)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| secret_at(item, &format!("{prefix}[{i}]")))
            .collect(),
        None => secret_at(value, "").map(|s| vec![s]),
    }
}

fn secret_at(value: &Value, path: &str) -> Result<Secret, AuthError> {
    let doc = if path.is_empty() { "<document>" } else { path };
    let map = value.as_object().ok_or_else(|| AuthError::NotASecret {
        path: doc.to_string(),
        found: format!("found {}", json::type_name(value)),
    })?;
    if let Some(kind) = json::opt_str(map, "kind", path)? {
        if kind != "Secret" {
            return Err(AuthError::NotASecret {
                path: json::join(path, "kind"),
                found: format!("found kind `{kind}`"),
            });
        }
    }
    if let Some(api) = json::opt_str(map, "apiVersion", path)? {
        if api != "v1" {
            return Err(AuthError::NotASecret {
                path: json::join(path, "apiVersion"),
                found: format!("found apiVersion `{api}`"),
            });
        }
    }
    let mut metadata = ObjectMeta::default();
    if let Some(meta) = map.get("metadata").filter(|v| !v.is_null()) {
        let mpath = json::join(path, "metadata");
        let meta = json::object(meta, &mpath)?;
        metadata.name = json::opt_str(meta, "name", &mpath)?.map(str::to_string);
        metadata.namespace = json::opt_str(meta, "namespace", &mpath)?.map(str::to_string);
        metadata.annotations =
            string_map(meta.get("annotations"), &json::join(&mpath, "annotations"))?;
        metadata.labels = string_map(meta.get("labels"), &json::join(&mpath, "labels"))?;
    }
    let string_data = string_map(map.get("stringData"), &json::join(path, "stringData"))?;
    let data = match string_map(map.get("data"), &json::join(path, "data"))? {
        None => None,
        Some(encoded) => Some(
            encoded
                .into_iter()
                .map(|(k, v)| {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(v.trim())
                        .map_err(|_| AuthError::BadBase64 {
                            path: key_path(&json::join(path, "data"), &k),
                        })?;
                    Ok((k, ByteString(bytes)))
                })
                .collect::<Result<BTreeMap<_, _>, AuthError>>()?,
        ),
    };
    Ok(Secret {
        metadata,
        data,
        string_data,
        type_: json::opt_str(map, "type", path)?.map(str::to_string),
        immutable: match map.get("immutable") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(AuthError::WrongType {
                    path: json::join(path, "immutable"),
                    expected: "a boolean",
                    found: json::type_name(other),
                })
            }
        },
    })
}

/// A map of strings (labels, annotations, data, stringData); errors name the key only.
fn string_map(
    value: Option<&Value>,
    path: &str,
) -> Result<Option<BTreeMap<String, String>>, AuthError> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let map = json::object(value, path)?;
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            other => Err(AuthError::WrongType {
                path: key_path(path, k),
                expected: "a string",
                found: json::type_name(other),
            }),
        })
        .collect::<Result<BTreeMap<_, _>, _>>()
        .map(Some)
}

/// `data["auth.json"]`-style path of a map key.
pub(crate) fn key_path(map_path: &str, key: &str) -> String {
    format!("{map_path}[{key:?}]")
}

/// A Secret's name for messages.
pub(crate) fn display_name(secret: &Secret) -> String {
    secret
        .metadata
        .name
        .clone()
        .unwrap_or_else(|| "<unnamed>".to_string())
}

/// One text value of a Secret: `stringData` wins over `data`, as in the API server.
/// Returns the value and its field path.
pub(crate) fn secret_text(
    secret: &Secret,
    key: &str,
) -> Option<Result<(String, String), AuthError>> {
    if let Some(v) = secret.string_data.as_ref().and_then(|m| m.get(key)) {
        return Some(Ok((v.clone(), key_path("stringData", key))));
    }
    let bytes = secret.data.as_ref().and_then(|m| m.get(key))?;
    let path = key_path("data", key);
    Some(
        String::from_utf8(bytes.0.clone())
            .map(|s| (s, path.clone()))
            .map_err(|_| AuthError::NotUtf8 { path }),
    )
}

/// Copies a Secret with every `data`/`stringData` value replaced by `<redacted>`, for
/// printing generated Secrets.
pub fn redacted_secret(secret: &Secret) -> Secret {
    let mut out = secret.clone();
    let keys = out
        .data
        .take()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .chain(out.string_data.take().into_iter().flatten().map(|(k, _)| k));
    let redacted: BTreeMap<String, String> = keys.map(|k| (k, REDACTED.to_string())).collect();
    out.string_data = (!redacted.is_empty()).then_some(redacted);
    out
}

/// Which layout an OAuth2 Secret has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretFormat {
    /// Only `auth.json` (the key file): per-user OAuth2 via `authConfig.oauth2Config`
    /// (Function Mesh ≥ v0.6.0; found by annotation).
    KeyFile,
    /// `auth.json` plus `clientAuthenticationParameters` with a `file:` private key: the
    /// older per-user format (Secret named after the role, key file mounted at the path).
    KeyFileAndClientParams,
    /// `clientAuthenticationParameters` whose private key is a `data:` URL (the key file
    /// inline); `auth.json` optional.
    ClientParamsInlineKey,
}

impl SecretFormat {
    /// One-line human description.
    pub fn description(self) -> &'static str {
        match self {
            Self::KeyFile => "auth.json key file (per-user OAuth2, authConfig.oauth2Config)",
            Self::KeyFileAndClientParams => {
                "auth.json key file + clientAuthenticationParameters with a file: private key (older per-user format)"
            }
            Self::ClientParamsInlineKey => {
                "clientAuthenticationParameters with an inline data: URL private key"
            }
        }
    }
}

/// The key file of a Secret and where it was read from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourcedKeyFile {
    /// Field path, e.g. `stringData["auth.json"]`.
    pub source: String,
    /// The parsed key file.
    #[serde(flatten)]
    pub key_file: KeyFile,
}

/// The plugin parameters of a Secret and where they were read from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SourcedParams {
    /// Field path, e.g. `stringData["clientAuthenticationParameters"]`.
    pub source: String,
    /// The parsed parameters.
    #[serde(flatten)]
    pub params: OAuth2Params,
    /// Keys present that this crate does not model (names only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_fields: Vec<String>,
}

/// A user's OAuth2 Secret, understood. `Debug` and `Serialize` redact the client secret.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Secret {
    /// `metadata.name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `metadata.namespace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Which layout the Secret has.
    pub format: SecretFormat,
    /// [`SecretFormat::description`] of `format`.
    pub format_description: &'static str,
    /// `metadata.annotations` (the role annotation lives here).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// `auth.json`, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_file: Option<SourcedKeyFile>,
    /// `clientAuthenticationParameters`, when present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_authentication_parameters: Option<SourcedParams>,
}

impl OAuth2Secret {
    /// Understands a user's OAuth2 Secret.
    ///
    /// Accepted: `auth.json` alone; `auth.json` + `clientAuthenticationParameters`; or
    /// `clientAuthenticationParameters` whose `privateKey` is a `data:` URL. Values come
    /// from `stringData` (winning) or `data`. Every present part is parsed strictly.
    pub fn parse(secret: &Secret) -> Result<Self, AuthError> {
        let name = display_name(secret);
        let key_file = secret_text(secret, AUTH_JSON_KEY)
            .map(|r| {
                r.and_then(|(text, path)| {
                    KeyFile::parse(&text, &path).map(|key_file| SourcedKeyFile {
                        source: path,
                        key_file,
                    })
                })
            })
            .transpose()?;
        let params = secret_text(secret, CLIENT_AUTH_PARAMS_KEY)
            .map(|r| {
                r.and_then(|(text, path)| {
                    OAuth2Params::parse(&text, &path).map(|params| SourcedParams {
                        source: path,
                        other_fields: params.extra_field_names(),
                        params,
                    })
                })
            })
            .transpose()?;
        let missing_auth_json = || AuthError::MissingKey {
            path: key_path("data", AUTH_JSON_KEY),
            secret: name.clone(),
            key: AUTH_JSON_KEY.to_string(),
        };
        let format = match (&key_file, &params) {
            (_, Some(p)) if matches!(p.params.private_key, PrivateKey::DataUrl { .. }) => {
                SecretFormat::ClientParamsInlineKey
            }
            (Some(_), Some(_)) => SecretFormat::KeyFileAndClientParams,
            (Some(_), None) => SecretFormat::KeyFile,
            (None, _) => return Err(missing_auth_json()),
        };
        Ok(Self {
            name: secret.metadata.name.clone(),
            namespace: secret.metadata.namespace.clone(),
            format,
            format_description: format.description(),
            annotations: secret.metadata.annotations.clone().unwrap_or_default(),
            key_file,
            client_authentication_parameters: params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SECRET: &str = "CANARY-secret-doc-55e1";

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn key_json() -> String {
        format!(
            r#"{{"client_id":"cid","client_secret":"{SECRET}","issuer_url":"https://auth.example.org/"}}"#
        )
    }

    #[test]
    fn reads_data_and_string_data() {
        let v = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "alice", "annotations": {"a": "b"}},
            "data": {"auth.json": b64("old"), "x": b64("y")},
            "stringData": {"auth.json": key_json()}
        });
        let s = secret_from_value(&v).unwrap();
        let (text, path) = secret_text(&s, "auth.json").unwrap().unwrap();
        assert_eq!(text, key_json());
        assert_eq!(path, "stringData[\"auth.json\"]");
        let (text, path) = secret_text(&s, "x").unwrap().unwrap();
        assert_eq!((text.as_str(), path.as_str()), ("y", "data[\"x\"]"));
        assert!(secret_text(&s, "none").is_none());
    }

    #[test]
    fn document_errors() {
        let e = secret_from_value(&json!({"kind": "Secret", "data": {"auth.json": "%%%"}}))
            .unwrap_err();
        assert_eq!(e.to_string(), "data[\"auth.json\"]: not valid base64");
        let e = secret_from_value(&json!({"kind": "ConfigMap"})).unwrap_err();
        assert!(matches!(e, AuthError::NotASecret { ref path, .. } if path == "kind"));
        let e = secret_from_value(&json!({"apiVersion": "v2"})).unwrap_err();
        assert!(matches!(e, AuthError::NotASecret { ref path, .. } if path == "apiVersion"));
        let e = secret_from_value(&json!("str")).unwrap_err();
        assert_eq!(e.to_string(), "<document>: expected a Kubernetes Secret (apiVersion `v1`, kind `Secret`), found a string");
        let e = secret_from_value(&json!({"stringData": {"k": 1}})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "stringData[\"k\"]: expected a string, found a number"
        );
        let e = secret_from_value(&json!({"metadata": []})).unwrap_err();
        assert!(matches!(e, AuthError::WrongType { ref path, .. } if path == "metadata"));
        let e = secret_from_value(&json!({"immutable": "x"})).unwrap_err();
        assert!(matches!(e, AuthError::WrongType { ref path, .. } if path == "immutable"));
        let s = secret_from_value(&json!({"data": {"k": "/w=="}})).unwrap();
        assert_eq!(
            secret_text(&s, "k").unwrap().unwrap_err(),
            AuthError::NotUtf8 {
                path: "data[\"k\"]".into()
            }
        );
    }

    #[test]
    fn secret_lists() {
        let one = json!({"kind": "Secret", "metadata": {"name": "a"}});
        assert_eq!(secrets_from_value(&one).unwrap().len(), 1);
        let list = json!({"kind": "List", "items": [one.clone(), one.clone()]});
        assert_eq!(secrets_from_value(&list).unwrap().len(), 2);
        assert_eq!(secrets_from_value(&json!([one])).unwrap().len(), 1);
        let e = secrets_from_value(&json!({"kind": "SecretList", "items": [{"kind": "Pod"}]}))
            .unwrap_err();
        assert!(matches!(e, AuthError::NotASecret { ref path, .. } if path == "items[0].kind"));
    }

    #[test]
    fn formats() {
        let params = r#"{"issuerUrl":"https://auth.example.org/","privateKey":"file:///mnt/secrets/auth.json","audience":"aud","scope":"s","type":"client_credentials"}"#;
        let seed = secret_from_value(&json!({"metadata": {"name": "alice"}, "stringData": {"auth.json": key_json(), "clientAuthenticationParameters": params}})).unwrap();
        let p = OAuth2Secret::parse(&seed).unwrap();
        assert_eq!(p.format, SecretFormat::KeyFileAndClientParams);
        assert!(!format!("{p:?}").contains(SECRET));
        assert!(!serde_json::to_string(&p).unwrap().contains(SECRET));

        let key_only =
            secret_from_value(&json!({"data": {"auth.json": b64(&key_json())}})).unwrap();
        assert_eq!(
            OAuth2Secret::parse(&key_only).unwrap().format,
            SecretFormat::KeyFile
        );

        let inline = format!(
            r#"{{"issuerUrl":"https://auth.example.org/","privateKey":"data:application/json;base64,{}"}}"#,
            b64(&key_json())
        );
        let inline =
            secret_from_value(&json!({"data": {"clientAuthenticationParameters": b64(&inline)}}))
                .unwrap();
        let p = OAuth2Secret::parse(&inline).unwrap();
        assert_eq!(p.format, SecretFormat::ClientParamsInlineKey);
        assert!(!serde_json::to_string(&p).unwrap().contains(SECRET));

        let params_only = secret_from_value(&json!({"metadata": {"name": "bob"}, "stringData": {"clientAuthenticationParameters": params}})).unwrap();
        assert_eq!(
            OAuth2Secret::parse(&params_only).unwrap_err().to_string(),
            "data[\"auth.json\"]: Secret `bob` has no key `auth.json` in `data` or `stringData`"
        );
        let empty = Secret::default();
        assert!(
            matches!(OAuth2Secret::parse(&empty).unwrap_err(), AuthError::MissingKey { ref secret, .. } if secret == "<unnamed>")
        );
    }

    #[test]
    fn redaction_of_generated_secrets() {
        let s = secret_from_value(&json!({"metadata": {"name": "x"}, "data": {"a": b64(SECRET)}, "stringData": {"b": SECRET}})).unwrap();
        let r = redacted_secret(&s);
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains(SECRET) && !text.contains(&b64(SECRET)));
        assert_eq!(r.string_data.unwrap().len(), 2);
        assert!(r.data.is_none());
    }
}
