//! Who may manage tokens (§3.11 #1–3): Basic with the password only, the one-time code in the
//! flavour's header, self or site admin.

use serde_json::json;

use super::{ALICE_PW, BOB_PW, ROOT_PW, basic, call, create, fixture, fixture_of, secret, token_header};
use crate::gitea::emulator::Flavor;

#[tokio::test]
async fn token_management_refuses_every_token_spelling_with_auth_required() {
    let f = fixture();
    let t = secret(&f.alice_pat);
    let spellings: Vec<(String, Vec<(&'static str, String)>)> = vec![
        (String::new(), vec![token_header(t)]),
        (String::new(), vec![("authorization", format!("Bearer {t}"))]),
        (String::new(), vec![basic("alice", t)]),
        (String::new(), vec![basic(t, "")]),
        (String::new(), vec![basic(t, "x-oauth-basic")]),
        (format!("?token={t}"), vec![]),
        (format!("?access_token={t}"), vec![]),
    ];
    for (query, headers) in &spellings {
        for (method, path) in [("GET", "/users/alice/tokens"), ("DELETE", "/users/alice/tokens/alice-main")] {
            let answer = call(&f.emulator, method, &format!("{path}{query}"), headers, None).await;
            assert_eq!((answer.status, answer.message()), (401, "auth required"), "{method} {path} {query}");
            assert_eq!(answer.body["url"], "https://gitea.example/api/swagger");
        }
        let body = Some(json!({"name": "x", "scopes": ["all"]}));
        let made = call(&f.emulator, "POST", &format!("/users/alice/tokens{query}"), headers, body).await;
        assert_eq!((made.status, made.message()), (401, "auth required"), "{query}: {}", made.text);
    }
    assert_eq!(f.emulator.snapshot().tokens.len(), 1, "nothing was created or deleted");
    // The same token spellings do authenticate other routes (§3.11 #10).
    for (query, headers) in &spellings {
        let me = call(&f.emulator, "GET", &format!("/user{query}"), headers, None).await;
        assert_eq!((me.status, me.body["login"].as_str()), (200, Some("alice")), "{query} {}", me.text);
    }
}

#[tokio::test]
async fn wrong_passwords_unknown_users_and_no_credential_are_401() {
    let f = fixture();
    for login in
        [basic("alice", "nope"), basic("nobody", "x"), basic("alice", ""), ("authorization", "Basic !!".into())]
    {
        let answer = call(&f.emulator, "GET", "/users/alice/tokens", &[login], None).await;
        assert_eq!((answer.status, answer.message()), (401, "invalid username, password or token"));
        assert!(!answer.text.contains("nope") && !answer.text.contains("nobody"), "quotes nothing sent");
    }
    let anonymous = call(&f.emulator, "GET", "/users/alice/tokens", &[], None).await;
    assert_eq!((anonymous.status, anonymous.message()), (401, "auth required"));
    let unknown_token = call(&f.emulator, "GET", "/user", &[token_header(&"0".repeat(40))], None).await;
    assert_eq!((unknown_token.status, unknown_token.message()), (401, "token is required"));
    let ok = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("ALICE", ALICE_PW)], None).await;
    assert_eq!(ok.status, 200, "login names match case-insensitively: {}", ok.text);
}

#[tokio::test]
async fn only_self_or_a_site_admin_manages_a_users_tokens() {
    let f = fixture();
    let foreign = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("bob", BOB_PW)], None).await;
    assert_eq!(
        (foreign.status, foreign.message()),
        (403, "doer should be the site admin or be same as the contextUser")
    );
    let made = create(&f.emulator, "alice", &[basic("bob", BOB_PW)], json!({"name": "b", "scopes": ["all"]})).await;
    assert_eq!(made.status, 403);
    // The self-or-admin guard comes before the Basic-only guard: a foreign token is 403.
    let foreign_token =
        call(&f.emulator, "GET", "/users/bob/tokens", &[token_header(secret(&f.alice_pat))], None).await;
    assert_eq!(foreign_token.status, 403);

    // A site admin lists, creates and deletes for anyone.
    let listed = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("root", ROOT_PW)], None).await;
    assert_eq!((listed.status, listed.body[0]["id"].as_u64()), (200, Some(f.alice_pat.id)));
    let made =
        create(&f.emulator, "alice", &[basic("root", ROOT_PW)], json!({"name": "by-root", "scopes": ["read:user"]}))
            .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["id"].as_u64().unwrap();
    assert_eq!(f.emulator.token(id).unwrap().user_id, f.alice.id, "the token is Alice's, not root's");
    let deleted =
        call(&f.emulator, "DELETE", &format!("/users/alice/tokens/{id}"), &[basic("root", ROOT_PW)], None).await;
    assert_eq!(deleted.status, 204);
    assert!(f.emulator.token(id).is_none());

    let missing = call(&f.emulator, "GET", "/users/nobody/tokens", &[basic("root", ROOT_PW)], None).await;
    assert_eq!((missing.status, missing.body["errors"].clone()), (404, json!([])));
    let _ = (f.bob, f.root);
}

