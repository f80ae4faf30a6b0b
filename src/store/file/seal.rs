//! Sealing of entry bodies: plain, or XChaCha20-Poly1305 with a caller-supplied key.

use std::fmt;

#[cfg(feature = "encryption")]
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
#[cfg(feature = "encryption")]
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

#[cfg(feature = "encryption")]
use super::FileStoreKey;

/// The `sealing` byte of a plain entry file.
pub(super) const PLAIN: u8 = 0;
/// The `sealing` byte of an XChaCha20-Poly1305 entry file.
pub(super) const XCHACHA20POLY1305: u8 = 1;
/// Bytes of nonce in a sealed file.
pub(super) const NONCE_LEN: usize = 24;

/// How this store writes (and expects to read) entry bodies.
pub(super) enum Sealing {
    /// Bodies are stored as they are (the file is private to the user).
    Plain,
    /// Bodies are encrypted with this cipher.
    #[cfg(feature = "encryption")]
    XChaCha20Poly1305(Box<XChaCha20Poly1305>),
}

/// A sealed body could not be opened: wrong key or tampered data (indistinguishable by design).
#[derive(Debug)]
pub(super) struct OpenFailed;

impl Sealing {
    #[cfg(feature = "encryption")]
    pub(super) fn with_key(key: &FileStoreKey) -> Self {
        let key = chacha20poly1305::Key::from(*key.expose_secret());
        Self::XChaCha20Poly1305(Box::new(XChaCha20Poly1305::new(&key)))
    }

    /// The `sealing` byte for files this store writes.
    pub(super) fn id(&self) -> u8 {
        match self {
            Self::Plain => PLAIN,
            #[cfg(feature = "encryption")]
            Self::XChaCha20Poly1305(_) => XCHACHA20POLY1305,
        }
    }

    /// The name used in the store marker and in messages.
    pub(super) fn label(&self) -> &'static str {
        label(self.id())
    }

    /// Bytes of nonce this sealing puts before the body.
    pub(super) fn nonce_len(&self) -> usize {
        if self.id() == PLAIN { 0 } else { NONCE_LEN }
    }

    /// Seals `body`, authenticating `aad` with it: returns `nonce ‖ ciphertext ‖ tag` (plain: the
    /// body itself).
    pub(super) fn seal(&self, body: &[u8], aad: &[u8]) -> Vec<u8> {
        match self {
            Self::Plain => {
                let _ = aad;
                body.to_vec()
            }
            #[cfg(feature = "encryption")]
            Self::XChaCha20Poly1305(cipher) => {
                let mut nonce = [0u8; NONCE_LEN];
                getrandom::getrandom(&mut nonce).expect("the operating system's random number generator failed");
                let sealed = cipher
                    .encrypt(&XNonce::from(nonce), Payload { msg: body, aad })
                    .expect("XChaCha20-Poly1305 seals any message of a few kilobytes");
                let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
                out.extend_from_slice(&nonce);
                out.extend_from_slice(&sealed);
                out
            }
        }
    }

    /// Opens what [`seal`](Self::seal) produced with the same `aad`.
    pub(super) fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenFailed> {
        match self {
            Self::Plain => {
                let _ = aad;
                Ok(Zeroizing::new(sealed.to_vec()))
            }
            #[cfg(feature = "encryption")]
            Self::XChaCha20Poly1305(cipher) => {
                let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(OpenFailed)?;
                let nonce = XNonce::try_from(nonce).map_err(|_| OpenFailed)?;
                cipher.decrypt(&nonce, Payload { msg: ciphertext, aad }).map(Zeroizing::new).map_err(|_| OpenFailed)
            }
        }
    }
}

/// The name of a sealing byte, for the marker file and messages.
pub(super) fn label(id: u8) -> &'static str {
    match id {
        PLAIN => "none",
        XCHACHA20POLY1305 => "xchacha20poly1305",
        _ => "unknown",
    }
}

impl fmt::Debug for Sealing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
