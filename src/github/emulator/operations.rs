//! The operation names the emulator gives each request, for fault rules
//! ([`FaultRule::new`](super::FaultRule::new)) and
//! [`Emulator::requests_seen`](super::Emulator::requests_seen). The emulator names each request
//! from its method and path alone (never from a client's tag), so a client's tag matches a rule
//! only when it is spelled the same. Every name starts with `github_`.

use crate::transport::Operation;

/// `POST /app/installations/{installation_id}/access_tokens`: an installation token (its answer
/// carries the token).
pub const INSTALLATION_TOKEN: Operation = Operation::not_idempotent("github_installation_token").sensitive();
/// `GET /orgs/{org}/installation` (App JWT): the App's installation on an org, to find the id
/// the token exchange needs.
pub const ORG_INSTALLATION: Operation = Operation::idempotent("github_org_installation");
/// `GET /orgs/{org}/personal-access-tokens` (operationId `orgs/list-pat-grants`).
pub const GRANT_LIST: Operation = Operation::idempotent("github_pat_grant_list");
/// `POST /orgs/{org}/personal-access-tokens` (`orgs/update-pat-accesses`): bulk revoke, 202.
pub const GRANT_REVOKE_BULK: Operation = Operation::idempotent("github_pat_grant_revoke_bulk");
/// `POST /orgs/{org}/personal-access-tokens/{pat_id}` (`orgs/update-pat-access`): revoke one.
pub const GRANT_REVOKE: Operation = Operation::idempotent("github_pat_grant_revoke");
/// `GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories`.
pub const GRANT_REPOSITORIES: Operation = Operation::idempotent("github_pat_grant_repositories");
/// `GET /orgs/{org}/personal-access-token-requests`.
pub const REQUEST_LIST: Operation = Operation::idempotent("github_pat_request_list");
/// `POST /orgs/{org}/personal-access-token-requests`: approve or deny in bulk, 202.
pub const REQUEST_REVIEW_BULK: Operation = Operation::not_idempotent("github_pat_request_review_bulk");
/// `POST /orgs/{org}/personal-access-token-requests/{pat_request_id}`: approve or deny one.
pub const REQUEST_REVIEW: Operation = Operation::not_idempotent("github_pat_request_review");
/// `GET /orgs/{org}/personal-access-token-requests/{pat_request_id}/repositories`.
pub const REQUEST_REPOSITORIES: Operation = Operation::idempotent("github_pat_request_repositories");
/// `GET /orgs/{org}/credential-authorizations` (GHEC).
pub const SAML_LIST: Operation = Operation::idempotent("github_saml_authorization_list");
/// `DELETE /orgs/{org}/credential-authorizations/{credential_id}` (GHEC).
pub const SAML_DELETE: Operation = Operation::idempotent("github_saml_authorization_delete");
/// The async SAML revocations, 202: `POST …/credential-authorizations/revoke-all`,
/// `…/revoke-credential-type`, `…/{username}/revoke`, `…/{username}/revoke-credential-type`.
pub const SAML_REVOKE_BULK: Operation = Operation::idempotent("github_saml_authorization_revoke_bulk");
/// `GET /orgs/{org}`: an org resource (where SAML enforcement shows).
pub const ORG: Operation = Operation::idempotent("github_org");
/// `GET /user`: the token's owner, with `X-OAuth-Scopes` and the expiry header (§4.4).
pub const CURRENT_USER: Operation = Operation::idempotent("github_user");
/// `GET /rate_limit`: the caller's limits; costs no quota (§4.4).
pub const RATE_LIMIT: Operation = Operation::idempotent("github_rate_limit");
/// `POST /credentials/revoke`: unauthenticated revocation of leaked tokens by value (§4.4); its
/// body carries secrets.
pub const CREDENTIALS_REVOKE: Operation = Operation::idempotent("github_credentials_revoke").sensitive();

/// `GET /orgs/{org}/members/{username}`.
pub const ORG_MEMBER: Operation = Operation::idempotent("github_org_member");

/// Every operation the emulator tells apart.
pub const ALL: [Operation; 18] = [
    INSTALLATION_TOKEN,
    ORG_INSTALLATION,
    GRANT_LIST,
    GRANT_REVOKE_BULK,
    GRANT_REVOKE,
    GRANT_REPOSITORIES,
    REQUEST_LIST,
    REQUEST_REVIEW_BULK,
    REQUEST_REVIEW,
    REQUEST_REPOSITORIES,
    SAML_LIST,
    SAML_DELETE,
    SAML_REVOKE_BULK,
    ORG,
    ORG_MEMBER,
    CURRENT_USER,
    RATE_LIMIT,
    CREDENTIALS_REVOKE,
];

#[cfg(test)]
mod tests {
    /// Each name is unique and carries the provider's prefix, so a rule for one operation never
    /// fires on another provider's or another operation's request.
    #[test]
    fn names_are_unique_and_prefixed() {
        let mut names: Vec<&str> = super::ALL.iter().map(|o| o.name()).collect();
        assert!(names.iter().all(|n| n.starts_with("github_")), "{names:?}");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), super::ALL.len());
        assert!(super::INSTALLATION_TOKEN.is_sensitive() && !super::INSTALLATION_TOKEN.is_idempotent());
        assert!(super::CREDENTIALS_REVOKE.is_sensitive());
    }
}
