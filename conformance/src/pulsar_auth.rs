//! Token authentication of the harness's Pulsar: one HS256 secret key per run (generated into the
//! Pulsar work directory, raw bytes as `pulsar tokens create-secret-key` writes them), the roles the
//! harness uses, and tokens minted here for them (the same `jsonwebtoken` crate the worker verifies
//! with).
//!
//! The broker runs with `authenticationEnabled` and `authorizationEnabled`; its superusers are
//! [`ADMIN_ROLE`] (every `pulsar-admin` call of the scenarios, through `client.conf`, and the
//! standalone's own admin client, which creates `public/default`) and [`WORKER_BROKER_ROLE`] (the
//! fmesh worker's own broker credentials in the `functions_worker.yml` the worker scenarios write).
//! Tokens and the key never appear in `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::error::{HarnessError, Result};

/// The harness's superuser role (pulsar-admin, the standalone's admin client).
pub const ADMIN_ROLE: &str = "fmesh-conformance-admin";
/// The fmesh worker's own role towards the broker (a superuser, as Pulsar's worker role is).
pub const WORKER_BROKER_ROLE: &str = "fmesh-worker-broker";
/// Pulsar's token authentication provider (broker and worker side).
pub const TOKEN_PROVIDER: &str =
    "org.apache.pulsar.broker.authentication.AuthenticationProviderToken";
/// Pulsar's token client authentication plugin.
pub const TOKEN_PLUGIN: &str = "org.apache.pulsar.client.impl.auth.AuthenticationToken";
/// Length of the generated HMAC key in bytes (256 bits: what HS256 needs).
const KEY_BYTES: usize = 32;

/// The per-run key and the harness's tokens.
pub struct PulsarAuth {
    key: Vec<u8>,
    key_file: PathBuf,
    admin_token: String,
    admin_token_file: PathBuf,
    worker_token: String,
}

impl fmt::Debug for PulsarAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PulsarAuth")
            .field("key_file", &self.key_file)
            .field("admin_token_file", &self.admin_token_file)
            .finish_non_exhaustive()
    }
}

/// Writes `bytes` to `path`, readable by this user only.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(HarnessError::io_at("write", path))
}

