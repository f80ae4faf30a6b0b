//! The reqwest + rustls adapter (feature `reqwest`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use rustls_platform_verifier::Verifier;
use zeroize::{Zeroize as _, Zeroizing};

use super::{
    HttpRequest, HttpResponse, HttpTransport, TransportError, TransportErrorKind, is_allowed, is_loopback_host,
};

/// Default cap on a response body: 4 MiB (a page of 100 PATs is about 40 KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// [`HttpTransport`] over [`reqwest`] with rustls.
///
/// TLS is rustls with the ring crypto provider, set on this transport's clients only (patkit
/// installs no process-wide provider), and the platform's certificate verifier: the operating
/// system's trust store, plus any roots given to
/// [`root_certificates_pem`](ReqwestTransportBuilder::root_certificates_pem).
///
/// Built by [`ReqwestTransport::new`] or [`ReqwestTransport::builder`], it never follows
/// redirects (a 3xx is the service's "sign in" answer), caps response bodies, times out, and
/// refuses plain `http://` except to loopback addresses.
///
/// # Proxies
///
/// Requests to other hosts use the system proxy settings (`HTTPS_PROXY`, `ALL_PROXY`,
/// `NO_PROXY`, …), so https goes through a `CONNECT` tunnel where one is configured. Requests to
/// a loopback destination (`localhost`, `127.0.0.0/8`, `::1`) **never** use a proxy, whatever the
/// environment says: a plain-http request to a local Vault agent or to the emulator carries a
/// token in clear text, and a proxy named in `HTTP_PROXY` or `ALL_PROXY` would receive it.
///
/// # Bringing your own `reqwest::Client`
///
/// Wrapping your own client with `From` keeps the body cap and the https rule, but redirects,
/// timeouts **and proxies** are then whatever that client was configured with; patkit cannot
/// see or change them. A client built with reqwest's defaults uses the system proxy for
/// loopback too. If your client may reach a loopback address over plain http (a local Vault
/// agent, the emulator), build it with `reqwest::ClientBuilder::no_proxy()`, or give every
/// proxy you add a `reqwest::Proxy::no_proxy(reqwest::NoProxy::from_string("localhost,127.0.0.0/8,::1"))`,
/// and disable redirects with `redirect(reqwest::redirect::Policy::none())`.
///
/// patkit turns on reqwest's `rustls-no-provider` feature, not `rustls`: a client you build
/// with `reqwest::Client::builder()` needs a rustls crypto provider, from reqwest's `rustls`
/// feature in your own `Cargo.toml`, a process-wide `rustls::crypto::CryptoProvider` you
/// install, or a `ClientConfig` you hand to `tls_backend_preconfigured`; without one, reqwest
/// panics when the client is built.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    /// For every destination that is not loopback: the system proxy applies.
    client: reqwest::Client,
    /// For loopback destinations: never a proxy. `None` for a caller's own client (`From`),
    /// which is then used for everything.
    direct: Option<reqwest::Client>,
    max_response_bytes: usize,
}

/// Settings for [`ReqwestTransport`].
#[derive(Debug, Clone)]
pub struct ReqwestTransportBuilder {
    connect_timeout: Duration,
    timeout: Duration,
    max_response_bytes: usize,
    /// PEM bundles of extra root certificates, parsed by `build`.
    root_certificates_pem: Vec<Vec<u8>>,
}

impl Default for ReqwestTransportBuilder {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            root_certificates_pem: Vec::new(),
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

    /// Trusts the root certificates in `pem` (one or more PEM `CERTIFICATE` blocks, as in a
    /// `ca.pem` or `VAULT_CACERT` file) in addition to the built-in roots: for a server whose
    /// certificate a private CA issued (a team's Vault, a company forge). May be called more
    /// than once. The bundle is parsed by [`build`](Self::build), which fails with
    /// [`TransportErrorKind::Other`] if it holds no certificate or a damaged one.
    ///
    /// ```
    /// use patkit::transport::ReqwestTransport;
    ///
    /// let err = ReqwestTransport::builder().root_certificates_pem(b"not a certificate".to_vec()).build().unwrap_err();
    /// assert!(err.to_string().contains("no PEM certificate"), "{err}");
    /// ```
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates_pem.push(pem.into());
        self
    }

    /// Builds the transport.
    pub fn build(self) -> Result<ReqwestTransport, TransportError> {
        let mut roots = Vec::new();
        for pem in &self.root_certificates_pem {
            let certificates = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| TransportError::new(TransportErrorKind::Other, "a root certificate PEM is damaged"))?;
            if certificates.is_empty() {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    "no PEM certificate found in a root certificate bundle",
                ));
            }
            roots.extend(certificates);
        }
        let tls = tls_config(roots)?;
        let builder = || {
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls.clone())
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .https_only(false) // enforced per request: http is allowed to loopback only
        };
        let failed = |e| TransportError::new(TransportErrorKind::Other, e);
        let client = builder().build().map_err(failed)?;
        // Loopback never goes through a proxy: `no_proxy` also turns off the system proxy.
        let direct = builder().no_proxy().build().map_err(failed)?;
        Ok(ReqwestTransport { client, direct: Some(direct), max_response_bytes: self.max_response_bytes })
    }
}

