//! `GET /orgs/{org}/personal-access-token-requests`: tokens waiting for the organization's
//! approval.

use http::Method;

use crate::error::Result;
use crate::github::classify::{self, Asked};
use crate::github::operations as op;
use crate::github::{GitHubClient, GrantQuery, PatRequest, pagination};
use crate::model::{ContinuationToken, Page};

impl GitHubClient {
    /// One page of the pending requests matching `query` (the same filters as
    /// [`grants`](Self::grants)). GitHub App installation tokens only (permission "Personal
    /// access token requests": read).
    ///
    /// # Errors
    ///
    /// As [`grants`](Self::grants).
    pub async fn requests(
        &self,
        query: &GrantQuery,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<PatRequest>> {
        let mut url = self.org_url(&["personal-access-token-requests"]);
        query.apply(&mut url, pagination::page_of(continuation.as_ref())?)?;
        let request = self.authed(Method::GET, url, op::REQUEST_LIST, None).await?;
        let asked = Asked { app_only: true, ..Asked::op(op::REQUEST_LIST) };
        self.send(request, Some(asked), |response, _| {
            let items: Vec<PatRequest> = classify::decode(response, op::REQUEST_LIST)?;
            Ok(Page { items, continuation: pagination::next(response) })
        })
        .await
    }

    /// Every pending request matching `query`, through the capped pager.
    pub async fn all_requests(&self, query: &GrantQuery, max_pages: usize) -> Result<Vec<PatRequest>> {
        use futures_util::TryStreamExt as _;
        crate::pagination::items(crate::pagination::pages("GitHub request list", max_pages, None, |c| async move {
            self.requests(query, c).await
        }))
        .try_collect()
        .await
    }
}

#[cfg(all(test, feature = "testing"))]
pub(crate) mod tests {
    use super::*;
    use crate::github::grants::tests::{assert_common, client};
    use crate::testing::{MockResponse, MockTransport, Route};

    /// A request object: the grant's fields with `reason` and `created_at` (§4.2).
    pub(crate) const REQUEST: &str = r#"{
      "id": 42, "reason": "I need to deploy", "owner": {"login": "octocat", "id": 1},
      "repository_selection": "subset",
      "repositories_url": "https://api.github.com/organizations/652551/personal-access-token-requests/42/repositories",
      "permissions": {"organization": {}, "repository": {"contents": "write"}, "other": {}},
      "created_at": "2023-05-16T08:47:09.000-07:00", "token_id": 98716, "token_name": "Some Token",
      "token_expired": false, "token_expires_at": "2023-11-16T08:47:09.000-07:00", "token_last_used_at": null
    }"#;

    #[tokio::test]
    async fn pending_requests_are_listed_with_their_reason() {
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/personal-access-token-requests"),
            MockResponse::json(200, format!("[{REQUEST}]")),
        );
        let page = client(&mock).requests(&GrantQuery::new().permission("contents"), None).await.unwrap();
        let request = &page.items[0];
        assert_eq!((request.id, request.token_id), (42, 98716));
        assert_eq!(request.reason.as_deref(), Some("I need to deploy"));
        assert_eq!(request.permissions.as_scopes(), ["repository:contents:write"]);
        let sent = mock.last_request().unwrap();
        assert_common(&sent);
        assert_eq!(sent.uri().query(), Some("per_page=100&page=1&permission=contents"));
    }
}
