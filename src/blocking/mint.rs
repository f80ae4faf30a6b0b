//! The one-call flows over a provider and a store, run without async: mint-and-store, recovery.

use std::sync::Arc;

use super::{Provider, Store};
use crate::clock::Clock;
use crate::error::Result;
use crate::lifecycle::{self, RotationReport};
use crate::model::PatSpec;
use crate::provider::PatProvider;
use crate::store::{StoredPat, TokenStore};

/// [`lifecycle::mint_and_store`], blocking: creates a token from `spec` and stores it under
/// `name` (which must be new); if the store write fails, revokes the token, so every token this
/// call creates ends stored or revoked. Runs on the provider's runtime.
///
/// ```
/// # #[cfg(feature = "testing")] {
/// use patkit::blocking::{self, Provider, Runtime, Store};
/// use patkit::store::InMemoryTokenStore;
/// use patkit::testing::{FakeProfile, FakeProvider};
/// use patkit::{PatSpec, Scopes, SystemClock};
///
/// let runtime = Runtime::new()?;
/// let provider = Provider::new(&runtime, FakeProvider::new(FakeProfile::CreateUpdate));
/// let store = Store::new(&runtime, InMemoryTokenStore::new());
/// let stored = blocking::mint_and_store(&provider, &store, PatSpec::new("ci", Scopes::parse("vso.code")?), "ci", &SystemClock)?;
/// assert_eq!(store.get("ci")?.unwrap().record.metadata.id, stored.record.metadata.id);
/// # }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn mint_and_store<P, S>(
    provider: &Provider<P>,
    store: &Store<S>,
    spec: PatSpec,
    name: &str,
    clock: &dyn Clock,
) -> Result<StoredPat>
where
    P: PatProvider + ?Sized,
    S: TokenStore + ?Sized,
{
    let (p, s) = (provider.shared(), store.shared());
    provider.runtime().call("mint_and_store", lifecycle::mint_and_store(&p, &s, spec, name, clock))
}

/// [`lifecycle::recover`], blocking: finishes or undoes every interrupted rotation of
/// `provider`'s entries in `store`, whatever the age of their intents. Only where no rotator can
/// be running (at the start of the one program that rotates); elsewhere use
/// [`Rotator::recover`](super::Rotator::recover). Runs on the provider's runtime.
pub fn recover<S, P>(store: &Store<S>, provider: &Provider<P>) -> Result<RotationReport>
where
    S: TokenStore + ?Sized + 'static,
    P: PatProvider + ?Sized + 'static,
{
    let store: Arc<dyn TokenStore> = Arc::new(store.shared());
    let provider_arc: Arc<dyn PatProvider> = Arc::new(provider.shared());
    provider.runtime().call("recover", lifecycle::recover(store, provider_arc))
}
