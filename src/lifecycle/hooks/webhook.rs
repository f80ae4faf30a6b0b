//! [`WebhookHook`]: POSTs the replacement's metadata (never its secret) as JSON.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{HandOff, HookError, RotationHook, time_text};
use crate::error::{Error, Result};
use crate::http_url::HttpUrl;
use crate::model::PatMetadata;
use crate::transport::{HttpTransport, Operation};

/// The operation a webhook request carries (not idempotent: a receiver may act on each).
const NOTIFY: Operation = Operation::not_idempotent("rotation webhook");

/// A [`RotationHook`] that tells a web service a token was rotated: one `POST` of JSON
/// metadata, **never the secret**, through any [`HttpTransport`]. It succeeds on a 2xx answer.
///
/// The body (`"valid_to"` and `"retiring_until"` are RFC 3339 or `null`):
///
/// ```text
/// {"event": "patkit.rotated", "entry": "ci/feed", "provider": "azure-devops", "organization": "fabrikam",
///  "token": {"id": "…", "display_name": "…", "scopes": ["vso.packaging"], "valid_from": "…", "valid_to": "…"},
///  "previous": {"id": "…", "display_name": "…"} | null,
///  "retiring_until": "…" | null}
/// ```
///
/// The URL must be `https`, or `http` to a loopback address. It is not quoted in errors or
/// `Debug` (webhook URLs often carry a key in their path): only its host is.
///
/// ```
/// # #[cfg(feature = "reqwest")] {
/// use patkit::lifecycle::WebhookHook;
/// use patkit::transport::ReqwestTransport;
///
/// let transport = ReqwestTransport::new().expect("a TLS setup");
/// let hook = WebhookHook::new("https://hooks.example.com/patkit", transport)?;
/// # let _ = hook;
/// # }
/// # Ok::<_, patkit::Error>(())
/// ```
#[derive(Clone)]
pub struct WebhookHook {
    url: HttpUrl,
    transport: Arc<dyn HttpTransport>,
    name: String,
}

impl fmt::Debug for WebhookHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookHook").field("host", &self.url.host_str()).field("name", &self.name).finish()
    }
}

impl WebhookHook {
    /// A hook posting to `url` through `transport`. [`Error::InvalidInput`] if `url` does not
    /// parse (a user name or password before the host, `user:password@`, is refused) or is
    /// neither `https` nor `http` to a loopback address.
    pub fn new(url: &str, transport: impl HttpTransport + 'static) -> Result<Self> {
        let invalid = |why: &'static str| Error::invalid_input("url", why);
        let url = HttpUrl::parse(url)
            .map_err(|e| Error::invalid_input("url", format!("the webhook URL is not accepted: {e}")))?;
        if !crate::transport::is_allowed_url(&url) {
            return Err(invalid("the webhook URL must be https, or http to a loopback address"));
        }
        let name = format!("webhook to {}", url.host_str());
        Ok(Self { url, transport: Arc::new(transport), name })
    }

    /// The name in reports (default `webhook to <host>`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The JSON body for `hand_off`: metadata only.
    fn body(hand_off: &HandOff<'_>) -> Value {
        let token = |m: &PatMetadata| {
            json!({
                "id": m.id.as_str(), "display_name": m.display_name,
                "scopes": m.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "valid_from": time_text(Some(m.valid_from)),
                "valid_to": m.valid_to.map(|t| time_text(Some(t))),
            })
        };
        json!({
            "event": "patkit.rotated",
            "entry": hand_off.entry,
            "provider": hand_off.provider,
            "organization": hand_off.organization,
            "token": token(hand_off.new),
            "previous": hand_off.previous.map(|p| json!({"id": p.id.as_str(), "display_name": p.display_name})),
            "retiring_until": hand_off.retiring_until.map(|t| time_text(Some(t))),
        })
    }
}

#[async_trait]
impl RotationHook for WebhookHook {
    fn name(&self) -> &str {
        &self.name
    }

    async fn hand_off(&self, hand_off: &HandOff<'_>) -> Result<(), HookError> {
        let body = serde_json::to_vec(&Self::body(hand_off)).expect("JSON serializes");
        let mut request = http::Request::post(self.url.as_str())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .map_err(|_| HookError::new("could not build the request"))?;
        request.extensions_mut().insert(NOTIFY);
        match self.transport.send(request).await {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(HookError::new(format!("the webhook answered {}", response.status()))),
            Err(e) => Err(HookError::new(format!("the webhook could not be reached ({:?})", e.kind()))),
        }
    }
}
