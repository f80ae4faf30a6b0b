//! Ids, `self`, where the secret appears, date expiry, rotate and reuse detection, revoke,
//! create (§2.16 #1–5, #9).

use chrono::{NaiveDate, TimeDelta};
use serde_json::json;

use super::{call, fixture, secret};
use crate::gitlab::emulator::SeedToken;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn ids_are_monotonic_integers_and_self_is_the_calling_token() {
    let f = fixture();
    let a = f.emulator.seed_token(f.alice.id, SeedToken::new("a", &["api"]));
    let created = call(
        &f.emulator,
        "POST",
        &format!("/users/{}/personal_access_tokens", f.alice.id),
        Some(secret(&f.admin_pat)),
        Some(json!({"name": "b", "scopes": ["read_api"], "expires_at": "2026-07-01"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["id"].as_u64(), Some(a.id + 1));
    let me = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&a)), None).await;
    assert_eq!((me.status, me.body["id"].as_u64()), (200, Some(a.id)));
    let bad = call(&f.emulator, "GET", "/personal_access_tokens/abc", Some(secret(&a)), None).await;
    assert_eq!((bad.status, bad.body["error"].as_str()), (400, Some("id is invalid")));
}

#[tokio::test]
async fn the_secret_appears_only_in_create_and_rotate_answers() {
    let f = fixture();
    let pat = secret(&f.alice_pat);
    let created = call(
        &f.emulator,
        "POST",
        "/user/personal_access_tokens",
        Some(pat),
        Some(json!({"name": "k8s", "scopes": ["k8s_proxy"]})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let new_secret = created.body["token"].as_str().unwrap().to_owned();
    assert!(new_secret.starts_with("glpat-") && new_secret.len() == 26, "glpat- + 20 characters");
    let id = created.body["id"].as_u64().unwrap();
    let rotated = call(&f.emulator, "POST", &format!("/personal_access_tokens/{id}/rotate"), Some(pat), None).await;
    assert_eq!(rotated.status, 200);
    let rotated_secret = rotated.body["token"].as_str().unwrap().to_owned();
    assert_ne!(rotated_secret, new_secret);
    for path in ["/personal_access_tokens", &format!("/personal_access_tokens/{id}"), "/personal_access_tokens/self"] {
        let answer = call(&f.emulator, "GET", path, Some(pat), None).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(!answer.text.contains("\"token\""), "{path}: {}", answer.text);
        assert!(!answer.text.contains(&rotated_secret) && !answer.text.contains(pat), "{path}");
    }
    let debug = format!("{:?} {:?}", f.emulator, f.emulator.snapshot());
    assert!(!debug.contains(&rotated_secret) && !debug.contains(pat) && !debug.contains("glpat-"), "{debug}");
}

#[tokio::test]
async fn expiry_is_a_date_that_ends_at_midnight_utc() {
    let f = fixture();
    // Expires 2026-06-02: active all of 2026-06-01, dead from 2026-06-02T00:00Z.
    let t = f.emulator.seed_token(f.alice.id, SeedToken::new("t", &["api"]).expires_at(Some(date("2026-06-02"))));
    let got = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&t)), None).await;
    assert_eq!((got.body["active"].as_bool(), got.body["expires_at"].as_str()), (Some(true), Some("2026-06-02")));
    assert_eq!(got.body["created_at"], "2026-06-01T12:00:00.000Z");
    f.clock.set(date("2026-06-01").and_hms_opt(23, 59, 59).unwrap().and_utc());
    assert_eq!(call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&t)), None).await.status, 200);
    f.clock.set(date("2026-06-02").and_hms_opt(0, 0, 0).unwrap().and_utc());
    let dead = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&t)), None).await;
    assert_eq!(dead.status, 401);
    assert!(!f.emulator.token(t.id).unwrap().active);
    let listed =
        call(&f.emulator, "GET", &format!("/personal_access_tokens/{}", t.id), Some(secret(&f.alice_pat)), None).await;
    assert_eq!((listed.body["active"].as_bool(), listed.body["revoked"].as_bool()), (Some(false), Some(false)));
}

