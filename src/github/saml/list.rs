//! `GET /orgs/{org}/credential-authorizations[?login=]`: the credentials authorized for the
//! organization's SAML single sign-on.

use http::Method;

use crate::error::Result;
use crate::github::classify::{self, Asked};
use crate::github::client::check_login;
use crate::github::operations as op;
use crate::github::{CredentialAuthorization, GitHubClient, pagination};
use crate::model::{ContinuationToken, Page};

impl GitHubClient {
    /// One page (100) of the credentials authorized for the organization's SAML single sign-on,
    /// only those of `login` if given.
    ///
    /// # Errors
    ///
    /// [`Error::Rejected`](crate::Error::Rejected) with
    /// [`ErrorCode::SamlNotEnabled`](crate::github::ErrorCode::SamlNotEnabled) when the
    /// organization has no SAML single sign-on (GitHub answers 404: not GitHub Enterprise Cloud,
    /// no SAML, or not visible to the caller); [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// for a malformed login, before sending.
    pub async fn credential_authorizations(
        &self,
        login: Option<&str>,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<CredentialAuthorization>> {
        let page = pagination::page_of(continuation.as_ref())?;
        let mut url = self.org_url(&["credential-authorizations"]);
        {
            let q = &mut url;
            q.append_pair("per_page", &pagination::MAX_PER_PAGE.to_string()).append_pair("page", &page.to_string());
            if let Some(login) = login {
                check_login("login", login)?;
                q.append_pair("login", login);
            }
        }
        let request = self.authed(Method::GET, url, op::SAML_LIST, None).await?;
        let asked = Asked { saml: true, ..Asked::op(op::SAML_LIST) };
        self.send(request, Some(asked), |response, _| {
            let items: Vec<CredentialAuthorization> = classify::decode(response, op::SAML_LIST)?;
            Ok(Page { items, continuation: pagination::next(response) })
        })
        .await
    }

    /// Every SAML credential authorization (of `login` if given), through the capped pager.
    pub async fn all_credential_authorizations(
        &self,
        login: Option<&str>,
        max_pages: usize,
    ) -> Result<Vec<CredentialAuthorization>> {
        use futures_util::TryStreamExt as _;
        crate::pagination::items(crate::pagination::pages(
            "GitHub SAML authorization list",
            max_pages,
            None,
            |c| async move { self.credential_authorizations(login, c).await },
        ))
        .try_collect()
        .await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::github::ErrorCode;
    use crate::github::grants::tests::{assert_common, client};
    use crate::github::wire::tests::AUTHORIZATIONS;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn authorizations_are_listed_by_login() {
        let mock = MockTransport::new()
            .on(Route::get("/orgs/acme/credential-authorizations"), MockResponse::json(200, AUTHORIZATIONS));
        let page = client(&mock).credential_authorizations(Some("octocat"), None).await.unwrap();
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].credential_id, 161195);
        let sent = mock.last_request().unwrap();
        assert_common(&sent);
        assert_eq!(sent.uri().query(), Some("per_page=100&page=1&login=octocat"));
    }

    #[tokio::test]
    async fn an_org_without_saml_is_a_typed_refusal() {
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/credential-authorizations"),
            MockResponse::json(404, r#"{"message":"Not Found","documentation_url":"…","status":"404"}"#),
        );
        let err = client(&mock).credential_authorizations(None, None).await.unwrap_err();
        match &err {
            crate::Error::Rejected { code, .. } => assert_eq!(ErrorCode::from(code), ErrorCode::SamlNotEnabled),
            other => panic!("{other:?}"),
        }
        assert!(client(&mock).credential_authorizations(Some("a&login=b"), None).await.is_err());
        mock.assert_request_count(1);
    }
}
