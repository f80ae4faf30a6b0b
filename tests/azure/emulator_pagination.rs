//! Pagination of 1,000+ tokens, both filters and sorts, and the page-size rules.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use std::collections::BTreeSet;

use crate::emulator_support::{Harness, Mode};
use chrono::TimeDelta;
use http::Method;
use patkit::azure::emulator::SeedPat;
use serde_json::Value;

const N: usize = 1_050;

fn seed(h: &Harness) {
    let now = h.now();
    for i in 0..N {
        // Names and expiries in different orders, so the sorts are distinguishable.
        let seed = SeedPat::new(format!("tok-{:04}", (i * 7) % N), "vso.code")
            .valid_to(now + TimeDelta::hours(1 + i as i64))
            .revoked(i % 10 == 0);
        h.emulator.seed_pat("fabrikam", h.alice.id, seed);
    }
}

async fn all_pages(h: &Harness, query: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut token = String::new();
    loop {
        let q = if token.is_empty() { query.to_owned() } else { format!("{query}&continuationToken={token}") };
        let v = h.pats(Method::GET, &q).bearer(&h.alice.bearer).send().await.json();
        pages += 1;
        items.extend(v["patTokens"].as_array().unwrap().iter().cloned());
        token = v["continuationToken"].as_str().unwrap().to_owned();
        if token.is_empty() {
            return (items, pages);
        }
    }
}

#[tokio::test]
async fn thousand_plus_tokens_page_completely_in_every_order() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        seed(&h);
        let (all, pages) = all_pages(&h, "displayFilterOption=all&$top=100").await;
        assert_eq!(all.len(), N, "{mode:?}");
        assert_eq!(pages, 11);
        let ids: BTreeSet<&str> = all.iter().map(|t| t["authorizationId"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), N, "no duplicates across pages");
        let names: Vec<&str> = all.iter().map(|t| t["displayName"].as_str().unwrap()).collect();
        assert!(names.windows(2).all(|w| w[0] <= w[1]), "displayName ascending");

        let (active, _) = all_pages(&h, "$top=100").await;
        assert_eq!(active.len(), N - N / 10, "active is the default filter");
        let (revoked, _) = all_pages(&h, "displayFilterOption=revoked&$top=100").await;
        assert_eq!(revoked.len(), N / 10);

        let (by_date, _) =
            all_pages(&h, "displayFilterOption=all&sortByOption=displayDate&isSortAscending=false&$top=100").await;
        let dates: Vec<&str> = by_date.iter().map(|t| t["validTo"].as_str().unwrap()).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "displayDate descending");

        let (by_status, _) = all_pages(&h, "displayFilterOption=all&sortByOption=status&$top=100").await;
        let ids_by_status: Vec<&str> = by_status.iter().map(|t| t["authorizationId"].as_str().unwrap()).collect();
        let snap = h.emulator.snapshot();
        let rank = |id: &str| snap.token(&patkit::PatId::new(id)).unwrap().revoked;
        assert!(ids_by_status.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "active before revoked");

        // Expired, from the clock: move past the first 100 expiries.
        h.clock.advance(TimeDelta::hours(100) + TimeDelta::minutes(30));
        let (expired, _) = all_pages(&h, "displayFilterOption=expired&$top=100").await;
        assert_eq!(expired.len(), 90, "100 expired minus the 10 revoked among them");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn page_size_rules() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        seed(&h);
        let default = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(default["patTokens"].as_array().unwrap().len(), 20, "{mode:?}");
        let capped = h.pats(Method::GET, "$top=1000").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(capped["patTokens"].as_array().unwrap().len(), 100, "clamped to 100");
        h.pats(Method::GET, "$top=-1")
            .bearer(&h.alice.bearer)
            .send()
            .await
            .assert_wrapped(400, "ArgumentOutOfRangeException");
        h.pats(Method::GET, "continuationToken=garbage!")
            .bearer(&h.alice.bearer)
            .send()
            .await
            .assert_wrapped(400, "ArgumentException");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn token_admin_pages_a_thousand_plus_tokens() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        seed(&h);
        h.emulator.make_org_admin("fabrikam", h.bob.id);
        let mut seen = BTreeSet::new();
        let mut token: Option<String> = None;
        let mut pages = 0;
        loop {
            let c = token.as_ref().map(|t| format!("&continuationToken={t}")).unwrap_or_default();
            let path =
                format!("_apis/tokenadmin/personalaccesstokens/{}?api-version=7.1&pageSize=100{c}", h.alice.descriptor);
            let v = h.req(Method::GET, &path).bearer(&h.bob.bearer).send().await.json();
            pages += 1;
            for item in v["value"].as_array().unwrap() {
                seen.insert(item["authorizationId"].as_str().unwrap().to_owned());
            }
            match v["continuationToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), N, "{mode:?}");
        assert_eq!(pages, 11);
        let path = format!("_apis/tokenadmin/personalaccesstokens/{}?api-version=7.1&pageSize=0", h.alice.descriptor);
        h.req(Method::GET, &path).bearer(&h.bob.bearer).send().await.assert_wrapped(400, "ArgumentOutOfRangeException");
        h.shutdown().await;
    }
}

/// The emulator keeps a listing's order between pages; a continuation token still means a start
/// row of the listing as it is *now*: after a revoke, or once the clock passes an expiry, the
/// next page is the one a fresh listing gives (the kept order is dropped), not a stale one.
#[tokio::test]
async fn a_page_after_a_change_or_an_expiry_reads_the_listing_as_it_is_now() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let now = h.now();
        let mut ids = Vec::new();
        for (i, name) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            let seed = SeedPat::new(name, "vso.code").valid_to(now + TimeDelta::hours(1 + i as i64));
            ids.push(h.emulator.seed_pat("fabrikam", h.alice.id, seed).id.to_string());
        }
        let page = |token: String| {
            let h = &h;
            async move {
                let q =
                    if token.is_empty() { "$top=2".to_owned() } else { format!("$top=2&continuationToken={token}") };
                let v = h.pats(Method::GET, &q).bearer(&h.alice.bearer).send().await.json();
                let names: Vec<String> = v["patTokens"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["displayName"].as_str().unwrap().into())
                    .collect();
                (names, v["continuationToken"].as_str().unwrap().to_owned())
            }
        };
        let (first, next) = page(String::new()).await;
        assert_eq!(first, ["a", "b"], "{mode:?}");
        h.pats(Method::DELETE, &format!("authorizationId={}", ids[0])).bearer(&h.alice.bearer).send().await;
        let (second, _) = page(next).await;
        assert_eq!(second, ["d", "e"], "rows 2.. of the active tokens b, c, d, e");

        let (first, next) = page(String::new()).await;
        assert_eq!(first, ["b", "c"]);
        h.clock.advance(TimeDelta::hours(2) + TimeDelta::minutes(1));
        let (second, last) = page(next).await;
        assert_eq!(second, ["e"], "b expired: rows 2.. of c, d, e");
        assert_eq!(last, "", "the last page");
        h.shutdown().await;
    }
}
