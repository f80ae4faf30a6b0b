//! Offboarding through Token Admin on the emulator.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use futures_util::TryStreamExt as _;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::azure::operations as op;
use patkit::lifecycle::Offboarding;
use patkit::{Error, ManualClock, PatAdmin, PatProvider as _, Scopes, UserId};

const ORG: &str = "fabrikam";

struct Setup {
    emulator: Emulator,
    admin: AzureDevOpsClient,
    leaver: EmulatedUser,
    stayer: EmulatedUser,
}

fn setup(leaver_tokens: usize) -> Setup {
    let start = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    let clock = ManualClock::new(start);
    let emulator = Emulator::with_clock(Arc::new(clock));
    emulator.add_organization(ORG);
    let boss = emulator.add_user("Admin");
    emulator.make_org_admin(ORG, boss.id);
    let leaver = emulator.add_user("Leaver");
    let stayer = emulator.add_user("Stayer");
    for i in 0..leaver_tokens {
        // Issued over the last 250 days, one a day.
        let issued = start - TimeDelta::days(i as i64 + 1);
        emulator.seed_pat(ORG, leaver.id, SeedPat::new(format!("leaver {i}"), "vso.code").valid_from(issued));
    }
    for i in 0..30 {
        emulator.seed_pat(ORG, stayer.id, SeedPat::new(format!("stayer {i}"), "vso.code"));
    }
    let admin = AzureDevOpsClient::builder(ORG, StaticCredential::from(boss.bearer.clone()))
        .transport(emulator.clone())
        .build()
        .unwrap();
    Setup { emulator, admin, leaver, stayer }
}

#[tokio::test]
async fn revokes_all_250_tokens_of_a_leaver_and_nothing_else() {
    let s = setup(250);
    let report = Offboarding::new(s.admin.token_admin()).run(&s.leaver.descriptor).await.unwrap();
    println!("{report}");
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.found.len(), 250);
    assert_eq!(report.revoked.len(), 250);
    assert_eq!(s.emulator.requests_seen(op::ADMIN_REVOKE), 3, "batches of 100");
    // Verified through Token Admin's own listing afterwards.
    let after: Vec<_> = s.admin.token_admin().list_pats(&s.leaver.descriptor).items().try_collect().await.unwrap();
    assert_eq!(after.len(), 250);
    assert!(after.iter().all(|t| t.is_valid == Some(false)));
    let snapshot = s.emulator.snapshot();
    assert!(snapshot.tokens_of(s.leaver.id).all(|t| t.revoked));
    assert_eq!(snapshot.tokens_of(s.stayer.id).filter(|t| !t.revoked).count(), 30, "others untouched");
    // Running again finds nothing left to do.
    let again = Offboarding::new(s.admin.token_admin()).run(&s.leaver.descriptor).await.unwrap();
    assert!(again.revoked.is_empty());
    assert_eq!(again.already_inactive.len(), 250);
}

#[tokio::test]
async fn dry_run_changes_nothing() {
    let s = setup(250);
    let before = s.emulator.snapshot();
    let report = Offboarding::new(s.admin.token_admin())
        .dry_run(true)
        .revocation_rule(Scopes::parse("vso.code").unwrap(), None)
        .run(&s.leaver.descriptor)
        .await
        .unwrap();
    println!("{report}");
    assert!(report.dry_run);
    assert_eq!(report.revoked.len(), 250, "what would be revoked");
    assert!(report.revocation_rule.is_some());
    let after = s.emulator.snapshot();
    assert_eq!(after.tokens, before.tokens);
    assert_eq!(after.revocation_rules, before.revocation_rules);
    assert_eq!(s.emulator.requests_seen(op::ADMIN_REVOKE), 0);
    assert_eq!(s.emulator.requests_seen(op::ADMIN_CREATE_REVOCATION_RULE), 0);
}

#[tokio::test]
async fn only_tokens_issued_before_a_date_and_a_revocation_rule() {
    let s = setup(20);
    let cutoff = s.emulator.now() - TimeDelta::days(10) - TimeDelta::hours(1);
    let report = Offboarding::new(s.admin.token_admin())
        .only_issued_before(cutoff)
        .revocation_rule(Scopes::parse("vso.packaging").unwrap(), Some(cutoff))
        .run(&s.leaver.descriptor)
        .await
        .unwrap();
    println!("{report}");
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked.len(), 10);
    assert_eq!(report.kept.len(), 10);
    let snapshot = s.emulator.snapshot();
    for t in snapshot.tokens_of(s.leaver.id) {
        assert_eq!(t.revoked, t.valid_from < cutoff, "{}", t.display_name);
    }
    assert_eq!(snapshot.revocation_rules.len(), 1);
    assert_eq!(snapshot.revocation_rules[0].scopes, "vso.packaging");
}

#[tokio::test]
async fn a_non_admin_gets_an_error_and_revokes_nothing() {
    let s = setup(5);
    let not_admin = AzureDevOpsClient::builder(ORG, StaticCredential::from(s.stayer.bearer.clone()))
        .transport(s.emulator.clone())
        .build()
        .unwrap();
    assert!(Offboarding::new(not_admin.token_admin()).run(&s.leaver.descriptor).await.is_err());
    assert!(s.emulator.snapshot().tokens_of(s.leaver.id).all(|t| !t.revoked));
}

