//! The rest of the GitLab client over loopback against the emulator: project and group access
//! tokens, `Sudo`, an OAuth credential (refused before sending on the `…/self` endpoints), and every error class end to end (the 401 probe, dead
//! credentials, missing scope, the rate limiter, a field-map 400 on `expires_at`).
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use chrono::TimeDelta;
use patkit::gitlab::emulator::{Emulator, EmulatorServer, RateLimit, ResourceKind, SeedToken, operations as ops};
use patkit::gitlab::{
    AccessLevel, EXTRA_ACCESS_LEVEL, ExpiryDate, GitLabClient, GitLabCredential, NewPat, NewResourceToken, Resource,
};
use patkit::transport::{ReqwestTransport, RetryConfig};
use patkit::{CredentialErrorKind, Error, PatId, Scopes};

struct Served {
    emulator: Emulator,
    server: EmulatorServer,
}

impl Served {
    async fn new(emulator: Emulator) -> Self {
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        Self { emulator, server }
    }

    fn builder(&self, credential: GitLabCredential) -> patkit::gitlab::GitLabClientBuilder {
        GitLabClient::builder(credential)
            .base_url(format!("{}/api/v4", self.server.base_url()))
            .transport(ReqwestTransport::new().unwrap())
    }

    fn client(&self, secret: &patkit::PatSecret) -> GitLabClient {
        self.builder(GitLabCredential::private_token(secret.expose_secret().to_owned())).build().unwrap()
    }

    fn in_days(&self, days: i64) -> ExpiryDate {
        ExpiryDate::new(self.emulator.now().date_naive() + TimeDelta::days(days))
    }
}

fn id(n: u64) -> PatId {
    PatId::new(n.to_string())
}

fn num(id: &PatId) -> u64 {
    id.as_str().parse().unwrap()
}

