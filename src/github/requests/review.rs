//! [`Review`] and `POST /orgs/{org}/personal-access-token-requests/{id}`: approve or deny one
//! request (204).

use http::Method;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::grants::numeric_id;
use crate::github::operations as op;
use crate::model::PatId;

/// The longest reason GitHub takes.
pub const MAX_REASON_CHARS: usize = 1024;

/// An approval or a denial, with an optional reason shown to the token's owner.
///
/// ```
/// use patkit::github::Review;
/// let deny = Review::deny().reason("Use the deploy app instead");
/// assert!(!deny.is_approval());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    action: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

impl Review {
    /// Approve.
    pub fn approve() -> Self {
        Self { action: "approve", reason: None }
    }

    /// Deny.
    pub fn deny() -> Self {
        Self { action: "deny", reason: None }
    }

    /// With a reason (at most [`MAX_REASON_CHARS`] characters).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Whether this approves.
    pub fn is_approval(&self) -> bool {
        self.action == "approve"
    }

    pub(crate) fn check(&self) -> Result<()> {
        let chars = self.reason.as_deref().map_or(0, |r| r.chars().count());
        if chars > MAX_REASON_CHARS {
            return Err(Error::invalid_input(
                "reason",
                format!("GitHub takes at most {MAX_REASON_CHARS} characters, not {chars}"),
            ));
        }
        Ok(())
    }
}

impl GitHubClient {
    /// Approves or denies the request `request` (its request id) at once (204).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a reason over 1,024 characters, before sending;
    /// [`Error::NotFound`] for an unknown (or already reviewed) request.
    pub async fn review_request(&self, request: &PatId, review: &Review) -> Result<()> {
        review.check()?;
        let id = numeric_id(request)?.to_string();
        let url = self.org_url(&["personal-access-token-requests", &id]);
        let body = crate::client::request::json(review)?;
        let http = self.authed(Method::POST, url, op::REQUEST_REVIEW, Some(body)).await?;
        let asked = Asked { id: Some(request), app_only: true, ..Asked::op(op::REQUEST_REVIEW) };
        self.send(http, Some(asked), |_, _| Ok(())).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::{assert_common, client};
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn one_request_is_approved_or_denied_with_a_reason() {
        let mock = MockTransport::new()
            .on(Route::post("/orgs/acme/personal-access-token-requests/42"), MockResponse::status(204));
        let c = client(&mock);
        c.review_request(&PatId::new("42"), &Review::approve()).await.unwrap();
        c.review_request(&PatId::new("42"), &Review::deny().reason("not for prod")).await.unwrap();
        let sent = mock.requests();
        assert_common(&sent[0]);
        let body = |i: usize| serde_json::from_slice::<serde_json::Value>(sent[i].body()).unwrap();
        assert_eq!(body(0), serde_json::json!({"action": "approve"}));
        assert_eq!(body(1), serde_json::json!({"action": "deny", "reason": "not for prod"}));
    }

    #[tokio::test]
    async fn a_long_reason_sends_nothing() {
        let mock = MockTransport::new();
        let long = Review::deny().reason("x".repeat(1025));
        let err = client(&mock).review_request(&PatId::new("42"), &long).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "reason", .. }));
        assert!(Review::deny().reason("é".repeat(1024)).check().is_ok(), "characters, not bytes");
        mock.assert_request_count(0);
    }
}
