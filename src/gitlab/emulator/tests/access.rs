//! Credentials, the distinct auth failures, the 401/404 rules, scopes, `self`, `Sudo` and Admin
//! Mode (§2.16 #6–8, §2.5).

use chrono::{NaiveDate, TimeDelta};
use serde_json::json;

use super::{call, call_with, fixture, secret};
use crate::gitlab::emulator::SeedToken;

#[tokio::test]
async fn private_token_bearer_and_the_query_parameter_all_authenticate() {
    let f = fixture();
    for header in [
        Some(("private-token", secret(&f.alice_pat).to_owned())),
        Some(("authorization", format!("Bearer {}", secret(&f.alice_pat)))),
    ] {
        let me = call_with(&f.emulator, "GET", "/personal_access_tokens/self", header, None).await;
        assert_eq!(me.body["id"].as_u64(), Some(f.alice_pat.id));
    }
    let by_query = call_with(
        &f.emulator,
        "GET",
        &format!("/personal_access_tokens/self?private_token={}", secret(&f.alice_pat)),
        None,
        None,
    )
    .await;
    assert_eq!(by_query.status, 200);
    let basic = call_with(
        &f.emulator,
        "GET",
        "/user",
        Some(("authorization", format!("Basic {}", secret(&f.alice_pat)))),
        None,
    )
    .await;
    assert_eq!(basic.status, 401, "Basic is not a GitLab API credential");
}

#[tokio::test]
async fn unknown_expired_and_revoked_credentials_get_distinct_bodies() {
    let f = fixture();
    let none = call(&f.emulator, "GET", "/personal_access_tokens", None, None).await;
    assert_eq!((none.status, none.body.clone()), (401, json!({"message": "401 Unauthorized"})));
    let garbage = call(&f.emulator, "GET", "/personal_access_tokens", Some("glpat-nothing"), None).await;
    assert_eq!((garbage.status, garbage.body.clone()), (401, json!({"message": "401 Unauthorized"})));
    let expired = f.emulator.seed_token(
        f.alice.id,
        SeedToken::new("e", &["api"]).expires_at(Some(NaiveDate::from_ymd_opt(2026, 5, 1).unwrap())),
    );
    let answer = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&expired)), None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error"], "invalid_token");
    assert_eq!(
        answer.body["error_description"],
        "Token is expired. You can either do re-authorization or token refresh."
    );
    let revoked = f.emulator.seed_token(f.alice.id, SeedToken::new("r", &["api"]).revoked());
    let answer = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&revoked)), None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error_description"], "Token was revoked. You have to re-authorize from the user.");
}

#[tokio::test]
async fn foreign_and_unknown_ids_are_401_for_users_and_unknown_ids_404_for_admins() {
    let f = fixture();
    let alice = secret(&f.alice_pat);
    for path in [format!("/personal_access_tokens/{}", f.bob_pat.id), "/personal_access_tokens/999".to_owned()] {
        for method in ["GET", "DELETE"] {
            let answer = call(&f.emulator, method, &path, Some(alice), None).await;
            assert_eq!(
                (answer.status, answer.body.clone()),
                (401, json!({"message": "401 Unauthorized"})),
                "{method} {path}"
            );
        }
        let rotate = call(&f.emulator, "POST", &format!("{path}/rotate"), Some(alice), None).await;
        assert_eq!(rotate.status, 401, "{path}");
    }
    assert!(!f.emulator.token(f.bob_pat.id).unwrap().revoked);
    let admin = secret(&f.admin_pat);
    let unknown = call(&f.emulator, "GET", "/personal_access_tokens/999", Some(admin), None).await;
    assert_eq!((unknown.status, unknown.body.clone()), (404, json!({"message": "404 Not found"})));
    let foreign =
        call(&f.emulator, "GET", &format!("/personal_access_tokens/{}", f.bob_pat.id), Some(admin), None).await;
    assert_eq!((foreign.status, foreign.body["user_id"].as_u64()), (200, Some(f.bob.id)));
    let other =
        call(&f.emulator, "GET", &format!("/personal_access_tokens?user_id={}", f.bob.id), Some(alice), None).await;
    assert_eq!(other.status, 401, "a non-admin filtering by another user");
    let mine =
        call(&f.emulator, "GET", &format!("/personal_access_tokens?user_id={}", f.alice.id), Some(alice), None).await;
    assert_eq!(mine.status, 200);
    let nobody = call(&f.emulator, "GET", "/personal_access_tokens?user_id=999", Some(admin), None).await;
    assert_eq!((nobody.status, nobody.body["message"].as_str()), (404, Some("404 User Not Found")));
}

