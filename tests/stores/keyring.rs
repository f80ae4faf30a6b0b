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
        Ok(store) => Some(store.with_lock_dir(lock_dir())),
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
    let second = KeyringTokenStore::new(first.service()).unwrap().with_lock_dir(lock_dir());
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
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn probe_without_keyring() {
    let err = KeyringTokenStore::new("patkit-probe").expect_err("a keyring store without a keyring");
    assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{err}");
    assert!(err.message().contains("no keyring"), "{err}");
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
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
            .args(["--exact", child_test("without_a_keyring_new_fails_loudly").as_str(), "--test-threads=1"])
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

/// Where the tests keep the keyring stores' cross-process lock files (not the user's cache).
fn lock_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("keyring-locks")
}

const CAS_CHILD_ENV: &str = "PATKIT_KEYRING_CAS_CHILD";
const SERVICE_ENV: &str = "PATKIT_KEYRING_SERVICE";
/// Increments each of the two processes makes.
const INCREMENTS: u64 = 30;

/// A counter entry whose value is in its display name and its secret.
fn counter(value: u64) -> patkit::store::StoredPat {
    let mut entry = conformance::sample_entry("shared/counter", &format!("{CANARY}-{value}"));
    entry.record.metadata.display_name = format!("count={value}");
    entry
}

fn count_of(entry: &patkit::store::StoredPat) -> u64 {
    let value: u64 = entry.record.metadata.display_name.strip_prefix("count=").unwrap().parse().unwrap();
    assert_eq!(entry.secret.expose_secret(), format!("{CANARY}-{value}"), "a torn write");
    value
}

/// The child half of `two_processes_compare_and_swap_lose_no_update`: increments the counter
/// `INCREMENTS` times by read + compare-and-swap, retrying on Conflict, like rotation does.
fn increment_counter_as_child() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let store = KeyringTokenStore::new(std::env::var(SERVICE_ENV).unwrap()).unwrap().with_lock_dir(lock_dir());
        let mut conflicts = 0;
        for _ in 0..INCREMENTS {
            loop {
                let current = store.get("shared/counter").await.unwrap().expect("the counter exists");
                let next = counter(count_of(&current) + 1);
                match store.compare_and_swap(next, patkit::store::Expected::Revision(current.record.revision)).await {
                    Ok(_) => break,
                    Err(e) if e.kind() == StoreErrorKind::Conflict => conflicts += 1,
                    Err(e) => panic!("compare-and-swap failed: {e}"),
                }
            }
        }
        println!("conflicts={conflicts}");
    });
}

/// Two OS processes increment one keyring entry through compare-and-swap at the same time: with
/// the cross-process lock, no increment is lost (without it, both processes' read-check-write
/// interleave and both "win").
#[test]
fn two_processes_compare_and_swap_lose_no_update() {
    if std::env::var_os(CAS_CHILD_ENV).is_some() {
        increment_counter_as_child();
        return;
    }
    let Some(store) = store("two_processes_compare_and_swap_lose_no_update") else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(store.put(counter(0))).unwrap();

    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|id| {
            Command::new(&exe)
                .args([
                    "--exact",
                    child_test("two_processes_compare_and_swap_lose_no_update").as_str(),
                    "--test-threads=1",
                    "--nocapture",
                ])
                .env(CAS_CHILD_ENV, id)
                .env(SERVICE_ENV, store.service())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut conflicts = 0;
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "a child failed:\n{stdout}");
        let line = stdout
            .split("conflicts=")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("the child did not report:\n{stdout}"));
        conflicts += line.trim().parse::<u64>().unwrap();
    }
    let last = runtime.block_on(store.get("shared/counter")).unwrap().unwrap();
    assert_eq!(count_of(&last), 2 * INCREMENTS, "increments were lost ({conflicts} conflicts were retried)");
    assert!(runtime.block_on(store.remove("shared/counter")).unwrap());
}

