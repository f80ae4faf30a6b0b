//! A canary token fed through every path must never come back out of `Debug`, `Display`, an
//! error, a request's `Debug`, or a TRACE-level log line.
#![cfg(feature = "testing")]

use crate::common::*;
use crate::trace_capture::TraceCapture;
use patkit::auth::{AccessCredential, Credential as _, StaticCredential};
use patkit::azure::AzureDevOpsClient;
use patkit::azure::PatCredential;
use patkit::store::{PatRecord, StoredPat};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::TransportErrorKind;
use patkit::{BearerToken, ManualClock, PatSecret, Scopes};

const PAT_CANARY: &str = "CANARYpat7q4xw2mz9v3kd8r5t1y6u0pa";
const BEARER_CANARY: &str = "CANARYbearer-eyJ0eXAiOiJKV1QiLCJhbGci";

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(PAT_CANARY), "{what} leaked the PAT: {text}");
    assert!(!text.contains(BEARER_CANARY), "{what} leaked the bearer token: {text}");
    assert!(!text.contains("CANARY"), "{what} leaked a canary: {text}");
}

fn create_body() -> String {
    CREATE_RESPONSE.replace(EXAMPLE_SECRET, PAT_CANARY)
}

fn client(mock: &MockTransport) -> AzureDevOpsClient {
    AzureDevOpsClient::builder("fabrikam", StaticCredential::new(BEARER_CANARY.to_owned()))
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .retry(patkit::transport::RetryConfig::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_canary_goes_nowhere() {
    let (capture, _guard) = TraceCapture::start();

    let mock = MockTransport::new()
        .on_seq(
            Route::post("/_apis/tokens/pats"),
            [
                MockResponse::json(200, create_body()),
                // A malformed create response that still holds the secret: the decode error
                // must not quote it.
                MockResponse::json(
                    200,
                    create_body()
                        .replace(r#""validTo": "2020-12-01T23:46:23.32Z""#, &format!(r#""validTo": "{PAT_CANARY}""#)),
                ),
                MockResponse::json(200, create_body().replace(r#""displayName": "new_token""#, r#""displayName": 42"#)),
                MockResponse::status(500).body(format!("{{\"message\":\"x\",\"token\":\"{PAT_CANARY}\"}}")),
            ],
        )
        .fail_next(Route::get("/_apis/connectionData"), TransportErrorKind::Timeout)
        .on(Route::get("/_apis/tokens/pats"), MockResponse::json(200, LIST_RESPONSE));
    let client = client(&mock);
    assert_clean("client Debug", &format!("{client:?} {client:#?}"));

    let created = client.create("new_token", Scopes::from_iter([patkit::azure::scopes::CODE])).send().await.unwrap();
    assert_eq!(created.secret.expose_secret(), PAT_CANARY, "the secret itself is intact");
    assert_clean("CreatedPat Debug", &format!("{created:?} {created:#?}"));
    assert_clean("PatSecret Debug", &format!("{:?}", created.secret));

    for i in 0..3 {
        let err =
            client.create(format!("n{i}"), Scopes::from_iter([patkit::azure::scopes::CODE])).send().await.unwrap_err();
        let mut chain = format!("{err} {err:?}");
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            chain.push_str(&format!(" | {s} {s:?}"));
            source = s.source();
        }
        assert_clean(&format!("error {i}"), &chain);
    }

    let check = client.check_pat(&created.secret).await.unwrap_err();
    assert_clean("check error", &format!("{check} {check:?}"));

    for request in mock.requests() {
        assert_clean("recorded request Debug", &format!("{request:?}"));
        assert_clean("headers Debug", &format!("{:?}", request.headers()));
    }
    assert_clean("mock Debug", &format!("{mock:?}"));

    let record = PatRecord {
        name: "ci".into(),
        provider: "azure-devops".into(),
        organization: "fabrikam".into(),
        metadata: created.metadata.clone(),
        stored_at: now(),
        revision: 0,
        rotation: None,
        previous: None,
        retiring: None,
    };
    let stored = StoredPat { record, secret: created.secret.clone() };
    assert_clean("StoredPat Debug", &format!("{stored:?} {stored:#?}"));

    let bearer = BearerToken::new(BEARER_CANARY.into());
    let pat_credential = PatCredential::new(PatSecret::new(PAT_CANARY.into()));
    let access = StaticCredential::new(BEARER_CANARY.into()).credential().await.unwrap();
    assert_clean(
        "credentials Debug",
        &format!(
            "{bearer:?} {pat_credential:?} {access:?} {:?} {:?} {:?} {:?}",
            pat_credential.credential().await.unwrap(),
            AccessCredential::basic("", PatSecret::new(PAT_CANARY.into())),
            AccessCredential::basic("alice", PAT_CANARY.to_owned()),
            AccessCredential::header(http::HeaderName::from_static("private-token"), PAT_CANARY.to_owned()),
        ),
    );
    assert_clean(
        "header value Debug",
        &format!(
            "{:?} {:?} {:?} {:?}",
            bearer.bearer_authorization(),
            created.secret.basic_authorization(),
            AccessCredential::basic("alice", PAT_CANARY.to_owned()).to_header(),
            AccessCredential::header(http::HeaderName::from_static("private-token"), PAT_CANARY.to_owned()).to_header(),
        ),
    );

    let logs = capture.contents();
    assert!(logs.contains("patkit.request"), "the capture works: {logs}");
    assert_clean("TRACE logs", &logs);
}

#[tokio::test]
async fn decode_errors_quote_at_most_a_capped_part_of_the_body() {
    // The security review (issue 10, finding 9): a get/list/update/admin-list answer that did
    // not decode went into the error's Display (the JSON path), its source (serde's message
    // quotes the offending string) and the DEBUG log whole.
    let (capture, _guard) = TraceCapture::start();
    const FILL: &str = "LONGBODYTEXT";
    let long = FILL.repeat(10_000);
    let token = format!(
        r#"{{"authorizationId":"4ab5764f-4193-4f1d-b995-64144880b7d7","validFrom":"2020-10-01T00:00:00Z","validTo":"2021-01-01T00:00:00Z","targetAccounts":"{long}"}}"#
    );
    let broken_key = format!(r#"{{"patToken":{{"{long}":["#);
    let mock = MockTransport::new()
        .on_seq(
            Route::get("/_apis/tokens/pats").query(|q| q.contains("authorizationId")),
            [
                MockResponse::json(200, format!(r#"{{"patToken":{token},"patTokenError":"none"}}"#)),
                MockResponse::json(200, broken_key.clone()),
            ],
        )
        .on(
            Route::get("/_apis/tokens/pats").query(|q| !q.contains("authorizationId")),
            MockResponse::json(200, format!(r#"{{"continuationToken":null,"patTokens":[{token}]}}"#)),
        )
        .on(
            Route::put("/_apis/tokens/pats"),
            MockResponse::json(200, format!(r#"{{"patToken":{token},"patTokenError":"none"}}"#)),
        )
        .on(
            Route::get("/_apis/tokenadmin/personalaccesstokens/aad.ZGVzY3JpcHRvcg"),
            MockResponse::json(200, format!(r#"{{"continuationToken":null,"value":[{token}]}}"#)),
        );
    let client = client(&mock);
    let id = patkit::PatId::new("4ab5764f-4193-4f1d-b995-64144880b7d7");
    let errors = [
        ("get", client.get(&id).await.unwrap_err()),
        ("get with a long key", client.get(&id).await.unwrap_err()),
        ("list", client.list().page(None).await.unwrap_err()),
        ("update", client.update(&id).display_name("renamed").send().await.unwrap_err()),
        ("admin list", client.token_admin().list_pats("aad.ZGVzY3JpcHRvcg").page(None).await.unwrap_err()),
    ];
    for (what, err) in &errors {
        assert!(matches!(err, patkit::Error::Decode { .. }), "{what}: {err:?}");
        let display = err.to_string();
        assert!(display.len() <= 1_000, "{what}: a Display of {} bytes", display.len());
        let mut source = std::error::Error::source(err);
        while let Some(s) = source {
            let text = s.to_string();
            assert!(text.len() <= 1_000, "{what}: a source of {} bytes", text.len());
            source = s.source();
        }
        assert!(display.contains(FILL) || format!("{err:?}").contains(FILL), "{what}: the quote is kept, capped");
    }
    let logs = capture.contents();
    assert!(logs.contains("request failed"), "the capture works: {logs}");
    let quoted = logs.matches(FILL).count();
    assert!(quoted <= errors.len() * 3 * (512 / FILL.len() + 1), "the DEBUG log quoted {quoted} × {FILL}");
}
