//! The client against the emulator over real loopback HTTP with the reqwest transport: every
//! operation, both filters and sorts, 1,000+ tokens of pagination, each policy, each auth
//! failure mode and each fault mode, asserting typed results.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures_util::TryStreamExt as _;
use patkit::auth::{PatCredential, StaticCredential};
use patkit::azure::AzureDevOpsClient;
use patkit::emulator::{
    EmulatedUser, Emulator, EmulatorServer, Fault, FaultRule, OrgPolicies, SeedPat, TenantPolicies,
};
use patkit::transport::{HttpTransport, Operation, ReqwestTransport, RetryConfig, from_fn};
use patkit::{
    AuthFailure, Error, ManualClock, PatId, PatMetadata, Policy, Scope, Scopes, SortBy, StatusFilter, Targets,
};

const DAY: Duration = Duration::from_secs(86_400);

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

struct Setup {
    emulator: Emulator,
    clock: ManualClock,
    server: EmulatorServer,
    alice: EmulatedUser,
}

impl Setup {
    async fn new() -> Self {
        let clock = ManualClock::new(start());
        let emulator = Emulator::with_clock(Arc::new(clock.clone()));
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
        Self { emulator, clock, server, alice }
    }

    /// A client with the default transport (reqwest) and default retries.
    fn client(&self, credential: impl patkit::auth::Credential + 'static) -> AzureDevOpsClient {
        AzureDevOpsClient::builder("fabrikam", credential)
            .base_url(self.server.base_url())
            .clock(self.clock.clone())
            .build()
            .unwrap()
    }

    fn client_without_retry(&self, credential: impl patkit::auth::Credential + 'static) -> AzureDevOpsClient {
        AzureDevOpsClient::builder("fabrikam", credential)
            .base_url(self.server.base_url())
            .clock(self.clock.clone())
            .retry(RetryConfig::none())
            .build()
            .unwrap()
    }

    fn alice(&self) -> AzureDevOpsClient {
        self.client(self.alice.credential())
    }

    fn seed(&self, name: &str, valid_to: DateTime<Utc>) -> PatId {
        self.emulator
            .seed_pat(
                "fabrikam",
                self.alice.id,
                SeedPat::new(name, "vso.code").valid_from(start() - TimeDelta::days(10)).valid_to(valid_to),
            )
            .id
    }
}

fn code() -> Scopes {
    Scopes::from_iter([Scope::CODE])
}

fn names(items: &[PatMetadata]) -> Vec<&str> {
    items.iter().map(|m| m.display_name.as_str()).collect()
}

#[tokio::test]
async fn every_operation_over_loopback() {
    let s = Setup::new().await;
    let client = s.alice();

    let created = client.create("e2e", code()).expires_in(DAY * 30).send().await.unwrap();
    assert_eq!(created.secret.expose_secret().len(), 84);
    assert_eq!(created.metadata.valid_to, start() + TimeDelta::days(30));
    assert!(matches!(created.metadata.targets, Targets::Organizations(ref o) if o.len() == 1));
    let id = created.metadata.id.clone();

    assert_eq!(client.get(&id).await.unwrap().display_name, "e2e");
    assert_eq!(names(&client.list().items().try_collect::<Vec<_>>().await.unwrap()), ["e2e"]);

    let renamed = client
        .update(&id)
        .display_name("e2e-renamed")
        .scopes(Scopes::from_iter([Scope::CODE, Scope::WORK]))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "e2e-renamed");
    assert_eq!(renamed.scopes.len(), 2);
    let extended = client.extend(&id, DAY * 10).await.unwrap();
    assert_eq!(extended.valid_to, start() + TimeDelta::days(40));
    let moved = client.expire_at(&id, start() + TimeDelta::days(2)).await.unwrap();
    assert_eq!(moved.valid_to, start() + TimeDelta::days(2));

    assert!(client.check_pat(&created.secret).await.unwrap());
    client.revoke(&id).await.unwrap();
    client.revoke(&id).await.unwrap(); // idempotent
    assert!(!client.check_pat(&created.secret).await.unwrap());
    assert!(s.emulator.token(&id).unwrap().revoked);

    // Token Admin, as an organization administrator.
    s.emulator.make_org_admin("fabrikam", s.alice.id);
    let bob = s.emulator.add_user("Bob");
    let bobs: Vec<PatId> = (0..3)
        .map(|i| s.emulator.seed_pat("fabrikam", bob.id, SeedPat::new(format!("bob{i}"), "vso.packaging")).id)
        .collect();
    let admin = client.token_admin();
    let listed: Vec<_> = admin.list_pats(bob.descriptor.clone()).page_size(2).items().try_collect().await.unwrap();
    assert_eq!(listed.len(), 3);
    admin.revoke(&bobs[..1]).await.unwrap();
    assert!(s.emulator.token(&bobs[0]).unwrap().revoked);
    // The rule covers tokens issued strictly before its cut-off (default: now).
    s.clock.advance(TimeDelta::minutes(1));
    admin.create_revocation_rule(&Scopes::from_iter([Scope::PACKAGING]), None).await.unwrap();
    assert!(bobs.iter().all(|id| s.emulator.token(id).unwrap().revoked));
}

