//! Governance through `GitHubClient` over a scripted transport: offboarding a login across three
//! organizations (grants and SAML authorizations, verified by listing), the neutral seams
//! (honest capabilities, `Unsupported` without a request, the neutral `Offboarding`, the `Scan`
//! on grants), and rate limits.
#![cfg(all(feature = "testing", feature = "github"))]

use std::time::Duration;

use chrono::TimeDelta;
use patkit::github::{GitHubClient, GitHubCredential, GitHubOffboarding, GrantQuery};
use patkit::lifecycle::{FindingKind, Offboarding, Scan};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::RetryConfig;
use patkit::{Error, ListQuery, ManualClock, PatAdmin, PatId, PatProvider, PatSecret, PatSpec, Scopes};

use crate::client_app_auth::{EXCHANGE, app_client, issued, now};

const OWNER_TOKEN: &str = "ghp_ownerOWNER0000000000000000000000000";

/// A grant of `login`'s token `token_id` with grant id `id`, expiring at `expires` (RFC 3339 or
/// `null`), granted `granted`.
fn grant(id: u64, token_id: u64, login: &str, granted: &str, expires: &str) -> String {
    let expires = if expires == "null" { "null".to_owned() } else { format!("\"{expires}\"") };
    format!(
        r#"{{"id":{id},"owner":{{"login":"{login}","id":1}},"repository_selection":"subset",
        "repositories_url":"https://api.github.com/organizations/1/personal-access-tokens/{id}/repositories",
        "permissions":{{"organization":{{}},"repository":{{"contents":"write"}},"other":{{}}}},
        "access_granted_at":"{granted}","token_id":{token_id},"token_name":"token-{token_id}",
        "token_expired":false,"token_expires_at":{expires},"token_last_used_at":"2026-02-20T10:00:00Z"}}"#
    )
}

fn authorization(credential_id: u64, login: &str) -> String {
    format!(
        r#"{{"login":"{login}","credential_id":{credential_id},"credential_type":"personal access token",
        "token_last_eight":"71c3fc11","credential_authorized_at":"2025-01-26T19:06:43Z","scopes":["repo"],
        "authorized_credential_note":"laptop"}}"#
    )
}

fn owner_client(org: &str, mock: &MockTransport) -> GitHubClient {
    GitHubClient::builder(org, GitHubCredential::token(OWNER_TOKEN))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(RetryConfig::none())
        .build()
        .unwrap()
}

fn by_owner(route: Route) -> Route {
    route.query(|q| q.contains("owner%5B%5D=octocat"))
}

