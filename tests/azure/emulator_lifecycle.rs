//! Update rules, policies, the connectionData check and Token Admin access, in process and over
//! loopback HTTP.
#![cfg(all(feature = "emulator", feature = "reqwest"))]

use crate::emulator_support;

use crate::emulator_support::{Harness, Mode};
use chrono::TimeDelta;
use http::Method;
use patkit::PatId;
use patkit::azure::emulator::{OrgPolicies, SeedPat, TargetAccounts, TenantPolicies};
use serde_json::{Value, json};

#[tokio::test]
async fn update_keeps_omitted_fields_and_refuses_revoked_and_expired() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let now = h.now();
        let (id, _) = h.create_ok(&h.alice, "t", "vso.code vso.work").await;
        let before = h.emulator.token(&PatId::new(&id)).unwrap();
        let put = |body: Value| h.pats(Method::PUT, "").bearer(&h.alice.bearer).json(&body).send();
        let v = put(json!({"authorizationId": id, "allOrgs": true})).await.json();
        assert_eq!(v["patToken"]["targetAccounts"], Value::Null, "{mode:?}");
        assert_eq!(v["patToken"]["scope"], "vso.code vso.work");
        assert_eq!(v["patToken"]["displayName"], "t");
        let after = h.emulator.token(&PatId::new(&id)).unwrap();
        assert_eq!(after.targets, TargetAccounts::AllOrganizations);
        assert_eq!((after.valid_from, after.valid_to), (before.valid_from, before.valid_to));

        // Update clamps to creation + max lifespan.
        h.clock.advance(TimeDelta::days(10));
        h.emulator
            .set_tenant_policies(TenantPolicies { max_lifespan: Some(TimeDelta::days(30)), ..Default::default() });
        let v = put(json!({"authorizationId": id, "validTo": "2027-06-01T00:00:00Z", "allOrgs": false})).await.json();
        assert_eq!(h.emulator.token(&PatId::new(&id)).unwrap().valid_to, before.valid_from + TimeDelta::days(30));
        assert_eq!(v["patToken"]["targetAccounts"], json!([h.org.id.to_string()]));

        assert_eq!(
            put(json!({"authorizationId": "not-a-guid"})).await.json()["patTokenError"],
            "invalidAuthorizationId"
        );
        assert_eq!(
            put(json!({"authorizationId": uuid::Uuid::new_v4()})).await.json()["patTokenError"],
            "tokenNotFound"
        );
        let expired = h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("old", "vso.code").valid_from(now - TimeDelta::days(40)).valid_to(now - TimeDelta::days(1)),
        );
        let r = put(json!({"authorizationId": expired.id.as_str(), "validTo": "2026-02-20T00:00:00Z"})).await.json();
        assert_eq!(r["patTokenError"], "expiredPatCannotBeExtended");
        let rename = put(json!({"authorizationId": expired.id.as_str(), "displayName": "renamed"})).await.json();
        assert_eq!(rename["patTokenError"], "none", "renaming an expired token is fine");
        h.pats(Method::DELETE, &format!("authorizationId={id}")).bearer(&h.alice.bearer).send().await;
        assert_eq!(
            put(json!({"authorizationId": id, "displayName": "x"})).await.json()["patTokenError"],
            "invalidToken"
        );
        h.shutdown().await;
    }
}

#[tokio::test]
async fn each_policy_has_its_code() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let create = |body: Value| h.create(&h.alice, body);
        let code = |r: emulator_support::Resp| r.json()["patTokenError"].as_str().unwrap().to_owned();
        let global = || json!({"displayName": "g", "scope": "vso.code", "allOrgs": true});

        h.emulator.set_tenant_policies(TenantPolicies { global_pat_creation_blocked: true, ..Default::default() });
        assert_eq!(code(create(global()).await), "globalPATCreationBlocked", "{mode:?}");
        h.emulator.set_tenant_policies(TenantPolicies { restrict_global_pats: true, ..Default::default() });
        assert_eq!(code(create(global()).await), "globalPatPolicyViolation");
        h.emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
        assert_eq!(
            code(create(json!({"displayName": "f", "scope": "app_token"})).await),
            "fullScopePatPolicyViolation"
        );
        h.emulator.set_tenant_policies(TenantPolicies {
            max_lifespan: Some(TimeDelta::days(7)),
            reject_over_lifespan: true,
            ..Default::default()
        });
        let long = json!({"displayName": "l", "scope": "vso.code", "validTo": "2026-03-01T00:00:00Z"});
        assert_eq!(code(create(long).await), "patLifespanPolicyViolation");
        h.emulator.set_tenant_policies(TenantPolicies::default());

        // Org "restrict PAT creation", with an allow-list.
        h.emulator
            .set_org_policies("fabrikam", OrgPolicies { restrict_pat_creation: true, allowed_users: vec![h.bob.id] });
        assert_eq!(
            code(create(json!({"displayName": "x", "scope": "vso.code"})).await),
            "disablePatCreationPolicyViolation"
        );
        h.create_ok(&h.bob, "allowed", "vso.code").await;

        // Existing tokens keep working; a rename is not a renewal.
        h.emulator.set_org_policies("fabrikam", OrgPolicies::default());
        let (id, _) = h.create_ok(&h.alice, "full", "app_token").await;
        h.emulator.set_tenant_policies(TenantPolicies { restrict_full_scope_pats: true, ..Default::default() });
        let put = |body: Value| h.pats(Method::PUT, "").bearer(&h.alice.bearer).json(&body).send();
        assert_eq!(code(put(json!({"authorizationId": id, "displayName": "still full"})).await), "none");
        assert_eq!(
            code(put(json!({"authorizationId": id, "validTo": "2026-05-01T00:00:00Z"})).await),
            "fullScopePatPolicyViolation"
        );
        h.shutdown().await;
    }
}

