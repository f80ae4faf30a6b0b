//! The operations of the GitLab token APIs, as the [`Operation`] tags their requests carry.
//!
//! Creates and rotates are not idempotent and sensitive (their answer holds a new secret): the
//! retry decorator never re-sends them once they may have reached the server. That matters most
//! for rotate: GitLab revokes a whole token family when an already rotated token is rotated again.
//!
//! ```
//! use patkit::gitlab::operations as op;
//! assert!(!op::PAT_ROTATE.is_idempotent() && op::PAT_ROTATE.is_sensitive());
//! assert!(op::PAT_REVOKE.is_idempotent());
//! assert_eq!(op::PAT_ROTATE.name(), "gitlab_pat_rotate");
//! ```

use crate::transport::Operation;

/// `GET /personal_access_tokens` (also an admin's listing by `user_id`).
pub const PAT_LIST: Operation = Operation::idempotent("gitlab_pat_list");
/// `GET /personal_access_tokens/:id`.
pub const PAT_GET: Operation = Operation::idempotent("gitlab_pat_get");
/// `GET /personal_access_tokens/self`: the calling token (also how a secret is checked, and how
/// a 401 on an id is told apart from a bad credential).
pub const PAT_GET_SELF: Operation = Operation::idempotent("gitlab_pat_get_self");
/// `GET /personal_access_tokens/self/associations`.
pub const PAT_ASSOCIATIONS: Operation = Operation::idempotent("gitlab_pat_associations");
/// `POST /personal_access_tokens/:id/rotate`. Never re-sent; the answer holds the new secret.
pub const PAT_ROTATE: Operation = Operation::not_idempotent("gitlab_pat_rotate").sensitive();
/// `POST /personal_access_tokens/self/rotate`. Never re-sent; the answer holds the new secret.
pub const PAT_ROTATE_SELF: Operation = Operation::not_idempotent("gitlab_pat_rotate_self").sensitive();
/// `DELETE /personal_access_tokens/:id`.
pub const PAT_REVOKE: Operation = Operation::idempotent("gitlab_pat_revoke");
/// `DELETE /personal_access_tokens/self`.
pub const PAT_REVOKE_SELF: Operation = Operation::idempotent("gitlab_pat_revoke_self");
/// `POST /users/:user_id/personal_access_tokens` (instance admins). Never re-sent.
pub const PAT_CREATE_FOR_USER: Operation = Operation::not_idempotent("gitlab_pat_create_for_user").sensitive();
/// `POST /user/personal_access_tokens` (`k8s_proxy`/`self_rotate` scopes only). Never re-sent.
pub const PAT_CREATE_OWN: Operation = Operation::not_idempotent("gitlab_pat_create_own").sensitive();
/// `GET /user`: who the credential belongs to (the probe for a non-PAT credential).
pub const USER: Operation = Operation::idempotent("gitlab_user");
/// `GET /projects|groups/:id/access_tokens`.
pub const RESOURCE_TOKEN_LIST: Operation = Operation::idempotent("gitlab_resource_token_list");
/// `GET /projects|groups/:id/access_tokens/:token_id`.
pub const RESOURCE_TOKEN_GET: Operation = Operation::idempotent("gitlab_resource_token_get");
/// `POST /projects|groups/:id/access_tokens`. Never re-sent.
pub const RESOURCE_TOKEN_CREATE: Operation = Operation::not_idempotent("gitlab_resource_token_create").sensitive();
/// `POST /projects|groups/:id/access_tokens/:token_id/rotate`. Never re-sent.
pub const RESOURCE_TOKEN_ROTATE: Operation = Operation::not_idempotent("gitlab_resource_token_rotate").sensitive();
/// `DELETE /projects|groups/:id/access_tokens/:token_id`.
pub const RESOURCE_TOKEN_REVOKE: Operation = Operation::idempotent("gitlab_resource_token_revoke");
/// `GET /users` (by username, or a search).
pub const USERS: Operation = Operation::idempotent("gitlab_users");
/// `GET /users/:id/keys`.
pub const USER_KEYS: Operation = Operation::idempotent("gitlab_user_keys");
/// `GET /users/:id/gpg_keys`.
pub const USER_GPG_KEYS: Operation = Operation::idempotent("gitlab_user_gpg_keys");

/// Every operation above.
pub const ALL: [Operation; 19] = [
    PAT_LIST,
    PAT_GET,
    PAT_GET_SELF,
    PAT_ASSOCIATIONS,
    PAT_ROTATE,
    PAT_ROTATE_SELF,
    PAT_REVOKE,
    PAT_REVOKE_SELF,
    PAT_CREATE_FOR_USER,
    PAT_CREATE_OWN,
    USER,
    RESOURCE_TOKEN_LIST,
    RESOURCE_TOKEN_GET,
    RESOURCE_TOKEN_CREATE,
    RESOURCE_TOKEN_ROTATE,
    RESOURCE_TOKEN_REVOKE,
    USERS,
    USER_KEYS,
    USER_GPG_KEYS,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_only_minting_calls_are_sensitive_and_unrepeatable() {
        let mut names: Vec<_> = ALL.iter().map(|op| op.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for op in ALL {
            let mints = op.name().contains("create") || op.name().contains("rotate");
            assert_eq!(op.is_sensitive(), mints, "{op:?}");
            assert_eq!(!op.is_idempotent(), mints, "{op:?}");
        }
    }
}
