//! List filters, sort orders and pagination headers (§2.16 #10–11).

use chrono::{NaiveDate, TimeDelta};

use super::{call, fixture, secret, start};
use crate::gitlab::emulator::SeedToken;

fn ids(body: &serde_json::Value) -> Vec<u64> {
    body.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

#[tokio::test]
async fn every_filter_narrows_the_list() {
    let f = fixture();
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 6, d).unwrap();
    let e = &f.emulator;
    let main = f.alice_pat.id;
    let old =
        e.seed_token(f.alice.id, SeedToken::new("Deploy old", &["api"]).created_at(start() - TimeDelta::days(10)));
    let used = e.seed_token(
        f.alice.id,
        SeedToken::new("used", &["api"]).last_used_at(start() - TimeDelta::days(2)).expires_at(Some(day(20))),
    );
    let revoked =
        e.seed_token(f.alice.id, SeedToken::new("deploy revoked", &["api"]).revoked().expires_at(Some(day(10))));
    let expired = e.seed_token(f.alice.id, SeedToken::new("expired", &["api"]).expires_at(Some(day(1))));
    let never = e.seed_token(f.alice.id, SeedToken::new("never", &["api"]).expires_at(None));
    let list = |query: &str| {
        let path = format!("/personal_access_tokens?{query}");
        let token = secret(&f.alice_pat).to_owned();
        let emulator = f.emulator.clone();
        async move { call(&emulator, "GET", &path, Some(&token), None).await }
    };
    assert_eq!(
        ids(&list("").await.body),
        [main, old.id, used.id, revoked.id, expired.id, never.id],
        "revoked and expired included by default"
    );
    assert_eq!(ids(&list("state=active").await.body), [main, old.id, used.id, never.id]);
    assert_eq!(ids(&list("state=inactive").await.body), [revoked.id, expired.id]);
    assert_eq!(ids(&list("revoked=true").await.body), [revoked.id]);
    assert_eq!(ids(&list("revoked=false").await.body).len(), 5);
    assert_eq!(ids(&list("search=DEPLOY").await.body), [old.id, revoked.id]);
    assert_eq!(ids(&list("created_before=2026-05-25T00:00:00Z").await.body), [old.id]);
    assert_eq!(ids(&list("created_after=2026-05-25T00:00:00Z").await.body).len(), 5);
    // Listing with Alice's main token uses it, so it counts as used now.
    assert_eq!(ids(&list("last_used_after=2026-05-01T00:00:00Z").await.body), [main, used.id]);
    assert_eq!(ids(&list("last_used_before=2026-05-01T00:00:00Z").await.body), Vec::<u64>::new());
    assert_eq!(ids(&list("expires_before=2026-06-10").await.body), [revoked.id, expired.id]);
    assert_eq!(
        ids(&list("expires_after=2026-06-20").await.body),
        [main, old.id, used.id],
        "inclusive; never-expiring excluded"
    );
    assert_eq!(ids(&list("sort=name_asc").await.body), [old.id, main, revoked.id, expired.id, never.id, used.id]);
    assert_eq!(ids(&list("sort=created_desc").await.body)[5], old.id);
    assert_eq!(
        ids(&list("sort=expires_asc").await.body),
        [expired.id, revoked.id, used.id, main, old.id, never.id],
        "no expiry sorts last"
    );
    assert_eq!(ids(&list("sort=last_used_desc").await.body)[..2], [main, used.id]);
    for bad in ["sort=newest", "state=dead", "revoked=maybe", "created_after=yesterday"] {
        assert_eq!(list(bad).await.status, 400, "{bad}");
    }
    assert_eq!(list("state=dead").await.body["error"], "state does not have a valid value");
}

#[tokio::test]
async fn pages_carry_gitlabs_headers_and_links() {
    let f = fixture();
    for i in 0..11 {
        f.emulator.seed_token(f.alice.id, SeedToken::new(&format!("t{i}"), &["api"]));
    }
    let page2 = call(
        &f.emulator,
        "GET",
        "/personal_access_tokens?per_page=5&page=2&state=active",
        Some(secret(&f.alice_pat)),
        None,
    )
    .await;
    assert_eq!(page2.status, 200);
    assert_eq!(page2.body.as_array().unwrap().len(), 5);
    let h = |n| page2.header(n).unwrap().to_owned();
    assert_eq!(
        (h("x-page"), h("x-per-page"), h("x-next-page"), h("x-prev-page")),
        ("2".into(), "5".into(), "3".into(), "1".into())
    );
    assert_eq!((h("x-total"), h("x-total-pages")), ("12".into(), "3".into()));
    let link = h("link");
    assert!(
        link.contains(
            "<https://gitlab.example/api/v4/personal_access_tokens?state=active&page=3&per_page=5>; rel=\"next\""
        ),
        "{link}"
    );
    assert!(
        link.contains("page=1&per_page=5>; rel=\"prev\"")
            && link.contains("rel=\"first\"")
            && link.contains("page=3&per_page=5>; rel=\"last\""),
        "{link}"
    );
    let last =
        call(&f.emulator, "GET", "/personal_access_tokens?per_page=5&page=3", Some(secret(&f.alice_pat)), None).await;
    assert_eq!((last.header("x-next-page"), last.body.as_array().unwrap().len()), (Some(""), 2));
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
    let clamped =
        call(&f.emulator, "GET", "/personal_access_tokens?per_page=1000", Some(secret(&f.alice_pat)), None).await;
    assert_eq!(clamped.header("x-per-page"), Some("100"));
    let default = call(&f.emulator, "GET", "/personal_access_tokens", Some(secret(&f.alice_pat)), None).await;
    assert_eq!(default.header("x-per-page"), Some("20"));
}

#[tokio::test]
async fn totals_vanish_above_ten_thousand_results() {
    let f = fixture();
    for i in 0..10_000 {
        f.emulator.seed_token(f.bob.id, SeedToken::new(&format!("t{i}"), &["read_api"]));
    }
    // The admin sees every token: 10,003.
    let answer =
        call(&f.emulator, "GET", "/personal_access_tokens?per_page=100&page=3", Some(secret(&f.admin_pat)), None).await;
    assert_eq!(answer.status, 200);
    assert_eq!((answer.header("x-total"), answer.header("x-total-pages")), (None, None));
    assert_eq!(answer.header("x-next-page"), Some("4"));
    let link = answer.header("link").unwrap();
    assert!(link.contains("rel=\"next\"") && !link.contains("rel=\"last\""), "{link}");
    let exactly = format!("/personal_access_tokens?user_id={}&search=t&per_page=1", f.bob.id);
    let bobs = call(&f.emulator, "GET", &exactly, Some(secret(&f.admin_pat)), None).await;
    assert_eq!(
        (bobs.header("x-total"), bobs.header("x-total-pages")),
        (Some("10000"), Some("10000")),
        "10,000 is still counted"
    );
}
