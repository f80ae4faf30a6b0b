//! `get` through the public API.
#![cfg(feature = "testing")]

use crate::common::*;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{AuthFailure, Error, PatId};

#[tokio::test]
async fn get_returns_metadata_only() {
    let id = PatId::new("3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32");
    let mock = MockTransport::new().on(
        Route::get("/_apis/tokens/pats").query_has("authorizationId", id.as_str()),
        MockResponse::json(200, GET_RESPONSE),
    );
    let meta = client(&mock).get(&id).await.unwrap();
    assert_eq!(meta.display_name, "analytics_token");
    assert_eq!(meta.scopes.to_string(), "vso.analytics");
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let id = PatId::new("cf42cc9f-f170-4375-92ba-c13d58a6545f");
    let mock = MockTransport::new().on(
        Route::get("/_apis/tokens/pats"),
        MockResponse::json(200, r#"{"patToken":null,"patTokenError":"tokenNotFound"}"#),
    );
    assert!(matches!(client(&mock).get(&id).await, Err(Error::NotFound { id: Some(got) }) if got == id));
}

#[tokio::test]
async fn auth_failures_in_every_shape() {
    let id = PatId::new("x");
    let cases = [
        (
            MockResponse::status(203).header("content-type", "text/html").body("<html>Sign in</html>"),
            AuthFailure::SignInPage,
        ),
        (
            MockResponse::status(302).header("location", "https://spsprod.vssps.visualstudio.com/_signin"),
            AuthFailure::Redirect,
        ),
        (
            MockResponse::json(
                401,
                r#"{"message":"TF400813: The user '' is not authorized to access this resource.","typeKey":"UnauthorizedRequestException"}"#,
            ),
            AuthFailure::Unauthorized,
        ),
        (MockResponse::status(200).header("content-type", "text/html").body("<!DOCTYPE html>"), AuthFailure::HtmlBody),
    ];
    for (response, expected) in cases {
        let mock = MockTransport::new().on(Route::get("/_apis/tokens/pats"), response);
        match client(&mock).get(&id).await {
            Err(Error::AuthRequired { reason, .. }) => assert_eq!(reason, expected),
            other => panic!("{expected:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_pat_or_service_principal_is_forbidden_with_the_service_message() {
    let mock = MockTransport::new().on(Route::get("/_apis/tokens/pats"), MockResponse::json(403, INVALID_ACCESS));
    match client(&mock).get(&PatId::new("x")).await {
        Err(Error::Forbidden { code, message }) => {
            assert_eq!(code.as_ref().map(patkit::ServiceCode::as_str), Some("InvalidAccessException"));
            assert_eq!(message, "The requested operation is not allowed.");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn throttling_carries_retry_after() {
    let mock = MockTransport::new().on(
        Route::get("/_apis/tokens/pats"),
        MockResponse::json(429, r#"{"message":"TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource."}"#).header("retry-after", "12"),
    );
    let err = client(&mock).get(&PatId::new("x")).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(12)));
}