#[tokio::test]
async fn both_filters_and_all_sorts() {
    let s = Setup::new().await;
    s.seed("b-active", start() + TimeDelta::days(5));
    s.seed("a-active", start() + TimeDelta::days(50));
    s.seed("c-expired", start() - TimeDelta::days(1));
    let revoked = s.seed("d-revoked", start() + TimeDelta::days(9));
    let client = s.alice();
    client.revoke(&revoked).await.unwrap();

    let by = |filter: StatusFilter, sort: SortBy, ascending: bool| {
        let client = client.clone();
        async move {
            client.list().filter(filter).sort(sort).ascending(ascending).items().try_collect::<Vec<_>>().await.unwrap()
        }
    };
    assert_eq!(names(&by(StatusFilter::Active, SortBy::DisplayName, true).await), ["a-active", "b-active"]);
    assert_eq!(names(&by(StatusFilter::Active, SortBy::DisplayName, false).await), ["b-active", "a-active"]);
    assert_eq!(names(&by(StatusFilter::Expired, SortBy::DisplayName, true).await), ["c-expired"]);
    assert_eq!(names(&by(StatusFilter::Revoked, SortBy::DisplayName, true).await), ["d-revoked"]);
    assert_eq!(by(StatusFilter::All, SortBy::DisplayName, true).await.len(), 4);
    // displayDate sorts by expiry in the emulator.
    assert_eq!(names(&by(StatusFilter::Active, SortBy::DisplayDate, true).await), ["b-active", "a-active"]);
    // status: active, then expired, then revoked.
    let by_status = by(StatusFilter::All, SortBy::Status, true).await;
    assert_eq!(names(&by_status)[2..], ["c-expired", "d-revoked"]);

    // Time moves: b-active expires.
    s.clock.advance(TimeDelta::days(6));
    assert_eq!(names(&by(StatusFilter::Expired, SortBy::DisplayName, true).await), ["b-active", "c-expired"]);
}

#[tokio::test]
async fn pagination_of_1050_tokens() {
    let s = Setup::new().await;
    for i in 0..1050 {
        s.seed(&format!("t{i:04}"), start() + TimeDelta::days(30));
    }
    let client = s.alice();
    let pages: Vec<_> = client.list().page_size(100).pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 11);
    let all: Vec<PatMetadata> = pages.into_iter().flatten().collect();
    let mut unique: Vec<&str> = names(&all);
    unique.dedup();
    assert_eq!(unique.len(), 1050);
    assert!(unique.windows(2).all(|w| w[0] < w[1]), "sorted by display name across pages");
    // The default page size is the service's 20.
    let first = client.list().page(None).await.unwrap();
    assert_eq!(first.items.len(), 20);
}