#[tokio::test]
async fn writes_need_api_and_reads_api_or_read_api() {
    let f = fixture();
    let reader = f.emulator.seed_token(f.alice.id, SeedToken::new("reader", &["read_api"]));
    let user_only = f.emulator.seed_token(f.alice.id, SeedToken::new("user", &["read_user"]));
    let list = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&reader)), None).await;
    assert_eq!(list.status, 200);
    let denied = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&user_only)), None).await;
    assert_eq!((denied.status, denied.body["scope"].as_str()), (403, Some("api read_api")));
    let rotate = call(
        &f.emulator,
        "POST",
        &format!("/personal_access_tokens/{}/rotate", f.alice_pat.id),
        Some(secret(&reader)),
        None,
    )
    .await;
    assert_eq!(rotate.status, 403);
    assert_eq!(
        rotate.body,
        json!({"error": "insufficient_scope", "error_description": "The request requires higher privileges than provided by the access token.", "scope": "api"})
    );
    assert!(!f.emulator.token(f.alice_pat.id).unwrap().revoked);
}

#[tokio::test]
async fn self_endpoints_take_any_scope_and_self_rotate_needs_api_or_self_rotate() {
    let f = fixture();
    let weak = f.emulator.seed_token(f.alice.id, SeedToken::new("weak", &["read_repository"]));
    let get = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&weak)), None).await;
    assert_eq!(get.status, 200);
    let rotate = call(&f.emulator, "POST", "/personal_access_tokens/self/rotate", Some(secret(&weak)), None).await;
    assert_eq!((rotate.status, rotate.body["scope"].as_str()), (403, Some("api self_rotate")));
    let rotator = f.emulator.seed_token(f.alice.id, SeedToken::new("rot", &["self_rotate"]));
    let rotated = call(&f.emulator, "POST", "/personal_access_tokens/self/rotate", Some(secret(&rotator)), None).await;
    assert_eq!(rotated.status, 200);
    assert_eq!(f.emulator.token(rotated.body["id"].as_u64().unwrap()).unwrap().previous_id, Some(rotator.id));
    let revoke = call(&f.emulator, "DELETE", "/personal_access_tokens/self", Some(secret(&weak)), None).await;
    assert_eq!(revoke.status, 204);
}

#[tokio::test]
async fn oauth_tokens_work_but_not_on_the_self_endpoints() {
    let f = fixture();
    let oauth = f.emulator.issue_oauth_token(f.alice.id, &["api"]);
    let bearer = || Some(("authorization", format!("Bearer {}", oauth.expose_secret())));
    let list = call_with(&f.emulator, "GET", "/personal_access_tokens", bearer(), None).await;
    assert_eq!(list.status, 200);
    let get = call_with(&f.emulator, "GET", "/personal_access_tokens/self", bearer(), None).await;
    assert_eq!(get.status, 400);
    assert_eq!(
        get.body["message"],
        "400 Bad request - This endpoint requires token type to be a personal access token"
    );
    assert_eq!(call_with(&f.emulator, "DELETE", "/personal_access_tokens/self", bearer(), None).await.status, 400);
    assert_eq!(call_with(&f.emulator, "POST", "/personal_access_tokens/self/rotate", bearer(), None).await.status, 405);
}

