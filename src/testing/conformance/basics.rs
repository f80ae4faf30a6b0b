//! Single-caller properties: get, put, remove, list, revisions.

use super::fixtures::{
    assert_secret, clean, full_entry, list_under, must_get, neutral_entry, ok, sample_entry, server_rotating_entry,
    with_revision,
};
use crate::store::TokenStore;

/// `get` of a name never written is `Ok(None)`, and so is `get` after a `remove`.
pub async fn missing_entry_is_none(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}never-written");
    assert!(ok(store.get(&name).await, "get of a missing entry").is_none(), "get of a missing entry returned one");

    let name = format!("{prefix}removed");
    ok(store.put(sample_entry(&name, "s")).await, "put");
    ok(store.remove(&name).await, "remove");
    assert!(ok(store.get(&name).await, "get after remove").is_none(), "get after remove returned the entry");
    clean(store, prefix).await;
}

/// What `put` wrote, `get` returns: every record field (with the store's revision), the secret,
/// the rotation intent and the previous token, a missing expiry and the provider's extras; and the
/// `None`s of a minimal entry stay `None`.
pub async fn round_trip_preserves_every_field(store: &dyn TokenStore, prefix: &str) {
    for (i, entry) in [
        full_entry(&format!("{prefix}full"), "s3cr3t+/=:ü~\u{1F511}"),
        server_rotating_entry(&format!("{prefix}server-rotating"), "s"),
        sample_entry(&format!("{prefix}minimal"), "x"),
        neutral_entry(&format!("{prefix}neutral"), "n"),
    ]
    .into_iter()
    .enumerate()
    {
        let secret = entry.secret.expose_secret().to_owned();
        let revision = ok(store.put(entry.clone()).await, "put");
        let got = must_get(store, entry.name()).await;
        assert_eq!(got.record, with_revision(&entry.record, revision), "round trip #{i}: the record changed");
        assert_secret(&got, &secret, "round trip");
        let listed = list_under(store, entry.name()).await;
        let listed = listed.iter().find(|r| r.name == entry.record.name).expect("list shows the entry");
        assert_eq!(*listed, got.record, "round trip #{i}: list and get disagree");
    }
    clean(store, prefix).await;
}

/// `put` over an existing entry replaces all of it, including the secret, and nothing of the
/// old entry (e.g. its rotation intent) survives.
pub async fn put_replaces_every_field(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    ok(store.put(full_entry(&name, "old-secret")).await, "first put");
    let replacement = sample_entry(&name, "new-secret");
    let revision = ok(store.put(replacement.clone()).await, "second put");
    let got = must_get(store, &name).await;
    assert_eq!(got.record, with_revision(&replacement.record, revision), "put did not replace the record");
    assert_secret(&got, "new-secret", "put replaces");
    assert_eq!(list_under(store, prefix).await.len(), 1, "put of an existing name added a second entry");
    clean(store, prefix).await;
}

/// `remove` returns `true` once, then `false`; removing a name never written is `Ok(false)`.
pub async fn remove_is_idempotent(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    assert!(
        !ok(store.remove(&name).await, "remove of a missing entry"),
        "remove of a missing entry said it removed one"
    );
    ok(store.put(sample_entry(&name, "s")).await, "put");
    assert!(ok(store.remove(&name).await, "first remove"), "remove of an existing entry returned false");
    assert!(!ok(store.remove(&name).await, "second remove"), "a second remove returned true");
    assert!(ok(store.get(&name).await, "get after remove").is_none(), "the entry survived remove");
}

/// `list` shows every entry written and none removed.
pub async fn list_excludes_removed(store: &dyn TokenStore, prefix: &str) {
    let names: Vec<String> = (0..5).map(|i| format!("{prefix}{i}")).collect();
    for name in &names {
        ok(store.put(sample_entry(name, "s")).await, "put");
    }
    ok(store.remove(&names[1]).await, "remove");
    ok(store.remove(&names[3]).await, "remove");
    let listed: Vec<String> = list_under(store, prefix).await.into_iter().map(|r| r.name).collect();
    assert_eq!(listed, vec![names[0].clone(), names[2].clone(), names[4].clone()], "list after removes");
    clean(store, prefix).await;
    assert!(list_under(store, prefix).await.is_empty(), "list shows removed entries");
}

/// `list` is sorted by name in byte order, whatever the order of writes.
pub async fn list_is_sorted_by_name(store: &dyn TokenStore, prefix: &str) {
    let mut names: Vec<String> =
        ["b", "a/z", "B", "a", "a b", "ä", "a/a", "aa", "0"].iter().map(|n| format!("{prefix}{n}")).collect();
    for name in &names {
        ok(store.put(sample_entry(name, "s")).await, "put");
    }
    names.sort();
    let listed: Vec<String> = list_under(store, prefix).await.into_iter().map(|r| r.name).collect();
    assert_eq!(listed, names, "list is not in name order");
    clean(store, prefix).await;
}

/// Nothing `list` returns carries a secret: not its `Debug`, not its JSON.
pub async fn list_never_exposes_secrets(store: &dyn TokenStore, prefix: &str) {
    let secret = format!("list-canary-{}", crate::random::hex(16));
    ok(store.put(full_entry(&format!("{prefix}a"), &secret)).await, "put");
    ok(store.put(sample_entry(&format!("{prefix}b"), &secret)).await, "put");
    let all = ok(store.list().await, "list");
    let debug = format!("{all:?} {all:#?}");
    let json = serde_json::to_string(&all).expect("records serialize");
    assert!(!debug.contains(&secret), "list output's Debug contains a secret");
    assert!(!json.contains(&secret), "list output's JSON contains a secret");
    clean(store, prefix).await;
}

/// Each write returns a revision greater than the last one for the name; `get` and `list`
/// report it; and a name removed and written again gets a revision greater than any before.
pub async fn revisions_increase_and_are_never_reused(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}entry");
    let mut last = 0;
    for step in 0..3 {
        let revision = ok(store.put(sample_entry(&name, "s")).await, "put");
        assert!(revision > last, "write #{step} returned revision {revision}, not greater than {last}");
        assert_eq!(must_get(store, &name).await.record.revision, revision, "get reports another revision");
        last = revision;
    }
    let listed = list_under(store, prefix).await;
    assert_eq!(listed.first().map(|r| r.revision), Some(last), "list reports another revision");

    ok(store.remove(&name).await, "remove");
    let again = ok(store.put(sample_entry(&name, "s")).await, "put after remove");
    assert!(again > last, "revision {again} after remove-and-recreate reuses or precedes {last}");
    clean(store, prefix).await;
}
