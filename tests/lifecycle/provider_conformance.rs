//! The provider conformance suite (`patkit::testing::provider_conformance`) against every
//! provider patkit ships: the in-memory fake in each capability profile (directly and through
//! `Arc<dyn PatProvider>` / `Box<dyn PatProvider>`), and the Azure DevOps client over the
//! emulator, in-process and over loopback HTTP. Plus the fake's own faults and inspection.
#![cfg(feature = "emulator")]

use std::sync::Arc;

use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::Emulator;
use patkit::testing::provider_conformance::{self, Seeder, Setup};
use patkit::testing::{FakeOp, FakeProfile, FakeProvider};
use patkit::{CreatedPat, Error, ExpiryGranularity, PatProvider, PatSpec, Scopes};

/// The suite's setup for the Azure client (its scopes are `vso.*`).
fn azure() -> Setup<'static> {
    Setup::new(patkit::Scopes::parse("vso.code").unwrap())
}

/// The suite's setup for the fake (any one-word scope).
fn fake_setup() -> Setup<'static> {
    Setup::new(patkit::Scopes::parse("read_api").unwrap())
}

fn seeder(fake: &FakeProvider) -> impl Seeder + use<> {
    let fake = fake.clone();
    move |name: &str| -> CreatedPat { fake.seed(name, Scopes::default(), None) }
}

#[tokio::test]
async fn the_fake_conforms_in_every_profile() {
    for profile in FakeProfile::ALL {
        let fake = FakeProvider::new(profile);
        let seeder = seeder(&fake);
        provider_conformance::run_all(&fake, &fake_setup().seeder(&seeder)).await;
    }
}

#[tokio::test]
async fn the_fake_conforms_through_arc_and_box_dyn() {
    for profile in FakeProfile::ALL {
        let fake = FakeProvider::new(profile);
        let seeder = seeder(&fake);
        let arc: Arc<dyn PatProvider> = Arc::new(fake.clone());
        provider_conformance::run_all(&arc, &fake_setup().seeder(&seeder)).await;
        let boxed: Box<dyn PatProvider> = Box::new(fake);
        provider_conformance::run_all(&boxed, &fake_setup().seeder(&seeder)).await;
    }
}

#[tokio::test]
async fn the_profiles_differ_as_documented() {
    let create = FakeProfile::CreateUpdate.capabilities();
    assert!(create.create && create.update && create.update_expiry && !create.rotate_server_side);
    let rotate = FakeProfile::ServerRotate.capabilities();
    assert!(!rotate.create && !rotate.update && rotate.rotate_server_side);
    assert_eq!(rotate.expiry, ExpiryGranularity::Date);
    let never = FakeProfile::NoExpiry.capabilities();
    assert!(never.create && !never.get && !never.update);
    assert_eq!(never.expiry, ExpiryGranularity::Never);
}

/// A provider claiming an operation it does not implement fails the suite: the default method
/// answers Unsupported where the capabilities promise it works.
#[derive(Debug)]
struct ClaimsTooMuch(FakeProvider);

#[async_trait::async_trait]
impl PatProvider for ClaimsTooMuch {
    fn provider_name(&self) -> &str {
        self.0.provider_name()
    }
    fn organization(&self) -> &str {
        self.0.organization()
    }
    fn capabilities(&self) -> patkit::Capabilities {
        patkit::Capabilities { rotate_server_side: true, ..self.0.capabilities() }
    }
    async fn create_pat(&self, spec: PatSpec) -> patkit::Result<CreatedPat> {
        self.0.create_pat(spec).await
    }
    async fn check_pat(&self, secret: &patkit::PatSecret) -> patkit::Result<bool> {
        self.0.check_pat(secret).await
    }
}

#[tokio::test]
#[should_panic(expected = "rotate_pat failed")]
async fn the_suite_catches_a_capability_that_is_not_implemented() {
    let provider = ClaimsTooMuch(FakeProvider::new(FakeProfile::CreateUpdate));
    provider_conformance::rotate_replaces_and_revokes(&provider, &fake_setup()).await;
}