/// A fake Secret Service on the session bus: opens sessions and finds one locked item, and
/// answers Unlock with a prompt whose `Completed` signal never comes (a prompt nobody answers).
/// Returns once it owns `org.freedesktop.secrets`; serves on its own thread.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn start_secret_service_with_a_prompt_nobody_answers() {
    use dbus::Path;
    use dbus::arg::Variant;
    use dbus::blocking::Connection;
    use dbus::channel::{MatchingReceiver as _, Sender as _};
    use dbus::message::MatchRule;

    let (ready, wait) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let connection = Connection::new_session().unwrap();
        connection.request_name("org.freedesktop.secrets", false, true, true).unwrap();
        connection.start_receive(
            MatchRule::new_method_call(),
            Box::new(|call, connection| {
                let path = |p: &str| Path::new(p.to_owned()).unwrap();
                let reply = match call.member().map(|m| m.to_string()).as_deref() {
                    Some("OpenSession") => call
                        .method_return()
                        .append2(Variant(vec![2u8; 128]), path("/org/freedesktop/secrets/session/s1")),
                    Some("SearchItems") => call
                        .method_return()
                        .append2(Vec::<Path>::new(), vec![path("/org/freedesktop/secrets/collection/login/1")]),
                    Some("Unlock") => {
                        call.method_return().append2(Vec::<Path>::new(), path("/org/freedesktop/secrets/prompt/p1"))
                    }
                    Some("Prompt") => call.method_return(), // ... and never a Completed signal
                    _ => call.error(
                        &"org.freedesktop.DBus.Error.UnknownMethod".into(),
                        &std::ffi::CString::new("not in this fake").unwrap(),
                    ),
                };
                let _ = connection.send(reply);
                true
            }),
        );
        ready.send(()).unwrap();
        loop {
            connection.process(std::time::Duration::from_secs(1)).unwrap();
        }
    });
    wait.recv().unwrap();
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
const HUNG_CHILD_ENV: &str = "PATKIT_KEYRING_HUNG_CHILD";

/// The child half of `a_secret_service_that_never_answers_fails_within_the_timeout`, on a
/// private bus where the fake service runs.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn calls_to_a_hung_service_time_out() {
    use std::time::{Duration, Instant};
    start_secret_service_with_a_prompt_nobody_answers();
    let bound = Duration::from_millis(800);
    let store = KeyringTokenStore::new_with_timeout("patkit-hung", bound).unwrap().with_lock_dir(lock_dir());
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let timed = |what: &'static str, took: Duration, err: patkit::store::StoreError, most: Duration| {
            assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{what}: {err}");
            assert!(took >= bound && took < most, "{what} took {took:?}");
            assert!(!format!("{err} {err:?}").contains(CANARY), "{what}: the error shows the secret");
            err
        };
        let start = Instant::now();
        let err = store.list().await.unwrap_err();
        let err = timed("list", start.elapsed(), err, bound + Duration::from_secs(15));
        assert!(err.message().contains("did not finish within"), "{err}");

        let start = Instant::now();
        let err = store.get("x").await.unwrap_err();
        timed("get", start.elapsed(), err, bound + Duration::from_secs(15));

        // A write waits for the locks, then for the keyring: at most twice the bound.
        let start = Instant::now();
        let err = store.put(conformance::sample_entry("x", CANARY)).await.unwrap_err();
        timed("put", start.elapsed(), err, 2 * bound + Duration::from_secs(15));
        // The stuck write still holds the write locks (it may yet land): the next one times out
        // waiting for them instead of writing beside it.
        let start = Instant::now();
        let err = store.remove("x").await.unwrap_err();
        let err = timed("remove", start.elapsed(), err, bound + Duration::from_secs(15));
        assert!(err.message().contains("waiting for another write"), "{err}");
    });
    // The blocked keyring calls cannot be cancelled; do not wait for them.
    runtime.shutdown_background();
}

