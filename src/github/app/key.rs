//! [`AppKey`]: a GitHub App's RSA private key, read from PEM (PKCS#1, as GitHub hands it out, or
//! PKCS#8), never shown.

use std::fmt;
use std::path::Path;

use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use zeroize::Zeroizing;

use crate::base64;
use crate::error::{CredentialErrorKind, Error, Result};

/// A GitHub App's private key (RSA, 2048 to 4096 bits), the secret that signs the app's JWTs.
///
/// Read from PEM: `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1, what GitHub's "Generate a private
/// key" downloads) or `-----BEGIN PRIVATE KEY-----` (PKCS#8, e.g. after `openssl pkcs8
/// -topk8 -nocrypt`). The PEM text and the decoded DER are zeroed once parsed; the parsed key
/// lives inside ring, which does not clear its memory when the key is dropped (keep an `AppKey`
/// for the life of the program rather than parsing it again and again). `Debug` shows the key
/// size only, and no error quotes the key.
///
/// ```
/// use patkit::github::AppKey;
///
/// let key = AppKey::from_pem_file("tests/fixtures/github/app-key.pem")?;
/// assert_eq!(format!("{key:?}"), "AppKey { bits: 2048 }");
/// assert!(AppKey::from_pem("-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----").is_err());
/// # Ok::<_, patkit::Error>(())
/// ```
pub struct AppKey {
    pair: RsaKeyPair,
}

impl fmt::Debug for AppKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppKey").field("bits", &(self.pair.public().modulus_len() * 8)).finish()
    }
}

/// What a PEM block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Pkcs1,
    Pkcs8,
}

fn rejected(reason: &'static str) -> Error {
    Error::credential(CredentialErrorKind::NotAccepted, format!("GitHub App private key: {reason}"))
}

impl AppKey {
    /// Parses a PEM private key (PKCS#1 or PKCS#8; text around the block, such as a comment, is
    /// ignored). The text is taken by value and zeroed.
    ///
    /// # Errors
    ///
    /// [`Error::Credential`] (kind `NotAccepted`) when there is no PEM private key block, its
    /// base64 is broken, it is encrypted, or it is no RSA key of 2048 to 4096 bits (ring's range;
    /// GitHub generates 2048-bit keys); the error never quotes the text.
    pub fn from_pem(pem: impl Into<String>) -> Result<Self> {
        let pem = Zeroizing::new(pem.into());
        let (format, body) = block(&pem)?;
        let b64: Zeroizing<String> = Zeroizing::new(body.split_whitespace().collect());
        let der = Zeroizing::new(
            base64::decode(b64.as_bytes(), base64::Alphabet::Standard)
                .ok_or_else(|| rejected("the PEM block is not valid base64"))?,
        );
        let pair = match format {
            Format::Pkcs1 => RsaKeyPair::from_der(&der),
            Format::Pkcs8 => RsaKeyPair::from_pkcs8(&der),
        }
        .map_err(|_| rejected("not an RSA private key (2048 to 4096 bits) in PKCS#1 or PKCS#8"))?;
        Ok(Self { pair })
    }

    /// Reads and parses the PEM file at `path` (what GitHub downloads as `APP.DATE.private-key.pem`).
    ///
    /// # Errors
    ///
    /// [`Error::Credential`]: kind `Unavailable` when the file cannot be read (the error names the
    /// path and the I/O kind), else as [`from_pem`](Self::from_pem).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::credential(
                CredentialErrorKind::Unavailable,
                format!("could not read the GitHub App private key file {}: {}", path.display(), e.kind()),
            )
        })?;
        Self::from_pem(text)
    }

    /// Parses the PEM held by the environment variable `name` (literal newlines, or `\n`
    /// escapes as CI systems often store multi-line secrets).
    ///
    /// # Errors
    ///
    /// [`Error::Credential`]: kind `Unavailable` when the variable is unset or not Unicode, else
    /// as [`from_pem`](Self::from_pem).
    pub fn from_env(name: &str) -> Result<Self> {
        let value = Zeroizing::new(std::env::var(name).map_err(|_| {
            Error::credential(
                CredentialErrorKind::Unavailable,
                format!("the environment variable {name} holding the GitHub App private key is not set"),
            )
        })?);
        if value.contains("\\n") && !value.contains('\n') {
            return Self::from_pem(value.replace("\\n", "\n"));
        }
        Self::from_pem(value.as_str())
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature of `message`.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| rejected("signing with the key failed"))?;
        Ok(signature)
    }

    /// The public key, DER `RSAPublicKey` (for tests that verify signatures).
    #[cfg(test)]
    pub(crate) fn public_key_der(&self) -> Vec<u8> {
        self.pair.public().as_ref().to_vec()
    }
}

