//! Fine-grained PAT grants and requests: who may call, filters, sort, paging, revoke one and in
//! bulk, reviews.

use chrono::TimeDelta;
use serde_json::json;

use super::*;
use crate::github::emulator::BulkDelay;

const GRANTS: &str = "/orgs/acme/personal-access-tokens";
const REQUESTS: &str = "/orgs/acme/personal-access-token-requests";

#[tokio::test]
async fn only_an_installation_of_the_org_with_the_permission_may_call() {
    let fx = fixture();
    let anonymous = call(&fx.emulator, "GET", GRANTS, None, None).await;
    assert_eq!(anonymous.status, 401);
    let by_pat = call(&fx.emulator, "GET", GRANTS, Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!((by_pat.status, by_pat.message()), (403, "Resource not accessible by personal access token"));
    assert_eq!(by_pat.body["status"], "403");
    assert!(by_pat.body["documentation_url"].is_string());
    let classic = fx.emulator.seed_pat(SeedPat::classic("owner", "admin", &["admin:org"]));
    assert_eq!(call(&fx.emulator, "GET", GRANTS, Some(classic.secret.expose_secret()), None).await.status, 403);

    let app_jwt = call(&fx.emulator, "GET", GRANTS, Some(&jwt(&fx)), None).await;
    assert_eq!((app_jwt.status, app_jwt.message()), (401, "Bad credentials"), "a JWT buys tokens, it is not one");

    let token = installation_token(&fx, fx.installation).await;
    let scheme = http::Request::get(format!("https://api.github.com{GRANTS}"))
        .header("authorization", format!("token {token}"))
        .body(Vec::new())
        .unwrap();
    assert_eq!(fx.emulator.send(scheme).await.unwrap().status(), 200, "`token …` works like `Bearer …`");
    let elsewhere = call(&fx.emulator, "GET", "/orgs/other/personal-access-tokens", Some(&token), None).await;
    assert_eq!(elsewhere.status, 404, "an installation reaches only its own org");
    assert_eq!(call(&fx.emulator, "GET", "/orgs/nope/personal-access-tokens", Some(&token), None).await.status, 404);

    let readonly = fx.emulator.install_app(fx.app, "other", &[("personal_access_tokens", "read")]);
    let read_token = installation_token(&fx, readonly).await;
    assert_eq!(
        call(&fx.emulator, "GET", "/orgs/other/personal-access-tokens", Some(&read_token), None).await.status,
        200
    );
    let requests =
        call(&fx.emulator, "GET", "/orgs/other/personal-access-token-requests", Some(&read_token), None).await;
    assert_eq!((requests.status, requests.message()), (403, "Resource not accessible by integration"));
    let bulk = call(
        &fx.emulator,
        "POST",
        "/orgs/other/personal-access-tokens",
        Some(&read_token),
        Some(json!({"action":"revoke","pat_ids":[1]})),
    )
    .await;
    assert_eq!(bulk.status, 403, "read may not revoke");
}

#[tokio::test]
async fn a_grant_shows_its_token_and_the_id_is_not_the_token_id() {
    let fx = fixture();
    let expires = start() + TimeDelta::days(30);
    let used = start() - TimeDelta::days(2);
    let pat = fx.emulator.seed_pat(SeedPat::fine_grained("hubot", "ci").expires_at(expires).last_used_at(used));
    let grant = fx.emulator.seed_grant(
        "acme",
        SeedGrant::new(pat.token_id).repositories(&["api", "web"]).permission("repository", "contents", "read"),
    );
    let token = installation_token(&fx, fx.installation).await;
    let answer = call(&fx.emulator, "GET", &format!("{GRANTS}?token_id[]={}", pat.token_id), Some(&token), None).await;
    let g = &answer.body[0];
    assert_eq!(answer.ids("id"), [grant]);
    assert_ne!(g["id"], g["token_id"]);
    assert_eq!(g["token_id"], pat.token_id);
    assert_eq!(g["owner"]["login"], "hubot");
    assert_eq!(g["token_name"], "ci");
    assert_eq!(g["repository_selection"], "subset");
    assert_eq!(g["permissions"], json!({"organization": {}, "repository": {"contents": "read"}, "other": {}}));
    assert_eq!(g["token_expires_at"], "2026-07-01T12:00:00Z");
    assert_eq!(g["token_last_used_at"], "2026-05-30T12:00:00Z");
    assert_eq!(g["token_expired"], false);
    assert!(g["access_granted_at"].is_string());
    assert!(
        g["repositories_url"].as_str().unwrap().ends_with(&format!("/personal-access-tokens/{grant}/repositories"))
    );

    let repos = call(&fx.emulator, "GET", &format!("{GRANTS}/{grant}/repositories"), Some(&token), None).await;
    let names: Vec<&str> = repos.body.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["api", "web"]);
    assert_eq!(repos.body[0]["full_name"], "acme/api");
    let by_token_id =
        call(&fx.emulator, "GET", &format!("{GRANTS}/{}/repositories", pat.token_id), Some(&token), None).await;
    assert_eq!(by_token_id.status, 404, "a token id in a grant's place is a 404 (§4.11)");
}

