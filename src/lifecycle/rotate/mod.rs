//! Crash-safe rotation of stored tokens; the protocol is described in the
//! [`lifecycle`](crate::lifecycle) module docs.

mod flow;
mod naming;
mod plan;
mod recover;
mod server_side;
mod verify;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;

use super::hooks::RotationHook;
use super::plan::RotationPlan;
use super::report::{EntryReport, RotationReport};
use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::provider::PatProvider;
use crate::store::{PatRecord, TokenStore};

/// The concurrency of a rotation run when neither the caller nor the provider says.
const DEFAULT_CONCURRENCY: usize = 4;

/// How a [`Rotator`] decides and works. Plain fields; start from [`Default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationOptions {
    /// Rotate only tokens that have expired or expire within this long (default 7 days).
    pub window: Duration,
    /// Rotate every entry whatever its expiry (default `false`).
    pub force: bool,
    /// Rotate a token made longer ago than this, whatever its expiry (default: none): how
    /// tokens that never expire (Gitea, Forgejo) get rotated at all
    /// ([`DueReason::TooOld`](super::DueReason::TooOld)).
    pub max_age: Option<Duration>,
    /// How long a replacement is valid. `None` (the default) gives it the old token's lifetime
    /// (`valid_to - valid_from`; 365 days when the old token never expired), at least one day
    /// and at most 365 days. Ignored for a provider whose tokens never expire
    /// ([`ExpiryGranularity::Never`](crate::ExpiryGranularity::Never)). The provider's own
    /// checks apply (the Azure client refuses more than its `max_lifespan`), and the service may
    /// clamp it: the report carries the expiry the service returned.
    pub lifetime: Option<Duration>,
    /// How long an intent written by another rotator is taken as alive (default 15 minutes).
    /// Younger intents make a run skip the entry ([`SkipReason::InProgress`]); older ones are
    /// taken as abandoned and recovered. Set it above the longest time a rotation can take from
    /// writing its intent to storing its replacement (mostly: your transport timeouts × verify
    /// attempts).
    ///
    /// [`SkipReason::InProgress`]: super::SkipReason::InProgress
    pub lease: Duration,
    /// How many entries are rotated at the same time by
    /// [`rotate_all`](Rotator::rotate_all) and [`rotate_names`](Rotator::rotate_names).
    /// The default, 0, leaves it to the provider: its
    /// [`bulk_concurrency`](PatProvider::bulk_concurrency) (a paced client's pacer ceiling;
    /// the pacer then keeps the requests within the service's rate limit), or 4 when it has
    /// none. Set a number to fix it.
    pub concurrency: usize,
    /// How the replacement is tried out before it is stored.
    pub verify: VerifyOptions,
    /// Whether the provider's credential *is* the token being rotated (default `false`: the
    /// provider authenticates with a separate management credential). Matters only for
    /// [server-side](super::RotationMethod::ServerSide) rotation, where it decides what
    /// recovery can do when the server applied a rotate whose answer was lost: with a separate
    /// credential it rotates the unstored replacement once more and stores the result; with
    /// self-rotation nothing can authenticate any more (the rotated token was the credential
    /// and the replacement's secret is gone), so it reports
    /// [`SkipReason::ReplacementSecretLost`](super::SkipReason::ReplacementSecretLost) and
    /// sends nothing. The Rotator cannot tell on its own: a provider does not say which token
    /// its credential is. After a self-rotation, build a new provider with the stored secret
    /// before using it again.
    pub self_rotation: bool,
    /// How long the replaced token stays valid after its replacement is stored and handed off
    /// (default zero: revoked at once). With a grace period the old token is not revoked by the
    /// rotation: the entry records it as retiring ([`PatRecord::retiring`]) until the grace
    /// ends, and the first rotation or recovery run after that revokes it, with the same checks
    /// as any revoke of a replaced token. Services that read the old token at start-up keep
    /// working until then. A provider that can only rotate
    /// [server-side](super::RotationMethod::ServerSide) (the server revokes the old token when
    /// it answers) cannot keep it: with a grace period such entries are skipped
    /// ([`SkipReason::GraceImpossible`](super::SkipReason::GraceImpossible)), nothing sent.
    pub grace: Duration,
}

impl Default for RotationOptions {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(7 * 86_400),
            force: false,
            max_age: None,
            lifetime: None,
            lease: Duration::from_secs(15 * 60),
            concurrency: 0,
            verify: VerifyOptions::default(),
            self_rotation: false,
            grace: Duration::ZERO,
        }
    }
}

/// How a replacement is tried out ([`PatProvider::check_pat`]) before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    /// Tries before giving up (default 3; 0 is taken as 1). A token the provider refuses on
    /// every try is revoked and the rotation fails; the old token stays.
    pub attempts: u32,
    /// The wait after the first failed try, doubled after each further one (default 1 s; tokio
    /// time, so tests with paused time do not wait).
    pub backoff: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self { attempts: 3, backoff: Duration::from_secs(1) }
    }
}

