//! The GitHub governance emulator over loopback HTTP, through patkit's reqwest transport: an
//! App JWT bought an installation token; grants paged by following `Link`; a bulk revoke whose
//! 202 is verified by listing until the grants are gone; requests reviewed; SAML authorizations
//! listed and removed by an org owner; token checks; leaked-token revocation; rate-limit headers.
#![cfg(all(feature = "emulator", feature = "github", feature = "reqwest"))]

use std::net::{Ipv4Addr, SocketAddr};

use patkit::github::emulator::{
    Emulator, Fault, FaultRule, JwtClaims, SeedAuthorization, SeedGrant, SeedPat, operations, sign_app_jwt,
};
use patkit::transport::{HttpResponse, HttpTransport, ReqwestTransport};
use serde_json::{Value, json};

const PUBLIC_KEY: &str = include_str!("../fixtures/github/app-key.pub.pem");
const PRIVATE_KEY: &str = include_str!("../fixtures/github/app-key.pem");

async fn send(
    transport: &ReqwestTransport,
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> HttpResponse {
    let mut request = http::Request::builder()
        .method(method)
        .uri(url)
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap()).unwrap_or_default();
    transport.send(request.body(bytes).unwrap()).await.unwrap()
}

fn json_of(response: &HttpResponse) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn header<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(response: &HttpResponse) -> Option<String> {
    header(response, "link")?
        .split(", ")
        .find(|part| part.ends_with("rel=\"next\""))
        .map(|part| part.split(['<', '>']).nth(1).unwrap().to_owned())
}

#[tokio::test]
async fn governance_flow_over_loopback() {
    let emulator = Emulator::new();
    let app = emulator.register_app(PUBLIC_KEY);
    emulator.add_org("acme");
    let installation = emulator.install_app(
        app,
        "acme",
        &[("personal_access_tokens", "write"), ("personal_access_token_requests", "write")],
    );
    let mut grant_ids = Vec::new();
    for i in 0..7 {
        let pat = emulator.seed_pat(SeedPat::fine_grained(if i < 5 { "leaver" } else { "stayer" }, &format!("t{i}")));
        grant_ids.push(emulator.seed_grant("acme", SeedGrant::new(pat.token_id).repositories(&["api"])));
    }
    let requester = emulator.seed_pat(SeedPat::fine_grained("newbie", "wants-in"));
    let request_id = emulator.seed_request("acme", SeedGrant::new(requester.token_id).reason("onboarding"));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = server.base_url();
    let http = ReqwestTransport::new().unwrap();

    // App JWT → installation token.
    let jwt = sign_app_jwt(PRIVATE_KEY, JwtClaims::for_app(app, emulator.now())).unwrap();
    let url = format!("{base}/app/installations/{installation}/access_tokens");
    let minted = send(&http, "POST", &url, Some(jwt.expose_secret()), None).await;
    assert_eq!(minted.status(), 201);
    let token = json_of(&minted)["token"].as_str().unwrap().to_owned();

    // Page through the leaver's grants by following Link.
    let mut url = Some(format!("{base}/orgs/acme/personal-access-tokens?owner[]=leaver&per_page=2"));
    let mut leaver_grants = Vec::new();
    let mut pages = 0;
    while let Some(next) = url {
        let page = send(&http, "GET", &next, Some(&token), None).await;
        assert_eq!(page.status(), 200);
        assert!(header(&page, "x-ratelimit-remaining").is_some());
        leaver_grants.extend(json_of(&page).as_array().unwrap().iter().map(|g| g["id"].as_u64().unwrap()));
        url = next_link(&page);
        pages += 1;
    }
    assert_eq!((pages, leaver_grants.len()), (3, 5));

    // Bulk revoke: 202, then list until they are gone.
    let revoke = send(
        &http,
        "POST",
        &format!("{base}/orgs/acme/personal-access-tokens"),
        Some(&token),
        Some(json!({"action": "revoke", "pat_ids": leaver_grants})),
    )
    .await;
    assert_eq!(revoke.status(), 202);
    let mut listings = 0;
    loop {
        listings += 1;
        let left =
            send(&http, "GET", &format!("{base}/orgs/acme/personal-access-tokens?owner[]=leaver"), Some(&token), None)
                .await;
        if json_of(&left).as_array().unwrap().is_empty() {
            break;
        }
        assert!(listings < 5, "the bulk revoke never applied");
    }
    assert!(listings > 1, "the 202 applied later, not at once");
    assert_eq!(emulator.snapshot().grants_in("acme").len(), 2, "the stayer's grants remain");

    // Approve the pending request: it becomes a grant.
    let review = send(
        &http,
        "POST",
        &format!("{base}/orgs/acme/personal-access-token-requests/{request_id}"),
        Some(&token),
        Some(json!({"action": "approve", "reason": "welcome"})),
    )
    .await;
    assert_eq!(review.status(), 204);
    let grants =
        send(&http, "GET", &format!("{base}/orgs/acme/personal-access-tokens?owner[]=newbie"), Some(&token), None)
            .await;
    assert_eq!(json_of(&grants)[0]["token_id"], requester.token_id);

    // A PAT cannot use the App-only endpoints.
    let by_pat = send(
        &http,
        "GET",
        &format!("{base}/orgs/acme/personal-access-tokens"),
        Some(requester.secret.expose_secret()),
        None,
    )
    .await;
    assert_eq!(by_pat.status(), 403);
    assert_eq!(json_of(&by_pat)["message"], "Resource not accessible by personal access token");
    server.shutdown().await;
}

