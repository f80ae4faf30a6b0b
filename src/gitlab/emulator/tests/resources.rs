//! Project and group access tokens and their bot users.

use serde_json::json;

use super::{Fixture, call, fixture, secret};
use crate::gitlab::emulator::{ResourceKind, SeedToken};

struct Project {
    f: Fixture,
    id: u64,
}

/// Project `acme/app`: Alice is Maintainer, Bob Developer.
fn project() -> Project {
    let f = fixture();
    let id = f.emulator.add_project("acme/app");
    f.emulator.add_member(ResourceKind::Project, id, f.alice.id, 40);
    f.emulator.add_member(ResourceKind::Project, id, f.bob.id, 30);
    Project { f, id }
}

#[tokio::test]
async fn maintainers_create_tokens_owned_by_a_new_bot_member() {
    let Project { f, id } = project();
    let body = json!({"name": "ci", "scopes": ["read_repository"], "access_level": 30, "expires_at": "2026-07-01"});
    let created =
        call(&f.emulator, "POST", "/projects/acme%2Fapp/access_tokens", Some(secret(&f.alice_pat)), Some(body.clone()))
            .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!((created.body["access_level"].as_u64(), created.body["name"].as_str()), (Some(30), Some("ci")));
    assert!(created.body["token"].as_str().unwrap().starts_with("glpat-"));
    let bot = created.body["user_id"].as_u64().unwrap();
    let snapshot = f.emulator.snapshot();
    let user = snapshot.users.iter().find(|u| u.id == bot).unwrap();
    assert!(user.bot && user.username.starts_with(&format!("project_{id}_bot_")), "{}", user.username);
    assert!(snapshot.resources.iter().any(|r| r.id == id && r.members.contains(&(bot, 30))));
    // The bot's token authenticates as the bot.
    let me =
        call(&f.emulator, "GET", "/personal_access_tokens/self", Some(created.body["token"].as_str().unwrap()), None)
            .await;
    assert_eq!(me.body["user_id"].as_u64(), Some(bot));
    // A Developer may not; a stranger does not even see the project; an admin may.
    let dev = call(
        &f.emulator,
        "POST",
        &format!("/projects/{id}/access_tokens"),
        Some(secret(&f.bob_pat)),
        Some(body.clone()),
    )
    .await;
    assert_eq!((dev.status, dev.body["message"].as_str()), (403, Some("403 Forbidden")));
    let stranger = f.emulator.add_user("stranger");
    let stranger_pat = f.emulator.seed_token(stranger.id, SeedToken::new("s", &["api"]));
    let hidden =
        call(&f.emulator, "GET", &format!("/projects/{id}/access_tokens"), Some(secret(&stranger_pat)), None).await;
    assert_eq!((hidden.status, hidden.body["message"].as_str()), (404, Some("404 Project Not Found")));
    let admin =
        call(&f.emulator, "POST", &format!("/projects/{id}/access_tokens"), Some(secret(&f.admin_pat)), Some(body))
            .await;
    assert_eq!(admin.status, 201);
}

#[tokio::test]
async fn create_checks_scopes_and_access_level() {
    let Project { f, id } = project();
    let path = format!("/projects/{id}/access_tokens");
    let create = |body: serde_json::Value| {
        let (path, token, emulator) = (path.clone(), secret(&f.alice_pat).to_owned(), f.emulator.clone());
        async move { call(&emulator, "POST", &path, Some(&token), Some(body)).await }
    };
    let sudo = create(json!({"name": "n", "scopes": ["sudo"]})).await;
    assert_eq!(sudo.body["error"], "scopes does not have a valid value");
    let level = create(json!({"name": "n", "scopes": ["api"], "access_level": 35})).await;
    assert_eq!(level.body["error"], "access_level does not have a valid value");
    let owner = create(json!({"name": "n", "scopes": ["api"], "access_level": 50})).await;
    assert_eq!(owner.status, 400, "a Maintainer cannot mint an Owner token");
    let default = create(json!({"name": "n", "scopes": ["api"]})).await;
    assert_eq!(
        (default.status, default.body["access_level"].as_u64(), default.body["expires_at"].as_str()),
        (201, Some(40), Some("2027-06-01"))
    );
}

