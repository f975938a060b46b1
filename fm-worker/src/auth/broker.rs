//! What the policy asks the broker, with the worker's own broker credentials: a tenant's
//! `adminRoles` (`GET /admin/v2/tenants/{tenant}`) and a namespace's permissions
//! (`GET /admin/v2/namespaces/{tenant}/{namespace}/permissions`, role → actions).
//!
//! Answers (including "no such tenant/namespace") are kept for [`CACHE_TTL`], and concurrent
//! misses for one key share a single request, so a burst of calls (a list storm, an operator's
//! script) asks the broker once per tenant and namespace every few seconds. Failures are not kept.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::OnceCell;

use super::config::{BrokerSettings, BrokerToken};

/// How long a broker answer is used before it is asked again.
pub const CACHE_TTL: Duration = Duration::from_secs(5);

/// How long one broker request may take.
pub const BROKER_TIMEOUT: Duration = Duration::from_secs(10);

/// The most cache entries kept per kind of answer (expired ones are dropped first).
const CACHE_MAX: usize = 4096;

/// Why the broker could not answer (never holds a credential).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BrokerError {
    /// Transport failure, timeout or an unexpected status.
    #[error("the broker at {base} {message}")]
    Unavailable {
        /// `pulsarWebServiceUrl`.
        base: String,
        /// What happened.
        message: String,
    },
    /// The broker refused the worker's own credentials (401/403).
    #[error("the broker at {base} refused the worker's credentials ({status}); check brokerClientAuthenticationParameters and that its role is a superuser")]
    Refused {
        /// `pulsarWebServiceUrl`.
        base: String,
        /// The broker's status.
        status: u16,
    },
    /// The answer is not the JSON Pulsar sends.
    #[error("the broker at {base} sent an unreadable answer for {what}")]
    Unreadable {
        /// `pulsarWebServiceUrl`.
        base: String,
        /// Which question.
        what: &'static str,
    },
    /// The client cannot be set up (start-up).
    #[error("broker client: {0}")]
    Client(String),
}

/// Roles → actions of a namespace.
pub type Permissions = BTreeMap<String, BTreeSet<String>>;

type Slot<T> = Arc<OnceCell<Option<Arc<T>>>>;

struct Cache<T> {
    entries: Mutex<HashMap<String, (Instant, Slot<T>)>>,
}

impl<T> Cache<T> {
    fn new() -> Self {
        Cache {
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, key: &str) -> Slot<T> {
        let mut map = match self.entries.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        let now = Instant::now();
        if let Some((at, slot)) = map.get(key) {
            if now.duration_since(*at) < CACHE_TTL {
                return Arc::clone(slot);
            }
        }
        if map.len() >= CACHE_MAX {
            map.retain(|_, (at, _)| now.duration_since(*at) < CACHE_TTL);
            if map.len() >= CACHE_MAX {
                map.clear();
            }
        }
        let slot: Slot<T> = Arc::new(OnceCell::new());
        map.insert(key.to_owned(), (now, Arc::clone(&slot)));
        slot
    }
}

/// The broker's admin API, as the worker itself.
pub struct BrokerAdmin {
    http: reqwest::Client,
    base: String,
    token: Option<BrokerToken>,
    tenants: Cache<BTreeSet<String>>,
    namespaces: Cache<Permissions>,
}

impl std::fmt::Debug for BrokerAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerAdmin")
            .field("base", &self.base)
            .field("token", &self.token)
            .finish()
    }
}

/// Pulsar's path segment rules make tenant and namespace names URL-safe; anything else is
/// refused before it reaches a URL.
fn segment_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | ':'))
}

