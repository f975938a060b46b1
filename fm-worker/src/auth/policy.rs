//! Pulsar's authorization, on every endpoint (the Java worker skipped list, sink/source get,
//! instance status and the lifecycle calls; this one does not).
//!
//! With `authorizationEnabled` false everything is allowed, as in Pulsar. Otherwise, for a
//! component operation on `tenant/namespace`, a role is allowed when it is
//!
//! 1. a superuser (`superUserRoles`), else
//! 2. an admin of the tenant (the tenant's `adminRoles`, from the broker), else
//! 3. granted the kind's action on the namespace (`functions`, `sinks` or `sources` in the
//!    namespace's permissions, from the broker; with
//!    `properties.authorizationAllowWildcardsMatching`, a granted role `*suffix` or `prefix*`
//!    matches too).
//!
//! Through a proxy (the authenticated role is in `proxyRoles`), `X-Original-Principal` must name a
//! role that is not itself a proxy role, and both the proxy role and the original principal must be
//! allowed, as Pulsar's `AuthorizationService` requires. A non-proxy role may only name itself as
//! original principal. Listing the connector catalogue needs an authenticated role; reloading it
//! needs a superuser (both roles through a proxy).
//!
//! A refusal is 401 `Client is not authorized to perform operation` (reload: `This operation
//! requires super-user access`), Pulsar's status and wording. A tenant or namespace the broker
//! does not know grants nothing (Pulsar answers 500 there; 401 tells a caller nothing about which
//! tenants exist). A broker that cannot answer is a 500 naming the cause.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::broker::BrokerAdmin;
use crate::error::ApiError;
use crate::identity::{Identity, Operation, Policy, Target};
use crate::Kind;

/// Pulsar's refusal.
pub const NOT_AUTHORIZED: &str = "Client is not authorized to perform operation";

/// Pulsar's refusal of a superuser-only operation.
pub const SUPERUSER_ONLY: &str = "This operation requires super-user access";

/// The namespace action a kind needs.
pub fn action(kind: Kind) -> &'static str {
    match kind {
        Kind::Function => "functions",
        Kind::Sink => "sinks",
        Kind::Source => "sources",
    }
}

/// Pulsar's authorization rules with the broker as the source of tenants and permissions.
#[derive(Debug, Clone)]
pub struct PulsarPolicy {
    enabled: bool,
    super_users: BTreeSet<String>,
    proxy_roles: BTreeSet<String>,
    wildcards: bool,
    broker: Option<Arc<BrokerAdmin>>,
}

fn refuse(reason: &str) -> ApiError {
    ApiError::new(http::StatusCode::UNAUTHORIZED, reason)
}

fn wildcard_match(role: &str, granted: &str) -> bool {
    if let Some(suffix) = granted.strip_prefix('*') {
        return role.ends_with(suffix);
    }
    if let Some(prefix) = granted.strip_suffix('*') {
        return role.starts_with(prefix);
    }
    false
}

impl PulsarPolicy {
    /// The policy; `broker` is required when `enabled` (start-up checks that).
    pub fn new(
        enabled: bool,
        super_users: BTreeSet<String>,
        proxy_roles: BTreeSet<String>,
        wildcards: bool,
        broker: Option<Arc<BrokerAdmin>>,
    ) -> Self {
        PulsarPolicy {
            enabled,
            super_users,
            proxy_roles,
            wildcards,
            broker,
        }
    }

