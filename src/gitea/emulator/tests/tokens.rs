//! Create, the secret only in its answer, unique names, scopes, delete by id or name, no expiry
//! (§3.11 #4–8), and Forgejo's repository-specific tokens (§3.10).

use chrono::TimeDelta;
use serde_json::json;

use super::{ALICE_PW, BOB_PW, basic, call, create, fixture, fixture_of, secret, start, token_header};
use crate::gitea::emulator::{Flavor, SeedToken};

#[tokio::test]
async fn create_answers_201_with_the_secret_in_sha1_only_there() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    let made =
        create(&f.emulator, "alice", &login, json!({"name": "ci-bot", "scopes": ["write:repository", "read:user"]}))
            .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let sha1 = made.body["sha1"].as_str().unwrap().to_owned();
    assert!(
        sha1.len() == 40 && sha1.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
        "40 lowercase hex"
    );
    assert_eq!(made.body["token_last_eight"].as_str(), Some(&sha1[32..]));
    assert_eq!(made.body["name"], "ci-bot");
    assert_eq!(made.body["scopes"], json!(["write:repository", "read:user"]));
    assert_eq!(made.body["created_at"], "2026-06-01T12:00:00Z");
    let id = made.body["id"].as_u64().unwrap();
    assert!(id > f.alice_pat.id, "ids are allocated monotonically");

    let listed = call(&f.emulator, "GET", "/users/alice/tokens", &login, None).await;
    assert_eq!(listed.status, 200);
    for token in listed.body.as_array().unwrap() {
        assert_eq!(token["sha1"], "", "lists answer sha1 empty: {token}");
        assert_eq!(token["token_last_eight"].as_str().unwrap().len(), 8);
    }
    assert!(!listed.text.contains(&sha1) && !listed.text.contains(secret(&f.alice_pat)));
    let debug = format!("{:?} {:?}", f.emulator, f.emulator.snapshot());
    assert!(!debug.contains(&sha1) && !debug.contains(secret(&f.alice_pat)) && !debug.contains(ALICE_PW), "{debug}");
    // The new secret authenticates at once (`read:user` lets it read `/user`).
    let me = call(&f.emulator, "GET", "/user", &[token_header(&sha1)], None).await;
    assert_eq!((me.status, me.body["login"].as_str()), (200, Some("alice")));
}

#[tokio::test]
async fn names_are_unique_per_user_only() {
    let f = fixture();
    let body = json!({"name": "alice-main", "scopes": ["read:user"]});
    let again = create(&f.emulator, "alice", &[basic("alice", ALICE_PW)], body.clone()).await;
    assert_eq!((again.status, again.message()), (400, "access token name has been used already"));
    assert_eq!(create(&f.emulator, "bob", &[basic("bob", BOB_PW)], body).await.status, 201, "Bob may use it");
}

#[tokio::test]
async fn scopes_are_checked_against_the_vocabulary_and_normalized() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    let mut n = 0;
    let mut make = |scopes: serde_json::Value| {
        n += 1;
        let body = json!({"name": format!("t{n}"), "scopes": scopes});
        let emulator = f.emulator.clone();
        let login = login.clone();
        async move { create(&emulator, "alice", &login, body).await }
    };
    let unknown = make(json!(["read:user", "repo"])).await;
    assert_eq!(
        (unknown.status, unknown.message()),
        (400, "invalid access token scope provided: invalid access token scope: repo")
    );
    for empty in [json!([]), json!(null), json!([""])] {
        let answer = make(empty.clone()).await;
        assert_eq!((answer.status, answer.message()), (400, "access token must have a scope"), "{empty}");
    }
    let normalized = make(json!(["read:repository", "write:repository", "read:user", "public-only"])).await;
    assert_eq!(normalized.body["scopes"], json!(["public-only", "write:repository", "read:user"]));
    let every: Vec<String> = super::super::facts::CATEGORIES.iter().map(|c| format!("write:{c}")).collect();
    assert_eq!(make(json!(every)).await.body["scopes"], json!(["all"]));
    let malformed = make(json!("write:repository")).await;
    assert_eq!(malformed.status, 422, "a string where a list belongs is a binding error");
    assert_eq!(f.emulator.snapshot().tokens_of(f.alice.id).len(), 3, "only the two good ones were made");
}

#[tokio::test]
async fn a_missing_name_or_unreadable_body_is_422() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    for body in [json!({"scopes": ["all"]}), json!({"name": "", "scopes": ["all"]})] {
        let answer = create(&f.emulator, "alice", &login, body).await;
        assert_eq!((answer.status, answer.message()), (422, "[Name]: Required"));
    }
    let request = http::Request::post("https://gitea.example/api/v1/users/alice/tokens")
        .header(login[0].0, &login[0].1)
        .body(b"{not json".to_vec())
        .unwrap();
    let answer = crate::transport::HttpTransport::send(&f.emulator, request).await.unwrap();
    assert_eq!(answer.status(), 422);
    assert_eq!(create(&f.emulator, "alice", &login, json!({"name": 7, "scopes": ["all"]})).await.status, 422);
}

