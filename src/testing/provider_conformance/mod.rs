//! The conformance suite for [`PatProvider`] implementations.
//!
//! **Not semver-stable**: properties are added as the contract is sharpened; a new release may
//! find a bug your provider had all along.
//!
//! One `pub async fn` per property of the [`PatProvider`] contract, plus [`run_all`]. Each
//! property panics (like `assert!`) with a message naming what broke, so call them from a test.
//! Panic messages never contain a secret.
//!
//! Properties are gated by [`capabilities`](PatProvider::capabilities), but nothing is
//! skipped silently: an operation the provider says it lacks is checked to answer
//! [`Error::Unsupported`](crate::Error::Unsupported) ([`unsupported_operations_say_so`]).
//!
//! The properties create (or seed) tokens whose display names start with `conformance-` and
//! revoke what they can; run the suite against a test account or an emulator.
//!
//! # Running it on your own provider
//!
//! ```
//! use patkit::testing::{FakeProfile, FakeProvider, provider_conformance};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // A provider that creates its own tokens needs no seeder.
//! let provider = FakeProvider::new(FakeProfile::CreateUpdate); // your provider here
//! let setup = provider_conformance::Setup::new(patkit::Scopes::parse("read_api").unwrap());
//! provider_conformance::run_all(&provider, &setup).await;
//!
//! // One that cannot (GitLab for a non-admin) is handed tokens made another way.
//! let gitlab_like = FakeProvider::new(FakeProfile::ServerRotate);
//! let seeder = {
//!     let fake = gitlab_like.clone();
//!     move |name: &str| fake.seed(name, patkit::Scopes::default(), None)
//! };
//! provider_conformance::run_all(&gitlab_like, &setup.clone().seeder(&seeder)).await;
//! # }
//! ```

mod basics;
mod lifecycle;

pub use basics::{
    capabilities_are_coherent, check_refuses_an_unknown_secret, get_of_an_unknown_id_is_not_found,
    secrets_never_appear_in_debug, unsupported_operations_say_so, update_of_an_unknown_id_is_not_found,
};
pub use lifecycle::{
    create_returns_a_working_secret, display_name_limit_is_enforced, expiry_follows_the_granularity,
    get_returns_what_was_minted, list_own_shows_an_active_token, revoke_stops_the_token, rotate_replaces_and_revokes,
    update_changes_what_it_says,
};

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::clock::{Clock, SystemClock};
use crate::error::Result;
use crate::model::{CreatedPat, PatSpec};
use crate::provider::PatProvider;
use crate::scope::Scopes;

/// Makes a token for the suite the way a user would outside the provider's API (web UI, an
/// admin, a seeded emulator), for providers whose capabilities lack `create`. Any
/// `Fn(&str) -> CreatedPat` taking the display name is one.
pub trait Seeder: Send + Sync {
    /// A new active token named `display_name`, with its secret.
    fn seed(&self, display_name: &str) -> CreatedPat;
}

impl<F: Fn(&str) -> CreatedPat + Send + Sync> Seeder for F {
    fn seed(&self, display_name: &str) -> CreatedPat {
        self(display_name)
    }
}

/// A fresh display name for `property`, unique per call.
pub(crate) fn name(property: &str) -> String {
    format!("conformance-{property}-{}", crate::random::hex(4))
}

/// What the suite needs besides the provider: the scopes to ask for (provider-native: Azure
/// DevOps `vso.code`, GitLab `read_api`), how to make tokens when the provider cannot create them
/// ([`Seeder`]), and the clock the provider runs on (default [`SystemClock`]; an emulator on a
/// manual clock passes its own).
///
/// ```
/// use patkit::testing::provider_conformance::Setup;
/// let setup = Setup::new(patkit::Scopes::parse("read_api")?);
/// # Ok::<(), patkit::Error>(())
/// ```
#[derive(Clone)]
pub struct Setup<'a> {
    scopes: Scopes,
    seeder: Option<&'a dyn Seeder>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Setup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Setup")
            .field("scopes", &self.scopes)
            .field("seeder", &self.seeder.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a> Setup<'a> {
    /// Tokens the suite creates ask for `scopes`; no seeder; the system clock.
    pub fn new(scopes: Scopes) -> Self {
        Self { scopes, seeder: None, clock: Arc::new(SystemClock) }
    }

    /// Makes tokens with `seeder` when the provider cannot create them.
    pub fn seeder(mut self, seeder: &'a dyn Seeder) -> Self {
        self.seeder = Some(seeder);
        self
    }

    /// The clock the provider runs on (what "now" is for expiry checks).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// "Now" by the provider's clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// A spec for a token named `display_name` with the suite's scopes and the provider's default
    /// expiry.
    pub(crate) fn spec(&self, display_name: &str) -> PatSpec {
        PatSpec::new(display_name, self.scopes.clone())
    }
}

/// A new token: created through the provider when it can, else from the setup's seeder.
///
/// # Panics
///
/// When the provider cannot create and no seeder was given, or the create fails.
pub(crate) async fn mint(provider: &dyn PatProvider, setup: &Setup<'_>, property: &str) -> CreatedPat {
    let display_name = name(property);
    if provider.capabilities().create {
        let created: Result<CreatedPat> = provider.create_pat(setup.spec(&display_name)).await;
        created.unwrap_or_else(|e| panic!("{property}: create_pat failed: {e}"))
    } else {
        setup
            .seeder
            .unwrap_or_else(|| panic!("{property}: the provider cannot create tokens; pass a Seeder"))
            .seed(&display_name)
    }
}

/// Revokes `created` if the provider can, so the suite leaves nothing working behind.
pub(crate) async fn tidy(provider: &dyn PatProvider, created: &CreatedPat) {
    if provider.capabilities().revoke {
        let _ = provider.revoke_pat(&created.metadata.id).await;
    }
}

/// Runs every property against `provider` with `setup`. Run it through `Arc<dyn PatProvider>`
/// and `Box<dyn PatProvider>` too if that is how your provider is used.
pub async fn run_all(provider: &dyn PatProvider, setup: &Setup<'_>) {
    capabilities_are_coherent(provider).await;
    unsupported_operations_say_so(provider, setup).await;
    get_of_an_unknown_id_is_not_found(provider).await;
    update_of_an_unknown_id_is_not_found(provider).await;
    check_refuses_an_unknown_secret(provider).await;
    secrets_never_appear_in_debug(provider, setup).await;
    create_returns_a_working_secret(provider, setup).await;
    get_returns_what_was_minted(provider, setup).await;
    list_own_shows_an_active_token(provider, setup).await;
    expiry_follows_the_granularity(provider, setup).await;
    display_name_limit_is_enforced(provider, setup).await;
    update_changes_what_it_says(provider, setup).await;
    revoke_stops_the_token(provider, setup).await;
    rotate_replaces_and_revokes(provider, setup).await;
}
