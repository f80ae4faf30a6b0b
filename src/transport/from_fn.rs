use std::fmt;
use std::future::Future;

use async_trait::async_trait;

use super::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// A transport made from an async closure; see [`from_fn`].
pub struct FnTransport<F>(F);

/// Makes a transport from an async closure.
///
/// ```
/// use patkit::transport::{from_fn, HttpTransport};
///
/// # tokio_test_block_on(async {
/// let transport = from_fn(|request| async move {
///     assert_eq!(request.method(), http::Method::GET);
///     Ok(http::Response::builder().status(204).body(Vec::new()).unwrap())
/// });
/// let response = transport.send(http::Request::new(Vec::new())).await.unwrap();
/// assert_eq!(response.status(), 204);
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub fn from_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    FnTransport(f)
}

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

#[async_trait]
impl<F, Fut> HttpTransport for FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send,
{
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (self.0)(request).await
    }
}