#[tokio::test]
async fn delete_by_id_or_name_404_when_missing_422_when_ambiguous() {
    let f = fixture();
    let login = [basic("alice", ALICE_PW)];
    let by_id = f.emulator.seed_token(f.alice.id, SeedToken::new("by-id", &["all"]));
    let by_name = f.emulator.seed_token(f.alice.id, SeedToken::new("by-name", &["all"]));
    let twin_a = f.emulator.seed_token(f.alice.id, SeedToken::new("twin", &["all"]));
    let twin_b = f.emulator.seed_token(f.alice.id, SeedToken::new("twin", &["all"]));
    let bobs = f.emulator.seed_token(f.bob.id, SeedToken::new("bobs", &["all"]));
    let delete = |token: String| {
        let (emulator, login) = (f.emulator.clone(), login.clone());
        async move { call(&emulator, "DELETE", &format!("/users/alice/tokens/{token}"), &login, None).await }
    };

    assert_eq!(delete(by_id.id.to_string()).await.status, 204);
    assert_eq!(delete("by-name".into()).await.status, 204);
    let ambiguous = delete("twin".into()).await;
    assert_eq!((ambiguous.status, ambiguous.message()), (422, "multiple matches for token name"));
    for missing in [by_id.id.to_string(), "by-name".into(), "nothing".into(), "999".into(), bobs.id.to_string()] {
        let answer = delete(missing.clone()).await;
        assert_eq!((answer.status, answer.message()), (404, "The target couldn't be found."), "{missing}");
    }
    let snapshot = f.emulator.snapshot();
    assert!(snapshot.token(by_id.id).is_none() && snapshot.token(by_name.id).is_none());
    assert!(snapshot.token(twin_a.id).is_some() && snapshot.token(twin_b.id).is_some(), "a 422 deletes nothing");
    assert!(snapshot.token(bobs.id).is_some(), "Bob's id under Alice's path is not found, not deleted");
    // A deleted token no longer authenticates (hard delete).
    assert_eq!(call(&f.emulator, "GET", "/user", &[token_header(secret(&by_id))], None).await.status, 401);
    // A name made of digits is taken as an id.
    let digits = f.emulator.seed_token(f.alice.id, SeedToken::new("2024", &["all"]));
    assert_eq!(delete("2024".into()).await.status, 404);
    assert!(f.emulator.token(digits.id).is_some());
    assert_eq!(delete("twin".into()).await.status, 422);
    assert_eq!(delete(twin_a.id.to_string()).await.status, 204);
    assert_eq!(delete("twin".into()).await.status, 204, "the name is no longer ambiguous");
    // A name is percent-decoded from its path segment, `/` and spaces included.
    let odd = f.emulator.seed_token(f.alice.id, SeedToken::new("ci bot/1+x", &["all"]));
    assert_eq!(delete("ci%20bot%2F1+x".into()).await.status, 204);
    assert!(f.emulator.token(odd.id).is_none());
}

#[tokio::test]
async fn tokens_never_expire_and_die_with_their_user() {
    let f = fixture();
    f.clock.set(start() + TimeDelta::days(365 * 30));
    let me = call(&f.emulator, "GET", "/user", &[token_header(secret(&f.alice_pat))], None).await;
    assert_eq!(me.status, 200, "thirty years on, still valid");
    let snapshot = f.emulator.token(f.alice_pat.id).unwrap();
    assert_eq!(snapshot.last_used_at, start() + TimeDelta::days(365 * 30), "a use is recorded");
    assert_eq!(snapshot.created_at, start());
    let listed = call(&f.emulator, "GET", "/users/alice/tokens", &[basic("alice", ALICE_PW)], None).await;
    assert!(listed.body[0].get("expires_at").is_none(), "no expiry field: {}", listed.text);

    assert!(f.emulator.delete_user(f.alice.id));
    assert!(!f.emulator.delete_user(f.alice.id));
    assert!(f.emulator.snapshot().tokens_of(f.alice.id).is_empty());
    assert_eq!(call(&f.emulator, "GET", "/user", &[token_header(secret(&f.alice_pat))], None).await.status, 401);
}

#[tokio::test]
async fn forgejo_restricts_a_token_to_named_repositories_and_gitea_ignores_them() {
    for flavor in [Flavor::Forgejo, Flavor::Gitea] {
        let f = fixture_of(flavor);
        let repo = f.emulator.add_repository("alice", "app");
        let login = [basic("alice", ALICE_PW)];
        let body = json!({"name": "scoped", "scopes": ["write:repository"], "repositories": [{"owner": "alice", "name": "app"}]});
        let made = create(&f.emulator, "alice", &login, body).await;
        assert_eq!(made.status, 201, "{}", made.text);
        let id = made.body["id"].as_u64().unwrap();
        match flavor {
            Flavor::Forgejo => {
                assert_eq!(made.body["repositories"][0]["full_name"], "alice/app");
                assert_eq!(f.emulator.token(id).unwrap().repositories, [repo]);
                let missing =
                    json!({"name": "x", "scopes": ["all"], "repositories": [{"owner": "alice", "name": "nope"}]});
                let answer = create(&f.emulator, "alice", &login, missing).await;
                assert_eq!((answer.status, answer.message()), (400, "repository does not exist"));
            }
            _ => {
                assert!(made.body.get("repositories").is_none());
                assert!(f.emulator.token(id).unwrap().repositories.is_empty());
            }
        }
    }
}
