//! `Authorization: Bearer <jwt>` checked as Pulsar's `AuthenticationProviderToken` checks it.
//!
//! * The key: `tokenSecretKey` (HMAC) or `tokenPublicKey` (RSA or EC, chosen by
//!   `tokenPublicAlg`, default `RS256`), each as `data:[…][;base64],…`, `file:…`, a path to an
//!   existing file, or the base64 of the key. A public key is the DER of a SubjectPublicKeyInfo
//!   (what `pulsar tokens create-key-pair` writes); PEM is accepted too. An HMAC key shorter than
//!   256 bits is refused at start-up, as Pulsar refuses it.
//! * A token is accepted when its signature verifies with the key under an algorithm of the key's
//!   family that the key is strong enough for (HMAC keys: HS256 from 256 bits, HS384 from 384,
//!   HS512 from 512), it has not expired (`exp`, no clock skew) and is not used before `nbf`,
//!   and, when `tokenAudienceClaim` is set, that claim names `tokenAudience`.
//! * The role is the `tokenAuthClaim` claim (default `sub`): a string, or the first element of a
//!   list of strings. A token without one is refused (Pulsar lets it through with no role, which
//!   its authorization then refuses anyway).
//!
//! Every refusal is answered 401 `Authentication required`, as Pulsar's authentication filter
//! answers; the precise reason goes to the log, never with the token or a claim value.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use futures::future::BoxFuture;
use http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::config::{file_url_path, Hidden, TokenSettings};
use crate::error::ApiError;
use crate::identity::{header, Authenticator, Credential, Identity};
use crate::library::ConfigProblem;

/// Why a token was refused (logged; the caller only sees `Authentication required`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization` header.
    #[error("no credentials in the request (no Authorization header)")]
    NoCredentials,
    /// `X-Pulsar-Auth-Method-Name` names a method this worker does not serve.
    #[error("unsupported authentication method")]
    UnsupportedMethod,
    /// The header does not start with `Bearer `.
    #[error("Invalid HTTP Authorization header")]
    InvalidHeader,
    /// `Bearer ` and nothing else.
    #[error("Blank token found")]
    Blank,
    /// Not a signed JWT.
    #[error("Failed to authentication token: malformed token ({0})")]
    Malformed(&'static str),
    /// Signed with an algorithm the key does not verify.
    #[error("Failed to authentication token: signed with {0:?}, which the configured key does not verify")]
    WrongAlgorithm(Algorithm),
    /// The signature does not verify.
    #[error(
        "Failed to authentication token: JWT signature does not match locally computed signature"
    )]
    BadSignature,
    /// `exp` is past.
    #[error("Failed to authentication token: JWT expired")]
    Expired,
    /// `nbf` is ahead.
    #[error("Failed to authentication token: JWT must not be accepted before its nbf time")]
    NotYetValid,
    /// The role claim is missing or not a string.
    #[error("the token has no `{0}` claim naming a role")]
    NoRole(String),
    /// The audience claim does not name this worker.
    #[error("Failed to authentication token: the `{claim}` claim does not contain this worker's audience {audience}")]
    Audience {
        /// `tokenAudienceClaim`.
        claim: String,
        /// `tokenAudience`.
        audience: String,
    },
}

/// Verifies tokens with the configured key.
pub struct TokenVerifier {
    key: DecodingKey,
    algorithms: Vec<Algorithm>,
    role_claim: String,
    audience: Option<(String, String)>,
}

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("key", &"<redacted>")
            .field("algorithms", &self.algorithms)
            .field("role_claim", &self.role_claim)
            .field("audience", &self.audience)
            .finish()
    }
}

/// Reads a key setting the way Pulsar's `AuthTokenUtils.readKeyFromUrl` does. The error never
/// quotes the setting (it may hold the key itself).
fn read_key(setting: &Hidden) -> Result<Vec<u8>, String> {
    let s = setting.expose();
    if let Some(rest) = s.strip_prefix("data:") {
        let (meta, data) = rest
            .split_once(',')
            .ok_or("a `data:` URL needs a `,` before the key")?;
        return if meta.ends_with(";base64") {
            base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| "the `data:` URL's key is not valid base64".to_owned())
        } else {
            Ok(data.as_bytes().to_vec())
        };
    }
    if let Some(rest) = s.strip_prefix("file:") {
        let path = file_url_path(rest);
        return read_file(&path);
    }
    let as_path = Path::new(s);
    if as_path.is_file() {
        return read_file(as_path);
    }
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| "neither a `data:`/`file:` URL, an existing file, nor base64".to_owned())
}

fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    const MAX_KEY_FILE: u64 = 1024 * 1024;
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_KEY_FILE {
        return Err(format!(
            "{}: larger than {MAX_KEY_FILE} bytes",
            path.display()
        ));
    }
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn public_key_pem(bytes: &[u8]) -> Vec<u8> {
    if bytes.starts_with(b"-----BEGIN") {
        return bytes.to_vec();
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PUBLIC KEY-----\n");
    pem.into_bytes()
}

impl TokenVerifier {
    /// Loads the key and checks the settings; problems name `file` and the `properties` key.
    pub fn new(file: &str, s: &TokenSettings) -> Result<TokenVerifier, ConfigProblem> {
        let problem = |name: &str, message: String| ConfigProblem {
            file: file.to_owned(),
            path: format!("properties.{}{name}", s.prefix),
            message,
        };
        // The crypto backend is chosen by crate features; a build with none or two would
        // otherwise panic at the first token.
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            return Err(problem(
                "tokenSecretKey",
                "this build has no JWT crypto backend (jsonwebtoken feature `rust_crypto`)"
                    .to_owned(),
            ));
        }
        let (key, algorithms) = if let Some(secret) = &s.secret_key {
            let bytes = read_key(secret).map_err(|m| problem("tokenSecretKey", m))?;
            let bits = bytes.len() * 8;
            if bits < 256 {
                return Err(problem(
                    "tokenSecretKey",
                    format!("the key has {bits} bits; HMAC-SHA keys need at least 256 (as Pulsar requires)"),
                ));
            }
            let mut algs = vec![Algorithm::HS256];
            if bits >= 384 {
                algs.push(Algorithm::HS384);
            }
            if bits >= 512 {
                algs.push(Algorithm::HS512);
            }
            let key = DecodingKey::from_secret(&bytes)
                .map_err(|e| problem("tokenSecretKey", e.to_string()))?;
            (key, algs)
        } else if let Some(public) = &s.public_key {
            let alg = s.public_alg.as_str();
            let bytes = read_key(public).map_err(|m| problem("tokenPublicKey", m))?;
            let pem = public_key_pem(&bytes);
            let bad_key = |e: jsonwebtoken::errors::Error| {
                problem(
                    "tokenPublicKey",
                    format!("not a {alg} public key (X.509 SubjectPublicKeyInfo, DER or PEM): {e}"),
                )
            };
            match alg {
                "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => (
                    DecodingKey::from_rsa_pem(&pem).map_err(bad_key)?,
                    vec![
                        Algorithm::RS256,
                        Algorithm::RS384,
                        Algorithm::RS512,
                        Algorithm::PS256,
                        Algorithm::PS384,
                        Algorithm::PS512,
                    ],
                ),
                "ES256" | "ES384" => (
                    DecodingKey::from_ec_pem(&pem).map_err(bad_key)?,
                    vec![Algorithm::ES256, Algorithm::ES384],
                ),
                "ES512" => {
                    return Err(problem(
                        "tokenPublicAlg",
                        "ES512 is not supported by fmesh-worker".to_owned(),
                    ))
                }
                "HS256" | "HS384" | "HS512" => {
                    return Err(problem(
                        "tokenPublicAlg",
                        format!("the {alg} algorithm does not support key pairs"),
                    ))
                }
                other => {
                    return Err(problem(
                        "tokenPublicAlg",
                        format!("invalid algorithm provided {other}"),
                    ))
                }
            }
        } else {
            return Err(problem(
                "tokenSecretKey",
                "no secret key was provided for token authentication".to_owned(),
            ));
        };
        Ok(TokenVerifier {
            key,
            algorithms,
            role_claim: s.auth_claim.clone(),
            audience: s.audience_claim.clone().zip(s.audience.clone()),
        })
    }

    /// Verifies an `Authorization` header value; the role on success.
    pub fn verify(&self, header: &str) -> Result<String, TokenError> {
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(TokenError::InvalidHeader)?;
        if token.trim().is_empty() {
            return Err(TokenError::Blank);
        }
        let head = jsonwebtoken::decode_header(token)
            .map_err(|_| TokenError::Malformed("unreadable header"))?;
        if !self.algorithms.contains(&head.alg) {
            return Err(TokenError::WrongAlgorithm(head.alg));
        }
        let mut v = Validation::new(head.alg);
        v.leeway = 0;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.validate_aud = false;
        v.required_spec_claims = Default::default();
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &self.key, &v).map_err(
            |e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::ImmatureSignature => TokenError::NotYetValid,
                ErrorKind::InvalidSignature
                | ErrorKind::InvalidEcdsaKey
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::Provider(_) => TokenError::BadSignature,
                ErrorKind::InvalidAlgorithm => TokenError::WrongAlgorithm(head.alg),
                ErrorKind::InvalidClaimFormat(_) => {
                    TokenError::Malformed("exp or nbf is not a number")
                }
                ErrorKind::Base64(_) => TokenError::Malformed("not base64url"),
                ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
                    TokenError::Malformed("the claims are not a JSON object")
                }
                _ => TokenError::Malformed("rejected"),
            },
        )?;
        let claims = data.claims;
        if let Some((claim, audience)) = &self.audience {
            let ok = match claims.get(claim) {
                Some(Value::String(s)) => s == audience,
                Some(Value::Array(a)) => a.iter().any(|x| x.as_str() == Some(audience)),
                _ => false,
            };
            if !ok {
                return Err(TokenError::Audience {
                    claim: claim.clone(),
                    audience: audience.clone(),
                });
            }
        }
        let role = match claims.get(&self.role_claim) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
        role.filter(|r| !r.is_empty())
            .ok_or_else(|| TokenError::NoRole(self.role_claim.clone()))
    }
}

