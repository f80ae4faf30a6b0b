//! Offboarding through Token Admin on the emulator.

use std::sync::Arc;

use chrono::{TimeDelta, TimeZone, Utc};
use futures_util::TryStreamExt as _;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::operations as op;
use patkit::emulator::{EmulatedUser, Emulator, SeedPat};
use patkit::lifecycle::Offboarding;
use patkit::{ManualClock, Scopes};

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