fn random_bytes(n: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .map_err(|e| HarnessError::io("read /dev/urandom for the Pulsar token key", e))?;
    Ok(buf)
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// An HS256 token over `claims` signed with `key`.
pub fn sign(key: &[u8], claims: &Value) -> Result<String> {
    let key = EncodingKey::from_secret(key)
        .map_err(|e| HarnessError::Prepared(format!("token key: {e}")))?;
    encode(&Header::new(Algorithm::HS256), claims, &key)
        .map_err(|e| HarnessError::Prepared(format!("signing a token: {e}")))
}

impl PulsarAuth {
    /// A fresh random key in `<dir>/token-secret.key` and the admin token in
    /// `<dir>/admin.token` (both mode 0600; `dir` is created).
    pub fn generate(dir: &Path) -> Result<PulsarAuth> {
        std::fs::create_dir_all(dir).map_err(HarnessError::io_at("create directory", dir))?;
        let key = random_bytes(KEY_BYTES)?;
        let key_file = dir.join("token-secret.key");
        write_private(&key_file, &key)?;
        let admin_token = sign(&key, &json!({ "sub": ADMIN_ROLE }))?;
        let worker_token = sign(&key, &json!({ "sub": WORKER_BROKER_ROLE }))?;
        let admin_token_file = dir.join("admin.token");
        write_private(&admin_token_file, admin_token.as_bytes())?;
        Ok(PulsarAuth {
            key,
            key_file,
            admin_token,
            admin_token_file,
            worker_token,
        })
    }

    /// A token for `role` (no expiry) with the extra `claims` merged in.
    pub fn token(&self, role: &str, claims: Value) -> Result<String> {
        let mut all = json!({ "sub": role });
        if let (Some(all), Value::Object(extra)) = (all.as_object_mut(), claims) {
            all.extend(extra);
        }
        sign(&self.key, &all)
    }

    /// The superuser token of [`ADMIN_ROLE`].
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The file holding [`PulsarAuth::admin_token`] (for `authParams=file:…`).
    pub fn admin_token_file(&self) -> &Path {
        &self.admin_token_file
    }

    /// The token of [`WORKER_BROKER_ROLE`] (the worker's `brokerClientAuthenticationParameters`).
    pub fn worker_token(&self) -> &str {
        &self.worker_token
    }

    /// The raw key file (`tokenSecretKey=file://…`).
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// The key as a `data:` URL (`tokenSecretKey=data:;base64,…`), for a broker that cannot read
    /// the host's files.
    pub fn key_data_url(&self) -> String {
        format!(
            "data:;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&self.key)
        )
    }

    /// `superUserRoles` of the broker.
    pub fn super_user_roles() -> String {
        format!("{ADMIN_ROLE},{WORKER_BROKER_ROLE}")
    }

    /// The broker settings that turn token authentication and authorization on, as
    /// `(key, value)` pairs (standalone.conf lines, or container environment).
    pub fn broker_settings(&self, key_setting: String) -> Vec<(&'static str, String)> {
        vec![
            ("authenticationEnabled", "true".to_owned()),
            ("authorizationEnabled", "true".to_owned()),
            ("authenticationProviders", TOKEN_PROVIDER.to_owned()),
            ("tokenSecretKey", key_setting),
            ("superUserRoles", Self::super_user_roles()),
            ("brokerClientAuthenticationPlugin", TOKEN_PLUGIN.to_owned()),
            (
                "brokerClientAuthenticationParameters",
                format!("token:{}", self.admin_token),
            ),
        ]
    }

    /// The `client.conf` lines of `pulsar-admin` as the superuser (the token read from its file).
    pub fn client_conf(&self) -> String {
        format!(
            "authPlugin={TOKEN_PLUGIN}\nauthParams=file://{}\n",
            self.admin_token_file.display()
        )
    }

    /// `Authorization: Bearer <admin token>`, for raw HTTP to the broker.
    pub fn admin_bearer(&self) -> String {
        format!("Bearer {}", self.admin_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{decode, DecodingKey, Validation};

    #[test]
    fn tokens_verify_with_the_key_and_carry_the_role() {
        let dir = std::env::temp_dir().join(format!("fmesh-pulsar-auth-{}", std::process::id()));
        let auth = PulsarAuth::generate(&dir).unwrap();
        let key = std::fs::read(auth.key_file()).unwrap();
        assert_eq!(key.len(), KEY_BYTES);
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        let dk = DecodingKey::from_secret(&key).unwrap();
        let claims = |t: &str| decode::<Value>(t, &dk, &v).unwrap().claims;
        assert_eq!(claims(auth.admin_token())["sub"], ADMIN_ROLE);
        assert_eq!(claims(auth.worker_token())["sub"], WORKER_BROKER_ROLE);
        let t = auth.token("alice", json!({"canary": "C-1"})).unwrap();
        assert_eq!(claims(&t), json!({"sub": "alice", "canary": "C-1"}));
        assert_eq!(
            std::fs::read_to_string(auth.admin_token_file()).unwrap(),
            auth.admin_token()
        );
        let shown = format!("{auth:?}");
        assert!(!shown.contains(auth.admin_token()) && !shown.contains(auth.worker_token()));
        let settings = auth.broker_settings(format!("file://{}", auth.key_file().display()));
        assert!(settings.contains(&("authorizationEnabled", "true".to_owned())));
        assert!(auth.client_conf().contains("authParams=file:///"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn another_key_does_not_verify() {
        let t = sign(&[7u8; 32], &json!({"sub": "x"})).unwrap();
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        assert!(decode::<Value>(&t, &DecodingKey::from_secret(&[8u8; 32]).unwrap(), &v).is_err());
    }
}
