//! Entries and helpers the properties share.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::{DateTime, TimeZone, Utc};

use crate::extras::Extras;
use crate::model::{PatId, PatMetadata};
use crate::scope::Scopes;
use crate::secret::PatSecret;
use crate::store::{PatRecord, Retiring, RotationIntent, StoreError, StoreErrorKind, StoredPat, TokenStore};

/// A minimal entry named `name` holding `secret`: no rotation, no previous token.
pub fn sample_entry(name: &str, secret: &str) -> StoredPat {
    let from = at(1_767_225_600, 0); // 2026-01-01T00:00:00Z
    StoredPat {
        record: PatRecord {
            name: name.to_owned(),
            provider: "azure-devops".to_owned(),
            organization: "contoso".to_owned(),
            metadata: PatMetadata {
                id: PatId::new("00000000-0000-0000-0000-000000000001"),
                display_name: "sample".to_owned(),
                scopes: scopes("vso.code"),
                valid_from: from,
                valid_to: Some(at(1_769_904_000, 0)),
                extras: Extras::new().with("targets", "*"),
            },
            stored_at: from,
            revision: 0,
            rotation: None,
            previous: None,
            retiring: None,
        },
        secret: PatSecret::new(secret.to_owned()),
    }
}

/// An entry named `name` holding `secret` with every field set to a non-default value:
/// several scopes, organization targets, sub-second timestamps, a rotation in progress and a
/// previous token.
pub fn full_entry(name: &str, secret: &str) -> StoredPat {
    let mut entry = sample_entry(name, secret);
    let record = &mut entry.record;
    record.provider = "azure-devops-server".to_owned();
    record.organization = "https://dev.example.com/fabrikam".to_owned();
    record.stored_at = at(1_767_312_000, 123_456_789);
    record.revision = 987_654; // ignored by the store
    record.metadata = PatMetadata {
        id: PatId::new("4a8e6d1c-2b3f-4e5a-9c7d-0f1e2d3c4b5a"),
        display_name: "nuget feed — Ünïcode \"quoted\"".to_owned(),
        scopes: scopes("vso.code_write vso.packaging vso.work_write"),
        valid_from: at(1_767_312_000, 1),
        valid_to: Some(at(1_775_001_600, 999_999_999)),
        extras: Extras::new().with("targets", "org-one,org-two"),
    };
    record.rotation = Some(RotationIntent {
        replacement_display_name: "nuget feed (rotated 2026-03-01)".to_owned(),
        started_at: at(1_772_323_200, 500_000_000),
        server_rotate: None,
    });
    record.previous = Some(PatMetadata {
        id: PatId::new("11111111-2222-3333-4444-555555555555"),
        display_name: "nuget feed (old)".to_owned(),
        scopes: scopes("vso.packaging"),
        valid_from: at(1_735_689_600, 0),
        valid_to: Some(at(1_767_225_600, 0)),
        extras: Extras::new().with("targets", "org-one"),
    });
    entry
}

/// An entry of another provider than Azure DevOps: a token that never expires, provider-native
/// scopes and several extras (Unicode and quotes in keys and values), whose previous token has
/// an expiry and no extras and is retiring (a grace period, a hand-off pending): fields entry
/// formats 1 to 3 cannot hold.
pub fn neutral_entry(name: &str, secret: &str) -> StoredPat {
    let mut entry = full_entry(name, secret);
    let record = &mut entry.record;
    record.provider = "gitea".to_owned();
    record.organization = "git.example.com".to_owned();
    record.rotation = None;
    record.metadata.id = PatId::new("0042");
    record.metadata.scopes = scopes("read:user write:repository");
    record.metadata.valid_to = None;
    record.metadata.extras = Extras::new().with("description", "Ünïcode \"quoted\" ✓").with("access_level", "30");
    if let Some(previous) = &mut record.previous {
        previous.id = PatId::new("0041");
        previous.extras = Extras::new();
    }
    record.retiring = Some(Retiring { until: at(1_772_323_200, 250_000_000), handoff_pending: true });
    entry
}

/// [`full_entry`] with a server-side rotate in flight: the intent names the token being rotated
/// at the server ([`RotationIntent::server_rotate`]), a field entry format 1 cannot hold.
pub fn server_rotating_entry(name: &str, secret: &str) -> StoredPat {
    let mut entry = full_entry(name, secret);
    if let Some(intent) = &mut entry.record.rotation {
        intent.server_rotate = Some(PatId::new("0000042"));
    }
    entry
}

fn scopes(list: &str) -> Scopes {
    Scopes::parse(list).expect("fixed scopes are well formed")
}

fn at(secs: i64, nanos: u32) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, nanos).single().expect("a valid fixed timestamp")
}

/// Unwraps a store result, panicking with the (secret-free) error and what was being done.
pub(super) fn ok<T>(result: Result<T, StoreError>, doing: &str) -> T {
    result.unwrap_or_else(|e| panic!("{doing}: unexpected store error: {e}"))
}

/// Asserts a store result is an error of `kind`.
pub(super) fn expect_kind<T>(result: Result<T, StoreError>, kind: StoreErrorKind, doing: &str) -> StoreError {
    match result {
        Ok(_) => panic!("{doing}: succeeded, expected a {kind:?} error"),
        Err(e) if e.kind() == kind => e,
        Err(e) => panic!("{doing}: expected a {kind:?} error, got {e}"),
    }
}

/// Gets an entry that must exist.
pub(super) async fn must_get(store: &dyn TokenStore, name: &str) -> StoredPat {
    ok(store.get(name).await, &format!("get {name:?}")).unwrap_or_else(|| panic!("get {name:?}: the entry is missing"))
}

/// Asserts the entry's secret is `want` without ever printing either.
pub(super) fn assert_secret(entry: &StoredPat, want: &str, what: &str) {
    assert!(
        entry.secret.expose_secret() == want,
        "{what}: the secret of {:?} differs from what was written",
        entry.name()
    );
}

/// The records `list` returns under `prefix`.
pub(super) async fn list_under(store: &dyn TokenStore, prefix: &str) -> Vec<PatRecord> {
    ok(store.list().await, "list").into_iter().filter(|r| r.name.starts_with(prefix)).collect()
}

/// Removes every entry under `prefix`.
pub(super) async fn clean(store: &dyn TokenStore, prefix: &str) {
    for record in list_under(store, prefix).await {
        ok(store.remove(&record.name).await, "cleanup remove");
    }
}

/// `expected` with the revision the store reported, for comparing with what it returns.
pub(super) fn with_revision(expected: &PatRecord, revision: u64) -> PatRecord {
    PatRecord { revision, ..expected.clone() }
}

/// Returns `Pending` once, so other futures polled alongside run in between.
pub(super) fn yield_now() -> impl Future<Output = ()> {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
    YieldNow(false)
}