impl BrokerAdmin {
    /// A client of the broker at `settings.url`.
    pub fn new(settings: &BrokerSettings) -> Result<BrokerAdmin, BrokerError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut b = reqwest::Client::builder().timeout(BROKER_TIMEOUT);
        if let Some(path) = &settings.trust_certs {
            let pem = std::fs::read(path)
                .map_err(|e| BrokerError::Client(format!("{}: {e}", path.display())))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| BrokerError::Client(format!("{}: {e}", path.display())))?;
            b = b.tls_certs_only(certs);
        }
        if settings.allow_insecure {
            b = b.tls_danger_accept_invalid_certs(true);
        }
        let http = b.build().map_err(|e| BrokerError::Client(e.to_string()))?;
        Ok(BrokerAdmin {
            http,
            base: settings.url.clone(),
            token: settings.token.clone(),
            tenants: Cache::new(),
            namespaces: Cache::new(),
        })
    }

    fn authorization(&self) -> Result<Option<String>, BrokerError> {
        match &self.token {
            None => Ok(None),
            Some(BrokerToken::Inline(t)) => Ok(Some(format!("Bearer {}", t.expose()))),
            Some(BrokerToken::File(path)) => {
                let t = std::fs::read_to_string(path).map_err(|e| BrokerError::Unavailable {
                    base: self.base.clone(),
                    message: format!(
                        "cannot be asked: the token file {} cannot be read: {}",
                        path.display(),
                        e.kind()
                    ),
                })?;
                Ok(Some(format!("Bearer {}", t.trim())))
            }
        }
    }

    /// GET `path`: `Some(json)` on 200, `None` on 404.
    async fn get(&self, path: &str, what: &'static str) -> Result<Option<Value>, BrokerError> {
        let mut req = self
            .http
            .get(format!("{}{path}", self.base))
            .header(http::header::ACCEPT, "application/json");
        if let Some(a) = self.authorization()? {
            req = req.header(http::header::AUTHORIZATION, a);
        }
        let unavailable = |message: String| BrokerError::Unavailable {
            base: self.base.clone(),
            message,
        };
        let resp = req.send().await.map_err(|e| {
            unavailable(
                if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "cannot be reached"
                } else {
                    "request failed"
                }
                .to_owned(),
            )
        })?;
        match resp.status().as_u16() {
            200 => {
                let bytes = resp.bytes().await.map_err(|_| BrokerError::Unreadable {
                    base: self.base.clone(),
                    what,
                })?;
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|_| BrokerError::Unreadable {
                        base: self.base.clone(),
                        what,
                    })
            }
            404 => Ok(None),
            status @ (401 | 403) => Err(BrokerError::Refused {
                base: self.base.clone(),
                status,
            }),
            code => Err(unavailable(format!("answered {code} for {what}"))),
        }
    }

    /// The tenant's `adminRoles`; `None` when the tenant does not exist.
    pub async fn tenant_admins(
        &self,
        tenant: &str,
    ) -> Result<Option<Arc<BTreeSet<String>>>, BrokerError> {
        if !segment_ok(tenant) {
            return Ok(None);
        }
        let slot = self.tenants.slot(tenant);
        let v = slot
            .get_or_try_init(|| async {
                let Some(info) = self
                    .get(&format!("/admin/v2/tenants/{tenant}"), "the tenant")
                    .await?
                else {
                    return Ok(None);
                };
                let roles = match info.get("adminRoles") {
                    None | Some(Value::Null) => BTreeSet::new(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    Some(_) => {
                        return Err(BrokerError::Unreadable {
                            base: self.base.clone(),
                            what: "the tenant",
                        })
                    }
                };
                Ok(Some(Arc::new(roles)))
            })
            .await?;
        Ok(v.clone())
    }

    /// The namespace's permissions; `None` when the namespace does not exist.
    pub async fn namespace_permissions(
        &self,
        tenant: &str,
        namespace: &str,
    ) -> Result<Option<Arc<Permissions>>, BrokerError> {
        if !segment_ok(tenant) || !segment_ok(namespace) {
            return Ok(None);
        }
        let key = format!("{tenant}/{namespace}");
        let slot = self.namespaces.slot(&key);
        let v = slot
            .get_or_try_init(|| async {
                let Some(v) = self
                    .get(
                        &format!("/admin/v2/namespaces/{key}/permissions"),
                        "the namespace permissions",
                    )
                    .await?
                else {
                    return Ok(None);
                };
                let unreadable = || BrokerError::Unreadable {
                    base: self.base.clone(),
                    what: "the namespace permissions",
                };
                let obj = v.as_object().ok_or_else(unreadable)?;
                let mut perms = Permissions::new();
                for (role, actions) in obj {
                    let actions = actions.as_array().ok_or_else(unreadable)?;
                    perms.insert(
                        role.clone(),
                        actions
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect(),
                    );
                }
                Ok(Some(Arc::new(perms)))
            })
            .await?;
        Ok(v.clone())
    }
}
