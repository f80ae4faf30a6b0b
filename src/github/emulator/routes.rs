//! Which endpoint a request is for, from its method and path alone (§4.2–§4.4).

use super::operations as op;
use super::wire::Incoming;
use crate::transport::Operation;

/// An endpoint. Ids stay text here: a non-numeric id is a 404, decided by the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    InstallationToken(String),
    OrgInstallation(String),
    GrantList(String),
    GrantRevokeBulk(String),
    GrantRevoke(String, String),
    GrantRepositories(String, String),
    RequestList(String),
    RequestReviewBulk(String),
    RequestReview(String, String),
    RequestRepositories(String, String),
    SamlList(String),
    SamlDelete(String, String),
    /// `(org, login if per user, by type)`.
    SamlRevokeBulk(String, Option<String>, bool),
    Org(String),
    Member(String, String),
    CurrentUser,
    RateLimit,
    CredentialsRevoke,
}

impl Route {
    /// The endpoint `request` is for; `None`: no route (404).
    pub(crate) fn classify(request: &Incoming) -> Option<Self> {
        let s: Vec<&str> = request.segments.iter().map(String::as_str).collect();
        let o = |x: &str| x.to_owned();
        Some(match (request.method.as_str(), s.as_slice()) {
            ("POST", ["app", "installations", id, "access_tokens"]) => Self::InstallationToken(o(id)),
            ("GET", ["orgs", org, "installation"]) => Self::OrgInstallation(o(org)),
            ("GET", ["orgs", org, "personal-access-tokens"]) => Self::GrantList(o(org)),
            ("POST", ["orgs", org, "personal-access-tokens"]) => Self::GrantRevokeBulk(o(org)),
            ("POST", ["orgs", org, "personal-access-tokens", id]) => Self::GrantRevoke(o(org), o(id)),
            ("GET", ["orgs", org, "personal-access-tokens", id, "repositories"]) => {
                Self::GrantRepositories(o(org), o(id))
            }
            ("GET", ["orgs", org, "personal-access-token-requests"]) => Self::RequestList(o(org)),
            ("POST", ["orgs", org, "personal-access-token-requests"]) => Self::RequestReviewBulk(o(org)),
            ("POST", ["orgs", org, "personal-access-token-requests", id]) => Self::RequestReview(o(org), o(id)),
            ("GET", ["orgs", org, "personal-access-token-requests", id, "repositories"]) => {
                Self::RequestRepositories(o(org), o(id))
            }
            ("GET", ["orgs", org, "credential-authorizations"]) => Self::SamlList(o(org)),
            ("POST", ["orgs", org, "credential-authorizations", "revoke-all"]) => {
                Self::SamlRevokeBulk(o(org), None, false)
            }
            ("POST", ["orgs", org, "credential-authorizations", "revoke-credential-type"]) => {
                Self::SamlRevokeBulk(o(org), None, true)
            }
            ("POST", ["orgs", org, "credential-authorizations", user, "revoke"]) => {
                Self::SamlRevokeBulk(o(org), Some(o(user)), false)
            }
            ("POST", ["orgs", org, "credential-authorizations", user, "revoke-credential-type"]) => {
                Self::SamlRevokeBulk(o(org), Some(o(user)), true)
            }
            ("DELETE", ["orgs", org, "credential-authorizations", id]) => Self::SamlDelete(o(org), o(id)),
            ("GET", ["orgs", org]) => Self::Org(o(org)),
            ("GET", ["orgs", org, "members", user]) => Self::Member(o(org), o(user)),
            ("GET", ["user"]) => Self::CurrentUser,
            ("GET", ["rate_limit"]) => Self::RateLimit,
            ("POST", ["credentials", "revoke"]) => Self::CredentialsRevoke,
            _ => return None,
        })
    }

    /// The operation the request is an instance of.
    pub(crate) fn operation(&self) -> Operation {
        match self {
            Self::InstallationToken(_) => op::INSTALLATION_TOKEN,
            Self::OrgInstallation(_) => op::ORG_INSTALLATION,
            Self::GrantList(_) => op::GRANT_LIST,
            Self::GrantRevokeBulk(_) => op::GRANT_REVOKE_BULK,
            Self::GrantRevoke(..) => op::GRANT_REVOKE,
            Self::GrantRepositories(..) => op::GRANT_REPOSITORIES,
            Self::RequestList(_) => op::REQUEST_LIST,
            Self::RequestReviewBulk(_) => op::REQUEST_REVIEW_BULK,
            Self::RequestReview(..) => op::REQUEST_REVIEW,
            Self::RequestRepositories(..) => op::REQUEST_REPOSITORIES,
            Self::SamlList(_) => op::SAML_LIST,
            Self::SamlDelete(..) => op::SAML_DELETE,
            Self::SamlRevokeBulk(..) => op::SAML_REVOKE_BULK,
            Self::Org(_) => op::ORG,
            Self::Member(..) => op::ORG_MEMBER,
            Self::CurrentUser => op::CURRENT_USER,
            Self::RateLimit => op::RATE_LIMIT,
            Self::CredentialsRevoke => op::CREDENTIALS_REVOKE,
        }
    }
}