/// Scripts one organization: the login's grants (listed, bulk-revoked with 202, gone after) and
/// its SAML authorizations (listed, deleted, gone after), or an organization without SAML.
fn script_org(mock: MockTransport, org: &str, grants: &[String], credential_ids: Option<&[u64]>) -> MockTransport {
    let tokens = format!("/orgs/{org}/personal-access-tokens");
    let mut mock = mock
        .on_seq(
            by_owner(Route::get(tokens.clone())),
            [MockResponse::json(200, format!("[{}]", grants.join(","))), MockResponse::json(200, "[]")],
        )
        // The wait after the 202: the listing of the revoked tokens, still showing the grants once.
        .on_seq(
            Route::get(tokens.clone()).query(|q| q.contains("token_id%5B%5D=")),
            [MockResponse::json(200, format!("[{}]", grants.join(","))), MockResponse::json(200, "[]")],
        )
        // The neutral `PatAdmin::revoke_many` knows grant ids only: it waits on the whole listing.
        .on_seq(
            Route::get(tokens.clone()),
            [MockResponse::json(200, format!("[{}]", grants.join(","))), MockResponse::json(200, "[]")],
        )
        .on(Route::post(tokens).exact(), MockResponse::json(202, "{}"));
    let auths = format!("/orgs/{org}/credential-authorizations");
    mock = match credential_ids {
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(|id| authorization(*id, "octocat")).collect();
            let mut mock = mock.on_seq(
                Route::get(auths.clone()),
                [MockResponse::json(200, format!("[{}]", list.join(","))), MockResponse::json(200, "[]")],
            );
            for id in ids {
                mock = mock.on(Route::delete(format!("{auths}/{id}")), MockResponse::status(204));
            }
            mock
        }
        None => mock.on(Route::get(auths), MockResponse::json(404, r#"{"message":"Not Found","status":"404"}"#)),
    };
    mock
}

#[tokio::test(start_paused = true)]
async fn offboarding_a_login_from_three_organizations_leaves_nothing_and_says_what_stays_alive() {
    let clock = ManualClock::new(now());
    let mut mock =
        MockTransport::new().on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1)));
    let (a, b) = (
        grant(11, 911, "octocat", "2025-06-01T00:00:00Z", "null"),
        grant(12, 912, "octocat", "2025-07-01T00:00:00Z", "null"),
    );
    mock = script_org(mock, "alpha", &[a, b], Some(&[161195]));
    mock = script_org(mock, "beta", &[grant(21, 921, "octocat", "2025-08-01T00:00:00Z", "null")], Some(&[7, 8]));
    mock = script_org(mock, "gamma", &[grant(31, 931, "octocat", "2025-09-01T00:00:00Z", "null")], None);

    let mut offboarding = GitHubOffboarding::new();
    for org in ["alpha", "beta", "gamma"] {
        offboarding = offboarding.grants(app_client(org, &mock, &clock)).saml(owner_client(org, &mock));
    }
    let report = offboarding.run("octocat").await.unwrap();
    assert!(report.is_complete(), "{report}");
    let revoked: Vec<Vec<u64>> = report.orgs.iter().map(|o| o.grants_revoked.iter().map(|g| g.id).collect()).collect();
    assert_eq!(revoked, [vec![11, 12], vec![21], vec![31]]);
    let saml: Vec<usize> = report.orgs.iter().map(|o| o.authorizations_revoked.len()).collect();
    assert_eq!(saml, [1, 2, 0]);
    assert_eq!(report.orgs[2].saml_enabled, Some(false), "gamma has no SAML: not a failure");

    // Verified by listing: the wait listed the revoked tokens (token_id[]) until gone, and each
    // organization's check listings (owner filter; login filter) were empty.
    for org in ["alpha", "beta", "gamma"] {
        let waits = mock.requests_to(&Route::get(format!("/orgs/{org}/personal-access-tokens")));
        assert!(
            waits
                .iter()
                .all(|r| r.uri().query().unwrap().contains("owner") || r.uri().query().unwrap().contains("token_id"))
        );
        let bulk = mock.requests_to(&Route::post(format!("/orgs/{org}/personal-access-tokens")).exact());
        assert_eq!(bulk.len(), 1, "{org}: one bulk revocation");
        let body: serde_json::Value = serde_json::from_slice(bulk[0].body()).unwrap();
        assert_eq!(body["action"], "revoke");
        assert_eq!(bulk[0].headers()["authorization"], "Bearer ghs_installation");
        mock.assert_requested(&by_owner(Route::get(format!("/orgs/{org}/personal-access-tokens"))), 2);
    }
    let deletes: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method() == http::Method::DELETE && r.uri().path().starts_with("/orgs/beta/"))
        .collect();
    let mut paths: Vec<String> = deletes.iter().map(|r| r.uri().path().to_owned()).collect();
    paths.sort();
    assert_eq!(paths, ["/orgs/beta/credential-authorizations/7", "/orgs/beta/credential-authorizations/8"]);
    assert_eq!(deletes[0].headers()["authorization"], format!("Bearer {OWNER_TOKEN}").as_str());

    let alive = report.tokens_still_alive();
    assert_eq!(alive.len(), 4 + 3, "every grant and authorization cut is a token still alive");
    assert!(alive.contains(&"alpha: fine-grained PAT \"token-911\" (token id 911)".to_owned()), "{alive:?}");
    let shown = report.to_string();
    assert!(shown.contains("GitHub cannot revoke a user's tokens"), "{shown}");
    assert!(shown.contains("gamma: revoked 1 grant(s); no SAML single sign-on"), "{shown}");
}

#[tokio::test(start_paused = true)]
async fn a_grant_still_listed_after_the_wait_makes_the_report_incomplete() {
    let clock = ManualClock::new(now());
    let g = grant(11, 911, "octocat", "2025-06-01T00:00:00Z", "null");
    let mock = MockTransport::new()
        .on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1)))
        .on(Route::get("/orgs/alpha/personal-access-tokens"), MockResponse::json(200, format!("[{g}]")))
        .on(Route::post("/orgs/alpha/personal-access-tokens").exact(), MockResponse::json(202, "{}"));
    let report = GitHubOffboarding::new().grants(app_client("alpha", &mock, &clock)).run("octocat").await.unwrap();
    assert!(!report.is_complete());
    let org = &report.orgs[0];
    assert!(org.grants_revoked.is_empty(), "not counted as revoked");
    assert_eq!(org.grants_left.len(), 1);
    assert!(matches!(org.errors[0], Error::Api { status: 202, .. }), "{:?}", org.errors);
    assert!(report.to_string().contains("STILL LISTED"));
}

