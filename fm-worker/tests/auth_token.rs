//! Pulsar's token provider: each way a token is refused, with HMAC and RSA (and EC) keys, and
//! each start-up problem of the key settings. Keys are test fixtures (`tests/fixtures/auth`):
//! public keys as DER SubjectPublicKeyInfo, what `pulsar tokens create-key-pair` writes.
// Test code: a failed unwrap, expect, panic or index is the test failing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use fm_worker::auth::config::{Hidden, TokenSettings};
use fm_worker::auth::{TokenError, TokenVerifier};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/auth");
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef"; // 256 bits
const CANARY: &str = "CANARY-key-3e9b7d21";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn settings() -> TokenSettings {
    TokenSettings {
        secret_key: None,
        public_key: None,
        auth_claim: "sub".into(),
        public_alg: "RS256".into(),
        audience_claim: None,
        audience: None,
        prefix: String::new(),
    }
}

fn hmac(secret: &[u8]) -> TokenVerifier {
    let s = TokenSettings {
        secret_key: Some(Hidden::new(format!("data:;base64,{}", b64(secret)))),
        ..settings()
    };
    TokenVerifier::new("functions_worker.yml", &s).unwrap()
}

fn rsa() -> TokenVerifier {
    let s = TokenSettings {
        public_key: Some(Hidden::new(format!("file://{FIXTURES}/rsa-public.der"))),
        ..settings()
    };
    TokenVerifier::new("functions_worker.yml", &s).unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn sign_hmac(alg: Algorithm, secret: &[u8], claims: Value) -> String {
    encode(
        &Header::new(alg),
        &claims,
        &EncodingKey::from_secret(secret).unwrap(),
    )
    .unwrap()
}

fn sign_pem(alg: Algorithm, pem_file: &str, claims: Value) -> String {
    let pem = fixture(pem_file);
    let key = match alg {
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    encode(&Header::new(alg), &claims, &key).unwrap()
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

#[test]
fn hmac_tokens_verify_and_give_the_role() {
    let v = hmac(SECRET);
    let t = sign_hmac(Algorithm::HS256, SECRET, json!({"sub": "alice"}));
    assert_eq!(v.verify(&bearer(&t)).unwrap(), "alice");
    let t = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "alice", "exp": now() + 600, "nbf": now() - 5}),
    );
    assert_eq!(v.verify(&bearer(&t)).unwrap(), "alice");
}

#[test]
fn expired_tokens_are_refused() {
    let t = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "alice", "exp": now() - 2}),
    );
    assert_eq!(hmac(SECRET).verify(&bearer(&t)), Err(TokenError::Expired));
    let t = sign_pem(
        Algorithm::RS256,
        "rsa-private.pem",
        json!({"sub": "alice", "exp": now() - 2}),
    );
    assert_eq!(rsa().verify(&bearer(&t)), Err(TokenError::Expired));
}

#[test]
fn tokens_used_before_nbf_are_refused() {
    let t = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "alice", "nbf": now() + 600}),
    );
    assert_eq!(
        hmac(SECRET).verify(&bearer(&t)),
        Err(TokenError::NotYetValid)
    );
}

#[test]
fn tokens_signed_with_another_key_are_refused() {
    let other = b"fedcba9876543210fedcba9876543210";
    let t = sign_hmac(Algorithm::HS256, other, json!({"sub": "alice"}));
    assert_eq!(
        hmac(SECRET).verify(&bearer(&t)),
        Err(TokenError::BadSignature)
    );
    let t = sign_pem(
        Algorithm::RS256,
        "rsa-other-private.pem",
        json!({"sub": "alice"}),
    );
    assert_eq!(rsa().verify(&bearer(&t)), Err(TokenError::BadSignature));
}

#[test]
fn tokens_with_an_algorithm_the_key_does_not_verify_are_refused() {
    // An HMAC token against an RSA key (the classic confusion attack: the public key as secret).
    let der = fixture("rsa-public.der");
    let t = sign_hmac(Algorithm::HS256, &der, json!({"sub": "alice"}));
    assert_eq!(
        rsa().verify(&bearer(&t)),
        Err(TokenError::WrongAlgorithm(Algorithm::HS256))
    );
    // HS512 needs a 512-bit key; this one has 256 bits.
    let t = sign_hmac(Algorithm::HS512, SECRET, json!({"sub": "alice"}));
    assert_eq!(
        hmac(SECRET).verify(&bearer(&t)),
        Err(TokenError::WrongAlgorithm(Algorithm::HS512))
    );
    // An RSA token against an HMAC key.
    let t = sign_pem(Algorithm::RS256, "rsa-private.pem", json!({"sub": "alice"}));
    assert_eq!(
        hmac(SECRET).verify(&bearer(&t)),
        Err(TokenError::WrongAlgorithm(Algorithm::RS256))
    );
    // A 512-bit key verifies all three HMAC algorithms.
    let long = [7u8; 64];
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let t = sign_hmac(alg, &long, json!({"sub": "alice"}));
        assert_eq!(hmac(&long).verify(&bearer(&t)).unwrap(), "alice", "{alg:?}");
    }
}

