//! The access settings of `functions_worker.yml`, read the way Pulsar's worker reads them:
//! `authenticationEnabled`, `authenticationProviders`, `authorizationEnabled`,
//! `authorizationProvider`, `superUserRoles`, `proxyRoles`, the token provider's keys under
//! `properties` (Pulsar copies the worker config's `properties` into the configuration its
//! authentication providers see), the worker's own broker client (`pulsarWebServiceUrl`,
//! `brokerClientAuthentication*`, trust settings) and the TLS listener (`workerPortTls`,
//! `tlsCertificateFilePath`, `tlsKeyFilePath`).
//!
//! Every problem is a [`ConfigProblem`] naming the file and the key path.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use crate::library::ConfigProblem;

/// Pulsar's token authentication provider.
pub const TOKEN_PROVIDER: &str =
    "org.apache.pulsar.broker.authentication.AuthenticationProviderToken";

/// Pulsar's default authorization provider (the only one this worker implements).
pub const PULSAR_AUTHORIZATION_PROVIDER: &str =
    "org.apache.pulsar.broker.authorization.PulsarAuthorizationProvider";

/// A configured secret (a key in a `data:` URL, a broker token): the worker's one redacting
/// wrapper, [`Credential`](crate::identity::Credential). Never printed.
pub type Hidden = crate::identity::Credential;

/// The token provider's settings (`properties`, with `tokenSettingPrefix` applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenSettings {
    /// `tokenSecretKey` (HMAC), as configured (`data:`, `file:`, a path, or base64).
    pub secret_key: Option<Hidden>,
    /// `tokenPublicKey` (RSA or EC), as configured.
    pub public_key: Option<Hidden>,
    /// `tokenAuthClaim` (default `sub`).
    pub auth_claim: String,
    /// `tokenPublicAlg` (default `RS256`).
    pub public_alg: String,
    /// `tokenAudienceClaim`.
    pub audience_claim: Option<String>,
    /// `tokenAudience`.
    pub audience: Option<String>,
    /// The key path prefix the settings were read under (`properties.<prefix>token…`).
    pub prefix: String,
}

/// The worker's own credentials and trust towards the broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerSettings {
    /// `pulsarWebServiceUrl`.
    pub url: String,
    /// The token of `AuthenticationToken` (its parameters), when the broker client uses one.
    pub token: Option<BrokerToken>,
    /// `brokerClientTrustCertsFilePath` (else `tlsTrustCertsFilePath`).
    pub trust_certs: Option<PathBuf>,
    /// `tlsAllowInsecureConnection`.
    pub allow_insecure: bool,
}

/// Where the worker's broker token comes from (the forms `AuthenticationToken` accepts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrokerToken {
    /// `token:<jwt>`, `{"token": "<jwt>"}` or the bare token.
    Inline(Hidden),
    /// `file:<path>` or `{"file": "<path>"}`: read at each use, so a rotated token is picked up.
    File(PathBuf),
}

/// The TLS listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsSettings {
    /// `workerPortTls`.
    pub port: u16,
    /// `tlsCertificateFilePath` (PEM chain).
    pub cert: PathBuf,
    /// `tlsKeyFilePath` (PEM private key).
    pub key: PathBuf,
}

/// Who may call, as configured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccessConfig {
    /// `authenticationEnabled`.
    pub authentication_enabled: bool,
    /// The token provider, when `authenticationProviders` names it.
    pub token: Option<TokenSettings>,
    /// `authorizationEnabled`.
    pub authorization_enabled: bool,
    /// `superUserRoles`.
    pub super_user_roles: BTreeSet<String>,
    /// `proxyRoles`.
    pub proxy_roles: BTreeSet<String>,
    /// `properties.authorizationAllowWildcardsMatching` (Pulsar's provider reads it from the
    /// broker configuration; the worker config has no such key, so it is read from `properties`).
    pub wildcards: bool,
    /// The broker, when `pulsarWebServiceUrl` is set.
    pub broker: Option<BrokerSettings>,
    /// The TLS listener, when `workerPortTls` and both files are set.
    pub tls: Option<TlsSettings>,
    /// Providers named in `authenticationProviders` that this worker does not implement
    /// (skipped; a request naming their method is refused).
    pub skipped_providers: Vec<String>,
}

struct Reader<'a> {
    file: &'a str,
    doc: &'a Value,
}

