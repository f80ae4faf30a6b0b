//! SAML credential authorizations (GHEC): owners, scopes, enforcement, list, delete, async
//! revocations.

use serde_json::json;

use super::*;
use crate::github::emulator::SeedAuthorization;

const LIST: &str = "/orgs/acme/credential-authorizations";

struct Saml {
    fx: Fixture,
    /// The owner's classic PAT with `admin:org`, itself SAML-authorized.
    admin: SeededPat,
    /// Hubot's classic PAT and its authorization.
    hubot: SeededPat,
    hubot_credential: u64,
}

fn saml() -> Saml {
    let fx = fixture();
    fx.emulator.set_saml("acme", true);
    fx.emulator.add_org_owner("acme", "boss");
    let admin = fx.emulator.seed_pat(SeedPat::classic("boss", "admin", &["admin:org", "repo"]));
    fx.emulator.seed_authorization("acme", SeedAuthorization::pat(admin.token_id));
    let hubot = fx.emulator.seed_pat(SeedPat::classic("hubot", "deploy", &["repo"]));
    let hubot_credential = fx.emulator.seed_authorization("acme", SeedAuthorization::pat(hubot.token_id));
    fx.emulator.seed_authorization("acme", SeedAuthorization::other("hubot", "SSH key", &[]));
    Saml { fx, admin, hubot, hubot_credential }
}

#[tokio::test]
async fn an_owner_lists_by_login_with_the_sheets_fields() {
    let s = saml();
    let admin = s.admin.secret.expose_secret();
    let all = call(&s.fx.emulator, "GET", LIST, Some(admin), None).await;
    assert_eq!((all.status, all.ids("credential_id").len()), (200, 3));
    let hubot = call(&s.fx.emulator, "GET", &format!("{LIST}?login=hubot"), Some(admin), None).await;
    assert_eq!(hubot.ids("credential_id").len(), 2);
    let pat = hubot.body.as_array().unwrap().iter().find(|a| a["credential_id"] == s.hubot_credential).unwrap();
    assert_eq!(pat["credential_type"], "personal access token");
    assert_eq!(pat["scopes"], json!(["repo"]));
    assert_eq!(pat["authorized_credential_note"], "deploy");
    let secret = s.hubot.secret.expose_secret();
    assert_eq!(pat["token_last_eight"], &secret[secret.len() - 8..]);
    assert!(pat["credential_authorized_at"].is_string());
}

#[tokio::test]
async fn who_may_look_and_what_an_org_without_saml_answers() {
    let s = saml();
    let emulator = &s.fx.emulator;
    assert_eq!(call(emulator, "GET", LIST, None, None).await.status, 401);
    let not_owner = call(emulator, "GET", LIST, Some(s.hubot.secret.expose_secret()), None).await;
    assert_eq!(not_owner.status, 404, "non-disclosure");
    let fine = emulator.seed_pat(SeedPat::fine_grained("boss", "fg"));
    assert_eq!(call(emulator, "GET", LIST, Some(fine.secret.expose_secret()), None).await.status, 403);
    let installation = installation_token(&s.fx, s.fx.installation).await;
    assert_eq!(call(emulator, "GET", LIST, Some(&installation), None).await.status, 403);

    let no_scope = emulator.seed_pat(SeedPat::classic("boss", "plain", &["repo"]));
    emulator.seed_authorization("acme", SeedAuthorization::pat(no_scope.token_id));
    let refused = call(emulator, "GET", LIST, Some(no_scope.secret.expose_secret()), None).await;
    assert_eq!(refused.status, 403);
    assert!(refused.header("x-accepted-oauth-scopes").unwrap().contains("read:org"));

    let reader = emulator.seed_pat(SeedPat::classic("boss", "reader", &["read:org"]));
    emulator.seed_authorization("acme", SeedAuthorization::pat(reader.token_id));
    assert_eq!(call(emulator, "GET", LIST, Some(reader.secret.expose_secret()), None).await.status, 200);
    let delete = format!("{LIST}/{}", s.hubot_credential);
    let cannot = call(emulator, "DELETE", &delete, Some(reader.secret.expose_secret()), None).await;
    assert_eq!((cannot.status, cannot.header("x-accepted-oauth-scopes")), (403, Some("admin:org")));

    emulator.add_org_owner("other", "boss");
    let plain =
        call(emulator, "GET", "/orgs/other/credential-authorizations", Some(s.admin.secret.expose_secret()), None)
            .await;
    assert_eq!((plain.status, plain.message()), (404, "Not Found"), "an org without SAML");
}