#[test]
fn rsa_keys_verify_every_rsa_algorithm() {
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS512,
    ] {
        let t = sign_pem(alg, "rsa-private.pem", json!({"sub": "bob"}));
        assert_eq!(rsa().verify(&bearer(&t)).unwrap(), "bob", "{alg:?}");
    }
}

#[test]
fn ec_keys_verify_with_es256() {
    let s = TokenSettings {
        public_key: Some(Hidden::new(format!(
            "data:;base64,{}",
            b64(&fixture("ec-public.der"))
        ))),
        public_alg: "ES256".into(),
        ..settings()
    };
    let v = TokenVerifier::new("functions_worker.yml", &s).unwrap();
    let t = sign_pem(Algorithm::ES256, "ec-private.pem", json!({"sub": "carol"}));
    assert_eq!(v.verify(&bearer(&t)).unwrap(), "carol");
    let t = sign_pem(Algorithm::RS256, "rsa-private.pem", json!({"sub": "carol"}));
    assert_eq!(
        v.verify(&bearer(&t)),
        Err(TokenError::WrongAlgorithm(Algorithm::RS256))
    );
}

#[test]
fn the_role_claim_is_configurable_and_required() {
    let v = hmac(SECRET);
    let t = sign_hmac(Algorithm::HS256, SECRET, json!({"role": "alice"}));
    assert_eq!(v.verify(&bearer(&t)), Err(TokenError::NoRole("sub".into())));
    let t = sign_hmac(Algorithm::HS256, SECRET, json!({"sub": 42}));
    assert_eq!(v.verify(&bearer(&t)), Err(TokenError::NoRole("sub".into())));
    let s = TokenSettings {
        secret_key: Some(Hidden::new(b64(SECRET))),
        auth_claim: "roles".into(),
        ..settings()
    };
    let v = TokenVerifier::new("w", &s).unwrap();
    let t = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "x", "roles": ["bob", "other"]}),
    );
    assert_eq!(v.verify(&bearer(&t)).unwrap(), "bob");
}

#[test]
fn the_audience_is_checked_when_configured() {
    let s = TokenSettings {
        secret_key: Some(Hidden::new(b64(SECRET))),
        audience_claim: Some("aud".into()),
        audience: Some("fmesh-worker".into()),
        ..settings()
    };
    let v = TokenVerifier::new("w", &s).unwrap();
    let ok = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "a", "aud": ["x", "fmesh-worker"]}),
    );
    assert_eq!(v.verify(&bearer(&ok)).unwrap(), "a");
    let ok = sign_hmac(
        Algorithm::HS256,
        SECRET,
        json!({"sub": "a", "aud": "fmesh-worker"}),
    );
    assert_eq!(v.verify(&bearer(&ok)).unwrap(), "a");
    for claims in [json!({"sub": "a", "aud": "x"}), json!({"sub": "a"})] {
        let t = sign_hmac(Algorithm::HS256, SECRET, claims);
        assert!(
            matches!(v.verify(&bearer(&t)), Err(TokenError::Audience { .. })),
            "{t}"
        );
    }
    // Without the setting, an `aud` claim is not looked at (as in Pulsar).
    let t = sign_hmac(Algorithm::HS256, SECRET, json!({"sub": "a", "aud": "x"}));
    assert_eq!(hmac(SECRET).verify(&bearer(&t)).unwrap(), "a");
}

