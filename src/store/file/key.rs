//! The caller-supplied key for encryption at rest.

use std::fmt;

use zeroize::Zeroizing;

/// A 256-bit key that encrypts a [`FileTokenStore`](super::FileTokenStore) at rest
/// (XChaCha20-Poly1305). Feature `encryption`.
///
/// The key is a secret: its `Debug` prints a redaction marker, and the bytes are zeroized when
/// it is dropped. Keep it outside the store directory (an environment variable, a secrets
/// manager, a file only the service can read); whoever has the key and the directory has the
/// tokens.
///
/// ```
/// use patkit::store::FileStoreKey;
/// let key = FileStoreKey::from_bytes([7; 32]);
/// assert_eq!(format!("{key:?}"), "FileStoreKey([REDACTED])");
/// let fresh = FileStoreKey::generate();
/// assert_eq!(fresh.expose_secret().len(), 32);
/// ```
pub struct FileStoreKey(Box<Zeroizing<[u8; 32]>>);

impl FileStoreKey {
    /// Wraps 32 bytes of key material.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Box::new(Zeroizing::new(bytes)))
    }

    /// A fresh random key from the operating system's generator.
    ///
    /// # Panics
    ///
    /// If the operating system has no random number generator (practically never).
    pub fn generate() -> Self {
        // Filled where it lives: no copy of the key is left on the stack.
        let mut key = Box::new(Zeroizing::new([0u8; 32]));
        getrandom::getrandom(key.as_mut_slice()).expect("the operating system's random number generator failed");
        Self(key)
    }

    /// The key bytes, e.g. to save a generated key.
    ///
    /// # Security
    ///
    /// Whoever holds these bytes can read every token in the store. Never log or print them.
    pub fn expose_secret(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for FileStoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileStoreKey([REDACTED])")
    }
}
