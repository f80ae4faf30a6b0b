//! The conformance suite fails stores that break the contract (so a pass means something).
#![cfg(feature = "testing")]

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use futures_util::FutureExt as _;
use patkit::store::{Expected, InMemoryTokenStore, PatRecord, StoreError, StoredPat, TokenStore};
use patkit::testing::conformance;

/// Which contract rule the broken store breaks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bug {
    /// `compare_and_swap` writes whatever the expectation.
    CasIgnoresExpectation,
    /// `compare_and_swap` reads, then lets other tasks run, then writes: check-then-act race.
    CasNotAtomic,
    /// `remove` always says `false`.
    RemoveAlwaysFalse,
    /// `list` returns entries in reverse order.
    ListUnsorted,
    /// `put` keeps the old secret when replacing.
    PutKeepsOldSecret,
    /// Revisions restart at 1 after a remove.
    RevisionsRestartAfterRemove,
}

#[derive(Debug)]
struct Broken {
    inner: Mutex<Arc<InMemoryTokenStore>>,
    bug: Bug,
}

impl Broken {
    fn inner(&self) -> Arc<InMemoryTokenStore> {
        self.inner.lock().unwrap().clone()
    }
}

#[async_trait]
impl TokenStore for Broken {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        self.inner().get(name).await
    }
    async fn put(&self, mut entry: StoredPat) -> Result<u64, StoreError> {
        if self.bug == Bug::PutKeepsOldSecret
            && let Some(old) = self.inner().get(entry.name()).await?
        {
            entry.secret = old.secret;
        }
        self.inner().put(entry).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        match self.bug {
            Bug::CasIgnoresExpectation => self.inner().put(entry).await,
            Bug::CasNotAtomic => {
                let current = self.inner().get(entry.name()).await?.map(|e| e.record.revision);
                tokio::task::yield_now().await;
                let matches = match (expected, current) {
                    (Expected::Absent, None) => true,
                    (Expected::Revision(r), Some(c)) => r == c,
                    _ => false,
                };
                if matches {
                    self.inner().put(entry).await
                } else {
                    self.inner().compare_and_swap(entry, expected).await
                }
            }
            _ => self.inner().compare_and_swap(entry, expected).await,
        }
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        let removed = self.inner().remove(name).await?;
        if self.bug == Bug::RevisionsRestartAfterRemove && self.inner().is_empty() {
            // Like a backend that drops a key's version counter on delete.
            *self.inner.lock().unwrap() = Arc::new(InMemoryTokenStore::new());
        }
        Ok(removed && self.bug != Bug::RemoveAlwaysFalse)
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        let mut all = self.inner().list().await?;
        if self.bug == Bug::ListUnsorted {
            all.reverse();
        }
        Ok(all)
    }
}

/// A property run that reports whether it failed.
type Case = std::pin::Pin<Box<dyn Future<Output = bool>>>;

async fn fails(property: impl Future<Output = ()>) -> bool {
    AssertUnwindSafe(property).catch_unwind().await.is_err()
}

fn broken(bug: Bug) -> Broken {
    Broken { inner: Mutex::new(Arc::new(InMemoryTokenStore::new())), bug }
}

#[tokio::test]
async fn each_property_catches_the_bug_it_names() {
    let cases: Vec<(Bug, Case)> = vec![
        (
            Bug::CasIgnoresExpectation,
            Box::pin(async {
                let s = broken(Bug::CasIgnoresExpectation);
                fails(conformance::compare_and_swap_with_stale_revision_conflicts(&s, "p/")).await
            }),
        ),
        (
            Bug::CasIgnoresExpectation,
            Box::pin(async {
                let s = broken(Bug::CasIgnoresExpectation);
                fails(conformance::compare_and_swap_absent_on_existing_conflicts(&s, "p/")).await
            }),
        ),
        (
            Bug::CasNotAtomic,
            Box::pin(async {
                let s = broken(Bug::CasNotAtomic);
                fails(conformance::concurrent_compare_and_swap_loses_no_update(&s, "p/")).await
            }),
        ),
        (
            Bug::RemoveAlwaysFalse,
            Box::pin(async {
                let s = broken(Bug::RemoveAlwaysFalse);
                fails(conformance::remove_is_idempotent(&s, "p/")).await
            }),
        ),
        (
            Bug::ListUnsorted,
            Box::pin(async {
                let s = broken(Bug::ListUnsorted);
                fails(conformance::list_is_sorted_by_name(&s, "p/")).await
            }),
        ),
        (
            Bug::PutKeepsOldSecret,
            Box::pin(async {
                let s = broken(Bug::PutKeepsOldSecret);
                fails(conformance::put_replaces_every_field(&s, "p/")).await
            }),
        ),
        (
            Bug::RevisionsRestartAfterRemove,
            Box::pin(async {
                let s = broken(Bug::RevisionsRestartAfterRemove);
                fails(conformance::revisions_increase_and_are_never_reused(&s, "p/")).await
            }),
        ),
    ];
    for (bug, case) in cases {
        assert!(case.await, "the suite did not catch {bug:?}");
    }
}

#[tokio::test]
async fn the_suite_passes_the_unbroken_wrapper() {
    // The wrapper itself is faithful when no bug is switched on (guards the test above).
    #[derive(Debug)]
    struct Faithful(InMemoryTokenStore);
    #[async_trait]
    impl TokenStore for Faithful {
        async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
            self.0.get(name).await
        }
        async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
            self.0.put(entry).await
        }
        async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
            self.0.compare_and_swap(entry, expected).await
        }
        async fn remove(&self, name: &str) -> Result<bool, StoreError> {
            self.0.remove(name).await
        }
        async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
            self.0.list().await
        }
    }
    conformance::run_all(&Faithful(InMemoryTokenStore::new())).await;
}
