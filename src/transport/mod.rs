//! How bytes move: the [`HttpTransport`] seam.
//!
//! The client speaks [`http`] 1.x types with buffered bodies (PAT payloads are tiny). A non-2xx
//! status is a *response*, not a [`TransportError`]; a `TransportError` means the exchange did not
//! complete, and its [`TransportErrorKind`] says whether retrying is safe.
//!
//! Ways to get a transport:
//! - [`ReqwestTransport`] (feature `reqwest`, on by default): rustls (ring, the platform's
//!   certificate verifier), no redirects, bounded responses, timeouts, `http://` only to
//!   loopback, and loopback never through a proxy.
//! - [`from_fn`]: any async closure.
//! - [`RetryTransport`]: wraps any transport with retries that respect `Retry-After` and never
//!   repeat a request that is not idempotent.
//! - [`PacedTransport`]: sends through a shared [`Pacer`] that keeps requests within the rate
//!   limit the service reports and adapts how many are in flight (every client has one unless
//!   built with [`Pacing::Off`]).
//! - `MockTransport` (feature `testing`) and the emulator (feature `emulator`) for tests.

mod error;
mod from_fn;
mod operation;
mod pacer;
#[cfg(feature = "reqwest")]
mod reqwest;
mod retry;

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;

use crate::http_url::HttpUrl;

pub use error::{TransportError, TransportErrorKind};
pub use from_fn::{FnTransport, from_fn};
pub use operation::{Idempotency, Operation};
pub use pacer::{OverLimit, PacedTransport, Pacer, PacerStats, Pacing, PacingLimits};
#[cfg(feature = "reqwest")]
pub use reqwest::{DEFAULT_MAX_RESPONSE_BYTES, ReqwestTransport, ReqwestTransportBuilder};
#[cfg_attr(not(feature = "azure"), allow(unused_imports))]
pub(crate) use retry::retry_after;
pub use retry::{BackoffConfig, RetryConfig, RetryTransport};

/// A request with a buffered body.
pub type HttpRequest = http::Request<Vec<u8>>;
/// A response with a buffered body.
pub type HttpResponse = http::Response<Vec<u8>>;

/// Sends one HTTP request and returns its response.
///
/// Implementations must not follow redirects (a 3xx is how the service says "sign in") and must
/// return non-2xx statuses as responses. Each request carries its [`Operation`] in its extensions,
/// so wrappers know what they carry without parsing URLs.
#[async_trait]
pub trait HttpTransport: Send + Sync + Debug {
    /// Sends `request`.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: HttpTransport + ?Sized> HttpTransport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

#[deny(clippy::missing_trait_methods)]
#[async_trait]
impl<T: HttpTransport + ?Sized> HttpTransport for Box<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

/// Whether `url` is allowed: `https`, or `http` to a loopback address.
pub(crate) fn is_allowed_url(url: &HttpUrl) -> bool {
    url.scheme() == "https" || url.host().is_loopback()
}

/// Whether a request to `scheme://host` is allowed: `https`, or `http` to a loopback host
/// (`host` as a URL writes it: a name, an IPv4 address or a bracketed IPv6 address).
#[cfg(any(feature = "reqwest", test))]
pub(crate) fn is_allowed(scheme: &str, host: &str) -> bool {
    match scheme {
        "https" => true,
        "http" => is_loopback_host(host),
        _ => false,
    }
}

/// Whether `host` (as a URL writes it) is a loopback destination: `localhost`, `127.0.0.0/8` or
/// `::1`. A host patkit's URL type does not accept is not loopback.
#[cfg(any(feature = "reqwest", test))]
pub(crate) fn is_loopback_host(host: &str) -> bool {
    crate::http_url::Host::parse(host).is_ok_and(|host| host.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http() {
        for ok in [
            "https://vssps.dev.azure.com/x",
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://[::1]:1/",
            "http://127.9.9.9/",
        ] {
            assert!(is_allowed_url(&ok.parse().unwrap()), "{ok}");
            let url = url::Url::parse(ok).unwrap();
            assert!(is_allowed(url.scheme(), url.host_str().unwrap()), "{ok} as reqwest reads it");
        }
        for bad in ["http://vssps.dev.azure.com/", "http://10.0.0.1/", "ftp://localhost/", "http://localhost.evil.com/"]
        {
            assert!(!HttpUrl::parse(bad).is_ok_and(|url| is_allowed_url(&url)), "{bad}");
            let url = url::Url::parse(bad).unwrap();
            assert!(!is_allowed(url.scheme(), url.host_str().unwrap()), "{bad} as reqwest reads it");
        }
    }

    /// The lowest layers name no provider and no store: whoever builds a request declares its
    /// [`Operation`] and credential, and these layers read only their properties.
    #[test]
    fn the_transport_and_auth_layers_refer_to_no_provider_or_store() {
        fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for dir in ["transport", "auth"] {
            rust_files(&src.join(dir), &mut files);
        }
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for layer in ["azure", "emulator", "client", "store", "lifecycle", "testing"] {
                assert!(!text.contains(&format!("crate::{layer}")), "{} refers to crate::{layer}", path.display());
            }
        }
        assert!(files.len() >= 13, "only {} files found (subdirectories included)", files.len());
    }

    #[test]
    fn loopback_is_localhost_127_8_and_ipv6_one_whatever_the_scheme() {
        for yes in
            ["http://localhost:1/", "https://LOCALHOST/", "https://127.0.0.1/", "http://127.9.9.9/", "https://[::1]:8/"]
        {
            assert!(HttpUrl::parse(yes).unwrap().host().is_loopback(), "{yes}");
            assert!(is_loopback_host(url::Url::parse(yes).unwrap().host_str().unwrap()), "{yes} as reqwest reads it");
        }
        for no in ["https://vssps.dev.azure.com/", "http://10.0.0.1/", "https://localhost.evil.com/", "https://[::2]/"]
        {
            assert!(!HttpUrl::parse(no).unwrap().host().is_loopback(), "{no}");
            assert!(!is_loopback_host(url::Url::parse(no).unwrap().host_str().unwrap()), "{no} as reqwest reads it");
        }
    }
}
