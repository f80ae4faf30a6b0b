//! The session over a routing mock: who logs in, when tokens are renewed, re-read or replaced,
//! and that a 403 is answered by exactly one refresh and one more attempt.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;
use crate::store::{VaultAuth, VaultSecretId};

const SECRET_ID: &str = "CANARY-secret-id-31c9";

/// What the mock Vault saw: (path, token sent or "-").
type Log = Arc<Mutex<Vec<(String, String)>>>;

/// A mock Vault: logins mint `login-token-<n>`, lookups give `ttl`, renewals give `renew_ttl`,
/// KV reads succeed for any token in `valid` (else 403).
#[derive(Clone)]
struct MockVault {
    log: Log,
    logins: Arc<AtomicUsize>,
    valid: Arc<Mutex<Vec<String>>>,
    ttl: u64,
    renew_ttl: Arc<Mutex<u64>>,
    /// The `increment` of each renewal.
    increments: Arc<Mutex<Vec<String>>>,
}

impl MockVault {
    fn new(ttl: u64) -> Self {
        Self {
            log: Arc::default(),
            logins: Arc::default(),
            valid: Arc::default(),
            ttl,
            renew_ttl: Arc::new(Mutex::new(ttl)),
            increments: Arc::default(),
        }
    }

    fn transport(&self) -> Arc<dyn HttpTransport> {
        let vault = self.clone();
        Arc::new(from_fn(move |request: HttpRequest| {
            let vault = vault.clone();
            // Yield first, so concurrent requests are all in flight before any is answered.
            async move {
                tokio::task::yield_now().await;
                Ok(vault.answer(&request))
            }
        }))
    }

    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let path = request.uri().path().to_owned();
        let token = request.headers().get("x-vault-token").map(|v| {
            assert!(v.is_sensitive(), "{path}: the token header is not marked sensitive");
            v.to_str().unwrap().to_owned()
        });
        self.log.lock().unwrap().push((path.clone(), token.clone().unwrap_or_else(|| "-".to_owned())));
        let auth = |token: String, ttl: u64| {
            response(200, json!({"auth": {"client_token": token, "lease_duration": ttl, "renewable": true}}))
        };
        match path.as_str() {
            "/v1/auth/approle/login" => {
                let body: Value = serde_json::from_slice(request.body()).unwrap();
                assert_eq!(body, json!({"role_id": "role-1", "secret_id": SECRET_ID}));
                let n = self.logins.fetch_add(1, Ordering::SeqCst) + 1;
                let token = format!("login-token-{n}");
                self.valid.lock().unwrap().push(token.clone());
                auth(token, self.ttl)
            }
            "/v1/auth/token/lookup-self" if token.as_ref().is_some_and(|t| self.valid.lock().unwrap().contains(t)) => {
                response(
                    200,
                    json!({"data": {"id": token.unwrap(), "ttl": self.ttl, "creation_ttl": 90, "renewable": true}}),
                )
            }
            "/v1/auth/token/renew-self" => {
                let body: Value = serde_json::from_slice(request.body()).unwrap();
                self.increments.lock().unwrap().push(body["increment"].as_str().unwrap().to_owned());
                auth(token.unwrap(), *self.renew_ttl.lock().unwrap())
            }
            // A path the policy denies.
            p if p.ends_with("/forbidden") => response(403, json!({"errors": ["permission denied"]})),
            _ if token.is_some_and(|t| self.valid.lock().unwrap().contains(&t)) => response(404, json!({"errors": []})),
            _ => response(403, json!({"errors": ["permission denied"]})),
        }
    }

    fn paths(&self) -> Vec<String> {
        self.log.lock().unwrap().iter().map(|(p, _)| p.clone()).collect()
    }

    fn kv_tokens(&self) -> Vec<String> {
        self.log.lock().unwrap().iter().filter(|(p, _)| p.contains("/secret/")).map(|(_, t)| t.clone()).collect()
    }
}

fn store_with(auth: VaultAuth, vault: &MockVault) -> VaultTokenStore {
    VaultTokenStore::builder_with_auth("http://127.0.0.1:8200", auth, vault.transport()).build().unwrap()
}

fn app_role() -> VaultAuth {
    VaultAuth::app_role("role-1", VaultSecretId::new(SECRET_ID.to_owned()))
}

#[tokio::test(start_paused = true)]
async fn app_role_logs_in_once_for_concurrent_requests() {
    let vault = MockVault::new(60);
    let store = store_with(app_role(), &vault);
    let gets = (0..8).map(|i| {
        let store = store.clone();
        async move { store.get(&format!("e{i}")).await }
    });
    for got in futures_util::future::join_all(gets).await {
        assert!(got.unwrap().is_none());
    }
    assert_eq!(vault.logins.load(Ordering::SeqCst), 1, "{:?}", vault.paths());
    assert_eq!(vault.kv_tokens(), vec!["login-token-1".to_owned(); 8]);
}