/// Rotates stored tokens through a [`PatProvider`], crash-safely: by creating a replacement
/// and revoking the old token where the provider can create, else by a server-side rotate
/// ([`RotationMethod`](super::RotationMethod), chosen from the provider's capabilities).
///
/// Cheap to clone. See the [`lifecycle`](crate::lifecycle) module docs for the protocol and its
/// guarantees.
///
/// ```
/// # #[cfg(feature = "emulator")] {
/// use std::sync::Arc;
/// use patkit::azure::AzureDevOpsClient;
/// use patkit::auth::StaticCredential;
/// use patkit::azure::emulator::{Emulator, SeedPat};
/// use patkit::lifecycle::{Outcome, Rotator};
/// use patkit::store::InMemoryTokenStore;
/// use patkit::{PatRecord, StoredPat, TokenStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let emulator = Emulator::new();
/// emulator.add_organization("fabrikam");
/// let alice = emulator.add_user("Alice");
/// let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(alice.bearer.clone()))
///     .transport(emulator.clone())
///     .build()?;
///
/// // A token that expires in two days, stored under "ci/feed".
/// let seeded = emulator.seed_pat("fabrikam", alice.id, SeedPat::new("ci feed", "vso.packaging")
///     .valid_to(emulator.now() + chrono::TimeDelta::days(2)));
/// let metadata = client.get(&seeded.id).await?;
/// let store = Arc::new(InMemoryTokenStore::new());
/// store.put(StoredPat {
///     record: PatRecord::new("ci/feed", "azure-devops", "fabrikam", metadata, emulator.now()),
///     secret: seeded.secret,
/// }).await?;
///
/// let report = Rotator::new(client, store.clone()).rotate_all().await?;
/// let Outcome::Rotated(rotation) = &report.entries[0].outcome else { panic!("{report}") };
/// assert_eq!(rotation.old.id, seeded.id);
/// assert_eq!(store.get("ci/feed").await?.unwrap().record.metadata.id, rotation.new.id);
/// assert!(emulator.token(&seeded.id).unwrap().revoked);
/// # Ok::<_, patkit::Error>(()) }).unwrap();
/// # }
/// ```
#[derive(Clone)]
pub struct Rotator {
    provider: Arc<dyn PatProvider>,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    options: RotationOptions,
    hooks: Vec<Arc<dyn RotationHook>>,
}

impl fmt::Debug for Rotator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rotator")
            .field("provider", &self.provider)
            .field("store", &self.store)
            .field("clock", &self.clock)
            .field("options", &self.options)
            .field("hooks", &self.hooks)
            .finish()
    }
}

impl Rotator {
    /// A rotator of the entries of `store` that belong to `provider` (same provider name and
    /// organization), with default options and the system clock.
    pub fn new(provider: impl PatProvider + 'static, store: impl TokenStore + 'static) -> Self {
        Self::from_arcs(Arc::new(provider), Arc::new(store))
    }

    /// Like [`new`](Self::new), from shared trait objects.
    pub fn from_arcs(provider: Arc<dyn PatProvider>, store: Arc<dyn TokenStore>) -> Self {
        Self { provider, store, clock: Arc::new(SystemClock), options: RotationOptions::default(), hooks: Vec::new() }
    }

    /// Where "now" comes from (default [`SystemClock`]): due checks, intent ages, expiries.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Replaces all options.
    pub fn options(mut self, options: RotationOptions) -> Self {
        self.options = options;
        self
    }

    /// Sets [`RotationOptions::window`].
    pub fn window(mut self, window: Duration) -> Self {
        self.options.window = window;
        self
    }