#[tokio::test]
async fn connection_data_answers_only_while_the_pat_is_valid() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let other = h.emulator.add_organization("contoso");
        let check = |pat: &str| h.req(Method::GET, "_apis/connectionData").basic(pat).send();
        let (_, secret) = h.create_ok(&h.alice, "t", "vso.code").await;
        let ok = check(&secret).await;
        assert_eq!(ok.status, 200, "{mode:?}");
        assert_eq!(ok.json()["authenticatedUser"]["id"], h.alice.id.to_string());
        assert_eq!(ok.json()["instanceId"], h.org.id.to_string());

        // Not for another organization.
        let elsewhere = h.req(Method::GET, "_apis/connectionData").basic(&secret).send().await;
        assert_eq!(elsewhere.status, 200);
        let other_url = format!("{}/{}/_apis/connectionData", h.base, other.name);
        let mut request = http::Request::get(other_url).body(Vec::new()).unwrap();
        request.headers_mut().insert("authorization", patkit::PatSecret::new(secret.clone()).basic_authorization());
        assert_eq!(h.transport.send(request).await.unwrap().status(), 401, "scoped to fabrikam only");

        // Expiry by the clock.
        let short = h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("short", "vso.code").valid_to(h.now() + TimeDelta::hours(1)),
        );
        assert_eq!(check(short.secret.expose_secret()).await.status, 200);
        h.clock.advance(TimeDelta::hours(2));
        assert_eq!(check(short.secret.expose_secret()).await.status, 401);

        // Unknown value, seeded revoked, global blocked by the org policy unless allow-listed.
        assert_eq!(check("dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq").await.status, 401);
        let revoked = h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new("r", "vso.code").revoked(true));
        assert_eq!(check(revoked.secret.expose_secret()).await.status, 401);
        let global = h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new("g", "vso.code").global());
        assert_eq!(check(global.secret.expose_secret()).await.status, 200);
        h.emulator.set_org_policies("fabrikam", OrgPolicies { restrict_pat_creation: true, allowed_users: vec![] });
        assert_eq!(check(global.secret.expose_secret()).await.status, 401);
        h.emulator
            .set_org_policies("fabrikam", OrgPolicies { restrict_pat_creation: true, allowed_users: vec![h.alice.id] });
        assert_eq!(check(global.secret.expose_secret()).await.status, 200);
        h.shutdown().await;
    }
}

#[tokio::test]
async fn token_admin_access_rules() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        h.emulator.make_org_admin("fabrikam", h.alice.id);
        let path = format!("_apis/tokenadmin/personalaccesstokens/{}?api-version=7.1", h.bob.descriptor);
        // An admin's PAT with vso.tokenadministration works; without the scope it does not.
        let admin_pat = h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new("admin", "vso.tokenadministration"));
        let plain_pat = h.emulator.seed_pat("fabrikam", h.alice.id, SeedPat::new("plain", "vso.code"));
        assert_eq!(
            h.req(Method::GET, &path).basic(admin_pat.secret.expose_secret()).send().await.status,
            200,
            "{mode:?}"
        );
        h.req(Method::GET, &path)
            .basic(plain_pat.secret.expose_secret())
            .send()
            .await
            .assert_wrapped(401, "UnauthorizedRequestException");
        let app = h.emulator.issue_app_token(None);
        h.req(Method::GET, &path).bearer(&app).send().await.assert_wrapped(403, "InvalidAccessException");
        // Unknown user: 404; malformed descriptor: 400; preview required for 7.2.
        let unknown = "_apis/tokenadmin/personalaccesstokens/aad.bm9ib2R5?api-version=7.1";
        assert_eq!(h.req(Method::GET, unknown).bearer(&h.alice.bearer).send().await.status, 404);
        let bad = "_apis/tokenadmin/personalaccesstokens/nodot?api-version=7.1";
        assert_eq!(h.req(Method::GET, bad).bearer(&h.alice.bearer).send().await.status, 400);
        let v72 = format!("_apis/tokenadmin/personalaccesstokens/{}?api-version=7.2", h.bob.descriptor);
        h.req(Method::GET, &v72)
            .bearer(&h.alice.bearer)
            .send()
            .await
            .assert_wrapped(400, "VssInvalidPreviewVersionException");
        // Revocations need ids; rules need scopes.
        let rev = "_apis/tokenadmin/revocations?api-version=7.1";
        h.req(Method::POST, rev)
            .bearer(&h.alice.bearer)
            .json(&json!([{}]))
            .send()
            .await
            .assert_wrapped(400, "ArgumentException");
        let rules = "_apis/tokenadmin/revocationrules?api-version=7.1";
        h.req(Method::POST, rules)
            .bearer(&h.alice.bearer)
            .json(&json!({}))
            .send()
            .await
            .assert_wrapped(400, "ArgumentNullException");
        h.shutdown().await;
    }
}

