//! `DELETE /orgs/{org}/credential-authorizations/{credential_id}`: one credential's SAML
//! authorization removed (204).

use http::Method;

use crate::error::Result;
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::grants::numeric_id;
use crate::github::operations as op;
use crate::model::PatId;

impl GitHubClient {
    /// Removes the SAML authorization `credential_id` (as listed by
    /// [`credential_authorizations`](Self::credential_authorizations)): the credential can no
    /// longer reach the organization's resources until its owner authorizes it again (which SSO
    /// enforcement may allow). The credential itself is **not** deleted.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown or already removed
    /// authorization (or a malformed id, before sending).
    pub async fn revoke_credential_authorization(&self, credential_id: &PatId) -> Result<()> {
        let id = numeric_id(credential_id)?.to_string();
        let url = self.org_url(&["credential-authorizations", &id]);
        let request = self.authed(Method::DELETE, url, op::SAML_REVOKE, None).await?;
        let asked = Asked { id: Some(credential_id), ..Asked::op(op::SAML_REVOKE) };
        self.send(request, Some(asked), |_, _| Ok(())).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use crate::github::grants::tests::{assert_common, client};
    use crate::model::PatId;
    use crate::testing::{MockResponse, MockTransport, Route};

    #[tokio::test]
    async fn an_authorization_is_deleted_by_credential_id() {
        let mock = MockTransport::new()
            .on(Route::delete("/orgs/acme/credential-authorizations/161195"), MockResponse::status(204))
            .on(
                Route::delete("/orgs/acme/credential-authorizations/5"),
                MockResponse::json(404, r#"{"message":"Not Found"}"#),
            );
        let c = client(&mock);
        c.revoke_credential_authorization(&PatId::new("161195")).await.unwrap();
        assert_common(&mock.requests()[0]);
        assert!(matches!(
            c.revoke_credential_authorization(&PatId::new("5")).await,
            Err(crate::Error::NotFound { id: Some(ref id) }) if id.as_str() == "5"
        ));
    }
}