#[test]
fn header_forms_are_refused_like_pulsar() {
    let v = hmac(SECRET);
    assert_eq!(v.verify("Basic YTpi"), Err(TokenError::InvalidHeader));
    assert_eq!(v.verify("bearer x.y.z"), Err(TokenError::InvalidHeader));
    assert_eq!(v.verify("Bearer "), Err(TokenError::Blank));
    assert!(matches!(
        v.verify("Bearer not-a-jwt"),
        Err(TokenError::Malformed(_))
    ));
    // alg "none" is never accepted.
    let none = format!(
        "{}.{}.",
        b64url(br#"{"alg":"none","typ":"JWT"}"#),
        b64url(br#"{"sub":"root"}"#)
    );
    assert!(v.verify(&bearer(&none)).is_err());
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn key_settings_take_pulsars_forms() {
    let dir = tempdir();
    let raw = dir.join("secret.key");
    std::fs::write(&raw, SECRET).unwrap();
    let t = sign_hmac(Algorithm::HS256, SECRET, json!({"sub": "alice"}));
    for form in [
        format!("data:;base64,{}", b64(SECRET)),
        format!("data:application/octet-stream;base64,{}", b64(SECRET)),
        format!("file://{}", raw.display()),
        format!("file:{}", raw.display()),
        raw.display().to_string(),
        b64(SECRET),
    ] {
        let s = TokenSettings {
            secret_key: Some(Hidden::new(form.clone())),
            ..settings()
        };
        let v = TokenVerifier::new("w", &s).unwrap();
        assert_eq!(v.verify(&bearer(&t)).unwrap(), "alice", "{form}");
    }
    // A PEM public key works as well as the DER Pulsar writes.
    let pem = dir.join("public.pem");
    let der = fixture("rsa-public.der");
    std::fs::write(
        &pem,
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            b64(&der)
        ),
    )
    .unwrap();
    let s = TokenSettings {
        public_key: Some(Hidden::new(pem.display().to_string())),
        ..settings()
    };
    let t = sign_pem(Algorithm::RS256, "rsa-private.pem", json!({"sub": "bob"}));
    assert_eq!(
        TokenVerifier::new("w", &s)
            .unwrap()
            .verify(&bearer(&t))
            .unwrap(),
        "bob"
    );
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("fm-worker-auth-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn each_key_problem_names_its_setting_and_never_the_key() {
    let cases = [
        (
            TokenSettings {
                secret_key: Some(Hidden::new(format!(
                    "data:;base64,{}",
                    b64(CANARY.as_bytes())
                ))),
                ..settings()
            },
            "properties.tokenSecretKey",
            "at least 256",
        ),
        (
            TokenSettings {
                secret_key: Some(Hidden::new(format!("{CANARY}!!not base64"))),
                ..settings()
            },
            "properties.tokenSecretKey",
            "base64",
        ),
        (
            TokenSettings {
                public_key: Some(Hidden::new(format!(
                    "data:;base64,{}",
                    b64(CANARY.as_bytes())
                ))),
                ..settings()
            },
            "properties.tokenPublicKey",
            "RS256 public key",
        ),
        (
            TokenSettings {
                public_key: Some(Hidden::new("file:///nonexistent/key.der")),
                ..settings()
            },
            "properties.tokenPublicKey",
            "/nonexistent/key.der",
        ),
        (
            TokenSettings {
                public_key: Some(Hidden::new(b64(&fixture("rsa-public.der")))),
                public_alg: "XY999".into(),
                ..settings()
            },
            "properties.tokenPublicAlg",
            "invalid algorithm provided XY999",
        ),
        (
            TokenSettings {
                public_key: Some(Hidden::new(b64(&fixture("rsa-public.der")))),
                public_alg: "HS256".into(),
                prefix: "p_".into(),
                ..settings()
            },
            "properties.p_tokenPublicAlg",
            "does not support key pairs",
        ),
    ];
    for (s, path, says) in cases {
        let e = TokenVerifier::new("functions_worker.yml", &s).unwrap_err();
        assert_eq!(e.path, path, "{e}");
        let shown = e.to_string();
        assert!(shown.contains(says), "{shown}");
        assert!(!shown.contains(CANARY), "{shown}");
        assert!(!shown.contains(&b64(CANARY.as_bytes())), "{shown}");
    }
    let v = hmac(SECRET);
    assert!(!format!("{v:?}").contains("0123456789"));
}

#[test]
fn keys_and_tokens_made_by_pulsars_own_tool_verify() {
    let dir = format!("{FIXTURES}/pulsar-4.0.7");
    let token = |f: &str| {
        String::from_utf8(fixture(&format!("pulsar-4.0.7/{f}")))
            .unwrap()
            .trim()
            .to_owned()
    };
    let secret = TokenVerifier::new(
        "w",
        &TokenSettings {
            secret_key: Some(Hidden::new(format!("file://{dir}/pulsar-secret.key"))),
            ..settings()
        },
    )
    .unwrap();
    let public = TokenVerifier::new(
        "w",
        &TokenSettings {
            public_key: Some(Hidden::new(format!("file://{dir}/pulsar-public.key"))),
            ..settings()
        },
    )
    .unwrap();
    let alice = bearer(&token("token-alice-hmac.txt"));
    let bob = bearer(&token("token-bob-rsa.txt"));
    let carol = bearer(&token("token-carol-hmac-expired.txt"));
    assert_eq!(secret.verify(&alice).unwrap(), "alice");
    assert_eq!(public.verify(&bob).unwrap(), "bob");
    assert_eq!(secret.verify(&carol), Err(TokenError::Expired));
    assert_eq!(
        secret.verify(&bob),
        Err(TokenError::WrongAlgorithm(Algorithm::RS256))
    );
    assert_eq!(
        public.verify(&alice),
        Err(TokenError::WrongAlgorithm(Algorithm::HS256))
    );
}
