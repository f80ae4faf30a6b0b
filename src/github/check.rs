//! `GET /user` with a token (§4.4): whether it works, and what its answer's headers say about it.

use chrono::{DateTime, NaiveDateTime, Utc};
use http::Method;
use serde::Deserialize;

use super::classify::Asked;
use super::operations as op;
use super::{GitHubClient, RateLimit, TokenKind};
use crate::auth::AccessCredential;
use crate::error::{Error, Result};
use crate::secret::{BearerToken, PatSecret};

/// What GitHub says about a token (`GET /user` with it).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenCheck {
    /// What it is, by prefix.
    pub kind: TokenKind,
    /// Whether GitHub accepted it (a 401 `Bad credentials`: invalid, expired or revoked).
    pub works: bool,
    /// Whose it is (`None` when it does not work).
    pub login: Option<String>,
    /// A classic token's scopes (`X-OAuth-Scopes`); `None` when GitHub sent no such header
    /// (fine-grained tokens have permissions, not scopes).
    pub scopes: Option<Vec<String>>,
    /// When it expires (`GitHub-Authentication-Token-Expiration`); `None`: it never expires,
    /// or it does not work.
    pub expires_at: Option<DateTime<Utc>>,
    /// The quota the answer reported.
    pub rate_limit: RateLimit,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

/// `repo, read:org` → `["repo", "read:org"]` (an empty header: no scopes).
pub(crate) fn scopes(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// `2021-10-07 19:07:53 UTC` (GitHub's format), or the same with a numeric offset.
pub(crate) fn expiration(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Some(naive) = value.strip_suffix(" UTC") {
        return NaiveDateTime::parse_from_str(naive, "%Y-%m-%d %H:%M:%S").ok().map(|n| n.and_utc());
    }
    DateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S %z").ok().map(|d| d.with_timezone(&Utc))
}

impl GitHubClient {
    /// Checks `token` with `GET /user` (the client's own credential is not used).
    ///
    /// # Errors
    ///
    /// A 401 is no error (`works: false`); any other refusal is (e.g.
    /// [`Error::RateLimited`]), as is a transport failure.
    pub async fn check_token(&self, token: &PatSecret) -> Result<TokenCheck> {
        let kind = TokenKind::of(token);
        let credential = AccessCredential::Bearer(BearerToken::new(token.expose_secret().to_owned()));
        let request = self.build(Method::GET, self.api_url(&["user"]), op::TOKEN_CHECK, Some(&credential), None)?;
        let answer = self
            .exchange(request, Some(Asked::op(op::TOKEN_CHECK)), |response, _| {
                let headers = response.headers();
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                let user: User = super::classify::decode(response, op::TOKEN_CHECK)?;
                Ok(TokenCheck {
                    kind,
                    works: true,
                    login: Some(user.login),
                    scopes: header("x-oauth-scopes").map(scopes),
                    expires_at: header("github-authentication-token-expiration").and_then(expiration),
                    rate_limit: RateLimit::from_headers(headers),
                })
            })
            .await;
        match answer {
            Err(Error::AuthRequired { .. }) => Ok(TokenCheck {
                kind,
                works: false,
                login: None,
                scopes: None,
                expires_at: None,
                rate_limit: RateLimit::default(),
            }),
            other => other,
        }
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::client;
    use crate::testing::{MockResponse, MockTransport, Route};

    const CHECKED: &str = "ghp_checkedCANARY0000000000000000000000";

    #[tokio::test]
    async fn a_classic_tokens_scopes_and_expiry_come_from_the_headers() {
        let mock = MockTransport::new().on(
            Route::get("/user"),
            MockResponse::json(200, r#"{"login":"octocat","id":1}"#)
                .header("x-oauth-scopes", "repo, read:org")
                .header("x-accepted-oauth-scopes", "")
                .header("github-authentication-token-expiration", "2021-10-07 19:07:53 UTC")
                .header("x-ratelimit-remaining", "4999"),
        );
        let check = client(&mock).check_token(&PatSecret::new(CHECKED.into())).await.unwrap();
        assert_eq!(check.kind, TokenKind::Classic);
        assert!(check.works);
        assert_eq!(check.login.as_deref(), Some("octocat"));
        assert_eq!(check.scopes.as_deref(), Some(&["repo".to_owned(), "read:org".to_owned()][..]));
        assert_eq!(check.expires_at, Some("2021-10-07T19:07:53Z".parse().unwrap()));
        assert_eq!(check.rate_limit.remaining, Some(4999));
        let sent = mock.last_request().unwrap();
        assert_eq!(
            sent.headers()["authorization"],
            format!("Bearer {CHECKED}").as_str(),
            "the checked token, not the client's"
        );
        assert!(!format!("{check:?}").contains(CHECKED));
    }

    #[tokio::test]
    async fn a_fine_grained_token_has_no_scopes_and_a_bad_one_does_not_work() {
        let mock = MockTransport::new().on_seq(
            Route::get("/user"),
            [
                MockResponse::json(200, r#"{"login":"octocat"}"#),
                MockResponse::json(401, r#"{"message":"Bad credentials","documentation_url":"…","status":"401"}"#),
            ],
        );
        let c = client(&mock);
        let fine = c.check_token(&PatSecret::new("github_pat_11AAAA_bbbb".into())).await.unwrap();
        assert_eq!((fine.kind, fine.works, fine.scopes, fine.expires_at), (TokenKind::FineGrained, true, None, None));
        let bad = c.check_token(&PatSecret::new("ghp_revoked".into())).await.unwrap();
        assert!(!bad.works && bad.login.is_none());
    }

    #[test]
    fn the_expiration_header_format() {
        assert_eq!(expiration("2021-10-07 19:07:53 UTC"), Some("2021-10-07T19:07:53Z".parse().unwrap()));
        assert_eq!(expiration("2021-10-07 12:07:53 -0700"), Some("2021-10-07T19:07:53Z".parse().unwrap()));
        assert_eq!(expiration("soon"), None);
        assert_eq!(scopes(""), Vec::<String>::new());
    }
}
