//! OAuth2 client-credentials material: the key file (`auth.json`), the Pulsar OAuth2
//! plugin parameters (`clientAuthenticationParameters` / the worker's
//! `brokerClientAuthenticationParameters`) and the `privateKey` URL inside them.

use crate::error::AuthError;
use crate::json;
use base64::Engine as _;
use fm_model::Sensitive;
use serde::Serialize;
use serde_json::{Map, Value};

/// Fully qualified name of Pulsar's OAuth2 client authentication plugin.
pub const OAUTH2_PLUGIN: &str = "org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2";

/// Fields of a key file that Pulsar's OAuth2 plugin reads.
const KEY_FILE_FIELDS: [&str; 5] = [
    "type",
    "client_id",
    "client_secret",
    "client_email",
    "issuer_url",
];

/// Fields of the OAuth2 plugin parameters that this crate models.
const PARAM_FIELDS: [&str; 5] = ["audience", "issuerUrl", "privateKey", "type", "scope"];

/// Keys added for the Python runtime when parameters are re-serialised; dropped on input.
const PYTHON_FIELDS: [&str; 2] = ["issuer_url", "private_key"];

/// An OAuth2 client-credentials key file (`auth.json`), as Pulsar's OAuth2 plugin reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFile {
    /// Credential type, e.g. `client_credentials` (optional).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret (redacted in every rendering).
    pub client_secret: Sensitive,
    /// Service-account e-mail (optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_email: Option<String>,
    /// Token issuer URL (absolute http(s)).
    pub issuer_url: String,
    /// Keys present in the file that Pulsar's plugin does not read (names only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_fields: Vec<String>,
}

impl KeyFile {
    /// Parses key-file JSON text; `path` names where it came from in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, AuthError> {
        let value = json::parse(text, path)?;
        let map = json::object(&value, path)?;
        let issuer_url = json::req_str(map, "issuer_url", path)?;
        validate_issuer_url(issuer_url, &json::join(path, "issuer_url"))?;
        Ok(Self {
            type_: json::opt_str(map, "type", path)?.map(str::to_string),
            client_id: json::req_str(map, "client_id", path)?.to_string(),
            client_secret: Sensitive::new(json::req_str(map, "client_secret", path)?),
            client_email: json::opt_str(map, "client_email", path)?.map(str::to_string),
            issuer_url: issuer_url.to_string(),
            ignored_fields: map
                .keys()
                .filter(|k| !KEY_FILE_FIELDS.contains(&k.as_str()))
                .cloned()
                .collect(),
        })
    }
}

/// Where the OAuth2 private key (key file) is: `privateKey` of the plugin parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "location", rename_all = "kebab-case")]
pub enum PrivateKey {
    /// `file:///abs/path` (or `file:/abs/path`): a file inside the runtime's container.
    File {
        /// The URL as written.
        url: String,
        /// The absolute path (without the `file:` prefix).
        path: String,
    },
    /// `data:<media type>;base64,<key file>`: the key file inline.
    #[serde(rename = "data-url", rename_all = "camelCase")]
    DataUrl {
        /// Media type of the data URL (usually `application/json`).
        media_type: String,
        /// The decoded key file.
        key_file: KeyFile,
        /// The URL as written (it contains the client secret).
        #[serde(skip)]
        url: Sensitive,
    },
}

