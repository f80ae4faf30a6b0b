//! The in-memory reference store.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{Expected, PatRecord, StoreError, StoreErrorKind, StoredPat, TokenStore};

/// A [`TokenStore`] that keeps entries in memory, for tests and short-lived programs.
///
/// The reference implementation of the [`TokenStore`] contract: every property of the
/// conformance suite (`patkit::testing::conformance`, feature `testing`) holds for it. Entries
/// live as long as the store; nothing is persisted. Revisions come from one counter for the whole
/// store, so they are never reused, not even after a remove.
///
/// ```
/// use patkit::store::{Expected, InMemoryTokenStore, StoreErrorKind, TokenStore};
/// # use patkit::{Extras, PatId, PatMetadata, PatRecord, PatSecret, Scopes, StoredPat};
/// # fn entry(name: &str) -> StoredPat {
/// #     let now = chrono::Utc::now();
/// #     StoredPat {
/// #         record: PatRecord {
/// #             name: name.to_owned(),
/// #             provider: "azure-devops".to_owned(),
/// #             organization: "contoso".to_owned(),
/// #             metadata: PatMetadata {
/// #                 id: PatId::new("7a1b"),
/// #                 display_name: "ci".to_owned(),
/// #                 scopes: Scopes::default(),
/// #                 valid_from: now,
/// #                 valid_to: Some(now),
/// #                 extras: Extras::new(),
/// #             },
/// #             stored_at: now,
/// #             revision: 0,
/// #             rotation: None,
/// #             previous: None,
/// #             retiring: None,
/// #         },
/// #         secret: PatSecret::new("value".to_owned()),
/// #     }
/// # }
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), patkit::store::StoreError> {
/// let store = InMemoryTokenStore::new();
/// let first = store.put(entry("ci/feed")).await?;
/// let second = store.compare_and_swap(entry("ci/feed"), Expected::Revision(first)).await?;
/// assert!(second > first);
/// // A stale revision is refused.
/// let err = store.compare_and_swap(entry("ci/feed"), Expected::Revision(first)).await.unwrap_err();
/// assert_eq!(err.kind(), StoreErrorKind::Conflict);
/// assert_eq!(store.list().await?.len(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct InMemoryTokenStore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: BTreeMap<String, StoredPat>,
    last_revision: u64,
}

impl InMemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many entries the store holds.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the store holds no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the map half-updated (every mutation is a
        // single insert or remove), so a poisoned lock is safe to keep using.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    fn write(&mut self, mut entry: StoredPat) -> Result<u64, StoreError> {
        if entry.record.name.is_empty() {
            return Err(StoreError::new(StoreErrorKind::Other, "an entry name must not be empty"));
        }
        self.last_revision += 1;
        entry.record.revision = self.last_revision;
        self.entries.insert(entry.record.name.clone(), entry);
        Ok(self.last_revision)
    }
}

impl fmt::Debug for InMemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryTokenStore").field("entries", &self.len()).finish()
    }
}

#[async_trait]
impl TokenStore for InMemoryTokenStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        Ok(self.lock().entries.get(name).cloned())
    }

    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.lock().write(entry)
    }

    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        let mut state = self.lock();
        let current = state.entries.get(entry.name()).map(|e| e.record.revision);
        if !expected.matches(current) {
            return Err(conflict(entry.name(), expected, current));
        }
        state.write(entry)
    }

    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        Ok(self.lock().entries.remove(name).is_some())
    }

    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        Ok(self.lock().entries.values().map(|e| e.record.clone()).collect())
    }
}

/// The conflict error every store in this crate reports: names the entry and both states.
pub(crate) fn conflict(name: &str, expected: Expected, current: Option<u64>) -> StoreError {
    let expected = match expected {
        Expected::Absent => "no entry".to_owned(),
        Expected::Revision(r) => format!("revision {r}"),
    };
    let found = match current {
        None => "no entry".to_owned(),
        Some(r) => format!("revision {r}"),
    };
    StoreError::new(StoreErrorKind::Conflict, format!("entry {name:?} changed: expected {expected}, found {found}"))
}
