//! The mock's own behaviour: scripts, sequences, injected errors, loud failures, redaction.

use std::panic::{AssertUnwindSafe, catch_unwind};

use http::{HeaderValue, Method};

use super::*;

const CANARY: &str = "CANARY-mock-7d1e";

fn request(method: Method, uri: &str) -> HttpRequest {
    http::Request::builder().method(method).uri(uri).body(Vec::new()).unwrap()
}

fn with_secret(uri: &str) -> HttpRequest {
    let mut req = request(Method::POST, uri);
    let mut auth = HeaderValue::from_str(&format!("Bearer {CANARY}")).unwrap();
    auth.set_sensitive(true);
    req.headers_mut().insert(http::header::AUTHORIZATION, auth);
    *req.body_mut() = format!("{{\"token\":\"{CANARY}\"}}").into_bytes();
    req
}

#[tokio::test]
async fn sequence_answers_in_order_then_falls_through_to_default() {
    let mock = MockTransport::new()
        .on_seq(Route::get("/a"), [MockResponse::status(503), MockResponse::status(502), MockResponse::status(200)])
        .default_response(MockResponse::status(404));
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(mock.send(request(Method::GET, "http://h/a")).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [503, 502, 200, 404]);
    mock.assert_no_unexpected();
}

#[tokio::test]
async fn always_route_repeats_and_earlier_routes_win() {
    let mock = MockTransport::new()
        .on(Route::get("/a").query_has("x", "1"), MockResponse::json(200, "{}").header("x-n", "first"))
        .on(Route::get("/a"), MockResponse::status(204));
    for _ in 0..3 {
        let r = mock.send(request(Method::GET, "http://h/org/a?x=1")).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-n"], "first");
        assert_eq!(r.headers()["content-type"], "application/json; charset=utf-8");
        assert_eq!(r.body(), b"{}");
    }
    assert_eq!(mock.send(request(Method::GET, "http://h/org/a?x=2")).await.unwrap().status(), 204);
    assert_eq!(mock.send(request(Method::GET, "http://h/org/a")).await.unwrap().status(), 204);
    mock.assert_requested(&Route::get("/a").query_has("x", "1"), 3);
    mock.assert_request_count(5);
}

#[test]
fn paths_match_at_segment_boundaries() {
    let get = |uri: &str| request(Method::GET, uri);
    assert!(Route::get("/_apis/x").matches(&get("http://h/org/_apis/x")));
    assert!(Route::get("/_apis/x").matches(&get("http://h/_apis/x")));
    assert!(!Route::get("/_apis/x").matches(&get("http://h/org/my_apis/x")));
    assert!(!Route::get("/_apis/x").matches(&get("http://h/org/_apis/xy")));
    assert!(!Route::get("/_apis/x").exact().matches(&get("http://h/org/_apis/x")));
    assert!(Route::get("/org/_apis/x").exact().matches(&get("http://h/org/_apis/x")));
    assert!(!Route::post("/_apis/x").matches(&get("http://h/_apis/x")));
    assert!(Route::any("").matches(&request(Method::DELETE, "http://h/anything?q")));
    assert!(Route::any("/x").query(|q| q.is_empty()).matches(&get("http://h/x")));
    assert!(!Route::any("/x").query(|q| q.is_empty()).matches(&get("http://h/x?a=b")));
}

#[tokio::test]
async fn injected_errors_are_one_shot_queued_and_take_precedence() {
    let mock = MockTransport::new()
        .on(Route::get("/a"), MockResponse::status(200))
        .fail_next(Route::get("/a"), TransportErrorKind::Connect)
        .fail_next(Route::get("/a"), TransportErrorKind::Timeout);
    mock.inject_error(Route::get("/b"), TransportErrorKind::Interrupted);
    let a = || request(Method::GET, "http://h/a");
    assert_eq!(mock.send(a()).await.unwrap_err().kind(), TransportErrorKind::Connect);
    assert_eq!(mock.send(a()).await.unwrap_err().kind(), TransportErrorKind::Timeout);
    assert_eq!(mock.send(a()).await.unwrap().status(), 200);
    assert_eq!(
        mock.send(request(Method::GET, "http://h/b")).await.unwrap_err().kind(),
        TransportErrorKind::Interrupted
    );
    // The /b injection is used up; /b has no route, so the next one is unexpected.
    assert!(mock.send(request(Method::GET, "http://h/b")).await.is_err());
    assert_eq!(mock.take_unexpected(), ["GET /b"]);
}

