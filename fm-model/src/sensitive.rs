//! [`Sensitive`]: a string that never shows itself in `Debug`, `Display` or `Serialize`.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// What every redacted value prints as.
pub const REDACTED: &str = "<redacted>";

/// A secret string (client secret, private key, token, broker-client parameters).
///
/// `Debug`, `Display` and `Serialize` all print [`REDACTED`]; the value is only reachable
/// through [`Sensitive::expose`], which callers use when they must write it into a
/// Kubernetes Secret. The memory is zeroed on drop (it is a [`SecretString`] inside).
#[derive(Clone, Default)]
pub struct Sensitive(SecretString);

impl Sensitive {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret value itself. Never log or print it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl From<String> for Sensitive {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Sensitive {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<SecretString> for Sensitive {
    fn from(value: SecretString) -> Self {
        Self(value)
    }
}

impl PartialEq for Sensitive {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Sensitive {}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl serde::Serialize for Sensitive {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> serde::Deserialize<'de> for Sensitive {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Sensitive::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-sensitive-7f3a";

    #[test]
    fn debug_display_serialize_redact() {
        let s = Sensitive::new(CANARY);
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"<redacted>\"");
        assert_eq!(s.expose(), CANARY);
        assert!(!s.is_empty());
        assert!(Sensitive::default().is_empty());
        assert_eq!(Sensitive::from(CANARY.to_string()), Sensitive::from(CANARY));
        assert_eq!(Sensitive::from(SecretString::from(CANARY)).expose(), CANARY);
        let read: Sensitive = serde_json::from_str(&format!("\"{CANARY}\"")).unwrap();
        assert_eq!(read.expose(), CANARY);
    }
}
