//! Every operation of the GitLab client through patkit's reqwest transport against the emulator
//! served over loopback HTTP, each asserting what the operation promises: listing filters and
//! pages, get, rotate, revoke, create, associations, the current user, project and group access
//! tokens, `Sudo`, OAuth, and the errors end to end.
#![cfg(all(feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};

use chrono::TimeDelta;
use patkit::gitlab::emulator::{Emulator, EmulatorServer, ResourceKind, SeedToken, operations as ops};
use patkit::gitlab::{ExpiryDate, GitLabClient, GitLabCredential, GitLabToken, NewPat, TokenSort, TokenState};
use patkit::{Error, PatId, Scopes, UserId};

struct Served {
    emulator: Emulator,
    server: EmulatorServer,
}

impl Served {
    async fn new(emulator: Emulator) -> Self {
        let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        Self { emulator, server }
    }

    fn base(&self) -> String {
        format!("{}/api/v4", self.server.base_url())
    }

    fn builder(&self, credential: GitLabCredential) -> patkit::gitlab::GitLabClientBuilder {
        GitLabClient::builder(credential)
            .base_url(self.base())
            .transport(patkit::transport::ReqwestTransport::new().unwrap())
    }

    fn client(&self, secret: &patkit::PatSecret) -> GitLabClient {
        self.builder(GitLabCredential::private_token(secret.expose_secret().to_owned())).build().unwrap()
    }
}

fn id(n: u64) -> PatId {
    PatId::new(n.to_string())
}

fn ids(tokens: &[GitLabToken]) -> Vec<u64> {
    tokens.iter().map(|t| t.metadata.id.as_str().parse().unwrap()).collect()
}

fn scopes(s: &str) -> Scopes {
    Scopes::parse(s).unwrap()
}