    /// The principals that must all be allowed (Pulsar's `isValidOriginalPrincipal` first), or
    /// `None` for an invalid combination.
    fn principals<'a>(&self, who: &'a Identity) -> Option<Vec<&'a str>> {
        let role = who.role.as_deref()?;
        let original = who.original_principal.as_deref();
        if self.proxy_roles.contains(role) {
            let original = original?;
            if self.proxy_roles.contains(original) {
                tracing::warn!(role, "original principal cannot be a proxy role");
                return None;
            }
            Some(vec![role, original])
        } else {
            match original {
                Some(o) if o != role => {
                    tracing::warn!(
                        role,
                        "cannot specify originalPrincipal when connecting without valid proxy role"
                    );
                    None
                }
                _ => Some(vec![role]),
            }
        }
    }

    async fn allowed(
        &self,
        role: &str,
        kind: Kind,
        tenant: &str,
        namespace: &str,
    ) -> Result<bool, ApiError> {
        if self.super_users.contains(role) {
            return Ok(true);
        }
        let Some(broker) = &self.broker else {
            return Ok(false);
        };
        let fault = |e: super::broker::BrokerError| {
            ApiError::internal(format!("cannot check the caller's permissions: {e}"))
        };
        if let Some(admins) = broker.tenant_admins(tenant).await.map_err(fault)? {
            if admins.contains(role) {
                return Ok(true);
            }
        }
        let Some(perms) = broker
            .namespace_permissions(tenant, namespace)
            .await
            .map_err(fault)?
        else {
            return Ok(false);
        };
        let wanted = action(kind);
        if perms.get(role).is_some_and(|a| a.contains(wanted)) {
            return Ok(true);
        }
        Ok(self.wildcards
            && perms
                .iter()
                .any(|(granted, a)| a.contains(wanted) && wildcard_match(role, granted)))
    }

    async fn decide(&self, who: &Identity, op: Operation, t: Target<'_>) -> Result<(), ApiError> {
        if !self.enabled {
            return Ok(());
        }
        let refusal = if op == Operation::Reload {
            SUPERUSER_ONLY
        } else {
            NOT_AUTHORIZED
        };
        let Some(principals) = self.principals(who) else {
            return Err(refuse(refusal));
        };
        match op {
            Operation::Connectors => return Ok(()),
            Operation::Reload => {
                return if principals.iter().all(|p| self.super_users.contains(*p)) {
                    Ok(())
                } else {
                    Err(refuse(refusal))
                };
            }
            _ => {}
        }
        let (Some(tenant), Some(namespace)) = (t.tenant, t.namespace) else {
            return Err(ApiError::internal(
                "authorization: a component operation without tenant and namespace",
            ));
        };
        for p in principals {
            if !self.allowed(p, t.kind, tenant, namespace).await? {
                tracing::info!(
                    role = who.role.as_deref().unwrap_or_default(),
                    ?op,
                    kind = t.kind.lower(),
                    "not authorized"
                );
                return Err(refuse(refusal));
            }
        }
        Ok(())
    }
}

impl Policy for PulsarPolicy {
    fn check<'a>(
        &'a self,
        who: &'a Identity,
        op: Operation,
        target: Target<'a>,
    ) -> BoxFuture<'a, Result<(), ApiError>> {
        Box::pin(self.decide(who, op, target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_match_like_pulsar() {
        assert!(wildcard_match("team-a.alice", "team-a.*"));
        assert!(wildcard_match("alice@corp", "*@corp"));
        assert!(!wildcard_match("bob@other", "*@corp"));
        assert!(!wildcard_match("alice", "alice"));
    }

    #[test]
    fn principal_pairs_follow_pulsar() {
        let p = PulsarPolicy::new(
            true,
            BTreeSet::new(),
            ["proxy".to_owned(), "proxy2".to_owned()].into(),
            false,
            None,
        );
        let who = |role: Option<&str>, orig: Option<&str>| Identity {
            role: role.map(str::to_owned),
            original_principal: orig.map(str::to_owned),
            ..Identity::default()
        };
        assert_eq!(p.principals(&who(Some("a"), None)), Some(vec!["a"]));
        assert_eq!(p.principals(&who(Some("a"), Some("a"))), Some(vec!["a"]));
        assert_eq!(p.principals(&who(Some("a"), Some("b"))), None);
        assert_eq!(
            p.principals(&who(Some("proxy"), Some("b"))),
            Some(vec!["proxy", "b"])
        );
        assert_eq!(p.principals(&who(Some("proxy"), None)), None);
        assert_eq!(p.principals(&who(Some("proxy"), Some("proxy2"))), None);
        assert_eq!(p.principals(&who(None, Some("b"))), None);
    }
}
