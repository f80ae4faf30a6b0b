//! `AzureCliCredential` against a fake `az` program put on the child's PATH.
//!
//! The fake is a shell script in a fresh temporary directory; the credential gets that directory
//! on the PATH it passes to az (the test process's environment is never changed, since tests run
//! in parallel). The script appends its arguments to `calls` beside itself, so tests can count
//! and inspect invocations.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use patkit::auth::{AccessCredential, AzureCliCredential, Credential};
use patkit::{CredentialErrorKind, Error, ManualClock};

const RESOURCE: &str = "499b84ac-1321-427f-aa17-267ca6975798";
/// 2026-01-01T00:00:00Z.
const BASE: i64 = 1_767_225_600;
const CANARY: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOi.CANARY-az-token-51c9.sig";

struct FakeAz {
    dir: PathBuf,
}

impl FakeAz {
    /// A directory holding an `az` script whose body is `body` (run by `/bin/sh`).
    fn new(body: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "patkit-fake-az-{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let fake = Self { dir };
        if !body.is_empty() {
            let script = fake.dir.join("az");
            let text = format!("#!/bin/sh\nd=\"$(dirname \"$0\")\"\necho \"$*\" >> \"$d/calls\"\n{body}\n");
            std::fs::write(&script, text).unwrap();
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        fake
    }

    /// A fake that prints token `token-N` (N = invocation number) expiring one hour after
    /// `BASE + (N-1) hours`.
    fn counting() -> Self {
        Self::new(&format!(
            r#"n=$(wc -l < "$d/calls" | tr -d ' ')
printf '{{"accessToken": "token-%s", "expiresOn": "2000-01-01 00:00:00.000000", "expires_on": %s, "subscription": "s", "tenant": "t", "tokenType": "Bearer"}}\n' "$n" $(({BASE} + n * 3600))"#
        ))
    }

    fn credential(&self) -> AzureCliCredential {
        AzureCliCredential::new().env("PATH", format!("{}:/usr/bin:/bin", self.dir.display()))
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("calls")).unwrap_or_default().lines().map(str::to_owned).collect()
    }
}