/// The rustls configuration both clients use: the ring crypto provider, given to this config
/// only (no process-wide `CryptoProvider::install_default`), and the platform's certificate
/// verifier (the OS trust store, as reqwest's own rustls setup uses) with `extra_roots` added.
fn tls_config(extra_roots: Vec<CertificateDer<'static>>) -> Result<rustls::ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if extra_roots.is_empty() {
        Verifier::new(provider.clone()).map_err(verification_setup_failed)?
    } else {
        with_extra_roots(extra_roots, provider.clone())?
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(verification_setup_failed)?
        // Not a weakened check: the platform verifier is the full chain, name and revocation
        // check; `dangerous` is only rustls's door for any verifier other than its webpki one.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    // reqwest is built without `http2`: announce HTTP/1.1 only, as its own setup does.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(not(target_os = "android"))]
fn with_extra_roots(
    extra_roots: Vec<CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Verifier, TransportError> {
    Verifier::new_with_extra_roots(extra_roots, provider).map_err(verification_setup_failed)
}

/// rustls or the platform verifier could not be set up (no secret is involved).
fn verification_setup_failed(e: rustls::Error) -> TransportError {
    TransportError::new(TransportErrorKind::Other, format!("could not set up TLS certificate verification: {e}"))
}

#[cfg(target_os = "android")]
fn with_extra_roots(
    _extra_roots: Vec<CertificateDer<'static>>,
    _provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Verifier, TransportError> {
    Err(TransportError::new(
        TransportErrorKind::Other,
        "extra root certificates are not supported on Android (the platform verifier uses the system's trust store only)",
    ))
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
        Self { client, direct: None, max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES }
    }
}

impl ReqwestTransport {
    /// The client for `url`: the proxy-free one for loopback destinations.
    fn client_for(&self, url: &reqwest::Url) -> &reqwest::Client {
        match &self.direct {
            Some(direct) if is_loopback_host(url.host_str().unwrap_or("")) => direct,
            _ => &self.client,
        }
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
        // reqwest parses the URI into its URL once; the check reads that same URL.
        let request =
            reqwest::Request::try_from(request).map_err(|e| TransportError::new(TransportErrorKind::Refused, e))?;
        let url = request.url();
        if !is_allowed(url.scheme(), url.host_str().unwrap_or("")) {
            return Err(TransportError::new(
                TransportErrorKind::Refused,
                format!(
                    "refusing {}://{}: only https, or http to a loopback address",
                    url.scheme(),
                    url.host_str().unwrap_or("")
                ),
            ));
        }
        let client = self.client_for(url);
        let mut response = client.execute(request).await.map_err(classify)?;
        if response.content_length().is_some_and(|len| len > self.max_response_bytes as u64) {
            return Err(too_large(self.max_response_bytes));
        }
        let mut builder = http::Response::builder().status(response.status()).version(response.version());
        if let Some(headers) = builder.headers_mut() {
            *headers = std::mem::take(response.headers_mut());
        }
        // A response may carry a secret (a create's new PAT). The buffer is wiped if reading
        // fails, and grown by hand so that no reallocation frees an unwiped copy; sized up front
        // when the length is known (already checked against the cap).
        let known = response.content_length().map_or(0, |len| usize::try_from(len).unwrap_or(0));
        let mut body = Zeroizing::new(Vec::with_capacity(known));
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let needed = body.len() + chunk.len();
            if needed > self.max_response_bytes {
                return Err(too_large(self.max_response_bytes));
            }
            if needed > body.capacity() {
                let mut bigger = Vec::with_capacity(needed.max(body.capacity() * 2).min(self.max_response_bytes));
                bigger.extend_from_slice(&body);
                body.zeroize();
                *body = bigger;
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(std::mem::take(&mut *body)).map_err(|e| TransportError::new(TransportErrorKind::Other, e))
    }
}

fn too_large(cap: usize) -> TransportError {
    TransportError::new(TransportErrorKind::ResponseTooLarge, format!("response body exceeds {cap} bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A public root certificate (Let's Encrypt's ISRG Root X1), as a `ca.pem` would hold it.
    const ROOT_PEM: &[u8] = include_bytes!("../../tests/fixtures/tls/isrg-root-x1.pem");

    #[test]
    fn building_installs_no_process_wide_crypto_provider() {
        ReqwestTransport::new().unwrap();
        ReqwestTransport::builder().root_certificates_pem(ROOT_PEM).build().unwrap();
        assert!(
            rustls::crypto::CryptoProvider::get_default().is_none(),
            "the ring provider is given to patkit's clients only, never installed for the process"
        );
    }

    #[test]
    fn the_tls_config_uses_ring_and_announces_http1_only() {
        let config = tls_config(Vec::new()).unwrap();
        let ring = rustls::crypto::ring::default_provider();
        let suites = |p: &rustls::crypto::CryptoProvider| p.cipher_suites.iter().map(|s| s.suite()).collect::<Vec<_>>();
        assert_eq!(suites(config.crypto_provider()), suites(&ring));
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }

    #[test]
    fn a_root_bundle_with_several_certificates_and_text_around_them_is_accepted() {
        let mut bundle = b"# team CA bundle\n".to_vec();
        bundle.extend_from_slice(ROOT_PEM);
        bundle.extend_from_slice(ROOT_PEM);
        ReqwestTransport::builder().root_certificates_pem(bundle).root_certificates_pem(ROOT_PEM).build().unwrap();
    }

    #[test]
    fn a_damaged_root_pem_is_an_error_from_build() {
        let text = String::from_utf8(ROOT_PEM.to_vec()).unwrap();
        let damaged = text.replacen("MII", "M!I", 1);
        let unterminated = text.replace("-----END CERTIFICATE-----", "");
        for pem in [damaged, unterminated] {
            let err = ReqwestTransport::builder().root_certificates_pem(pem).build().unwrap_err();
            assert_eq!(err.kind(), TransportErrorKind::Other);
            assert!(err.to_string().contains("a root certificate PEM is damaged"), "{err}");
        }
        let err =
            ReqwestTransport::builder().root_certificates_pem(b"no certificate here".to_vec()).build().unwrap_err();
        assert!(err.to_string().contains("no PEM certificate found"), "{err}");
    }
}
