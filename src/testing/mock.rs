//! A scripted [`HttpTransport`] for tests: canned responses, recorded requests, injected errors,
//! and a loud failure on anything unexpected.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind};

/// A scripted transport for tests.
///
/// A `MockTransport` answers requests from a script:
///
/// - **Routes** ([`on`](Self::on), [`on_seq`](Self::on_seq)) match a request by method, path and
///   optionally its query (see [`Route`]) and answer with a [`MockResponse`]. A route made with
///   `on` answers every matching request the same way; one made with `on_seq` answers with each
///   response in turn (`503, 503, 200`) and, once used up, no longer matches. Routes are tried in
///   the order they were added; the first that matches and is not used up answers.
/// - **Injected errors** ([`fail_next`](Self::fail_next), [`inject_error`](Self::inject_error))
///   make the next request matching a route fail with a [`TransportError`] of a given kind, once.
///   They take precedence over routes, oldest first.
/// - A **default** ([`default_response`](Self::default_response)) answers requests no route
///   matches.
/// - Every request that arrives is **recorded**, headers and body included, in arrival order:
///   read them with [`requests`](Self::requests) or assert on them with
///   [`assert_request_count`](Self::assert_request_count) and
///   [`assert_requested`](Self::assert_requested).
///
/// # Unexpected requests fail loudly
///
/// A request that no injected error, route or default answers is *unexpected*. It fails twice
/// over: the request gets a [`TransportErrorKind::Other`] error whose message starts with
/// `MockTransport: unexpected request` and names the method, path and query, **and** it is
/// recorded, so that [`assert_no_unexpected`](Self::assert_no_unexpected) panics, and so that
/// dropping the last clone of the transport panics if the unexpected requests were never
/// looked at (with [`assert_no_unexpected`](Self::assert_no_unexpected) or
/// [`take_unexpected`](Self::take_unexpected)). The drop check means a test cannot pass because
/// the code under test swallowed the error. It is skipped while the thread is already panicking,
/// so it never turns a failing test into an abort.
///
/// # Secrets
///
/// Messages and `Debug` output name a request by method, path and query only; headers and bodies
/// are never printed. The recorded requests are returned as they arrived: their `Debug` prints
/// sensitive header values (such as `Authorization`, which patkit marks sensitive) as
/// `Sensitive`.
///
/// Clones share the same script and records.
///
/// ```
/// use patkit::testing::{MockResponse, MockTransport, Route};
/// use patkit::transport::{HttpTransport, TransportErrorKind};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let mock = MockTransport::new()
///     .on_seq(Route::get("/_apis/tokens/pats"), [MockResponse::status(503), MockResponse::json(200, r#"{"patTokens":[]}"#)])
///     .fail_next(Route::delete("/_apis/tokens/pats"), TransportErrorKind::Connect);
///
/// let get = || http::Request::get("https://vssps.dev.azure.com/org/_apis/tokens/pats").body(Vec::new()).unwrap();
/// assert_eq!(mock.send(get()).await.unwrap().status(), 503);
/// assert_eq!(mock.send(get()).await.unwrap().status(), 200);
///
/// let delete = http::Request::delete("https://vssps.dev.azure.com/org/_apis/tokens/pats?authorizationId=1")
///     .body(Vec::new())
///     .unwrap();
/// assert_eq!(mock.send(delete).await.unwrap_err().kind(), TransportErrorKind::Connect);
///
/// // The sequence is used up: a third GET is unexpected, fails, and is recorded.
/// let err = mock.send(get()).await.unwrap_err();
/// assert!(err.to_string().contains("unexpected request GET /org/_apis/tokens/pats"));
/// assert_eq!(mock.take_unexpected(), vec!["GET /org/_apis/tokens/pats".to_owned()]);
///
/// mock.assert_request_count(4);
/// mock.assert_requested(&Route::get("/_apis/tokens/pats"), 3);
/// # });
/// ```
///
/// Routes match the end of the path, so `/_apis/tokens/pats` matches the organization-prefixed
/// path above (see [`Route`]).
#[derive(Clone, Default)]
pub struct MockTransport {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    injected: VecDeque<(Route, TransportErrorKind)>,
    default: Option<MockResponse>,
    requests: Vec<HttpRequest>,
    unexpected: Vec<String>,
    unexpected_checked: usize,
}

struct Rule {
    route: Route,
    replies: Replies,
}

enum Replies {
    Always(MockResponse),
    Sequence(VecDeque<MockResponse>),
}

impl MockTransport {
    /// An empty script: every request is unexpected until routes are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers every request matching `route` with `response`.
    pub fn on(self, route: Route, response: MockResponse) -> Self {
        self.lock().rules.push(Rule { route, replies: Replies::Always(response) });
        self
    }

    /// Answers the requests matching `route` with `responses`, one each, in order. Once they are
    /// used up the route no longer matches (later routes, the default, or "unexpected" apply).
    pub fn on_seq(self, route: Route, responses: impl IntoIterator<Item = MockResponse>) -> Self {
        self.lock().rules.push(Rule { route, replies: Replies::Sequence(responses.into_iter().collect()) });
        self
    }