async fn resource_lifecycle(resource: Resource, kind: ResourceKind, level: AccessLevel) {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let key = match kind {
        ResourceKind::Project => emulator.add_project("team/app"),
        _ => emulator.add_group("team"),
    };
    emulator.add_member(kind, key, alice, 40);
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let existing = emulator.seed_resource_token(kind, key, SeedToken::new("existing", &["read_api"]));
    let s = Served::new(emulator).await;
    let tokens = s.client(&main.secret).resource_tokens(resource);

    let expires = s.in_days(30);
    let new = NewResourceToken::new("deploy", Scopes::parse("read_repository read_api").unwrap())
        .access_level(level)
        .expires_at(expires);
    let created = tokens.create(&new).await.unwrap();
    let created_id = num(&created.metadata.id);
    let stored = s.emulator.token(created_id).unwrap();
    assert_eq!(stored.resource, Some((kind, key)));
    assert_eq!(stored.access_level, Some(level.as_u32() as u8));
    assert_eq!(stored.scopes, ["read_api", "read_repository"]);
    assert_eq!((stored.expires_at, created.metadata.valid_to), (Some(expires.date()), Some(expires.ends_at())));
    assert_ne!(stored.user_id, alice, "the token belongs to a bot user");

    let got = tokens.get(&id(created_id)).await.unwrap();
    assert_eq!(got.metadata.display_name, "deploy");
    assert_eq!(got.metadata.extras.get(EXTRA_ACCESS_LEVEL), Some(level.as_u32().to_string().as_str()));
    let listed: Vec<u64> = tokens.list(None, None).await.unwrap().items.iter().map(|t| num(&t.metadata.id)).collect();
    assert_eq!(listed, [existing.id, created_id]);
    let first = tokens.list(Some(1), None).await.unwrap();
    let second = tokens.list(Some(1), first.continuation.clone()).await.unwrap();
    assert_eq!((num(&first.items[0].metadata.id), num(&second.items[0].metadata.id)), (existing.id, created_id));

    let later = s.in_days(60);
    let rotated = tokens.rotate(&id(created_id), later).await.unwrap();
    let successor = num(&rotated.created.metadata.id);
    assert_ne!(successor, created_id);
    assert_eq!(rotated.created.metadata.valid_to, Some(later.ends_at()));
    assert!(s.emulator.token(created_id).unwrap().revoked, "rotate revokes the old token");
    assert_eq!(s.emulator.token(successor).unwrap().previous_id, Some(created_id));

    tokens.revoke(&id(successor)).await.unwrap();
    let revoked = tokens.get(&id(successor)).await.unwrap();
    assert!(revoked.revoked && !revoked.active, "soft revoke: still there, revoked");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn project_access_tokens_are_listed_created_got_rotated_and_revoked() {
    resource_lifecycle(Resource::Project("team/app".into()), ResourceKind::Project, AccessLevel::Developer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_access_tokens_are_listed_created_got_rotated_and_revoked() {
    resource_lifecycle(Resource::Group("team".into()), ResourceKind::Group, AccessLevel::Reporter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sudo_lets_an_admin_act_as_a_user_and_nobody_else() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root").id;
    let alice = emulator.add_user("alice").id;
    let admin = emulator.seed_token(root, SeedToken::new("admin", &["api", "sudo"]));
    let plain = emulator.seed_token(alice, SeedToken::new("main", &["api", "sudo"]));
    let s = Served::new(emulator).await;
    let sudo = |secret: &patkit::PatSecret| {
        s.builder(GitLabCredential::private_token(secret.expose_secret().to_owned())).sudo("alice").build().unwrap()
    };
    let as_alice = sudo(&admin.secret);
    let me = as_alice.current_user().await.unwrap();
    assert_eq!((me.id, me.username.as_str()), (alice, "alice"));
    let listed: Vec<u64> = as_alice.list().send().await.unwrap().items.iter().map(|t| num(&t.metadata.id)).collect();
    assert_eq!(listed, [plain.id], "Alice's tokens only, as Alice sees them");
    let err = sudo(&plain.secret).current_user().await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "a non-admin may not sudo: {err:?}");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_credential_works_except_on_the_self_endpoints() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let bearer = emulator.issue_oauth_token(alice, &["api"]);
    let s = Served::new(emulator).await;
    let c = s.builder(GitLabCredential::oauth(bearer.expose_secret().to_owned())).build().unwrap();
    assert_eq!(c.current_user().await.unwrap().id, alice);
    let listed: Vec<u64> = c.list().send().await.unwrap().items.iter().map(|t| num(&t.metadata.id)).collect();
    assert_eq!(listed, [main.id]);
    assert_eq!(num(&c.get(&id(main.id)).await.unwrap().metadata.id), main.id);
    // The `…/self` endpoints need a PRIVATE-TOKEN: refused before sending, with a typed error.
    for err in [
        c.get_self().await.unwrap_err(),
        c.rotate_self(s.in_days(7)).await.unwrap_err(),
        c.revoke_self().await.unwrap_err(),
    ] {
        assert!(matches!(&err, Error::Credential { kind: CredentialErrorKind::NotAccepted, .. }), "{err:?}");
        assert!(!err.to_string().contains(bearer.expose_secret()), "no secret in the message");
    }
    for op in [ops::GET_SELF, ops::ROTATE_SELF, ops::REVOKE_SELF] {
        assert_eq!(s.emulator.requests_seen(op), 0, "nothing sent for {op:?}");
    }
    assert!(!s.emulator.token(main.id).unwrap().revoked, "nothing was rotated");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_id_is_not_found_and_dead_credentials_need_authentication() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let bob = emulator.add_user("bob").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let bobs = emulator.seed_token(bob, SeedToken::new("bobs", &["api"]));
    let revoked = emulator.seed_token(alice, SeedToken::new("revoked", &["api"]).revoked());
    let yesterday = emulator.now().date_naive() - TimeDelta::days(1);
    let expired = emulator.seed_token(alice, SeedToken::new("expired", &["api"]).expires_at(Some(yesterday)));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    // GitLab answers 401 for a foreign or unknown id; the client's probe shows its credential
    // works, so it is the token that is not found.
    for missing in [bobs.id, 999_999] {
        assert!(matches!(c.get(&id(missing)).await, Err(Error::NotFound { id: Some(i) }) if i == id(missing)));
        let err = c.rotate(&id(missing), s.in_days(7)).await.unwrap_err();
        assert!(matches!(&err, Error::NotFound { .. }), "{err:?}");
    }
    assert!(!s.emulator.token(bobs.id).unwrap().revoked, "Bob's token untouched");
    let unknown = patkit::PatSecret::new("glpat-unknownunknownunknown".to_owned());
    for dead in [&unknown, &revoked.secret, &expired.secret] {
        let err = s.client(dead).get(&id(main.id)).await.unwrap_err();
        assert!(matches!(&err, Error::AuthRequired { .. }), "{err:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(dead.expose_secret()) && !shown.contains("glpat-"), "no secret shown: {shown}");
        assert!(matches!(s.client(dead).current_user().await, Err(Error::AuthRequired { .. })));
    }
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_rate_limit_and_expiry_errors_arrive_typed() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let reader = emulator.seed_token(alice, SeedToken::new("reader", &["read_api"]));
    let s = Served::new(emulator).await;

    let err = s.client(&reader.secret).revoke(&id(main.id)).await.unwrap_err();
    assert!(matches!(&err, Error::Forbidden { code: Some(c), .. } if c == "insufficient_scope"), "{err:?}");
    assert!(!s.emulator.token(main.id).unwrap().revoked);

    let c = s.client(&main.secret);
    let too_far = NewPat::new("far", Scopes::parse("self_rotate").unwrap()).expires_at(s.in_days(400));
    let err = c.create_own(&too_far).await.unwrap_err();
    match &err {
        Error::PolicyViolation { code, message: Some(m) } => {
            assert_eq!(code, "expires_at");
            assert!(m.starts_with("expires_at must be before"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.emulator.snapshot().tokens.len(), 2, "nothing was created");

    s.emulator.set_rate_limit(Some(RateLimit { limit: 1, period: Duration::from_secs(3600) }));
    let limited = s
        .builder(GitLabCredential::private_token(main.secret.expose_secret().to_owned()))
        .retry(RetryConfig::none())
        .build()
        .unwrap();
    limited.current_user().await.unwrap();
    match limited.current_user().await.unwrap_err() {
        Error::RateLimited { retry_after: Some(wait), .. } => {
            assert!(wait > Duration::ZERO && wait <= Duration::from_secs(3600), "{wait:?}")
        }
        other => panic!("{other:?}"),
    }
    // With the default retry policy too: a wait beyond the retry budget is handed back at once,
    // and a write (rotate) is never re-sent.
    let started = std::time::Instant::now();
    let err = s.client(&main.secret).rotate(&id(reader.id), s.in_days(5)).await.map(|_| ()).unwrap_err();
    assert!(matches!(&err, Error::RateLimited { retry_after: Some(_), .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(30), "no hour-long wait");
    assert_eq!(s.emulator.requests_seen(ops::ROTATE), 1, "sent once");
    assert!(!s.emulator.token(reader.id).unwrap().revoked);
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_filtering_another_users_tokens_is_forbidden_not_logged_out() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let bob = emulator.add_user("bob").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    emulator.seed_token(bob, SeedToken::new("bobs", &["api"]));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    // GitLab answers 401 here (fact sheet §2.2), yet the credential works: the caller must not be
    // told to get a new token.
    let err = c.list().user_id(patkit::UserId::new(bob.to_string())).send().await.unwrap_err();
    assert!(matches!(&err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(c.list().user_id(patkit::UserId::new(alice.to_string())).send().await.unwrap().items.len(), 1);
    let dead = s.client(&patkit::PatSecret::new("glpat-nobodynobodynobody".to_owned()));
    let err = dead.list().user_id(patkit::UserId::new(bob.to_string())).send().await.unwrap_err();
    assert!(matches!(&err, Error::AuthRequired { .. }), "a dead credential still says so: {err:?}");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_a_revoked_token_is_refused_and_revokes_its_family() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root").id;
    let alice = emulator.add_user("alice").id;
    let admin = emulator.seed_token(root, SeedToken::new("admin", &["api"]));
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let ci = emulator.seed_token(alice, SeedToken::new("ci", &["api"]));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let successor = num(&c.rotate(&id(ci.id), s.in_days(5)).await.unwrap().created.metadata.id);
    // Reuse of the old (revoked) token id: 400, and GitLab revokes the whole family.
    match c.rotate(&id(ci.id), s.in_days(5)).await.map(|_| ()).unwrap_err() {
        Error::Api { status: 400, message: Some(m), .. } => assert!(m.ends_with("Token already revoked"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(s.emulator.token(successor).unwrap().revoked, "the family is revoked");
    // An admin asking for an unknown id gets 404, which is NotFound without a probe.
    let a = s.client(&admin.secret);
    assert!(matches!(a.get(&id(4242)).await, Err(Error::NotFound { .. })));
    assert!(matches!(a.rotate(&id(4242), s.in_days(5)).await, Err(Error::NotFound { .. })));
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_defaults_and_refusals_of_admin_and_resource_calls() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root").id;
    let alice = emulator.add_user("alice").id;
    let project = emulator.add_project("team/app");
    emulator.add_member(ResourceKind::Project, project, alice, 30);
    let admin = emulator.seed_token(root, SeedToken::new("admin", &["api", "sudo"]));
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let s = Served::new(emulator).await;
    let (c, a) = (s.client(&main.secret), s.client(&admin.secret));
    let before = s.emulator.snapshot().tokens.len();

    let new = NewPat::new("x", Scopes::parse("api").unwrap()).expires_at(s.in_days(3));
    let err = c.create_for_user(&patkit::UserId::new(alice.to_string()), &new).await.unwrap_err();
    assert!(matches!(&err, Error::Forbidden { .. }), "only admins create for users: {err:?}");
    let err = a.create_for_user(&patkit::UserId::new("4242"), &new).await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 404, .. }), "unknown user: {err:?}");

    // A Developer may not manage the project's tokens; an admin may, Maintainer by default.
    let err = c.resource_tokens(Resource::Project(project.to_string())).list(None, None).await.unwrap_err();
    assert!(matches!(&err, Error::Forbidden { .. }), "{err:?}");
    let tokens = a.resource_tokens(Resource::Project(project.to_string()));
    let far = NewResourceToken::new("far", Scopes::parse("read_api").unwrap()).expires_at(s.in_days(400));
    let err = tokens.create(&far).await.unwrap_err();
    assert!(matches!(&err, Error::PolicyViolation { code, .. } if code == "expires_at"), "{err:?}");
    assert_eq!(s.emulator.snapshot().tokens.len(), before, "nothing was created");
    let made = tokens.create(&NewResourceToken::new("d", Scopes::parse("read_api").unwrap())).await.unwrap();
    assert_eq!(made.metadata.extras.get(EXTRA_ACCESS_LEVEL), Some("40"));
    assert_eq!(s.emulator.token(num(&made.metadata.id)).unwrap().access_level, Some(40));

    let ghost = s.builder(GitLabCredential::private_token(admin.secret.expose_secret().to_owned())).sudo("ghost");
    let err = ghost.build().unwrap().current_user().await.unwrap_err();
    assert!(matches!(&err, Error::Api { status: 404, .. }), "sudo to nobody: {err:?}");
    s.server.shutdown().await;
}