/// The worker's authenticator: Pulsar's rules with the token provider (or, with
/// `authenticationEnabled` false, no authentication: every request has no role).
#[derive(Debug)]
pub struct PulsarAuthenticator {
    enabled: bool,
    token: Option<TokenVerifier>,
    proxy_roles: BTreeSet<String>,
}

/// Pulsar's answer to every authentication failure.
pub fn authentication_required() -> ApiError {
    ApiError::new(http::StatusCode::UNAUTHORIZED, "Authentication required")
}

impl PulsarAuthenticator {
    /// An authenticator; `token` is `None` when authentication is off or no token provider is
    /// configured (then nothing is required, as in Pulsar with no provider loaded).
    pub fn new(enabled: bool, token: Option<TokenVerifier>, proxy_roles: BTreeSet<String>) -> Self {
        PulsarAuthenticator {
            enabled,
            token,
            proxy_roles,
        }
    }

    /// The identity of one request, or why it is refused.
    pub fn identify(&self, parts: &Parts) -> Result<Identity, TokenError> {
        let mut who = Identity {
            role: None,
            original_principal: header(parts, "x-original-principal"),
            auth_method: header(parts, "x-pulsar-auth-method-name"),
            authorization: header(parts, "authorization").map(Credential::new),
            acting_role: None,
        };
        let (true, Some(verifier)) = (self.enabled, &self.token) else {
            return Ok(who);
        };
        if who.auth_method.as_deref().is_some_and(|m| m != "token") {
            return Err(TokenError::UnsupportedMethod);
        }
        let raw = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .ok_or(TokenError::NoCredentials)?
            .to_str()
            .map_err(|_| TokenError::InvalidHeader)?;
        let role = verifier.verify(raw)?;
        who.acting_role = if self.proxy_roles.contains(&role) {
            who.original_principal.clone()
        } else {
            Some(role.clone())
        };
        who.role = Some(role);
        Ok(who)
    }
}

impl Authenticator for PulsarAuthenticator {
    fn authenticate<'a>(&'a self, parts: &'a Parts) -> BoxFuture<'a, Result<Identity, ApiError>> {
        Box::pin(async move {
            self.identify(parts).map_err(|e| {
                tracing::warn!(reason = %e, "Failed to authenticate HTTP request");
                authentication_required()
            })
        })
    }
}
