//! Create a token and keep it, as one call: stored, or revoked.

use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::PatSpec;
use crate::provider::PatProvider;
use crate::store::{Expected, PatRecord, StoredPat, TokenStore};

/// Creates a token from `spec` and stores it under `name`; if the store write fails, revokes the
/// token, so every token this call creates ends stored or revoked.
///
/// 1. `name` must be new: when the store already has it (or cannot be read), nothing is
///    created ([`Error::InvalidInput`], field `name`, or [`Error::Store`]).
/// 2. The token is created ([`PatProvider::create_pat`]); its errors come back unchanged. On
///    [`Error::CreateOutcomeUnknown`] nobody has the secret of what may have been minted: the
///    error lists the tokens to revoke.
/// 3. It is stored with a compare-and-swap expecting no entry (a writer that took the name in
///    the meantime wins), as a [`PatRecord::new`] of the provider's name and organization, stored
///    at `clock`'s now. On success the stored entry comes back, at the revision the store set.
/// 4. If that write fails, the token is revoked and [`Error::NotStored`] says so; when the
///    revoke fails too, `revoke_error` carries why and the token still works.
///
/// The secret is never in an error or a log line.
///
/// ```
/// # #[cfg(feature = "testing")]
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use patkit::store::InMemoryTokenStore;
/// use patkit::testing::{FakeProfile, FakeProvider};
/// use patkit::{PatSpec, Scopes, SystemClock, TokenStore};
///
/// let provider = FakeProvider::new(FakeProfile::CreateUpdate);
/// let store = InMemoryTokenStore::new();
/// let spec = PatSpec::new("ci", Scopes::parse("vso.code")?);
/// let stored = patkit::lifecycle::mint_and_store(&provider, &store, spec, "ci", &SystemClock).await?;
/// assert_eq!(store.get("ci").await?.unwrap().record.metadata.id, stored.record.metadata.id);
/// # Ok::<(), patkit::Error>(())
/// # }).unwrap();
/// ```
pub async fn mint_and_store(
    provider: &dyn PatProvider,
    store: &dyn TokenStore,
    spec: PatSpec,
    name: &str,
    clock: &dyn Clock,
) -> Result<StoredPat> {
    if name.trim().is_empty() {
        return Err(Error::invalid_input("name", "a store entry needs a name"));
    }
    if store.get(name).await.map_err(Error::Store)?.is_some() {
        return Err(Error::invalid_input(
            "name",
            format!("the store already has an entry `{name}` (nothing was created)"),
        ));
    }
    let created = provider.create_pat(spec).await?;
    let id = created.metadata.id.clone();
    let mut entry = StoredPat {
        record: PatRecord::new(name, provider.provider_name(), provider.organization(), created.metadata, clock.now()),
        secret: created.secret,
    };
    match store.compare_and_swap(entry.clone(), Expected::Absent).await {
        Ok(revision) => {
            entry.record.revision = revision;
            Ok(entry)
        }
        Err(store_error) => {
            let revoke_error = provider.revoke_pat(&id).await.err().map(Box::new);
            match &revoke_error {
                None => tracing::warn!(%id, entry = name, "patkit: created token not stored, so it was revoked"),
                Some(e) => tracing::error!(
                    %id, entry = name, error = %e,
                    "patkit: created token not stored and could not be revoked; it still works"
                ),
            }
            Err(Error::NotStored { id, store: store_error, revoke_error })
        }
    }
}
