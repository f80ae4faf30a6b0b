//! The blocking API (`patkit::blocking`) from plain `#[test]` functions, with no async runtime on
//! the calling thread: the Azure DevOps and GitLab clients against their emulators served over
//! real loopback HTTP (on a server runtime of their own, as another process would be), the flows
//! (mint-and-store, scan, rotation, a rotation that dies mid-way and its recovery, offboarding),
//! and what a blocking call does inside a tokio runtime.
#![cfg(all(feature = "blocking", feature = "emulator", feature = "gitlab", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use chrono::TimeDelta;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::emulator::{EmulatedUser, Emulator, EmulatorServer, SeedPat};
use patkit::blocking::{self, Admin, Offboarding, Provider, Rotator, Runtime, Scan, Store};
use patkit::gitlab::emulator::{Emulator as GitLabEmulator, EmulatorServer as GitLabServer, SeedToken};
use patkit::gitlab::{GitLabClient, GitLabCredential};
use patkit::lifecycle::{self, FindingKind, HandOff, HookError, KeptReason, Outcome, RotationHook, SkipReason};
use patkit::store::{FileTokenStore, InMemoryTokenStore};
use patkit::{
    Error, ListQuery, ListingCutReason, PatChanges, PatId, PatRecord, PatSecret, PatSpec, Scopes, StatusFilter,
    StoredPat, SystemClock, UserId,
};

const LOOPBACK: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// The runtime the emulators are served on: threads of its own, never the test's thread.
fn server_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

/// The Azure DevOps emulator served over loopback, with the organization `fabrikam` and Alice.
struct Azure {
    emulator: Emulator,
    alice: EmulatedUser,
    server: EmulatorServer,
    _runtime: tokio::runtime::Runtime,
}

impl Azure {
    fn serve() -> Self {
        let runtime = server_runtime();
        let emulator = Emulator::new();
        emulator.add_organization("fabrikam");
        let alice = emulator.add_user("Alice");
        let server = runtime.block_on(emulator.serve(LOOPBACK)).unwrap();
        Self { emulator, alice, server, _runtime: runtime }
    }

    /// A client of `user` over loopback HTTP (reqwest, default retries).
    fn client(&self, user: &EmulatedUser) -> AzureDevOpsClient {
        AzureDevOpsClient::builder("fabrikam", user.credential()).base_url(self.server.base_url()).build().unwrap()
    }

    /// A token of Alice's expiring in `days`, stored under `name` in `store`; its secret.
    fn seed_stored(&self, store: &Store<impl patkit::TokenStore>, name: &str, days: i64) -> StoredPat {
        let seeded = self.emulator.seed_pat(
            "fabrikam",
            self.alice.id,
            SeedPat::new(name, "vso.code").valid_to(self.emulator.now() + TimeDelta::days(days)),
        );
        let metadata = Provider::new(store.runtime(), self.client(&self.alice)).get_pat(&seeded.id).unwrap();
        let entry = StoredPat {
            record: PatRecord::new(name, "azure-devops", "fabrikam", metadata, self.emulator.now()),
            secret: seeded.secret,
        };
        store.put(entry.clone()).unwrap();
        entry
    }
}

fn code() -> Scopes {
    Scopes::parse("vso.code").unwrap()
}

#[test]
fn azure_provider_create_list_update_revoke_over_loopback() {
    let azure = Azure::serve();
    let runtime = Runtime::new().unwrap();
    let provider = Provider::new(&runtime, azure.client(&azure.alice));
    assert_eq!((provider.provider_name(), provider.organization()), ("azure-devops", "fabrikam"));
    assert!(provider.capabilities().create && provider.capabilities().update);

    let created = provider.create_pat(PatSpec::new("blocking", code())).unwrap();
    let id = created.metadata.id.clone();
    let canary = created.secret.expose_secret().to_owned();
    assert_eq!(provider.get_pat(&id).unwrap().display_name, "blocking");
    let page = provider.list_pats(&ListQuery::default(), None).unwrap();
    assert_eq!(page.items.iter().map(|m| &m.id).collect::<Vec<_>>(), [&id]);

    let renamed =
        provider.update_pat(&id, PatChanges { display_name: Some("renamed".into()), ..PatChanges::default() }).unwrap();
    assert_eq!(renamed.display_name, "renamed");
    assert!(provider.check_pat(&created.secret).unwrap());
    provider.revoke_pat(&id).unwrap();
    assert!(!provider.check_pat(&created.secret).unwrap());
    assert!(azure.emulator.token(&id).unwrap().revoked);

    // Neither the wrapper, the runtime nor what they return prints the secret.
    for shown in [format!("{provider:?}"), format!("{runtime:?}"), format!("{created:?}")] {
        assert!(!shown.contains(&canary), "{shown}");
    }
}

