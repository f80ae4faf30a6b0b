use std::fmt;

use crate::secret::SecretText;

/// A Vault/OpenBao token, sent as the `X-Vault-Token` header (marked sensitive).
///
/// Like every patkit secret, its `Debug` prints a redaction marker and it has no `Display`, no
/// `Serialize` and no `PartialEq`.
///
/// ```
/// use patkit::store::VaultToken;
/// let token = VaultToken::new("hvs.canary".to_owned());
/// assert_eq!(format!("{token:?}"), "VaultToken([REDACTED])");
/// ```
#[derive(Clone)]
pub struct VaultToken(SecretText);

impl VaultToken {
    /// Wraps a token. The `String` is moved in and zeroized when the token is dropped.
    pub fn new(value: String) -> Self {
        Self(SecretText::new(value))
    }

    /// Returns the token value.
    ///
    /// # Security
    ///
    /// The same rules as [`PatSecret::expose_secret`](crate::PatSecret::expose_secret) apply:
    /// never log or print it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }

    /// The `X-Vault-Token` header value, marked sensitive. `None` if the token holds characters
    /// a header cannot carry (the error never echoes the value).
    pub(crate) fn header_value(&self) -> Option<http::HeaderValue> {
        let mut value = http::HeaderValue::from_str(self.expose_secret()).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for VaultToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultToken([REDACTED])")
    }
}

impl From<String> for VaultToken {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}