/// A Secret Service that never completes an unlock prompt (the keyring crates wait a year for
/// it) makes every store call fail with `Unavailable` within the store's timeout instead of
/// hanging. Runs in a child process on a private D-Bus session bus with the fake service.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
#[test]
fn a_secret_service_that_never_answers_fails_within_the_timeout() {
    use std::io::BufRead as _;
    use std::time::{Duration, Instant};
    if std::env::var_os(HUNG_CHILD_ENV).is_some() {
        calls_to_a_hung_service_time_out();
        return;
    }
    let daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
        .stdout(std::process::Stdio::piped())
        .spawn();
    let mut daemon = match daemon {
        Ok(daemon) => daemon,
        Err(e) if std::env::var("PATKIT_REQUIRE_SERVICES").as_deref() != Ok("1") => {
            let _ =
                writeln!(std::io::stderr(), "a_secret_service_that_never_answers...: SKIPPED: no dbus-daemon ({e})");
            return;
        }
        Err(e) => panic!("PATKIT_REQUIRE_SERVICES=1 but dbus-daemon cannot start: {e}"),
    };
    let mut address = String::new();
    std::io::BufReader::new(daemon.stdout.take().unwrap()).read_line(&mut address).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            child_test("a_secret_service_that_never_answers_fails_within_the_timeout").as_str(),
            "--test-threads=1",
        ])
        .env(HUNG_CHILD_ENV, "1")
        .env("DBUS_SESSION_BUS_ADDRESS", address.trim())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > Duration::from_secs(60) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if status.is_none() {
        child.kill().unwrap();
    }
    let output = child.wait_with_output().unwrap();
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let shown = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let status = status.unwrap_or_else(|| panic!("the store hung on a Secret Service that never answers:\n{shown}"));
    assert!(status.success(), "the probe failed:\n{shown}");
    assert!(shown.contains("1 passed"), "the probe did not run:\n{shown}");
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

/// The item `name` of `service`, addressed the way the store addresses its items, for reading
/// and writing behind the store's back.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn raw_entry(service: &str, name: &str) -> keyring_core::Entry {
    let raw: Arc<keyring_core::api::CredentialStore> = dbus_secret_service_keyring_store::Store::new().unwrap();
    let label = format!("{service}: {name}");
    let modifiers = std::collections::HashMap::from([("label", label.as_str())]);
    keyring_core::Entry::new_in_store_with_modifiers(&raw, service, name, &modifiers).unwrap()
}

/// The keyring item secrets committed in `tests/fixtures/store-format-v1/` (written by 11596cb,
/// entry format 1) load through a real Secret Service with every field intact, and a write over
/// one carries the new format.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn format_1_items_load_with_every_field() {
    if store("format_1_items_load_with_every_field").is_none() {
        return;
    }
    let service = format!("patkit-test-{}", uuid::Uuid::new_v4().simple());
    let store = KeyringTokenStore::new(service.clone()).unwrap().with_lock_dir(lock_dir());
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-format-v1");
    let expected = [
        (conformance::full_entry("ci/nuget-feed", "fixture-secret-full"), 3, "keyring-full.json"),
        (conformance::sample_entry("plain", "fixture-secret-plain"), 1, "keyring-plain.json"),
    ];
    for (entry, _, file) in &expected {
        raw_entry(&service, entry.name()).set_secret(&std::fs::read(fixtures.join(file)).unwrap()).unwrap();
    }
    for (entry, revision, file) in &expected {
        let got = store.get(entry.name()).await.unwrap().unwrap_or_else(|| panic!("{file} not found"));
        let mut record = entry.record.clone();
        record.revision = *revision;
        assert_eq!(got.record, record, "{file}: every field intact");
        assert_eq!(got.secret.expose_secret(), entry.secret.expose_secret(), "{file}");
    }
    let listed = store.list().await.unwrap();
    assert_eq!(
        listed.iter().map(|r| (r.name.as_str(), r.revision)).collect::<Vec<_>>(),
        [("ci/nuget-feed", 3), ("plain", 1)]
    );

    let next = conformance::sample_entry("plain", "rotated");
    let revision = store.compare_and_swap(next, patkit::store::Expected::Revision(1)).await.unwrap();
    assert!(revision > 1);
    let written: serde_json::Value =
        serde_json::from_slice(&raw_entry(&service, "plain").get_secret().unwrap()).unwrap();
    assert_eq!((&written["format"], &written["version"]), (&serde_json::json!("patkit.entry"), &serde_json::json!(4)));
    assert_eq!(store.get("plain").await.unwrap().unwrap().secret.expose_secret(), "rotated");
    for name in ["ci/nuget-feed", "plain"] {
        store.remove(name).await.unwrap();
    }
}

