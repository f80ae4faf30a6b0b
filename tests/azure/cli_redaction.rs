//! The Azure CLI credential with a canary token: never in an error, a `Debug` or a trace line.
//!
//! Alone in its own test binary: tracing caches per-callsite interest globally, so a test on
//! another thread without a subscriber could make this one miss events.
#![cfg(unix)]

use crate::fake_az::*;
use crate::trace_capture::TraceCapture;
use patkit::auth::Credential;

#[test]
fn canary_token_never_appears_in_errors_debug_or_traces() {
    let (capture, _guard) = TraceCapture::start();
    let mut texts = Vec::new();
    {
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
    }
    texts.push(capture.contents());
    assert!(texts[texts.len() - 1].contains("obtained an access token"), "the trace event was not captured");
    for text in &texts {
        assert!(!text.contains("CANARY"), "canary leaked: {text}");
    }
}