#[test]
fn list_all_collects_every_page_and_refuses_to_cut_one_short() {
    let azure = Azure::serve();
    for i in 0..5 {
        azure.emulator.seed_pat("fabrikam", azure.alice.id, SeedPat::new(format!("t{i}"), "vso.code"));
    }
    let provider = Provider::new(&Runtime::new().unwrap(), azure.client(&azure.alice));
    let query = ListQuery { filter: StatusFilter::All, page_size: Some(2), ..ListQuery::default() };

    let all = provider.list_all(query.clone(), 10).unwrap();
    assert_eq!(all.iter().map(|m| m.display_name.as_str()).collect::<Vec<_>>(), ["t0", "t1", "t2", "t3", "t4"]);
    // Three pages are needed: two are refused as a whole, not returned in part.
    match provider.list_all(query.clone(), 2) {
        Err(Error::ListingCut { reason: ListingCutReason::PageLimit { max_pages: 2 }, pages: 2, .. }) => {}
        other => panic!("expected a cut listing, got {other:?}"),
    }
    assert!(matches!(provider.list_all(query, 0), Err(Error::InvalidInput { field: "max_pages", .. })));
}

#[test]
fn one_runtime_serves_many_threads_at_once() {
    let azure = Azure::serve();
    let provider = Provider::new(&Runtime::new().unwrap(), azure.client(&azure.alice));
    let start = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let (provider, start) = (provider.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let created = provider.create_pat(PatSpec::new(format!("thread {i}"), code())).unwrap();
                provider.revoke_pat(&created.metadata.id).unwrap();
                created.metadata.id
            })
        })
        .collect();
    let ids: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 8);
    assert!(ids.iter().all(|id| azure.emulator.token(id).unwrap().revoked));
}

#[test]
fn gitlab_provider_and_admin_over_loopback() {
    let runtime = server_runtime();
    let emulator = GitLabEmulator::new();
    let root = emulator.add_admin("root");
    let alice = emulator.add_user("alice");
    let admin_token = emulator.seed_token(root.id, SeedToken::new("admin", &["api"]));
    let server: GitLabServer = runtime.block_on(emulator.serve(LOOPBACK)).unwrap();
    let client = GitLabClient::builder(GitLabCredential::private_token(admin_token.secret.expose_secret().to_owned()))
        .base_url(format!("{}/api/v4", server.base_url()))
        .create_for_user(alice.id.to_string())
        .build()
        .unwrap();

    let blocking_runtime = Runtime::new().unwrap();
    let provider = Provider::new(&blocking_runtime, client.clone());
    let admin = Admin::new(&blocking_runtime, client);
    assert_eq!((provider.provider_name(), admin.provider_name()), ("gitlab", "gitlab"));

    let created = provider.create_pat(PatSpec::new("ci", Scopes::parse("read_api").unwrap())).unwrap();
    let alice_id = UserId::new(alice.id.to_string());
    let listed = admin.list_all_user_pats(&alice_id, 10).unwrap();
    assert_eq!(listed.iter().map(|t| &t.metadata.id).collect::<Vec<_>>(), [&created.metadata.id]);

    // A server-side rotate: a new token, the old one revoked at once.
    let rotated = provider.rotate_pat(&created.metadata.id, None).unwrap();
    assert_eq!(rotated.previous, created.metadata.id);
    let old_id: u64 = created.metadata.id.as_str().parse().unwrap();
    let new_id: u64 = rotated.created.metadata.id.as_str().parse().unwrap();
    assert!(emulator.token(old_id).unwrap().revoked);
    assert!(provider.check_pat(&rotated.created.secret).unwrap());

    admin.revoke_many(std::slice::from_ref(&rotated.created.metadata.id)).unwrap();
    assert!(emulator.token(new_id).unwrap().revoked);
    assert!(admin.list_all_user_pats(&alice_id, 10).unwrap().iter().all(|t| t.active == Some(false)));
}