#[tokio::test]
async fn saml_token_checks_and_leaked_revocation_over_loopback() {
    let emulator = Emulator::new();
    emulator.add_org("corp");
    emulator.set_saml("corp", true);
    emulator.add_org_owner("corp", "boss");
    let admin = emulator.seed_pat(SeedPat::classic("boss", "admin", &["admin:org"]));
    emulator.seed_authorization("corp", SeedAuthorization::pat(admin.token_id));
    let expires = emulator.now() + chrono::TimeDelta::days(3);
    let leaver = emulator.seed_pat(SeedPat::classic("leaver", "laptop", &["repo", "read:org"]).expires_at(expires));
    let credential = emulator.seed_authorization("corp", SeedAuthorization::pat(leaver.token_id));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let base = server.base_url();
    let http = ReqwestTransport::new().unwrap();
    let admin_token = admin.secret.expose_secret();

    let listed = send(
        &http,
        "GET",
        &format!("{base}/orgs/corp/credential-authorizations?login=leaver"),
        Some(admin_token),
        None,
    )
    .await;
    assert_eq!(listed.status(), 200);
    assert_eq!(json_of(&listed)[0]["credential_id"], credential);
    let deleted = send(
        &http,
        "DELETE",
        &format!("{base}/orgs/corp/credential-authorizations/{credential}"),
        Some(admin_token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 204);
    let sso = send(&http, "GET", &format!("{base}/orgs/corp"), Some(leaver.secret.expose_secret()), None).await;
    assert_eq!(sso.status(), 403);
    assert!(header(&sso, "x-github-sso").unwrap().starts_with("required; url="));

    let me = send(&http, "GET", &format!("{base}/user"), Some(leaver.secret.expose_secret()), None).await;
    assert_eq!(me.status(), 200, "the token itself still works");
    assert_eq!(header(&me, "x-oauth-scopes"), Some("repo, read:org"));
    let expected = expires.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    assert_eq!(header(&me, "github-authentication-token-expiration"), Some(expected.as_str()));

    emulator.inject(FaultRule::new(operations::CREDENTIALS_REVOKE, Fault::ServerError { status: 502 }));
    let body = json!({"credentials": [leaver.secret.expose_secret()]});
    let failed = send(&http, "POST", &format!("{base}/credentials/revoke"), None, Some(body.clone())).await;
    assert_eq!(failed.status(), 502);
    let revoked = send(&http, "POST", &format!("{base}/credentials/revoke"), None, Some(body)).await;
    assert_eq!(revoked.status(), 202);
    let after = send(&http, "GET", &format!("{base}/user"), Some(leaver.secret.expose_secret()), None).await;
    assert_eq!(after.status(), 401);
    assert_eq!(json_of(&after)["message"], "Bad credentials");
    assert_eq!(emulator.requests_seen(operations::CREDENTIALS_REVOKE), 2);
    server.shutdown().await;
}

/// The shared throttle as GitHub's primary limit on a short window: `x-ratelimit-*` from it on
/// every answer, then 403 "API rate limit exceeded" with `x-ratelimit-remaining: 0`; per caller;
/// off by default.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_throttle_is_the_primary_limit_with_githubs_headers_and_403() {
    let emulator = Emulator::new();
    let alice = emulator.seed_pat(SeedPat::classic("alice", "laptop", &["repo"]));
    let bob = emulator.seed_pat(SeedPat::classic("bob", "laptop", &["repo"]));
    let server = emulator.serve(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
    let (http, base) = (ReqwestTransport::new().unwrap(), server.base_url());
    let url = format!("{base}/user");
    let (a, b) = (alice.secret.expose_secret().to_owned(), bob.secret.expose_secret().to_owned());
    let plain = send(&http, "GET", &url, Some(&a), None).await;
    assert_eq!(header(&plain, "x-ratelimit-limit"), Some("5000"), "off by default: the documented budget");

    emulator
        .set_throttle(Some(patkit::testing::emulator_kit::Throttle::fixed(2, std::time::Duration::from_secs(3600))));
    let first = send(&http, "GET", &url, Some(&a), None).await;
    assert_eq!(first.status(), 200);
    assert_eq!((header(&first, "x-ratelimit-limit"), header(&first, "x-ratelimit-remaining")), (Some("2"), Some("1")));
    assert_eq!((header(&first, "x-ratelimit-used"), header(&first, "x-ratelimit-resource")), (Some("1"), Some("core")));
    let window_end = (chrono::Utc::now().timestamp() / 3600 + 1) * 3600;
    assert_eq!(header(&first, "x-ratelimit-reset"), Some(window_end.to_string().as_str()));
    send(&http, "GET", &url, Some(&a), None).await;
    let over = send(&http, "GET", &url, Some(&a), None).await;
    assert_eq!((over.status().as_u16(), header(&over, "x-ratelimit-remaining")), (403, Some("0")));
    assert!(json_of(&over)["message"].as_str().unwrap().starts_with("API rate limit exceeded for user ID"));
    assert_eq!(send(&http, "GET", &url, Some(&b), None).await.status(), 200, "Bob's own budget");
    assert_eq!(emulator.throttle_stats().refused, 1);
    server.shutdown().await;
}