#[tokio::test]
async fn each_policy_is_a_typed_error() {
    let s = Setup::new().await;
    let client = s.alice();
    let full = Scopes::from_iter([Scope::FULL_ACCESS]);

    s.emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
    assert!(matches!(
        client.create("full", full.clone()).send().await,
        Err(Error::PolicyViolation { policy: Policy::FullScope, .. })
    ));

    s.emulator.set_tenant_policies(TenantPolicies { restrict_global_pats: true, ..Default::default() });
    assert!(matches!(
        client.create("g", code()).all_organizations(true).send().await,
        Err(Error::PolicyViolation { policy: Policy::GlobalPat, .. })
    ));

    s.emulator.set_tenant_policies(TenantPolicies { global_pat_creation_blocked: true, ..Default::default() });
    assert!(matches!(
        client.create("g", code()).all_organizations(true).send().await,
        Err(Error::PolicyViolation { policy: Policy::GlobalPatRetired, .. })
    ));

    s.emulator.set_tenant_policies(TenantPolicies {
        max_lifespan: Some(TimeDelta::days(30)),
        reject_over_lifespan: true,
        ..Default::default()
    });
    assert!(matches!(
        client.create("long", code()).expires_in(DAY * 60).send().await,
        Err(Error::PolicyViolation { policy: Policy::MaxLifespan, .. })
    ));

    s.emulator.set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(30)), ..Default::default() });
    let clamped = client.create("clamped", code()).expires_in(DAY * 60).send().await.unwrap();
    assert_eq!(clamped.metadata.valid_to, start() + TimeDelta::days(30), "the 7.2 behaviour: clamped, not refused");

    s.emulator.set_tenant_policies(TenantPolicies::default());
    s.emulator.set_org_policies("fabrikam", OrgPolicies { restrict_pat_creation: true, allowed_users: vec![] });
    assert!(matches!(
        client.create("x", code()).send().await,
        Err(Error::PolicyViolation { policy: Policy::PatCreationDisabled, .. })
    ));
    s.emulator.set_org_policies("fabrikam", OrgPolicies::default());

    // Extending an expired token.
    let old = s.seed("old", start() - TimeDelta::days(1));
    match client.extend(&old, DAY).await {
        Err(Error::Rejected { code, .. }) => assert_eq!(code.as_str(), "expiredPatCannotBeExtended"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn each_auth_failure_mode() {
    let s = Setup::new().await;

    let unknown = s.client(StaticCredential::new("not-issued-by-anyone".into()));
    assert!(matches!(
        unknown.list().page(None).await,
        Err(Error::AuthRequired { reason: AuthFailure::Unauthorized, .. })
    ));

    let expired = s.emulator.issue_user_token(s.alice.id, Some(start() - TimeDelta::hours(1)));
    let expired = s.client(StaticCredential::from(expired));
    assert!(matches!(expired.list().page(None).await, Err(Error::AuthRequired { .. })));

    // Without `X-TFS-FedAuthRedirect: Suppress` the service serves a 203 sign-in page.
    let reqwest = ReqwestTransport::new().unwrap();
    let strip = from_fn(move |mut request: http::Request<Vec<u8>>| {
        let reqwest = reqwest.clone();
        async move {
            request.headers_mut().remove("x-tfs-fedauthredirect");
            reqwest.send(request).await
        }
    });
    let no_suppress = AzureDevOpsClient::builder("fabrikam", StaticCredential::new("nobody".into()))
        .base_url(s.server.base_url())
        .transport(strip)
        .build()
        .unwrap();
    assert!(matches!(
        no_suppress.list().page(None).await,
        Err(Error::AuthRequired { reason: AuthFailure::SignInPage, .. })
    ));

    let app = s.client(StaticCredential::from(s.emulator.issue_app_token(None)));
    match app.list().page(None).await {
        Err(Error::Forbidden { type_key, message }) => {
            assert_eq!(type_key.as_deref(), Some("InvalidAccessException"));
            assert!(message.contains("Service principals"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // A PAT may not manage PATs: refused before sending.
    let created = s.alice().create("p", code()).send().await.unwrap();
    let with_pat = s.client(PatCredential::new(created.secret.clone()));
    assert!(matches!(
        with_pat.list().page(None).await,
        Err(Error::Credential { kind: patkit::CredentialErrorKind::NotAccepted, .. })
    ));
    // ...and a non-admin (PAT or Entra) gets 401 from Token Admin.
    assert!(matches!(
        with_pat.token_admin().list_pats(s.alice.descriptor.clone()).page(None).await,
        Err(Error::AuthRequired { .. })
    ));
    assert!(matches!(
        s.alice().token_admin().list_pats(s.alice.descriptor.clone()).page(None).await,
        Err(Error::AuthRequired { .. })
    ));
}

#[tokio::test]
async fn each_fault_mode() {
    let s = Setup::new().await;
    let client = s.alice();
    let bare = s.client_without_retry(s.alice.credential());

    // Latency: slower, same answer.
    s.emulator.inject(FaultRule::new(Operation::List, Fault::Latency(Duration::from_millis(50))));
    let started = std::time::Instant::now();
    client.list().page(None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));

    // 429 with Retry-After: typed without retries, ridden out with them.
    s.emulator.inject(FaultRule::new(Operation::List, Fault::RateLimited { retry_after: Duration::from_secs(1) }));
    assert_eq!(bare.list().page(None).await.unwrap_err().retry_after(), Some(Duration::from_secs(1)));
    s.emulator.inject(FaultRule::new(Operation::List, Fault::RateLimited { retry_after: Duration::from_secs(1) }));
    client.list().page(None).await.unwrap();

    // 5xx: typed without retries, ridden out with them.
    s.emulator.inject(FaultRule::new(Operation::Get, Fault::ServerError { status: 503 }));
    let id = s.seed("x", start() + TimeDelta::days(3));
    assert!(matches!(bare.get(&id).await, Err(Error::Api { status: 503, .. })));
    s.emulator.inject(FaultRule::new(Operation::Get, Fault::ServerError { status: 503 }).times(2));
    client.get(&id).await.unwrap();

    // Slow-down on a success: answered, and paced.
    s.emulator.inject(FaultRule::new(Operation::Get, Fault::SlowDown { retry_after: Duration::from_secs(1) }));
    client.get(&id).await.unwrap();

    // Commit the create, then drop the connection: never re-sent, found by name.
    s.emulator.inject(FaultRule::new(Operation::Create, Fault::CommitThenDrop));
    match client.create("dropped", code()).send().await {
        Err(Error::CreateOutcomeUnknown { found, .. }) => {
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].display_name, "dropped");
        }
        other => panic!("{other:?}"),
    }
    let dropped: Vec<_> = s.emulator.snapshot().tokens.into_iter().filter(|t| t.display_name == "dropped").collect();
    assert_eq!(dropped.len(), 1, "exactly one token minted");
    assert_eq!(s.emulator.requests_seen(Operation::Create), 1);

    // 5xx on create: not retried either.
    s.emulator.inject(FaultRule::new(Operation::Create, Fault::ServerError { status: 500 }));
    assert!(
        matches!(client.create("five-hundred", code()).send().await, Err(Error::CreateOutcomeUnknown { ref found, .. }) if found.is_empty())
    );
    assert_eq!(s.emulator.requests_seen(Operation::Create), 2);
}
