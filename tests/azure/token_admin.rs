//! Token Admin: list a user's PATs, bulk revocation, revocation rules.
#![cfg(feature = "testing")]

use crate::common::*;
use futures_util::TryStreamExt as _;
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::{Error, PatId, Scopes};

const DESCRIPTOR: &str = "msa.MjcwYjYwYzMtZThiMy03MGU1LWFjZDYtYzM5Zjk3ZDZmYTRh";

#[tokio::test]
async fn lists_a_users_pats_across_uuid_pages() {
    let path = format!("/_apis/tokenadmin/personalaccesstokens/{DESCRIPTOR}");
    let mock = MockTransport::new()
        .on(
            Route::get(path.clone()).query(|q| !q.contains("continuationToken")),
            MockResponse::json(
                200,
                ADMIN_LIST_RESPONSE.replace(
                    r#""continuationToken": null"#,
                    r#""continuationToken": "5e1f9a2b-1111-2222-3333-444455556666""#,
                ),
            ),
        )
        .on(
            Route::get(path).query_has("continuationToken", "5e1f9a2b-1111-2222-3333-444455556666"),
            MockResponse::json(200, ADMIN_LIST_RESPONSE),
        );
    let all: Vec<_> =
        client(&mock).token_admin().list_pats(DESCRIPTOR).page_size(3).items().try_collect().await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(all[0].metadata.id.as_str(), "952858d3-7084-4635-964e-3c2a57645185");
    let first = &mock.requests()[0];
    assert_eq!(query_value(first, "api-version").as_deref(), Some("7.1"));
    assert_eq!(query_value(first, "pageSize").as_deref(), Some("3"));
}

#[tokio::test]
async fn bulk_revocation_is_batched() {
    let mock = MockTransport::new().on(Route::post("/_apis/tokenadmin/revocations"), MockResponse::status(204));
    let ids: Vec<PatId> = (0..250).map(|i| PatId::new(format!("00000000-0000-0000-0000-{i:012}"))).collect();
    client(&mock).token_admin().revoke(&ids).await.unwrap();
    let sizes: Vec<usize> = mock
        .requests()
        .iter()
        .map(|r| serde_json::from_slice::<Vec<serde_json::Value>>(r.body()).unwrap().len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
}

#[tokio::test]
async fn revocation_rules_and_permission_failures() {
    let mock = MockTransport::new().on_seq(
        Route::post("/_apis/tokenadmin/revocationrules"),
        [MockResponse::status(201), MockResponse::status(401)],
    );
    let admin = client(&mock).token_admin();
    let scopes = Scopes::parse("vso.code vso.packaging").unwrap();
    admin.create_revocation_rule(&scopes, None).await.unwrap();
    assert!(matches!(admin.create_revocation_rule(&scopes, None).await, Err(Error::AuthRequired { .. })));
    let body: serde_json::Value = serde_json::from_slice(mock.requests()[0].body()).unwrap();
    assert_eq!(body, serde_json::json!({"scopes": "vso.code vso.packaging"}));
}

#[tokio::test]
async fn a_pat_credential_may_call_token_admin() {
    let mock = MockTransport::new().on(Route::post("/_apis/tokenadmin/revocations"), MockResponse::status(204));
    let client = patkit::azure::AzureDevOpsClient::builder(
        "fabrikam",
        patkit::azure::PatCredential::new(patkit::PatSecret::new("admin-pat".into())),
    )
    .transport(mock.clone())
    .build()
    .unwrap();
    client.token_admin().revoke(&[PatId::new("a")]).await.unwrap();
    assert_eq!(mock.requests()[0].headers()["authorization"], "Basic OmFkbWluLXBhdA==");
}

#[tokio::test]
async fn token_admin_sends_a_basic_or_custom_header_credential_as_declared() {
    use patkit::auth::StaticCredential;
    let cases = [
        (StaticCredential::basic("alice", "pw".to_owned()), "authorization", "Basic YWxpY2U6cHc="),
        (
            StaticCredential::header(http::HeaderName::from_static("x-admin-token"), "tok".to_owned()),
            "x-admin-token",
            "tok",
        ),
    ];
    for (credential, name, value) in cases {
        let mock = MockTransport::new().on(Route::post("/_apis/tokenadmin/revocations"), MockResponse::status(204));
        let client =
            patkit::azure::AzureDevOpsClient::builder("fabrikam", credential).transport(mock.clone()).build().unwrap();
        client.token_admin().revoke(&[PatId::new("a")]).await.unwrap();
        let headers = mock.requests()[0].headers().clone();
        assert_eq!(headers[name], value);
        assert!(headers[name].is_sensitive(), "{name}");
    }
}
