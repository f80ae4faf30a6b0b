//! [`FakeDirectory`]: an in-memory [`UserDirectory`] for tests of flows built on it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;

use crate::admin::UserId;
use crate::directory::{DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::{Error, Result};
use crate::transport::{TransportError, TransportErrorKind};

/// An in-memory user directory. [`find_users`](UserDirectory::find_users) returns every user
/// whose email, login or display name *contains* the query (case-insensitively), like a
/// service's search: exact matches and fuzzy hits both, for
/// [`resolve_user`](crate::resolve_user) to tell apart. Clones share their users.
///
/// ```
/// use patkit::testing::FakeDirectory;
/// use patkit::{DirectoryUser, UserDirectory};
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let directory = FakeDirectory::new().user(DirectoryUser::new("7").login("ada"));
/// assert_eq!(directory.find_users("AD").await?.len(), 1);
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct FakeDirectory {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    users: Vec<DirectoryUser>,
    credentials: BTreeMap<UserId, Vec<OtherCredential>>,
    unreachable: bool,
}

impl FakeDirectory {
    /// No users.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a user.
    pub fn user(self, user: DirectoryUser) -> Self {
        self.lock().users.push(user);
        self
    }

    /// Gives `user` a credential other than a PAT.
    pub fn credential(self, user: impl Into<UserId>, credential: OtherCredential) -> Self {
        self.lock().credentials.entry(user.into()).or_default().push(credential);
        self
    }

    /// Makes every call fail with a connect [`Error::Transport`] (`true`), or work again.
    pub fn set_unreachable(&self, unreachable: bool) {
        self.lock().unreachable = unreachable;
    }

    fn reachable(&self) -> Result<()> {
        if self.lock().unreachable {
            return Err(Error::Transport(TransportError::new(
                TransportErrorKind::Connect,
                "injected fault: the fake directory is unreachable",
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl UserDirectory for FakeDirectory {
    fn provider_name(&self) -> &str {
        super::FAKE_PROVIDER_NAME
    }

    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?.to_lowercase();
        self.reachable()?;
        let contains = |v: &Option<String>| v.as_deref().is_some_and(|v| v.to_lowercase().contains(&query));
        Ok(self
            .lock()
            .users
            .iter()
            .filter(|u| contains(&u.email) || contains(&u.login) || contains(&u.display_name))
            .cloned()
            .collect())
    }

    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        self.reachable()?;
        Ok(self.lock().credentials.get(user).cloned().unwrap_or_default())
    }
}
