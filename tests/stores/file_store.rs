//! FileTokenStore behaviour beyond the conformance suite: persistence, permissions, damage
//! detection, encryption, leftovers of crashed writers.
#![cfg(all(unix, feature = "testing"))]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use patkit::store::{FileTokenStore, StoreError, StoreErrorKind, TokenStore};
use patkit::testing::conformance::{full_entry, sample_entry};

const CANARY: &str = "CANARY-file-store-7f3e9a";

fn entry_file(store: &Path, escaped: &str) -> PathBuf {
    store.join("entries").join(format!("{escaped}.pat"))
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn assert_no_canary(error: &StoreError) {
    let mut text = format!("{error} {error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(&format!("{s} {s:?}"));
        source = s.source();
    }
    assert!(!text.contains(CANARY), "an error shows the secret");
}

#[tokio::test]
async fn entries_survive_reopening_with_their_revisions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/store");
    let revision = {
        let store = FileTokenStore::open(&path).await.unwrap();
        store.put(full_entry("ci/feed", CANARY)).await.unwrap()
    };
    let store = FileTokenStore::open(&path).await.unwrap();
    let got = store.get("ci/feed").await.unwrap().expect("persisted");
    assert_eq!(got.record.revision, revision);
    assert_eq!(got.secret.expose_secret(), CANARY);
    assert!(entry_file(&path, "ci%2ffeed").exists());
}

