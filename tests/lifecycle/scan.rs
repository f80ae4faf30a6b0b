//! Expiry scan: each finding kind from the server's view, the store's and both reconciled, and
//! the notification hook — on every [`Backend`] (the Azure client over the emulator, and the
//! fake provider in each capability profile; kinds a profile cannot produce, such as an expiry
//! extended on the server without `update_expiry`, are left out there). Global tokens on the
//! emulator.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::lifecycle_support::{Backend, ORG, World};
use async_trait::async_trait;
use chrono::TimeDelta;
use patkit::azure::emulator::SeedPat;
use patkit::lifecycle::{Finding, FindingKind, Scan, ScanSink, View, sink_fn};
use patkit::store::InMemoryTokenStore;
use patkit::testing::FakeProfile;
use patkit::{PatChanges, PatId, PatProvider, Scopes, TokenStore};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

/// What a backend's world holds besides the entries.
struct Setup {
    w: World,
    /// The one token made by hand (not stored).
    unstored: PatId,
    /// Whether "extended" exists (the provider can change an expiry on the server).
    extends: bool,
}

/// Stored: fine, expiring, expired, revoked on the server, missing on the server, extended on
/// the server (where the provider can do that). Not stored: one active token. On a provider
/// whose tokens never expire, "expiring" and "expired" are fine.
async fn world(backend: Backend) -> Setup {
    let w = World::on(backend, Arc::new(InMemoryTokenStore::new()));
    // Expired by the clock moving on (the fake seeds only tokens that are still valid).
    w.seed("expired", "expired", 1).await;
    w.clock.advance(TimeDelta::days(3));
    w.seed("fine", "fine", 60).await;
    w.seed("expiring", "expiring", 3).await;
    let revoked = w.seed("revoked", "revoked", 60).await;
    w.direct_provider.revoke_pat(&revoked.record.metadata.id).await.unwrap();
    let mut missing = w.seed("missing", "missing", 60).await;
    missing.record.metadata.id = PatId::new(match backend {
        Backend::Azure => "00000000-0000-0000-0000-00000000abcd",
        Backend::Fake(_) | Backend::GitLab | Backend::Gitea | Backend::Forgejo => "999999",
        Backend::Bitbucket => "099999999999",
    });
    w.inner_store.put(missing).await.unwrap();
    let extends = w.provider.capabilities().update_expiry;
    if extends {
        let extended = w.seed("extended", "extended", 20).await;
        let changes = PatChanges { valid_to: Some(w.now() + TimeDelta::days(90)), ..PatChanges::default() };
        w.direct_provider.update_pat(&extended.record.metadata.id, changes).await.unwrap();
    }
    let unstored = match backend {
        Backend::Azure => w.emulator.seed_pat(ORG, w.alice.id, SeedPat::new("made by hand", "vso.code")).id,
        Backend::Fake(_) => w.fake.seed("made by hand", Scopes::parse("vso.code").unwrap(), None).metadata.id,
        Backend::GitLab => {
            let seeded = w
                .gitlab
                .seed_token(w.gitlab_user, patkit::gitlab::emulator::SeedToken::new("made by hand", &["read_api"]));
            PatId::new(seeded.id.to_string())
        }
        Backend::Gitea | Backend::Forgejo => {
            let seeded = w
                .gitea
                .seed_token(w.gitea_user, patkit::gitea::emulator::SeedToken::new("made by hand", &["read:user"]));
            PatId::new(seeded.id.to_string())
        }
        Backend::Bitbucket => {
            let seeded = w
                .bitbucket
                .seed_token("alice", patkit::bitbucket::emulator::SeedToken::new("made by hand", &["REPO_READ"]));
            PatId::new(seeded.id)
        }
    };
    Setup { w, unstored, extends }
}

/// Fine: not expiring soon — valid beyond the window, or never expiring.
fn fine(kind: &FindingKind) -> bool {
    matches!(kind, FindingKind::Fine { .. } | FindingKind::NoExpiry { .. })
}

fn kind_of<'a>(findings: &'a [Finding], entry: &str) -> Vec<&'a FindingKind> {
    findings.iter().filter(|f| f.entry.as_deref() == Some(entry)).map(|f| &f.kind).collect()
}

