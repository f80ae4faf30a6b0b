//! Many entries, and names that are awkward for file systems, URLs and key-value paths.

use futures_util::future::join_all;

use super::fixtures::{assert_secret, clean, list_under, must_get, ok, sample_entry};
use crate::store::TokenStore;

/// How many entries [`many_entries`] writes.
pub const MANY: usize = 500;

/// [`MANY`] entries written (in batches of concurrent puts) are all listed, in order, and each
/// reads back with its own secret; removing them all leaves none.
pub async fn many_entries(store: &dyn TokenStore, prefix: &str) {
    let names: Vec<String> = (0..MANY).map(|i| format!("{prefix}{i:04}")).collect();
    for batch in names.chunks(25) {
        let results = join_all(batch.iter().map(|name| store.put(sample_entry(name, &format!("v-{name}"))))).await;
        for result in results {
            ok(result, "put of many entries");
        }
    }
    let listed: Vec<String> = list_under(store, prefix).await.into_iter().map(|r| r.name).collect();
    assert_eq!(listed.len(), MANY, "list shows {} of {MANY} entries", listed.len());
    assert_eq!(listed, names, "list of many entries is incomplete or out of order");
    for name in &names {
        assert_secret(&must_get(store, name).await, &format!("v-{name}"), "many entries");
    }
    clean(store, prefix).await;
    assert!(list_under(store, prefix).await.is_empty(), "entries survived removal");
}

/// Names with slashes, dots, spaces, percent signs, backslashes, case differences and non-ASCII
/// characters are distinct keys that round-trip exactly.
pub async fn odd_names(store: &dyn TokenStore, prefix: &str) {
    let suffixes = [
        "a/b/c",
        "a/b",
        "a%2Fb",
        "../escape",
        "./dot",
        ".hidden",
        "trailing/",
        "with space",
        " leading space",
        "back\\slash",
        "colon:semi;",
        "question?hash#amp&eq=",
        "Case",
        "case",
        "CASE",
        "ünïcødé/名前",
        "emoji \u{1F511}",
        "plus+tilde~",
        "quote\"apostrophe'",
    ];
    let names: Vec<String> = suffixes.iter().map(|s| format!("{prefix}{s}")).collect();
    for (i, name) in names.iter().enumerate() {
        ok(store.put(sample_entry(name, &format!("odd-{i}"))).await, &format!("put {name:?}"));
    }
    for (i, name) in names.iter().enumerate() {
        let got = must_get(store, name).await;
        assert_eq!(got.record.name, *name, "get returned another entry's name");
        assert_secret(&got, &format!("odd-{i}"), "odd names");
    }
    let mut sorted = names.clone();
    sorted.sort();
    let listed: Vec<String> = list_under(store, prefix).await.into_iter().map(|r| r.name).collect();
    assert_eq!(listed, sorted, "list of odd names");
    clean(store, prefix).await;
}