/// The format and base64 body of the first private-key block of `pem`.
fn block(pem: &str) -> Result<(Format, &str)> {
    if pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(rejected("the key is encrypted; GitHub App keys are plain PEM (decrypt it first)"));
    }
    for (label, format) in [("RSA PRIVATE KEY", Format::Pkcs1), ("PRIVATE KEY", Format::Pkcs8)] {
        let begin = format!("-----BEGIN {label}-----");
        let end = format!("-----END {label}-----");
        if let Some(start) = pem.find(&begin) {
            let rest = &pem[start + begin.len()..];
            let stop = rest.find(&end).ok_or_else(|| rejected("the PEM block has no END line"))?;
            return Ok((format, &rest[..stop]));
        }
    }
    Err(rejected("no `BEGIN RSA PRIVATE KEY` or `BEGIN PRIVATE KEY` PEM block"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const PKCS1: &str = include_str!("../../../tests/fixtures/github/app-key.pem");

    pub(crate) fn key() -> AppKey {
        AppKey::from_pem(PKCS1).unwrap()
    }

    /// The fixture as PKCS#8: the PKCS#1 DER wrapped in a `PrivateKeyInfo` (RFC 5208) by hand.
    fn pkcs8_pem() -> String {
        let (_, body) = block(PKCS1).unwrap();
        let b64: String = body.split_whitespace().collect();
        let pkcs1 = base64::decode(b64, base64::Alphabet::Standard).unwrap();
        fn der(tag: u8, content: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            let len = content.len();
            if len < 128 {
                out.push(len as u8);
            } else {
                let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
                out.push(0x80 | bytes.len() as u8);
                out.extend(bytes);
            }
            out.extend_from_slice(content);
            out
        }
        let rsa_oid = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
        let mut inner = vec![0x02, 0x01, 0x00];
        inner.extend(der(0x30, &rsa_oid));
        inner.extend(der(0x04, &pkcs1));
        let info = der(0x30, &inner);
        let b64 = base64::encode(info, base64::Alphabet::Standard);
        format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----\n")
    }

    #[test]
    fn pkcs1_and_pkcs8_give_the_same_key() {
        let one = key();
        let eight = AppKey::from_pem(pkcs8_pem()).unwrap();
        assert_eq!(one.public_key_der(), eight.public_key_der());
        assert_eq!(format!("{eight:?}"), "AppKey { bits: 2048 }");
    }

    #[test]
    fn bad_pem_is_a_credential_error_that_quotes_nothing() {
        let (_, body) = block(PKCS1).unwrap();
        let canary_body = body.replacen('M', "!", 1);
        let broken = format!("-----BEGIN RSA PRIVATE KEY-----{canary_body}-----END RSA PRIVATE KEY-----");
        let truncated = format!("-----BEGIN RSA PRIVATE KEY-----{}-----END RSA PRIVATE KEY-----", &body[..200]);
        for bad in [
            broken.clone(),
            truncated,
            "no pem here".to_owned(),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA".to_owned(),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----".to_owned(),
        ] {
            let err = AppKey::from_pem(bad).unwrap_err();
            assert!(matches!(err, Error::Credential { kind: CredentialErrorKind::NotAccepted, .. }), "{err:?}");
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains(&body.trim()[..40]) && !shown.contains("MIIE"), "{shown}");
        }
    }
}