#[tokio::test]
async fn records_requests_with_headers_body_and_extensions() {
    let mock = MockTransport::new().default_response(MockResponse::status(204));
    let mut req = with_secret("http://h/p?q=1");
    req.extensions_mut().insert(crate::transport::Operation::not_idempotent("create"));
    mock.send(req).await.unwrap();
    mock.send(request(Method::GET, "http://h/other")).await.unwrap();
    let recorded = mock.requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method(), Method::POST);
    assert_eq!(recorded[0].uri().query(), Some("q=1"));
    assert_eq!(recorded[0].headers()[http::header::AUTHORIZATION].to_str().unwrap(), format!("Bearer {CANARY}"));
    assert_eq!(recorded[0].body(), format!("{{\"token\":\"{CANARY}\"}}").as_bytes());
    assert_eq!(
        crate::transport::Operation::of(&recorded[0]),
        Some(crate::transport::Operation::not_idempotent("create"))
    );
    assert_eq!(mock.last_request().unwrap().uri().path(), "/other");
    assert_eq!(mock.requests_to(&Route::post("/p")).len(), 1);
    // A recorded request's Debug keeps the sensitive header hidden.
    assert!(!format!("{:?}", recorded[0]).contains(CANARY));
}

#[tokio::test]
async fn unexpected_request_fails_loudly_without_printing_secrets() {
    let mock = MockTransport::new().on(Route::get("/known"), MockResponse::status(200));
    let err = mock.send(with_secret("http://h/org/unknown?x=1")).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Other);
    let message = err.to_string();
    assert!(message.contains("unexpected request POST /org/unknown?x=1"), "{message}");
    assert!(message.contains("GET …/known"), "{message}");
    for text in [message, format!("{err:?}"), format!("{mock:?}")] {
        assert!(!text.contains(CANARY), "{text}");
    }
    let panic = catch_unwind(AssertUnwindSafe(|| mock.assert_no_unexpected())).unwrap_err();
    let panic = panic.downcast_ref::<String>().unwrap();
    assert!(panic.contains("POST /org/unknown?x=1") && !panic.contains(CANARY), "{panic}");
    // assert_no_unexpected marked it as seen: dropping does not panic again.
    drop(mock);
}

#[test]
fn dropping_after_an_unchecked_unexpected_request_panics() {
    let mock = MockTransport::new();
    let clone = mock.clone();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    assert!(rt.block_on(clone.send(with_secret("http://h/x"))).is_err());
    drop(clone); // not the last handle: nothing happens yet
    let panic = catch_unwind(AssertUnwindSafe(move || drop(mock))).unwrap_err();
    let panic = panic.downcast_ref::<String>().unwrap();
    assert!(panic.contains("unexpected request(s) nobody checked: POST /x"), "{panic}");
    assert!(!panic.contains(CANARY));
}

#[test]
fn count_assertions_panic_on_mismatch() {
    let mock = MockTransport::new();
    assert!(catch_unwind(AssertUnwindSafe(|| mock.assert_request_count(1))).is_err());
    assert!(catch_unwind(AssertUnwindSafe(|| mock.assert_requested(&Route::any(""), 1))).is_err());
    mock.assert_request_count(0);
    mock.assert_requested(&Route::any(""), 0);
}

#[test]
fn response_debug_hides_the_body() {
    let response = MockResponse::json(200, format!("{{\"token\":\"{CANARY}\"}}"));
    let debug = format!("{response:?}");
    assert!(!debug.contains(CANARY) && debug.contains("body_bytes"), "{debug}");
}
