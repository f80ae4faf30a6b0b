//! `GET /orgs/{org}/personal-access-token-requests/{id}/repositories`: what a request asks for.

use crate::error::Result;
use crate::github::grants::numeric_id;
use crate::github::operations as op;
use crate::github::{GitHubClient, Repository, pagination};
use crate::model::{ContinuationToken, Page, PatId};

impl GitHubClient {
    /// One page of the repositories the request `request` (its request id) asks access to.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown request (or a malformed id,
    /// before sending).
    pub async fn request_repositories(
        &self,
        request: &PatId,
        continuation: Option<ContinuationToken>,
    ) -> Result<Page<Repository>> {
        let id = numeric_id(request)?.to_string();
        let page = pagination::page_of(continuation.as_ref())?;
        self.repositories_of(
            &["personal-access-token-requests", &id, "repositories"],
            request,
            page,
            op::REQUEST_REPOSITORIES,
        )
        .await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::github::grants::tests::client;
    use crate::model::PatId;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn a_requests_repositories_by_request_id() {
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/personal-access-token-requests/42/repositories"),
            MockResponse::json(200, r#"[{"id":1296269,"name":"Hello-World","full_name":"octocat/Hello-World"}]"#),
        );
        let page = client(&mock).request_repositories(&PatId::new("42"), None).await.unwrap();
        assert_eq!(page.items[0].name, "Hello-World");
    }
}