/// A provider that lacks an operation but answers it anyway is caught too.
#[tokio::test]
#[should_panic(expected = "the capabilities say it is not offered")]
async fn the_suite_catches_an_operation_that_is_not_declared() {
    #[derive(Debug)]
    struct Hides(FakeProvider);
    #[async_trait::async_trait]
    impl PatProvider for Hides {
        fn provider_name(&self) -> &str {
            self.0.provider_name()
        }
        fn organization(&self) -> &str {
            self.0.organization()
        }
        fn capabilities(&self) -> patkit::Capabilities {
            patkit::Capabilities { check: false, ..self.0.capabilities() }
        }
        async fn check_pat(&self, secret: &patkit::PatSecret) -> patkit::Result<bool> {
            self.0.check_pat(secret).await
        }
    }
    provider_conformance::unsupported_operations_say_so(
        &Hides(FakeProvider::new(FakeProfile::CreateUpdate)),
        &fake_setup(),
    )
    .await;
}

/// One bug each, planted in an otherwise correct provider; the suite must catch every one.
#[derive(Debug, Clone, Copy)]
enum Bug {
    /// "Rotates" by creating a second token and leaving the old one working.
    RotateKeepsOld,
    /// Rounds a date expiry down to the day's midnight (the token dies a day early).
    DateRoundsDown,
    /// Hands back the same continuation on every page.
    RepeatsContinuation,
    /// Claims a display-name limit of 10 but takes longer names.
    NameLimitNotEnforced,
}

#[derive(Debug)]
struct Buggy {
    inner: FakeProvider,
    bug: Bug,
}

#[async_trait::async_trait]
impl PatProvider for Buggy {
    fn provider_name(&self) -> &str {
        self.inner.provider_name()
    }
    fn organization(&self) -> &str {
        self.inner.organization()
    }
    fn capabilities(&self) -> patkit::Capabilities {
        let caps = self.inner.capabilities();
        match self.bug {
            Bug::RotateKeepsOld => patkit::Capabilities { rotate_server_side: true, ..caps },
            Bug::NameLimitNotEnforced => patkit::Capabilities { name_max_len: Some(10), ..caps },
            _ => caps,
        }
    }
    async fn create_pat(&self, spec: PatSpec) -> patkit::Result<CreatedPat> {
        self.inner.create_pat(spec).await
    }
    async fn get_pat(&self, id: &patkit::PatId) -> patkit::Result<patkit::PatMetadata> {
        self.inner.get_pat(id).await
    }
    async fn list_pats(
        &self,
        query: &patkit::ListQuery,
        continuation: Option<patkit::ContinuationToken>,
    ) -> patkit::Result<patkit::Page<patkit::PatMetadata>> {
        let mut page = self.inner.list_pats(query, continuation).await?;
        if let Bug::RepeatsContinuation = self.bug {
            page.continuation = Some(patkit::ContinuationToken::new("again"));
        }
        Ok(page)
    }
    async fn update_pat(&self, id: &patkit::PatId, changes: patkit::PatChanges) -> patkit::Result<patkit::PatMetadata> {
        self.inner.update_pat(id, changes).await
    }
    async fn revoke_pat(&self, id: &patkit::PatId) -> patkit::Result<()> {
        self.inner.revoke_pat(id).await
    }
    async fn rotate_pat(
        &self,
        id: &patkit::PatId,
        valid_to: Option<chrono::DateTime<chrono::Utc>>,
    ) -> patkit::Result<patkit::RotatedPat> {
        match self.bug {
            Bug::RotateKeepsOld => {
                let old = self.inner.get_pat(id).await?;
                let created = self.inner.create_pat(spec(&old.display_name)).await?;
                Ok(patkit::RotatedPat { previous: id.clone(), created })
            }
            Bug::DateRoundsDown => {
                let down = valid_to.map(|t| t.date_naive().and_time(chrono::NaiveTime::MIN).and_utc());
                self.inner.rotate_pat(id, down).await
            }
            _ => self.inner.rotate_pat(id, valid_to).await,
        }
    }
    async fn check_pat(&self, secret: &patkit::PatSecret) -> patkit::Result<bool> {
        self.inner.check_pat(secret).await
    }
}

#[tokio::test]
#[should_panic(expected = "the rotated token still works")]
async fn the_suite_catches_a_rotation_that_leaves_the_old_token_working() {
    let buggy = Buggy { inner: FakeProvider::new(FakeProfile::CreateUpdate), bug: Bug::RotateKeepsOld };
    provider_conformance::rotate_replaces_and_revokes(&buggy, &fake_setup()).await;
}