    /// Sets [`RotationOptions::max_age`].
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.options.max_age = Some(max_age);
        self
    }

    /// Sets [`RotationOptions::force`].
    pub fn force(mut self, force: bool) -> Self {
        self.options.force = force;
        self
    }

    /// Sets [`RotationOptions::lifetime`].
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.options.lifetime = Some(lifetime);
        self
    }

    /// Sets [`RotationOptions::lease`].
    pub fn lease(mut self, lease: Duration) -> Self {
        self.options.lease = lease;
        self
    }

    /// Sets [`RotationOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.options.concurrency = concurrency;
        self
    }

    /// Sets [`RotationOptions::verify`].
    pub fn verify(mut self, verify: VerifyOptions) -> Self {
        self.options.verify = verify;
        self
    }

    /// Sets [`RotationOptions::self_rotation`].
    pub fn self_rotation(mut self, self_rotation: bool) -> Self {
        self.options.self_rotation = self_rotation;
        self
    }

    /// Sets [`RotationOptions::grace`].
    ///
    /// ```
    /// # #[cfg(feature = "testing")] {
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use patkit::lifecycle::{Outcome, Rotator, SkipReason};
    /// use patkit::store::InMemoryTokenStore;
    /// use patkit::testing::{FAKE_ORGANIZATION, FAKE_PROVIDER_NAME, FakeProfile, FakeProvider};
    /// use patkit::{Clock, ManualClock, PatRecord, Scopes, StoredPat, TokenStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let clock = ManualClock::new(chrono::Utc::now());
    /// let provider = FakeProvider::new(FakeProfile::CreateUpdate).clock(clock.clone());
    /// let old = provider.seed("ci", Scopes::default(), Some(clock.now() + chrono::TimeDelta::days(2)));
    /// let store = Arc::new(InMemoryTokenStore::new());
    /// let record = PatRecord::new("ci", FAKE_PROVIDER_NAME, FAKE_ORGANIZATION, old.metadata.clone(), clock.now());
    /// store.put(StoredPat { record, secret: old.secret }).await?;
    ///
    /// let rotator = Rotator::new(provider.clone(), store.clone()).clock(clock.clone()).grace(Duration::from_secs(3600));
    /// let report = rotator.rotate("ci").await;
    /// let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    /// assert!(rotation.retiring_until.is_some());
    /// // For an hour, services still holding the old token keep working.
    /// assert!(!provider.token(&old.metadata.id).unwrap().revoked);
    /// assert!(matches!(rotator.rotate("ci").await.outcome, Outcome::Skipped(SkipReason::Retiring { .. })));
    /// // The first run after the grace revokes it.
    /// clock.advance(chrono::TimeDelta::minutes(61));
    /// rotator.recover().await?;
    /// assert!(provider.token(&old.metadata.id).unwrap().revoked);
    /// # Ok::<_, patkit::Error>(()) }).unwrap();
    /// # }
    /// ```
    pub fn grace(mut self, grace: Duration) -> Self {
        self.options.grace = grace;
        self
    }

    /// Adds a hand-off hook, run (after the ones added before) once a replacement is stored and
    /// verified, before the token it replaced is revoked or marked retiring. A failing hook keeps
    /// the old token; see [`RotationHook`].
    pub fn hook(mut self, hook: impl RotationHook + 'static) -> Self {
        self.hooks.push(Arc::new(hook));
        self
    }

    /// The options in force.
    pub fn current_options(&self) -> &RotationOptions {
        &self.options
    }

    /// Rotates the entry `name` if it is due (recovering an interrupted rotation of it first).
    /// Never fails as a whole: every problem is in the report.
    pub async fn rotate(&self, name: &str) -> EntryReport {
        self.rotate_entry(name).await
    }

    /// Rotates every due entry of this provider in the store, up to
    /// [`concurrency`](RotationOptions::concurrency) at a time. Entries of other providers are
    /// reported as skipped. Fails only if the store cannot be listed.
    pub async fn rotate_all(&self) -> Result<RotationReport> {
        let names: Vec<String> = self.store.list().await?.into_iter().map(|r| r.name).collect();
        Ok(self.rotate_names(names).await)
    }

    /// Rotates these entries (when due), up to [`concurrency`](RotationOptions::concurrency) at
    /// a time. The report is in name order.
    pub async fn rotate_names<I>(&self, names: I) -> RotationReport
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        let mut entries: Vec<EntryReport> = futures_util::stream::iter(names.iter())
            .map(|name| self.rotate_entry(name))
            .buffer_unordered(self.effective_concurrency())
            .collect()
            .await;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        RotationReport { entries }
    }

    /// What [`rotate_all`](Self::rotate_all) would do now, changing nothing: it only reads the
    /// store (no write, no request to the provider).
    pub async fn plan(&self) -> Result<RotationPlan> {
        let records = self.store.list().await?;
        Ok(RotationPlan { entries: records.iter().map(|r| self.plan_entry(r)).collect() })
    }

    /// Finishes or undoes every interrupted rotation of this provider's entries whose intent is
    /// older than the [`lease`](RotationOptions::lease) (revoking unstored replacements and
    /// replaced tokens). Entries with nothing to recover are left out of the report. See also
    /// [`recover`](super::recover), which ignores the lease.
    pub async fn recover(&self) -> Result<RotationReport> {
        self.recover_all(true).await
    }

    /// Like [`recover`](Self::recover), but also takes intents younger than the lease as
    /// abandoned. Use it only when no other rotator can be running (see [`super::recover`]).
    pub async fn recover_ignoring_lease(&self) -> Result<RotationReport> {
        self.recover_all(false).await
    }

    /// The sweep behind [`recover`](Self::recover) and [`super::recover`].
    pub(crate) async fn recover_all(&self, respect_lease: bool) -> Result<RotationReport> {
        let names: Vec<String> = self
            .store
            .list()
            .await?
            .into_iter()
            .filter(|r| self.owns(r) && (r.rotation.is_some() || r.previous.is_some()))
            .map(|r| r.name)
            .collect();
        let mut entries: Vec<EntryReport> = futures_util::stream::iter(names.iter())
            .map(|name| self.recover_named(name, respect_lease))
            .buffer_unordered(self.effective_concurrency())
            .collect()
            .await;
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(RotationReport { entries })
    }

    /// The concurrency in force: the options', else the provider's, else 4.
    fn effective_concurrency(&self) -> usize {
        match self.options.concurrency {
            0 => self.provider.bulk_concurrency().unwrap_or(DEFAULT_CONCURRENCY).max(1),
            n => n,
        }
    }

    /// Whether `record` belongs to this rotator's provider and organization.
    fn owns(&self, record: &PatRecord) -> bool {
        record.provider == self.provider.provider_name() && record.organization == self.provider.organization()
    }
}
