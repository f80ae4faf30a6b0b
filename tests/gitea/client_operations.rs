//! `GiteaClient` over a scripted transport: what is sent (the password login, the flavour's
//! one-time-code header), what is never re-sent, how listings page on, and how Gitea's answers
//! become neutral errors.
#![cfg(feature = "testing")]

use chrono::{DateTime, Utc};
use patkit::auth::{PasswordCredential, PromptFor, prompt_fn};
use patkit::gitea::{ErrorCode, Flavor, GiteaClient, NewToken};
use patkit::testing::{MockResponse, MockTransport, Route};
use patkit::transport::TransportErrorKind;
use patkit::{Error, ManualClock, PatId, Scopes};

pub(crate) const CREATED: &str = r#"{"id":7,"name":"ci-bot","sha1":"9fcb1158165773dd010fca5f0cf7174316c3e37d",
  "token_last_eight":"16c3e37d","scopes":["write:repository","read:user"]}"#;

pub(crate) const BASE: &str = "https://gitea.example/api/v1";

pub(crate) fn now() -> DateTime<Utc> {
    "2026-03-01T12:00:00Z".parse().unwrap()
}

/// One listed token with id `id` (`sha1` empty, as Gitea lists them).
pub(crate) fn listed(id: u32) -> String {
    format!(r#"{{"id":{id},"name":"t{id}","sha1":"","token_last_eight":"0000{id:04}","scopes":["read:repository"]}}"#)
}

/// A JSON array of listed tokens `ids`.
pub(crate) fn page_of(ids: impl IntoIterator<Item = u32>) -> String {
    format!("[{}]", ids.into_iter().map(listed).collect::<Vec<_>>().join(","))
}

pub(crate) fn credential() -> PasswordCredential {
    PasswordCredential::new("alice", "pw-management".to_owned())
}

/// A client over `mock` with retries ON (the default), so the tests show what is never re-sent.
pub(crate) fn client(mock: &MockTransport) -> GiteaClient {
    client_with(mock, credential(), Flavor::Gitea)
}

pub(crate) fn client_with(mock: &MockTransport, credential: PasswordCredential, flavor: Flavor) -> GiteaClient {
    GiteaClient::builder(BASE, credential)
        .transport(mock.clone())
        .clock(ManualClock::new(now()))
        .flavor(flavor)
        .build()
        .unwrap()
}

fn new() -> NewToken {
    NewToken::new("ci-bot", Scopes::parse("write:repository read:user").unwrap())
}

#[tokio::test]
async fn create_sends_the_password_login_and_reads_the_secret_from_sha1() {
    let mock = MockTransport::new().on(Route::post("/api/v1/users/alice/tokens"), MockResponse::json(201, CREATED));
    let created = client(&mock).create(&new()).await.unwrap();
    assert_eq!(created.secret.expose_secret(), "9fcb1158165773dd010fca5f0cf7174316c3e37d");
    assert_eq!((created.metadata.id.as_str(), created.metadata.valid_to), ("7", None));
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.headers()["authorization"], "Basic YWxpY2U6cHctbWFuYWdlbWVudA==");
    assert!(sent.headers()["authorization"].is_sensitive());
    assert!(sent.headers().get("x-gitea-otp").is_none(), "no code configured, none sent");
    let body: serde_json::Value = serde_json::from_slice(sent.body()).unwrap();
    assert_eq!(body, serde_json::json!({"name": "ci-bot", "scopes": ["read:user", "write:repository"]}));
}

#[tokio::test]
async fn a_two_factor_login_sends_a_fresh_code_in_the_flavours_header() {
    let codes = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(100_000));
    let counter = codes.clone();
    let ask = prompt_fn(move |what, _| match what {
        PromptFor::OneTimeCode => Ok(counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst).to_string()),
        _ => Ok("pw-prompted".to_owned()),
    });
    let credential = PasswordCredential::prompt("alice", ask.clone()).with_one_time_code_prompt(ask);
    let mock = MockTransport::new()
        .on(Route::post("/users/alice/tokens"), MockResponse::json(201, CREATED))
        .on(Route::get("/users/alice/tokens"), MockResponse::json(200, "[]").header("x-total-count", "0"));
    let forgejo = client_with(&mock, credential.clone(), Flavor::Forgejo);
    forgejo.create(&new()).await.unwrap();
    forgejo.list().send().await.unwrap();
    let sent = mock.requests();
    assert_eq!(sent[0].headers()["x-forgejo-otp"], "100000");
    assert_eq!(sent[1].headers()["x-forgejo-otp"], "100001", "each login asks for a fresh code");
    assert!(
        sent.iter().all(|r| r.headers()["x-forgejo-otp"].is_sensitive() && r.headers().get("x-gitea-otp").is_none())
    );
    client_with(&mock, credential, Flavor::Gitea).list().send().await.unwrap();
    let gitea = mock.last_request().unwrap();
    assert_eq!(gitea.headers()["x-gitea-otp"], "100002");
    assert!(gitea.headers().get("x-forgejo-otp").is_none());
}

