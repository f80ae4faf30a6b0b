//! The operations of Bitbucket Data Center's HTTP access-token API, as the [`Operation`] tags
//! their requests carry (and the names the emulator's fault rules and request log match).
//!
//! A create is not idempotent and sensitive (its answer holds the new secret): the retry
//! decorator never re-sends it once it may have reached the server. Delete is idempotent: a
//! repeat of a delete that went through answers 404, which the client reports as
//! [`Error::NotFound`](crate::Error::NotFound).
//!
//! ```
//! use patkit::bitbucket::operations as op;
//! assert!(!op::TOKEN_CREATE.is_idempotent() && op::TOKEN_CREATE.is_sensitive());
//! assert!(op::TOKEN_DELETE.is_idempotent());
//! assert_eq!(op::TOKEN_CREATE.name(), "bitbucket_token_create");
//! ```

use crate::transport::Operation;

/// `GET /rest/access-tokens/1.0/{users/{slug} | projects/{key}[/repos/{slug}]}` (a page of tokens).
pub const TOKEN_LIST: Operation = Operation::idempotent("bitbucket_token_list");
/// `GET …/{owner}/{tokenId}`.
pub const TOKEN_GET: Operation = Operation::idempotent("bitbucket_token_get");
/// `PUT …/{owner}`. Never re-sent; the answer holds the secret.
pub const TOKEN_CREATE: Operation = Operation::not_idempotent("bitbucket_token_create").sensitive();
/// `POST …/{owner}/{tokenId}` (name and permissions). A POST, but
/// it sets absolute values, so a repeat is harmless.
pub const TOKEN_UPDATE: Operation = Operation::idempotent("bitbucket_token_update");
/// `DELETE …/{owner}/{tokenId}`.
pub const TOKEN_DELETE: Operation = Operation::idempotent("bitbucket_token_delete");
/// `GET /rest/api/latest/users/{userSlug}`: a harmless authenticated read, sent with a token
/// (to check it) or with the password (to tell a permission failure from a bad password).
pub const USER: Operation = Operation::idempotent("bitbucket_user");

/// `GET /rest/api/latest/projects/{key}[/repos/{slug}]`: a harmless read, sent with a project or
/// repository token to check it.
pub const RESOURCE: Operation = Operation::idempotent("bitbucket_resource");

/// `GET /rest/api/latest/admin/users?filter=` (system administrators).
pub const ADMIN_USERS: Operation = Operation::idempotent("bitbucket_admin_users");
/// `GET /rest/ssh/latest/keys?user=`.
pub const SSH_KEYS: Operation = Operation::idempotent("bitbucket_ssh_keys");
/// `GET /rest/gpg/latest/keys?user=`.
pub const GPG_KEYS: Operation = Operation::idempotent("bitbucket_gpg_keys");

/// Every operation above.
pub const ALL: [Operation; 10] =
    [TOKEN_LIST, TOKEN_GET, TOKEN_CREATE, TOKEN_UPDATE, TOKEN_DELETE, USER, RESOURCE, ADMIN_USERS, SSH_KEYS, GPG_KEYS];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_only_create_is_sensitive() {
        let mut names: Vec<_> = ALL.iter().map(|op| op.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for op in ALL {
            assert!(op.name().starts_with("bitbucket_"));
            assert_eq!(op.is_sensitive(), op == TOKEN_CREATE, "{op:?}");
            assert_eq!(!op.is_idempotent(), op == TOKEN_CREATE, "{op:?}");
        }
    }
}
