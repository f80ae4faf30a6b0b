//! Stores through the blocking API (`patkit::blocking::Store`), called from threads without an
//! async runtime: a file store round trip, and the whole conformance suite driven through the
//! blocking wrapper (each store call made on a plain thread of its own, so the suite's
//! concurrent calls become threads calling one blocking runtime at once).
#![cfg(all(feature = "blocking", feature = "testing", unix))]

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use patkit::blocking::{Runtime, Store};
use patkit::store::{Expected, FileTokenStore, InMemoryTokenStore, StoreError, StoreErrorKind, TokenStore};
use patkit::testing::conformance;
use patkit::{Error, PatRecord, StoredPat};

#[test]
fn file_store_round_trip_without_async() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new().unwrap();
    let store = Store::open(&runtime, FileTokenStore::open(dir.path().join("store"))).unwrap();
    let now = Utc::now();
    let mut entry = conformance::sample_entry("ci/feed", "blocking-canary-51c0e2");
    entry.record.metadata.valid_to = Some(now + TimeDelta::days(2));

    assert!(store.get("ci/feed").unwrap().is_none());
    let first = store.compare_and_swap(entry.clone(), Expected::Absent).unwrap();
    match store.compare_and_swap(entry.clone(), Expected::Absent) {
        Err(Error::Store(e)) if e.kind() == StoreErrorKind::Conflict => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
    let second = store.put(entry.clone()).unwrap();
    assert!(second > first);

    // Another handle on the same directory, as another program would open it.
    let reopened = Store::open(&runtime, FileTokenStore::open(dir.path().join("store"))).unwrap();
    let read = reopened.get("ci/feed").unwrap().unwrap();
    assert_eq!((read.record.revision, read.secret.expose_secret()), (second, "blocking-canary-51c0e2"));
    assert_eq!(reopened.list().unwrap().iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["ci/feed"]);
    assert_eq!(reopened.expiring_within(now, Duration::from_secs(7 * 86_400)).unwrap().len(), 1);
    assert!(reopened.expired(now).unwrap().is_empty());
    assert!(!format!("{reopened:?} {:?}", reopened.list().unwrap()).contains("blocking-canary-51c0e2"));

    assert!(store.remove("ci/feed").unwrap());
    assert!(!store.remove("ci/feed").unwrap());
    assert!(reopened.get("ci/feed").unwrap().is_none());
}

/// An async [`TokenStore`] made of a blocking one: each call runs on a new plain thread (no
/// runtime there) and the answer comes back over a channel. Only for driving the conformance
/// suite through the blocking wrapper.
#[derive(Debug)]
struct ViaBlocking<S: TokenStore>(Store<S>);

impl<S: TokenStore + 'static> ViaBlocking<S> {
    async fn on_thread<T, F>(&self, call: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Store<S>) -> patkit::Result<T> + Send + 'static,
    {
        let store = self.0.clone();
        let (answer, answered) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = answer.send(call(&store));
        });
        match answered.await.expect("the thread answers") {
            Ok(value) => Ok(value),
            Err(Error::Store(e)) => Err(e),
            Err(other) => panic!("the blocking store failed outside its store: {other}"),
        }
    }
}

#[patkit::async_trait]
impl<S: TokenStore + 'static> TokenStore for ViaBlocking<S> {
    async fn get(&self, name: &str) -> Result<Option<StoredPat>, StoreError> {
        let name = name.to_owned();
        self.on_thread(move |s| s.get(&name)).await
    }
    async fn put(&self, entry: StoredPat) -> Result<u64, StoreError> {
        self.on_thread(move |s| s.put(entry)).await
    }
    async fn compare_and_swap(&self, entry: StoredPat, expected: Expected) -> Result<u64, StoreError> {
        self.on_thread(move |s| s.compare_and_swap(entry, expected)).await
    }
    async fn remove(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.on_thread(move |s| s.remove(&name)).await
    }
    async fn list(&self) -> Result<Vec<PatRecord>, StoreError> {
        self.on_thread(|s| s.list()).await
    }
}

#[tokio::test]
async fn in_memory_store_conforms_through_the_blocking_wrapper() {
    let store = Store::new(&Runtime::new().unwrap(), InMemoryTokenStore::new());
    conformance::run_all(&ViaBlocking(store)).await;
}

#[tokio::test]
async fn file_store_conforms_through_the_blocking_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    conformance::run_all(&ViaBlocking(Store::new(&runtime, store))).await;
}
