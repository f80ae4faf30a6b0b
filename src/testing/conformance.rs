//! The conformance suite for [`TokenStore`] implementations.
//!
//! **Not semver-stable**: properties are added as the contract is sharpened; a new release may
//! find a bug your store had all along.
//!
//! One `pub async fn` per property of the [`TokenStore`] contract, plus [`run_all`]. Each
//! property panics (like `assert!`) with a message naming what broke, so call them from a test.
//! Panic messages never contain a secret.
//!
//! Every property takes a `prefix` and only touches entries whose names start with it, removing
//! what it wrote before returning; give each property run its own prefix and several suites can
//! share one backend (a Vault mount, a keyring) with other data in it. [`run_all`] picks a fresh
//! prefix by itself.
//!
//! The properties need no particular async runtime; concurrency is exercised by polling many
//! calls at once within the calling task, so a store that hands work to threads (e.g. with
//! `spawn_blocking`) is exercised in parallel as well.
//!
//! # Running it on your own store
//!
//! ```
//! use patkit::store::InMemoryTokenStore;
//! use patkit::testing::conformance;
//!
//! // In your crate: #[tokio::test] async fn my_store_conforms() { … }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let store = InMemoryTokenStore::new(); // your store here
//! conformance::run_all(&store).await;
//!
//! // Or one property at a time, with your own prefix:
//! conformance::compare_and_swap_with_stale_revision_conflicts(&store, "my-suite/").await;
//! # }
//! ```
//!
//! Run it through `Arc<dyn TokenStore>` too if that is how your store is used:
//! `conformance::run_all(&Arc::new(store) as &Arc<dyn TokenStore>)`.

mod basics;
mod canary;
mod cas;
mod concurrency;
mod fixtures;
mod scale;

pub use basics::{
    list_excludes_removed, list_is_sorted_by_name, list_never_exposes_secrets, missing_entry_is_none,
    put_replaces_every_field, remove_is_idempotent, revisions_increase_and_are_never_reused,
    round_trip_preserves_every_field,
};
pub use canary::secrets_never_leak;
pub use cas::{
    compare_and_swap_absent_on_existing_conflicts, compare_and_swap_absent_on_missing_inserts,
    compare_and_swap_with_current_revision_succeeds, compare_and_swap_with_stale_revision_conflicts,
};
pub use concurrency::{concurrent_compare_and_swap_loses_no_update, concurrent_puts_of_different_names_all_land};
pub use fixtures::{full_entry, neutral_entry, sample_entry, server_rotating_entry};
pub use scale::{MANY, many_entries, odd_names};

use crate::store::TokenStore;

/// Runs every property against `store`, under a fresh random prefix.
pub async fn run_all(store: &dyn TokenStore) {
    let prefix = format!("patkit-conformance-{}/", crate::random::hex(16));
    run_all_with_prefix(store, &prefix).await;
}

/// Runs every property against `store`, each under `prefix` followed by the property's name.
pub async fn run_all_with_prefix(store: &dyn TokenStore, prefix: &str) {
    let p = |property: &str| format!("{prefix}{property}/");
    missing_entry_is_none(store, &p("missing")).await;
    round_trip_preserves_every_field(store, &p("round-trip")).await;
    put_replaces_every_field(store, &p("replace")).await;
    remove_is_idempotent(store, &p("remove")).await;
    list_excludes_removed(store, &p("list-removed")).await;
    list_is_sorted_by_name(store, &p("list-sorted")).await;
    list_never_exposes_secrets(store, &p("list-secrets")).await;
    revisions_increase_and_are_never_reused(store, &p("revisions")).await;
    compare_and_swap_absent_on_missing_inserts(store, &p("cas-insert")).await;
    compare_and_swap_absent_on_existing_conflicts(store, &p("cas-absent")).await;
    compare_and_swap_with_stale_revision_conflicts(store, &p("cas-stale")).await;
    compare_and_swap_with_current_revision_succeeds(store, &p("cas-current")).await;
    concurrent_compare_and_swap_loses_no_update(store, &p("concurrent-cas")).await;
    concurrent_puts_of_different_names_all_land(store, &p("concurrent-put")).await;
    many_entries(store, &p("many")).await;
    odd_names(store, &p("odd-names")).await;
    secrets_never_leak(store, &p("canary")).await;
}