    /// Answers requests that no route matches with `response` instead of treating them as
    /// unexpected.
    pub fn default_response(self, response: MockResponse) -> Self {
        self.lock().default = Some(response);
        self
    }

    /// Builder form of [`inject_error`](Self::inject_error).
    pub fn fail_next(self, route: Route, kind: TransportErrorKind) -> Self {
        self.inject_error(route, kind);
        self
    }

    /// Makes the next request matching `route` fail with a [`TransportError`] of `kind`, once.
    /// Injections queue up: two calls fail the next two matching requests. May be called at any
    /// time, also while the transport is in use through a clone.
    pub fn inject_error(&self, route: Route, kind: TransportErrorKind) {
        self.lock().injected.push_back((route, kind));
    }

    /// Clones of every request received so far, in arrival order, with headers, body and
    /// extensions (including unexpected ones and those answered with an injected error).
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.lock().requests.clone()
    }

    /// Clones of the requests received so far that match `route`.
    pub fn requests_to(&self, route: &Route) -> Vec<HttpRequest> {
        self.lock().requests.iter().filter(|r| route.matches(r)).cloned().collect()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.lock().requests.last().cloned()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// Panics unless exactly `expected` requests arrived.
    #[track_caller]
    pub fn assert_request_count(&self, expected: usize) {
        let state = self.lock();
        let actual = state.requests.len();
        if actual != expected {
            let seen = describe_all(&state.requests);
            drop(state);
            panic!("MockTransport: expected {expected} request(s), got {actual}: {seen}");
        }
    }

    /// Panics unless exactly `times` requests matched `route`.
    #[track_caller]
    pub fn assert_requested(&self, route: &Route, times: usize) {
        let state = self.lock();
        let actual = state.requests.iter().filter(|r| route.matches(r)).count();
        if actual != times {
            let seen = describe_all(&state.requests);
            drop(state);
            panic!("MockTransport: expected {times} request(s) matching {route:?}, got {actual}; all requests: {seen}");
        }
    }

    /// Panics, listing them, if any unexpected request arrived. Marks them as seen for the drop
    /// check.
    #[track_caller]
    pub fn assert_no_unexpected(&self) {
        let mut state = self.lock();
        state.unexpected_checked = state.unexpected.len();
        if !state.unexpected.is_empty() {
            let list = state.unexpected.join(", ");
            drop(state);
            panic!("MockTransport: unexpected request(s): {list}");
        }
    }

    /// Returns the unexpected requests (as `METHOD /path?query`) and forgets them, for tests that
    /// provoke one on purpose.
    pub fn take_unexpected(&self) -> Vec<String> {
        let mut state = self.lock();
        state.unexpected_checked = 0;
        std::mem::take(&mut state.unexpected)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock left consistent data behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let state = self.lock();
        if state.unexpected.len() > state.unexpected_checked {
            let list = state.unexpected.join(", ");
            drop(state);
            panic!(
                "MockTransport dropped after unexpected request(s) nobody checked: {list} (call \
                 assert_no_unexpected() or take_unexpected() to handle them)"
            );
        }
    }
}

#[async_trait]
impl HttpTransport for MockTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let mut state = self.lock();
        state.requests.push(request.clone());

        if let Some(i) = state.injected.iter().position(|(route, _)| route.matches(&request)) {
            let (route, kind) = state.injected.remove(i).unwrap_or_else(|| unreachable!("index from position"));
            return Err(TransportError::new(
                kind,
                format!("MockTransport: injected {kind:?} error for {} (route {route:?})", describe(&request)),
            ));
        }

        for rule in state.rules.iter_mut() {
            if !rule.route.matches(&request) {
                continue;
            }
            match &mut rule.replies {
                Replies::Always(response) => return Ok(response.to_response()),
                Replies::Sequence(queue) => {
                    if let Some(response) = queue.pop_front() {
                        return Ok(response.to_response());
                    }
                }
            }
        }

        if let Some(response) = &state.default {
            return Ok(response.to_response());
        }

        let what = describe(&request);
        state.unexpected.push(what.clone());
        let routes: Vec<String> = state.rules.iter().map(|r| format!("{:?}", r.route)).collect();
        Err(TransportError::new(
            TransportErrorKind::Other,
            format!(
                "MockTransport: unexpected request {what}: no injected error, route or default answers it (routes: \
                 [{}])",
                routes.join(", ")
            ),
        ))
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("MockTransport")
            .field("routes", &state.rules.iter().map(|r| &r.route).collect::<Vec<_>>())
            .field("injected_errors", &state.injected.len())
            .field("has_default", &state.default.is_some())
            .field("requests", &state.requests.len())
            .field("unexpected", &state.unexpected)
            .finish()
    }
}

/// `METHOD /path?query` — never headers or body.
fn describe(request: &HttpRequest) -> String {
    let uri = request.uri();
    match uri.query() {
        Some(q) => format!("{} {}?{q}", request.method(), uri.path()),
        None => format!("{} {}", request.method(), uri.path()),
    }
}