#[tokio::test(start_paused = true)]
async fn a_create_is_never_re_sent_and_an_uncertain_one_is_looked_for_by_name() {
    let minted = r#"{"id":7,"name":"ci-bot","sha1":"","token_last_eight":"16c3e37d","scopes":["read:user"]}"#;
    let mock = MockTransport::new()
        .fail_next(Route::post("/users/alice/tokens"), TransportErrorKind::Timeout)
        .on_seq(
            Route::post("/users/alice/tokens"),
            [MockResponse::json(502, r#"{"message":"bad gateway"}"#), MockResponse::json(201, minted)],
        )
        .on(
            Route::get("/users/alice/tokens"),
            MockResponse::json(200, format!("[{},{minted}]", listed(3))).header("x-total-count", "2"),
        );
    let client = client(&mock);
    let creates = Route::post("/users/alice/tokens");
    for (sent, source_is) in [(1, "transport"), (2, "api"), (3, "decode")] {
        match client.create(&new()).await {
            Err(Error::CreateOutcomeUnknown { display_name, id, found, source }) => {
                assert_eq!(display_name, "ci-bot");
                assert_eq!(found.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["7"], "{source_is}");
                match source_is {
                    "transport" => assert!(matches!(*source, Error::Transport(_)) && id.is_none()),
                    "api" => assert!(matches!(*source, Error::Api { status: 502, .. }) && id.is_none()),
                    _ => {
                        assert!(matches!(*source, Error::Decode { .. }), "a 201 without the secret");
                        assert_eq!(id.unwrap().as_str(), "7", "the answer named the minted id");
                    }
                }
            }
            other => panic!("{source_is}: {other:?}"),
        }
        mock.assert_requested(&creates, sent);
    }
    let taken = r#"{"message":"access token name has been used already"}"#;
    let refused = MockTransport::new().on(Route::post("/users/alice/tokens"), MockResponse::json(400, taken));
    assert!(matches!(crate::client_operations::client(&refused).create(&new()).await, Err(Error::Rejected { .. })));
    refused.assert_request_count(1);
}

#[tokio::test(start_paused = true)]
async fn a_list_and_a_delete_are_retried() {
    let mock = MockTransport::new()
        .on_seq(
            Route::get("/users/alice/tokens"),
            [MockResponse::status(503), MockResponse::json(200, page_of([1])).header("x-total-count", "1")],
        )
        .on_seq(Route::delete("/users/alice/tokens/1"), [MockResponse::status(503), MockResponse::status(204)]);
    let client = client(&mock);
    assert_eq!(client.list().send().await.unwrap().items.len(), 1);
    client.delete(&PatId::new("1")).await.unwrap();
    mock.assert_request_count(4);
}

#[tokio::test]
async fn a_listing_pages_on_by_the_total_count_without_a_link_header() {
    let mock = MockTransport::new()
        .on(
            Route::get("/users/alice/tokens").query_has("page", "1"),
            MockResponse::json(200, page_of(1..=50)).header("x-total-count", "60"),
        )
        .on(
            Route::get("/users/alice/tokens").query_has("page", "2"),
            MockResponse::json(200, page_of(51..=60)).header("x-total-count", "60"),
        );
    let client = client(&mock);
    let first = client.list().send().await.unwrap();
    assert_eq!(first.items.len(), 50);
    let second = client.list().continuation(first.continuation.unwrap()).send().await.unwrap();
    assert_eq!(second.items.last().map(|t| t.metadata.id.as_str()), Some("60"));
    assert!(second.is_last(), "the count is reached: no third request");
    let sent = mock.requests();
    assert_eq!(sent[0].uri().query(), Some("page=1&limit=50"));
    assert_eq!(sent[1].uri().query(), Some("page=2&limit=50"));
    mock.assert_request_count(2);
    mock.assert_no_unexpected();
}

#[tokio::test]
async fn a_server_capping_pages_below_the_limit_loses_no_token() {
    // MAX_RESPONSE_ITEMS = 20 at this server: every page is "short", the count says go on.
    let mock = MockTransport::new()
        .on(
            Route::get("/tokens").query_has("page", "1"),
            MockResponse::json(200, page_of(1..=20)).header("x-total-count", "45"),
        )
        .on(
            Route::get("/tokens").query_has("page", "2"),
            MockResponse::json(200, page_of(21..=40)).header("x-total-count", "45"),
        )
        .on(
            Route::get("/tokens").query_has("page", "3"),
            MockResponse::json(200, page_of(41..=45)).header("x-total-count", "45"),
        );
    use futures_util::TryStreamExt as _;
    use patkit::PatProviderExt as _;
    let all: Vec<_> = client(&mock).list_all(patkit::ListQuery::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 45);
    mock.assert_request_count(3);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let mock = MockTransport::new();
    let client = client(&mock);
    assert!(matches!(client.list().limit(51).send().await, Err(Error::InvalidInput { field: "limit", .. })));
    assert!(matches!(client.list().page(0).send().await, Err(Error::InvalidInput { field: "page", .. })));
    let foreign = patkit::ContinuationToken::new("2&limit=500");
    assert!(matches!(client.list().continuation(foreign).send().await, Err(Error::InvalidInput { .. })));
    let unknown_scope = NewToken::new("n", Scopes::parse("repo").unwrap());
    assert!(matches!(client.create(&unknown_scope).await, Err(Error::InvalidInput { field: "scopes", .. })));
    assert!(matches!(client.delete_by_name("42").await, Err(Error::InvalidInput { field: "name", .. })));
    assert!(matches!(client.delete(&PatId::new("ci-bot")).await, Err(Error::NotFound { .. })));
    let by_email = GiteaClient::builder(BASE, PasswordCredential::new("alice@example.com", "pw".to_owned()))
        .transport(mock.clone())
        .build();
    assert!(matches!(by_email, Err(Error::InvalidInput { field: "user", .. })));
    let insecure = GiteaClient::builder("http://gitea.example/api/v1", credential()).transport(mock.clone()).build();
    assert!(matches!(insecure, Err(Error::InvalidInput { field: "base_url", .. })));
    mock.assert_request_count(0);
}

#[tokio::test]
async fn deletes_by_id_and_by_name_and_their_refusals() {
    let ambiguous = r#"{"message":"multiple matches for token name 'ci'","url":"https://gitea.example/api/swagger"}"#;
    let missing =
        r#"{"message":"The target couldn't be found.","url":"https://gitea.example/api/swagger","errors":[]}"#;
    let mock = MockTransport::new()
        .on(Route::delete("/api/v1/users/alice/tokens/7").exact(), MockResponse::status(204))
        .on(Route::delete("/api/v1/users/alice/tokens/8").exact(), MockResponse::json(404, missing))
        .on(Route::delete("/api/v1/users/alice/tokens/ci").exact(), MockResponse::json(422, ambiguous))
        .on(Route::delete("/api/v1/users/alice/tokens/ci-bot").exact(), MockResponse::status(204))
        .on(Route::delete("/api/v1/users/alice/tokens/gone").exact(), MockResponse::json(404, missing));
    let client = client(&mock);
    client.delete(&PatId::new("7")).await.unwrap();
    assert!(
        matches!(client.delete(&PatId::new("8")).await, Err(Error::NotFound { id: Some(ref id) }) if id.as_str() == "8")
    );
    match client.delete_by_name("ci").await {
        Err(Error::Rejected { code, .. }) => assert_eq!(ErrorCode::from(&code), ErrorCode::AmbiguousName),
        other => panic!("{other:?}"),
    }
    client.delete_by_name("ci-bot").await.unwrap();
    assert!(matches!(client.delete_by_name("gone").await, Err(Error::NotFound { id: None })));
    mock.assert_no_unexpected();
}

#[tokio::test]
async fn a_taken_name_and_a_foreign_user_are_typed_errors() {
    let taken = r#"{"message":"access token name has been used already","url":"https://gitea.example/api/swagger"}"#;
    let doer = r#"{"message":"doer should be the site admin or be same as the contextUser","url":"https://gitea.example/api/swagger"}"#;
    let mock = MockTransport::new()
        .on(Route::post("/users/alice/tokens"), MockResponse::json(400, taken))
        .on(Route::get("/users/bob/tokens"), MockResponse::json(403, doer));
    let client = client(&mock);
    match client.create(&new()).await {
        Err(Error::Rejected { code, message: Some(m) }) => {
            assert_eq!(ErrorCode::from(&code), ErrorCode::NameTaken);
            assert_eq!(m, "access token name has been used already");
        }
        other => panic!("{other:?}"),
    }
    match client.list_user("bob").send().await {
        Err(Error::Forbidden { message, .. }) => assert!(message.starts_with("doer should be the site admin")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_login_hints_at_a_missing_or_wrong_one_time_code() {
    let refused = r#"{"message":"auth required","url":"https://gitea.example/api/swagger"}"#;
    let mock = MockTransport::new().default_response(MockResponse::json(401, refused));
    match client(&mock).list().send().await {
        Err(Error::AuthRequired { hint: Some(hint), .. }) => {
            assert!(hint.contains("one-time code is missing") && hint.contains("X-Gitea-OTP"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
    let with_code = credential().with_one_time_code("123456".to_owned());
    match client_with(&mock, with_code, Flavor::Forgejo).create(&new()).await {
        Err(e @ Error::AuthRequired { .. }) => {
            let shown = e.to_string();
            assert!(shown.contains("X-Forgejo-OTP") && shown.contains("may be wrong"), "{shown}");
            assert!(!shown.contains("123456") && !shown.contains("pw-management"), "{shown}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_check_uses_the_token_itself() {
    let mock = MockTransport::new().on_seq(
        Route::get("/api/v1/user").exact(),
        [
            MockResponse::json(200, r#"{"id":1,"login":"alice"}"#),
            MockResponse::json(401, r#"{"message":"invalid token"}"#),
        ],
    );
    let client = client(&mock);
    let secret = patkit::PatSecret::new("9fcb1158165773dd010fca5f0cf7174316c3e37d".into());
    assert!(client.check(&secret).await.unwrap());
    assert!(!client.check(&secret).await.unwrap());
    let sent = mock.last_request().unwrap();
    assert_eq!(sent.headers()["authorization"], "token 9fcb1158165773dd010fca5f0cf7174316c3e37d");
    assert!(sent.headers().get("x-gitea-otp").is_none());
}

#[tokio::test]
async fn bad_input_asks_nobody_for_a_password_or_a_code() {
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let count = asked.clone();
    let prompt = prompt_fn(move |_, _| {
        count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok("123456".to_owned())
    });
    let credential = PasswordCredential::prompt("alice", prompt.clone()).with_one_time_code_prompt(prompt);
    let mock = MockTransport::new();
    let client = client_with(&mock, credential, Flavor::Gitea);
    assert!(client.list().limit(51).send().await.is_err());
    assert!(client.list().continuation(patkit::ContinuationToken::new("x")).send().await.is_err());
    assert!(client.create(&NewToken::new("n", Scopes::parse("repo").unwrap())).await.is_err());
    assert!(client.create(&NewToken::new(" ", Scopes::parse("all").unwrap())).await.is_err());
    assert!(client.delete_by_name("0x1f").await.is_err());
    assert!(client.delete(&PatId::new("not-an-id")).await.is_err());
    assert_eq!(
        asked.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a one-time code is not spent on input that cannot be sent"
    );
    mock.assert_request_count(0);
}

#[tokio::test]
async fn tokens_are_addressed_by_the_owners_user_name() {
    let mock = MockTransport::new()
        .on(Route::post("/api/v1/users/bob/tokens").exact(), MockResponse::json(201, CREATED))
        .on(Route::delete("/api/v1/users/bob/tokens/7").exact(), MockResponse::status(204))
        .on(Route::get("/api/v1/users/alice/tokens").exact(), MockResponse::json(200, "[]"));
    // A site administrator acts for bob; the login stays the administrator's.
    let admin = client(&mock);
    admin.create_for_user(&"bob".into(), &new()).await.unwrap();
    admin.delete_user_token(&"bob".into(), &PatId::new("7")).await.unwrap();
    assert!(mock.requests().iter().all(|r| r.headers()["authorization"] == "Basic YWxpY2U6cHctbWFuYWdlbWVudA=="));
    // A login by e-mail address names its user name as the owner.
    let by_email = GiteaClient::builder(BASE, PasswordCredential::new("alice@example.com", "pw".to_owned()))
        .owner("alice")
        .transport(mock.clone())
        .build()
        .unwrap();
    assert_eq!(by_email.owner(), "alice");
    by_email.list().send().await.unwrap();
    mock.assert_no_unexpected();
}