#[tokio::test]
async fn create_validates_expiry_and_applies_the_defaults() {
    let f = fixture();
    let create = |body: serde_json::Value| {
        let path = format!("/users/{}/personal_access_tokens", f.alice.id);
        let admin = secret(&f.admin_pat).to_owned();
        let emulator = f.emulator.clone();
        async move { call(&emulator, "POST", &path, Some(&admin), Some(body)).await }
    };
    let too_far = create(json!({"name": "n", "scopes": ["api"], "expires_at": "2027-06-02"})).await;
    assert_eq!(too_far.status, 400);
    assert_eq!(too_far.body, json!({"message": {"expires_at": ["must be before 2027-06-01"]}}));
    let max = create(json!({"name": "n", "scopes": ["api"], "expires_at": "2027-06-01"})).await;
    assert_eq!(max.status, 201, "365 days ahead is allowed");
    let default = create(json!({"name": "n", "scopes": ["api"]})).await;
    assert_eq!(default.body["expires_at"], "2027-06-01", "today + max lifetime");
    // Today is accepted and dead on arrival, as on the service (§2.15).
    let today = create(json!({"name": "n", "scopes": ["api"], "expires_at": "2026-06-01"})).await;
    assert_eq!((today.status, today.body["active"].as_bool()), (201, Some(false)));
    let past = create(json!({"name": "n", "scopes": ["api"], "expires_at": "2026-05-31"})).await;
    assert_eq!((past.status, past.body["message"]["expires_at"][0].as_str()), (400, Some("must be in the future")));
    let garbage = create(json!({"name": "n", "scopes": ["api"], "expires_at": "tomorrow"})).await;
    assert_eq!(garbage.body["error"], "expires_at is invalid");
    let missing = create(json!({})).await;
    assert_eq!((missing.status, missing.body["error"].as_str()), (400, Some("name is missing, scopes is missing")));
    let bad_scope = create(json!({"name": "n", "scopes": ["api", "everything"]})).await;
    assert_eq!(bad_scope.body["error"], "scopes does not have a valid value");
    f.emulator.set_expiry_required(false);
    let forever = create(json!({"name": "n", "scopes": ["api"]})).await;
    assert_eq!((forever.status, forever.body["expires_at"].clone()), (201, serde_json::Value::Null));
}

#[tokio::test]
async fn create_for_a_user_is_for_admins_and_create_own_for_two_scopes() {
    let f = fixture();
    let body = json!({"name": "n", "scopes": ["api"], "expires_at": "2026-07-01"});
    let path = format!("/users/{}/personal_access_tokens", f.bob.id);
    let refused = call(&f.emulator, "POST", &path, Some(secret(&f.alice_pat)), Some(body.clone())).await;
    assert_eq!((refused.status, refused.body["message"].as_str()), (403, Some("403 Forbidden")));
    let unknown =
        call(&f.emulator, "POST", "/users/999/personal_access_tokens", Some(secret(&f.admin_pat)), Some(body.clone()))
            .await;
    assert_eq!((unknown.status, unknown.body["message"].as_str()), (404, Some("404 User Not Found")));
    let made = call(&f.emulator, "POST", &path, Some(secret(&f.admin_pat)), Some(body.clone())).await;
    assert_eq!((made.status, made.body["user_id"].as_u64()), (201, Some(f.bob.id)));
    let own = call(&f.emulator, "POST", "/user/personal_access_tokens", Some(secret(&f.alice_pat)), Some(body)).await;
    assert_eq!((own.status, own.body["error"].as_str()), (400, Some("scopes does not have a valid value")));
    let own = call(
        &f.emulator,
        "POST",
        "/user/personal_access_tokens",
        Some(secret(&f.alice_pat)),
        Some(json!({"name": "rot", "scopes": ["self_rotate", "k8s_proxy"]})),
    )
    .await;
    assert_eq!((own.status, own.body["user_id"].as_u64()), (201, Some(f.alice.id)));
}

#[tokio::test]
async fn rotate_makes_a_new_token_and_revokes_the_old_one() {
    let f = fixture();
    let old =
        f.emulator.seed_token(f.alice.id, SeedToken::new("ci", &["api", "read_repository"]).description("for CI"));
    let rotated = call(
        &f.emulator,
        "POST",
        &format!("/personal_access_tokens/{}/rotate", old.id),
        Some(secret(&f.alice_pat)),
        Some(json!({"expires_at": "2026-08-01"})),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new = rotated.body["id"].as_u64().unwrap();
    assert!(new > old.id);
    assert_eq!(rotated.body["name"], "ci");
    assert_eq!(rotated.body["description"], "for CI");
    assert_eq!(rotated.body["scopes"], json!(["api", "read_repository"]));
    assert_eq!(
        (rotated.body["expires_at"].as_str(), rotated.body["active"].as_bool()),
        (Some("2026-08-01"), Some(true))
    );
    let old_now = f.emulator.token(old.id).unwrap();
    assert!(old_now.revoked && !old_now.active);
    assert_eq!((old_now.rotated_to, f.emulator.token(new).unwrap().previous_id), (Some(new), Some(old.id)));
    // The old secret no longer works; the new one does.
    let old_auth = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&old)), None).await;
    assert_eq!(old_auth.status, 401);
    let new_auth =
        call(&f.emulator, "GET", "/personal_access_tokens/self", Some(rotated.body["token"].as_str().unwrap()), None)
            .await;
    assert_eq!(new_auth.body["id"].as_u64(), Some(new));
}

