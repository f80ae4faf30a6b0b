//! `update`, `expire_at` and `extend`.
#![cfg(feature = "testing")]

use std::time::Duration;

use crate::common::*;
use patkit::azure::Targets;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{Error, PatId, Scopes};

fn id() -> PatId {
    PatId::new("3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32")
}

#[tokio::test]
async fn update_sends_only_what_changes() {
    let mock = MockTransport::new().on(Route::put("/_apis/tokens/pats"), MockResponse::json(200, UPDATE_RESPONSE));
    let meta = client(&mock).update(&id()).display_name("updated_token").all_organizations(true).send().await.unwrap();
    assert_eq!(meta.display_name, "updated_token");
    assert_eq!(Targets::of(&meta), Some(Targets::AllOrganizations));
    let body: serde_json::Value = serde_json::from_slice(mock.requests()[0].body()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"authorizationId": id().as_str(), "displayName": "updated_token", "allOrgs": true})
    );
}

#[tokio::test]
async fn extend_reads_the_current_expiry_first() {
    let mock = MockTransport::new()
        .on(Route::get("/_apis/tokens/pats"), MockResponse::json(200, GET_RESPONSE))
        .on(Route::put("/_apis/tokens/pats"), MockResponse::json(200, UPDATE_RESPONSE));
    client(&mock).extend(&id(), Duration::from_secs(7 * 86_400)).await.unwrap();
    let put = &mock.requests()[1];
    let body: serde_json::Value = serde_json::from_slice(put.body()).unwrap();
    // GET_RESPONSE's validTo is 2020-12-01T23:46:23.32Z; a week later:
    assert_eq!(body["validTo"], "2020-12-08T23:46:23.320Z");
}

#[tokio::test]
async fn expire_at_and_invalid_changes() {
    let mock = MockTransport::new().on(Route::put("/_apis/tokens/pats"), MockResponse::json(200, UPDATE_RESPONSE));
    let client = client(&mock);
    client.expire_at(&id(), now() + chrono::TimeDelta::days(1)).await.unwrap();
    assert!(matches!(
        client.expire_at(&id(), now() - chrono::TimeDelta::days(1)).await,
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(client.update(&id()).send().await, Err(Error::InvalidInput { field: "changes", .. })));
    assert!(matches!(
        client.update(&id()).scopes(Scopes::default()).send().await,
        Err(Error::InvalidInput { field: "scopes", .. })
    ));
    assert!(client.update(&id()).scopes(Scopes::from_iter([patkit::azure::scopes::PACKAGING])).send().await.is_ok());
    mock.assert_request_count(2);
}

#[tokio::test]
async fn expired_tokens_may_not_be_extendable() {
    let mock = MockTransport::new().on(Route::get("/_apis/tokens/pats"), MockResponse::json(200, GET_RESPONSE)).on(
        Route::put("/_apis/tokens/pats"),
        MockResponse::json(200, r#"{"patToken":null,"patTokenError":"expiredPatCannotBeExtended"}"#),
    );
    match client(&mock).extend(&id(), Duration::from_secs(86_400)).await {
        Err(Error::Rejected { code, .. }) => assert_eq!(code.as_str(), "expiredPatCannotBeExtended"),
        other => panic!("{other:?}"),
    }
}
