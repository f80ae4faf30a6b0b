//! No secret in `Debug`, errors or listings.

use std::error::Error as _;

use super::fixtures::{clean, expect_kind, full_entry, ok, sample_entry};
use crate::store::{Expected, StoreError, StoreErrorKind, TokenStore};

/// With a canary secret stored, the canary appears nowhere in: the store's `Debug` (plain and
/// alternate), the conflict errors `compare_and_swap` returns (`Display`, `Debug`, every
/// source), `list`'s output, or the `Debug` of the entry `get` returns.
pub async fn secrets_never_leak(store: &dyn TokenStore, prefix: &str) {
    let canary = format!("CANARY-{}", crate::random::hex(16));
    let name = format!("{prefix}entry");
    let revision = ok(store.put(full_entry(&name, &canary)).await, "put");
    ok(store.put(sample_entry(&format!("{prefix}other"), &canary)).await, "put");

    let debug = format!("{store:?} {store:#?}");
    assert!(!debug.contains(&canary), "the store's Debug shows a secret");

    let got = ok(store.get(&name).await, "get").expect("the entry exists");
    assert!(!format!("{got:?} {got:#?}").contains(&canary), "a stored entry's Debug shows its secret");

    let listed = ok(store.list().await, "list");
    assert!(!format!("{listed:?}").contains(&canary), "list shows a secret");

    let errors = [
        expect_kind(
            store.compare_and_swap(full_entry(&name, &canary), Expected::Absent).await,
            StoreErrorKind::Conflict,
            "compare_and_swap(Absent) on an existing entry",
        ),
        expect_kind(
            store.compare_and_swap(full_entry(&name, &canary), Expected::Revision(revision + 7)).await,
            StoreErrorKind::Conflict,
            "compare_and_swap with a wrong revision",
        ),
    ];
    for error in &errors {
        assert!(!render(error).contains(&canary), "a store error shows a secret");
    }
    clean(store, prefix).await;
}

/// `Display` and `Debug` of an error and of every source under it.
pub(crate) fn render(error: &StoreError) -> String {
    let mut out = format!("{error} {error:?} {error:#?}");
    let mut source = error.source();
    while let Some(s) = source {
        out.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    out
}