#[test]
fn mint_and_store_over_loopback_keeps_what_it_creates() {
    let azure = Azure::serve();
    let runtime = Runtime::new().unwrap();
    let provider = Provider::new(&runtime, azure.client(&azure.alice));
    let store = Store::new(&runtime, InMemoryTokenStore::new());

    let stored =
        blocking::mint_and_store(&provider, &store, PatSpec::new("feed", code()), "ci/feed", &SystemClock).unwrap();
    let read = store.get("ci/feed").unwrap().unwrap();
    assert_eq!(read.record.metadata.id, stored.record.metadata.id);
    assert_eq!(read.secret.expose_secret(), stored.secret.expose_secret());
    assert!(provider.check_pat(&read.secret).unwrap());
    // The name is taken now: nothing more is created.
    let again = blocking::mint_and_store(&provider, &store, PatSpec::new("feed", code()), "ci/feed", &SystemClock);
    assert!(matches!(again, Err(Error::InvalidInput { field: "name", .. })), "{again:?}");
    assert_eq!(azure.emulator.snapshot().tokens_of(azure.alice.id).count(), 1);
}

#[test]
fn scan_over_loopback_reconciles_the_server_and_the_store() {
    let azure = Azure::serve();
    let runtime = Runtime::new().unwrap();
    let store = Store::new(&runtime, InMemoryTokenStore::new());
    let soon = azure.seed_stored(&store, "soon", 2);
    let unstored = azure.emulator.seed_pat(
        "fabrikam",
        azure.alice.id,
        SeedPat::new("unstored", "vso.code").valid_to(azure.emulator.now() + TimeDelta::days(90)),
    );

    let scan = Scan::new(
        &runtime,
        lifecycle::Scan::new()
            .provider(azure.client(&azure.alice))
            .store(store.shared())
            .window(Duration::from_secs(7 * 86_400)),
    );
    let report = scan.run().unwrap();
    let kind_of = |id: &patkit::PatId| report.findings.iter().find(|f| &f.token.id == id).map(|f| &f.kind);
    assert!(matches!(kind_of(&soon.record.metadata.id), Some(FindingKind::ExpiringSoon { .. })), "{report}");
    assert!(matches!(kind_of(&unstored.id), Some(FindingKind::NotStored)), "{report}");

    // The sink sees every finding, in report order.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let seen = seen.clone();
        lifecycle::sink_fn(move |finding: lifecycle::Finding| {
            let seen = seen.clone();
            async move { seen.lock().unwrap().push(finding.token.id) }
        })
    };
    let again = scan.run_with(&sink).unwrap();
    assert_eq!(*seen.lock().unwrap(), again.findings.iter().map(|f| f.token.id.clone()).collect::<Vec<_>>());
}

#[test]
fn rotation_over_loopback_into_a_file_store_replaces_and_revokes() {
    let azure = Azure::serve();
    let dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new().unwrap();
    let store = Store::open(&runtime, FileTokenStore::open(dir.path().join("store"))).unwrap();
    let old = azure.seed_stored(&store, "ci/feed", 2);
    azure.seed_stored(&store, "later", 60);
    let provider = Provider::new(&runtime, azure.client(&azure.alice));

    let rotator = Rotator::new(&runtime, lifecycle::Rotator::new(provider.shared(), store.shared()));
    let plan = rotator.plan().unwrap();
    assert_eq!(plan.entries.len(), 2, "{plan}");
    let report = rotator.rotate_all().unwrap();
    let by_name = |name: &str| &report.entries.iter().find(|e| e.name == name).unwrap().outcome;
    let Outcome::Rotated(rotation) = by_name("ci/feed") else { panic!("{report}") };
    assert!(matches!(by_name("later"), Outcome::Skipped(SkipReason::NotDue { .. })), "{report}");

    let stored = store.get("ci/feed").unwrap().unwrap();
    assert_eq!(stored.record.metadata.id, rotation.new.id);
    assert!(stored.record.previous.is_none() && stored.record.rotation.is_none());
    assert!(provider.check_pat(&stored.secret).unwrap());
    assert!(azure.emulator.token(&old.record.metadata.id).unwrap().revoked);
    // Nothing left to recover, and a single entry rotates on request.
    assert!(rotator.recover().unwrap().entries.is_empty());
    assert!(blocking::recover(&store, &provider).unwrap().entries.is_empty());
    let forced = Rotator::new(&runtime, lifecycle::Rotator::new(provider.shared(), store.shared()).force(true));
    assert!(matches!(forced.rotate("later").unwrap().outcome, Outcome::Rotated(_)));
    assert!(matches!(forced.rotate_names(["ci/feed"]).unwrap().entries[0].outcome, Outcome::Rotated(_)));
}

