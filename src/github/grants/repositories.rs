//! `GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories`: what one grant reaches.

use http::Method;

use super::numeric_id;
use crate::error::Result;
use crate::github::classify::{self, Asked};
use crate::github::operations as op;
use crate::github::{GitHubClient, Repository, pagination};
use crate::model::{ContinuationToken, Page, PatId};

impl GitHubClient {
    /// One page (100 repositories) of the repositories the grant `grant` (its **grant** id) can
    /// reach in the organization.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown grant (or an id that is no
    /// positive integer, before sending).
    pub async fn grant_repositories(
        &self,
        grant: &PatId,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<Repository>> {
        let id = numeric_id(grant)?.to_string();
        let page = pagination::page_of(continuation.as_ref())?;
        self.repositories_of(&["personal-access-tokens", &id, "repositories"], grant, page, op::GRANT_REPOSITORIES)
            .await
    }

    /// One page of the repositories below `segments` of the organization.
    pub(crate) async fn repositories_of(
        &self,
        segments: &[&str],
        id: &PatId,
        page: u32,
        operation: crate::transport::Operation,
    ) -> Result<Page<Repository>> {
        let mut url = self.org_url(segments);
        url.append_pair("per_page", &pagination::MAX_PER_PAGE.to_string()).append_pair("page", &page.to_string());
        let request = self.authed(Method::GET, url, operation, None).await?;
        let asked = Asked { id: Some(id), app_only: true, ..Asked::op(operation) };
        self.send(request, Some(asked), |response, _| {
            let items: Vec<Repository> = classify::decode(response, operation)?;
            Ok(Page { items, continuation: pagination::next(response) })
        })
        .await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::github::grants::tests::{assert_common, client};
    use crate::model::PatId;
    use crate::testing::{MockResponse, MockTransport, Route};

    const REPOS: &str = r#"[{"id":1296269,"node_id":"MDEwOlJlcG9zaXRvcnkxMjk2MjY5","name":"Hello-World",
        "full_name":"octocat/Hello-World","private":false,"owner":{"login":"octocat","id":1}}]"#;

    #[tokio::test]
    async fn a_grants_repositories_by_grant_id() {
        let mock = MockTransport::new()
            .on(Route::get("/orgs/acme/personal-access-tokens/25381/repositories"), MockResponse::json(200, REPOS));
        let page = client(&mock).grant_repositories(&PatId::new("25381"), None).await.unwrap();
        assert_eq!(page.items[0].full_name.as_deref(), Some("octocat/Hello-World"));
        assert!(page.continuation.is_none());
        let sent = mock.last_request().unwrap();
        assert_common(&sent);
        assert_eq!(sent.uri().query(), Some("per_page=100&page=1"));
    }

    #[tokio::test]
    async fn an_unknown_grant_is_not_found_and_a_malformed_id_sends_nothing() {
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/personal-access-tokens/7/repositories"),
            MockResponse::json(404, r#"{"message":"Not Found","status":"404"}"#),
        );
        let c = client(&mock);
        assert!(matches!(c.grant_repositories(&PatId::new("7"), None).await, Err(crate::Error::NotFound { .. })));
        assert!(matches!(c.grant_repositories(&PatId::new("../x"), None).await, Err(crate::Error::NotFound { .. })));
        mock.assert_request_count(1);
    }
}
