//! The client retries by default: idempotent calls ride out throttling and outages, a create is
//! never sent twice.
#![cfg(feature = "testing")]

use crate::common::*;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{Error, ManualClock, PatId, Scopes};

fn default_client(mock: &MockTransport) -> AzureDevOpsClient {
    AzureDevOpsClient::builder("fabrikam", StaticCredential::new(BEARER.to_owned()))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn idempotent_calls_are_retried_by_default() {
    let mock = MockTransport::new()
        .on_seq(
            Route::get("/_apis/tokens/pats"),
            [
                MockResponse::json(429, r#"{"message":"TF400733"}"#).header("retry-after", "3"),
                MockResponse::status(503),
                MockResponse::json(200, GET_RESPONSE),
            ],
        )
        .on_seq(Route::delete("/_apis/tokens/pats"), [MockResponse::status(502), MockResponse::status(204)]);
    let client = default_client(&mock);
    let started = tokio::time::Instant::now();
    client.get(&PatId::new("3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32")).await.unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(3), "Retry-After was honoured");
    client.revoke(&PatId::new("a")).await.unwrap();
    mock.assert_request_count(5);
}

#[tokio::test(start_paused = true)]
async fn a_create_is_never_sent_twice() {
    let mock = MockTransport::new()
        .on(Route::post("/_apis/tokens/pats"), MockResponse::status(503))
        .on(Route::get("/_apis/tokens/pats"), MockResponse::json(200, r#"{"continuationToken":"","patTokens":[]}"#));
    let client = default_client(&mock);
    let result = client.create("n", Scopes::from_iter([patkit::azure::scopes::CODE])).send().await;
    match result {
        Err(Error::CreateOutcomeUnknown { found, .. }) => assert!(found.is_empty()),
        other => panic!("{other:?}"),
    }
    mock.assert_requested(&Route::post("/_apis/tokens/pats"), 1);
}
