//! `lifecycle::mint_and_store`: a created token ends stored or revoked, and says which.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use patkit::lifecycle::mint_and_store;
use patkit::store::{Expected, InMemoryTokenStore, StoreError, StoreErrorKind};
use patkit::testing::{FakeOp, FakeProfile, FakeProvider};
use patkit::{Error, ManualClock, PatRecord, PatSpec, Scopes, StoredPat, TokenStore};

/// An in-memory store whose writes fail while `failing` is set.
#[derive(Debug, Default)]
struct FailingStore {
    inner: InMemoryTokenStore,
    failing: AtomicBool,
}

impl FailingStore {
    fn failing() -> Self {
        Self { inner: InMemoryTokenStore::new(), failing: AtomicBool::new(true) }
    }
    fn check(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::new(StoreErrorKind::Unavailable, "disk full (injected)"));
        }
        Ok(())
    }
}

#[async_trait]
impl TokenStore for FailingStore {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.inner.get(name).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        self.check()?;
        self.inner.compare_and_swap(entry, expected).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        self.check()?;
        self.inner.remove(name).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.inner.list().await
    }
}

fn spec() -> PatSpec {
    PatSpec::new("deploy", Scopes::parse("vso.code").unwrap())
}

fn clock() -> ManualClock {
    ManualClock::new("2026-06-01T03:00:00Z".parse().unwrap())
}

#[tokio::test]
async fn a_minted_token_is_stored_under_the_name() {
    let provider = FakeProvider::new(FakeProfile::CreateUpdate);
    let store = InMemoryTokenStore::new();
    let clock = clock();
    let stored = mint_and_store(&provider, &store, spec(), "deploy", &clock).await.unwrap();

    let entry = store.get("deploy").await.unwrap().expect("stored");
    assert_eq!(entry.record.metadata.id, stored.record.metadata.id);
    assert_eq!(entry.record.revision, stored.record.revision);
    assert!(entry.secret.same_as(&stored.secret));
    assert_eq!(entry.record.provider, provider_name(&provider));
    assert_eq!(entry.record.stored_at, "2026-06-01T03:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let token = provider.token(&stored.record.metadata.id).expect("minted");
    assert!(!token.revoked);
    assert_eq!(token.metadata.display_name, "deploy");
}

fn provider_name(p: &FakeProvider) -> String {
    patkit::PatProvider::provider_name(p).to_owned()
}

#[tokio::test]
async fn a_store_failure_revokes_the_token_and_says_so() {
    let provider = FakeProvider::new(FakeProfile::CreateUpdate);
    let store = FailingStore::failing();
    let err = mint_and_store(&provider, &store, spec(), "deploy", &clock()).await.unwrap_err();

    let tokens = provider.tokens();
    assert_eq!(tokens.len(), 1, "one token created");
    assert!(tokens[0].revoked, "the unstored token was revoked");
    match &err {
        Error::NotStored { id, store, revoke_error } => {
            assert_eq!(id, &tokens[0].metadata.id);
            assert_eq!(store.kind(), StoreErrorKind::Unavailable);
            assert!(revoke_error.is_none(), "{revoke_error:?}");
        }
        other => panic!("expected NotStored, got {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("disk full") && message.contains("was revoked"), "{message}");
    assert!(store.get("deploy").await.unwrap().is_none());
}

#[tokio::test]
async fn when_the_revoke_fails_too_both_errors_are_reported_and_no_secret() {
    let provider = FakeProvider::new(FakeProfile::CreateUpdate);
    provider.fail_next(FakeOp::Revoke, 1);
    let store = FailingStore::failing();
    let err = mint_and_store(&provider, &store, spec(), "deploy", &clock()).await.unwrap_err();

    let tokens = provider.tokens();
    assert_eq!(tokens.len(), 1);
    assert!(!tokens[0].revoked, "the revoke failed, so the token still works");
    let Error::NotStored { id, revoke_error: Some(revoke), .. } = &err else { panic!("expected NotStored: {err:?}") };
    assert_eq!(id, &tokens[0].metadata.id);
    assert!(matches!(**revoke, Error::Api { status: 503, .. }), "{revoke:?}");
    let message = err.to_string();
    assert!(message.contains("disk full"), "{message}");
    assert!(message.contains("could NOT be revoked") && message.contains("503"), "{message}");
    assert!(message.contains(id.as_str()), "{message}");
    // Neither the message nor the debug form carries a secret (the fake's are `fake-<hex>`).
    let debug = format!("{err:?}");
    assert!(!debug.contains("fake-") && !message.contains("fake-"), "{debug}");
}

#[tokio::test]
async fn an_existing_entry_is_refused_before_anything_is_created() {
    let provider = FakeProvider::new(FakeProfile::CreateUpdate);
    let store = InMemoryTokenStore::new();
    let first = mint_and_store(&provider, &store, spec(), "deploy", &clock()).await.unwrap();

    let err = mint_and_store(&provider, &store, spec(), "deploy", &clock()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field: "name", .. }), "{err:?}");
    assert_eq!(provider.calls(FakeOp::Create), 1, "the second call created nothing");
    let entry = store.get("deploy").await.unwrap().unwrap();
    assert!(entry.secret.same_as(&first.secret), "the stored token is untouched");

    let err = mint_and_store(&provider, &store, spec(), "  ", &clock()).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field: "name", .. }), "{err:?}");
    assert_eq!(provider.calls(FakeOp::Create), 1);
}