#[tokio::test]
#[should_panic(expected = "must round up to the next 00:00 UTC")]
async fn the_suite_catches_a_date_expiry_rounded_down() {
    let fake = FakeProvider::new(FakeProfile::ServerRotate);
    let seeder = seeder(&fake);
    let buggy = Buggy { inner: fake, bug: Bug::DateRoundsDown };
    provider_conformance::expiry_follows_the_granularity(&buggy, &fake_setup().seeder(&seeder)).await;
}

#[tokio::test]
#[should_panic(expected = "list_all failed")]
async fn the_suite_catches_a_listing_that_never_ends() {
    let buggy = Buggy { inner: FakeProvider::new(FakeProfile::CreateUpdate), bug: Bug::RepeatsContinuation };
    provider_conformance::list_own_shows_an_active_token(&buggy, &fake_setup()).await;
}

#[tokio::test]
#[should_panic(expected = "was accepted (limit 10)")]
async fn the_suite_catches_a_display_name_limit_not_enforced() {
    let buggy = Buggy { inner: FakeProvider::new(FakeProfile::CreateUpdate), bug: Bug::NameLimitNotEnforced };
    provider_conformance::display_name_limit_is_enforced(&buggy, &fake_setup()).await;
}

fn spec(name: &str) -> PatSpec {
    PatSpec::new(name, Scopes::default())
}

#[tokio::test]
async fn fail_next_fails_that_many_calls_and_changes_nothing() {
    let fake = FakeProvider::new(FakeProfile::CreateUpdate);
    fake.fail_next(FakeOp::Create, 2);
    for _ in 0..2 {
        assert!(matches!(fake.create_pat(spec("a")).await, Err(Error::Api { status: 503, .. })));
    }
    assert!(fake.tokens().is_empty(), "a failed create minted a token");
    fake.create_pat(spec("a")).await.unwrap();
    assert_eq!(fake.calls(FakeOp::Create), 3);
    assert_eq!(fake.tokens().len(), 1);
}

#[tokio::test]
async fn a_lost_create_answer_leaves_the_token_and_says_so() {
    let fake = FakeProvider::new(FakeProfile::CreateUpdate);
    fake.lose_next_answer(FakeOp::Create);
    let Err(Error::CreateOutcomeUnknown { display_name, found, .. }) = fake.create_pat(spec("ci")).await else {
        panic!("a lost answer must be CreateOutcomeUnknown")
    };
    assert_eq!(display_name, "ci");
    let tokens = fake.tokens();
    assert_eq!(tokens.len(), 1, "the create happened");
    assert_eq!(found.iter().map(|m| &m.id).collect::<Vec<_>>(), vec![&tokens[0].metadata.id]);
    assert!(!tokens[0].revoked);
}

#[tokio::test]
async fn a_lost_rotate_answer_has_already_revoked_the_old_token() {
    let fake = FakeProvider::new(FakeProfile::ServerRotate);
    let old = fake.seed("ci", Scopes::default(), None);
    fake.lose_next_answer(FakeOp::Rotate);
    assert!(matches!(fake.rotate_pat(&old.metadata.id, None).await, Err(Error::Transport(_))));
    let before = fake.token(&old.metadata.id).unwrap();
    assert!(before.revoked, "the server revoked the old token before the answer was lost");
    let new = before.replaced_by.clone().expect("a replacement was minted");
    assert!(!fake.token(&new).unwrap().revoked);
    assert!(!fake.check_pat(&old.secret).await.unwrap());
    // Re-sending the rotate (what must never happen) revokes the replacement too, as GitLab.
    assert!(matches!(fake.rotate_pat(&old.metadata.id, None).await, Err(Error::Api { status: 400, .. })));
    assert!(fake.token(&new).unwrap().revoked, "a re-sent rotate must revoke the replacement");
}

#[tokio::test]
async fn unsupported_calls_are_counted_and_send_nothing() {
    let fake = FakeProvider::new(FakeProfile::ServerRotate);
    let result = fake.create_pat(spec("x")).await;
    assert!(matches!(result, Err(Error::Unsupported { operation: "create_pat", .. })));
    assert_eq!(fake.calls(FakeOp::Create), 1);
    assert!(fake.tokens().is_empty());
}

fn azure_emulator() -> (Emulator, patkit::BearerToken) {
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    (emulator, alice.bearer)
}