#[tokio::test]
async fn creates_private_directories_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = FileTokenStore::open(&path).await.unwrap();
    store.put(sample_entry("x", "s")).await.unwrap();
    store.remove("x").await.unwrap();
    store.put(sample_entry("y", "s")).await.unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o700);
    assert_eq!(mode(&path.join("entries")), 0o700);
    for file in ["patkit-store.json", "lock", "revision-floor", "entries/y.pat"] {
        assert_eq!(mode(&path.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn refuses_a_store_others_can_reach() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    FileTokenStore::open(&path).await.unwrap().put(sample_entry("x", CANARY)).await.unwrap();

    for (target, mode) in [(path.clone(), 0o755), (path.clone(), 0o701), (path.join("entries"), 0o750)] {
        chmod(&target, mode);
        let err = FileTokenStore::open(&path).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{target:?} {mode:o}: {err}");
        assert!(err.message().contains(&target.display().to_string()), "the message names the path: {err}");
        assert!(err.message().contains("chmod 700"), "the message says how to fix it: {err}");
        chmod(&target, 0o700);
    }

    for file in ["patkit-store.json", "lock"] {
        chmod(&path.join(file), 0o644);
        let err = FileTokenStore::open(&path).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{file}: {err}");
        chmod(&path.join(file), 0o600);
    }

    let store = FileTokenStore::open(&path).await.unwrap();
    chmod(&entry_file(&path, "x"), 0o640);
    let err = store.get("x").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
    assert!(err.message().contains("chmod 600"), "{err}");
    assert_no_canary(&err);
    assert_eq!(store.list().await.unwrap_err().kind(), StoreErrorKind::Insecure);
    assert_eq!(
        fs::metadata(entry_file(&path, "x")).unwrap().permissions().mode() & 0o777,
        0o640,
        "nothing is chmod-ed silently"
    );
}

/// A user id that is not the one running the tests.
fn other_uid() -> u32 {
    let probe = tempfile::NamedTempFile::new().unwrap();
    let mine = fs::metadata(probe.path()).unwrap().uid();
    if mine == 54_321 { 54_322 } else { 54_321 }
}

/// Gives `path` to user `uid` (not following a link); `false` when this process may not (not
/// root), so the ownership test is skipped with a notice.
fn chown(path: &Path, uid: u32) -> bool {
    match std::os::unix::fs::lchown(path, Some(uid), None) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => false,
        Err(e) => panic!("chown {}: {e}", path.display()),
    }
}

#[tokio::test]
async fn refuses_files_and_directories_of_another_user() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    FileTokenStore::open(&path).await.unwrap().put(sample_entry("x", CANARY)).await.unwrap();
    let me = fs::metadata(&path).unwrap().uid();
    let other = other_uid();

    for target in [path.clone(), path.join("entries"), path.join("patkit-store.json"), path.join("lock")] {
        if !chown(&target, other) {
            eprintln!("refuses_files_and_directories_of_another_user: SKIPPED: only root can chown (run as root)");
            return;
        }
        let err = FileTokenStore::open(&path).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{target:?}: {err}");
        assert!(err.message().contains(&target.display().to_string()), "the message names the path: {err}");
        assert!(err.message().contains(&format!("chown {me}")), "the message says how to fix it: {err}");
        assert_eq!(fs::metadata(&target).unwrap().uid(), other, "nothing is chown-ed silently");
        assert!(chown(&target, me));
    }

    let store = FileTokenStore::open(&path).await.unwrap();
    assert!(chown(&entry_file(&path, "x"), other));
    for err in [
        store.get("x").await.unwrap_err(),
        store.list().await.unwrap_err(),
        store.put(sample_entry("x", CANARY)).await.unwrap_err(),
        store.remove("x").await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
        assert!(err.message().contains("belongs to user id"), "{err}");
        assert_no_canary(&err);
    }
    assert_eq!(fs::metadata(entry_file(&path, "x")).unwrap().uid(), other, "the foreign file was left alone");
    assert!(chown(&entry_file(&path, "x"), me));
    assert_eq!(store.get("x").await.unwrap().unwrap().secret.expose_secret(), CANARY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_handles_opening_one_store_at_once_all_succeed() {
    // Each open creates (and removes) a probe file to learn its user, while other opens clear
    // leftover temporary files under the lock: neither may trip the other.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    FileTokenStore::open(&path).await.unwrap();
    for _ in 0..5 {
        let opens: Vec<_> = (0..16).map(|_| tokio::spawn(FileTokenStore::open(path.clone()))).collect();
        for open in opens {
            open.await.unwrap().unwrap();
        }
    }
    let leftovers: Vec<_> = fs::read_dir(&path).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(leftovers.iter().all(|n| !n.to_string_lossy().starts_with(".tmp-")), "{leftovers:?}");
}

/// Moves `path` to `aside` (a private place outside the store) and leaves a symbolic link to it.
fn replace_with_link(path: &Path, aside: &Path) {
    fs::rename(path, aside).unwrap();
    std::os::unix::fs::symlink(aside, path).unwrap();
}

#[tokio::test]
async fn refuses_symbolic_links_inside_the_store() {
    let dir = tempfile::tempdir().unwrap(); // private to this user: the targets are "safe" files
    let path = dir.path().join("store");
    let store = FileTokenStore::open(&path).await.unwrap();
    store.put(sample_entry("x", CANARY)).await.unwrap();

    // An entry file that is a link to a valid entry file of this user: still refused.
    let aside = dir.path().join("x.pat");
    replace_with_link(&entry_file(&path, "x"), &aside);
    let before = fs::read(&aside).unwrap();
    for err in [
        store.get("x").await.unwrap_err(),
        store.list().await.unwrap_err(),
        store.put(sample_entry("x", "another")).await.unwrap_err(),
        store.compare_and_swap(sample_entry("x", "another"), patkit::store::Expected::Absent).await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
        assert!(err.message().contains("symbolic link"), "{err}");
        assert!(err.message().contains(&entry_file(&path, "x").display().to_string()), "{err}");
        assert_no_canary(&err);
    }
    assert_eq!(fs::read(&aside).unwrap(), before, "the link's target was written through");
    assert!(fs::symlink_metadata(entry_file(&path, "x")).unwrap().file_type().is_symlink());
    fs::remove_file(entry_file(&path, "x")).unwrap();
    fs::rename(&aside, entry_file(&path, "x")).unwrap();
    drop(store);

    // The marker, the lock file, the revision floor and the entries directory.
    FileTokenStore::open(&path).await.unwrap().remove("x").await.unwrap(); // creates revision-floor
    for item in ["patkit-store.json", "lock", "revision-floor", "entries"] {
        let target = path.join(item);
        let aside = dir.path().join(format!("aside-{item}"));
        replace_with_link(&target, &aside);
        let err = match FileTokenStore::open(&path).await {
            Err(err) => err,
            // The floor is only read by writes.
            Ok(store) => store.put(sample_entry("y", CANARY)).await.unwrap_err(),
        };
        assert_eq!(err.kind(), StoreErrorKind::Insecure, "{item}: {err}");
        assert!(err.message().contains(&target.display().to_string()), "{item}: {err}");
        fs::remove_file(&target).unwrap();
        fs::rename(&aside, &target).unwrap();
    }
    FileTokenStore::open(&path).await.unwrap().put(sample_entry("y", CANARY)).await.unwrap();

    // The store's own path may go through a link: what it leads to is checked, and used.
    let link = dir.path().join("link-to-store");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let through_link = FileTokenStore::open(&link).await.unwrap();
    assert_eq!(through_link.get("y").await.unwrap().unwrap().secret.expose_secret(), CANARY);
}

#[tokio::test]
async fn a_fifo_in_place_of_an_entry_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let store = FileTokenStore::open(&path).await.unwrap();
    let fifo = entry_file(&path, "x");
    let made = std::process::Command::new("mkfifo").args(["-m", "600"]).arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("a_fifo_in_place_of_an_entry_is_refused_without_blocking: SKIPPED: no mkfifo");
        return;
    }
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), store.get("x")).await;
    let Ok(read) = read else {
        drop(fs::OpenOptions::new().write(true).open(&fifo)); // lets the stuck reader finish
        panic!("reading a FIFO blocked");
    };
    let err = read.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Insecure, "{err}");
    assert!(err.message().contains("special file"), "{err}");
}

