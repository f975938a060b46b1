//! Secrets, `auth.json` key files, OAuth2 auth parameters, private keys and bearer tokens.
#![no_main]
use fm_auth::{bearer_token, secret_from_value, secrets_from_value, KeyFile, OAuth2Params, OAuth2Secret, PrivateKey};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match selector % 6 {
        0 | 1 => {
            if let Ok(v) = fm_convert::parse::parse::<serde_json::Value>(text) {
                if let Ok(s) = secret_from_value(&v) {
                    if let Ok(o) = OAuth2Secret::parse(&s) {
                        let _ = format!("{o:?}");
                    }
                    let _ = fm_auth::redacted_secret(&s);
                }
                let _ = secrets_from_value(&v);
            }
        }
        2 => {
            let _ = KeyFile::parse(text, "auth.json");
        }
        3 => {
            if let Ok(p) = OAuth2Params::parse(text, "brokerClientAuthenticationParameters") {
                let _ = p.extra_field_names();
                let _ = format!("{:?}", p.to_runtime_json());
            }
        }
        4 => {
            if let Ok(k) = PrivateKey::parse(text, "privateKey") {
                let _ = k.url();
                let _ = k.file_name();
            }
        }
        _ => {
            let _ = bearer_token(text);
            let _ = fm_auth::validate_issuer_url(text, "issuerUrl");
        }
    }
});
