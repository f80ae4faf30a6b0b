//! A scripted [`HttpTransport`] for tests: canned responses, recorded requests, injected errors,
//! and a loud failure on anything unexpected.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind};

mod response;
mod route;
#[cfg(test)]
mod tests;

pub use response::MockResponse;
pub use route::Route;

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
