//! An organization's members as the neutral [`UserDirectory`] (offboarding by name): a login
//! is looked up with `GET /orgs/{org}/members/{username}` (204 member, 404 not); the
//! credentials seen are the login's SAML credential authorizations (SSH keys, classic PATs,
//! OAuth and app tokens), which need an organization owner's token. GitHub shows no member's
//! private email to an organization through the REST API, so an email query is
//! [`Error::Unsupported`].

use async_trait::async_trait;
use http::Method;

use crate::admin::UserId;
use crate::directory::{CredentialKind, DirectoryUser, OtherCredential, UserDirectory, check_query};
use crate::error::{Error, Result};
use crate::github::classify::Asked;
use crate::github::client::check_login;
use crate::github::{CredentialAuthorization, ErrorCode, GitHubClient, PROVIDER_NAME, operations as op};
use crate::pagination::DEFAULT_MAX_PAGES;

impl GitHubClient {
    /// Whether `login` is a member (or owner) of the client's organization
    /// (`GET /orgs/{org}/members/{username}`: 204 yes, 404 no). Needs an organization member's
    /// token or an installation with the `members` read permission.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a malformed login, before sending.
    pub async fn is_member(&self, login: &str) -> Result<bool> {
        check_login("login", login)?;
        let url = self.org_url(&["members", login]);
        let request = self.authed(Method::GET, url, op::ORG_MEMBER, None).await?;
        match self.send(request, Some(Asked::op(op::ORG_MEMBER)), |r, _| Ok(r.status().as_u16() == 204)).await {
            Err(Error::Api { status: 404, .. } | Error::NotFound { .. }) => Ok(false),
            other => other,
        }
    }
}

/// The kind of a SAML authorization's credential, from GitHub's free-text `credential_type`.
fn kind(credential_type: &str) -> CredentialKind {
    match credential_type.to_ascii_lowercase().as_str() {
        "ssh key" => CredentialKind::SshKey,
        "personal access token" => CredentialKind::Token,
        "oauth app token" | "github app token" => CredentialKind::OAuthToken,
        other => CredentialKind::Other(other.to_owned()),
    }
}

fn credential(a: CredentialAuthorization) -> OtherCredential {
    let mut c = OtherCredential::new(kind(&a.credential_type), a.credential_id.to_string());
    c.title = a.authorized_credential_title.or(a.authorized_credential_note).filter(|t| !t.is_empty());
    c.fingerprint = a.fingerprint.filter(|f| !f.is_empty());
    c.created = Some(a.credential_authorized_at);
    c.last_used = a.credential_accessed_at;
    c.expires = a.authorized_credential_expires_at;
    c
}

/// `UserId` is the login.
#[async_trait]
impl UserDirectory for GitHubClient {
    fn provider_name(&self) -> &str {
        PROVIDER_NAME
    }

    /// A login that is a member of the organization; nobody for a login that is not (or is not
    /// a valid login). An email address is [`Error::Unsupported`].
    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
        let query = check_query(query)?;
        if query.contains('@') {
            return Err(Error::unsupported(PROVIDER_NAME, "find_users by email"));
        }
        if check_login("login", query).is_err() {
            return Ok(Vec::new());
        }
        Ok(if self.is_member(query).await? { vec![DirectoryUser::new(query).login(query)] } else { Vec::new() })
    }

    /// The login's SAML credential authorizations in the organization (SSH keys with their
    /// fingerprint and title, classic PATs with their note); none when the organization has no
    /// SAML single sign-on.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
        match self.all_credential_authorizations(Some(user.as_str()), DEFAULT_MAX_PAGES).await {
            Ok(found) => {
                Ok(found.into_iter().filter(|a| a.login.eq_ignore_ascii_case(user.as_str())).map(credential).collect())
            }
            Err(Error::Rejected { code, .. }) if ErrorCode::from(&code) == ErrorCode::SamlNotEnabled => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_types_map_to_kinds() {
        assert_eq!(kind("SSH key"), CredentialKind::SshKey);
        assert_eq!(kind("personal access token"), CredentialKind::Token);
        assert_eq!(kind("GitHub app token"), CredentialKind::OAuthToken);
        assert_eq!(kind("deploy key"), CredentialKind::Other("deploy key".into()));
    }
}
