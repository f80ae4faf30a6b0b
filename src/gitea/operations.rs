//! The operations of the Gitea / Forgejo token API, as the [`Operation`] tags their requests
//! carry.
//!
//! A create is not idempotent and sensitive (its answer holds the new secret): the retry
//! decorator never re-sends it once it may have reached the server, and the core wipes its
//! answer after parsing. A delete is idempotent: a repeated delete of the same token answers 404.
//!
//! ```
//! use patkit::gitea::operations as op;
//! assert!(!op::TOKEN_CREATE.is_idempotent() && op::TOKEN_CREATE.is_sensitive());
//! assert!(op::TOKEN_DELETE.is_idempotent());
//! assert_eq!(op::TOKEN_CREATE.name(), "gitea_token_create");
//! ```

use crate::transport::Operation;

/// `GET /users/{username}/tokens?page=&limit=` (password login).
pub const TOKEN_LIST: Operation = Operation::idempotent("gitea_token_list");
/// `POST /users/{username}/tokens` (password login). Never re-sent; the answer holds the secret.
pub const TOKEN_CREATE: Operation = Operation::not_idempotent("gitea_token_create").sensitive();
/// `DELETE /users/{username}/tokens/{id or name}` (password login).
pub const TOKEN_DELETE: Operation = Operation::idempotent("gitea_token_delete");
/// `GET /user` with the token itself (`Authorization: token …`): whether a token works.
pub const TOKEN_CHECK: Operation = Operation::idempotent("gitea_token_check");
/// `GET /users/search?q=` (password login).
pub const USER_SEARCH: Operation = Operation::idempotent("gitea_user_search");
/// `GET /admin/users` (password login of a site administrator).
pub const ADMIN_USERS: Operation = Operation::idempotent("gitea_admin_users");
/// `GET /users/{username}/keys` (password login).
pub const USER_KEYS: Operation = Operation::idempotent("gitea_user_keys");
/// `GET /users/{username}/gpg_keys` (password login).
pub const USER_GPG_KEYS: Operation = Operation::idempotent("gitea_user_gpg_keys");

/// Every operation above.
pub const ALL: [Operation; 8] =
    [TOKEN_LIST, TOKEN_CREATE, TOKEN_DELETE, TOKEN_CHECK, USER_SEARCH, ADMIN_USERS, USER_KEYS, USER_GPG_KEYS];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_prefixed_and_only_the_create_is_sensitive_and_unrepeatable() {
        let mut names: Vec<_> = ALL.iter().map(|op| op.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for op in ALL {
            assert!(op.name().starts_with("gitea_"), "{op:?}");
            let mints = op == TOKEN_CREATE;
            assert_eq!(op.is_sensitive(), mints, "{op:?}");
            assert_eq!(!op.is_idempotent(), mints, "{op:?}");
        }
    }
}