#[tokio::test]
async fn a_dry_run_lists_and_changes_nothing() {
    let clock = ManualClock::new(now());
    let mock = script_org(
        MockTransport::new().on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1))),
        "alpha",
        &[grant(11, 911, "octocat", "2025-06-01T00:00:00Z", "null")],
        Some(&[5]),
    );
    let report = GitHubOffboarding::new()
        .grants(app_client("alpha", &mock, &clock))
        .saml(owner_client("alpha", &mock))
        .dry_run(true)
        .run("octocat")
        .await
        .unwrap();
    assert_eq!((report.orgs[0].grants_revoked.len(), report.orgs[0].authorizations_revoked.len()), (1, 1));
    assert!(!report.is_complete(), "a dry run completes nothing");
    assert!(mock.requests().iter().all(|r| r.method() == http::Method::GET || r.uri().path() == EXCHANGE));
    assert!(GitHubOffboarding::new().run("octocat").await.is_err(), "no organization");
}

#[tokio::test]
async fn the_provider_is_honest_about_what_github_cannot_do() {
    let mock = MockTransport::new();
    let client = owner_client("acme", &mock);
    let caps = PatProvider::capabilities(&client);
    assert!(!caps.create && !caps.get && !caps.update && !caps.update_expiry && !caps.rotate_server_side);
    assert!(caps.list_own && caps.check);
    // An organization revokes a grant (the token's access), not the token: no `revoke`.
    assert!(!caps.revoke && !caps.revoke_deletes);
    let admin = PatAdmin::capabilities(&client);
    assert!(admin.admin_list_user && admin.revoke_many && !admin.revocation_rules);
    assert_eq!(client.max_revocations_per_request(), 100);
    let id = PatId::new("25381");
    let unsupported = |r: Result<(), Error>| matches!(r, Err(Error::Unsupported { .. }));
    assert!(unsupported(client.create_pat(PatSpec::new("x", Scopes::parse("repo").unwrap())).await.map(|_| ())));
    assert!(unsupported(client.get_pat(&id).await.map(|_| ())));
    assert!(unsupported(client.update_pat(&id, Default::default()).await.map(|_| ())));
    assert!(unsupported(client.rotate_pat(&id, None).await.map(|_| ())));
    assert!(unsupported(client.revoke_pat(&id).await));
    assert!(unsupported(PatAdmin::create_revocation_rule(&client, &Scopes::parse("repo").unwrap(), None).await));
    mock.assert_request_count(0);
    assert_eq!((PatProvider::provider_name(&client), PatProvider::organization(&client)), ("github", "acme"));
}

#[tokio::test(start_paused = true)]
async fn the_neutral_offboarding_revokes_a_logins_grants_and_verifies_them_gone() {
    let clock = ManualClock::new(now());
    let mock = script_org(
        MockTransport::new().on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1))),
        "alpha",
        &[
            grant(11, 911, "octocat", "2025-06-01T00:00:00Z", "null"),
            grant(12, 912, "octocat", "2025-06-02T00:00:00Z", "2026-01-01T00:00:00Z"),
        ],
        None,
    );
    let report = Offboarding::new(app_client("alpha", &mock, &clock)).run("octocat").await.unwrap();
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.revoked, [PatId::new("11")], "grant ids; the expired token's grant is already inactive");
    assert_eq!(report.already_inactive, [PatId::new("12")]);
    let found = &report.found[0].metadata;
    assert_eq!(found.extras.get("token_id"), Some("911"));
    assert_eq!(found.extras.get("owner"), Some("octocat"));
    assert_eq!(found.valid_from, "2025-06-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap());
}

#[tokio::test]
async fn the_scan_reports_expired_expiring_and_stale_grants() {
    let clock = ManualClock::new(now());
    let grants = [
        grant(1, 901, "octocat", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z"), // expired
        grant(2, 902, "hubot", "2026-02-01T00:00:00Z", "2026-03-05T00:00:00Z"),   // expiring within 7 days
        grant(3, 903, "monalisa", "2024-01-01T00:00:00Z", "2026-12-01T00:00:00Z"), // older than 180 days
        grant(4, 904, "octocat", "2026-02-15T00:00:00Z", "2026-12-01T00:00:00Z"), // fine
    ];
    let mock =
        MockTransport::new().on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1))).on(
            Route::get("/orgs/acme/personal-access-tokens"),
            MockResponse::json(200, format!("[{}]", grants.join(","))),
        );
    let report = Scan::new()
        .provider(app_client("acme", &mock, &clock))
        .clock(clock.clone())
        .window(Duration::from_secs(7 * 86_400))
        .max_age(Duration::from_secs(180 * 86_400))
        .run()
        .await
        .unwrap();
    let kinds = |id: &str| -> Vec<&FindingKind> {
        report.findings.iter().filter(|f| f.token.id.as_str() == id).map(|f| &f.kind).collect()
    };
    assert!(matches!(kinds("1")[..], [FindingKind::Expired { .. }]), "{:?}", kinds("1"));
    assert!(matches!(kinds("2")[..], [FindingKind::ExpiringSoon { .. }]), "{:?}", kinds("2"));
    assert!(matches!(kinds("3")[..], [FindingKind::Fine { .. }, FindingKind::Stale { .. }]), "{:?}", kinds("3"));
    assert!(matches!(kinds("4")[..], [FindingKind::Fine { .. }]), "{:?}", kinds("4"));
    let sent = &mock.requests_to(&Route::get("/orgs/acme/personal-access-tokens"))[0];
    assert!(sent.uri().query().unwrap().contains("sort=created_at"));
}