#[tokio::test]
async fn every_filter_and_the_sort_direction() {
    let fx = fixture();
    let day = TimeDelta::days(1);
    let a = fx.emulator.seed_pat(SeedPat::fine_grained("alice", "a").last_used_at(start() - day * 10));
    let b = fx.emulator.seed_pat(SeedPat::fine_grained("bob", "b").last_used_at(start() - day));
    let ga = fx.emulator.seed_grant(
        "acme",
        SeedGrant::new(a.token_id)
            .repositories(&["api"])
            .permission("organization", "members", "read")
            .at(start() - day * 3),
    );
    let gb = fx.emulator.seed_grant(
        "acme",
        SeedGrant::new(b.token_id)
            .repositories(&["web"])
            .permission("repository", "issues", "write")
            .at(start() - day * 2),
    );
    let octo = fx.octo_grant; // all repositories, never used, granted now
    let token = installation_token(&fx, fx.installation).await;
    let ids = |query: String| {
        let emulator = fx.emulator.clone();
        let token = token.clone();
        async move {
            let answer = call(&emulator, "GET", &format!("{GRANTS}?{query}"), Some(&token), None).await;
            assert_eq!(answer.status, 200, "{query}: {answer:?}");
            answer.ids("id")
        }
    };
    assert_eq!(ids(String::new()).await, [octo, gb, ga], "created_at, newest first");
    assert_eq!(ids("direction=asc".into()).await, [ga, gb, octo]);
    assert_eq!(ids("owner[]=alice&owner[]=BOB".into()).await, [gb, ga]);
    assert_eq!(ids("repository=api".into()).await, [octo, ga], "a subset naming it, and every `all`");
    assert_eq!(ids("permission=issues".into()).await, [gb]);
    assert_eq!(ids(format!("token_id[]={}", a.token_id)).await, [ga]);
    let five_days_ago = "2026-05-27T12:00:00Z";
    assert_eq!(ids(format!("last_used_before={five_days_ago}")).await, [ga]);
    assert_eq!(ids(format!("last_used_after={five_days_ago}")).await, [gb], "never used passes neither");

    for bad in ["sort=updated_at", "direction=up", "last_used_before=yesterday", "token_id[]=x"] {
        let answer = call(&fx.emulator, "GET", &format!("{GRANTS}?{bad}"), Some(&token), None).await;
        assert_eq!((answer.status, answer.message()), (422, "Validation Failed"), "{bad}");
        assert!(answer.body["errors"][0]["field"].is_string());
    }
    let eleven: String = (0..11).map(|i| format!("owner[]=u{i}&")).collect();
    assert_eq!(call(&fx.emulator, "GET", &format!("{GRANTS}?{eleven}"), Some(&token), None).await.status, 422);
    let fifty_one: String = (0..51).map(|i| format!("token_id[]={i}&")).collect();
    assert_eq!(call(&fx.emulator, "GET", &format!("{GRANTS}?{fifty_one}"), Some(&token), None).await.status, 422);
}

