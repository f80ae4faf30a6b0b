//! Shared set-up for the client tests: a client over a `MockTransport`, the fact sheet's example
//! bodies, a fixed clock.
#![allow(dead_code, unreachable_pub)]

use chrono::{DateTime, TimeZone, Utc};
use patkit::ManualClock;
use patkit::auth::StaticCredential;
use patkit::azure::AzureDevOpsClient;
use patkit::testing::MockTransport;

pub const CREATE_RESPONSE: &str = include_str!("../fixtures/create_response.json");
pub const GET_RESPONSE: &str = include_str!("../fixtures/get_response.json");
pub const LIST_RESPONSE: &str = include_str!("../fixtures/list_response.json");
pub const UPDATE_RESPONSE: &str = include_str!("../fixtures/update_response.json");
pub const ADMIN_LIST_RESPONSE: &str = include_str!("../fixtures/admin_list_response.json");
pub const INVALID_ACCESS: &str = include_str!("../fixtures/invalid_access_exception.json");

/// The secret in the fact sheet's create example.
pub const EXAMPLE_SECRET: &str = "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq";
/// The bearer token every test client sends.
pub const BEARER: &str = "test-entra-user-token";

/// 2020-11-03, a day after the examples' tokens were created.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap()
}

pub fn client(mock: &MockTransport) -> AzureDevOpsClient {
    AzureDevOpsClient::builder("fabrikam", StaticCredential::new(BEARER.to_owned()))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(patkit::transport::RetryConfig::none())
        .build()
        .unwrap()
}

/// The query pairs of a recorded request.
pub fn query(request: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes()).into_owned().collect()
}

pub fn query_value(request: &http::Request<Vec<u8>>, key: &str) -> Option<String> {
    query(request).into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}