#[tokio::test]
async fn the_azure_client_conforms_in_process() {
    let (emulator, bearer) = azure_emulator();
    let client =
        AzureDevOpsClient::builder("fabrikam", StaticCredential::from(bearer)).transport(emulator).build().unwrap();
    provider_conformance::run_all(&client, &azure()).await;
    let shared: Arc<dyn PatProvider> = Arc::new(client);
    provider_conformance::run_all(&shared, &azure()).await;
}

#[cfg(feature = "reqwest")]
#[tokio::test]
async fn the_azure_client_conforms_over_loopback() {
    let (emulator, bearer) = azure_emulator();
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = AzureDevOpsClient::builder("fabrikam", StaticCredential::from(bearer))
        .base_url(server.base_url())
        .transport(patkit::transport::ReqwestTransport::new().unwrap())
        .build()
        .unwrap();
    provider_conformance::run_all(&client, &azure()).await;
}

/// The rotation flow runs unchanged on a provider that is not Azure, through the seam alone:
/// the replacement is created, verified and stored, and only then is the old token revoked.
#[tokio::test]
async fn rotation_through_the_seam_replaces_a_fake_token() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use patkit::lifecycle::{Outcome, Rotator};
    use patkit::store::InMemoryTokenStore;
    use patkit::testing::{FAKE_ORGANIZATION, FAKE_PROVIDER_NAME};
    use patkit::{Clock as _, ManualClock, PatRecord, StoredPat, TokenStore as _};

    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap());
    let fake = FakeProvider::new(FakeProfile::CreateUpdate).clock(clock.clone());
    let old = fake.seed("ci feed", Scopes::default(), Some(clock.now() + TimeDelta::days(2)));
    let store = Arc::new(InMemoryTokenStore::new());
    let record = PatRecord::new("ci", FAKE_PROVIDER_NAME, FAKE_ORGANIZATION, old.metadata.clone(), clock.now());
    store.put(StoredPat { record, secret: old.secret.clone() }).await.unwrap();

    let report = Rotator::new(fake.clone(), store.clone())
        .clock(clock.clone())
        .window(std::time::Duration::from_secs(7 * 86_400))
        .rotate("ci")
        .await;
    let Outcome::Rotated(rotation) = &report.outcome else { panic!("{report}") };
    assert_eq!(rotation.old.id, old.metadata.id);
    assert!(fake.token(&old.metadata.id).unwrap().revoked, "{report}");
    let stored = store.get("ci").await.unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, rotation.new.id);
    assert!(fake.check_pat(&stored.secret).await.unwrap(), "the stored replacement works");
    assert!(!fake.check_pat(&old.secret).await.unwrap());
    assert_eq!(fake.calls(FakeOp::Create), 1, "one create, never re-sent");
}

#[tokio::test]
async fn a_failed_rotate_changes_nothing_and_pages_cover_every_token() {
    use futures_util::TryStreamExt as _;
    use patkit::{ListQuery, PatProviderExt as _, StatusFilter};

    let fake = FakeProvider::new(FakeProfile::ServerRotate);
    let old = fake.seed("ci", Scopes::default(), None);
    fake.fail_next(FakeOp::Rotate, 1);
    assert!(matches!(fake.rotate_pat(&old.metadata.id, None).await, Err(Error::Api { status: 503, .. })));
    assert!(!fake.token(&old.metadata.id).unwrap().revoked && fake.tokens().len() == 1, "a failed rotate acted");
    assert!(fake.check_pat(&old.secret).await.unwrap());

    for i in 0..44 {
        fake.seed(&format!("t{i:02}"), Scopes::default(), None);
    }
    let revoked = fake.tokens()[7].metadata.id.clone();
    fake.revoke_pat(&revoked).await.unwrap();
    let active: Vec<_> = fake.list_all(ListQuery::default()).try_collect().await.unwrap();
    assert_eq!(active.len(), 44, "45 tokens, one revoked, over three pages of 20");
    assert_eq!(fake.calls(FakeOp::List), 3);
    assert!(active.windows(2).all(|w| w[0].display_name <= w[1].display_name), "sorted by name");
    let query = ListQuery { filter: StatusFilter::Revoked, ..ListQuery::default() };
    let gone: Vec<_> = fake.list_all(query).try_collect().await.unwrap();
    assert_eq!(gone.iter().map(|m| &m.id).collect::<Vec<_>>(), vec![&revoked]);
}