/// BLOG-GPAT: from 2026-12-01T00:00Z on the emulator's clock, global PATs can no longer be
/// created or regenerated, and existing ones stop authenticating; organization-scoped ones are
/// untouched. Before that instant nothing changes; the switch models the time before it.
#[tokio::test]
async fn global_pats_are_retired_on_2026_12_01_by_the_clock() {
    for mode in Mode::ALL {
        let h = Harness::new(mode).await;
        let code = |r: emulator_support::Resp| r.json()["patTokenError"].as_str().unwrap().to_owned();
        let global = || json!({"displayName": "g", "scope": "vso.code", "allOrgs": true});
        let hr = &h;
        let check =
            |pat: String| async move { hr.req(Method::GET, "_apis/connectionData").basic(&pat).send().await.status };
        let put = |body: Value| h.pats(Method::PUT, "").bearer(&h.alice.bearer).json(&body).send();
        let old_global = h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("old global", "vso.code")
                .global()
                .valid_to(patkit::azure::GLOBAL_PAT_RETIREMENT + TimeDelta::days(90)),
        );
        let scoped = h.emulator.seed_pat(
            "fabrikam",
            h.alice.id,
            SeedPat::new("scoped", "vso.code").valid_to(patkit::azure::GLOBAL_PAT_RETIREMENT + TimeDelta::days(90)),
        );

        // One second before: everything still works.
        h.clock.set(patkit::azure::GLOBAL_PAT_RETIREMENT - TimeDelta::seconds(1));
        assert_eq!(code(h.create(&h.alice, global()).await), "none", "{mode:?}");
        assert_eq!(check(old_global.secret.expose_secret().to_owned()).await, 200, "{mode:?}");
        let extend = json!({"authorizationId": old_global.id.as_str(), "validTo": "2027-01-15T00:00:00Z"});
        assert_eq!(code(put(extend).await), "none");

        // At the instant: creation and regeneration are refused, the old global token is dead.
        h.clock.set(patkit::azure::GLOBAL_PAT_RETIREMENT);
        assert_eq!(code(h.create(&h.alice, global()).await), "globalPATCreationBlocked", "{mode:?}");
        let extend = json!({"authorizationId": old_global.id.as_str(), "validTo": "2027-02-01T00:00:00Z"});
        assert_eq!(code(put(extend).await), "globalPATCreationBlocked");
        let widen = json!({"authorizationId": scoped.id.as_str(), "allOrgs": true});
        assert_eq!(code(put(widen).await), "globalPATCreationBlocked");
        assert_eq!(check(old_global.secret.expose_secret().to_owned()).await, 401, "{mode:?}");
        // Organization-scoped tokens are untouched.
        assert_eq!(check(scoped.secret.expose_secret().to_owned()).await, 200);
        let (_, fresh) = h.create_ok(&h.alice, "fresh", "vso.code").await;
        assert_eq!(check(fresh).await, 200);
        // The retired token is still listed (and can be revoked).
        assert!(!h.emulator.token(&old_global.id).unwrap().revoked);

        // Modelling the time before the retirement: the date rule is off, the opt-in flag still
        // blocks creation on its own.
        h.emulator.set_global_pat_retirement(false);
        assert_eq!(check(old_global.secret.expose_secret().to_owned()).await, 200);
        assert_eq!(code(h.create(&h.alice, global()).await), "none");
        h.emulator.set_tenant_policies(TenantPolicies { global_pat_creation_blocked: true, ..Default::default() });
        assert_eq!(code(h.create(&h.alice, global()).await), "globalPATCreationBlocked");
        h.shutdown().await;
    }
}