#[tokio::test]
async fn rotate_without_expires_at_defaults_to_one_week_and_validates_it() {
    let f = fixture();
    let path = format!("/personal_access_tokens/{}/rotate", f.alice_pat.id);
    let too_far =
        call(&f.emulator, "POST", &path, Some(secret(&f.alice_pat)), Some(json!({"expires_at": "2027-06-02"}))).await;
    assert_eq!(too_far.status, 400);
    assert!(!f.emulator.token(f.alice_pat.id).unwrap().revoked, "a refused rotate changes nothing");
    let rotated = call(&f.emulator, "POST", &path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!(rotated.body["expires_at"], "2026-06-08");
    assert_eq!(date("2026-06-08") - date("2026-06-01"), TimeDelta::days(7));
}

#[tokio::test]
async fn rotating_a_revoked_token_revokes_its_whole_family() {
    let f = fixture();
    let first = f.emulator.seed_token(f.alice.id, SeedToken::new("line", &["api"]));
    let unrelated = f.emulator.seed_token(f.alice.id, SeedToken::new("other", &["api"]));
    let path = |id: u64| format!("/personal_access_tokens/{id}/rotate");
    let second =
        call(&f.emulator, "POST", &path(first.id), Some(secret(&f.alice_pat)), None).await.body["id"].as_u64().unwrap();
    let third =
        call(&f.emulator, "POST", &path(second), Some(secret(&f.alice_pat)), None).await.body["id"].as_u64().unwrap();
    assert!(f.emulator.token(third).unwrap().active);
    // A retried rotate of `second` (already rotated, so revoked): 400, and `third` dies too.
    let retried = call(&f.emulator, "POST", &path(second), Some(secret(&f.alice_pat)), None).await;
    assert_eq!(retried.status, 400);
    assert_eq!(retried.body, json!({"message": "400 Bad request - Token already revoked"}));
    assert_eq!(f.emulator.family(third), [first.id, second, third]);
    let snapshot = f.emulator.snapshot();
    assert!([first.id, second, third].iter().all(|id| snapshot.token(*id).unwrap().revoked));
    assert!(!snapshot.token(unrelated.id).unwrap().revoked, "other lines are untouched");
    assert_eq!(snapshot.tokens.len(), 3 + 2 + 2, "no token was created by the refused rotate");
}

#[tokio::test]
async fn expired_tokens_cannot_be_rotated() {
    let f = fixture();
    let t = f.emulator.seed_token(f.alice.id, SeedToken::new("t", &["api"]).expires_at(Some(date("2026-06-01"))));
    let answer = call(
        &f.emulator,
        "POST",
        &format!("/personal_access_tokens/{}/rotate", t.id),
        Some(secret(&f.alice_pat)),
        None,
    )
    .await;
    assert_eq!((answer.status, answer.body["message"].as_str()), (401, Some("401 Unauthorized")));
    assert_eq!(f.emulator.family(t.id), [t.id]);
}

#[tokio::test]
async fn revoke_is_soft_and_twice_is_a_bad_request() {
    let f = fixture();
    let t = f.emulator.seed_token(f.alice.id, SeedToken::new("t", &["api"]));
    let path = format!("/personal_access_tokens/{}", t.id);
    let first = call(&f.emulator, "DELETE", &path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!((first.status, first.text.as_str()), (204, ""));
    let got = call(&f.emulator, "GET", &path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!(
        (got.status, got.body["revoked"].as_bool(), got.body["active"].as_bool()),
        (200, Some(true), Some(false))
    );
    let again = call(&f.emulator, "DELETE", &path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!((again.status, again.body["message"].as_str()), (400, Some("400 Bad request")));
    let own = call(&f.emulator, "DELETE", "/personal_access_tokens/self", Some(secret(&f.bob_pat)), None).await;
    assert_eq!(own.status, 204);
    assert!(f.emulator.token(f.bob_pat.id).unwrap().revoked);
}

#[tokio::test]
async fn form_bodies_and_comma_separated_scopes_are_read_like_json() {
    let f = fixture();
    let path = format!("https://gitlab.example/api/v4/users/{}/personal_access_tokens", f.alice.id);
    for body in [
        "name=form&scopes%5B%5D=api&scopes%5B%5D=read_repository&expires_at=2026-07-01",
        "name=form&scopes=api,read_repository&expires_at=2026-07-01",
    ] {
        let request = http::Request::post(&path)
            .header("private-token", secret(&f.admin_pat))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.as_bytes().to_vec())
            .unwrap();
        let response = crate::transport::HttpTransport::send(&f.emulator, request).await.unwrap();
        assert_eq!(response.status(), 201, "{body}");
        let json: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(json["scopes"], json!(["api", "read_repository"]), "{body}");
    }
    let broken = call(
        &f.emulator,
        "POST",
        &format!("/users/{}/personal_access_tokens", f.alice.id),
        Some(secret(&f.admin_pat)),
        None,
    )
    .await;
    assert_eq!(broken.body["error"], "name is missing, scopes is missing");
}
