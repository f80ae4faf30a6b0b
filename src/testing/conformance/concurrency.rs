//! Properties with many callers at once.

use futures_util::future::join_all;

use super::fixtures::{assert_secret, clean, list_under, must_get, ok, sample_entry, yield_now};
use crate::store::{Expected, StoreErrorKind, TokenStore};

/// How many writers race in the concurrency properties.
const WRITERS: usize = 8;
/// How many increments each compare-and-swap writer makes.
const INCREMENTS: usize = 5;

/// `WRITERS` callers each increment a counter kept in one entry `INCREMENTS` times by
/// read → yield → `compare_and_swap(Revision(read))`, retrying on `Conflict`. The final count is
/// exactly `WRITERS × INCREMENTS`: no update is lost, none applied twice.
pub async fn concurrent_compare_and_swap_loses_no_update(store: &dyn TokenStore, prefix: &str) {
    let name = format!("{prefix}counter");
    ok(store.put(counter_entry(&name, 0)).await, "put the counter");

    let writer = |_: usize| {
        let name = name.clone();
        async move {
            let mut conflicts = 0usize;
            for _ in 0..INCREMENTS {
                loop {
                    let read = must_get(store, &name).await;
                    let count = read_count(&read.record.metadata.display_name);
                    yield_now().await; // let the other writers read the same revision
                    let next = counter_entry(&name, count + 1);
                    match store.compare_and_swap(next, Expected::Revision(read.record.revision)).await {
                        Ok(_) => break,
                        Err(e) if e.kind() == StoreErrorKind::Conflict => conflicts += 1,
                        Err(e) => panic!("concurrent compare_and_swap: unexpected store error: {e}"),
                    }
                }
            }
            conflicts
        }
    };
    join_all((0..WRITERS).map(writer)).await;

    let got = must_get(store, &name).await;
    let count = read_count(&got.record.metadata.display_name);
    assert_eq!(count, WRITERS * INCREMENTS, "concurrent compare_and_swap lost or duplicated updates");
    assert_secret(&got, &format!("secret-{count}"), "the counter's secret is torn from its record");
    clean(store, prefix).await;
}

/// `WRITERS × 4` `put`s of different names, all in flight at once, all land with their own
/// secret.
pub async fn concurrent_puts_of_different_names_all_land(store: &dyn TokenStore, prefix: &str) {
    let names: Vec<String> = (0..WRITERS * 4).map(|i| format!("{prefix}{i:03}")).collect();
    let results = join_all(names.iter().map(|name| async move {
        yield_now().await;
        store.put(sample_entry(name, &format!("secret-of-{name}"))).await
    }))
    .await;
    for result in results {
        ok(result, "concurrent put");
    }
    let listed: Vec<String> = list_under(store, prefix).await.into_iter().map(|r| r.name).collect();
    assert_eq!(listed, names, "concurrent puts of different names lost some");
    for name in &names {
        assert_secret(&must_get(store, name).await, &format!("secret-of-{name}"), "concurrent put");
    }
    clean(store, prefix).await;
}

fn counter_entry(name: &str, count: usize) -> crate::store::StoredPat {
    let mut entry = sample_entry(name, &format!("secret-{count}"));
    entry.record.metadata.display_name = format!("count={count}");
    entry
}

fn read_count(display_name: &str) -> usize {
    display_name
        .strip_prefix("count=")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the counter entry's display name was changed to {display_name:?}"))
}
