//! `KeyringTokenStore` against a real Secret Service (gnome-keyring).
//!
//! `scripts/with-services.sh` runs the tests inside a private D-Bus session with an unlocked
//! gnome-keyring. Without a reachable keyring the tests print a notice and pass, unless
//! `PATKIT_REQUIRE_SERVICES=1`, which makes a missing keyring a failure.
#![cfg(all(feature = "keyring", feature = "testing"))]

use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;

use patkit::store::{KeyringTokenStore, StoreErrorKind, TokenStore};
use patkit::testing::conformance;

const CANARY: &str = "CANARY-keyring-pat-51b0e2";

/// A store under a service name of its own (so runs never see each other's items), or `None`
/// (with a notice) when there is no keyring.
fn store(test: &str) -> Option<KeyringTokenStore> {
    let service = format!("patkit-test-{}", uuid::Uuid::new_v4().simple());
    match KeyringTokenStore::new(service) {
        Ok(store) => Some(store),
        Err(e) if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("{test}: PATKIT_REQUIRE_SERVICES=1 but there is no keyring: {e}")
        }
        Err(e) => {
            // Straight to stderr, past the test harness's capture, so the skip is seen.
            let _ = writeln!(
                std::io::stderr(),
                "{test}: SKIPPED: no Secret Service ({e}); run under scripts/with-services.sh"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_store_conforms() {
    let Some(store) = store("keyring_store_conforms") else { return };
    conformance::run_all(&store).await;
    assert!(store.list().await.unwrap().is_empty(), "the suite left items behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyring_store_conforms_through_arc_dyn() {
    let Some(store) = store("keyring_store_conforms_through_arc_dyn") else { return };
    let store: Arc<dyn TokenStore> = Arc::new(store);
    conformance::run_all(&store).await;
}

#[tokio::test]
async fn two_stores_of_one_service_share_entries_and_serialize_writes() {
    let Some(first) = store("two_stores_of_one_service_share_entries_and_serialize_writes") else { return };
    let second = KeyringTokenStore::new(first.service()).unwrap();
    let written = first.put(conformance::sample_entry("shared", CANARY)).await.unwrap();
    let seen = second.get("shared").await.unwrap().expect("the other store sees the entry");
    assert_eq!(seen.record.revision, written);
    // A stale revision through the other instance conflicts.
    second.put(conformance::sample_entry("shared", CANARY)).await.unwrap();
    let stale = first
        .compare_and_swap(conformance::sample_entry("shared", CANARY), patkit::store::Expected::Revision(written))
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), StoreErrorKind::Conflict);
    assert!(first.remove("shared").await.unwrap());
}

#[tokio::test]
async fn debug_errors_and_list_never_show_the_secret() {
    let Some(store) = store("debug_errors_and_list_never_show_the_secret") else { return };
    let revision = store.put(conformance::sample_entry("canary", CANARY)).await.unwrap();
    let records = store.list().await.unwrap();
    let conflict = store
        .compare_and_swap(conformance::sample_entry("canary", CANARY), patkit::store::Expected::Revision(revision + 1))
        .await
        .unwrap_err();
    let shown = format!("{store:?} {records:?} {conflict} {conflict:?}");
    assert!(!shown.contains(CANARY), "{shown}");
    assert!(store.remove("canary").await.unwrap());
}

/// The probe half of `without_a_keyring_new_fails_loudly`, run in a child process whose
/// environment has no usable session bus.
fn probe_without_keyring() {
    let err = KeyringTokenStore::new("patkit-probe").expect_err("a keyring store without a keyring");
    assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{err}");
    assert!(err.message().contains("no keyring"), "{err}");
}

#[test]
fn without_a_keyring_new_fails_loudly() {
    if std::env::var_os("PATKIT_KEYRING_PROBE").is_some() {
        probe_without_keyring();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    for bus in [None, Some("unix:path=/nonexistent/patkit-no-bus")] {
        let mut child = Command::new(&exe);
        child
            .args(["--exact", "without_a_keyring_new_fails_loudly", "--test-threads=1"])
            .env("PATKIT_KEYRING_PROBE", "1")
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("DBUS_SESSION_BUS_ADDRESS");
        if let Some(bus) = bus {
            child.env("DBUS_SESSION_BUS_ADDRESS", bus);
        }
        let output = child.output().unwrap();
        assert!(
            output.status.success(),
            "the probe with bus {bus:?} failed:\n{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("1 passed"), "the probe did not run");
    }
}

/// An item under this store's service whose `format` is not patkit's: the error quotes the
/// stored value capped, not whole.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_entry_errors_quote_a_capped_format() {
    if store("corrupt_entry_errors_quote_a_capped_format").is_none() {
        return;
    }
    let service = format!("patkit-test-{}", uuid::Uuid::new_v4().simple());
    let store = KeyringTokenStore::new(service.clone()).unwrap();
    let raw: Arc<keyring_core::api::CredentialStore> = dbus_secret_service_keyring_store::Store::new().unwrap();
    let label = format!("{service}: odd");
    let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
    let item = keyring_core::Entry::new_in_store_with_modifiers(&raw, &service, "odd", &modifiers).unwrap();
    let record = serde_json::to_value(conformance::sample_entry("odd", CANARY).record).unwrap();
    let body = serde_json::json!({"format": "F".repeat(20_000), "revision": 1, "secret": CANARY, "record": record});
    item.set_secret(&serde_json::to_vec(&body).unwrap()).unwrap();
    let err = store.get("odd").await.expect_err("not a patkit entry");
    let _ = item.delete_credential();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
    let shown = err.to_string();
    assert!(shown.contains("FFFF"), "{shown}");
    assert!(shown.len() < 1_000, "{} bytes of stored data quoted", shown.len());
    assert!(!shown.contains(CANARY));
}
