//! The blocking calls into keyring-core, and the mapping of its errors to [`StoreError`].

use std::sync::Arc;

use keyring_core::api::CredentialStore;
use keyring_core::{Entry, Error as KeyringError};
use zeroize::Zeroizing;

use super::envelope;
use super::platform::{self, NAMING};
use crate::store::{PatRecord, StoreError, StoreErrorKind, StoredPat};

/// A connected platform keyring and the service name this store owns in it.
pub(super) struct Backend {
    store: Arc<CredentialStore>,
    service: String,
}

impl Backend {
    /// Connects to the platform's keyring. Never substitutes a mock.
    pub(super) fn connect(service: String) -> Result<Self, StoreError> {
        Ok(Self { store: platform::store()?, service })
    }

    pub(super) fn service(&self) -> &str {
        &self.service
    }

    /// Which keyring-core backend this is (for `Debug`).
    pub(super) fn vendor(&self) -> String {
        self.store.vendor()
    }

    fn entry(&self, name: &str) -> Result<Entry, StoreError> {
        let modifiers = platform::modifiers(&self.service, name);
        Entry::new_in_store_with_modifiers(&self.store, &self.service, name, &platform::as_map(&modifiers))
            .map_err(|e| map_error(e, "address", name))
    }

    pub(super) fn read(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        match self.entry(name)?.get_secret() {
            Ok(bytes) => envelope::decode(name, &Zeroizing::new(bytes)).map(Some),
            Err(KeyringError::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e, "read", name)),
        }
    }

    pub(super) fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        platform::check_size(name, bytes.len(), &NAMING)?;
        self.entry(name)?.set_secret(bytes).map_err(|e| map_error(e, "write", name))
    }

    pub(super) fn delete(&self, name: &str) -> Result<bool, StoreError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(KeyringError::NoEntry) => Ok(false),
            Err(e) => Err(map_error(e, "remove", name)),
        }
    }

    /// Every item with this store's `service` attribute, decoded; secrets dropped at once.
    pub(super) fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let spec = platform::search_spec(&self.service);
        let items = self.store.search(&platform::as_map(&spec)).map_err(|e| map_error(e, "list", &self.service))?;
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let bytes = match item.get_secret() {
                Ok(bytes) => Zeroizing::new(bytes),
                // Removed between the search and the read.
                Err(KeyringError::NoEntry) => continue,
                Err(e) => return Err(map_error(e, "list", &self.service)),
            };
            // The stored record carries its name; a wrapper found by search knows no other.
            let stored = envelope::decode_listed(&self.service, &bytes)?;
            records.push(stored.record);
        }
        Ok(records)
    }
}

/// Maps a keyring-core error. Only platform errors are kept as sources: the variants that carry
/// item data (`BadEncoding`, `BadDataFormat`) could carry the secret and are never attached.
fn map_error(error: KeyringError, doing: &str, name: &str) -> StoreError {
    let message = |kind, why: &str| StoreError::new(kind, format!("keyring {doing} of '{name}': {why}"));
    match error {
        KeyringError::NoStorageAccess(source) => {
            message(StoreErrorKind::Unavailable, "the keyring is locked or refused access").with_source(source)
        }
        KeyringError::PlatformFailure(source) => {
            message(StoreErrorKind::Unavailable, "the keyring service failed").with_source(source)
        }
        KeyringError::NoDefaultStore => message(StoreErrorKind::Unavailable, "no keyring store"),
        KeyringError::NoEntry => message(StoreErrorKind::NotFound, "no such item"),
        KeyringError::BadEncoding(_) | KeyringError::BadDataFormat(..) => {
            message(StoreErrorKind::Corrupt, "the item's data is malformed")
        }
        KeyringError::BadStoreFormat(_) => message(StoreErrorKind::Corrupt, "the keyring itself is malformed"),
        KeyringError::Ambiguous(items) => {
            message(StoreErrorKind::Corrupt, &format!("{} keyring items match; remove the extra ones", items.len()))
        }
        KeyringError::TooLong(attribute, limit) => {
            message(StoreErrorKind::Other, &format!("'{attribute}' is longer than the keyring allows ({limit})"))
        }
        KeyringError::Invalid(attribute, reason) => {
            message(StoreErrorKind::Other, &format!("invalid '{attribute}': {reason}"))
        }
        KeyringError::NotSupportedByStore(what) => message(StoreErrorKind::Other, &format!("unsupported: {what}")),
        _ => message(StoreErrorKind::Other, "unexpected keyring error"),
    }
}
