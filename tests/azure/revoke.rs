//! `revoke`: 200 and 204, idempotence.
#![cfg(feature = "testing")]

use crate::common::*;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{Error, PatId};

#[tokio::test]
async fn revoke_accepts_204_and_200() {
    let id = PatId::new("cf42cc9f-f170-4375-92ba-c13d58a6545f");
    let mock = MockTransport::new().on_seq(
        Route::delete("/_apis/tokens/pats").query_has("authorizationId", id.as_str()),
        [MockResponse::status(204), MockResponse::status(200)],
    );
    let client = client(&mock);
    client.revoke(&id).await.unwrap();
    client.revoke(&id).await.unwrap();
    assert_eq!(mock.requests()[0].method(), http::Method::DELETE);
}

#[tokio::test]
async fn revoking_an_unknown_or_revoked_token_succeeds() {
    let mock = MockTransport::new().on_seq(
        Route::delete("/_apis/tokens/pats"),
        [MockResponse::status(404), MockResponse::json(200, r#"{"patToken":null,"patTokenError":"tokenNotFound"}"#)],
    );
    let client = client(&mock);
    client.revoke(&PatId::new("a")).await.unwrap();
    client.revoke(&PatId::new("b")).await.unwrap();
}

#[tokio::test]
async fn revoke_errors_still_surface() {
    let mock = MockTransport::new().on(Route::delete("/_apis/tokens/pats"), MockResponse::json(403, INVALID_ACCESS));
    assert!(matches!(client(&mock).revoke(&PatId::new("a")).await, Err(Error::Forbidden { .. })));
}

#[tokio::test]
async fn check_pat_uses_basic_auth_with_the_pat() {
    let mock = MockTransport::new()
        .on_seq(Route::get("/_apis/connectionData"), [MockResponse::json(200, "{}"), MockResponse::status(401)]);
    let client = client(&mock);
    let secret = patkit::PatSecret::new("abc".into());
    assert!(client.check_pat(&secret).await.unwrap());
    assert!(!client.check_pat(&secret).await.unwrap());
    assert_eq!(mock.requests()[0].headers()["authorization"], "Basic OmFiYw==");
    assert_eq!(mock.requests()[0].uri().host(), Some("dev.azure.com"));
}
