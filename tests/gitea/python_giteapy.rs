//! giteapy (1.0.8, swagger-generated from Gitea's API), a client no one here wrote, drives the
//! Gitea and Forgejo emulators over loopback: a two-factor password login creates, lists (typed,
//! raw, and page by page) and deletes tokens (by id, by name, ambiguous, missing); the new token
//! authenticates by header and query but manages nothing; a site admin lists users and
//! offboards a user's tokens.
//!
//! Needs `python3` with `giteapy==1.0.8` (installed by `scripts/test-services.sh install`).
//! Without it the test prints a notice and passes, unless `PATKIT_REQUIRE_SERVICES=1` (set by
//! `scripts/with-services.sh`), where it fails.
#![cfg(all(feature = "emulator", feature = "gitea"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use patkit::ManualClock;
use patkit::gitea::emulator::{Emulator, Flavor, SeedToken, operations};
use serde_json::{Value, json};

fn require_services() -> bool {
    std::env::var("PATKIT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// `python3` with giteapy, or why not.
async fn python_with_giteapy() -> Result<(), String> {
    let probe = tokio::process::Command::new("python3")
        .args(["-c", "import giteapy; from giteapy.rest import ApiException"])
        .output()
        .await
        .map_err(|e| format!("python3 could not be run: {e}"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 cannot import giteapy (pip install giteapy==1.0.8): {}",
            String::from_utf8_lossy(&probe.stderr).lines().last().unwrap_or("")
        ))
    }
}

/// ASCII: giteapy (urllib3) encodes Basic credentials as Latin-1, so a non-ASCII password would
/// reach any server as bytes that are not its UTF-8 password.
const ALICE_PW: &str = "alice-pw-314";
const ALICE_OTP: &str = "314159";
const BOB_PW: &str = "bob-pw";
const ROOT_PW: &str = "root-pw";

async fn drive(flavor: Flavor) {
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let emulator = Emulator::with_clock(flavor, Arc::new(ManualClock::new(start)));
    let alice = emulator.add_user("alice", ALICE_PW);
    emulator.set_one_time_code(alice.id, Some(ALICE_OTP));
    let bob = emulator.add_user("bob", BOB_PW);
    emulator.add_admin("root", ROOT_PW);
    let mut seeded = Vec::new();
    for i in 0..4 {
        seeded.push(emulator.seed_token(alice.id, SeedToken::new(&format!("old-{i}"), &["read:user"])).id);
    }
    // Two tokens of one name: only a seed (an older instance, a migration) can make them.
    for _ in 0..2 {
        seeded.push(emulator.seed_token(alice.id, SeedToken::new("twin", &["read:user"])).id);
    }
    let bobs = emulator.seed_token(bob.id, SeedToken::new("bobs", &["all"]));

    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/gitea_giteapy.py");
    let output = tokio::process::Command::new("python3")
        .arg(&script)
        .env("PATKIT_GT_URL", server.base_url())
        .env("PATKIT_GT_OTP_HEADER", if flavor == Flavor::Forgejo { "X-Forgejo-OTP" } else { "X-Gitea-OTP" })
        .env("PATKIT_GT_ALICE_PW", ALICE_PW)
        .env("PATKIT_GT_ALICE_OTP", ALICE_OTP)
        .env("PATKIT_GT_BOB_PW", BOB_PW)
        .env("PATKIT_GT_ROOT_PW", ROOT_PW)
        .env("PATKIT_GT_LIMIT", "3")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()
        .await
        .unwrap();
    server.shutdown().await;
    // A traceback quotes answers, never requests; still, keep the passwords out of the report.
    let mut stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for secret in [ALICE_PW, ALICE_OTP, BOB_PW, ROOT_PW] {
        stderr = stderr.replace(secret, "<secret>");
    }
    assert!(output.status.success(), "the giteapy script failed ({flavor:?}): {stderr}");
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids = |v: &Value| -> Vec<u64> { v.as_array().unwrap().iter().map(|i| i.as_u64().unwrap()).collect() };

    assert_eq!(r["no_otp"], json!({"status": 401, "message": "invalid provided OTP"}), "{flavor:?}");
    let created = r["created"]["id"].as_u64().unwrap();
    assert_eq!(
        (r["created"]["sha1_is_token"].as_bool(), r["created"]["last_eight_matches"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(r["created"]["scopes"], json!(["write:repository", "read:user"]));
    assert_eq!(r["duplicate"], json!({"status": 400, "message": "access token name has been used already"}));
    assert_eq!(r["model_without_scopes"], json!({"status": 400, "message": "access token must have a scope"}));
    assert_eq!(r["bad_scope"]["status"], 400);

    assert_eq!(
        r["typed_names"],
        json!(["ci-bot", "old-0", "old-1", "old-2", "old-3", "twin", "twin", "twin-a", "twin-b"])
    );
    let mut all = seeded.clone();
    all.push(created);
    all.extend([created + 1, created + 2]);
    all.reverse();
    assert_eq!(ids(&r["listed_ids"]), all, "newest first");
    assert_eq!(r["sha1_in_list"], json!([]));
    let pages: Vec<Vec<u64>> = r["pages"].as_array().unwrap().iter().map(&ids).collect();
    // Nine tokens at three a page: three full pages, then an empty one ends the walk.
    assert_eq!(pages, [all[..3].to_vec(), all[3..6].to_vec(), all[6..].to_vec(), Vec::new()]);
    assert_eq!((r["totals"].clone(), r["links"].clone()), (json!(["9"]), json!(["None"])));

    assert_eq!((r["whoami_header"].as_str(), r["whoami_query"].as_str()), (Some("alice"), Some("alice")));
    assert_eq!(r["token_lists"], json!({"status": 401, "message": "auth required"}));
    assert_eq!(r["token_creates"]["status"], 401);
    assert_eq!(r["deleted_token_works"], 401);
    assert_eq!(r["ambiguous"], json!({"status": 422, "message": "multiple matches for token name"}));
    assert_eq!(r["missing"]["status"], 404);
    assert_eq!(r["after_deletes"], json!(["old-0", "old-1", "old-2", "old-3", "twin", "twin"]));

    assert_eq!(
        r["bob_on_alice"],
        json!({"status": 403, "message": "doer should be the site admin or be same as the contextUser"})
    );
    assert_eq!(r["users"], json!(["alice", "bob", "root"]));
    assert_eq!((r["offboarded"].as_u64(), r["alice_left"].clone()), (Some(6), json!([])));
    let snapshot = emulator.snapshot();
    assert!(snapshot.tokens_of(alice.id).is_empty());
    assert!(snapshot.token(bobs.id).is_some(), "nobody else's token was touched");
    assert_eq!(emulator.requests_seen(operations::ADMIN_USERS), 1);
    assert_eq!(emulator.requests_seen(operations::TOKEN_DELETE), 5 + 6, "Alice's five, root's six");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn giteapy_creates_lists_and_deletes_tokens_on_gitea_and_forgejo() {
    if let Err(why) = python_with_giteapy().await {
        assert!(!require_services(), "PATKIT_REQUIRE_SERVICES=1 but {why}");
        eprintln!("SKIPPED giteapy_creates_lists_and_deletes_tokens_on_gitea_and_forgejo: {why}");
        return;
    }
    drive(Flavor::Gitea).await;
    drive(Flavor::Forgejo).await;
}