/// A neutral admin (Token Admin behind the `PatAdmin` seam) that batches 7 ids per request and
/// has no revocation rules: what another provider's admin API looks like to offboarding.
#[derive(Debug)]
struct SmallBatchesNoRules(patkit::azure::TokenAdmin);

#[async_trait::async_trait]
impl PatAdmin for SmallBatchesNoRules {
    fn provider_name(&self) -> &str {
        PatAdmin::provider_name(&self.0)
    }
    fn capabilities(&self) -> patkit::Capabilities {
        patkit::Capabilities { revocation_rules: false, ..PatAdmin::capabilities(&self.0) }
    }
    fn max_revocations_per_request(&self) -> usize {
        7
    }
    async fn list_user_pats(
        &self,
        user: &UserId,
        continuation: Option<patkit::ContinuationToken>,
    ) -> patkit::Result<patkit::Page<patkit::UserPat>> {
        self.0.list_user_pats(user, continuation).await
    }
    async fn revoke_many(&self, ids: &[patkit::PatId]) -> patkit::Result<()> {
        self.0.revoke_many(ids).await
    }
}

#[tokio::test]
async fn offboarding_runs_through_any_pat_admin_in_its_batch_size() {
    let s = setup(20);
    let admin: Arc<dyn PatAdmin> = Arc::new(SmallBatchesNoRules(s.admin.token_admin()));
    let report = Offboarding::new(admin).run(UserId::new(s.leaver.descriptor.clone())).await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.user.as_str(), s.leaver.descriptor);
    assert_eq!(report.revoked.len(), 20);
    assert_eq!(s.emulator.requests_seen(op::ADMIN_REVOKE), 3, "batches of 7: 7 + 7 + 6");
    assert!(s.emulator.snapshot().tokens_of(s.leaver.id).all(|t| t.revoked));
}

#[tokio::test]
async fn a_revocation_rule_the_admin_lacks_is_refused_before_anything_is_sent() {
    let s = setup(5);
    let result = Offboarding::new(SmallBatchesNoRules(s.admin.token_admin()))
        .revocation_rule(Scopes::parse("vso.code").unwrap(), None)
        .run(&s.leaver.descriptor)
        .await;
    let Err(Error::Unsupported { provider, operation }) = result else { panic!("{result:?}") };
    assert_eq!((provider.as_str(), operation), ("azure-devops", "create_revocation_rule"));
    assert_eq!(s.emulator.requests_seen(op::ADMIN_LIST_PATS), 0, "nothing may be sent");
    assert!(s.emulator.snapshot().tokens_of(s.leaver.id).all(|t| !t.revoked));
}

#[tokio::test]
async fn token_admin_states_its_admin_capabilities() {
    let s = setup(0);
    let caps = PatAdmin::capabilities(&s.admin.token_admin());
    assert!(caps.admin_list_user && caps.revoke_many && caps.revocation_rules, "{caps:?}");
    assert!(!caps.create && !caps.rotate_server_side, "{caps:?}");
    assert_eq!(s.admin.token_admin().max_revocations_per_request(), patkit::azure::MAX_REVOCATIONS_PER_REQUEST);
}

/// Offboarding knows no provider: on the fake's admin (no Azure anywhere) it revokes every
/// token of the user in the admin's batch size, reports revoked ones as inactive, and refuses
/// a revocation rule the admin lacks before anything is sent.
#[cfg(feature = "testing")]
#[tokio::test]
async fn offboarding_runs_on_a_provider_that_is_not_azure() {
    use patkit::testing::{FAKE_USER, FakeOp, FakeProfile, FakeProvider};

    let fake = FakeProvider::new(FakeProfile::ServerRotate);
    let tokens: Vec<_> = (0..5).map(|i| fake.seed(&format!("t{i}"), Scopes::default(), None)).collect();
    fake.revoke_pat(&tokens[0].metadata.id).await.unwrap();
    let refused = Offboarding::new(fake.admin(2)).revocation_rule(Scopes::default(), None).run(FAKE_USER).await;
    assert!(matches!(refused, Err(Error::Unsupported { operation: "create_revocation_rule", .. })), "{refused:?}");
    assert_eq!(fake.calls(FakeOp::List), 0, "nothing may be sent");

    let report = Offboarding::new(fake.admin(2)).run(FAKE_USER).await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.found.len(), 5);
    assert_eq!(report.already_inactive, vec![tokens[0].metadata.id.clone()]);
    assert_eq!(report.revoked.len(), 4);
    assert!(fake.tokens().iter().all(|t| t.revoked));
    assert_eq!(fake.calls(FakeOp::Revoke), 1 + 4, "one revoke_pat, then four ids in batches");
    let nobody = Offboarding::new(fake.admin(2)).run("someone-else").await.unwrap();
    assert!(nobody.found.is_empty() && nobody.is_complete());
}