/// A hand-off hook that records each secret it is handed, and panics (as a process dies) while
/// `crash` is set.
#[derive(Debug, Default)]
struct Handoffs {
    crash: bool,
    received: Mutex<Vec<String>>,
}

#[patkit::async_trait]
impl RotationHook for Handoffs {
    fn name(&self) -> &str {
        "record"
    }

    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        assert!(!self.crash, "the rotating process dies during the hand-off");
        self.received.lock().unwrap().push(hand_off.secret().expose_secret().to_owned());
        Ok(())
    }
}

#[test]
fn a_rotation_that_dies_in_its_hand_off_is_finished_by_the_next_run() {
    let azure = Azure::serve();
    let runtime = Runtime::new().unwrap();
    let store = Store::new(&runtime, InMemoryTokenStore::new());
    let old = azure.seed_stored(&store, "ci/feed", 2);
    let provider = Provider::new(&runtime, azure.client(&azure.alice));
    let rotator_with = |hook: Arc<Handoffs>| {
        let rotator =
            lifecycle::Rotator::new(provider.shared(), store.shared()).lifetime(Duration::from_secs(30 * 86_400));
        Rotator::new(&runtime, rotator.hook(hook))
    };

    let dying = rotator_with(Arc::new(Handoffs { crash: true, ..Handoffs::default() }));
    assert!(catch_unwind(AssertUnwindSafe(|| dying.rotate_all())).is_err(), "the run died");

    // What the crash left: the replacement stored, the old token kept (still valid) until a
    // hand-off succeeds. Both work; no token is lost.
    let left = store.get("ci/feed").unwrap().unwrap();
    let new_id = left.record.metadata.id.clone();
    assert_ne!(new_id, old.record.metadata.id);
    assert_eq!(left.record.previous.as_ref().map(|p| &p.id), Some(&old.record.metadata.id));
    assert!(left.record.retiring.as_ref().is_some_and(|r| r.handoff_pending));
    assert!(provider.check_pat(&left.secret).unwrap() && provider.check_pat(&old.secret).unwrap());

    // The runtime survived the panic. A recovery sweep (which has no hooks) keeps the old token.
    let swept = blocking::recover(&store, &provider).unwrap();
    assert!(
        matches!(
            &swept.entries[0].outcome,
            Outcome::Skipped(SkipReason::PreviousKept { reason: KeptReason::HandOffPending, .. })
        ),
        "{swept}"
    );
    assert!(!azure.emulator.token(&old.record.metadata.id).unwrap().revoked);

    // The next run of a rotator with its hook hands the stored token off, then revokes the old one.
    let hook = Arc::new(Handoffs::default());
    let report = rotator_with(hook.clone()).rotate_all().unwrap();
    let received = hook.received.lock().unwrap().clone();
    // (Compared, never printed: they are secrets.)
    assert!(
        received.len() == 1 && received[0] == left.secret.expose_secret(),
        "{} hand-offs; {report}",
        received.len()
    );
    assert!(matches!(report.entries[0].outcome, Outcome::Skipped(SkipReason::NotDue { .. })), "{report}");
    assert!(azure.emulator.token(&old.record.metadata.id).unwrap().revoked, "{report}");
    let finished = store.get("ci/feed").unwrap().unwrap();
    assert_eq!(finished.record.metadata.id, new_id);
    assert!(finished.record.previous.is_none() && finished.record.retiring.is_none());
}

#[test]
fn offboarding_over_loopback_revokes_every_token_of_the_leaver() {
    let azure = Azure::serve();
    let admin = azure.emulator.add_user("Admin");
    azure.emulator.make_org_admin("fabrikam", admin.id);
    let leaver = azure.emulator.add_user("Leaver");
    let ids: Vec<_> = (0..3)
        .map(|i| azure.emulator.seed_pat("fabrikam", leaver.id, SeedPat::new(format!("t{i}"), "vso.code")).id)
        .collect();
    let runtime = Runtime::new().unwrap();
    let token_admin = azure.client(&admin).token_admin();

    let dry = Offboarding::new(&runtime, lifecycle::Offboarding::new(token_admin.clone()).dry_run(true));
    assert_eq!(dry.run(&leaver.descriptor).unwrap().revoked.len(), 3);
    assert!(ids.iter().all(|id| !azure.emulator.token(id).unwrap().revoked), "a dry run changes nothing");

    let report =
        Offboarding::new(&runtime, lifecycle::Offboarding::new(token_admin.clone())).run(&leaver.descriptor).unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked.len(), 3);
    assert!(ids.iter().all(|id| azure.emulator.token(id).unwrap().revoked));
    let listed = Admin::new(&runtime, token_admin).list_all_user_pats(&UserId::from(&leaver.descriptor), 10).unwrap();
    assert!(listed.iter().all(|t| t.active == Some(false)));
}

