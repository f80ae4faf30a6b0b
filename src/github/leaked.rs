//! `POST /credentials/revoke` (§4.4): GitHub's kill switch for leaked tokens, by value.

use http::Method;

use super::classify::Asked;
use super::operations as op;
use super::{GitHubClient, TokenKind};
use crate::error::{Error, Result};
use crate::secret::PatSecret;

/// At most this many tokens per report.
pub const MAX_LEAKED_PER_REQUEST: usize = 1000;

impl GitHubClient {
    /// Reports `tokens` as leaked: GitHub revokes them and notifies their owners (202). This is
    /// the only way to revoke someone else's token on GitHub, and it needs the token's value.
    ///
    /// Sent **unauthenticated** (GitHub refuses it with a credential: 403), so it counts against
    /// the unauthenticated quota of the caller's address: about 60 requests an hour. Accepts
    /// `ghp_`, `github_pat_`, `gho_`, `ghu_` and `ghr_` tokens, up to 1,000 per call. It lists
    /// and manages nothing; a revoked token cannot be restored.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] before sending for no tokens, more than 1,000, or a token of a
    /// kind GitHub does not take (the error names its position, never its value);
    /// [`Error::RateLimited`] past the quota.
    pub async fn report_leaked(&self, tokens: &[PatSecret]) -> Result<()> {
        if tokens.is_empty() || tokens.len() > MAX_LEAKED_PER_REQUEST {
            return Err(Error::invalid_input(
                "credentials",
                format!("GitHub takes 1 to {MAX_LEAKED_PER_REQUEST} tokens per report, not {}", tokens.len()),
            ));
        }
        if let Some(i) = tokens.iter().position(|t| !TokenKind::of(t).revocable_when_leaked()) {
            return Err(Error::invalid_input(
                "credentials",
                format!(
                    "token #{i} is no kind GitHub revokes when leaked (ghp_, github_pat_, gho_, ghu_, ghr_): {:?}",
                    TokenKind::of(&tokens[i])
                ),
            ));
        }
        let values: Vec<&str> = tokens.iter().map(PatSecret::expose_secret).collect();
        // The body holds the tokens; the transport owns it once sent (and drops it unzeroed, as
        // every request body: see the crate's Security notes).
        let body = crate::client::request::json(&serde_json::json!({ "credentials": values }))?;
        let request = self.build(
            Method::POST,
            self.api_url(&["credentials", "revoke"]),
            op::CREDENTIALS_REVOKE,
            None,
            Some(body),
        )?;
        self.exchange(request, Some(Asked::op(op::CREDENTIALS_REVOKE)), |_, _| Ok(())).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::client;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn leaked_tokens_are_reported_without_any_credential() {
        let mock = MockTransport::new().on(Route::post("/credentials/revoke"), MockResponse::json(202, "{}"));
        let leaked = [PatSecret::new("ghp_leakedCANARY".into()), PatSecret::new("github_pat_11A_leakedCANARY".into())];
        client(&mock).report_leaked(&leaked).await.unwrap();
        let sent = mock.last_request().unwrap();
        assert!(sent.headers().get("authorization").is_none(), "GitHub refuses it authenticated");
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(sent.body()).unwrap(),
            serde_json::json!({"credentials": ["ghp_leakedCANARY", "github_pat_11A_leakedCANARY"]})
        );
    }

    #[tokio::test]
    async fn bad_reports_send_nothing_and_quote_no_token() {
        let mock = MockTransport::new();
        let c = client(&mock);
        assert!(c.report_leaked(&[]).await.is_err());
        let too_many: Vec<PatSecret> = (0..1001).map(|i| PatSecret::new(format!("ghp_{i}"))).collect();
        assert!(c.report_leaked(&too_many).await.is_err());
        let err = c.report_leaked(&[PatSecret::new("ghs_installationCANARY".into())]).await.unwrap_err();
        assert!(!format!("{err} {err:?}").contains("CANARY"), "{err}");
        mock.assert_request_count(0);
    }

    #[tokio::test]
    async fn an_authenticated_or_throttled_report_is_a_typed_error() {
        let mock = MockTransport::new().on_seq(
            Route::post("/credentials/revoke"),
            [
                MockResponse::json(403, r#"{"message":"Must not be authenticated"}"#),
                MockResponse::json(429, r#"{"message":"API rate limit exceeded"}"#).header("retry-after", "3600"),
            ],
        );
        let c = client(&mock);
        let t = [PatSecret::new("ghp_x".into())];
        assert!(matches!(c.report_leaked(&t).await, Err(Error::Forbidden { .. })));
        let limited = c.report_leaked(&t).await.unwrap_err();
        assert_eq!(limited.retry_after(), Some(std::time::Duration::from_secs(3600)));
    }
}