#[tokio::test]
async fn sudo_is_for_admins_with_the_sudo_scope() {
    let f = fixture();
    let as_alice = |token: &str| {
        let token = token.to_owned();
        let emulator = f.emulator.clone();
        async move {
            let mut request = http::Request::get("https://gitlab.example/api/v4/personal_access_tokens")
                .header("private-token", token)
                .header("sudo", "alice");
            request = request.header("accept", "application/json");
            let response =
                crate::transport::HttpTransport::send(&emulator, request.body(Vec::new()).unwrap()).await.unwrap();
            (response.status().as_u16(), serde_json::from_slice::<serde_json::Value>(response.body()).unwrap())
        }
    };
    let (status, body) = as_alice(secret(&f.admin_pat)).await;
    assert_eq!(status, 200);
    let owners: Vec<u64> = body.as_array().unwrap().iter().map(|t| t["user_id"].as_u64().unwrap()).collect();
    assert_eq!(owners, [f.alice.id], "the admin sees what Alice sees");
    let (status, body) = as_alice(secret(&f.bob_pat)).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("403 Forbidden - Must be admin to use sudo")));
    let no_sudo = f.emulator.seed_token(f.admin.id, SeedToken::new("no-sudo", &["api"]));
    let (status, body) = as_alice(secret(&no_sudo)).await;
    assert_eq!((status, body["scope"].as_str()), (403, Some("sudo")));
}

#[tokio::test]
async fn admin_mode_needs_the_admin_mode_scope_for_admin_rights() {
    let f = fixture();
    f.emulator.set_admin_mode(true);
    let path = format!("/personal_access_tokens/{}", f.bob_pat.id);
    assert_eq!(call(&f.emulator, "GET", &path, Some(secret(&f.admin_pat)), None).await.status, 401);
    let with_mode = f.emulator.seed_token(f.admin.id, SeedToken::new("mode", &["api", "admin_mode"]));
    assert_eq!(call(&f.emulator, "GET", &path, Some(secret(&with_mode)), None).await.status, 200);
}

#[tokio::test]
async fn last_used_at_moves_at_most_every_ten_minutes() {
    let f = fixture();
    let path = "/personal_access_tokens/self";
    call(&f.emulator, "GET", path, Some(secret(&f.alice_pat)), None).await;
    let first = f.emulator.token(f.alice_pat.id).unwrap().last_used_at;
    assert_eq!(first, Some(super::start()));
    f.clock.advance(TimeDelta::minutes(9));
    call(&f.emulator, "GET", path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!(f.emulator.token(f.alice_pat.id).unwrap().last_used_at, first);
    f.clock.advance(TimeDelta::minutes(1));
    call(&f.emulator, "GET", path, Some(secret(&f.alice_pat)), None).await;
    assert_eq!(f.emulator.token(f.alice_pat.id).unwrap().last_used_at, Some(super::start() + TimeDelta::minutes(10)));
}

#[tokio::test]
async fn unknown_routes_are_404_before_authentication() {
    let f = fixture();
    let answer = call(&f.emulator, "GET", "/personal_access_tokens/1/nothing", None, None).await;
    assert_eq!((answer.status, answer.body["error"].as_str()), (404, Some("404 Not Found")));
    let outside = call_with(&f.emulator, "GET", "/../../", None, None).await;
    assert_eq!(outside.status, 404);
    assert_eq!(f.emulator.request_log().unclassified(), 2);
}

#[tokio::test]
async fn a_blocked_users_tokens_stop_working_but_stay_listed() {
    let f = fixture();
    f.emulator.set_blocked(f.alice.id, true);
    let refused = call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&f.alice_pat)), None).await;
    assert_eq!((refused.status, refused.body.clone()), (401, json!({"message": "401 Unauthorized"})));
    let listed = call(
        &f.emulator,
        "GET",
        &format!("/personal_access_tokens?user_id={}&state=active", f.alice.id),
        Some(secret(&f.admin_pat)),
        None,
    )
    .await;
    assert_eq!(listed.body[0]["id"].as_u64(), Some(f.alice_pat.id));
    assert!(f.emulator.snapshot().users.iter().any(|u| u.id == f.alice.id && u.blocked));
    f.emulator.set_blocked(f.alice.id, false);
    assert_eq!(
        call(&f.emulator, "GET", "/personal_access_tokens/self", Some(secret(&f.alice_pat)), None).await.status,
        200
    );
}
