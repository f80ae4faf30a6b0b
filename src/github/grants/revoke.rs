//! `POST /orgs/{org}/personal-access-tokens/{pat_id}` `{"action":"revoke"}`: one grant's access
//! to the organization, revoked at once (204).

use http::Method;

use super::numeric_id;
use crate::error::Result;
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::operations as op;
use crate::model::PatId;

impl GitHubClient {
    /// Revokes the grant `grant` (its **grant** id): the token loses its access to the
    /// organization at once. The token itself stays valid for everything else its owner can
    /// reach; GitHub has no call that revokes it.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown or already revoked grant (or an
    /// id that is no positive integer, before sending).
    pub async fn revoke_grant(&self, grant: &PatId) -> Result<()> {
        let id = numeric_id(grant)?.to_string();
        let url = self.org_url(&["personal-access-tokens", &id]);
        let body = crate::client::request::json(&serde_json::json!({"action": "revoke"}))?;
        let request = self.authed(Method::POST, url, op::GRANT_REVOKE, Some(body)).await?;
        let asked = Asked { id: Some(grant), app_only: true, ..Asked::op(op::GRANT_REVOKE) };
        self.send(request, Some(asked), |_, _| Ok(())).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::github::grants::tests::{assert_common, client};
    use crate::model::PatId;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn revoking_one_grant_posts_the_action_to_its_grant_id() {
        let mock =
            MockTransport::new().on(Route::post("/orgs/acme/personal-access-tokens/25381"), MockResponse::status(204));
        client(&mock).revoke_grant(&PatId::new("25381")).await.unwrap();
        let sent = mock.last_request().unwrap();
        assert_common(&sent);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(sent.body()).unwrap(),
            serde_json::json!({"action":"revoke"})
        );
        assert_eq!(sent.headers()["content-type"], "application/json");
    }

    #[tokio::test]
    async fn a_grant_already_gone_is_not_found() {
        let mock = MockTransport::new().on(
            Route::post("/orgs/acme/personal-access-tokens/25381"),
            MockResponse::json(404, r#"{"message":"Not Found","status":"404"}"#),
        );
        let err = client(&mock).revoke_grant(&PatId::new("25381")).await.unwrap_err();
        assert!(matches!(err, crate::Error::NotFound { id: Some(ref id) } if id.as_str() == "25381"), "{err:?}");
    }
}