impl Reader<'_> {
    fn problem(&self, path: &str, message: impl Into<String>) -> ConfigProblem {
        ConfigProblem {
            file: self.file.to_owned(),
            path: path.to_owned(),
            message: message.into(),
        }
    }

    fn get(&self, path: &str) -> Option<&Value> {
        let mut v = self.doc;
        for k in path.split('.') {
            v = v.get(k)?;
        }
        (!v.is_null()).then_some(v)
    }

    fn bool(&self, path: &str) -> Result<Option<bool>, ConfigProblem> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.problem(path, "expected true or false")),
        }
    }

    fn string(&self, path: &str) -> Result<Option<String>, ConfigProblem> {
        match self.get(path) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(self.problem(path, "expected a string")),
        }
    }

    /// A set of names: a list, or a comma-separated string (the `.conf` spelling).
    fn set(&self, path: &str) -> Result<BTreeSet<String>, ConfigProblem> {
        let items: Vec<String> = match self.get(path) {
            None => Vec::new(),
            Some(Value::String(s)) => s.split(',').map(str::to_owned).collect(),
            Some(Value::Array(a)) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    match v {
                        Value::String(s) => out.push(s.clone()),
                        _ => return Err(self.problem(&format!("{path}[{i}]"), "expected a string")),
                    }
                }
                out
            }
            Some(_) => return Err(self.problem(path, "expected a list of strings")),
        };
        Ok(items
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect())
    }
}

fn key_setting(r: &Reader<'_>, path: &str) -> Result<Option<Hidden>, ConfigProblem> {
    match r.get(path) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(Hidden::new(s.trim()))),
        // The value is a secret: the problem never quotes it.
        Some(_) => Err(r.problem(path, "expected a string")),
    }
}

fn token_settings(r: &Reader<'_>) -> Result<TokenSettings, ConfigProblem> {
    let prefix = r
        .string("properties.tokenSettingPrefix")?
        .unwrap_or_default();
    let key = |name: &str| format!("properties.{prefix}{name}");
    let settings = TokenSettings {
        secret_key: key_setting(r, &key("tokenSecretKey"))?,
        public_key: key_setting(r, &key("tokenPublicKey"))?,
        auth_claim: r
            .string(&key("tokenAuthClaim"))?
            .unwrap_or_else(|| "sub".to_owned()),
        public_alg: r
            .string(&key("tokenPublicAlg"))?
            .unwrap_or_else(|| "RS256".to_owned()),
        audience_claim: r.string(&key("tokenAudienceClaim"))?,
        audience: r.string(&key("tokenAudience"))?,
        prefix: prefix.clone(),
    };
    if settings.secret_key.is_none() && settings.public_key.is_none() {
        return Err(r.problem(
            &key("tokenSecretKey"),
            format!(
                "AuthenticationProviderToken needs `{}` or `{}` under `properties` (no secret \
                 key was provided for token authentication)",
                key("tokenSecretKey").trim_start_matches("properties."),
                key("tokenPublicKey").trim_start_matches("properties."),
            ),
        ));
    }
    if let (Some(claim), None) = (&settings.audience_claim, &settings.audience) {
        return Err(r.problem(
            &key("tokenAudience"),
            format!("tokenAudienceClaim `{claim}` is set, but not the audience of this worker"),
        ));
    }
    Ok(settings)
}

fn broker_token(
    r: &Reader<'_>,
    path: &str,
    params: &Hidden,
) -> Result<Option<BrokerToken>, ConfigProblem> {
    let p = params.expose().trim();
    if p.is_empty() {
        return Ok(None);
    }
    if let Some(t) = p.strip_prefix("token:") {
        return Ok(Some(BrokerToken::Inline(Hidden::new(t.trim()))));
    }
    if let Some(f) = p.strip_prefix("file:") {
        return Ok(Some(BrokerToken::File(file_url_path(f))));
    }
    if p.starts_with('{') {
        let v: Value = serde_json::from_str(p)
            .map_err(|e| r.problem(path, format!("not a JSON object (column {})", e.column())))?;
        if let Some(t) = v.get("token").and_then(Value::as_str) {
            return Ok(Some(BrokerToken::Inline(Hidden::new(t.trim()))));
        }
        if let Some(f) = v.get("file").and_then(Value::as_str) {
            let f = f.strip_prefix("file:").unwrap_or(f);
            return Ok(Some(BrokerToken::File(file_url_path(f))));
        }
        return Err(r.problem(path, "expected a `token` or `file` key"));
    }
    Ok(Some(BrokerToken::Inline(Hidden::new(p))))
}

/// The path of a `file:` URL's remainder (`///abs`, `//host/abs` is not supported, `/abs`, `rel`).
pub fn file_url_path(rest: &str) -> PathBuf {
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    PathBuf::from(rest)
}