#[tokio::test]
async fn a_link_named_like_a_leftover_temporary_file_is_removed_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    FileTokenStore::open(&path).await.unwrap();
    let target = dir.path().join("precious");
    fs::write(&target, "keep me").unwrap();
    let link = path.join("entries/.tmp-0123456789abcdef");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    FileTokenStore::open(&path).await.unwrap();
    assert!(fs::symlink_metadata(&link).is_err(), "the planted link is still there");
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
}

/// One store write, boxed so different writes fit in one list.
type Write<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Holds the store lock through a handle of its own (another open file description: `flock`
/// treats it like another process).
fn hold_lock(path: &Path) -> fs::File {
    let file = fs::OpenOptions::new().read(true).write(true).open(path.join("lock")).unwrap();
    file.lock().unwrap();
    file
}

#[tokio::test]
async fn a_held_lock_fails_writes_within_the_timeout_instead_of_hanging() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let bound = Duration::from_millis(300);
    let store = FileTokenStore::open(&path).await.unwrap().with_lock_timeout(bound);
    assert_eq!(FileTokenStore::DEFAULT_LOCK_TIMEOUT, Duration::from_secs(10));
    let revision = store.put(sample_entry("x", CANARY)).await.unwrap();

    let held = hold_lock(&path);
    let writes: [(&str, Write<'_>); 3] = [
        ("put", Box::pin(async { store.put(sample_entry("x", CANARY)).await.map(drop) })),
        (
            "compare_and_swap",
            Box::pin(async {
                store
                    .compare_and_swap(sample_entry("x", CANARY), patkit::store::Expected::Revision(revision))
                    .await
                    .map(drop)
            }),
        ),
        ("remove", Box::pin(async { store.remove("x").await.map(drop) })),
    ];
    for (what, write) in writes {
        let start = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(20), write).await;
        let waited = start.elapsed();
        let err = outcome.unwrap_or_else(|_| panic!("{what} hung on the held lock")).unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Unavailable, "{what}: {err}");
        assert!(err.message().contains(&path.join("lock").display().to_string()), "names the lock: {err}");
        assert!(err.message().contains("timed out"), "{err}");
        assert!(waited >= bound && waited < bound + Duration::from_secs(15), "{what} waited {waited:?}");
        assert_no_canary(&err);
    }
    // Reads take no lock, and nothing changed.
    assert_eq!(store.get("x").await.unwrap().unwrap().record.revision, revision);
    drop(held);
    assert!(store.put(sample_entry("x", CANARY)).await.unwrap() > revision, "the store works once released");
}

#[tokio::test]
async fn refuses_a_non_empty_directory_that_is_not_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("home");
    fs::create_dir(&path).unwrap();
    chmod(&path, 0o700);
    fs::write(path.join("notes.txt"), "mine").unwrap();
    let err = FileTokenStore::open(&path).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Other, "{err}");
    assert!(err.message().contains("not a patkit file store"), "{err}");
    assert_eq!(fs::read_to_string(path.join("notes.txt")).unwrap(), "mine");
}

