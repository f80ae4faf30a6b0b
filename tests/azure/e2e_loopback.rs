//! The client against the emulator over real loopback HTTP with the reqwest transport: every
//! operation, both filters and sorts, 1,000+ tokens of pagination, each policy, each auth
//! failure mode and each fault mode, asserting typed results.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use futures_util::TryStreamExt as _;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::PatCredential;
use patkit::azure::emulator::{
    EmulatedUser, Emulator, EmulatorServer, Fault, FaultRule, OrgPolicies, SeedPat, TenantPolicies,
};
use patkit::azure::operations as op;
use patkit::azure::{Policy, Targets};
use patkit::transport::{HttpTransport, ReqwestTransport, RetryConfig, from_fn};
use patkit::{AuthFailure, Error, ManualClock, PatId, PatMetadata, Scopes, SortBy, StatusFilter};

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
    Scopes::from_iter([patkit::azure::scopes::CODE])
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
    assert_eq!(created.metadata.valid_to, Some(start() + TimeDelta::days(30)));
    assert!(matches!(Targets::of(&created.metadata), Some(Targets::Organizations(ref o)) if o.len() == 1));
    let id = created.metadata.id.clone();

    assert_eq!(client.get(&id).await.unwrap().display_name, "e2e");
    assert_eq!(names(&client.list().items().try_collect::<Vec<_>>().await.unwrap()), ["e2e"]);

    let renamed = client
        .update(&id)
        .display_name("e2e-renamed")
        .scopes(Scopes::from_iter([patkit::azure::scopes::CODE, patkit::azure::scopes::WORK]))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.display_name, "e2e-renamed");
    assert_eq!(renamed.scopes.len(), 2);
    let extended = client.extend(&id, DAY * 10).await.unwrap();
    assert_eq!(extended.valid_to, Some(start() + TimeDelta::days(40)));
    let moved = client.expire_at(&id, start() + TimeDelta::days(2)).await.unwrap();
    assert_eq!(moved.valid_to, Some(start() + TimeDelta::days(2)));

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
    admin.create_revocation_rule(&Scopes::from_iter([patkit::azure::scopes::PACKAGING]), None).await.unwrap();
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
    let full = Scopes::from_iter([patkit::azure::scopes::FULL_ACCESS]);

    s.emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
    assert!(matches!(
        client.create("full", full.clone()).send().await,
        Err(ref e @ Error::PolicyViolation { .. }) if Policy::of(e) == Some(Policy::FullScope)
    ));

    s.emulator.set_tenant_policies(TenantPolicies { restrict_global_pats: true, ..Default::default() });
    assert!(matches!(
        client.create("g", code()).all_organizations(true).send().await,
        Err(ref e @ Error::PolicyViolation { .. }) if Policy::of(e) == Some(Policy::GlobalPat)
    ));

    s.emulator.set_tenant_policies(TenantPolicies { global_pat_creation_blocked: true, ..Default::default() });
    assert!(matches!(
        client.create("g", code()).all_organizations(true).send().await,
        Err(ref e @ Error::PolicyViolation { .. }) if Policy::of(e) == Some(Policy::GlobalPatRetired)
    ));

    s.emulator.set_tenant_policies(TenantPolicies {
        max_lifespan: Some(TimeDelta::days(30)),
        reject_over_lifespan: true,
        ..Default::default()
    });
    assert!(matches!(
        client.create("long", code()).expires_in(DAY * 60).send().await,
        Err(ref e @ Error::PolicyViolation { .. }) if Policy::of(e) == Some(Policy::MaxLifespan)
    ));

    s.emulator.set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(30)), ..Default::default() });
    let clamped = client.create("clamped", code()).expires_in(DAY * 60).send().await.unwrap();
    assert_eq!(
        clamped.metadata.valid_to,
        Some(start() + TimeDelta::days(30)),
        "the 7.2 behaviour: clamped, not refused"
    );

    s.emulator.set_tenant_policies(TenantPolicies::default());
    s.emulator.set_org_policies("fabrikam", OrgPolicies { restrict_pat_creation: true, allowed_users: vec![] });
    assert!(matches!(
        client.create("x", code()).send().await,
        Err(ref e @ Error::PolicyViolation { .. }) if Policy::of(e) == Some(Policy::PatCreationDisabled)
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
        Err(Error::Forbidden { code, message }) => {
            assert_eq!(code.as_ref().map(patkit::ServiceCode::as_str), Some("InvalidAccessException"));
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
    s.emulator.inject(FaultRule::new(op::LIST, Fault::Latency(Duration::from_millis(50))));
    let started = std::time::Instant::now();
    client.list().page(None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50));

    // 429 with Retry-After: typed without retries, ridden out with them.
    s.emulator.inject(FaultRule::new(op::LIST, Fault::RateLimited { retry_after: Duration::from_secs(1) }));
    assert_eq!(bare.list().page(None).await.unwrap_err().retry_after(), Some(Duration::from_secs(1)));
    s.emulator.inject(FaultRule::new(op::LIST, Fault::RateLimited { retry_after: Duration::from_secs(1) }));
    client.list().page(None).await.unwrap();

    // 5xx: typed without retries, ridden out with them.
    s.emulator.inject(FaultRule::new(op::GET, Fault::ServerError { status: 503 }));
    let id = s.seed("x", start() + TimeDelta::days(3));
    assert!(matches!(bare.get(&id).await, Err(Error::Api { status: 503, .. })));
    s.emulator.inject(FaultRule::new(op::GET, Fault::ServerError { status: 503 }).times(2));
    client.get(&id).await.unwrap();

    // Slow-down on a success: answered, and paced.
    s.emulator.inject(FaultRule::new(op::GET, Fault::SlowDown { retry_after: Duration::from_secs(1) }));
    client.get(&id).await.unwrap();

    // Commit the create, then drop the connection: never re-sent, found by name.
    s.emulator.inject(FaultRule::new(op::CREATE, Fault::CommitThenDrop));
    match client.create("dropped", code()).send().await {
        Err(Error::CreateOutcomeUnknown { found, .. }) => {
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].display_name, "dropped");
        }
        other => panic!("{other:?}"),
    }
    let dropped: Vec<_> = s.emulator.snapshot().tokens.into_iter().filter(|t| t.display_name == "dropped").collect();
    assert_eq!(dropped.len(), 1, "exactly one token minted");
    assert_eq!(s.emulator.requests_seen(op::CREATE), 1);

    // 5xx on create: not retried either.
    s.emulator.inject(FaultRule::new(op::CREATE, Fault::ServerError { status: 500 }));
    assert!(
        matches!(client.create("five-hundred", code()).send().await, Err(Error::CreateOutcomeUnknown { ref found, .. }) if found.is_empty())
    );
    assert_eq!(s.emulator.requests_seen(op::CREATE), 2);
}

