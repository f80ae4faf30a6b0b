//! `POST /orgs/{org}/credential-authorizations/{username}/revoke[-credential-type]`: every SAML
//! authorization of one user (or those of one credential type), queued by GitHub (202).

use http::Method;

use crate::error::Result;
use crate::github::GitHubClient;
use crate::github::classify::Asked;
use crate::github::client::check_login;
use crate::github::operations as op;

/// A credential type as GitHub's revocation endpoints spell it (snake case, unlike the listing's
/// `credential_type` text).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialType {
    /// `classic_pat`.
    ClassicPat,
    /// `fine_grained_pat`.
    FineGrainedPat,
    /// `ssh_key`.
    SshKey,
    /// `oauth_app_token`.
    OAuthAppToken,
}

impl CredentialType {
    /// GitHub's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClassicPat => "classic_pat",
            Self::FineGrainedPat => "fine_grained_pat",
            Self::SshKey => "ssh_key",
            Self::OAuthAppToken => "oauth_app_token",
        }
    }
}

impl GitHubClient {
    /// Asks GitHub to remove every SAML authorization of `login` in the organization (only
    /// those of `credential_type` if given). GitHub queues it (202, "Credential authorization
    /// revocation has been queued") and completes it later: verify with
    /// [`credential_authorizations`](Self::credential_authorizations)`(Some(login), …)`. The
    /// credentials themselves are not deleted. A newer endpoint than the per-credential
    /// [`revoke_credential_authorization`](Self::revoke_credential_authorization), which
    /// [`GitHubOffboarding`](crate::github::GitHubOffboarding) uses.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) for a malformed login, before
    /// sending; [`ErrorCode::SamlNotEnabled`](crate::github::ErrorCode::SamlNotEnabled) as for
    /// the listing.
    pub async fn revoke_user_credential_authorizations(
        &self,
        login: &str,
        credential_type: Option<CredentialType>,
    ) -> Result<()> {
        check_login("login", login)?;
        let (tail, body) = match credential_type {
            None => ("revoke", None),
            Some(t) => (
                "revoke-credential-type",
                Some(crate::client::request::json(&serde_json::json!({"credential_type": t.as_str()}))?),
            ),
        };
        let url = self.org_url(&["credential-authorizations", login, tail]);
        let request = self.authed(Method::POST, url, op::SAML_REVOKE_USER, body).await?;
        let asked = Asked { saml: true, ..Asked::op(op::SAML_REVOKE_USER) };
        self.send(request, Some(asked), |_, _| Ok(())).await
    }
}

#[cfg(all(test, feature = "testing"))]
mod tests {
    use super::*;
    use crate::github::grants::tests::{assert_common, client};
    use crate::testing::{MockResponse, MockTransport, Route};

    const QUEUED: &str = r#"{"message":"Credential authorization revocation has been queued"}"#;

    #[tokio::test]
    async fn a_users_authorizations_are_queued_for_revocation_all_or_by_type() {
        let mock = MockTransport::new()
            .on(Route::post("/orgs/acme/credential-authorizations/octocat/revoke"), MockResponse::json(202, QUEUED))
            .on(
                Route::post("/orgs/acme/credential-authorizations/octocat/revoke-credential-type"),
                MockResponse::json(202, QUEUED),
            );
        let c = client(&mock);
        c.revoke_user_credential_authorizations("octocat", None).await.unwrap();
        c.revoke_user_credential_authorizations("octocat", Some(CredentialType::ClassicPat)).await.unwrap();
        let sent = mock.requests();
        assert_common(&sent[0]);
        assert!(sent[0].body().is_empty());
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(sent[1].body()).unwrap(),
            serde_json::json!({"credential_type": "classic_pat"})
        );
        assert!(c.revoke_user_credential_authorizations("../admin", None).await.is_err());
        assert_eq!(mock.request_count(), 2);
    }
}