impl Drop for FakeAz {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn clock_at(unix: i64) -> ManualClock {
    ManualClock::new(DateTime::from_timestamp(unix, 0).unwrap())
}

async fn token(credential: &AzureCliCredential) -> String {
    match credential.credential().await.unwrap() {
        AccessCredential::Bearer(token) => token.expose_secret().to_owned(),
        other => panic!("expected a bearer token, got {other:?}"),
    }
}

fn credential_error(result: patkit::Result<AccessCredential>) -> (CredentialErrorKind, String, Error) {
    match result {
        Err(e @ Error::Credential { .. }) => {
            let Error::Credential { kind, message, .. } = &e else { unreachable!() };
            (*kind, message.to_string(), e)
        }
        Err(other) => panic!("expected a credential error, got {other:?}"),
        Ok(c) => panic!("expected an error, got {c:?}"),
    }
}

/// Display, Debug and the whole source chain of an error.
fn all_text(e: &Error) -> String {
    let mut text = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[tokio::test]
async fn success_parses_the_token_and_runs_the_documented_command() {
    let fake = FakeAz::counting();
    let credential = fake.credential().tenant("contoso.onmicrosoft.com").clock(clock_at(BASE));
    assert_eq!(token(&credential).await, "token-1");
    assert_eq!(
        fake.calls(),
        [format!("account get-access-token --resource {RESOURCE} --output json --tenant contoso.onmicrosoft.com")]
    );
}

#[tokio::test]
async fn caches_until_the_margin_before_expiry_then_refreshes() {
    let fake = FakeAz::counting();
    let clock = clock_at(BASE);
    let credential = fake.credential().clock(clock.clone()); // default margin: 5 minutes
    assert_eq!(token(&credential).await, "token-1"); // expires at BASE + 1h
    assert_eq!(token(&credential).await, "token-1");
    clock.advance(TimeDelta::seconds(3600 - 301)); // 5 min 1 s before expiry: still cached
    assert_eq!(token(&credential).await, "token-1");
    assert_eq!(fake.calls().len(), 1);
    clock.advance(TimeDelta::seconds(1)); // exactly 5 min before expiry: refresh
    assert_eq!(token(&credential).await, "token-2"); // expires at BASE + 2h
    assert_eq!(token(&credential).await, "token-2");
    assert_eq!(fake.calls().len(), 2);

    // Clones share the cache; a custom margin moves the refresh point.
    // token-3 expires at BASE + 3h, 2h05 from now: inside a 3 h margin, so it is never reused.
    let wide = fake.credential().clock(clock.clone()).refresh_margin(Duration::from_secs(3 * 3600));
    assert_eq!(token(&wide).await, "token-3");
    assert_eq!(token(&wide.clone()).await, "token-4");
    assert_eq!(token(&credential.clone()).await, "token-2");
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let fake = FakeAz::counting();
    let credential = fake.credential().clock(clock_at(BASE));
    let tokens = futures_util::future::join_all((0..8).map(|_| token(&credential))).await;
    assert!(tokens.iter().all(|t| t == "token-1"), "{tokens:?}");
    assert_eq!(fake.calls().len(), 1);
}

#[tokio::test]
async fn missing_az_is_unavailable_with_a_clear_message() {
    let empty = FakeAz::new("");
    let credential = AzureCliCredential::new().env("PATH", empty.dir.as_os_str());
    let (kind, message, _) = credential_error(credential.credential().await);
    assert_eq!(kind, CredentialErrorKind::Unavailable);
    assert_eq!(message, "the Azure CLI (`az`) was not found on PATH; install it or use another credential");

    let custom = AzureCliCredential::new().program(empty.dir.join("no-such-az"));
    let (kind, message, _) = credential_error(custom.credential().await);
    assert_eq!(kind, CredentialErrorKind::Unavailable);
    assert!(message.contains("no-such-az") && message.contains("was not found"), "{message}");
}

#[tokio::test]
async fn not_logged_in_says_run_az_login() {
    let fake = FakeAz::new("echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1");
    let (kind, message, _) = credential_error(fake.credential().credential().await);
    assert_eq!(kind, CredentialErrorKind::NotLoggedIn);
    assert!(message.contains("run `az login`"), "{message}");
    assert!(message.contains("Please run 'az login' to setup account."), "{message}");
}

#[tokio::test]
async fn other_failures_quote_the_first_line_of_stderr_only() {
    let fake = FakeAz::new("echo 'ERROR: Subscription boom not found.' >&2\necho 'second line' >&2\nexit 2");
    let (kind, message, _) = credential_error(fake.credential().credential().await);
    assert_eq!(kind, CredentialErrorKind::Other);
    assert!(message.contains("exit status: 2") && message.contains("Subscription boom not found."), "{message}");
    assert!(!message.contains("second line"), "{message}");
}

#[tokio::test]
async fn garbage_output_is_an_other_error_and_failures_are_not_cached() {
    let fake = FakeAz::new("echo 'this is not json'");
    let credential = fake.credential();
    let (kind, message, _) = credential_error(credential.credential().await);
    assert_eq!(kind, CredentialErrorKind::Other);
    assert!(message.contains("could not parse the output of `az account get-access-token`"), "{message}");
    assert!(credential.credential().await.is_err());
    assert_eq!(fake.calls().len(), 2);
}

#[test]
fn canary_token_never_appears_in_errors_debug_or_traces() {
    use tracing_subscriber::fmt::MakeWriter;

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
    impl<'a> MakeWriter<'a> for Capture {
        type Writer = Capture;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let mut texts = Vec::new();
    tracing::subscriber::with_default(subscriber, || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            // A good token: the credential's Debug after caching it, and its trace events.
            let good =
                FakeAz::new(&format!("printf '{{\"accessToken\": \"{CANARY}\", \"expires_on\": {}}}\\n'", BASE + 3600));
            let credential = good.credential().clock(clock_at(BASE));
            let got = credential.credential().await.unwrap();
            texts.push(format!("{got:?} {credential:?} {credential:#?}"));

            // The token in output that fails to parse, in stderr of a failing run, on both streams.
            for body in [
                format!("printf '{{\"accessToken\": \"{CANARY}\", \"expiresOn\": \"{CANARY}\"}}'"),
                format!("printf '{{\"accessToken\": \"{CANARY}\"'"),
                format!("echo 'ERROR: token {CANARY} rejected' >&2; exit 1"),
                format!("echo '{CANARY}'; echo \"ERROR: Please run 'az login' {CANARY}\" >&2; exit 1"),
            ] {
                let fake = FakeAz::new(&body);
                let err = fake.credential().credential().await.unwrap_err();
                texts.push(all_text(&err));
            }
        });
    });
    texts.push(String::from_utf8(capture.0.lock().unwrap().clone()).unwrap());
    assert!(texts[texts.len() - 1].contains("obtained an access token"), "the trace event was not captured");
    for text in &texts {
        assert!(!text.contains("CANARY"), "canary leaked: {text}");
    }
}