impl PrivateKey {
    /// Parses a `privateKey` value. Errors never contain the value.
    pub fn parse(value: &str, path: &str) -> Result<Self, AuthError> {
        let bad = |reason| AuthError::BadPrivateKey {
            path: path.to_string(),
            reason,
        };
        let lower_prefix = value.get(..5).map(str::to_ascii_lowercase);
        match lower_prefix.as_deref() {
            Some("file:") => {
                let rest = value.get(5..).unwrap_or_default();
                let file = rest.strip_prefix("//").unwrap_or(rest);
                if !file.starts_with('/') {
                    return Err(bad("the file: URL path must be absolute"));
                }
                if file.ends_with('/') {
                    return Err(bad("the file: URL names a directory, not a file"));
                }
                Ok(Self::File {
                    url: value.to_string(),
                    path: file.to_string(),
                })
            }
            Some("data:") => {
                let rest = value.get(5..).unwrap_or_default();
                let Some((meta, payload)) = rest.split_once(',') else {
                    return Err(bad("the data: URL has no `,` before its content"));
                };
                let Some(media_type) = meta.strip_suffix(";base64") else {
                    return Err(bad("the data: URL must be base64-encoded (`;base64,`)"));
                };
                let inner = format!("{path}<data: URL>");
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(payload.trim())
                    .map_err(|_| AuthError::BadBase64 {
                        path: inner.clone(),
                    })?;
                let text = String::from_utf8(bytes).map_err(|_| AuthError::NotUtf8 {
                    path: inner.clone(),
                })?;
                Ok(Self::DataUrl {
                    media_type: if media_type.is_empty() {
                        "text/plain".to_string()
                    } else {
                        media_type.to_string()
                    },
                    key_file: KeyFile::parse(&text, &inner)?,
                    url: Sensitive::new(value),
                })
            }
            _ => Err(bad("unsupported URL scheme")),
        }
    }

    /// The `privateKey` value as written (secret for data URLs).
    pub fn url(&self) -> Sensitive {
        match self {
            Self::File { url, .. } => Sensitive::new(url.as_str()),
            Self::DataUrl { url, .. } => url.clone(),
        }
    }

    /// The file name (last path segment) for `file:` keys; `None` for data URLs.
    pub fn file_name(&self) -> Option<&str> {
        match self {
            Self::File { path, .. } => path.rsplit('/').next().filter(|s| !s.is_empty()),
            Self::DataUrl { .. } => None,
        }
    }
}

/// Pulsar OAuth2 plugin parameters (`AuthenticationOAuth2` JSON form).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2Params {
    /// Credential type, e.g. `client_credentials`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Token issuer URL (absolute http(s)).
    pub issuer_url: String,
    /// OAuth2 audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// OAuth2 scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Where the key file is.
    pub private_key: PrivateKey,
    /// Other keys, kept for re-serialisation (not shown: they may hold anything).
    #[serde(skip)]
    pub extra: Map<String, Value>,
}