#[tokio::test]
async fn pages_of_at_most_a_hundred_with_link() {
    let fx = fixture();
    for i in 0..104 {
        let pat = fx.emulator.seed_pat(SeedPat::fine_grained(&format!("user{i}"), "t"));
        fx.emulator.seed_grant("acme", SeedGrant::new(pat.token_id));
    }
    let token = installation_token(&fx, fx.installation).await;
    let first = call(&fx.emulator, "GET", &format!("{GRANTS}?per_page=500&direction=asc"), Some(&token), None).await;
    assert_eq!(first.ids("id").len(), 100, "per_page is capped at 100");
    let link = first.header("link").unwrap();
    assert!(link.contains("page=2>; rel=\"next\"") && link.contains("page=2>; rel=\"last\""), "{link}");
    assert!(link.contains("direction=asc"), "the other parameters are kept: {link}");
    assert!(!link.contains("rel=\"prev\""), "{link}");
    let second =
        call(&fx.emulator, "GET", &format!("{GRANTS}?per_page=100&direction=asc&page=2"), Some(&token), None).await;
    assert_eq!(second.ids("id").len(), 5);
    let link = second.header("link").unwrap();
    assert!(
        link.contains("rel=\"prev\"") && link.contains("rel=\"first\"") && !link.contains("rel=\"next\""),
        "{link}"
    );
    let default = call(&fx.emulator, "GET", GRANTS, Some(&token), None).await;
    assert_eq!(default.ids("id").len(), 30, "30 by default");
    let few = fixture();
    let token = installation_token(&few, few.installation).await;
    assert!(call(&few.emulator, "GET", GRANTS, Some(&token), None).await.header("link").is_none(), "one page: no Link");
}

#[tokio::test]
async fn revoke_one_is_immediate_and_the_token_keeps_working() {
    let fx = fixture();
    let token = installation_token(&fx, fx.installation).await;
    let path = format!("{GRANTS}/{}", fx.octo_grant);
    let bad = call(&fx.emulator, "POST", &path, Some(&token), Some(json!({"action": "approve"}))).await;
    assert_eq!(bad.status, 422);
    let done = call(&fx.emulator, "POST", &path, Some(&token), Some(json!({"action": "revoke"}))).await;
    assert_eq!(done.status, 204);
    assert!(fx.emulator.snapshot().grants_in("acme").is_empty());
    assert_eq!(call(&fx.emulator, "POST", &path, Some(&token), Some(json!({"action": "revoke"}))).await.status, 404);
    let me = call(&fx.emulator, "GET", "/user", Some(fx.octo_pat.secret.expose_secret()), None).await;
    assert_eq!(
        (me.status, me.body["login"].as_str()),
        (200, Some("octocat")),
        "a revoked grant is not a revoked token"
    );
}

#[tokio::test]
async fn bulk_revoke_answers_202_and_applies_after_two_requests_or_on_the_clock() {
    let fx = fixture();
    let token = installation_token(&fx, fx.installation).await;
    let other = fx.emulator.seed_pat(SeedPat::fine_grained("hubot", "x"));
    let second = fx.emulator.seed_grant("acme", SeedGrant::new(other.token_id));
    let body = json!({"action": "revoke", "pat_ids": [fx.octo_grant, second]});
    let queued = call(&fx.emulator, "POST", GRANTS, Some(&token), Some(body.clone())).await;
    assert_eq!((queued.status, &queued.body), (202, &json!({})));
    assert_eq!(call(&fx.emulator, "GET", GRANTS, Some(&token), None).await.ids("id").len(), 2, "not yet");
    assert!(call(&fx.emulator, "GET", GRANTS, Some(&token), None).await.ids("id").is_empty(), "applied");

    // On the clock instead.
    let fx = fixture();
    fx.emulator.set_bulk_delay(BulkDelay { requests: 1000, after: std::time::Duration::from_secs(30) });
    let token = installation_token(&fx, fx.installation).await;
    let body = json!({"action": "revoke", "pat_ids": [fx.octo_grant]});
    assert_eq!(call(&fx.emulator, "POST", GRANTS, Some(&token), Some(body)).await.status, 202);
    assert_eq!(call(&fx.emulator, "GET", GRANTS, Some(&token), None).await.ids("id"), [fx.octo_grant]);
    assert_eq!(fx.emulator.snapshot().pending_jobs, 1);
    fx.clock.advance(TimeDelta::seconds(30));
    assert!(call(&fx.emulator, "GET", GRANTS, Some(&token), None).await.ids("id").is_empty());
    assert_eq!(fx.emulator.snapshot().pending_jobs, 0);
}

