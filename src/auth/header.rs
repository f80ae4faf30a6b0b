//! Building `Authorization` (and other credential) header values: the one place a secret is
//! turned into header text.
//!
//! Every text built here is ours: it is allocated once, at its final size (so no reallocation
//! leaves a copy behind), and wiped when the function returns. The returned `HeaderValue` is
//! `http`'s, marked sensitive so `http` never prints it, and is not wiped when dropped.

use zeroize::Zeroizing;

use crate::base64::{self, Alphabet};

const BEARER: &str = "Bearer ";
const BASIC: &str = "Basic ";

/// `Bearer <token>`.
pub(crate) fn bearer(token: &str) -> http::HeaderValue {
    let mut text = Zeroizing::new(String::with_capacity(BEARER.len() + token.len()));
    text.push_str(BEARER);
    text.push_str(token);
    sensitive(&text)
}

/// `Basic base64(user ":" secret)` (RFC 7617).
pub(crate) fn basic(user: &str, secret: &str) -> http::HeaderValue {
    let mut plain = Zeroizing::new(Vec::with_capacity(user.len() + 1 + secret.len()));
    plain.extend_from_slice(user.as_bytes());
    plain.push(b':');
    plain.extend_from_slice(secret.as_bytes());
    let encoded_len = base64::encoded_len(plain.len(), Alphabet::Standard);
    let mut text = Zeroizing::new(vec![0u8; BASIC.len() + encoded_len]);
    text[..BASIC.len()].copy_from_slice(BASIC.as_bytes());
    base64::encode_into(&plain, Alphabet::Standard, &mut text[BASIC.len()..]);
    // Base64 is ASCII, so the bytes are a `str`.
    std::str::from_utf8(&text).map_or_else(|_| empty(), sensitive)
}

/// `value` as it is, marked sensitive. Characters a header cannot carry give an empty value
/// rather than an error that might echo them.
pub(crate) fn sensitive(value: &str) -> http::HeaderValue {
    let mut header = http::HeaderValue::from_str(value).unwrap_or_else(|_| http::HeaderValue::from_static(""));
    header.set_sensitive(true);
    header
}

fn empty() -> http::HeaderValue {
    sensitive("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        base64::encode(text, Alphabet::Standard)
    }

    #[test]
    fn basic_joins_user_and_secret_with_a_colon() {
        for (user, secret) in [("", ""), ("", "abc"), ("alice", "pw"), ("bob", &"p".repeat(84)), ("ü", "é")] {
            let header = basic(user, secret);
            assert!(header.is_sensitive());
            assert_eq!(header.to_str().unwrap(), format!("Basic {}", b64(&format!("{user}:{secret}"))), "{user}");
        }
        assert_eq!(basic("", "abc").to_str().unwrap(), "Basic OmFiYw==");
    }

    #[test]
    fn bearer_and_raw_values_are_sensitive_and_bad_characters_give_an_empty_value() {
        assert_eq!(bearer("xyz").to_str().unwrap(), "Bearer xyz");
        assert!(bearer("xyz").is_sensitive());
        let raw = sensitive("glpat-123");
        assert!(raw.is_sensitive() && !format!("{raw:?}").contains("glpat"));
        for bad in ["a\nb", "a\rb", "a\0b"] {
            let header = sensitive(bad);
            assert!(header.is_empty() && header.is_sensitive(), "{bad:?}");
            assert!(bearer(bad).is_empty(), "{bad:?}");
        }
    }
}