impl OAuth2Params {
    /// Parses the parameters JSON text; `path` names where it came from in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, AuthError> {
        let value = json::parse(text, path)?;
        Self::from_value(&value, path)
    }

    /// Reads the parameters from an already parsed JSON value.
    pub fn from_value(value: &Value, path: &str) -> Result<Self, AuthError> {
        let map = json::object(value, path)?;
        let issuer_url = json::req_str(map, "issuerUrl", path)?;
        validate_issuer_url(issuer_url, &json::join(path, "issuerUrl"))?;
        let private_key = PrivateKey::parse(
            json::req_str(map, "privateKey", path)?,
            &json::join(path, "privateKey"),
        )?;
        Ok(Self {
            type_: json::opt_str(map, "type", path)?.map(str::to_string),
            issuer_url: issuer_url.to_string(),
            audience: json::opt_str(map, "audience", path)?.map(str::to_string),
            scope: json::opt_str(map, "scope", path)?.map(str::to_string),
            private_key,
            extra: map
                .iter()
                .filter(|(k, _)| {
                    !PARAM_FIELDS.contains(&k.as_str()) && !PYTHON_FIELDS.contains(&k.as_str())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// Names of the keys this crate does not model (kept verbatim on re-serialisation).
    pub fn extra_field_names(&self) -> Vec<String> {
        self.extra.keys().cloned().collect()
    }

    /// Re-serialises for a runtime auth Secret, the way the Java worker does for the
    /// Python runtime: `audience`, `issuerUrl`, `privateKey`, `type`, `scope` (absent ones
    /// omitted), any other input keys, then `issuer_url` (= issuerUrl) and `private_key`
    /// (= privateKey without its `file://` prefix; data URLs unchanged).
    pub fn to_runtime_json(&self) -> Sensitive {
        let mut map = Map::new();
        let mut put = |k: &str, v: Option<&str>| {
            if let Some(v) = v {
                map.insert(k.to_string(), Value::String(v.to_string()));
            }
        };
        let key_url = self.private_key.url();
        put("audience", self.audience.as_deref());
        put("issuerUrl", Some(&self.issuer_url));
        put("privateKey", Some(key_url.expose()));
        put("type", self.type_.as_deref());
        put("scope", self.scope.as_deref());
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        map.insert(
            "issuer_url".to_string(),
            Value::String(self.issuer_url.clone()),
        );
        let python_key = match &self.private_key {
            PrivateKey::File { url, .. } => url.replacen("file://", "", 1),
            PrivateKey::DataUrl { url, .. } => url.expose().to_string(),
        };
        map.insert("private_key".to_string(), Value::String(python_key));
        Sensitive::new(Value::Object(map).to_string())
    }
}

/// Checks that an issuer URL is an absolute `http` or `https` URL with a host.
pub fn validate_issuer_url(value: &str, path: &str) -> Result<(), AuthError> {
    let err = |reason: String| AuthError::BadIssuerUrl {
        path: path.to_string(),
        reason,
    };
    let url = url::Url::parse(value).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => err("it is not absolute".to_string()),
        other => err(other.to_string()),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err("the scheme is not http or https".to_string()));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("it has no host".to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const SECRET: &str = "CANARY-oauth2-secret-91c2";

    fn key_json() -> String {
        format!(
            r#"{{"type":"client_credentials","client_id":"cid","client_secret":"{SECRET}","client_email":"a@b.c","issuer_url":"https://auth.example.org/","x":1}}"#
        )
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn key_file_parses_and_redacts() {
        let k = KeyFile::parse(&key_json(), "k").unwrap();
        assert_eq!(k.client_id, "cid");
        assert_eq!(k.client_secret.expose(), SECRET);
        assert_eq!(k.ignored_fields, vec!["x".to_string()]);
        assert!(!format!("{k:?}").contains(SECRET));
        assert!(!serde_json::to_string(&k).unwrap().contains(SECRET));
    }

    #[test]
    fn key_file_errors() {
        let e = KeyFile::parse(r#"{"client_id":"c","issuer_url":"https://x/"}"#, "k").unwrap_err();
        assert_eq!(
            e.to_string(),
            "k.client_secret: missing required field (a non-empty string)"
        );
        let e =
            KeyFile::parse(r#"{"client_secret":"s","issuer_url":"https://x/"}"#, "k").unwrap_err();
        assert!(matches!(e, AuthError::MissingField { ref path, .. } if path == "k.client_id"));
        let e = KeyFile::parse(r#"{"client_id":"c","client_secret":"s"}"#, "k").unwrap_err();
        assert!(matches!(e, AuthError::MissingField { ref path, .. } if path == "k.issuer_url"));
        let e = KeyFile::parse("[]", "k").unwrap_err();
        assert!(matches!(
            e,
            AuthError::WrongType {
                found: "an array",
                ..
            }
        ));
        let e = KeyFile::parse("nope", "k").unwrap_err();
        assert!(matches!(e, AuthError::NotJson { .. }));
        let e = KeyFile::parse(
            &format!(
                r#"{{"client_id":"c","client_secret":7,"issuer_url":"https://x/","z":"{SECRET}"}}"#
            ),
            "k",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "k.client_secret: expected a string, found a number"
        );
    }

    #[test]
    fn issuer_url_rules() {
        assert!(validate_issuer_url("https://auth.example.org/", "p").is_ok());
        assert!(validate_issuer_url("http://127.0.0.1:8080/realms/x", "p").is_ok());
        for bad in [
            "auth.example.org",
            "/relative",
            "ftp://x/",
            "file:///etc/x",
            "https://",
            "",
        ] {
            let e = validate_issuer_url(bad, "p").unwrap_err();
            assert!(matches!(e, AuthError::BadIssuerUrl { .. }), "{bad}: {e}");
        }
        assert_eq!(
            validate_issuer_url("ftp://x/", "p")
                .unwrap_err()
                .to_string(),
            "p: issuer URL must be an absolute http(s) URL (the scheme is not http or https)"
        );
        assert!(validate_issuer_url("auth", "p")
            .unwrap_err()
            .to_string()
            .contains("not absolute"));
    }

    #[test]
    fn private_key_file_forms() {
        let k = PrivateKey::parse("file:///mnt/secrets/auth.json", "pk").unwrap();
        assert_eq!(k.file_name(), Some("auth.json"));
        assert!(matches!(k, PrivateKey::File { ref path, .. } if path == "/mnt/secrets/auth.json"));
        let k = PrivateKey::parse("file:/etc/key.json", "pk").unwrap();
        assert!(matches!(k, PrivateKey::File { ref path, .. } if path == "/etc/key.json"));
        for (bad, reason) in [
            ("file://relative.json", "absolute"),
            ("file:///dir/", "directory"),
            ("https://x/key.json", "scheme"),
            (SECRET, "scheme"),
            ("", "scheme"),
            ("data:application/json;base64", "`,`"),
            ("data:application/json,{}", "base64"),
        ] {
            let e = PrivateKey::parse(bad, "pk").unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(reason), "{bad}: {msg}");
            assert!(!msg.contains(SECRET));
        }
    }

    #[test]
    fn private_key_data_url() {
        let url = format!("data:application/json;base64,{}", b64(&key_json()));
        let k = PrivateKey::parse(&url, "pk").unwrap();
        let PrivateKey::DataUrl {
            media_type,
            key_file,
            ..
        } = &k
        else {
            panic!("expected data url")
        };
        assert_eq!(media_type, "application/json");
        assert_eq!(key_file.client_secret.expose(), SECRET);
        assert_eq!(k.file_name(), None);
        assert_eq!(k.url().expose(), url);
        assert!(!format!("{k:?}").contains(SECRET));
        assert!(!serde_json::to_string(&k).unwrap().contains(SECRET));
        let e = PrivateKey::parse("data:application/json;base64,!!!", "pk").unwrap_err();
        assert_eq!(
            e,
            AuthError::BadBase64 {
                path: "pk<data: URL>".into()
            }
        );
        let e = PrivateKey::parse(&format!("data:;base64,{}", b64("[1]")), "pk").unwrap_err();
        assert!(matches!(e, AuthError::WrongType { .. }));
        let e = PrivateKey::parse("data:;base64,/w==", "pk").unwrap_err();
        assert_eq!(
            e,
            AuthError::NotUtf8 {
                path: "pk<data: URL>".into()
            }
        );
    }

    #[test]
    fn params_reserialise_like_the_worker() {
        let p = OAuth2Params::parse(
            r#"{"audience":"urn:aud","issuerUrl":"https://auth.example.org/","privateKey":"file:///mnt/secrets/auth.json","type":"client_credentials","private_key":"old","other":true}"#,
            "p",
        )
        .unwrap();
        assert_eq!(p.extra_field_names(), vec!["other".to_string()]);
        assert_eq!(
            p.to_runtime_json().expose(),
            r#"{"audience":"urn:aud","issuerUrl":"https://auth.example.org/","privateKey":"file:///mnt/secrets/auth.json","type":"client_credentials","other":true,"issuer_url":"https://auth.example.org/","private_key":"/mnt/secrets/auth.json"}"#
        );
        let e = OAuth2Params::parse(r#"{"privateKey":"file:///a"}"#, "p").unwrap_err();
        assert!(matches!(e, AuthError::MissingField { ref path, .. } if path == "p.issuerUrl"));
        let e = OAuth2Params::parse(r#"{"issuerUrl":"https://a/"}"#, "p").unwrap_err();
        assert!(matches!(e, AuthError::MissingField { ref path, .. } if path == "p.privateKey"));
    }
}
