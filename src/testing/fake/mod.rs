//! [`FakeProvider`]: an in-memory, provider-neutral [`PatProvider`] with configurable
//! capabilities and faults, for testing code built on the seam (and the seam itself).

mod admin;
mod directory;
mod profile;
mod state;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use admin::{FAKE_USER, FakeAdmin};
pub use directory::FakeDirectory;
pub use profile::{FakeOp, FakeProfile};
pub use state::FakeToken;

use crate::capabilities::Capabilities;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::extras::Extras;
use crate::model::{ContinuationToken, CreatedPat, ListQuery, Page, PatChanges, PatId, PatMetadata, PatSpec};
use crate::provider::{PatProvider, RotatedPat};
use crate::scope::Scopes;
use crate::secret::PatSecret;
use crate::transport::{TransportError, TransportErrorKind};
use profile::Fault;
use state::State;

/// The [`provider_name`](PatProvider::provider_name) of a [`FakeProvider`].
pub const FAKE_PROVIDER_NAME: &str = "fake";

/// The [`organization`](PatProvider::organization) of a [`FakeProvider`]; tokens are bound to
/// it unless created with `all_organizations`.
pub const FAKE_ORGANIZATION: &str = "fake-org";

/// An in-memory token service for one user, with the capabilities of a [`FakeProfile`] (or any
/// [`Capabilities`]). Operations its capabilities lack answer [`Error::Unsupported`]. Clones
/// share the same tokens, so a test keeps one to inspect what the code under test did.
///
/// ```
/// use patkit::testing::{FakeOp, FakeProfile, FakeProvider};
/// use patkit::{PatProvider, PatSpec, Scopes};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let fake = FakeProvider::new(FakeProfile::CreateUpdate);
/// let spec = PatSpec::new("ci", Scopes::default());
/// let created = fake.create_pat(spec).await?;
/// assert!(fake.check_pat(&created.secret).await?);
/// fake.revoke_pat(&created.metadata.id).await?;
/// assert!(fake.token(&created.metadata.id).unwrap().revoked);
/// assert_eq!(fake.calls(FakeOp::Create), 1);
///
/// let gitlab_like = FakeProvider::new(FakeProfile::ServerRotate);
/// let seeded = gitlab_like.seed("ci", Scopes::default(), None);
/// let rotated = gitlab_like.rotate_pat(&seeded.metadata.id, None).await?;
/// assert!(!gitlab_like.check_pat(&seeded.secret).await?);
/// assert!(gitlab_like.check_pat(&rotated.created.secret).await?);
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct FakeProvider {
    capabilities: Capabilities,
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for FakeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeProvider")
            .field("capabilities", &self.capabilities)
            .field("tokens", &self.lock().order.len())
            .finish_non_exhaustive()
    }
}

impl FakeProvider {
    /// An empty fake with the capabilities of `profile`, on the system clock.
    pub fn new(profile: FakeProfile) -> Self {
        Self::with_capabilities(profile.capabilities())
    }

    /// An empty fake with exactly these capabilities (the `admin_*`, `revoke_many` and
    /// `revocation_rules` flags are ignored: the fake is no [`PatAdmin`](crate::PatAdmin)).
    pub fn with_capabilities(capabilities: Capabilities) -> Self {
        Self { capabilities, clock: Arc::new(SystemClock), state: Arc::default() }
    }

    /// Uses `clock` for issue and expiry times.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a token directly (whatever the capabilities), as a user would in the web UI.
    /// `valid_to` follows the expiry granularity.
    ///
    /// # Panics
    ///
    /// When `valid_to` is not in the future (for a provider whose tokens expire).
    pub fn seed(&self, display_name: &str, scopes: Scopes, valid_to: Option<DateTime<Utc>>) -> CreatedPat {
        let now = self.clock.now();
        let valid_to = state::expiry(self.capabilities, valid_to, now).expect("a seeded expiry must be in the future");
        self.lock().mint(display_name.to_owned(), scopes, valid_to, Extras::new(), now)
    }

