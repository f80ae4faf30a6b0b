//! The client's `patkit.request` span: one per request, carrying operation, organization,
//! status, attempts and elapsed time, and never a secret at any level.
//!
//! A full lifecycle (create, get, list, update, check_pat, revoke, Token Admin list and revoke,
//! with a PAT credential too) runs against the emulator over loopback HTTP while TRACE output is
//! captured; the canary PAT, the created secret and the bearer token must not appear in it.
//!
//! Alone in its own test binary with one test: tracing caches per call site whether anyone
//! listens, so another test without a subscriber could make this one miss events.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt as _;
use patkit::azure::AzureDevOpsClient;
use patkit::azure::PatCredential;
use patkit::azure::emulator::{Emulator, Fault, FaultRule, SeedPat};
use patkit::azure::operations as op;
use patkit::transport::{BackoffConfig, ReqwestTransport, RetryConfig};
use patkit::{PatSecret, Scopes};
use tracing_subscriber::fmt::format::FmtSpan;

/// A legacy-format (52 characters, lower-case base-32) canary PAT.
const CANARY_PAT: &str = "tracingcanarytracingcanarytracingcanarytracingcanary";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn quick_retries() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig { initial: Duration::from_millis(5), max: Duration::from_millis(20), multiplier: 2.0 },
        ..RetryConfig::default()
    }
}

#[tokio::test]
async fn request_spans_carry_their_fields_and_no_secret_at_trace() {
    assert_eq!(CANARY_PAT.len(), 52);
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let emulator = Emulator::new();
    emulator.add_organization("fabrikam");
    let alice = emulator.add_user("Alice");
    emulator.make_org_admin("fabrikam", alice.id);
    emulator.seed_pat(
        "fabrikam",
        alice.id,
        SeedPat::new("canary", "vso.tokenadministration").secret(PatSecret::new(CANARY_PAT.to_owned())),
    );
    // A failed list and a failed revoke, so some spans record a second attempt.
    emulator.inject(FaultRule::new(op::LIST, Fault::ServerError { status: 503 }));
    emulator.inject(FaultRule::new(op::REVOKE, Fault::ServerError { status: 500 }));
    let server = emulator.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let client = AzureDevOpsClient::builder("fabrikam", alice.credential())
        .base_url(server.base_url())
        .transport(ReqwestTransport::new().unwrap())
        .retry(quick_retries())
        .build()
        .unwrap();

    let created = client.create("traced", Scopes::parse("vso.code").unwrap()).send().await.unwrap();
    let id = created.metadata.id.clone();
    client.get(&id).await.unwrap();
    let listed: Vec<_> = client.list().page_size(1).items().try_collect().await.unwrap();
    assert_eq!(listed.len(), 2);
    client.update(&id).display_name("traced-renamed").send().await.unwrap();
    assert!(client.check_pat(&created.secret).await.unwrap());
    assert!(client.check_pat(&PatSecret::new(CANARY_PAT.to_owned())).await.unwrap());
    client.revoke(&id).await.unwrap();
    assert!(!client.check_pat(&created.secret).await.unwrap());
    let admin = client.token_admin();
    let theirs: Vec<_> = admin.list_pats(alice.descriptor.clone()).items().try_collect().await.unwrap();
    assert!(!theirs.is_empty());
    admin.revoke(std::slice::from_ref(&id)).await.unwrap();
    // Token Admin with the canary PAT as the credential (sent as Basic).
    let by_pat = AzureDevOpsClient::builder("fabrikam", PatCredential::new(PatSecret::new(CANARY_PAT.to_owned())))
        .base_url(server.base_url())
        .transport(ReqwestTransport::new().unwrap())
        .build()
        .unwrap();
    let via_pat: Vec<_> = by_pat.token_admin().list_pats(alice.descriptor.clone()).items().try_collect().await.unwrap();
    assert_eq!(via_pat.len(), theirs.len());
    // A failure path too: a refused PAT credential on the PAT API.
    by_pat.get(&id).await.unwrap_err();
    server.shutdown().await;

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let closes: Vec<&str> = logs.lines().filter(|l| l.contains("patkit.request{") && l.contains("close")).collect();
    for op in ["create", "get", "list", "update", "check_token", "revoke", "admin_list_pats", "admin_revoke"] {
        let line = closes
            .iter()
            .find(|l| l.contains(&format!("operation=\"{op}\"")))
            .unwrap_or_else(|| panic!("no closed span for {op}: {logs}"));
        for field in ["organization=fabrikam", "status=", "attempts=", "elapsed_ms="] {
            assert!(line.contains(field), "{op}: {field} missing in {line}");
        }
    }
    assert!(
        closes.iter().any(|l| l.contains("operation=\"list\"") && l.contains("attempts=2") && l.contains("status=200")),
        "the retried list records its second attempt: {logs}"
    );
    assert!(
        closes
            .iter()
            .any(|l| l.contains("operation=\"revoke\"") && l.contains("attempts=2") && l.contains("status=204")),
        "the retried revoke records its second attempt: {logs}"
    );
    assert!(logs.contains("patkit: attempt done"), "per-attempt events inside the span: {logs}");
    assert!(logs.contains("patkit: retrying request"), "{logs}");

    for (what, secret) in [
        ("canary PAT", CANARY_PAT),
        ("created secret", created.secret.expose_secret()),
        ("bearer", alice.bearer.expose_secret()),
    ] {
        assert!(!logs.contains(secret), "the {what} is in the trace output");
    }
    for marker in ["Bearer ", "Basic ", "authorization:", "\"token\""] {
        assert!(!logs.to_ascii_lowercase().contains(&marker.to_ascii_lowercase()), "{marker} in the trace output");
    }
}