// ---------- proxies: loopback never goes through HTTP_PROXY / ALL_PROXY ----------

/// The environment variable that tells [`proxy_environment_child`] where the fake proxy is; the
/// child does nothing without it.
const PROXY_CHILD_MARKER: &str = "PATKIT_TEST_PROXY_CHILD";
/// Every variable the system proxy settings are read from, cleared in the child before the
/// variables under test are set.
const PROXY_VARS: [&str; 9] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "REQUEST_METHOD",
];
/// A host that is not loopback, for the request that must still go through the proxy.
const REMOTE_HOST: &str = "patkit-proxy-check.invalid";

/// A fake forward proxy on loopback: records the request line and whether an `Authorization`
/// header came with it, answers plain requests with a recognizable body and refuses `CONNECT`.
struct FakeProxy {
    addr: std::net::SocketAddr,
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeProxy {
    fn start() -> Self {
        use std::io::{BufRead as _, BufReader, Write as _};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let mut authorization = false;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    authorization |= line.to_ascii_lowercase().starts_with("authorization:");
                }
                let first = first.trim_end().to_owned();
                log.lock().unwrap().push(format!("{first}{}", if authorization { " [authorization]" } else { "" }));
                let answer: &[u8] = if first.starts_with("CONNECT ") {
                    b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                } else {
                    b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 14\r\nconnection: close\r\n\r\nfrom the proxy"
                };
                let _ = stream.write_all(answer);
            }
        });
        Self { addr, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// Plain-http requests to loopback carry tokens in clear text (a local Vault agent, the
/// emulator): reqwest's system proxy would hand them to whatever `HTTP_PROXY`/`ALL_PROXY` names.
/// Each set of variables is tested in a child process (the environment is process-global), which
/// first shows that a default reqwest client built from the same environment *does* reach the
/// proxy, then sends patkit requests that must reach the real loopback server only.
#[test]
fn loopback_requests_never_go_through_the_environment_proxy() {
    let sets: [&[&str]; 5] = [
        &["HTTP_PROXY"],
        &["http_proxy"],
        &["ALL_PROXY"],
        &["all_proxy"],
        &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"],
    ];
    for vars in sets {
        let proxy = FakeProxy::start();
        let url = format!("http://{}", proxy.addr);
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command.args([
            child_test("proxy_environment_child").as_str(),
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ]);
        for var in PROXY_VARS {
            command.env_remove(var);
        }
        for var in vars {
            command.env(var, &url);
        }
        // https to other hosts keeps using the proxy (a CONNECT tunnel).
        command.env("HTTPS_PROXY", &url).env(PROXY_CHILD_MARKER, "1");
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("1 passed"),
            "child with {vars:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let seen = proxy.seen();
        let plain: Vec<&String> = seen.iter().filter(|l| !l.starts_with("CONNECT ")).collect();
        assert_eq!(plain.len(), 1, "{vars:?}: only the control request may reach the proxy: {seen:?}");
        assert!(plain[0].starts_with("GET http://127.0.0.1:") && plain[0].contains("/control"), "{seen:?}");
        assert!(seen.iter().all(|l| !l.contains("[authorization]") && !l.contains("_apis")), "{vars:?}: {seen:?}");
        assert!(
            seen.iter().any(|l| l.starts_with(&format!("CONNECT {REMOTE_HOST}:443"))),
            "{vars:?}: https to another host still uses the proxy: {seen:?}"
        );
        assert!(
            !seen.iter().any(|l| l.starts_with("CONNECT localhost") || l.starts_with("CONNECT 127.")),
            "{vars:?}: https to loopback must not use the proxy either: {seen:?}"
        );
    }
}

/// Run by [`loopback_requests_never_go_through_the_environment_proxy`] in a child process whose
/// environment names the fake proxy.
#[tokio::test]
#[ignore = "run in a child process by loopback_requests_never_go_through_the_environment_proxy"]
async fn proxy_environment_child() {
    if std::env::var_os(PROXY_CHILD_MARKER).is_none() {
        return;
    }
    let s = Setup::new().await;
    let base = s.server.base_url();

    // The setup is live: reqwest's defaults send this loopback request to the proxy.
    // A default reqwest client, as a user would build one. patkit turns on reqwest's
    // `rustls-no-provider`, so the user installs a crypto provider for the process first (this
    // child process is this test's alone).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let default_client = reqwest::Client::new();
    let control = default_client.get(format!("{base}/control")).send().await.unwrap();
    assert_eq!(control.text().await.unwrap(), "from the proxy", "the environment routes loopback through the proxy");

    // patkit's transport reaches the emulator itself, by address and by name.
    s.alice().create("through no proxy", code()).send().await.unwrap();
    let localhost = base.replace("127.0.0.1", "localhost");
    let by_name = AzureDevOpsClient::builder("fabrikam", s.alice.credential())
        .base_url(localhost.clone())
        .clock(s.clock.clone())
        .build()
        .unwrap();
    assert_eq!(by_name.list().items().try_collect::<Vec<_>>().await.unwrap().len(), 1);
    assert_eq!(s.emulator.requests_seen(op::CREATE), 1);
    assert_eq!(s.emulator.requests_seen(op::LIST), 1);

    // https to loopback goes direct too (and fails: the emulator speaks plain http); https to
    // another host goes to the proxy as a CONNECT, which the fake proxy refuses.
    let transport = ReqwestTransport::new().unwrap();
    let get = |url: String| http::Request::get(url).body(Vec::new()).unwrap();
    assert!(transport.send(get(localhost.replace("http://", "https://"))).await.is_err());
    assert!(transport.send(get(format!("https://{REMOTE_HOST}/"))).await.is_err());
}

/// The full name of the test `name` in this module, as the test harness filters it (`--exact`
/// needs the module path: this file is a module of its layer's test binary).
fn child_test(name: &str) -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    if module.is_empty() { name.to_owned() } else { format!("{module}::{name}") }
}