#[tokio::test]
async fn list_get_rotate_and_revoke_stay_within_the_project() {
    let Project { f, id } = project();
    let other = f.emulator.add_project("acme/other");
    let mine =
        f.emulator.seed_resource_token(ResourceKind::Project, id, SeedToken::new("deploy", &["api"]).access_level(30));
    let theirs = f.emulator.seed_resource_token(ResourceKind::Project, other, SeedToken::new("x", &["api"]));
    let alice = secret(&f.alice_pat);
    let list = call(&f.emulator, "GET", &format!("/projects/{id}/access_tokens"), Some(alice), None).await;
    let listed: Vec<u64> = list.body.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect();
    assert_eq!(listed, [mine.id]);
    assert_eq!(list.body[0]["access_level"], 30);
    assert!(list.header("x-total").is_some());
    let cross =
        call(&f.emulator, "GET", &format!("/projects/{id}/access_tokens/{}", theirs.id), Some(alice), None).await;
    assert_eq!(cross.status, 404, "another project's token");
    let got = call(&f.emulator, "GET", &format!("/projects/{id}/access_tokens/{}", mine.id), Some(alice), None).await;
    assert_eq!((got.status, got.body.get("token")), (200, None));
    let rotated = call(
        &f.emulator,
        "POST",
        &format!("/projects/{id}/access_tokens/{}/rotate", mine.id),
        Some(alice),
        Some(json!({"expires_at": "2026-06-15"})),
    )
    .await;
    assert_eq!(rotated.status, 200);
    let new = rotated.body["id"].as_u64().unwrap();
    let snapshot = f.emulator.snapshot();
    let new_token = snapshot.token(new).unwrap();
    assert_eq!(
        (new_token.user_id, new_token.access_level, new_token.resource),
        (mine.user_id, Some(30), Some((ResourceKind::Project, id)))
    );
    let again =
        call(&f.emulator, "POST", &format!("/projects/{id}/access_tokens/{}/rotate", mine.id), Some(alice), None).await;
    assert_eq!(again.status, 400);
    assert!(f.emulator.token(new).unwrap().revoked, "reuse detection applies to project tokens too");
    let revoke =
        call(&f.emulator, "DELETE", &format!("/projects/{id}/access_tokens/{}", theirs.id), Some(alice), None).await;
    assert_eq!(revoke.status, 404);
}

#[tokio::test]
async fn a_project_token_rotates_itself_and_group_tokens_work_alike() {
    let Project { f, id } = project();
    let bot = f.emulator.seed_resource_token(ResourceKind::Project, id, SeedToken::new("self", &["self_rotate"]));
    let rotate_self = |project: u64, token: String| {
        let emulator = f.emulator.clone();
        async move {
            call(&emulator, "POST", &format!("/projects/{project}/access_tokens/self/rotate"), Some(&token), None).await
        }
    };
    let rotated = rotate_self(id, secret(&bot).to_owned()).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(f.emulator.token(rotated.body["id"].as_u64().unwrap()).unwrap().previous_id, Some(bot.id));
    let reader = f.emulator.seed_resource_token(ResourceKind::Project, id, SeedToken::new("r", &["read_api"]));
    let refused = rotate_self(id, secret(&reader).to_owned()).await;
    assert_eq!((refused.status, refused.body["scope"].as_str()), (403, Some("api self_rotate")));
    let elsewhere = f.emulator.add_project("acme/elsewhere");
    let writer = f.emulator.seed_resource_token(ResourceKind::Project, id, SeedToken::new("w", &["api"]));
    let wrong = rotate_self(elsewhere, secret(&writer).to_owned()).await;
    assert_eq!(wrong.status, 404, "the calling token is not one of that project's");
    let group = f.emulator.add_group("acme");
    f.emulator.add_member(ResourceKind::Group, group, f.alice.id, 50);
    let created = call(
        &f.emulator,
        "POST",
        "/groups/acme/access_tokens",
        Some(secret(&f.alice_pat)),
        Some(json!({"name": "g", "scopes": ["read_api"], "access_level": 50, "expires_at": "2026-07-01"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let token = created.body["id"].as_u64().unwrap();
    assert_eq!(f.emulator.token(token).unwrap().resource, Some((ResourceKind::Group, group)));
    let revoked = call(
        &f.emulator,
        "DELETE",
        &format!("/groups/{group}/access_tokens/{token}"),
        Some(secret(&f.alice_pat)),
        None,
    )
    .await;
    assert_eq!(revoked.status, 204);
    let listed = call(
        &f.emulator,
        "GET",
        &format!("/groups/{group}/access_tokens?state=inactive"),
        Some(secret(&f.alice_pat)),
        None,
    )
    .await;
    assert_eq!(listed.body[0]["id"].as_u64(), Some(token));
    let assoc =
        call(&f.emulator, "GET", "/personal_access_tokens/self/associations", Some(secret(&f.alice_pat)), None).await;
    assert_eq!(assoc.body["groups"][0]["id"].as_u64(), Some(group));
    assert_eq!(assoc.body["projects"][0]["id"].as_u64(), Some(id));
}
