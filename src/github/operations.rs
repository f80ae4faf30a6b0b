//! The operations of the GitHub client, as the [`Operation`] tags their requests carry.
//!
//! Reads and revocations of access are idempotent (a second revoke of the same grant changes
//! nothing; GitHub then answers 404), so the retry decorator may re-send them. The installation
//! token exchange is sensitive (its answer holds the token) and never re-sent once it may have
//! reached GitHub; a review of a request is never re-sent either (a second approval of a handled
//! request is refused). The leaked-credential report is sensitive (its body holds the leaked
//! tokens) and never re-sent: GitHub allows about 60 an hour.
//!
//! ```
//! use patkit::github::operations as op;
//! assert!(!op::CREATE_INSTALLATION_TOKEN.is_idempotent() && op::CREATE_INSTALLATION_TOKEN.is_sensitive());
//! assert!(op::GRANT_REVOKE_MANY.is_idempotent());
//! assert_eq!(op::GRANT_LIST.name(), "github_grant_list");
//! ```

use crate::transport::Operation;

/// `POST /app/installations/{id}/access_tokens` (the app's JWT). Its answer holds the token.
pub const CREATE_INSTALLATION_TOKEN: Operation =
    Operation::not_idempotent("github_create_installation_token").sensitive();
/// `GET /orgs/{org}/personal-access-tokens`.
pub const GRANT_LIST: Operation = Operation::idempotent("github_grant_list");
/// `GET /orgs/{org}/personal-access-tokens/{pat_id}/repositories`.
pub const GRANT_REPOSITORIES: Operation = Operation::idempotent("github_grant_repositories");
/// `POST /orgs/{org}/personal-access-tokens/{pat_id}` `{"action":"revoke"}`.
pub const GRANT_REVOKE: Operation = Operation::idempotent("github_grant_revoke");
/// `POST /orgs/{org}/personal-access-tokens` `{"action":"revoke","pat_ids":[…]}` (202).
pub const GRANT_REVOKE_MANY: Operation = Operation::idempotent("github_grant_revoke_many");
/// `GET /orgs/{org}/personal-access-token-requests`.
pub const REQUEST_LIST: Operation = Operation::idempotent("github_request_list");
/// `GET /orgs/{org}/personal-access-token-requests/{id}/repositories`.
pub const REQUEST_REPOSITORIES: Operation = Operation::idempotent("github_request_repositories");
/// `POST /orgs/{org}/personal-access-token-requests/{id}` (approve or deny one).
pub const REQUEST_REVIEW: Operation = Operation::not_idempotent("github_request_review");
/// `POST /orgs/{org}/personal-access-token-requests` (approve or deny many; 202).
pub const REQUEST_REVIEW_MANY: Operation = Operation::not_idempotent("github_request_review_many");
/// `GET /orgs/{org}/credential-authorizations`.
pub const SAML_LIST: Operation = Operation::idempotent("github_saml_list");
/// `DELETE /orgs/{org}/credential-authorizations/{credential_id}`.
pub const SAML_REVOKE: Operation = Operation::idempotent("github_saml_revoke");
/// `POST /orgs/{org}/credential-authorizations/{username}/revoke[-credential-type]` (202).
pub const SAML_REVOKE_USER: Operation = Operation::idempotent("github_saml_revoke_user");
/// `GET /user` with the token being checked.
pub const TOKEN_CHECK: Operation = Operation::idempotent("github_token_check");
/// `POST /credentials/revoke`, unauthenticated; the body holds the leaked tokens.
pub const CREDENTIALS_REVOKE: Operation = Operation::not_idempotent("github_credentials_revoke").sensitive();

/// `GET /orgs/{org}/members/{username}`: whether a login is a member.
pub const ORG_MEMBER: Operation = Operation::idempotent("github_org_member");

/// Every operation above.
pub const ALL: [Operation; 15] = [
    CREATE_INSTALLATION_TOKEN,
    GRANT_LIST,
    GRANT_REPOSITORIES,
    GRANT_REVOKE,
    GRANT_REVOKE_MANY,
    REQUEST_LIST,
    REQUEST_REPOSITORIES,
    REQUEST_REVIEW,
    REQUEST_REVIEW_MANY,
    SAML_LIST,
    SAML_REVOKE,
    SAML_REVOKE_USER,
    TOKEN_CHECK,
    CREDENTIALS_REVOKE,
    ORG_MEMBER,
];