#[tokio::test(start_paused = true)]
async fn app_role_renews_at_two_thirds_of_the_ttl_and_logs_in_again_near_the_max_ttl() {
    let vault = MockVault::new(60);
    let store = store_with(app_role(), &vault);
    store.get("a").await.unwrap();
    tokio::time::advance(Duration::from_secs(39)).await;
    store.get("a").await.unwrap();
    assert!(!vault.paths().iter().any(|p| p.ends_with("renew-self")), "renewed before 2/3 of the TTL");
    tokio::time::advance(Duration::from_secs(2)).await;
    store.get("a").await.unwrap();
    assert_eq!(vault.paths().iter().filter(|p| p.ends_with("renew-self")).count(), 1, "{:?}", vault.paths());
    assert_eq!(vault.logins.load(Ordering::SeqCst), 1);
    // The max TTL caps the next renewal at 10 s (< 1/3 of 60): log in afresh instead.
    *vault.renew_ttl.lock().unwrap() = 10;
    tokio::time::advance(Duration::from_secs(41)).await;
    store.get("a").await.unwrap();
    assert_eq!(vault.logins.load(Ordering::SeqCst), 2, "{:?}", vault.paths());
    assert_eq!(vault.kv_tokens().last().unwrap(), "login-token-2");
}

#[tokio::test(start_paused = true)]
async fn a_refused_token_is_replaced_once_and_the_request_sent_once_more() {
    let vault = MockVault::new(3600);
    let store = store_with(app_role(), &vault);
    store.get("a").await.unwrap();
    // Vault revokes the token (an operator, a max TTL reached early).
    vault.valid.lock().unwrap().clear();
    assert!(store.get("a").await.unwrap().is_none(), "the retry with a new login's token answered");
    assert_eq!(vault.logins.load(Ordering::SeqCst), 2);
    assert_eq!(vault.kv_tokens(), ["login-token-1", "login-token-1", "login-token-2"]);
}

#[tokio::test(start_paused = true)]
async fn a_token_refused_again_after_the_refresh_is_permission_denied_after_two_attempts() {
    let vault = MockVault::new(3600);
    let store = store_with(app_role(), &vault);
    store.get("a").await.unwrap();
    // Every token is refused from now on; the login still works.
    let refuse_all = vault.clone();
    let transport = from_fn(move |request: HttpRequest| {
        let vault = refuse_all.clone();
        async move {
            vault.valid.lock().unwrap().retain(|t| t == "never");
            Ok(vault.answer(&request))
        }
    });
    let store =
        VaultTokenStore::builder_with_auth("http://127.0.0.1:8200", app_role(), Arc::new(transport)).build().unwrap();
    let err = store.compare_and_swap(entry("a"), Expected::Revision(3)).await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied, "{err}");
    assert_eq!(vault.kv_tokens().len(), 3, "one attempt, one refresh, one more attempt: {:?}", vault.paths());
    assert_no_canary(&format!("{err} {err:?} {store:?}"));
    assert!(!format!("{err:?}{store:?}").contains(SECRET_ID));
}

#[tokio::test(start_paused = true)]
async fn a_token_sent_as_is_is_never_looked_up_renewed_or_retried() {
    let vault = MockVault::new(60);
    let store = store_with(VaultAuth::token_as_is(VaultToken::new(TOKEN.to_owned())), &vault);
    tokio::time::advance(Duration::from_secs(3600)).await;
    let err = store.get("a").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::PermissionDenied);
    assert_eq!(vault.paths(), ["/v1/secret/data/patkit/a"]);
}

#[tokio::test(start_paused = true)]
async fn a_kept_alive_token_is_looked_up_then_renewed_before_it_expires() {
    let vault = MockVault::new(30);
    vault.valid.lock().unwrap().push(TOKEN.to_owned());
    let store = store_with(VaultAuth::token(VaultToken::new(TOKEN.to_owned())), &vault);
    store.get("a").await.unwrap();
    assert_eq!(vault.paths(), ["/v1/auth/token/lookup-self", "/v1/secret/data/patkit/a"]);
    tokio::time::advance(Duration::from_secs(21)).await;
    store.get("a").await.unwrap();
    assert_eq!(vault.paths()[2..], ["/v1/auth/token/renew-self", "/v1/secret/data/patkit/a"]);
    // It asked for the TTL the token was created with (90 s), not the 30 s it had left when
    // first looked up.
    assert_eq!(*vault.increments.lock().unwrap(), ["90s"]);
}