#[tokio::test]
async fn an_unauthorized_pat_meets_saml_enforcement() {
    let s = saml();
    let emulator = &s.fx.emulator;
    let stranger = emulator.seed_pat(SeedPat::classic("boss", "new", &["admin:org"]));
    for path in [LIST, "/orgs/acme"] {
        let answer = call(emulator, "GET", path, Some(stranger.secret.expose_secret()), None).await;
        assert_eq!(answer.status, 403, "{path}");
        assert!(answer.message().starts_with("Resource protected by organization SAML enforcement"));
        let sso = answer.header("x-github-sso").unwrap();
        assert!(sso.starts_with("required; url=https://github.com/orgs/acme/sso?authorization_request="), "{sso}");
    }
    assert_eq!(call(emulator, "GET", "/orgs/acme", Some(s.hubot.secret.expose_secret()), None).await.status, 200);
    assert_eq!(call(emulator, "GET", "/orgs/other", Some(stranger.secret.expose_secret()), None).await.status, 200);
    let granted = call(emulator, "GET", "/orgs/acme", Some(s.fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!(granted.status, 200, "a fine-grained PAT reaches the org through its grant");
    let loose = emulator.seed_pat(SeedPat::fine_grained("octocat", "no-grant"));
    assert_eq!(call(emulator, "GET", "/orgs/acme", Some(loose.secret.expose_secret()), None).await.status, 403);
}

#[tokio::test]
async fn delete_is_204_then_404_and_the_token_lives_on() {
    let s = saml();
    let admin = s.admin.secret.expose_secret();
    let path = format!("{LIST}/{}", s.hubot_credential);
    assert_eq!(call(&s.fx.emulator, "DELETE", &path, Some(admin), None).await.status, 204);
    assert_eq!(call(&s.fx.emulator, "DELETE", &path, Some(admin), None).await.status, 404);
    assert_eq!(call(&s.fx.emulator, "DELETE", &format!("{LIST}/abc"), Some(admin), None).await.status, 404);
    let org = call(&s.fx.emulator, "GET", "/orgs/acme", Some(s.hubot.secret.expose_secret()), None).await;
    assert_eq!(org.status, 403, "no longer authorized for the org");
    let me = call(&s.fx.emulator, "GET", "/user", Some(s.hubot.secret.expose_secret()), None).await;
    assert_eq!(me.status, 200, "removing an authorization does not delete the token");
}

#[tokio::test]
async fn async_revocations_queue_and_apply_by_user_and_type() {
    let s = saml();
    let emulator = &s.fx.emulator;
    let admin = s.admin.secret.expose_secret();
    let bad = call(
        emulator,
        "POST",
        &format!("{LIST}/revoke-credential-type"),
        Some(admin),
        Some(json!({"credential_type": "personal access token"})),
    )
    .await;
    assert_eq!(bad.status, 422, "the revoke body spells types in snake case");

    let by_type = call(
        emulator,
        "POST",
        &format!("{LIST}/hubot/revoke-credential-type"),
        Some(admin),
        Some(json!({"credential_type": "ssh_key"})),
    )
    .await;
    assert_eq!(by_type.status, 202);
    assert_eq!(by_type.body["message"], "Credential authorization revocation has been queued");
    emulator.settle();
    let left: Vec<String> =
        emulator.snapshot().authorizations_in("acme").iter().map(|a| a.credential_type.clone()).collect();
    assert_eq!(left, ["personal access token", "personal access token"], "only hubot's SSH key went");

    assert_eq!(call(emulator, "POST", &format!("{LIST}/hubot/revoke"), Some(admin), None).await.status, 202);
    emulator.settle();
    let logins: Vec<String> = emulator.snapshot().authorizations_in("acme").iter().map(|a| a.login.clone()).collect();
    assert_eq!(logins, ["boss"]);

    assert_eq!(call(emulator, "POST", &format!("{LIST}/revoke-all"), Some(admin), None).await.status, 202);
    emulator.settle();
    assert!(emulator.snapshot().authorizations_in("acme").is_empty());
}