#[tokio::test]
async fn store_view() {
    for backend in Backend::ALL {
        let Setup { w, extends, .. } = world(backend).await;
        let report = Scan::new().store(w.inner_store.clone()).clock(w.clock.clone()).window(WEEK).run().await.unwrap();
        assert!(report.findings.iter().all(|f| f.view == View::Store));
        assert!(matches!(kind_of(&report.findings, "fine")[..], [k] if fine(k)));
        let expiring = kind_of(&report.findings, "expiring");
        match backend {
            Backend::Fake(FakeProfile::NoExpiry) | Backend::Gitea | Backend::Forgejo => {
                let never = kind_of(&report.findings, "fine");
                assert!(matches!(never[..], [FindingKind::NoExpiry { .. }]), "{never:?}");
                assert!(matches!(expiring[..], [k] if fine(k)));
                assert!(matches!(kind_of(&report.findings, "expired")[..], [k] if fine(k)));
            }
            // Expiry to the second: exactly three days left.
            Backend::Azure | Backend::Fake(FakeProfile::CreateUpdate) => {
                assert!(
                    matches!(expiring[..], [FindingKind::ExpiringSoon { remaining, .. }] if *remaining == WEEK * 3 / 7)
                );
                assert!(matches!(kind_of(&report.findings, "expired")[..], [FindingKind::Expired { .. }]));
            }
            _ => {
                assert!(matches!(expiring[..], [FindingKind::ExpiringSoon { .. }]), "{backend:?}");
                assert!(matches!(kind_of(&report.findings, "expired")[..], [FindingKind::Expired { .. }]));
            }
        }
        // The store alone cannot know about revocations or extensions.
        assert!(matches!(kind_of(&report.findings, "revoked")[..], [k] if fine(k)));
        assert_eq!(report.findings.len(), 5 + usize::from(extends), "{backend:?}");
    }
}

#[tokio::test]
async fn server_view() {
    for backend in Backend::ALL {
        let Setup { w, unstored, extends } = world(backend).await;
        let report =
            Scan::new().provider(w.direct_provider.clone()).clock(w.clock.clone()).window(WEEK).run().await.unwrap();
        assert!(report.findings.iter().all(|f| f.view == View::Server && f.entry.is_none()));
        let by_name = |n: &str| report.findings.iter().find(|f| f.token.display_name == n).map(|f| &f.kind);
        if backend.expires() {
            assert!(matches!(by_name("expiring"), Some(FindingKind::ExpiringSoon { .. })), "{backend:?}");
            assert!(matches!(by_name("expired"), Some(FindingKind::Expired { .. })), "{backend:?}");
        } else {
            assert!(by_name("expiring").is_some_and(fine));
        }
        if extends {
            assert!(by_name("extended").is_some_and(fine));
        }
        assert!(by_name("revoked").is_none(), "revoked tokens are done with");
        assert!(report.findings.iter().any(|f| f.token.id == unstored));
        // fine, expiring, expired, extended, the seeded "missing" one (the store points
        // elsewhere) and the one made by hand; on GitLab also the world's management token.
        let management = usize::from(backend == Backend::GitLab);
        assert_eq!(report.findings.len(), 5 + usize::from(extends) + management, "{backend:?}");
    }
}

#[tokio::test]
async fn reconciled_view_finds_each_kind() {
    for backend in Backend::ALL {
        reconciled_view_on(backend).await;
    }
}

async fn reconciled_view_on(backend: Backend) {
    let Setup { w, unstored, extends } = world(backend).await;
    let report = Scan::new()
        .provider(w.direct_provider.clone())
        .store(w.inner_store.clone())
        .clock(w.clock.clone())
        .window(WEEK)
        .run()
        .await
        .unwrap();
    println!("{report}");
    let f = &report.findings;
    assert!(matches!(kind_of(f, "fine")[..], [k] if fine(k)));
    if backend.expires() {
        assert!(matches!(kind_of(f, "expiring")[..], [FindingKind::ExpiringSoon { .. }]), "{backend:?}");
        assert!(matches!(kind_of(f, "expired")[..], [FindingKind::Expired { .. }]), "{backend:?}");
    }
    // Where a revoke deletes, the server cannot tell a revoked token from one it never had.
    let revoked = if backend.deletes() { FindingKind::StoredButMissing } else { FindingKind::StoredButRevoked };
    assert_eq!(kind_of(f, "revoked"), [&revoked], "{backend:?}");
    assert_eq!(kind_of(f, "missing"), [&FindingKind::StoredButMissing], "{backend:?}");
    if extends {
        let extended = kind_of(f, "extended");
        assert!(fine(extended[0]), "judged by the server's expiry");
        assert!(
            matches!(extended[1], FindingKind::ExpiryDiffers { stored: Some(stored), server: Some(server) } if *server - *stored == TimeDelta::days(70))
        );
    }
    // The token made by hand, and the server's "missing" token (its entry points elsewhere).
    // On GitLab the world's management token (its credential, not a rotated token) is one more.
    let not_stored: Vec<_> = f
        .iter()
        .filter(|f| f.kind == FindingKind::NotStored && f.token.display_name != "management")
        .map(|f| &f.token)
        .collect();
    assert_eq!(not_stored.len(), 2);
    assert!(not_stored.iter().any(|t| t.id == unstored));
    assert!(not_stored.iter().any(|t| t.display_name == "missing"));
    let management = usize::from(backend == Backend::GitLab);
    let expected = 4 + if backend.expires() { 2 } else { 0 } + usize::from(extends) + management;
    assert_eq!(report.needing_attention().count(), expected, "{backend:?}");
}

#[tokio::test]
async fn the_hook_receives_every_finding() {
    for backend in Backend::ALL {
        the_hook_on(backend).await;
    }
}

