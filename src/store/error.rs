use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

/// A token store failed. Never carries a secret: messages name entries, never their values.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    message: Cow<'static, str>,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

/// What kind of failure a [`StoreError`] is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoreErrorKind {
    /// The entry does not exist where one was required.
    NotFound,
    /// A compare-and-swap found a different state than expected. Re-read and decide again.
    Conflict,
    /// The backend cannot be reached or is not running (no Secret Service, Vault sealed, …).
    /// May succeed later.
    Unavailable,
    /// The stored data is damaged (truncated file, bad checksum, wrong key). Never repaired
    /// silently.
    Corrupt,
    /// The store refuses to work because it is not safe (e.g. a world-readable file).
    Insecure,
    /// Access denied by the backend (e.g. a Vault policy).
    PermissionDenied,
    /// Anything else.
    Other,
}

impl StoreError {
    /// A store error of `kind` with a message that says what happened (never a secret).
    pub fn new(kind: StoreErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self { kind, message: message.into(), source: None }
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The message, without the source.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl StdError for StoreError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}