    /// The next `n` calls of `op` answer HTTP 503 and change nothing.
    pub fn fail_next(&self, op: FakeOp, n: usize) {
        if n > 0 {
            self.lock().faults.insert(op, (Fault::Fail, n));
        }
    }

    /// The next call of `op` does its work, then loses the answer (as a timeout after the
    /// server acted): a create answers [`Error::CreateOutcomeUnknown`] listing the active tokens
    /// with the requested name, every other operation an interrupted
    /// [`Error::Transport`]. For [`FakeOp::Rotate`] that is the server-side rotate whose answer
    /// is lost after the server applied it: the old token is revoked and the replacement, whose
    /// secret nobody has, is active.
    pub fn lose_next_answer(&self, op: FakeOp) {
        self.lock().faults.insert(op, (Fault::LoseAnswer, 1));
    }

    /// Forgets every fault injected with [`fail_next`](Self::fail_next) or
    /// [`lose_next_answer`](Self::lose_next_answer) that has not struck yet.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// How often `op` was called (refused and failed calls included).
    pub fn calls(&self, op: FakeOp) -> usize {
        self.lock().calls.get(&op).copied().unwrap_or(0)
    }

    /// Every token ever minted, oldest first, revoked ones included.
    pub fn tokens(&self) -> Vec<FakeToken> {
        let state = self.lock();
        state.order.iter().map(|id| state.entries[id].token.clone()).collect()
    }

    /// One token, revoked or not.
    pub fn token(&self, id: &PatId) -> Option<FakeToken> {
        self.lock().entries.get(id).map(|e| e.token.clone())
    }

    /// Counts the call and answers what an unsupported operation or an injected failure
    /// answers; `Ok(lose)` says whether to lose the answer after doing the work.
    fn enter(&self, op: FakeOp, offered: bool, operation: &'static str) -> Result<bool> {
        let fault = self.lock().enter(op);
        if !offered {
            return Err(Error::unsupported(FAKE_PROVIDER_NAME, operation));
        }
        match fault {
            Some(Fault::Fail) => {
                Err(Error::Api { status: 503, code: None, message: Some(format!("injected fault in {operation}")) })
            }
            Some(Fault::LoseAnswer) => Ok(true),
            None => Ok(false),
        }
    }
}

fn lost(operation: &'static str) -> Error {
    Error::Transport(TransportError::new(
        TransportErrorKind::Interrupted,
        format!("injected fault: the answer of {operation} was lost after the fake acted"),
    ))
}

#[async_trait]
impl PatProvider for FakeProvider {
    fn provider_name(&self) -> &str {
        FAKE_PROVIDER_NAME
    }

