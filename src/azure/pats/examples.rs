//! The spec's example bodies (fact sheet §2.2), shared by the parser tests.

use chrono::{DateTime, TimeZone, Utc};

use crate::transport::HttpResponse;

pub(crate) const CREATE_RESPONSE: &str = r#"{
    "patToken": {
        "displayName": "new_token",
        "validTo": "2020-12-01T23:46:23.32Z",
        "scope": "app_token",
        "targetAccounts": ["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],
        "validFrom": "2020-11-02T22:56:52.1033333Z",
        "authorizationId": "4ab5764f-4193-4f1d-b995-64144880b7d7",
        "token": "dip55dwf4vpitomw63jzvomefmi2jluguprzwwqwuc6xq4fhocwq"
    },
    "patTokenError": "none"
}"#;

pub(crate) const GET_RESPONSE: &str = r#"{
    "patToken": {
        "displayName": "analytics_token",
        "validTo": "2020-12-01T23:46:23.32Z",
        "scope": "vso.analytics",
        "targetAccounts": ["38aaa865-2c70-4bf7-a308-0c6539c38c1a"],
        "validFrom": "2020-10-29T17:26:46.72Z",
        "authorizationId": "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32",
        "token": null
    },
    "patTokenError": "none"
}"#;

pub(crate) const LIST_RESPONSE: &str = r#"{
    "continuationToken": "",
    "patTokens": [
        {"displayName": "all_access_token", "validTo": "2020-11-23T04:04:38.5233333Z", "scope": "app_token", "targetAccounts": null, "validFrom": "2020-10-24T03:04:57.52Z", "authorizationId": "4c60c9ed-a378-4883-af16-d655ca025b11", "token": null},
        {"displayName": "work_token", "validTo": "2020-11-23T04:03:55.8033333Z", "scope": "vso.work_full", "targetAccounts": ["38aaa865-2c70-4bf7-a308-0c6539c38c1a"], "validFrom": "2020-10-24T03:04:19.1466667Z", "authorizationId": "eabb38b2-48ef-440b-959b-b9e6cb37a64e", "token": null},
        {"displayName": "new_token", "validTo": "2020-12-01T23:46:23.32Z", "scope": "app_token", "targetAccounts": ["38aaa865-2c70-4bf7-a308-0c6539c38c1a"], "validFrom": "2020-11-02T22:56:52.1033333Z", "authorizationId": "4ab5764f-4193-4f1d-b995-64144880b7d7", "token": null},
        {"displayName": "analytics_token", "validTo": "2020-12-01T23:46:23.32Z", "scope": "vso.analytics", "targetAccounts": ["38aaa865-2c70-4bf7-a308-0c6539c38c1a"], "validFrom": "2020-10-29T17:26:46.72Z", "authorizationId": "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32", "token": null}
    ]
}"#;

pub(crate) const UPDATE_RESPONSE: &str = r#"{
    "patToken": {
        "displayName": "updated_token",
        "validTo": "2020-12-25T23:46:23.32Z",
        "scope": "vso.analytics",
        "targetAccounts": null,
        "validFrom": "2020-10-29T17:26:46.72Z",
        "authorizationId": "3d3aca0c-9ad3-4b07-8334-08ec8b1ddc32",
        "token": null
    },
    "patTokenError": "none"
}"#;

/// A 200 JSON response with `body`.
pub(crate) fn ok(body: &str) -> HttpResponse {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json; charset=utf-8")
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// A response with `status` and no body.
pub(crate) fn empty(status: u16) -> HttpResponse {
    http::Response::builder().status(status).body(Vec::new()).unwrap()
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 11, 3, 0, 0, 0).unwrap()
}

pub(crate) fn example_valid_to() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2020, 12, 1, 23, 46, 23).unwrap() + chrono::TimeDelta::milliseconds(319)
}
