//! `AzureCliCredential` against a fake `az` program put on the child's PATH.
//!
//! The fake is a shell script in a fresh temporary directory; the credential gets that directory
//! on the PATH it passes to az (the test process's environment is never changed, since tests run
//! in parallel). The script appends its arguments to `calls` beside itself, so tests can count
//! and inspect invocations.
#![cfg(unix)]

use std::time::Duration;

use chrono::TimeDelta;
use patkit::CredentialErrorKind;
use patkit::auth::Credential;
use patkit::azure::AzureCliCredential;

use crate::fake_az::*;

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

/// Old az (before 2.54) prints only `expiresOn`, in the local time of its own process: patkit runs
/// it with `TZ=UTC0`, so the time is read as UTC whatever the caller's zone (even a `TZ` passed
/// with `env`, which patkit overrides).
#[tokio::test]
async fn old_az_local_expiry_is_printed_and_read_in_utc() {
    let expiry = BASE + 3600;
    let fake = FakeAz::new(&format!(
        r#"printf '{{"accessToken": "token-%s", "expiresOn": "%s.000000"}}\n' "$(wc -l < "$d/calls" | tr -d ' ')" "$(date -d @{expiry} '+%Y-%m-%d %H:%M:%S')""#
    ));
    let clock = clock_at(BASE);
    // UTC+5:30 in POSIX syntax (no time zone database needed): read as local time there, the
    // expiry would be five and a half hours late.
    let credential = fake.credential().env("TZ", "IST-5:30").clock(clock.clone());
    assert_eq!(token(&credential).await, "token-1");
    clock.advance(TimeDelta::seconds(3600 - 301)); // 5 min 1 s before the expiry: still cached
    assert_eq!(token(&credential).await, "token-1");
    clock.advance(TimeDelta::seconds(1)); // 5 min before: refreshed
    assert_eq!(token(&credential).await, "token-2");
    assert_eq!(fake.calls().len(), 2);
}
