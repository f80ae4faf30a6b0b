//! python-gitlab (4.13.0), a client no one here wrote, drives the GitLab emulator over loopback:
//! list with pagination, get, get self, rotate, self-rotate, reuse detection, revoke, admin
//! create, project access tokens (list, create, get, rotate, revoke), and a plain-text 429 it
//! waits out.
//!
//! Needs `python3` with `python-gitlab==4.13.0` (installed by `scripts/test-services.sh install`).
//! Without it the test prints a notice and passes, unless `PATKIT_REQUIRE_SERVICES=1` (set by
//! `scripts/with-services.sh`), where it fails.
#![cfg(all(feature = "emulator", feature = "gitlab"))]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use patkit::ManualClock;
use patkit::gitlab::emulator::{Emulator, Fault, FaultRule, ResourceKind, SeedToken, operations};
use serde_json::Value;

fn require_services() -> bool {
    std::env::var("PATKIT_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// `python3` with python-gitlab, or why not.
async fn python_with_gitlab() -> Result<(), String> {
    let probe = tokio::process::Command::new("python3")
        .args(["-c", "import gitlab; from gitlab.mixins import RotateMixin"])
        .output()
        .await
        .map_err(|e| format!("python3 could not be run: {e}"))?;
    if probe.status.success() {
        Ok(())
    } else {
        Err(format!(
            "python3 cannot import python-gitlab (pip install python-gitlab==4.13.0): {}",
            String::from_utf8_lossy(&probe.stderr).lines().last().unwrap_or("")
        ))
    }
}

fn ids(v: &Value) -> Vec<u64> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|i| i.as_u64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_gitlab_lists_gets_rotates_revokes_and_manages_project_tokens() {
    if let Err(why) = python_with_gitlab().await {
        assert!(!require_services(), "PATKIT_REQUIRE_SERVICES=1 but {why}");
        eprintln!("SKIPPED python_gitlab_lists_gets_rotates_revokes_and_manages_project_tokens: {why}");
        return;
    }
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
    let emulator = Emulator::with_clock(Arc::new(ManualClock::new(start)));
    let alice = emulator.add_user("alice");
    let bob = emulator.add_user("bob");
    let maria = emulator.add_user("maria");
    let root = emulator.add_admin("root");

    let main = emulator.seed_token(alice.id, SeedToken::new("main", &["api"]));
    let self_rotator = emulator.seed_token(alice.id, SeedToken::new("self-rotator", &["self_rotate"]));
    let mut alice_ids = vec![main.id, self_rotator.id];
    for i in 1..=9 {
        alice_ids.push(emulator.seed_token(alice.id, SeedToken::new(&format!("filler-{i:02}"), &["read_api"])).id);
    }
    let rotate_me = emulator.seed_token(alice.id, SeedToken::new("rotate-me", &["api"]).description("to rotate"));
    let revoke_me = emulator.seed_token(alice.id, SeedToken::new("revoke-me", &["api"]));
    let deploy = emulator.seed_token(alice.id, SeedToken::new("deploy-key", &["read_repository"]));
    let old_revoked = emulator.seed_token(alice.id, SeedToken::new("old-revoked", &["api"]).revoked());
    let old_expired = emulator.seed_token(
        alice.id,
        SeedToken::new("old-expired", &["api"]).expires_at(Some(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())),
    );
    alice_ids.extend([rotate_me.id, revoke_me.id, deploy.id, old_revoked.id, old_expired.id]);
    let bobs = emulator.seed_token(bob.id, SeedToken::new("bob-token", &["api"]));
    let marias = emulator.seed_token(maria.id, SeedToken::new("maria", &["api"]));
    let roots = emulator.seed_token(root.id, SeedToken::new("root", &["api", "sudo"]));
    let project = emulator.add_project("acme/app");
    emulator.add_member(ResourceKind::Project, project, maria.id, 40);
    let existing_bot =
        emulator.seed_resource_token(ResourceKind::Project, project, SeedToken::new("existing-bot", &["api"]));
    let last_seeded = existing_bot.id;

    // The first `GET …/self` is throttled: python-gitlab must wait out `Retry-After` and retry.
    emulator.inject(FaultRule::new(operations::GET_SELF, Fault::RateLimited { retry_after: Duration::from_secs(1) }));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/gitlab_python_gitlab.py");
    let output = tokio::process::Command::new("python3")
        .arg(&script)
        .env("PATKIT_GL_URL", server.base_url())
        .env("PATKIT_GL_ALICE", main.secret.expose_secret())
        .env("PATKIT_GL_SELF_ROTATE", self_rotator.secret.expose_secret())
        .env("PATKIT_GL_MAINTAINER", marias.secret.expose_secret())
        .env("PATKIT_GL_ADMIN", roots.secret.expose_secret())
        .env("PATKIT_GL_BOB_TOKEN_ID", bobs.id.to_string())
        .env("PATKIT_GL_PROJECT", "acme/app")
        .env("PATKIT_GL_ALICE_ID", alice.id.to_string())
        .env("PATKIT_GL_EXPIRES", "2026-07-01")
        .env("PATKIT_GL_PER_PAGE", "5")
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .output()
        .await
        .unwrap();
    server.shutdown().await;
    let mut stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    for secret in [&main.secret, &self_rotator.secret, &marias.secret, &roots.secret] {
        stderr = stderr.replace(secret.expose_secret(), "<secret>");
    }
    assert!(output.status.success(), "the python-gitlab script failed: {stderr}");
    let r: Value = serde_json::from_slice(&output.stdout).unwrap();

    assert_eq!(r["whoami"], "alice");
    // Pagination: 16 tokens at 5 per page, every one once, in id order, across 4 pages.
    assert_eq!(
        (r["list_total"].as_u64(), r["list_total_pages"].as_u64(), r["list_per_page"].as_u64()),
        (Some(16), Some(4), Some(5))
    );
    assert_eq!(ids(&r["listed"]), alice_ids);
    assert_eq!(ids(&r["listed_all"]), alice_ids);
    assert_eq!(ids(&r["first_page"]), alice_ids[..5]);
    let active: Vec<u64> = alice_ids.iter().copied().filter(|i| *i != old_revoked.id && *i != old_expired.id).collect();
    assert_eq!(ids(&r["active"]), active);
    assert_eq!(ids(&r["revoked"]), [old_revoked.id]);
    assert_eq!(ids(&r["search"]), [deploy.id]);
    assert_eq!(r["secret_in_list"], false);

    assert_eq!(r["get"]["id"], main.id);
    assert_eq!((r["get"]["has_token"].as_bool(), r["get"]["active"].as_bool()), (Some(false), Some(true)));
    assert_eq!(r["get"]["expires_at"], "2026-07-01");
    assert_eq!(r["self"]["id"], main.id);
    assert_eq!(r["foreign_get"]["code"], 401, "{r}");
    assert_eq!(r["foreign_get"]["type"], "GitlabAuthenticationError");

    // Rotate: a new id with the old name, the secret only in the answer, the old one revoked.
    let rotated = r["rotated"]["new_id"].as_u64().unwrap();
    assert_eq!(r["rotated"]["old_id"], rotate_me.id);
    assert!(rotated > last_seeded, "ids are allocated monotonically");
    assert_eq!(
        (r["rotated"]["token_is_glpat"].as_bool(), r["rotated"]["name"].as_str()),
        (Some(true), Some("rotate-me"))
    );
    assert_eq!(r["rotated"]["expires_at"], "2026-07-01");
    // A retried rotate of the old id: 400, and the family (the new token too) is revoked.
    assert_eq!(
        (r["rerotate"]["code"].as_u64(), r["rerotate"]["type"].as_str()),
        (Some(400), Some("GitlabRotateError"))
    );
    assert!(r["rerotate"]["message"].as_str().unwrap().contains("Token already revoked"), "{r}");
    assert_eq!(r["after_rerotate"], true);
    assert_eq!(emulator.family(rotate_me.id), [rotate_me.id, rotated]);
    let snapshot = emulator.snapshot();
    assert!(snapshot.token(rotate_me.id).unwrap().revoked && snapshot.token(rotated).unwrap().revoked);
    assert_eq!(snapshot.token(rotated).unwrap().description.as_deref(), Some("to rotate"));

    // Self-rotate with only `self_rotate`: the old secret is revoked, the new one works.
    let self_new = r["self_rotated"]["id"].as_u64().unwrap();
    assert_eq!(
        (r["self_rotated"]["token_is_glpat"].as_bool(), r["self_rotated"]["expires_at"].as_str()),
        (Some(true), Some("2026-07-01"))
    );
    assert_eq!(
        (r["old_self_secret"]["code"].as_u64(), r["old_self_secret"]["type"].as_str()),
        (Some(401), Some("GitlabAuthenticationError"))
    );
    // python-gitlab reports the `error` field of the revoked-token body, not its description.
    assert_eq!(r["old_self_secret"]["message"], "invalid_token", "{r}");
    assert_eq!(r["new_self_secret_id"], self_new);
    assert_eq!(snapshot.token(self_new).unwrap().previous_id, Some(self_rotator.id));

    // Revoke is soft.
    assert_eq!((r["revoked_id"].as_u64(), r["revoked_still_listed"].as_bool()), (Some(revoke_me.id), Some(true)));
    assert!(snapshot.token(revoke_me.id).unwrap().revoked);

    // Admin create for a user; a non-admin gets 403.
    let made = r["admin_created"]["id"].as_u64().unwrap();
    assert_eq!(
        (r["admin_created"]["user_id"].as_u64(), r["admin_created"]["token_is_glpat"].as_bool()),
        (Some(alice.id), Some(true))
    );
    assert_eq!(r["admin_created"]["scopes"], serde_json::json!(["read_api"]));
    assert!(ids(&r["admin_lists_alice"]).contains(&made));
    assert!(ids(&r["admin_lists_alice"]).iter().all(|i| snapshot.token(*i).unwrap().user_id == alice.id));
    assert_eq!(
        (r["non_admin_create"]["code"].as_u64(), r["non_admin_create"]["type"].as_str()),
        (Some(403), Some("GitlabCreateError"))
    );

    // Project access tokens.
    assert_eq!(ids(&r["project_before"]), [existing_bot.id]);
    let created = r["project_created"]["id"].as_u64().unwrap();
    assert_eq!(
        (r["project_created"]["access_level"].as_u64(), r["project_created"]["token_is_glpat"].as_bool()),
        (Some(30), Some(true))
    );
    let bot = r["project_created"]["user_id"].as_u64().unwrap();
    assert!(snapshot.users.iter().any(|u| u.id == bot && u.bot), "the token belongs to a new bot user");
    let members =
        &snapshot.resources.iter().find(|p| p.kind == ResourceKind::Project && p.id == project).unwrap().members;
    assert!(members.contains(&(bot, 30)));
    assert_eq!(r["project_get"]["has_token"], false);
    let project_new = r["project_rotated"]["new_id"].as_u64().unwrap();
    assert_ne!(project_new, created);
    let after: Vec<(u64, bool)> = r["project_after"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_u64().unwrap(), t["revoked"].as_bool().unwrap()))
        .collect();
    assert_eq!(after, [(existing_bot.id, false), (created, true), (project_new, true)]);
    assert_eq!(r["project_rerotate"]["code"], 400);
    assert_eq!(snapshot.token(project_new).unwrap().resource, Some((ResourceKind::Project, project)));

    assert_eq!(emulator.requests_seen(operations::GET_SELF), 3 + 1, "one 429, retried after Retry-After");
    assert_eq!(emulator.requests_seen(operations::ROTATE), 2);
    assert_eq!(emulator.requests_seen(operations::ROTATE_SELF), 1);
    assert_eq!(emulator.requests_seen(operations::RESOURCE_ROTATE), 2);
    assert_eq!(emulator.requests_seen(operations::RESOURCE_CREATE), 1);
}
