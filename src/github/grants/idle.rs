//! Unused grants: an audit the neutral [`Scan`](crate::lifecycle::Scan) cannot make (it knows
//! expiry and age, not last use).

use std::time::Duration;

use super::GrantQuery;
use crate::error::Result;
use crate::github::{GitHubClient, Grant};

impl GitHubClient {
    /// The grants matching `query` whose token has gone unused for at least `min_idle`
    /// ([`Grant::idle_for`]: since its last use, or since access was granted when GitHub
    /// records none), longest idle first. Every page is listed (at most `max_pages`) and the
    /// idle time judged by the client's clock: GitHub's `last_used_before` filter says nothing
    /// about tokens never used, which an audit must not miss.
    ///
    /// # Errors
    ///
    /// The listing's errors.
    pub async fn idle_grants(&self, query: &GrantQuery, min_idle: Duration, max_pages: usize) -> Result<Vec<Grant>> {
        let now = self.now();
        let mut idle: Vec<Grant> =
            self.all_grants(query, max_pages).await?.into_iter().filter(|g| g.idle_for(now) >= min_idle).collect();
        idle.sort_by_key(|g| std::cmp::Reverse(g.idle_for(now)));
        Ok(idle)
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::client;
    use crate::testing::{MockResponse, MockTransport, Route};

    fn grant(id: u64, granted: &str, last_used: &str) -> String {
        format!(
            r#"{{"id":{id},"owner":{{"login":"octocat"}},"repository_selection":"all","access_granted_at":"{granted}",
            "token_id":{},"token_name":"t{id}","token_expired":false,"token_expires_at":null,"token_last_used_at":{last_used}}}"#,
            id + 1000
        )
    }

    #[tokio::test]
    async fn unused_grants_count_from_last_use_or_else_from_the_grant() {
        // The client's clock: 2026-03-01T12:00:00Z.
        let grants = [
            grant(1, "2025-01-01T00:00:00Z", r#""2026-02-27T00:00:00Z""#), // used 2.5 days ago
            grant(2, "2025-01-01T00:00:00Z", r#""2025-11-01T00:00:00Z""#), // unused for 120 days
            grant(3, "2025-06-01T00:00:00Z", "null"),                      // never used, granted 273 days ago
            grant(4, "2026-02-25T00:00:00Z", "null"),                      // never used, granted 4.5 days ago
        ];
        let mock = MockTransport::new().on(
            Route::get("/orgs/acme/personal-access-tokens"),
            MockResponse::json(200, format!("[{}]", grants.join(","))),
        );
        let idle = client(&mock).idle_grants(&GrantQuery::new(), Duration::from_secs(90 * 86_400), 10).await.unwrap();
        assert_eq!(idle.iter().map(|g| g.id).collect::<Vec<_>>(), [3, 2], "longest idle first; the never-used one too");
    }
}