async fn the_hook_on(backend: Backend) {
    let Setup { w, .. } = world(backend).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let seen = seen.clone();
        sink_fn(move |finding: Finding| {
            let seen = seen.clone();
            async move { seen.lock().unwrap().push(finding) }
        })
    };
    let scan = Scan::new().provider(w.direct_provider.clone()).store(w.inner_store.clone()).clock(w.clock.clone());
    let report = scan.run_with(&sink).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), report.findings);

    /// A hand-written sink that counts what needs attention.
    struct Alerts(Mutex<usize>);
    #[async_trait]
    impl ScanSink for Alerts {
        async fn on_finding(&self, finding: &Finding) {
            if finding.kind.needs_attention() {
                *self.0.lock().unwrap() += 1;
            }
        }
    }
    let alerts = Alerts(Mutex::new(0));
    scan.run_with(&alerts).await.unwrap();
    assert_eq!(*alerts.0.lock().unwrap(), report.needing_attention().count());
}

#[tokio::test]
async fn entries_of_other_organizations_are_left_out_and_secrets_never_shown() {
    for backend in Backend::ALL {
        let Setup { w, .. } = world(backend).await;
        let mut foreign = w.inner_store.get("fine").await.unwrap().unwrap();
        foreign.record.name = "elsewhere".into();
        foreign.record.organization = "contoso".into();
        w.inner_store.put(foreign).await.unwrap();
        let report = Scan::new()
            .provider(w.direct_provider.clone())
            .store(w.inner_store.clone())
            .clock(w.clock.clone())
            .run()
            .await
            .unwrap();
        assert!(kind_of(&report.findings, "elsewhere").is_empty(), "{backend:?}");
        let text = format!("{report} {report:?}");
        for entry in w.inner_store.list().await.unwrap() {
            let secret = w.inner_store.get(&entry.name).await.unwrap().unwrap().secret;
            assert!(!text.contains(secret.expose_secret()), "{backend:?}");
        }
    }
    assert!(Scan::new().run().await.is_err(), "a scan needs a provider or a store");
}

/// Every global token is a finding of its own: retiring (on 2026-12-01) before that date,
/// retired from it on — in the server's view, the store's and reconciled. Organization-scoped
/// tokens get none.
#[tokio::test]
async fn global_tokens_are_reported_as_retiring_then_retired() {
    let w = World::new(Arc::new(InMemoryTokenStore::new()));
    let far = w.now() + TimeDelta::days(400);
    w.seed("scoped", "scoped", 300).await;
    let global = w.emulator.seed_pat(ORG, w.alice.id, SeedPat::new("global", "vso.code").global().valid_to(far));
    let metadata = w.direct.get(&global.id).await.unwrap();
    assert!(patkit::azure::Targets::of(&metadata).is_some_and(|t| t.is_global()));
    w.inner_store
        .put(patkit::StoredPat {
            record: patkit::PatRecord::new("stored global", patkit::azure::PROVIDER_NAME, ORG, metadata, w.now()),
            secret: global.secret,
        })
        .await
        .unwrap();
    let retirement = |report: &patkit::lifecycle::ScanReport| -> Vec<(View, Option<String>, FindingKind)> {
        report
            .findings
            .iter()
            .filter(|f| matches!(f.kind, FindingKind::Retired { .. } | FindingKind::Retiring { .. }))
            .map(|f| {
                assert_eq!(f.token.id, global.id, "only the global token");
                (f.view, f.entry.clone(), f.kind.clone())
            })
            .collect()
    };
    let on = patkit::azure::GLOBAL_PAT_RETIREMENT;
    let reason = std::borrow::Cow::Borrowed("Azure DevOps retires global PATs");
    for (now, kind) in [
        (on - TimeDelta::seconds(1), FindingKind::Retiring { on, reason: reason.clone() }),
        (on, FindingKind::Retired { since: on, reason: reason.clone() }),
    ] {
        w.clock.set(now);
        let scan = || Scan::new().clock(w.clock.clone()).window(WEEK);
        let server = scan().provider(w.direct.clone()).run().await.unwrap();
        assert_eq!(retirement(&server), [(View::Server, None, kind.clone())], "{now}");
        let store = scan().store(w.inner_store.clone()).rules_of(w.direct.clone()).run().await.unwrap();
        assert_eq!(retirement(&store), [(View::Store, Some("stored global".into()), kind.clone())]);
        let blind = scan().store(w.inner_store.clone()).run().await.unwrap();
        assert_eq!(retirement(&blind), [], "without the provider a store-only scan knows no provider rule");
        let both = scan().provider(w.direct.clone()).store(w.inner_store.clone()).run().await.unwrap();
        assert_eq!(retirement(&both), [(View::Reconciled, Some("stored global".into()), kind.clone())]);
        assert!(both.needing_attention().any(|f| f.kind == kind));
        assert!(kind.to_string().contains("2026-12-01"), "{kind}");
    }
}