    fn organization(&self) -> &str {
        FAKE_ORGANIZATION
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn create_pat(&self, spec: PatSpec) -> Result<CreatedPat> {
        let lose = self.enter(FakeOp::Create, self.capabilities.create, "create_pat")?;
        state::display_name(self.capabilities, &spec.display_name)?;
        let now = self.clock.now();
        let valid_to = state::expiry(self.capabilities, spec.valid_to, now)?;
        let mut state = self.lock();
        let created = state.mint(spec.display_name.clone(), spec.scopes, valid_to, spec.extras, now);
        if !lose {
            return Ok(created);
        }
        let found = state
            .order
            .iter()
            .map(|id| &state.entries[id].token)
            .filter(|t| !t.revoked && t.metadata.display_name == spec.display_name)
            .map(|t| t.metadata.clone())
            .collect();
        Err(Error::CreateOutcomeUnknown {
            display_name: spec.display_name,
            id: None,
            found,
            source: Box::new(lost("create_pat")),
        })
    }

    async fn get_pat(&self, id: &PatId) -> Result<PatMetadata> {
        let lose = self.enter(FakeOp::Get, self.capabilities.get, "get_pat")?;
        let metadata = self.lock().entry(id)?.token.metadata.clone();
        if lose { Err(lost("get_pat")) } else { Ok(metadata) }
    }

    async fn list_pats(&self, query: &ListQuery, continuation: Option<ContinuationToken>) -> Result<Page<PatMetadata>> {
        let lose = self.enter(FakeOp::List, self.capabilities.list_own, "list_pats")?;
        let offset = match &continuation {
            None => 0,
            Some(c) => {
                c.as_str().parse().map_err(|_| Error::invalid_input("continuation", "not one this fake sent"))?
            }
        };
        let page = self.lock().page(query, offset, self.clock.now());
        if lose { Err(lost("list_pats")) } else { Ok(page) }
    }

    async fn update_pat(&self, id: &PatId, changes: PatChanges) -> Result<PatMetadata> {
        let lose = self.enter(FakeOp::Update, self.capabilities.update, "update_pat")?;
        if changes.valid_to.is_some() && !self.capabilities.update_expiry {
            return Err(Error::unsupported(FAKE_PROVIDER_NAME, "update_pat (valid_to)"));
        }
        if let Some(name) = &changes.display_name {
            state::display_name(self.capabilities, name)?;
        }
        let now = self.clock.now();
        let valid_to = changes.valid_to.map(|t| state::expiry(self.capabilities, Some(t), now)).transpose()?;
        let mut state = self.lock();
        let entry = state.entry(id)?;
        if entry.token.revoked {
            return Err(Error::NotFound { id: Some(id.clone()) });
        }
        let metadata = &mut entry.token.metadata;
        if let Some(name) = changes.display_name {
            metadata.display_name = name;
        }
        if let Some(scopes) = changes.scopes {
            metadata.scopes = scopes;
        }
        if let Some(valid_to) = valid_to {
            metadata.valid_to = valid_to;
        }
        for (key, value) in changes.extras.iter() {
            metadata.extras.insert(key, value);
        }
        let metadata = metadata.clone();
        if lose { Err(lost("update_pat")) } else { Ok(metadata) }
    }

    /// Revoking an already revoked token succeeds again; an unknown id is
    /// [`Error::NotFound`].
    async fn revoke_pat(&self, id: &PatId) -> Result<()> {
        let lose = self.enter(FakeOp::Revoke, self.capabilities.revoke, "revoke_pat")?;
        self.lock().entry(id)?.token.revoked = true;
        if lose { Err(lost("revoke_pat")) } else { Ok(()) }
    }

    /// As GitLab: rotating a token that a rotation already replaced revokes its whole line of
    /// replacements and answers HTTP 400 (a re-sent rotate must never be taken for a fresh one);
    /// rotating a revoked or expired token answers HTTP 400.
    async fn rotate_pat(&self, id: &PatId, valid_to: Option<DateTime<Utc>>) -> Result<RotatedPat> {
        let lose = self.enter(FakeOp::Rotate, self.capabilities.rotate_server_side, "rotate_pat")?;
        let now = self.clock.now();
        let valid_to = state::expiry(self.capabilities, valid_to, now)?;
        let mut state = self.lock();
        let old = state.entry(id)?.token.clone();
        if old.revoked || old.metadata.is_expired(now) {
            let mut next = old.replaced_by;
            while let Some(id) = next {
                let entry = state.entry(&id)?;
                entry.token.revoked = true;
                next = entry.token.replaced_by.clone();
            }
            return Err(Error::Api {
                status: 400,
                code: None,
                message: Some("the token is revoked or expired; its replacements were revoked".into()),
            });
        }
        let created = state.mint(old.metadata.display_name, old.metadata.scopes, valid_to, old.metadata.extras, now);
        let entry = state.entry(id)?;
        entry.token.revoked = true;
        entry.token.replaced_by = Some(created.metadata.id.clone());
        if lose { Err(lost("rotate_pat")) } else { Ok(RotatedPat { previous: id.clone(), created }) }
    }

    async fn check_pat(&self, secret: &PatSecret) -> Result<bool> {
        let lose = self.enter(FakeOp::Check, self.capabilities.check, "check_pat")?;
        let now = self.clock.now();
        let works = self
            .lock()
            .entries
            .values()
            .any(|e| e.secret.same_as(secret) && !e.token.revoked && !e.token.metadata.is_expired(now));
        if lose { Err(lost("check_pat")) } else { Ok(works) }
    }
}
