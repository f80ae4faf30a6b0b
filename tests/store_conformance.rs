//! The conformance suite on the stores that need no outside service: in-memory and file.
#![cfg(feature = "testing")]

use std::sync::Arc;

use patkit::store::{InMemoryTokenStore, TokenStore};
use patkit::testing::conformance;

#[tokio::test]
async fn in_memory_store_conforms() {
    conformance::run_all(&InMemoryTokenStore::new()).await;
}

#[tokio::test]
async fn in_memory_store_conforms_through_arc_dyn() {
    let store: Arc<dyn TokenStore> = Arc::new(InMemoryTokenStore::new());
    conformance::run_all(&store).await;
}

#[tokio::test]
async fn in_memory_store_conforms_through_box_dyn() {
    let store: Box<dyn TokenStore> = Box::new(InMemoryTokenStore::new());
    conformance::run_all(&store).await;
}

#[tokio::test]
async fn in_memory_store_is_shared_by_suites_with_different_prefixes() {
    let store = InMemoryTokenStore::new();
    tokio::join!(conformance::run_all(&store), conformance::run_all(&store));
    assert!(store.is_empty(), "the suites left entries behind");
}