/// Damages the entry file of `name` (escaped `escaped`) with `damage`, then checks every read
/// reports `Corrupt`, `put` refuses to replace it (bytes unchanged), and `remove` clears it.
async fn check_damage_is_reported(store: &FileTokenStore, escaped: &str, damage: impl FnOnce(&Path)) {
    let name = escaped; // the names used here escape to themselves
    store.put(full_entry(name, CANARY)).await.unwrap();
    let file = entry_file(store.path(), escaped);
    damage(&file);
    let damaged = fs::read(&file).unwrap();

    let err = store.get(name).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "get: {err}");
    assert!(err.message().contains(name), "the message names the entry: {err}");
    assert_no_canary(&err);
    let err = store.list().await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "list: {err}");
    assert_no_canary(&err);
    let err = store.put(sample_entry(name, "replacement")).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "put: {err}");
    let err = store.compare_and_swap(sample_entry(name, "x"), patkit::store::Expected::Absent).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "compare_and_swap: {err}");
    assert_eq!(fs::read(&file).unwrap(), damaged, "the damaged file was replaced");

    assert!(store.remove(name).await.unwrap(), "remove clears a damaged entry");
    assert!(store.get(name).await.unwrap().is_none());
    let revision = store.put(sample_entry(name, "fresh")).await.unwrap();
    assert!(revision > 0);
    store.remove(name).await.unwrap();
}

fn truncate_to(len: impl Fn(u64) -> u64) -> impl FnOnce(&Path) {
    move |file| {
        let f = fs::OpenOptions::new().write(true).open(file).unwrap();
        let size = f.metadata().unwrap().len();
        f.set_len(len(size)).unwrap();
    }
}

fn flip_byte_at(pos: impl Fn(usize) -> usize) -> impl FnOnce(&Path) {
    move |file| {
        let mut bytes = fs::read(file).unwrap();
        let at = pos(bytes.len());
        bytes[at] ^= 0x20;
        fs::write(file, bytes).unwrap();
    }
}

async fn check_all_damage(store: &FileTokenStore) {
    check_damage_is_reported(store, "empty", truncate_to(|_| 0)).await;
    check_damage_is_reported(store, "short-header", truncate_to(|_| 10)).await;
    check_damage_is_reported(store, "half", truncate_to(|n| n / 2)).await;
    check_damage_is_reported(store, "last-byte-missing", truncate_to(|n| n - 1)).await;
    check_damage_is_reported(store, "body-flip", flip_byte_at(|n| n / 2)).await;
    check_damage_is_reported(store, "revision-flip", flip_byte_at(|_| 12)).await;
    check_damage_is_reported(store, "magic-flip", flip_byte_at(|_| 0)).await;
    check_damage_is_reported(store, "crc-flip", flip_byte_at(|n| n - 1)).await;
    check_damage_is_reported(store, "appended", |file| {
        let mut bytes = fs::read(file).unwrap();
        bytes.extend_from_slice(b"\n");
        fs::write(file, bytes).unwrap();
    })
    .await;
}

#[tokio::test]
async fn damaged_entries_are_reported_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    check_all_damage(&store).await;
}

/// Rewrites the entry file's header version byte and body with `change`, fixing length and
/// checksum, so only the versions differ from a valid file (plain stores only).
fn rewrite_entry(file: &Path, change: impl FnOnce(&mut u8, &mut serde_json::Value)) {
    let bytes = fs::read(file).unwrap();
    let mut version = bytes[8];
    let mut body: serde_json::Value = serde_json::from_slice(&bytes[22..bytes.len() - 4]).unwrap();
    change(&mut version, &mut body);
    let body = serde_json::to_vec(&body).unwrap();
    let mut out = bytes[..22].to_vec();
    out[8] = version;
    out[18..22].copy_from_slice(&u32::try_from(body.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&body);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    fs::write(file, out).unwrap();
}

#[tokio::test]
async fn new_entry_files_carry_the_entry_format_version() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    let revision = store.put(full_entry("ci/feed", CANARY)).await.unwrap();
    let bytes = fs::read(entry_file(store.path(), "ci%2ffeed")).unwrap();
    assert_eq!(bytes[8], 2, "entry file version");
    let body: serde_json::Value = serde_json::from_slice(&bytes[22..bytes.len() - 4]).unwrap();
    assert_eq!(body["format"], "patkit.entry");
    assert_eq!(body["version"], 4);
    assert_eq!(body["revision"], revision);
    assert_eq!(
        body["record"]["token"]["scopes"],
        serde_json::json!(["vso.code_write", "vso.packaging", "vso.work_write"])
    );
}

