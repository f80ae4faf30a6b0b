//! GitHub organization governance, toured on the built-in GitHub emulator (no network, no
//! credentials): `cargo run --example github --features emulator,github`.
//!
//! GitHub has no API to create or rotate a user's tokens; an organization can see and cut off
//! the fine-grained PATs that reach it, review PAT requests and (Enterprise Cloud) remove SAML
//! authorizations. So:
//!
//! 1. a GitHub App authenticates (an RS256 JWT for an installation token, cached);
//! 2. an audit: the organization's grants scanned for expired, expiring and idle tokens;
//! 3. a pending PAT request approved with a reason;
//! 4. a leaver offboarded from two organizations — and told what GitHub cannot revoke.
//!
//! No key, JWT or token is printed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use patkit::github::emulator::{Emulator, SeedGrant, SeedPat};
use patkit::github::{AppKey, GitHubApp, GitHubClient, GitHubCredential, GitHubOffboarding, GrantQuery, Review};
use patkit::lifecycle::Scan;
use patkit::{PatId, PatProvider};

/// A throwaway test key (tests/fixtures/github); a real App's key comes from
/// `AppKey::from_pem_file` or `AppKey::from_env`.
const APP_KEY: &str = include_str!("../tests/fixtures/github/app-key.pem");
const APP_PUBLIC_KEY: &str = include_str!("../tests/fixtures/github/app-key.pub.pem");
const DAY: Duration = Duration::from_secs(86_400);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let github = Emulator::new();
    let app_id = github.register_app(APP_PUBLIC_KEY);
    let permissions = [("personal_access_tokens", "write"), ("personal_access_token_requests", "write")];
    let now = github.now();
    let mut clients = Vec::new();
    for org in ["acme", "acme-labs"] {
        github.add_org(org);
        let installation = github.install_app(app_id, org, &permissions);
        for (owner, name, expires, used) in [
            ("leaver", "laptop", 200, 1),
            ("dev", "ci", 5, 2),
            ("dev", "old-script", -3, 90),
            ("ops", "deploy", 60, 120),
        ] {
            let pat = github.seed_pat(
                SeedPat::fine_grained(owner, &format!("{org}-{name}"))
                    .expires_at(now + TimeDelta::days(expires))
                    .last_used_at(now - TimeDelta::days(used)),
            );
            github.seed_grant(org, SeedGrant::new(pat.token_id).repositories(&["api"]));
        }
        let app = GitHubApp::new(app_id.to_string(), AppKey::from_pem(APP_KEY)?)?;
        let client = GitHubClient::builder(org, GitHubCredential::app(app, installation))
            .base_url("https://api.github.example")
            .transport(github.clone())
            .revoke_wait(Duration::from_millis(10), Duration::from_secs(10))
            .build()?;
        clients.push(client);
    }
    let acme = clients[0].clone();
    println!("1. The App's installation client for {}: {:?}\n", acme.org(), acme.capabilities());

    println!("2. Audit of {}'s grants (expired, expiring within 7 days, idle over 30 days)", acme.org());
    let scan = Scan::new().provider(Arc::new(acme.clone())).window(7 * DAY).run().await?;
    println!("{scan}");
    for grant in acme.idle_grants(&GrantQuery::new(), 30 * DAY, 100).await? {
        println!("  idle: {} of {} (grant {})", grant.token_name, grant.owner.login, grant.id);
    }
    println!();

    println!("3. A PAT request, approved with a reason");
    let newbie = github.seed_pat(SeedPat::fine_grained("newbie", "first-week"));
    let request = github.seed_request("acme", SeedGrant::new(newbie.token_id).reason("onboarding"));
    acme.review_request(&PatId::new(request.to_string()), &Review::approve().reason("welcome aboard")).await?;
    let granted = acme.all_grants(&GrantQuery::new().owner("newbie"), 10).await?;
    println!("  newbie's grants now: {}\n", granted.len());

    println!("4. Offboarding 'leaver' from both organizations");
    let offboarding = clients.into_iter().fold(GitHubOffboarding::new(), |o, client| o.grants(client));
    let report = offboarding.run("leaver").await?;
    println!("{report}");
    Ok(())
}