/// Inside a runtime every blocking call is refused with the typed error, sends nothing and does
/// not panic, whichever scheduler runs it; dropping the last runtime clone there is fine too.
#[test]
fn blocking_calls_inside_a_tokio_runtime_are_refused() {
    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    let client =
        AzureDevOpsClient::builder("fabrikam", alice.credential()).transport(emulator.clone()).build().unwrap();
    let runtime = Runtime::new().unwrap();
    let provider = Provider::new(&runtime, client.clone());
    let store = Store::new(&runtime, InMemoryTokenStore::new());
    let rotator = Rotator::new(&runtime, lifecycle::Rotator::new(client, store.shared()));

    let refused = |result: Result<(), Error>, operation: &str| match result {
        Err(Error::InsideAsyncRuntime { operation: named }) => assert_eq!(named, operation),
        other => panic!("{operation}: expected InsideAsyncRuntime, got {other:?}"),
    };
    let check_all = || {
        refused(provider.create_pat(PatSpec::new("x", code())).map(drop), "create_pat");
        refused(store.list().map(drop), "list");
        refused(rotator.rotate_all().map(drop), "rotate_all");
        refused(runtime.block_on(async {}), "block_on");
    };
    for flavor in ["current_thread", "multi_thread"] {
        let outer = match flavor {
            "current_thread" => tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap(),
            _ => tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap(),
        };
        outer.block_on(async { check_all() });
        // A spawned task, and a spawn_blocking closure (where tokio would allow blocking, but the
        // check cannot tell), are refused the same way.
        let p = provider.clone();
        let task = outer.spawn(async move { p.get_pat(&PatId::new("1")).map(drop) });
        refused(outer.block_on(task).unwrap(), "get_pat");
        let s = store.clone();
        let closure = outer.spawn_blocking(move || s.get("x").map(drop));
        refused(outer.block_on(closure).unwrap(), "get");
    }
    assert_eq!(emulator.requests_seen(patkit::azure::operations::CREATE), 0, "nothing was sent");
    // Off the runtime, the same wrappers work.
    assert!(store.list().unwrap().is_empty());

    // The last clone of an owned runtime dropped inside async code: shut down without waiting,
    // no panic.
    let last = Runtime::new().unwrap();
    tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async move { drop(last) });
}

#[test]
fn a_borrowed_multi_thread_runtime_serves_threads_without_one() {
    let azure = Azure::serve();
    let program = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    assert!(matches!(Runtime::borrow_current(), Err(Error::InvalidInput { field: "runtime", .. })), "none current");
    let single = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let refused = {
        let _entered = single.enter();
        Runtime::borrow_current()
    };
    assert!(matches!(refused, Err(Error::InvalidInput { field: "runtime", .. })), "a current-thread runtime");

    let borrowed = {
        let _entered = program.enter();
        Runtime::borrow_current().unwrap()
    };
    assert!(format!("{borrowed:?}").contains("borrowed"));
    let provider = Provider::new(&borrowed, azure.client(&azure.alice));
    let workers: Vec<_> = (0..3)
        .map(|i| {
            let provider = provider.clone();
            std::thread::spawn(move || {
                let created = provider.create_pat(PatSpec::new(format!("worker {i}"), code())).unwrap();
                assert!(provider.check_pat(&created.secret).unwrap());
                provider.revoke_pat(&created.metadata.id).unwrap();
            })
        })
        .collect();
    workers.into_iter().for_each(|w| w.join().unwrap());
    assert_eq!(azure.emulator.snapshot().tokens_of(azure.alice.id).filter(|t| t.revoked).count(), 3);
}

#[test]
fn a_wrong_secret_is_refused_and_never_printed() {
    let azure = Azure::serve();
    let provider = Provider::new(&Runtime::new().unwrap(), azure.client(&azure.alice));
    let canary = "blocking-canary-7f3e1d2c9b8a4f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9";
    let outcome = provider.check_pat(&PatSecret::new(canary.into()));
    assert!(matches!(outcome, Ok(false)), "{outcome:?}");
    assert!(!format!("{outcome:?} {provider:?}").contains(canary));
}