/// The broker client. Only `AuthenticationToken` credentials can be used to ask the broker; any
/// other plugin is an error when authorization needs the broker, and ignored otherwise (the
/// conversion still uses it for the components' credentials).
fn broker_settings(
    r: &Reader<'_>,
    authentication_enabled: bool,
    authorization_enabled: bool,
) -> Result<Option<BrokerSettings>, ConfigProblem> {
    let Some(url) = r.string("pulsarWebServiceUrl")? else {
        return Ok(None);
    };
    let use_auth = r
        .bool("brokerClientAuthenticationEnabled")?
        .unwrap_or(authentication_enabled);
    let plugin = r.string("brokerClientAuthenticationPlugin")?;
    let params = key_setting(r, "brokerClientAuthenticationParameters")?;
    let token = match (use_auth, plugin.as_deref(), params) {
        (true, Some(p), Some(params)) if p.ends_with("AuthenticationToken") => {
            broker_token(r, "brokerClientAuthenticationParameters", &params)?
        }
        (true, Some(p), _) if authorization_enabled && !p.ends_with("AuthenticationDisabled") => {
            return Err(r.problem(
                "brokerClientAuthenticationPlugin",
                format!(
                    "{p}: only org.apache.pulsar.client.impl.auth.AuthenticationToken is \
                     supported for the worker's own broker client"
                ),
            ))
        }
        _ => None,
    };
    let trust_certs = match r.string("brokerClientTrustCertsFilePath")? {
        Some(p) => Some(p),
        None => r.string("tlsTrustCertsFilePath")?,
    }
    .map(PathBuf::from);
    Ok(Some(BrokerSettings {
        url: url.trim_end_matches('/').to_owned(),
        token,
        trust_certs,
        allow_insecure: r.bool("tlsAllowInsecureConnection")?.unwrap_or(false),
    }))
}

fn tls_settings(r: &Reader<'_>) -> Result<Option<TlsSettings>, ConfigProblem> {
    let port = match r.get("workerPortTls") {
        None => return Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| r.problem("workerPortTls", "expected a port number"))?,
    };
    let cert = r.string("tlsCertificateFilePath")?.ok_or_else(|| {
        r.problem(
            "tlsCertificateFilePath",
            "workerPortTls needs a certificate",
        )
    })?;
    let key = r
        .string("tlsKeyFilePath")?
        .ok_or_else(|| r.problem("tlsKeyFilePath", "workerPortTls needs a private key"))?;
    Ok(Some(TlsSettings {
        port,
        cert: cert.into(),
        key: key.into(),
    }))
}

