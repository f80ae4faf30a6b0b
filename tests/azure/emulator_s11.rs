//! The fact sheet's §11: each behaviour an emulator must reproduce, one test each, exercised in
//! process and over real loopback HTTP (`ReqwestTransport`).
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use crate::emulator_support::{Harness, Mode, V71};
use chrono::{TimeDelta, Utc};
use http::Method;
use patkit::azure::emulator::{Fault, FaultRule, SeedPat, TenantPolicies};
use patkit::azure::operations as op;
use serde_json::{Value, json};

#[tokio::test]
async fn s11_01_one_url_five_verbs() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let (id, _) = h.create_ok(&h.alice, "first", "vso.code").await;

        let get = h.pats(Method::GET, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(get.json()["patToken"]["authorizationId"], id.as_str(), "{mode:?}");
        assert!(get.json().get("patTokens").is_none(), "GET with authorizationId is Get, not List");

        let list = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await;
        assert_eq!(list.json()["patTokens"][0]["authorizationId"], id.as_str());

        let put = h
            .pats(Method::PUT, "")
            .bearer(&h.alice.bearer)
            .json(&json!({"authorizationId": id, "displayName": "renamed"}))
            .send()
            .await;
        assert_eq!(put.json()["patToken"]["displayName"], "renamed");

        let delete = h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(delete.status, 204);

        // Case-insensitive path, api-version in the Accept header.
        let shouty = h
            .req(Method::GET, "_APIS/Tokens/PATS")
            .bearer(&h.alice.bearer)
            .header("accept", &format!("application/json;api-version={V71}"))
            .send()
            .await;
        assert_eq!(shouty.status, 200, "{mode:?}: {}", shouty.text());
        assert!(shouty.json()["patTokens"].as_array().unwrap().is_empty(), "revoked tokens are not active");

        // api-version required, and -preview required.
        let missing = h.req(Method::POST, "_apis/tokens/pats").bearer(&h.alice.bearer).json(&json!({})).send().await;
        let v = missing.assert_wrapped(400, "VssVersionNotSpecifiedException");
        assert_eq!(v["message"], "No api-version was supplied for the \"POST\" request.");
        let released = h.req(Method::GET, "_apis/tokens/pats?api-version=7.1").bearer(&h.alice.bearer).send().await;
        released.assert_wrapped(400, "VssInvalidPreviewVersionException");
        assert_eq!(h.emulator.requests_seen(op::CREATE), 2, "both POSTs were classified as creates");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_02_auth_gate() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        // Missing credential: 203 sign-in page, or 401 JSON with Suppress.
        let anon = h.pats(Method::GET, "").send().await;
        assert_eq!(anon.status, 203, "{mode:?}");
        assert!(anon.header("content-type").unwrap().starts_with("text/html"));
        let anon = h.pats(Method::GET, "").suppress().send().await;
        anon.assert_wrapped(401, "UnauthorizedRequestException");
        assert!(anon.header("www-authenticate").unwrap().contains("Bearer"));

        // Expired and unknown bearer tokens: the same.
        let expired = h.emulator.issue_user_token(h.alice.id, Some(h.now() - TimeDelta::minutes(1)));
        assert_eq!(h.pats(Method::GET, "").bearer(&expired).send().await.status, 203);
        h.pats(Method::GET, "")
            .bearer(&expired)
            .suppress()
            .send()
            .await
            .assert_wrapped(401, "UnauthorizedRequestException");
        let soon = h.emulator.issue_user_token(h.alice.id, Some(h.now() + TimeDelta::minutes(5)));
        assert_eq!(h.pats(Method::GET, "").bearer(&soon).send().await.status, 200);
        h.clock.advance(TimeDelta::minutes(6));
        assert_eq!(h.pats(Method::GET, "").bearer(&soon).send().await.status, 203, "expiry follows the clock");

        // A PAT as Basic auth: 403 InvalidAccessException.
        let (_, secret) = h.create_ok(&h.alice, "a", "vso.code").await;
        let basic = h.pats(Method::GET, "").basic(&secret).send().await;
        let v = basic.assert_wrapped(403, "InvalidAccessException");
        assert_eq!(v["message"], "The requested operation is not allowed.");
        assert_eq!(v["eventId"], 3000);

        // An app-only token: 403 with the service-principal message.
        let app = h.emulator.issue_app_token(None);
        let v = h
            .pats(Method::POST, "")
            .bearer(&app)
            .json(&json!({}))
            .send()
            .await
            .assert_wrapped(403, "InvalidAccessException");
        assert_eq!(v["message"], "Service principals are not allowed to perform this action.");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_03_create_returns_the_secret_targets_and_clamped_expiry() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let now = h.now();
        let r = h.create(&h.alice, json!({"displayName": "ci", "scope": "vso.work  vso.code"})).await.json();
        let pat = &r["patToken"];
        let token = pat["token"].as_str().unwrap();
        assert_eq!(token.len(), 84, "{mode:?}");
        assert_eq!(&token[76..80], "AZDO");
        assert_eq!(pat["targetAccounts"], json!([h.org.id.to_string()]));
        assert_eq!(pat["scope"], "vso.work vso.code", "kept in the order sent");
        assert_eq!(pat["validFrom"], "2026-01-15T10:00:00.1033333Z");
        let year = now + TimeDelta::days(365);
        assert_eq!(pat["validTo"], patkit_date(year), "default: one year");

        let global = h.create(&h.alice, json!({"displayName": "g", "scope": "vso.code", "allOrgs": true})).await.json();
        assert_eq!(global["patToken"]["targetAccounts"], Value::Null);

        // Beyond the service's one-year ceiling: clamped silently.
        let far = h
            .create(&h.alice, json!({"displayName": "far", "scope": "vso.code", "validTo": "2030-01-01T00:00:00Z"}))
            .await;
        assert_eq!(far.json()["patToken"]["validTo"], patkit_date(year));

        // Tenant maximum lifespan: clamped to now + max.
        h.emulator
            .set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(30)), ..Default::default() });
        let r = h
            .create(
                &h.alice,
                json!({"displayName": "m", "scope": "vso.code", "validTo": patkit_date(now + TimeDelta::days(90))}),
            )
            .await
            .json();
        assert_eq!(r["patToken"]["validTo"], patkit_date(now + TimeDelta::days(30)));
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_04_get_list_update_never_return_the_secret() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let (id, secret) = h.create_ok(&h.alice, "t", "vso.code").await;
        let get = h.pats(Method::GET, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(get.json()["patToken"]["token"], Value::Null, "{mode:?}");
        let list = h.pats(Method::GET, "displayFilterOption=all").bearer(&h.alice.bearer).send().await;
        assert_eq!(list.json()["patTokens"][0]["token"], Value::Null);
        let put = h
            .pats(Method::PUT, "")
            .bearer(&h.alice.bearer)
            .json(&json!({"authorizationId": id, "scope": "vso.work"}))
            .send()
            .await;
        assert_eq!(put.json()["patToken"]["token"], Value::Null);
        for r in [&get, &list, &put] {
            assert!(!r.text().contains(&secret));
        }
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_05_logical_failures_are_http_200_with_pat_token_error() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let unknown = uuid::Uuid::new_v4();
        let get = h.pats(Method::GET, &format!("authorizationId={unknown}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(get.status, 200, "{mode:?}");
        assert_eq!(get.json(), json!({"patToken": null, "patTokenError": "tokenNotFound"}));

        // Someone else's token is not found either.
        let (bobs, _) = h.create_ok(&h.bob, "bob's", "vso.code").await;
        let get = h.pats(Method::GET, &format!("authorizationId={bobs}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(get.json()["patTokenError"], "tokenNotFound");

        let bad_scope = h.create(&h.alice, json!({"displayName": "x", "scope": "vso.code,vso.work"})).await;
        assert_eq!(bad_scope.status, 200);
        assert_eq!(bad_scope.json()["patTokenError"], "invalidScope");
        let past = h
            .create(&h.alice, json!({"displayName": "x", "scope": "vso.code", "validTo": "2020-01-01T00:00:00Z"}))
            .await;
        assert_eq!(past.json()["patTokenError"], "invalidValidTo");
        let nameless = h.create(&h.alice, json!({"scope": "vso.code"})).await;
        assert_eq!(nameless.json()["patTokenError"], "displayNameRequired");

        h.emulator.set_tenant_policies(TenantPolicies {
            restrict_global_pats: true,
            restrict_full_scope_pats: true,
            ..Default::default()
        });
        let global = h.create(&h.alice, json!({"displayName": "g", "scope": "vso.code", "allOrgs": true})).await;
        assert_eq!(global.json()["patTokenError"], "globalPatPolicyViolation");
        let full = h.create(&h.alice, json!({"displayName": "f", "scope": "app_token"})).await;
        assert_eq!(full.json()["patTokenError"], "fullScopePatPolicyViolation");

        // 7.2 adds patTokenErrorMessage.
        let v72 = h
            .req(Method::POST, "_apis/tokens/pats?api-version=7.2-preview.1")
            .bearer(&h.alice.bearer)
            .json(&json!({"displayName": "f", "scope": "app_token"}))
            .send()
            .await
            .json();
        assert_eq!(v72["patToken"], Value::Null);
        assert!(v72["patTokenErrorMessage"].as_str().is_some_and(|m| !m.is_empty()), "{v72}");
        assert_eq!(h.emulator.snapshot().tokens.len(), 1, "only bob's token was created");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_06_list_defaults_paging_and_ownership() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let now = h.now();
        for i in (0..25).rev() {
            h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new(format!("tok-{i:02}"), "vso.code"));
        }
        h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new("zz-revoked", "vso.code").revoked(true));
        h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("zz-soon", "vso.code").valid_to(now + TimeDelta::hours(1)),
        );
        h.emulator.seed_pat("fabrikam", h.bob.id, SeedPat::new("aa-bobs", "vso.code"));

        let first = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await.json();
        let names: Vec<&str> =
            first["patTokens"].as_array().unwrap().iter().map(|t| t["displayName"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 20, "{mode:?}: $top defaults to 20");
        assert_eq!(names[0], "tok-00", "displayName ascending, only the caller's");
        assert!(names.windows(2).all(|w| w[0] <= w[1]));
        let token = first["continuationToken"].as_str().unwrap();
        assert!(!token.is_empty());
        let second =
            h.pats(Method::GET, &format!("continuationToken={token}")).bearer(&h.alice.bearer).send().await.json();
        let rest = second["patTokens"].as_array().unwrap();
        assert_eq!(rest.len(), 6, "5 more tok-* and zz-soon; no revoked, no bob");
        assert_eq!(second["continuationToken"], "", "\"\" on the last page");

        // `expired` is computed from the clock.
        let expired = h.pats(Method::GET, "displayFilterOption=expired").bearer(&h.alice.bearer).send().await.json();
        assert!(expired["patTokens"].as_array().unwrap().is_empty());
        h.clock.advance(TimeDelta::hours(2));
        let now_expired =
            h.pats(Method::GET, "displayFilterOption=expired").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(now_expired["patTokens"][0]["displayName"], "zz-soon");
        let revoked = h.pats(Method::GET, "displayFilterOption=revoked").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(revoked["patTokens"][0]["displayName"], "zz-revoked");
        let all = h.pats(Method::GET, "displayFilterOption=all&$top=100").bearer(&h.alice.bearer).send().await.json();
        assert_eq!(all["patTokens"].as_array().unwrap().len(), 27);
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_07_revoke_answers_204_with_an_empty_body() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let (id, _) = h.create_ok(&h.alice, "t", "vso.code").await;
        let r = h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(r.status, 204, "{mode:?}");
        assert!(r.body.is_empty());
        assert!(h.emulator.token(&patkit::PatId::new(&id)).unwrap().revoked);
        // Idempotent: again, and for an unknown id.
        let again = h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(again.status, 204);
        let unknown = uuid::Uuid::new_v4();
        assert_eq!(
            h.pats(Method::DELETE, &format!("authorizationId={unknown}")).bearer(&h.alice.bearer).send().await.status,
            204
        );
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_08_dates_in_the_service_format() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let r = h
            .create(&h.alice, json!({"displayName": "d", "scope": "vso.code", "validTo": "2026-12-01T23:46:23.319Z"}))
            .await
            .json();
        assert_eq!(r["patToken"]["validTo"], "2026-12-01T23:46:23.319Z", "{mode:?}");
        assert_eq!(r["patToken"]["validFrom"], "2026-01-15T10:00:00.1033333Z", "7 digits");
        // An offset is converted to UTC; a whole second has no fraction.
        let r = h
            .create(
                &h.alice,
                json!({"displayName": "e", "scope": "vso.code", "validTo": "2026-06-01T05:00:00.500-07:00"}),
            )
            .await
            .json();
        assert_eq!(r["patToken"]["validTo"], "2026-06-01T12:00:00.5Z");
        h.clock.set(Utc::now().with_timezone(&Utc).date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc());
        let r = h.create(&h.alice, json!({"displayName": "f", "scope": "vso.code"})).await.json();
        assert!(r["patToken"]["validFrom"].as_str().unwrap().ends_with("T08:00:00Z"));
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_09_errors_are_wrapped_exceptions() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let r = h.pats(Method::POST, "").bearer(&h.alice.bearer).raw_body("{\"displayName\": ").send().await;
        let v = r.assert_wrapped(400, "JsonReaderException");
        assert!(v["message"].as_str().unwrap().starts_with("TF400898"), "{mode:?}");
        assert_eq!(v["$id"], "1");
        assert_eq!(v["innerException"], Value::Null);
        assert_eq!(v["typeName"], "Newtonsoft.Json.JsonReaderException, Newtonsoft.Json");
        h.pats(Method::POST, "").bearer(&h.alice.bearer).send().await.assert_wrapped(400, "ArgumentNullException");
        h.pats(Method::GET, "$top=0")
            .bearer(&h.alice.bearer)
            .send()
            .await
            .assert_wrapped(400, "ArgumentOutOfRangeException");
        h.pats(Method::DELETE, "authorizationId=nope")
            .bearer(&h.alice.bearer)
            .send()
            .await
            .assert_wrapped(400, "ArgumentException");
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_10_rate_limit_headers_and_429_with_retry_after() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.set_rate_limit_headers(true);
        let ok = h.pats(Method::GET, "").bearer(&h.alice.bearer).send().await;
        assert_eq!(ok.status, 200);
        assert_eq!(ok.header("x-ratelimit-limit"), Some("200"), "{mode:?}");
        assert_eq!(ok.header("x-ratelimit-remaining"), Some("199"));
        assert!(ok.header("x-ratelimit-resource").is_some() && ok.header("x-ratelimit-reset").is_some());

        h.emulator
            .inject(FaultRule::new(op::CREATE, Fault::RateLimited { retry_after: std::time::Duration::from_secs(7) }));
        let throttled = h.create(&h.alice, json!({"displayName": "t", "scope": "vso.code"})).await;
        let v = throttled.assert_wrapped(429, "ClientRequestThrottledException");
        assert!(v["message"].as_str().unwrap().starts_with("TF400733"));
        assert_eq!(throttled.header("retry-after"), Some("7"));
        assert_eq!(throttled.header("x-ratelimit-remaining"), Some("0"));
        assert!(h.emulator.snapshot().tokens.is_empty(), "a throttled create is not applied");
        h.create_ok(&h.alice, "t", "vso.code").await;
        h.shutdown().await;
    }
}

#[tokio::test]
async fn s11_11_token_admin_list_revocations_and_rules() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.make_org_admin("fabrikam", h.alice.id);
        let start = h.now();
        for i in 0..5 {
            let scope = if i % 2 == 0 { "vso.code vso.work" } else { "vso.packaging" };
            h.emulator.seed_pat(
                "fabrikam",
                h.bob.id,
                SeedPat::new(format!("b{i}"), scope).valid_from(start - TimeDelta::days(i)),
            );
        }
        let list_path = |token: &str| {
            let c = if token.is_empty() { String::new() } else { format!("&continuationToken={token}") };
            format!("_apis/tokenadmin/personalaccesstokens/{}?api-version=7.1&pageSize=2{c}", h.bob.descriptor)
        };
        let mut seen = Vec::new();
        let mut token = String::new();
        loop {
            let page = h.req(Method::GET, &list_path(&token)).bearer(&h.alice.bearer).send().await;
            assert_eq!(page.status, 200, "{mode:?}: {}", page.text());
            let v = page.json();
            for item in v["value"].as_array().unwrap() {
                assert_eq!(item["userId"], h.bob.id.to_string());
                assert_eq!(item["token"], Value::Null);
                seen.push(item["authorizationId"].as_str().unwrap().to_owned());
            }
            match &v["continuationToken"] {
                Value::Null => break,
                Value::String(s) => {
                    assert!(uuid::Uuid::parse_str(s).is_ok(), "a uuid continuation token");
                    token = s.clone();
                }
                other => panic!("continuationToken {other}"),
            }
        }
        assert_eq!(seen.len(), 5);

        // Bulk revocation: 204.
        let body = json!([{"authorizationId": seen[0]}, {"authorizationId": seen[1]}]);
        let r = h
            .req(Method::POST, "_apis/tokenadmin/revocations?api-version=7.1")
            .bearer(&h.alice.bearer)
            .json(&body)
            .send()
            .await;
        assert_eq!(r.status, 204);
        let snap = h.emulator.snapshot();
        assert_eq!(snap.tokens.iter().filter(|t| t.revoked).count(), 2);

        // A rule: tokens created before the cut-off with ANY of the scopes are revoked. 201.
        let cutoff = start - TimeDelta::hours(36); // b2, b3, b4 are older
        let rule = json!({"scopes": "vso.work vso.build", "createdBefore": patkit_date(cutoff)});
        let r = h
            .req(Method::POST, "_apis/tokenadmin/revocationrules?api-version=7.1")
            .bearer(&h.alice.bearer)
            .json(&rule)
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text());
        let snap = h.emulator.snapshot();
        let revoked: Vec<&str> = snap.tokens.iter().filter(|t| t.revoked).map(|t| t.display_name.as_str()).collect();
        assert_eq!(revoked, ["b0", "b1", "b2", "b4"], "b3 has vso.packaging only");
        assert_eq!(snap.revocation_rules.len(), 1);

        // A non-admin gets 401.
        let r = h.req(Method::GET, &list_path("")).bearer(&h.bob.bearer).send().await;
        r.assert_wrapped(401, "UnauthorizedRequestException");
        h.shutdown().await;
    }
}

/// The service's date format, computed independently of the emulator: RFC 3339 with 7 digits,
/// trailing zeros trimmed.
fn patkit_date(t: chrono::DateTime<Utc>) -> String {
    let ticks = format!("{:07}", t.timestamp_subsec_nanos() / 100);
    let s = format!("{}.{ticks}", t.format("%Y-%m-%dT%H:%M:%S"));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}Z")
}
