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

#[cfg(unix)]
mod file {
    use std::sync::Arc;

    use patkit::store::{FileTokenStore, TokenStore};
    use patkit::testing::conformance;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn file_store_conforms() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
        conformance::run_all(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn file_store_conforms_through_arc_dyn() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::open(dir.path().join("store")).await.unwrap());
        conformance::run_all(&store).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_handles_on_one_directory_conform_together() {
        let dir = tempfile::tempdir().unwrap();
        let a = FileTokenStore::open(dir.path().join("store")).await.unwrap();
        let b = FileTokenStore::open(dir.path().join("store")).await.unwrap();
        tokio::join!(conformance::run_all(&a), conformance::run_all(&b));
        assert!(a.list().await.unwrap().is_empty(), "the suites left entries behind");
    }

    #[cfg(feature = "encryption")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn encrypted_file_store_conforms() {
        use patkit::store::FileStoreKey;
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open_encrypted(dir.path().join("store"), FileStoreKey::generate()).await.unwrap();
        conformance::run_all(&store).await;
    }

    #[cfg(feature = "encryption")]
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn encrypted_file_store_conforms_through_arc_dyn() {
        use patkit::store::FileStoreKey;
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn TokenStore> =
            Arc::new(FileTokenStore::open_encrypted(dir.path().join("store"), FileStoreKey::generate()).await.unwrap());
        conformance::run_all(&store).await;
    }
}