async fn listed(list: patkit::gitlab::ListPats) -> BTreeSet<u64> {
    ids(&list.send().await.unwrap().items).into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_listing_filter_narrows_as_the_fact_sheet_says() {
    let emulator = Emulator::new();
    let now = emulator.now();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]).created_at(now - TimeDelta::days(50)));
    let old = emulator.seed_token(
        alice,
        SeedToken::new("old-ci", &["read_api"])
            .created_at(now - TimeDelta::days(40))
            .last_used_at(now - TimeDelta::days(20))
            .expires_at(Some(now.date_naive() + TimeDelta::days(5))),
    );
    let new = emulator.seed_token(
        alice,
        SeedToken::new("new-ci", &["read_api"])
            .created_at(now - TimeDelta::days(2))
            .last_used_at(now - TimeDelta::days(1))
            .expires_at(Some(now.date_naive() + TimeDelta::days(90))),
    );
    let gone =
        emulator.seed_token(alice, SeedToken::new("gone", &["api"]).created_at(now - TimeDelta::days(30)).revoked());
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let all: BTreeSet<u64> = [main.id, old.id, new.id, gone.id].into();

    assert_eq!(listed(c.list()).await, all, "own tokens, revoked ones too");
    assert_eq!(listed(c.list().state(TokenState::Active)).await, [main.id, old.id, new.id].into());
    assert_eq!(listed(c.list().state(TokenState::Inactive)).await, [gone.id].into());
    assert_eq!(listed(c.list().revoked(true)).await, [gone.id].into());
    assert_eq!(listed(c.list().revoked(false)).await, [main.id, old.id, new.id].into());
    assert_eq!(listed(c.list().search("ci")).await, [old.id, new.id].into());
    assert_eq!(listed(c.list().created_after(now - TimeDelta::days(35))).await, [new.id, gone.id].into());
    assert_eq!(listed(c.list().created_before(now - TimeDelta::days(35))).await, [main.id, old.id].into());
    // The caller's own token was just used, so it counts as recently used too.
    assert_eq!(listed(c.list().last_used_after(now - TimeDelta::days(10))).await, [main.id, new.id].into());
    assert_eq!(listed(c.list().last_used_before(now - TimeDelta::days(10))).await, [old.id].into());
    let in_ten = now.date_naive() + TimeDelta::days(10);
    assert_eq!(listed(c.list().expires_before(in_ten)).await, [old.id].into());
    assert!(listed(c.list().expires_after(in_ten)).await.contains(&new.id));
    assert!(!listed(c.list().expires_after(in_ten)).await.contains(&old.id));

    let by_name = c.list().sort(TokenSort::NameAsc).send().await.unwrap().items;
    let names: Vec<_> = by_name.iter().map(|t| t.metadata.display_name.clone()).collect();
    assert_eq!(names, ["gone", "main", "new-ci", "old-ci"]);
    let newest_first = ids(&c.list().sort(TokenSort::CreatedDesc).send().await.unwrap().items);
    assert_eq!(newest_first, [new.id, gone.id, old.id, main.id]);
    let gone_token = by_name.iter().find(|t| t.metadata.display_name == "gone").unwrap();
    assert!(gone_token.revoked && !gone_token.active);
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_follow_to_the_end_and_an_admin_lists_any_user() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root").id;
    let alice = emulator.add_user("alice").id;
    let admin = emulator.seed_token(root, SeedToken::new("admin", &["api"]));
    let mine: Vec<u64> =
        (0..5).map(|i| emulator.seed_token(alice, SeedToken::new(&format!("a{i}"), &["api"])).id).collect();
    let s = Served::new(emulator).await;
    let c = s.client(&admin.secret);

    let (mut seen, mut pages, mut next) = (Vec::new(), 0, None);
    loop {
        let mut list = c.list().user_id(UserId::new(alice.to_string())).per_page(2);
        if let Some(n) = next.take() {
            list = list.page(n);
        }
        let page = list.send().await.unwrap();
        seen.extend(ids(&page.items));
        pages += 1;
        match page.continuation {
            Some(n) => next = Some(n),
            None => break,
        }
    }
    assert_eq!((seen, pages), (mine.clone(), 3), "every one of Alice's tokens, in three pages");
    let everyone = listed(c.list()).await;
    assert!(everyone.contains(&admin.id) && mine.iter().all(|m| everyone.contains(m)), "an admin sees all");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_rotate_and_revoke_do_what_they_promise() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let ci = emulator.seed_token(alice, SeedToken::new("ci", &["read_api"]).description("for CI"));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);

    let got = c.get(&id(ci.id)).await.unwrap();
    assert_eq!((got.metadata.display_name.as_str(), got.user_id, got.active), ("ci", Some(alice), true));
    assert_eq!(c.get_self().await.unwrap().metadata.id, id(main.id));

    let wanted = ExpiryDate::new(s.emulator.now().date_naive() + TimeDelta::days(20));
    let rotated = c.rotate(&id(ci.id), wanted).await.unwrap();
    let new_id: u64 = rotated.created.metadata.id.as_str().parse().unwrap();
    assert_ne!(new_id, ci.id);
    assert_eq!(rotated.previous, id(ci.id));
    assert_eq!(rotated.created.metadata.valid_to, Some(wanted.ends_at()));
    let successor = s.emulator.token(new_id).unwrap();
    assert_eq!((successor.expires_at, successor.previous_id), (Some(wanted.date()), Some(ci.id)));
    assert_eq!(successor.description.as_deref(), Some("for CI"));
    assert!(s.emulator.token(ci.id).unwrap().revoked, "the old token is revoked at once");
    let new_client = s.client(&rotated.created.secret);
    assert_eq!(new_client.get_self().await.unwrap().metadata.id, id(new_id), "the new secret works");

    c.revoke(&id(new_id)).await.unwrap();
    let after = c.get(&id(new_id)).await.unwrap();
    assert!(after.revoked && !after.active, "soft: still there, revoked");
    assert!(listed(c.list().revoked(true)).await.contains(&new_id), "still listed");
    assert!(matches!(new_client.get_self().await, Err(Error::AuthRequired { .. })));
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_self_and_revoke_self_act_on_the_calling_token() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["self_rotate", "read_api"]));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let wanted = ExpiryDate::new(s.emulator.now().date_naive() + TimeDelta::days(7));
    let created = c.rotate_self(wanted).await.unwrap();
    assert_eq!(created.metadata.valid_to, Some(wanted.ends_at()));
    assert!(matches!(c.get_self().await, Err(Error::AuthRequired { .. })), "the old secret stops working");
    let next = s.client(&created.secret);
    let me = next.get_self().await.unwrap();
    assert_eq!((me.metadata.id, me.active), (created.metadata.id.clone(), true));

    next.revoke_self().await.unwrap();
    assert!(matches!(next.get_self().await, Err(Error::AuthRequired { .. })));
    let new_id: u64 = created.metadata.id.as_str().parse().unwrap();
    assert!(s.emulator.token(new_id).unwrap().revoked);
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_for_a_user_and_for_oneself() {
    let emulator = Emulator::new();
    let root = emulator.add_admin("root").id;
    let alice = emulator.add_user("alice").id;
    let admin = emulator.seed_token(root, SeedToken::new("admin", &["api"]));
    let own = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let s = Served::new(emulator).await;
    let expires = ExpiryDate::new(s.emulator.now().date_naive() + TimeDelta::days(14));

    let new = NewPat::new("deploy", scopes("read_api read_repository")).description("deploys").expires_at(expires);
    let made = s.client(&admin.secret).create_for_user(&UserId::new(alice.to_string()), &new).await.unwrap();
    let made_id: u64 = made.metadata.id.as_str().parse().unwrap();
    let stored = s.emulator.token(made_id).unwrap();
    assert_eq!(
        (stored.user_id, stored.scopes.clone()),
        (alice, vec!["read_api".to_owned(), "read_repository".to_owned()])
    );
    assert_eq!((stored.expires_at, stored.description.as_deref()), (Some(expires.date()), Some("deploys")));
    assert_eq!(s.client(&made.secret).current_user().await.unwrap().id, alice, "it authenticates as Alice");

    let c = s.client(&own.secret);
    let mine = c.create_own(&NewPat::new("rotator", scopes("self_rotate")).expires_at(expires)).await.unwrap();
    let mine_id: u64 = mine.metadata.id.as_str().parse().unwrap();
    assert_eq!(s.emulator.token(mine_id).unwrap().user_id, alice);
    assert_eq!(s.emulator.requests_seen(ops::CREATE_OWN), 1);
    let refused = c.create_own(&NewPat::new("wide", scopes("api")).expires_at(expires)).await.unwrap_err();
    assert!(matches!(refused, Error::InvalidInput { .. }), "{refused:?}");
    assert_eq!(s.emulator.requests_seen(ops::CREATE_OWN), 1, "refused before sending");
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_and_the_current_user() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let group = emulator.add_group("team");
    let project = emulator.add_project("team/app");
    emulator.add_member(ResourceKind::Group, group, alice, 30);
    emulator.add_member(ResourceKind::Project, project, alice, 40);
    let other = emulator.add_project("solo/tool");
    emulator.add_member(ResourceKind::Project, other, alice, 30);
    emulator.add_project("hidden/none");
    let main = emulator.seed_token(alice, SeedToken::new("main", &["read_api"]));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let found = c.associations(None, None).await.unwrap();
    assert_eq!(found.groups.iter().map(|g| g.id).collect::<Vec<_>>(), [group]);
    assert_eq!(found.projects.iter().map(|p| p.id).collect::<Vec<_>>(), [project, other]);
    assert_eq!(found.projects[0].path_with_namespace.as_deref(), Some("team/app"));
    assert!(found.continuation.is_none());
    let first = c.associations(Some(1), None).await.unwrap();
    let second = c.associations(Some(1), first.continuation.clone()).await.unwrap();
    assert_eq!((first.projects[0].id, second.projects[0].id), (project, other), "pages lead on");
    assert!(second.continuation.is_none(), "and end");
    let me = c.current_user().await.unwrap();
    assert_eq!((me.id, me.username.as_str(), me.user_id()), (alice, "alice", UserId::new(alice.to_string())));
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_and_last_use_sorts_put_absent_values_last() {
    let emulator = Emulator::new();
    let now = emulator.now();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let seed = |name: &str, days: Option<i64>, used: Option<i64>| {
        let mut seed = SeedToken::new(name, &["api"]).expires_at(days.map(|d| now.date_naive() + TimeDelta::days(d)));
        if let Some(u) = used {
            seed = seed.last_used_at(now - TimeDelta::days(u));
        }
        emulator.seed_token(alice, seed).id
    };
    let (soon, never, late) =
        (seed("x-soon", Some(5), Some(3)), seed("x-never", None, None), seed("x-late", Some(90), Some(1)));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let c = &c;
    let sorted = |sort| async move { ids(&c.list().search("x-").sort(sort).send().await.unwrap().items) };
    assert_eq!(sorted(TokenSort::ExpiresAsc).await, [soon, late, never]);
    assert_eq!(sorted(TokenSort::ExpiresDesc).await, [late, soon, never]);
    assert_eq!(sorted(TokenSort::LastUsedAsc).await, [soon, late, never]);
    assert_eq!(sorted(TokenSort::LastUsedDesc).await, [late, soon, never]);
    assert_eq!(sorted(TokenSort::NameDesc).await, [soon, never, late]);
    assert_eq!(sorted(TokenSort::CreatedAsc).await, [soon, never, late]);
    s.server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_follows_the_date_rule_and_refuses_a_dying_date_before_sending() {
    let emulator = Emulator::new();
    let alice = emulator.add_user("alice").id;
    let main = emulator.seed_token(alice, SeedToken::new("main", &["api"]));
    let ci = emulator.seed_token(alice, SeedToken::new("ci", &["api"]));
    let s = Served::new(emulator).await;
    let c = s.client(&main.secret);
    let now = s.emulator.now();

    // A token expires at 00:00 UTC of its date: today leaves less than an hour (or nothing).
    let today = ExpiryDate::new(now.date_naive());
    assert!(matches!(c.rotate(&id(ci.id), today).await, Err(Error::InvalidInput { .. })));
    assert!(matches!(c.rotate_self(today).await, Err(Error::InvalidInput { .. })));
    assert_eq!(s.emulator.requests_seen(ops::ROTATE) + s.emulator.requests_seen(ops::ROTATE_SELF), 0, "nothing sent");
    assert!(!s.emulator.token(ci.id).unwrap().revoked);

    // Asked to live 36 hours: the date that covers it, never one that ends sooner.
    let wanted = now + TimeDelta::hours(36);
    let covering = ExpiryDate::covering(wanted, now);
    let rotated = c.rotate(&id(ci.id), covering).await.unwrap();
    let ends = rotated.created.metadata.valid_to.unwrap();
    assert!(ends >= wanted && ends - wanted < TimeDelta::days(1), "{ends} covers {wanted} by less than a day");
    let new_id: u64 = rotated.created.metadata.id.as_str().parse().unwrap();
    assert_eq!(s.emulator.token(new_id).unwrap().expires_at, Some(ends.date_naive()));
    s.server.shutdown().await;
}
