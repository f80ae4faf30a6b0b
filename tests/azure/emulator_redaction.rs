//! The emulator never keeps or logs a plain secret: a canary PAT and a canary-checked bearer
//! token go through every path, then the snapshot's Debug and captured tracing output are
//! searched for them.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use crate::emulator_support::{Harness, Mode};
use crate::trace_capture::TraceCapture;
use http::Method;
use patkit::PatSecret;
use patkit::azure::emulator::SeedPat;
use serde_json::json;

/// A legacy-format (52 characters, lower-case base-32) canary.
const CANARY: &str = "canarycanarycanarycanarycanarycanarycanarycanaryzzzz";

#[tokio::test]
async fn canary_secrets_never_reach_state_debug_or_logs() {
    assert_eq!(CANARY.len(), 52);
    let (logs, _guard) = TraceCapture::start();

    let mut secrets = vec![CANARY.to_owned()];
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        secrets.push(h.alice.bearer.expose_secret().to_owned());
        let seeded = h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("canary", "vso.code").secret(PatSecret::new(CANARY.to_owned())),
        );
        assert!(h.emulator.snapshot().token(&seeded.id).unwrap().legacy_format);
        // Use it where it works and where it is refused.
        let ok = h.req(Method::GET, "_apis/connectionData").basic(CANARY).send().await;
        assert_eq!(ok.status, 200, "{mode:?}");
        assert_eq!(h.pats(Method::GET, "").basic(CANARY).send().await.status, 403);
        // A created secret, used and then revoked.
        let (id, created) = h.create_ok(&h.alice, "fresh", "vso.code").await;
        secrets.push(created.clone());
        assert_eq!(h.req(Method::GET, "_apis/connectionData").basic(&created).send().await.status, 200);
        h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(h.req(Method::GET, "_apis/connectionData").basic(&created).send().await.status, 401);
        h.pats(Method::PUT, "")
            .bearer(&h.alice.bearer)
            .json(&json!({"authorizationId": seeded.id.as_str(), "displayName": "x"}))
            .send()
            .await;

        let snapshot = h.emulator.snapshot();
        let dumps =
            [format!("{snapshot:?}"), format!("{snapshot:#?}"), format!("{:?}", h.emulator), format!("{:?}", h.alice)];
        for dump in &dumps {
            for secret in &secrets {
                assert!(!dump.contains(secret.as_str()), "{mode:?}: a secret in Debug output");
            }
        }
        h.shutdown().await;
    }
    let logs = logs.contents();
    assert!(logs.contains("patkit emulator") && logs.contains("tokens/pats"), "the emulator logged requests: {logs}");
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret in the logs");
    }
}