#[tokio::test]
async fn a_two_factor_login_needs_the_flavours_otp_header() {
    for flavor in [Flavor::Gitea, Flavor::Forgejo] {
        let f = fixture_of(flavor);
        f.emulator.set_one_time_code(f.alice.id, Some("123456"));
        let (right, wrong) = match flavor {
            Flavor::Gitea => ("x-gitea-otp", "x-forgejo-otp"),
            _ => ("x-forgejo-otp", "x-gitea-otp"),
        };
        assert_eq!(flavor.otp_header(), right);
        let path = "/users/alice/tokens";
        for headers in [
            vec![basic("alice", ALICE_PW)],
            vec![basic("alice", ALICE_PW), (wrong, "123456".to_owned())],
            vec![basic("alice", ALICE_PW), (right, "654321".to_owned())],
        ] {
            let answer = call(&f.emulator, "GET", path, &headers, None).await;
            assert_eq!((answer.status, answer.message()), (401, "invalid provided OTP"), "{flavor:?}");
        }
        let good = [basic("alice", ALICE_PW), (right, "123456".to_owned())];
        assert_eq!(call(&f.emulator, "GET", path, &good, None).await.status, 200, "{flavor:?}");
        assert_eq!(call(&f.emulator, "GET", path, &good, None).await.status, 200, "the code stays valid");
        // A wrong password with the right code is still a bad login.
        let bad_pw = [basic("alice", "nope"), (right, "123456".to_owned())];
        assert_eq!(
            call(&f.emulator, "GET", path, &bad_pw, None).await.message(),
            "invalid username, password or token"
        );
        // Tokens need no code.
        let me = call(&f.emulator, "GET", "/user", &[token_header(secret(&f.alice_pat))], None).await;
        assert_eq!(me.status, 200);
        f.emulator.set_one_time_code(f.alice.id, None);
        assert_eq!(call(&f.emulator, "GET", path, &[basic("alice", ALICE_PW)], None).await.status, 200);
    }
}

#[tokio::test]
async fn sso_users_and_disabled_basic_auth_cannot_manage_tokens() {
    let f = fixture();
    let sso = f.emulator.add_sso_user("carol");
    let carols = f.emulator.seed_token(sso.id, crate::gitea::emulator::SeedToken::new("t", &["read:user"]));
    let answer = call(&f.emulator, "GET", "/users/carol/tokens", &[basic("carol", "")], None).await;
    assert_eq!(answer.status, 401);
    assert_eq!(call(&f.emulator, "GET", "/user", &[token_header(secret(&carols))], None).await.status, 200);

    f.emulator.set_basic_auth_enabled(false);
    let answer = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", ALICE_PW)], None).await;
    assert_eq!((answer.status, answer.message()), (401, "auth required"), "Basic counts as no credential");
    f.emulator.set_basic_auth_enabled(true);
    assert_eq!(call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", ALICE_PW)], None).await.status, 200);

    f.emulator.set_query_tokens_enabled(false);
    let by_query = call(&f.emulator, "GET", &format!("/user?token={}", secret(&f.alice_pat)), &[], None).await;
    assert_eq!(by_query.status, 401, "query tokens are ignored when disabled");

    f.emulator.set_password(f.alice.id, "new-password");
    assert_eq!(call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", ALICE_PW)], None).await.status, 401);
    assert_eq!(
        call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", "new-password")], None).await.status,
        200
    );
}
