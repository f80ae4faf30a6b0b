use std::error::Error as StdError;
use std::fmt;

/// Why an HTTP exchange did not complete. Statuses (404, 429, 500, …) are responses, not this.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    source: Box<dyn StdError + Send + Sync>,
}

/// What kind of failure a [`TransportError`] is; decides whether a retry is safe.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportErrorKind {
    /// No connection was made (DNS, refused, TLS handshake). The request never reached the
    /// server: retrying is safe for every operation.
    Connect,
    /// No complete response in time. The server may have acted on the request: retry only
    /// idempotent operations.
    Timeout,
    /// The connection broke after the request was (perhaps) sent. The server may have acted on it:
    /// retry only idempotent operations.
    Interrupted,
    /// The response was refused by the transport (e.g. larger than the configured cap). Not
    /// retried.
    ResponseTooLarge,
    /// The request was refused before sending (e.g. plain `http://` to a non-loopback host). Not
    /// retried.
    Refused,
    /// Anything else. Not retried.
    Other,
}

impl TransportError {
    /// A transport error of `kind` caused by `source`. Public so custom transports can classify
    /// their own failures.
    pub fn new(kind: TransportErrorKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Self { kind, source: source.into() }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the request certainly never reached the server.
    pub fn is_before_send(&self) -> bool {
        matches!(self.kind, TransportErrorKind::Connect | TransportErrorKind::Refused)
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Interrupted => "connection interrupted",
            TransportErrorKind::ResponseTooLarge => "response too large",
            TransportErrorKind::Refused => "request refused before sending",
            TransportErrorKind::Other => "transport failure",
        };
        write!(f, "{what}: {}", self.source)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.source)
    }
}
