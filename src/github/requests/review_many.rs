//! `POST /orgs/{org}/personal-access-token-requests` `{"pat_request_ids":[…],"action",…}`:
//! many requests reviewed in one call (202, completed later).

use http::Method;

use super::Review;
use crate::error::Result;
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::grants::revoke_many_ids;
use crate::github::operations as op;
use crate::github::pending::{Pending, PendingKind};
use crate::model::PatId;

impl GitHubClient {
    /// Approves or denies the requests `requests` (1 to 100 request ids) in one call. GitHub
    /// accepts it (202) and completes it later: [`Pending::wait`] lists the requests until they
    /// are gone.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for no ids, more than 100, a
    /// malformed id or a reason over 1,024 characters, before sending.
    pub async fn review_requests(&self, requests: &[PatId], review: &Review) -> Result<Pending> {
        review.check()?;
        let ids = revoke_many_ids(requests)?;
        let url = self.org_url(&["personal-access-token-requests"]);
        let mut body =
            serde_json::to_value(review).map_err(|e| crate::Error::invalid_input("review", e.to_string()))?;
        body["pat_request_ids"] = serde_json::json!(ids);
        let body = crate::client::request::json(&body)?;
        let http = self.authed(Method::POST, url, op::REQUEST_REVIEW_MANY, Some(body)).await?;
        let asked = Asked { app_only: true, ..Asked::op(op::REQUEST_REVIEW_MANY) };
        self.send(http, Some(asked), |_, _| Ok(())).await?;
        Ok(Pending::new(self.clone(), PendingKind::RequestReview, ids))
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::client;
    use crate::github::requests::list::tests::REQUEST;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test(start_paused = true)]
    async fn many_requests_are_reviewed_in_one_call_then_waited_for() {
        let mock = MockTransport::new()
            .on(Route::post("/orgs/acme/personal-access-token-requests"), MockResponse::status(202))
            .on_seq(
                Route::get("/orgs/acme/personal-access-token-requests"),
                [MockResponse::json(200, format!("[{REQUEST}]")), MockResponse::json(200, "[]")],
            );
        let ids = [PatId::new("42"), PatId::new("73")];
        let pending = client(&mock).review_requests(&ids, &Review::deny().reason("no")).await.unwrap();
        let sent = &mock.requests()[0];
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(sent.body()).unwrap(),
            serde_json::json!({"pat_request_ids": [42, 73], "action": "deny", "reason": "no"})
        );
        pending.wait().await.unwrap();
    }

    #[tokio::test]
    async fn more_than_a_hundred_ids_send_nothing() {
        let mock = MockTransport::new();
        let ids: Vec<PatId> = (1..=101).map(|i| PatId::new(i.to_string())).collect();
        assert!(client(&mock).review_requests(&ids, &Review::approve()).await.is_err());
        mock.assert_request_count(0);
    }
}
