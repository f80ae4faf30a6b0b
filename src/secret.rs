//! Secret newtypes: the PAT value and the credentials a request is authenticated with.
//!
//! All wrap a `SecretText`: the text in a heap allocation of its own that is wiped (`zeroize`)
//! when dropped. Their `Debug` prints a redaction marker; they have no `Display`, no `Serialize`
//! and no `PartialEq` (compare digests if you must). The only way to the plain text is an explicit
//! `expose_secret()`.

use std::fmt;

use zeroize::Zeroizing;

/// Secret text, wiped when dropped; no `Debug`, `Display` or `Serialize` of its own, so a type that
/// holds one must say how it prints. What the `secrecy` crate's `SecretString` does, in the few
/// lines patkit needs (one crate fewer to build).
#[derive(Clone)]
pub(crate) struct SecretText(Zeroizing<Box<str>>);

impl SecretText {
    /// Takes `value` over. A `String` without spare capacity becomes the box as it is; otherwise
    /// the text is copied into an allocation of its exact size and the `String`'s whole buffer is
    /// wiped before it is freed (a shrinking reallocation could leave the text behind in freed
    /// memory).
    pub(crate) fn new(mut value: String) -> Self {
        use zeroize::Zeroize as _;
        if value.capacity() == value.len() {
            return Self(Zeroizing::new(value.into_boxed_str()));
        }
        let exact = Box::<str>::from(value.as_str());
        value.zeroize();
        Self(Zeroizing::new(exact))
    }

    /// The text.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// The secret value of a personal access token.
///
/// A `PatSecret` exists in the type system only where the service actually hands one out: the
/// result of a create ([`CreatedPat`](crate::CreatedPat)) and a stored entry
/// ([`StoredPat`](crate::StoredPat)). Listing, getting or updating a token yields metadata only.
///
/// ```
/// use patkit::PatSecret;
/// let secret = PatSecret::new("canary-value".to_owned());
/// assert_eq!(format!("{secret:?}"), "PatSecret([REDACTED])");
/// assert_eq!(secret.expose_secret(), "canary-value");
/// ```
#[derive(Clone)]
pub struct PatSecret(SecretText);

impl PatSecret {
    /// Wraps a token value. The `String` is moved in and zeroized when the secret is dropped.
    pub fn new(value: String) -> Self {
        Self(SecretText::new(value))
    }

    /// Returns the token value.
    ///
    /// # Security
    ///
    /// Everything that holds the returned `&str` can leak it. Pass it straight to where it is
    /// needed (an `Authorization` header, a credential helper's stdout, a store) and never into
    /// a log line, an error message or a `format!` that may be printed.
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }

    /// Whether `other` holds the same value, compared in time that does not depend on where the
    /// values differ (so a comparison cannot be used to guess a token byte by byte). This is the
    /// only equality `PatSecret` offers.
    ///
    /// ```
    /// use patkit::PatSecret;
    /// let a = PatSecret::new("abc".into());
    /// assert!(a.same_as(&PatSecret::new("abc".into())));
    /// assert!(!a.same_as(&PatSecret::new("abd".into())));
    /// ```
    pub fn same_as(&self, other: &PatSecret) -> bool {
        let (a, b) = (self.expose_secret().as_bytes(), other.expose_secret().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The value as the `Authorization` header a PAT is commonly used with (Azure DevOps, and
    /// git over HTTPS): Basic auth with an empty user name, `Basic base64(":" + PAT)`, marked
    /// sensitive so `http` never prints it.
    pub fn basic_authorization(&self) -> http::HeaderValue {
        crate::auth::header::basic("", self.expose_secret())
    }
}

impl fmt::Debug for PatSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PatSecret([REDACTED])")
    }
}

impl From<String> for PatSecret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// A bearer access token (e.g. a Microsoft Entra token), sent as `Authorization: Bearer …`.
///
/// ```
/// use patkit::BearerToken;
/// let token = BearerToken::new("eyJ0eXAi.canary".to_owned());
/// assert_eq!(format!("{token:?}"), "BearerToken([REDACTED])");
/// ```
#[derive(Clone)]
pub struct BearerToken(SecretText);

impl BearerToken {
    /// Wraps an access token.
    pub fn new(value: String) -> Self {
        Self(SecretText::new(value))
    }

    /// Returns the token value.
    ///
    /// # Security
    ///
    /// The same rules as [`PatSecret::expose_secret`] apply: never log or print it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }

    /// The `Authorization: Bearer …` header value, marked sensitive. The text it is built from
    /// is allocated once, at its final size, and wiped before this returns.
    pub fn bearer_authorization(&self) -> http::HeaderValue {
        crate::auth::header::bearer(self.expose_secret())
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([REDACTED])")
    }
}

impl From<String> for BearerToken {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// A secret that authenticates a request: the password of
/// [`AccessCredential::Basic`](crate::auth::AccessCredential::Basic) or the value of an
/// [`AccessCredential::Header`](crate::auth::AccessCredential::Header).
///
/// ```
/// use patkit::auth::CredentialSecret;
/// let secret = CredentialSecret::new("canary-value".to_owned());
/// assert_eq!(format!("{secret:?}"), "CredentialSecret([REDACTED])");
/// assert_eq!(secret.expose_secret(), "canary-value");
/// ```
#[derive(Clone)]
pub struct CredentialSecret(SecretText);

impl CredentialSecret {
    /// Wraps a secret. The `String` is moved in and zeroized when the secret is dropped.
    pub fn new(value: String) -> Self {
        Self(SecretText::new(value))
    }

    /// Returns the secret.
    ///
    /// # Security
    ///
    /// The same rules as [`PatSecret::expose_secret`] apply: never log or print it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose()
    }
}

impl fmt::Debug for CredentialSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialSecret([REDACTED])")
    }
}

impl From<String> for CredentialSecret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// A PAT used as a password or header value; no copy of the text is made.
impl From<PatSecret> for CredentialSecret {
    fn from(pat: PatSecret) -> Self {
        Self(pat.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-3f1d-secret";

    #[test]
    fn debug_never_prints_the_value() {
        let pat = PatSecret::new(CANARY.to_owned());
        let bearer = BearerToken::new(CANARY.to_owned());
        let secret = CredentialSecret::new(CANARY.to_owned());
        let from_pat = CredentialSecret::from(pat.clone());
        assert!(!format!("{pat:?} {pat:#?}").contains(CANARY));
        assert!(!format!("{bearer:?} {bearer:#?}").contains(CANARY));
        assert!(!format!("{secret:?} {secret:#?} {from_pat:?}").contains(CANARY));
        assert_eq!(from_pat.expose_secret(), CANARY);
    }

    #[test]
    fn headers_are_sensitive_and_well_formed() {
        let pat = PatSecret::new("abc".to_owned());
        let header = pat.basic_authorization();
        assert!(header.is_sensitive());
        // base64(":abc") == "OmFiYw=="
        assert_eq!(header.to_str().unwrap(), "Basic OmFiYw==");
        assert!(!format!("{header:?}").contains("OmFiYw"));
        for pat in ["", "a", "ab", "abc", "abcd", &"p".repeat(84)] {
            let expected =
                format!("Basic {}", crate::base64::encode(format!(":{pat}"), crate::base64::Alphabet::Standard));
            assert_eq!(PatSecret::new(pat.to_owned()).basic_authorization().to_str().unwrap(), expected, "{pat}");
        }
        let bearer = BearerToken::new("xyz".to_owned()).bearer_authorization();
        assert!(bearer.is_sensitive());
        assert_eq!(bearer.to_str().unwrap(), "Bearer xyz");
    }
}
