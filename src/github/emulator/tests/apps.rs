//! GitHub App JWTs and installation tokens.

use chrono::TimeDelta;
use serde_json::json;

use super::*;
use crate::base64;

#[tokio::test]
async fn a_signed_jwt_buys_a_one_hour_installation_token_that_reaches_the_org() {
    let fx = fixture();
    let path = format!("/app/installations/{}/access_tokens", fx.installation);
    let answer = call(&fx.emulator, "POST", &path, Some(&jwt(&fx)), None).await;
    assert_eq!(answer.status, 201);
    let token = answer.body["token"].as_str().unwrap();
    assert!(token.starts_with("ghs_") && token.len() == 40, "ghs_ + 36");
    assert_eq!(answer.body["expires_at"], "2026-06-01T13:00:00Z");
    assert_eq!(answer.body["permissions"]["personal_access_tokens"], "write");
    assert_eq!(answer.header("x-ratelimit-limit"), Some("5000"), "counted against the App, not as anonymous");

    let listed = call(&fx.emulator, "GET", "/orgs/acme/personal-access-tokens", Some(token), None).await;
    assert_eq!(listed.status, 200);
    let snapshot = fx.emulator.snapshot();
    assert_eq!(snapshot.installation_tokens.len(), 1);
    assert_eq!(snapshot.installation_tokens[0].digest.len(), 64);
    assert!(!format!("{snapshot:?}").contains(token), "the snapshot holds no token");

    fx.clock.advance(TimeDelta::minutes(61));
    let late = call(&fx.emulator, "GET", "/orgs/acme/personal-access-tokens", Some(token), None).await;
    assert_eq!((late.status, late.message()), (401, "Bad credentials"), "expired after an hour");
}

#[tokio::test]
async fn jwt_times_signature_and_issuer_are_checked() {
    let fx = fixture();
    let now = fx.emulator.now();
    let path = format!("/app/installations/{}/access_tokens", fx.installation);
    let send = |claims: JwtClaims| {
        let token = sign_app_jwt(PRIVATE_KEY, claims).unwrap().expose_secret().to_owned();
        let emulator = fx.emulator.clone();
        let path = path.clone();
        async move { call(&emulator, "POST", &path, Some(&token), None).await }
    };
    let at = |iat: i64, exp: i64| JwtClaims {
        app_id: fx.app,
        issued_at: now + TimeDelta::seconds(iat),
        expires_at: now + TimeDelta::seconds(exp),
    };

    assert_eq!(send(at(-60, 540)).await.status, 201, "GitHub's advice: iat a minute back, exp nine ahead");
    assert_eq!(send(at(30, 600)).await.status, 201, "iat 30 s ahead is within the leeway");
    let expired = send(at(-700, -100)).await;
    assert_eq!(expired.status, 401);
    assert!(expired.message().contains("'Expiration time' claim ('exp') must be"), "{expired:?}");
    let too_long = send(at(0, 1200)).await;
    assert_eq!(
        (too_long.status, too_long.message()),
        (401, "'Expiration time' claim ('exp') is too far in the future")
    );
    assert_eq!(send(at(0, 660)).await.status, 201, "ten minutes plus the minute of leeway");
    let future = send(at(120, 500)).await;
    assert!(future.message().contains("'Issued at' claim ('iat')"), "{future:?}");

    let unknown = send(JwtClaims { app_id: 77, ..at(-60, 540) }).await;
    assert_eq!((unknown.status, unknown.message()), (401, "Integration not found"));

    // Tampered: the signature no longer covers the payload.
    let good = jwt(&fx);
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    parts[1] = base64::encode(
        json!({"iss": fx.app.to_string(), "iat": now.timestamp() - 60, "exp": now.timestamp() + 590}).to_string(),
        base64::Alphabet::UrlNoPad,
    );
    let tampered = call(&fx.emulator, "POST", &path, Some(&parts.join(".")), None).await;
    assert_eq!((tampered.status, tampered.message()), (401, "A JSON web token could not be decoded"));
    assert!(!tampered.message().contains(&parts[1]), "the refusal quotes nothing of the token");
}

#[tokio::test]
async fn the_exchange_needs_a_jwt_of_the_installations_own_app() {
    let fx = fixture();
    let path = format!("/app/installations/{}/access_tokens", fx.installation);
    let none = call(&fx.emulator, "POST", &path, None, None).await;
    assert_eq!(none.status, 401);
    let pat = call(&fx.emulator, "POST", &path, Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!((pat.status, pat.message()), (401, "A JSON web token could not be decoded"));

    let second_app = fx.emulator.register_app(PUBLIC_KEY);
    let theirs = fx.emulator.install_app(second_app, "other", &[("personal_access_tokens", "read")]);
    let cross = format!("/app/installations/{theirs}/access_tokens");
    assert_eq!(call(&fx.emulator, "POST", &cross, Some(&jwt(&fx)), None).await.status, 404, "another App's");
    assert_eq!(
        call(&fx.emulator, "POST", "/app/installations/9/access_tokens", Some(&jwt(&fx)), None).await.status,
        404
    );
}

#[tokio::test]
async fn an_app_finds_its_installation_on_an_org() {
    let fx = fixture();
    let found = call(&fx.emulator, "GET", "/orgs/acme/installation", Some(&jwt(&fx)), None).await;
    assert_eq!(found.status, 200);
    assert_eq!((found.body["id"].as_u64(), found.body["app_id"].as_u64()), (Some(fx.installation), Some(fx.app)));
    assert_eq!(found.body["account"]["login"], "acme");
    assert!(
        found.body["access_tokens_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/app/installations/{}/access_tokens", fx.installation))
    );
    assert_eq!(
        call(&fx.emulator, "GET", "/orgs/other/installation", Some(&jwt(&fx)), None).await.status,
        404,
        "not installed there"
    );
    let by_pat =
        call(&fx.emulator, "GET", "/orgs/acme/installation", Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!(by_pat.status, 401);
}

#[tokio::test]
async fn a_token_can_be_narrowed_but_not_widened() {
    let fx = fixture();
    let path = format!("/app/installations/{}/access_tokens", fx.installation);
    let narrowed = call(
        &fx.emulator,
        "POST",
        &path,
        Some(&jwt(&fx)),
        Some(json!({"permissions": {"personal_access_tokens": "read"}})),
    )
    .await;
    assert_eq!(narrowed.status, 201);
    assert_eq!(narrowed.body["permissions"], json!({"personal_access_tokens": "read"}));
    let token = narrowed.body["token"].as_str().unwrap();
    let revoke = format!("/orgs/acme/personal-access-tokens/{}", fx.octo_grant);
    let refused = call(&fx.emulator, "POST", &revoke, Some(token), Some(json!({"action": "revoke"}))).await;
    assert_eq!((refused.status, refused.message()), (403, "Resource not accessible by integration"));

    let wider =
        call(&fx.emulator, "POST", &path, Some(&jwt(&fx)), Some(json!({"permissions": {"members": "write"}}))).await;
    assert_eq!(wider.status, 422);
    assert_eq!(wider.body["errors"][0]["field"], "permissions");
}
