//! Secret newtypes: the PAT value and the bearer credential.
//!
//! Both wrap [`secrecy::SecretString`]. Their `Debug` prints a redaction marker; they have no
//! `Display`, no `Serialize` and no `PartialEq` (compare digests if you must). The only way to the
//! plain text is an explicit `expose_secret()`.

use std::fmt;

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};

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
pub struct PatSecret(SecretString);

impl PatSecret {
    /// Wraps a token value. The `String` is moved in and zeroized when the secret is dropped.
    pub fn new(value: String) -> Self {
        Self(SecretString::from(value))
    }

    /// Returns the token value.
    ///
    /// # Security
    ///
    /// Everything that holds the returned `&str` can leak it. Pass it straight to where it is
    /// needed (an `Authorization` header, a credential helper's stdout, a store) and never into
    /// a log line, an error message or a `format!` that may be printed.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
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

    /// The value as the `Authorization` header a PAT is used with:
    /// `Basic base64(":" + PAT)`, marked sensitive so `http` never prints it.
    pub fn basic_authorization(&self) -> http::HeaderValue {
        basic_header(self.expose_secret())
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

/// A Microsoft Entra access token, sent as `Authorization: Bearer …`.
///
/// ```
/// use patkit::BearerToken;
/// let token = BearerToken::new("eyJ0eXAi.canary".to_owned());
/// assert_eq!(format!("{token:?}"), "BearerToken([REDACTED])");
/// ```
#[derive(Clone)]
pub struct BearerToken(SecretString);

impl BearerToken {
    /// Wraps an access token.
    pub fn new(value: String) -> Self {
        Self(SecretString::from(value))
    }

    /// Returns the token value.
    ///
    /// # Security
    ///
    /// The same rules as [`PatSecret::expose_secret`] apply: never log or print it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The `Authorization: Bearer …` header value, marked sensitive. The text it is built from
    /// is allocated once, at its final size, and wiped before this returns.
    pub fn bearer_authorization(&self) -> http::HeaderValue {
        let token = self.expose_secret();
        let mut text = Zeroizing::new(String::with_capacity(BEARER.len() + token.len()));
        text.push_str(BEARER);
        text.push_str(token);
        sensitive_header(&text)
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

const BEARER: &str = "Bearer ";
const BASIC: &str = "Basic ";

/// `Basic base64(":" + pat)` as a sensitive header value. Both texts it is built from are ours:
/// each is allocated once, at its final size (so no reallocation leaves a copy behind), and
/// wiped when this returns. The `HeaderValue` itself is `http`'s and is not wiped when dropped.
pub(crate) fn basic_header(pat: &str) -> http::HeaderValue {
    use base64::Engine as _;
    let mut plain = Zeroizing::new(Vec::with_capacity(1 + pat.len()));
    plain.push(b':');
    plain.extend_from_slice(pat.as_bytes());
    let Some(encoded_len) = base64::encoded_len(plain.len(), true) else {
        return empty_sensitive_header();
    };
    let mut text = Zeroizing::new(vec![0u8; BASIC.len() + encoded_len]);
    text[..BASIC.len()].copy_from_slice(BASIC.as_bytes());
    match base64::engine::general_purpose::STANDARD.encode_slice(&*plain, &mut text[BASIC.len()..]) {
        // Base64 is ASCII, so the bytes are a `str`.
        Ok(written) => std::str::from_utf8(&text[..BASIC.len() + written])
            .map_or_else(|_| empty_sensitive_header(), sensitive_header),
        Err(_) => empty_sensitive_header(),
    }
}

fn empty_sensitive_header() -> http::HeaderValue {
    let mut header = http::HeaderValue::from_static("");
    header.set_sensitive(true);
    header
}

/// Builds a header value and marks it sensitive. Characters a header cannot carry are replaced by
/// an empty value rather than echoed into an error that might be printed.
fn sensitive_header(value: &str) -> http::HeaderValue {
    let mut header = http::HeaderValue::from_str(value).unwrap_or_else(|_| http::HeaderValue::from_static(""));
    header.set_sensitive(true);
    header
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-3f1d-secret";

    #[test]
    fn debug_never_prints_the_value() {
        let pat = PatSecret::new(CANARY.to_owned());
        let bearer = BearerToken::new(CANARY.to_owned());
        assert!(!format!("{pat:?} {pat:#?}").contains(CANARY));
        assert!(!format!("{bearer:?} {bearer:#?}").contains(CANARY));
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
            use base64::Engine as _;
            let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!(":{pat}")));
            assert_eq!(PatSecret::new(pat.to_owned()).basic_authorization().to_str().unwrap(), expected, "{pat}");
        }
        let bearer = BearerToken::new("xyz".to_owned()).bearer_authorization();
        assert!(bearer.is_sensitive());
        assert_eq!(bearer.to_str().unwrap(), "Bearer xyz");
    }
}