fn describe_all(requests: &[HttpRequest]) -> String {
    let all: Vec<String> = requests.iter().map(describe).collect();
    format!("[{}]", all.join(", "))
}

type QueryPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Which requests a [`MockTransport`] rule applies to: a method, a path, and optionally a
/// predicate on the query string.
///
/// The path matches when the request's path **ends with** it at a segment boundary, so
/// `Route::get("/_apis/tokens/pats")` matches `GET /myorg/_apis/tokens/pats` and
/// `GET /_apis/tokens/pats`, but not `GET /x/_apis/tokens/patsfoo`. Use [`Route::exact`] to
/// require the whole path.
///
/// ```
/// use patkit::testing::Route;
/// let route = Route::get("/_apis/tokens/pats").query_has("authorizationId", "42");
/// let request = http::Request::get("https://h/org/_apis/tokens/pats?authorizationId=42&api-version=7.1-preview.1")
///     .body(Vec::<u8>::new())
///     .unwrap();
/// assert!(route.matches(&request));
/// ```
#[derive(Clone)]
pub struct Route {
    method: Option<Method>,
    path: String,
    exact: bool,
    query: Option<QueryPredicate>,
}

impl Route {
    /// Requests with `method` whose path ends with `path` (see the type's docs).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self { method: Some(method), path: path.into(), exact: false, query: None }
    }

    /// Requests of any method whose path ends with `path`; `Route::any("")` matches everything.
    pub fn any(path: impl Into<String>) -> Self {
        Self { method: None, path: path.into(), exact: false, query: None }
    }

    /// `GET` requests to `path`.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// `POST` requests to `path`.
    pub fn post(path: impl Into<String>) -> Self {
        Self::new(Method::POST, path)
    }

    /// `PUT` requests to `path`.
    pub fn put(path: impl Into<String>) -> Self {
        Self::new(Method::PUT, path)
    }

    /// `PATCH` requests to `path`.
    pub fn patch(path: impl Into<String>) -> Self {
        Self::new(Method::PATCH, path)
    }

    /// `DELETE` requests to `path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Self::new(Method::DELETE, path)
    }

    /// Requires the request's path to equal the route's path exactly.
    pub fn exact(mut self) -> Self {
        self.exact = true;
        self
    }

    /// Also requires `predicate` to accept the raw query string (without `?`; `""` when there is
    /// none).
    pub fn query(mut self, predicate: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.query = Some(Arc::new(predicate));
        self
    }

    /// Also requires the query to contain `key=value` (compared after percent-decoding).
    pub fn query_has(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.query(move |q| url::form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k == key && v == value))
    }

    /// Whether `request` matches this route.
    pub fn matches<B>(&self, request: &http::Request<B>) -> bool {
        if self.method.as_ref().is_some_and(|m| m != request.method()) {
            return false;
        }
        let path = request.uri().path();
        let path_ok = if self.exact {
            path == self.path
        } else {
            path.strip_suffix(self.path.as_str()).is_some_and(|rest| {
                rest.is_empty() || rest.ends_with('/') || self.path.starts_with('/') || self.path.is_empty()
            })
        };
        path_ok && self.query.as_ref().is_none_or(|p| p(request.uri().query().unwrap_or("")))
    }
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let method = self.method.as_ref().map_or("*", |m| m.as_str());
        write!(f, "{method} {}{}", if self.exact { "=" } else { "…" }, self.path)?;
        if self.query.is_some() {
            f.write_str(" ?<predicate>")?;
        }
        Ok(())
    }
}

/// A canned response for [`MockTransport`].
///
/// ```
/// use patkit::testing::MockResponse;
/// let throttled = MockResponse::status(429).header("retry-after", "5");
/// let ok = MockResponse::json(200, r#"{"patToken":null}"#);
/// # let _ = (throttled, ok);
/// ```
#[derive(Clone)]
pub struct MockResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl MockResponse {
    /// A response with `status` and an empty body.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status (100–999).
    #[track_caller]
    pub fn status(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or_else(|_| panic!("invalid HTTP status {status}"));
        Self { status, headers: HeaderMap::new(), body: Vec::new() }
    }

    /// A response with `status`, `Content-Type: application/json` and `body` (JSON text, e.g.
    /// `serde_json::json!({..}).to_string()`).
    #[track_caller]
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self::status(status).header("content-type", "application/json; charset=utf-8").body(body.into())
    }

    /// Adds a header (repeat for several values).
    ///
    /// # Panics
    ///
    /// If `name` or `value` is not a valid header name or value.
    #[track_caller]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|_| panic!("invalid header name {name:?}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|_| panic!("invalid value for header {name}"));
        self.headers.append(name, value);
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    fn to_response(&self) -> HttpResponse {
        let mut response = http::Response::new(self.body.clone());
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl fmt::Debug for MockResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold a token (a create response): print its size only.
        f.debug_struct("MockResponse")
            .field("status", &self.status.as_u16())
            .field("headers", &self.headers.keys().map(|k| k.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

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
}
