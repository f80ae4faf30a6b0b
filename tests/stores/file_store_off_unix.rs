//! `FileTokenStore` where it cannot keep other users out (Windows and every non-Unix platform):
//! every open refuses, typed, and touches nothing. Run on Windows code under Wine by
//! `scripts/wine-test.sh`.
#![cfg(all(not(unix), feature = "testing"))]

use patkit::store::{FileTokenStore, StoreErrorKind};

#[tokio::test]
async fn opening_refuses_as_insecure_and_creates_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("tokens");
    let err = FileTokenStore::open(&dir).await.expect_err("the file store must refuse off Unix");
    assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
    assert!(err.message().contains("owner-only ACL") && err.message().contains("KeyringTokenStore"), "{err}");
    assert!(err.message().contains(&dir.display().to_string()), "{err}");
    assert!(!dir.exists(), "nothing may be created");
}

#[cfg(feature = "encryption")]
#[tokio::test]
async fn opening_encrypted_refuses_too() {
    let parent = tempfile::tempdir().unwrap();
    let key = patkit::store::FileStoreKey::generate();
    let err = FileTokenStore::open_encrypted(parent.path().join("sealed"), key).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
}