impl AccessConfig {
    /// Reads the access settings from the text of `functions_worker.yml` (YAML or JSON).
    pub fn parse(file: &str, text: &str) -> Result<AccessConfig, ConfigProblem> {
        let doc: Value = fm_convert::parse::parse(text).map_err(|e| ConfigProblem {
            file: file.to_owned(),
            path: e.path.clone(),
            message: e.message.clone(),
        })?;
        let r = Reader { file, doc: &doc };
        let authentication_enabled = r.bool("authenticationEnabled")?.unwrap_or(false);
        let authorization_enabled = r.bool("authorizationEnabled")?.unwrap_or(false);
        let mut token = None;
        let mut skipped = Vec::new();
        if authentication_enabled {
            for p in r.set("authenticationProviders")? {
                if p == TOKEN_PROVIDER {
                    token = Some(token_settings(&r)?);
                } else {
                    skipped.push(p);
                }
            }
            if token.is_none() && !skipped.is_empty() {
                return Err(r.problem(
                    "authenticationProviders",
                    format!(
                        "none of the providers is supported by fmesh-worker (only {TOKEN_PROVIDER}): {}",
                        skipped.join(", ")
                    ),
                ));
            }
        }
        if authorization_enabled {
            if let Some(p) = r.string("authorizationProvider")? {
                if p != PULSAR_AUTHORIZATION_PROVIDER {
                    return Err(r.problem(
                        "authorizationProvider",
                        format!("{p}: only {PULSAR_AUTHORIZATION_PROVIDER} is supported"),
                    ));
                }
            }
        }
        let broker = broker_settings(&r, authentication_enabled, authorization_enabled)?;
        if authorization_enabled && broker.is_none() {
            return Err(r.problem(
                "pulsarWebServiceUrl",
                "authorizationEnabled needs the broker's admin URL: tenant admins and namespace \
                 permissions are read from it",
            ));
        }
        Ok(AccessConfig {
            authentication_enabled,
            token,
            authorization_enabled,
            super_user_roles: r.set("superUserRoles")?,
            proxy_roles: r.set("proxyRoles")?,
            wildcards: r
                .bool("properties.authorizationAllowWildcardsMatching")?
                .unwrap_or(false),
            broker,
            tls: tls_settings(&r)?,
            skipped_providers: skipped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<AccessConfig, ConfigProblem> {
        AccessConfig::parse("functions_worker.yml", text)
    }

    #[test]
    fn token_keys_are_read_from_properties_with_the_prefix() {
        let c = parse(
            "authenticationEnabled: true\nauthenticationProviders:\n  - \
             org.apache.pulsar.broker.authentication.AuthenticationProviderToken\nproperties:\n  \
             tokenSettingPrefix: w_\n  w_tokenPublicKey: file:///keys/public.key\n  \
             w_tokenAuthClaim: role\n",
        )
        .unwrap();
        let t = c.token.unwrap();
        assert_eq!(t.public_key.unwrap().expose(), "file:///keys/public.key");
        assert_eq!(t.auth_claim, "role");
        assert_eq!(t.public_alg, "RS256");
        assert!(t.secret_key.is_none());
    }

    #[test]
    fn each_wrong_setting_names_its_key() {
        let token = "authenticationEnabled: true\nauthenticationProviders: \
                     org.apache.pulsar.broker.authentication.AuthenticationProviderToken\n";
        let cases = [
            (token.to_owned(), "properties.tokenSecretKey"),
            (
                format!("{token}properties:\n  tokenSecretKey: [1]\n"),
                "properties.tokenSecretKey",
            ),
            (
                format!(
                    "{token}properties:\n  tokenSecretKey: x\n  tokenAudienceClaim: aud\n"
                ),
                "properties.tokenAudience",
            ),
            (
                "authenticationEnabled: true\nauthenticationProviders: [a.B]\n".to_owned(),
                "authenticationProviders",
            ),
            ("authorizationEnabled: true\n".to_owned(), "pulsarWebServiceUrl"),
            (
                "authorizationEnabled: true\nauthorizationProvider: x.Y\n".to_owned(),
                "authorizationProvider",
            ),
            ("superUserRoles: [1]\n".to_owned(), "superUserRoles[0]"),
            ("proxyRoles: {a: b}\n".to_owned(), "proxyRoles"),
            ("workerPortTls: 99999\n".to_owned(), "workerPortTls"),
            ("workerPortTls: 6751\n".to_owned(), "tlsCertificateFilePath"),
            (
                "pulsarWebServiceUrl: http://b:8080\nbrokerClientAuthenticationEnabled: true\n\
                 authorizationEnabled: true\n\
                 brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.oauth2.AuthenticationOAuth2\n"
                    .to_owned(),
                "brokerClientAuthenticationPlugin",
            ),
            (
                "pulsarWebServiceUrl: http://b:8080\nbrokerClientAuthenticationEnabled: true\n\
                 brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
                 brokerClientAuthenticationParameters: '{\"x\": 1}'\n"
                    .to_owned(),
                "brokerClientAuthenticationParameters",
            ),
        ];
        for (text, key) in cases {
            let e = parse(&text).unwrap_err();
            assert_eq!(e.path, key, "{text}: {e}");
        }
    }

    #[test]
    fn broker_token_forms() {
        let base = "pulsarWebServiceUrl: http://b:8080/\nauthenticationEnabled: true\n\
                    brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n";
        let token = |params: &str| {
            parse(&format!(
                "{base}brokerClientAuthenticationParameters: '{params}'\n"
            ))
            .unwrap()
            .broker
            .unwrap()
        };
        let b = token("token:abc");
        assert_eq!(b.url, "http://b:8080");
        assert_eq!(b.token, Some(BrokerToken::Inline(Hidden::new("abc"))));
        assert_eq!(
            token("file:///run/t.jwt").token,
            Some(BrokerToken::File("/run/t.jwt".into()))
        );
        assert_eq!(
            token("{\"token\":\"xyz\"}").token,
            Some(BrokerToken::Inline(Hidden::new("xyz")))
        );
        assert_eq!(
            token("bare").token,
            Some(BrokerToken::Inline(Hidden::new("bare")))
        );
        // brokerClientAuthenticationEnabled defaults to authenticationEnabled.
        let off = parse(&format!(
            "{base}brokerClientAuthenticationEnabled: false\nbrokerClientAuthenticationParameters: token:abc\n"
        ))
        .unwrap();
        assert_eq!(off.broker.unwrap().token, None);
    }

    #[test]
    fn secrets_are_not_in_debug_or_problems() {
        let c = parse(
            "authenticationEnabled: true\nauthenticationProviders: \
             org.apache.pulsar.broker.authentication.AuthenticationProviderToken\nproperties:\n  \
             tokenSecretKey: data:;base64,SECRETSECRET\npulsarWebServiceUrl: http://b\n\
             brokerClientAuthenticationPlugin: org.apache.pulsar.client.impl.auth.AuthenticationToken\n\
             brokerClientAuthenticationParameters: token:SECRETTOKEN\n",
        )
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }
}
