//! Token checks: `GET /user` headers, and the unauthenticated leaked-token revocation.

use chrono::TimeDelta;
use serde_json::json;

use super::*;

#[tokio::test]
async fn get_user_shows_classic_scopes_and_the_expiry() {
    let fx = fixture();
    let expires = start() + TimeDelta::days(7);
    let classic = fx.emulator.seed_pat(SeedPat::classic("octocat", "cli", &["repo", "read:org"]).expires_at(expires));
    let me = call(&fx.emulator, "GET", "/user", Some(classic.secret.expose_secret()), None).await;
    assert_eq!((me.status, me.body["login"].as_str()), (200, Some("octocat")));
    assert_eq!(me.header("x-oauth-scopes"), Some("repo, read:org"));
    assert_eq!(me.header("github-authentication-token-expiration"), Some("2026-06-08 12:00:00 UTC"));

    let fine = call(&fx.emulator, "GET", "/user", Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!(fine.status, 200);
    assert!(fine.header("x-oauth-scopes").is_none(), "fine-grained PATs have no scopes");
    assert!(fine.header("github-authentication-token-expiration").is_none(), "no expiry, no header");
    let used = fx.emulator.snapshot().pats.into_iter().find(|p| p.token_id == classic.token_id).unwrap();
    assert_eq!(used.last_used_at, Some(start()), "a check is a use");

    fx.clock.set(expires);
    let expired = call(&fx.emulator, "GET", "/user", Some(classic.secret.expose_secret()), None).await;
    assert_eq!((expired.status, expired.message()), (401, "Bad credentials"));
    let unknown = call(&fx.emulator, "GET", "/user", Some("ghp_000000000000000000000000000000000000"), None).await;
    assert_eq!((unknown.status, unknown.body["status"].as_str()), (401, Some("401")));
    let installation = installation_token(&fx, fx.installation).await;
    assert_eq!(call(&fx.emulator, "GET", "/user", Some(&installation), None).await.status, 403);
}

#[tokio::test]
async fn leaked_credentials_are_revoked_without_authentication() {
    let fx = fixture();
    let classic = fx.emulator.seed_pat(SeedPat::classic("octocat", "leaked", &["repo"]));
    let body =
        json!({"credentials": [classic.secret.expose_secret(), fx.octo_pat.secret.expose_secret(), "gho_unknown"]});
    let authed =
        call(&fx.emulator, "POST", "/credentials/revoke", Some(classic.secret.expose_secret()), Some(body.clone()))
            .await;
    assert_eq!(authed.status, 403, "must be called unauthenticated");
    assert_eq!(call(&fx.emulator, "GET", "/user", Some(classic.secret.expose_secret()), None).await.status, 200);

    let done = call(&fx.emulator, "POST", "/credentials/revoke", None, Some(body)).await;
    assert_eq!(done.status, 202);
    for secret in [classic.secret.expose_secret(), fx.octo_pat.secret.expose_secret()] {
        assert_eq!(call(&fx.emulator, "GET", "/user", Some(secret), None).await.status, 401);
    }
    let snapshot = fx.emulator.snapshot();
    assert!(snapshot.pats.iter().all(|p| p.revoked));
    assert!(snapshot.grants.is_empty(), "a revoked token's grants go with it");

    let thousand_and_one: Vec<String> = (0..1001).map(|i| format!("ghp_{i:036}")).collect();
    for bad in [
        json!({"credentials": []}),
        json!({"credentials": thousand_and_one}),
        json!({"credentials": ["ghs_x"]}),
        json!({}),
    ] {
        assert_eq!(call(&fx.emulator, "POST", "/credentials/revoke", None, Some(bad)).await.status, 422);
    }
}

#[tokio::test]
async fn the_revocation_endpoint_has_its_own_hourly_limit() {
    let fx = fixture();
    fx.emulator.set_credentials_revoke_limit(2);
    let body = || Some(json!({"credentials": ["ghp_nothing"]}));
    for _ in 0..2 {
        let ok = call(&fx.emulator, "POST", "/credentials/revoke", None, body()).await;
        assert_eq!((ok.status, ok.header("x-ratelimit-resource")), (202, Some("credentials_revoke")));
    }
    let limited = call(&fx.emulator, "POST", "/credentials/revoke", None, body()).await;
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.message().starts_with("API rate limit exceeded"));
    let elsewhere = call(&fx.emulator, "GET", "/rate_limit", None, None).await;
    assert_eq!(elsewhere.status, 200, "the core budget is apart");
    fx.clock.advance(TimeDelta::hours(1));
    assert_eq!(call(&fx.emulator, "POST", "/credentials/revoke", None, body()).await.status, 202, "a new hour");
}
