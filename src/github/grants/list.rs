//! `GET /orgs/{org}/personal-access-tokens`: the fine-grained tokens with access to the
//! organization.

use http::Method;

use super::GrantQuery;
use crate::error::Result;
use crate::github::classify::{self, Asked};
use crate::github::operations as op;
use crate::github::{GitHubClient, Grant, pagination};
use crate::model::{ContinuationToken, Page};

impl GitHubClient {
    /// One page of the grants matching `query`, from `continuation` (the next page's number, as
    /// the previous page's `Link` header named it; `None`: the first page). GitHub App
    /// installation tokens only (permission "Personal access tokens": read).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a query GitHub would refuse
    /// (more than 10 owners, 50 token ids, 100 a page) or a foreign continuation, before
    /// sending; [`Error::Forbidden`](crate::Error::Forbidden) with
    /// [`ErrorCode::AppRequired`](crate::github::ErrorCode::AppRequired) for a personal token.
    pub async fn grants(&self, query: &GrantQuery, continuation: Option<ContinuationToken>) -> Result<Page<Grant>> {
        let mut url = self.org_url(&["personal-access-tokens"]);
        query.apply(&mut url, pagination::page_of(continuation.as_ref())?)?;
        let request = self.authed(Method::GET, url, op::GRANT_LIST, None).await?;
        let asked = Asked { app_only: true, ..Asked::op(op::GRANT_LIST) };
        self.send(request, Some(asked), |response, _| {
            let items: Vec<Grant> = classify::decode(response, op::GRANT_LIST)?;
            Ok(Page { items, continuation: pagination::next(response) })
        })
        .await
    }

    /// Every grant matching `query`, following `Link` through the crate's capped pager (at most
    /// `max_pages` pages: [`Error::ListingCut`](crate::Error::ListingCut) beyond).
    pub async fn all_grants(&self, query: &GrantQuery, max_pages: usize) -> Result<Vec<Grant>> {
        use futures_util::TryStreamExt as _;
        crate::pagination::items(crate::pagination::pages("GitHub grant list", max_pages, None, |c| async move {
            self.grants(query, c).await
        }))
        .try_collect()
        .await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::{assert_common, client};
    use crate::github::wire::tests::GRANT;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn a_page_of_grants_and_the_next_page_from_link() {
        let link = r#"<https://api.github.com/orgs/acme/personal-access-tokens?per_page=100&page=2>; rel="next""#;
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/personal-access-tokens"),
            MockResponse::json(200, format!("[{GRANT}]")).header("link", link),
        );
        let page = client(&mock).grants(&GrantQuery::new().owner("octocat"), None).await.unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!((page.items[0].id, page.items[0].token_id), (25381, 98716));
        assert_eq!(page.continuation.as_ref().map(ContinuationToken::as_str), Some("2"));
        let sent = mock.last_request().unwrap();
        assert_common(&sent);
        assert_eq!(sent.method(), Method::GET);
        assert_eq!(sent.uri().query(), Some("per_page=100&page=1&owner%5B%5D=octocat"));
    }

    #[tokio::test]
    async fn all_grants_follows_link_until_the_last_page() {
        let next =
            |p: u32| format!(r#"<https://api.github.com/orgs/acme/personal-access-tokens?page={p}>; rel="next""#);
        let mock = MockTransport::new()
            .on(
                Route::get("/orgs/acme/personal-access-tokens").query_has("page", "1"),
                MockResponse::json(200, format!("[{GRANT}]")).header("link", &next(2)),
            )
            .on(
                Route::get("/orgs/acme/personal-access-tokens").query_has("page", "2"),
                MockResponse::json(200, format!("[{GRANT}]")),
            );
        let all = client(&mock).all_grants(&GrantQuery::new(), 10).await.unwrap();
        assert_eq!(all.len(), 2);
        mock.assert_request_count(2);
    }

    #[tokio::test]
    async fn a_personal_token_is_told_an_app_is_required() {
        let body =
            r#"{"message":"Resource not accessible by personal access token","documentation_url":"…","status":"403"}"#;
        let mock =
            MockTransport::new().on(Route::get("/orgs/acme/personal-access-tokens"), MockResponse::json(403, body));
        let err = client(&mock).grants(&GrantQuery::new(), None).await.unwrap_err();
        match &err {
            crate::Error::Forbidden { code: Some(code), .. } => {
                assert_eq!(crate::github::ErrorCode::from(code), crate::github::ErrorCode::AppRequired)
            }
            other => panic!("{other:?}"),
        }
    }
}