#[tokio::test(start_paused = true)]
async fn a_token_file_is_read_again_when_vault_refuses_its_token() {
    let dir = tempfile_dir();
    let path = dir.join("token");
    std::fs::write(&path, "file-token-1\n").unwrap();
    let vault = MockVault::new(3600);
    vault.valid.lock().unwrap().push("file-token-1".to_owned());
    let store = store_with(VaultAuth::token_file(&path), &vault);
    store.get("a").await.unwrap();
    // The agent logs in again and writes a new token; the old one is revoked.
    std::fs::write(&path, "file-token-2").unwrap();
    *vault.valid.lock().unwrap() = vec!["file-token-2".to_owned()];
    store.get("a").await.unwrap();
    assert_eq!(vault.kv_tokens(), ["file-token-1", "file-token-1", "file-token-2"]);
    // Unchanged file, refused token: no pointless retry.
    vault.valid.lock().unwrap().clear();
    assert_eq!(store.get("a").await.unwrap_err().kind(), StoreErrorKind::PermissionDenied);
    assert_eq!(vault.kv_tokens().len(), 4);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_missing_token_file_is_unavailable_and_names_the_path() {
    let vault = MockVault::new(60);
    let store = store_with(VaultAuth::token_file("/nonexistent/patkit/token"), &vault);
    let err = store.get("a").await.unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::Unavailable);
    assert!(err.message().contains("/nonexistent/patkit/token"), "{err}");
    assert!(vault.paths().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_namespace_goes_with_the_login_and_every_request() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let vault = MockVault::new(60);
    let inner = vault.clone();
    let transport = from_fn(move |request: HttpRequest| {
        log.lock().unwrap().push(request.headers().get("x-vault-namespace").map(|v| v.to_str().unwrap().to_owned()));
        let vault = inner.clone();
        async move { Ok(vault.answer(&request)) }
    });
    let store = VaultTokenStore::builder_with_auth("http://127.0.0.1:8200", app_role(), Arc::new(transport))
        .namespace("team/a")
        .build()
        .unwrap();
    store.get("a").await.unwrap();
    assert_eq!(*seen.lock().unwrap(), [Some("team/a".to_owned()), Some("team/a".to_owned())]);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("patkit-vault-auth-{}", crate::random::hex(16)));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Everything traced on this thread while `run` runs (TRACE level).
async fn traced<F: std::future::Future<Output = ()>>(run: F) -> String {
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
        type Writer = Capture;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }
    // A second dispatcher for the life of the binary makes every call site ask each thread's
    // own default (tests on other threads have none).
    static SECOND: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    run.await;
    drop(guard);
    String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned()
}

#[tokio::test(start_paused = true)]
async fn logins_renewals_and_refusals_trace_no_token_and_no_secret_id() {
    let vault = MockVault::new(60);
    let store = store_with(app_role(), &vault);
    let log = traced(async {
        store.get("a").await.unwrap();
        tokio::time::advance(Duration::from_secs(41)).await;
        store.get("a").await.unwrap();
        vault.valid.lock().unwrap().clear();
        store.get("a").await.unwrap();
    })
    .await;
    assert!(log.contains("logged in to Vault") && log.contains("token renewed"), "captured nothing: {log}");
    for secret in [SECRET_ID, "login-token-1", "login-token-2"] {
        assert!(!log.contains(secret), "{secret} traced: {log}");
    }
}

#[tokio::test(start_paused = true)]
async fn concurrent_requests_refused_together_share_one_new_login() {
    let vault = MockVault::new(3600);
    let store = store_with(app_role(), &vault);
    store.get("a").await.unwrap();
    vault.valid.lock().unwrap().clear();
    let gets = (0..8).map(|i| {
        let store = store.clone();
        async move { store.get(&format!("e{i}")).await }
    });
    for got in futures_util::future::join_all(gets).await {
        assert!(got.unwrap().is_none());
    }
    assert_eq!(vault.logins.load(Ordering::SeqCst), 2, "{:?}", vault.paths());
}

#[tokio::test(start_paused = true)]
async fn a_refusal_by_policy_of_a_live_token_logs_in_no_more() {
    let vault = MockVault::new(3600);
    let store = store_with(app_role(), &vault);
    store.get("a").await.unwrap();
    for _ in 0..3 {
        let err = store.get("forbidden").await.unwrap_err();
        assert_eq!(err.kind(), StoreErrorKind::PermissionDenied, "{err}");
    }
    assert_eq!(vault.logins.load(Ordering::SeqCst), 1, "{:?}", vault.paths());
    assert_eq!(vault.paths().iter().filter(|p| p.contains("forbidden")).count(), 3, "sent once each");
}
