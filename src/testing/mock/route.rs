//! Which requests a rule of a [`MockTransport`](super::MockTransport) applies to.

use std::fmt;
use std::sync::Arc;

#[cfg(doc)]
use super::MockTransport;

use http::Method;

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
        self.query(move |q| crate::http_url::parse_pairs(q.as_bytes()).any(|(k, v)| k == key && v == value))
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