/// An item written by a newer patkit (an entry format version this build does not know) is
/// `Corrupt`, quotes no secret, and is never replaced.
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_of_a_future_format_version_is_corrupt_and_never_replaced() {
    if store("an_item_of_a_future_format_version_is_corrupt_and_never_replaced").is_none() {
        return;
    }
    let service = format!("patkit-test-{}", uuid::Uuid::new_v4().simple());
    let store = KeyringTokenStore::new(service.clone()).unwrap().with_lock_dir(lock_dir());
    store.put(conformance::full_entry("next", CANARY)).await.unwrap();
    let item = raw_entry(&service, "next");
    let mut document: serde_json::Value = serde_json::from_slice(&item.get_secret().unwrap()).unwrap();
    document["version"] = serde_json::json!(5);
    let future = serde_json::to_vec(&document).unwrap();
    item.set_secret(&future).unwrap();

    let err = store.get("next").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
    assert!(err.message().contains("entry format version 5"), "{err}");
    assert!(!format!("{err} {err:?}").contains(CANARY), "{err}");
    let err = store.put(conformance::sample_entry("next", "replacement")).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "put: {err}");
    assert_eq!(item.get_secret().unwrap(), future, "the newer item was replaced");
    assert!(store.remove("next").await.unwrap());
}

/// The full name of the test `name` in this module, as the test harness filters it (`--exact`
/// needs the module path: this file is a module of its layer's test binary).
fn child_test(name: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    if module.is_empty() { name.to_owned() } else { format!("{module}::{name}") }
}

/// The Credential Manager holds at most 2560 bytes per credential: a larger entry is refused
/// before anything is written, and the message gives the size and the limit, never the secret.
#[cfg(windows)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_too_large_for_the_credential_manager_is_refused_and_nothing_is_written() {
    let Some(store) = store("an_entry_too_large_for_the_credential_manager_is_refused") else { return };
    let mut entry = conformance::sample_entry("big", CANARY);
    entry.record.metadata.display_name = "x".repeat(3000);
    let err = store.put(entry).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Other, "{err}");
    assert!(err.message().contains("at most 2560 bytes") && err.message().contains("nothing was written"), "{err}");
    assert!(!format!("{err} {err:?}").contains(CANARY), "{err}");
    assert!(store.get("big").await.unwrap().is_none());
    // A full entry (rotation in progress, previous token) fits.
    store.put(conformance::full_entry("full", CANARY)).await.unwrap();
    assert!(store.remove("full").await.unwrap());
}

/// Windows compares credential target names without regard to case; patkit's entry names are
/// compared byte for byte, so `CI/feed` and `ci/feed` stay two entries.
#[cfg(windows)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_differ_only_in_case_are_two_entries() {
    let Some(store) = store("names_that_differ_only_in_case_are_two_entries") else { return };
    store.put(conformance::sample_entry("CI/feed", "secret-upper")).await.unwrap();
    store.put(conformance::sample_entry("ci/feed", "secret-lower")).await.unwrap();
    let upper = store.get("CI/feed").await.unwrap().unwrap();
    let lower = store.get("ci/feed").await.unwrap().unwrap();
    assert_eq!(upper.secret.expose_secret(), "secret-upper");
    assert_eq!(lower.secret.expose_secret(), "secret-lower");
    let names: Vec<String> = store.list().await.unwrap().into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["CI/feed", "ci/feed"]);
    assert!(store.remove("CI/feed").await.unwrap());
    assert!(store.get("ci/feed").await.unwrap().is_some(), "removing one must leave the other");
    assert!(store.remove("ci/feed").await.unwrap());
}
