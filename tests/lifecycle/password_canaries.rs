//! The password (and, on Forgejo, the one-time code) that Gitea, Forgejo and Bitbucket mint
//! tokens with never reaches the store, a log line, a report or an error: rotations, a failed
//! rotation, a scan and recovery through the file store, with everything logged at TRACE.

use std::sync::Arc;

use crate::lifecycle_support::world::{ONE_TIME_CODE_CANARY, PASSWORD_CANARY};
use crate::lifecycle_support::{Backend, World};
use crate::trace_capture::TraceCapture;
use patkit::lifecycle::{Outcome, Rotator, Scan};
use patkit::store::FileTokenStore;

/// Every file under `dir`, concatenated (the store's entries, lock files, anything else).
fn every_byte_under(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(every_byte_under(&path));
        } else {
            bytes.extend(std::fs::read(&path).unwrap());
        }
    }
    bytes
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(PASSWORD_CANARY), "{what} shows the password");
    assert!(!text.contains(ONE_TIME_CODE_CANARY), "{what} shows the one-time code");
}

#[tokio::test]
async fn no_password_or_one_time_code_reaches_the_store_a_log_line_or_a_report() {
    let (capture, _guard) = TraceCapture::start();
    for backend in [Backend::Gitea, Backend::Forgejo, Backend::Bitbucket] {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FileTokenStore::open(dir.path().join("store")).await.unwrap());
        let w = World::on(backend, store);
        let old = w.seed("ci-feed", "ci feed", 3).await;
        let rotator = Rotator::from_arcs(w.provider.clone(), w.store.clone()).clock(w.clock.clone()).force(true);
        let mut texts = Vec::new();
        for _ in 0..2 {
            let report = rotator.rotate("ci-feed").await;
            assert!(matches!(report.outcome, Outcome::Rotated(_)), "{backend:?}: {report}");
            texts.push(format!("{report} {report:?}"));
        }
        // A rotation that fails (the password was changed: every login is refused) and its error.
        w.gitea.set_password(w.gitea_user, "changed");
        w.bitbucket.set_password("alice", "changed");
        let failed = rotator.rotate("ci-feed").await;
        assert!(!matches!(failed.outcome, Outcome::Rotated(_)), "{backend:?}: {failed}");
        texts.push(format!("{failed} {failed:?}"));
        let scan = Scan::new().provider(w.direct_provider.clone()).store(w.inner_store.clone()).clock(w.clock.clone());
        match scan.run().await {
            Ok(report) => texts.push(format!("{report} {report:?}")),
            Err(error) => texts.push(format!("{error} {error:?}")),
        }
        let recovered = rotator.recover_ignoring_lease().await;
        texts.push(format!("{recovered:?}"));
        for text in &texts {
            assert_clean(&format!("{backend:?}: a report or error"), text);
        }
        let stored = every_byte_under(dir.path());
        assert!(!stored.is_empty());
        assert_clean(&format!("{backend:?}: the store"), &String::from_utf8_lossy(&stored));
        assert_ne!(w.inner_store.get("ci-feed").await.unwrap().unwrap().record.metadata.id, old.record.metadata.id);
    }
    let trace = capture.contents();
    assert!(trace.contains("gitea_token_create") && trace.contains("bitbucket_token_create"), "{trace}");
    assert_clean("the log", &trace);
}
