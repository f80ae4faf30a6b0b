//! The reqwest + rustls adapter (feature `reqwest`).

use std::time::Duration;

use async_trait::async_trait;

use super::{HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind, is_allowed_url};

/// Default cap on a response body: 4 MiB (a page of 100 PATs is about 40 KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// [`HttpTransport`] over [`reqwest`] with rustls.
///
/// Built by [`ReqwestTransport::new`] or [`ReqwestTransport::builder`], it never follows
/// redirects (a 3xx is the service's "sign in" answer), caps response bodies, times out, and
/// refuses plain `http://` except to loopback addresses. Wrapping your own `reqwest::Client` with
/// `From` keeps the body cap and the https rule, but redirects and timeouts are then whatever
/// that client was configured with.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    max_response_bytes: usize,
}

/// Settings for [`ReqwestTransport`].
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl ReqwestTransportBuilder {
    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole exchange (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`]). Larger responses
    /// fail with [`TransportErrorKind::ResponseTooLarge`].
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .https_only(false); // enforced per request: http is allowed to loopback only
        let client = builder.build().map_err(|e| TransportError::new(TransportErrorKind::Other, e))?;
        Ok(ReqwestTransport { client, max_response_bytes: self.max_response_bytes })
    }
}

impl ReqwestTransport {
    /// A transport with the default settings.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// Settings for a transport.
    pub fn builder() -> ReqwestTransportBuilder {
        ReqwestTransportBuilder::default()
    }
}

impl From<reqwest::Client> for ReqwestTransport {
    fn from(client: reqwest::Client) -> Self {
        Self { client, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
    }
}

fn classify(e: reqwest::Error) -> TransportError {
    let kind = if e.is_connect() {
        TransportErrorKind::Connect
    } else if e.is_timeout() {
        TransportErrorKind::Timeout
    } else if e.is_request() || e.is_body() || e.is_decode() {
        TransportErrorKind::Interrupted
    } else {
        TransportErrorKind::Other
    };
    TransportError::new(kind, e)
}

#[async_trait]
impl HttpTransport for ReqwestTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let url: url::Url =
            request.uri().to_string().parse().map_err(|e| TransportError::new(TransportErrorKind::Refused, e))?;
        if !is_allowed_url(&url) {
            return Err(TransportError::new(
                TransportErrorKind::Refused,
                format!(
                    "refusing {}://{}: only https, or http to a loopback address",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                ),
            ));
        }
        let request =
            reqwest::Request::try_from(request).map_err(|e| TransportError::new(TransportErrorKind::Refused, e))?;
        let mut response = self.client.execute(request).await.map_err(classify)?;
        if response.content_length().is_some_and(|len| len > self.max_response_bytes as u64) {
            return Err(too_large(self.max_response_bytes));
        }
        let mut builder = http::Response::builder().status(response.status()).version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_response_bytes {
                return Err(too_large(self.max_response_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body).map_err(|e| TransportError::new(TransportErrorKind::Other, e))
    }
}

fn too_large(cap: usize) -> TransportError {
    TransportError::new(TransportErrorKind::ResponseTooLarge, format!("response body exceeds {cap} bytes"))
}