#[tokio::test]
async fn entries_of_a_future_format_version_are_corrupt_and_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    // A newer entry file version, and a newer document inside today's file version.
    check_damage_is_reported(&store, "future-file", |file| rewrite_entry(file, |version, _| *version = 3)).await;
    check_damage_is_reported(&store, "future-body", |file| {
        rewrite_entry(file, |_, body| body["version"] = serde_json::json!(5))
    })
    .await;
    for (name, change) in [
        (
            "a",
            Box::new(|v: &mut u8, _: &mut serde_json::Value| *v = 3)
                as Box<dyn FnOnce(&mut u8, &mut serde_json::Value)>,
        ),
        ("b", Box::new(|_: &mut u8, b: &mut serde_json::Value| b["version"] = serde_json::json!(5))),
    ] {
        store.put(full_entry(name, CANARY)).await.unwrap();
        rewrite_entry(&entry_file(store.path(), name), change);
        let err = store.get(name).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
        let said = if name == "a" { "version 3" } else { "version 5" };
        assert!(err.message().contains(said), "the message says which version: {err}");
        assert_no_canary(&err);
    }
}

/// Copies the committed directory `fixture` (written by 11596cb, entry format 1) to a fresh
/// temporary store, with the modes git does not keep.
fn format_1_store(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir(to).unwrap();
        chmod(to, 0o700);
        for item in fs::read_dir(from).unwrap() {
            let item = item.unwrap();
            let target = to.join(item.file_name());
            if item.file_type().unwrap().is_dir() {
                copy(&item.path(), &target);
            } else {
                fs::copy(item.path(), &target).unwrap();
                chmod(&target, 0o600);
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-format-v1").join(fixture), &path);
    (dir, path)
}

/// The entries the fixture stores hold, at their revisions.
fn format_1_entries() -> [(patkit::store::StoredPat, u64); 2] {
    [(full_entry("ci/nuget-feed", "fixture-secret-full"), 2), (sample_entry("plain", "fixture-secret-plain"), 3)]
}

/// Reads every fixture entry through `store`, then writes: revisions go on from the old ones
/// (the revision floor too), new files are format 2, old neighbours stay readable.
async fn check_format_1_store(store: &FileTokenStore) {
    for (expected, revision) in format_1_entries() {
        let got = store.get(expected.name()).await.unwrap().expect("a format 1 entry loads");
        let mut record = expected.record.clone();
        record.revision = revision;
        assert_eq!(got.record, record, "every field intact");
        assert_eq!(got.secret.expose_secret(), expected.secret.expose_secret());
    }
    let listed = store.list().await.unwrap();
    assert_eq!(
        listed.iter().map(|r| (r.name.as_str(), r.revision)).collect::<Vec<_>>(),
        [("ci/nuget-feed", 2), ("plain", 3)]
    );

    let mut next = sample_entry("plain", "rotated");
    next.record.metadata.display_name = "after the upgrade".to_owned();
    let revision = store.compare_and_swap(next, patkit::store::Expected::Revision(3)).await.unwrap();
    assert_eq!(revision, 4);
    assert_eq!(fs::read(entry_file(store.path(), "plain")).unwrap()[8], 2, "rewritten in the new format");
    assert_eq!(store.get("plain").await.unwrap().unwrap().secret.expose_secret(), "rotated");
    assert_eq!(store.put(sample_entry("gone", "again")).await.unwrap(), 2, "the format 1 revision floor holds");
    assert_eq!(store.get("ci/nuget-feed").await.unwrap().unwrap().record.revision, 2);
}

#[tokio::test]
async fn format_1_store_directories_load_with_every_field() {
    let (_dir, path) = format_1_store("file-store-plain");
    let store = FileTokenStore::open(&path).await.unwrap();
    assert!(!store.is_encrypted());
    check_format_1_store(&store).await;
}

#[tokio::test]
async fn an_entry_moved_to_another_name_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    store.put(sample_entry("a", "s")).await.unwrap();
    fs::copy(entry_file(store.path(), "a"), entry_file(store.path(), "b")).unwrap();
    let err = store.get("b").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
}

#[tokio::test]
async fn unexpected_files_fail_list_and_hidden_ones_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    store.put(sample_entry("a", "s")).await.unwrap();
    let entries = store.path().join("entries");
    fs::write(entries.join(".DS_Store"), "").unwrap();
    assert_eq!(store.list().await.unwrap().len(), 1);
    fs::write(entries.join("Stray.PAT"), "").unwrap();
    assert_eq!(store.list().await.unwrap_err().kind(), StoreErrorKind::Corrupt);
}

#[tokio::test]
async fn leftovers_of_a_crashed_writer_are_cleared_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    FileTokenStore::open(&path).await.unwrap().put(sample_entry("a", "s")).await.unwrap();
    let stray = path.join("entries/.tmp-0123456789abcdef");
    fs::write(&stray, "half a write").unwrap();
    chmod(&stray, 0o600);
    let store = FileTokenStore::open(&path).await.unwrap();
    assert!(!stray.exists(), "the stale temporary file is still there");
    assert_eq!(store.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn debug_shows_the_path_not_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
    store.put(full_entry("a", CANARY)).await.unwrap();
    let debug = format!("{store:?}");
    assert!(debug.contains("store") && debug.contains("none"), "{debug}");
    assert!(!debug.contains(CANARY));
}