#[tokio::test]
async fn list_pats_filters_by_expiry_and_checks_work() {
    let g = [
        grant(1, 901, "octocat", "2026-02-01T00:00:00Z", "2026-02-28T00:00:00Z"),
        grant(2, 902, "hubot", "2026-02-01T00:00:00Z", "null"),
    ];
    let mock = MockTransport::new()
        .on(Route::get("/orgs/acme/personal-access-tokens"), MockResponse::json(200, format!("[{}]", g.join(","))))
        .on(Route::get("/user").exact(), MockResponse::json(200, r#"{"login":"octocat"}"#));
    let client = owner_client("acme", &mock);
    let active = client
        .list_pats(&ListQuery { filter: patkit::StatusFilter::Active, ..ListQuery::default() }, None)
        .await
        .unwrap();
    assert_eq!(active.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["2"]);
    let expired = client
        .list_pats(&ListQuery { filter: patkit::StatusFilter::Expired, ..ListQuery::default() }, None)
        .await
        .unwrap();
    assert_eq!(expired.items.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["1"]);
    assert!(client.check_pat(&PatSecret::new("github_pat_11AAA_bbb".into())).await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn rate_limits_are_typed_and_a_429_is_paced_by_the_retry_layer() {
    let secondary = MockResponse::json(403, r#"{"message":"You have exceeded a secondary rate limit."}"#)
        .header("retry-after", "30");
    let mock = MockTransport::new().on(Route::get("/orgs/acme/personal-access-tokens"), secondary);
    let err = owner_client("acme", &mock).grants(&GrantQuery::new(), None).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    mock.assert_request_count(1);

    // With retries on (the default), a 429 with retry-after is re-sent after the wait.
    let mock = MockTransport::new().on_seq(
        Route::get("/orgs/acme/personal-access-tokens"),
        [
            MockResponse::json(429, r#"{"message":"slow down"}"#).header("retry-after", "5"),
            MockResponse::json(200, "[]"),
        ],
    );
    let client = GitHubClient::builder("acme", GitHubCredential::token(OWNER_TOKEN))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    client.grants(&GrantQuery::new(), None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(5), "{:?}", started.elapsed());
    mock.assert_request_count(2);
}

/// The properties of `provider_conformance` that need no server state hold over a scripted
/// transport: the unsupported operations are checked to say so, not skipped.
#[tokio::test]
async fn the_stateless_conformance_properties_hold() {
    use patkit::testing::provider_conformance as conformance;
    let mock = MockTransport::new()
        .on(Route::get("/user").exact(), MockResponse::json(401, r#"{"message":"Bad credentials","status":"401"}"#));
    let client = owner_client("acme", &mock);
    conformance::capabilities_are_coherent(&client).await;
    conformance::unsupported_operations_say_so(&client, &conformance::Setup::new(Scopes::parse("repo").unwrap())).await;
    conformance::get_of_an_unknown_id_is_not_found(&client).await;
    conformance::check_refuses_an_unknown_secret(&client).await;
    assert_eq!(mock.request_count(), 1, "only the check reached the transport");
    mock.assert_no_unexpected();
}

/// A refusal in one organization is recorded there and the others are still offboarded.
#[tokio::test(start_paused = true)]
async fn a_failing_organization_does_not_stop_the_others() {
    let clock = ManualClock::new(now());
    let mut mock =
        MockTransport::new().on(Route::post(EXCHANGE), issued("ghs_installation", now() + TimeDelta::hours(1))).on(
            Route::get("/orgs/alpha/personal-access-tokens"),
            MockResponse::json(403, r#"{"message":"Resource not accessible by integration","status":"403"}"#),
        );
    mock = script_org(mock, "beta", &[grant(21, 921, "octocat", "2025-08-01T00:00:00Z", "null")], None);
    let report = GitHubOffboarding::new()
        .grants(app_client("alpha", &mock, &clock))
        .grants(app_client("beta", &mock, &clock))
        .run("octocat")
        .await
        .unwrap();
    assert!(!report.is_complete());
    assert!(matches!(report.orgs[0].errors[..], [Error::Forbidden { .. }]), "{:?}", report.orgs[0].errors);
    assert!(report.orgs[1].is_complete() && report.orgs[1].grants_revoked.len() == 1);
    assert!(report.to_string().contains("error: forbidden: Resource not accessible by integration"), "{report}");
}
