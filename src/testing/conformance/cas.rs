//! Compare-and-swap properties, one caller at a time.

use super::fixtures::{assert_secret, clean, expect_kind, must_get, ok, sample_entry, with_revision};
use crate::store::{Expected, StoreErrorKind, TokenStore};

/// `compare_and_swap(_, Absent)` inserts a missing entry, also one that existed and was removed.
pub async fn compare_and_swap_absent_on_missing_inserts(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    let entry = sample_entry(&name, "first");
    let revision = ok(store.compare_and_swap(entry.clone(), Expected::Absent).await, "insert with Absent");
    let got = must_get(store, &name).await;
    assert_eq!(got.record, with_revision(&entry.record, revision), "insert with Absent wrote another record");
    assert_secret(&got, "first", "insert with Absent");

    ok(store.remove(&name).await, "remove");
    ok(
        store.compare_and_swap(sample_entry(&name, "second"), Expected::Absent).await,
        "insert with Absent after remove",
    );
    assert_secret(&must_get(store, &name).await, "second", "insert with Absent after remove");
    clean(store, prefix).await;
}

/// `compare_and_swap(_, Absent)` on an existing entry is a `Conflict` and changes nothing.
pub async fn compare_and_swap_absent_on_existing_conflicts(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    let revision = ok(store.put(sample_entry(&name, "kept")).await, "put");
    let result = store.compare_and_swap(sample_entry(&name, "intruder"), Expected::Absent).await;
    expect_kind(result, StoreErrorKind::Conflict, "compare_and_swap(Absent) on an existing entry");
    let got = must_get(store, &name).await;
    assert_eq!(got.record.revision, revision, "a refused compare_and_swap changed the revision");
    assert_secret(&got, "kept", "a refused compare_and_swap");
    clean(store, prefix).await;
}

/// `compare_and_swap` with a revision that is no longer current (or with any revision on a
/// missing entry) is a `Conflict` and changes nothing.
pub async fn compare_and_swap_with_stale_revision_conflicts(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    let stale = ok(store.put(sample_entry(&name, "one")).await, "first put");
    let current = ok(store.put(sample_entry(&name, "two")).await, "second put");
    let result = store.compare_and_swap(sample_entry(&name, "three"), Expected::Revision(stale)).await;
    expect_kind(result, StoreErrorKind::Conflict, "compare_and_swap with a stale revision");
    let got = must_get(store, &name).await;
    assert_eq!(got.record.revision, current, "a refused compare_and_swap changed the revision");
    assert_secret(&got, "two", "a refused compare_and_swap");

    let result = store.compare_and_swap(sample_entry(&name, "four"), Expected::Revision(current + 1_000)).await;
    expect_kind(result, StoreErrorKind::Conflict, "compare_and_swap with a future revision");

    let missing = format!("{prefix}missing");
    let result = store.compare_and_swap(sample_entry(&missing, "five"), Expected::Revision(current)).await;
    expect_kind(result, StoreErrorKind::Conflict, "compare_and_swap(Revision) on a missing entry");
    assert!(ok(store.get(&missing).await, "get").is_none(), "a refused compare_and_swap created the entry");

    ok(store.remove(&name).await, "remove");
    let result = store.compare_and_swap(sample_entry(&name, "six"), Expected::Revision(current)).await;
    expect_kind(result, StoreErrorKind::Conflict, "compare_and_swap(Revision) on a removed entry");
    assert!(ok(store.get(&name).await, "get").is_none(), "a refused compare_and_swap re-created the entry");
    clean(store, prefix).await;
}

/// `compare_and_swap` with the current revision replaces the entry and returns a greater revision.
pub async fn compare_and_swap_with_current_revision_succeeds(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    let current = ok(store.put(sample_entry(&name, "old")).await, "put");
    let mut replacement = sample_entry(&name, "new");
    replacement.record.metadata.display_name = "replaced".to_owned();
    let revision =
        ok(store.compare_and_swap(replacement.clone(), Expected::Revision(current)).await, "compare_and_swap(current)");
    assert!(revision > current, "compare_and_swap returned revision {revision}, not greater than {current}");
    let got = must_get(store, &name).await;
    assert_eq!(got.record, with_revision(&replacement.record, revision), "compare_and_swap wrote another record");
    assert_secret(&got, "new", "compare_and_swap(current)");
    clean(store, prefix).await;
}