#[tokio::test]
async fn bulk_revoke_checks_its_ids() {
    let fx = fixture();
    let token = installation_token(&fx, fx.installation).await;
    let many: Vec<u64> = (0..101).collect();
    for body in [
        json!({"action": "revoke", "pat_ids": []}),
        json!({"action": "revoke", "pat_ids": many}),
        json!({"action": "revoke"}),
        json!({"action": "revoke", "pat_ids": [fx.octo_pat.token_id]}),
        json!({"action": "keep", "pat_ids": [fx.octo_grant]}),
    ] {
        let answer = call(&fx.emulator, "POST", GRANTS, Some(&token), Some(body.clone())).await;
        assert_eq!(answer.status, 422, "{body}");
    }
    assert_eq!(fx.emulator.snapshot().pending_jobs, 0, "nothing was queued");
}

#[tokio::test]
async fn requests_are_listed_approved_and_denied_with_reasons() {
    let fx = fixture();
    let token = installation_token(&fx, fx.installation).await;
    let seed = |owner: &str| {
        let pat = fx.emulator.seed_pat(SeedPat::fine_grained(owner, "req"));
        fx.emulator.seed_request("acme", SeedGrant::new(pat.token_id).repositories(&["api"]).reason("deploys"))
    };
    let (r1, r2, r3, r4) = (seed("a"), seed("b"), seed("c"), seed("d"));
    let listed = call(&fx.emulator, "GET", REQUESTS, Some(&token), None).await;
    assert_eq!(listed.ids("id").len(), 4);
    assert_eq!(listed.body[0]["reason"], "deploys");
    assert!(listed.body[0]["created_at"].is_string());
    let repos = call(&fx.emulator, "GET", &format!("{REQUESTS}/{r1}/repositories"), Some(&token), None).await;
    assert_eq!(repos.body[0]["name"], "api");

    let long = "x".repeat(1025);
    let too_long = call(
        &fx.emulator,
        "POST",
        &format!("{REQUESTS}/{r1}"),
        Some(&token),
        Some(json!({"action":"deny","reason":long})),
    )
    .await;
    assert_eq!(too_long.status, 422);
    let approved =
        call(&fx.emulator, "POST", &format!("{REQUESTS}/{r1}"), Some(&token), Some(json!({"action":"approve"}))).await;
    assert_eq!(approved.status, 204);
    let denied = call(
        &fx.emulator,
        "POST",
        &format!("{REQUESTS}/{r2}"),
        Some(&token),
        Some(json!({"action":"deny","reason":"no"})),
    )
    .await;
    assert_eq!(denied.status, 204);
    let snapshot = fx.emulator.snapshot();
    assert_eq!(snapshot.requests.iter().map(|r| r.id).collect::<Vec<_>>(), [r3, r4]);
    assert_eq!(snapshot.grants.len(), 2, "the approved request became a grant");
    assert!(snapshot.grants.iter().any(|g| g.owner == "a" && g.repositories == ["api"]));

    let too_many: Vec<u64> = (0..101).collect();
    let bulk_bad = json!({"pat_request_ids": too_many, "action": "approve"});
    assert_eq!(call(&fx.emulator, "POST", REQUESTS, Some(&token), Some(bulk_bad)).await.status, 422);
    let bulk = json!({"pat_request_ids": [r3, r4], "action": "deny", "reason": "cleanup"});
    assert_eq!(call(&fx.emulator, "POST", REQUESTS, Some(&token), Some(bulk)).await.status, 202);
    fx.emulator.settle();
    assert!(fx.emulator.snapshot().requests.is_empty());
    assert_eq!(fx.emulator.snapshot().grants.len(), 2, "denied ones do not become grants");
}