#[cfg(feature = "encryption")]
mod encrypted {
    use super::*;
    use patkit::store::FileStoreKey;

    #[tokio::test]
    async fn format_1_encrypted_store_directories_load_with_every_field() {
        let (_dir, path) = format_1_store("file-store-encrypted");
        let store = FileTokenStore::open_encrypted(&path, FileStoreKey::from_bytes([7; 32])).await.unwrap();
        assert!(store.is_encrypted());
        check_format_1_store(&store).await;
    }

    #[tokio::test]
    async fn nothing_readable_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open_encrypted(dir.path().join("store"), FileStoreKey::generate()).await.unwrap();
        assert!(store.is_encrypted());
        store.put(full_entry("ci/feed", CANARY)).await.unwrap();
        let bytes = fs::read(entry_file(store.path(), "ci%2ffeed")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(CANARY), "the secret is on disk in clear");
        assert!(!text.contains("contoso") && !text.contains("nuget feed"), "the record is on disk in clear");
    }

    #[tokio::test]
    async fn a_plain_store_keeps_the_secret_only_behind_file_permissions() {
        // The contrast to the test above: without a key the body is readable JSON.
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open(dir.path().join("store")).await.unwrap();
        store.put(full_entry("ci/feed", CANARY)).await.unwrap();
        let bytes = fs::read(entry_file(store.path(), "ci%2ffeed")).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains(CANARY));
    }

    #[tokio::test]
    async fn a_wrong_key_is_corrupt_and_the_wrong_mode_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store");
        let key = [42u8; 32];
        let store = FileTokenStore::open_encrypted(&path, FileStoreKey::from_bytes(key)).await.unwrap();
        store.put(full_entry("a", CANARY)).await.unwrap();

        let err = FileTokenStore::open_encrypted(&path, FileStoreKey::from_bytes([43; 32])).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
        assert!(err.message().contains("key"), "{err}");
        let err = FileTokenStore::open(&path).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Other, "{err}");
        assert!(err.message().contains("open_encrypted"), "{err}");

        let plain = dir.path().join("plain");
        FileTokenStore::open(&plain).await.unwrap();
        let err = FileTokenStore::open_encrypted(&plain, FileStoreKey::from_bytes(key)).await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Other, "{err}");

        // The right key still opens it.
        let store = FileTokenStore::open_encrypted(&path, FileStoreKey::from_bytes(key)).await.unwrap();
        assert_eq!(store.get("a").await.unwrap().unwrap().secret.expose_secret(), CANARY);
    }

    #[tokio::test]
    async fn an_entry_sealed_with_another_key_is_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let one =
            FileTokenStore::open_encrypted(dir.path().join("one"), FileStoreKey::from_bytes([1; 32])).await.unwrap();
        let two =
            FileTokenStore::open_encrypted(dir.path().join("two"), FileStoreKey::from_bytes([2; 32])).await.unwrap();
        one.put(full_entry("a", CANARY)).await.unwrap();
        fs::copy(entry_file(one.path(), "a"), entry_file(two.path(), "a")).unwrap();
        let err = two.get("a").await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::Corrupt, "{err}");
        assert!(err.message().contains("decrypted"), "{err}");
        assert_no_canary(&err);
    }

    #[tokio::test]
    async fn damaged_encrypted_entries_are_reported_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open_encrypted(dir.path().join("store"), FileStoreKey::generate()).await.unwrap();
        check_all_damage(&store).await;
    }

    #[tokio::test]
    async fn debug_hides_the_key() {
        let key = FileStoreKey::from_bytes([0xAB; 32]);
        assert_eq!(format!("{key:?} {key:#?}"), "FileStoreKey([REDACTED]) FileStoreKey([REDACTED])");
        let dir = tempfile::tempdir().unwrap();
        let store = FileTokenStore::open_encrypted(dir.path().join("store"), key).await.unwrap();
        let debug = format!("{store:?} {store:#?}");
        assert!(debug.contains("xchacha20poly1305"), "{debug}");
        assert!(!debug.to_lowercase().contains("abab") && !debug.contains("171, 171"), "{debug}");
    }
}
