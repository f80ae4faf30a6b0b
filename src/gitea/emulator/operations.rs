//! The operation names the emulator gives each request, for fault rules
//! ([`FaultRule::new`](super::FaultRule::new)) and
//! [`Emulator::requests_seen`](super::Emulator::requests_seen). The emulator names each request
//! from its method and path alone (never from a client's tag), so a client's tag matches a rule
//! only when it is spelled the same: `gitea_token_list`, `gitea_token_create`,
//! `gitea_token_delete`, `gitea_user`, `gitea_admin_users`, `gitea_version`.

use crate::transport::Operation;

/// `GET /users/{username}/tokens` (operationId `userGetTokens`).
pub const TOKEN_LIST: Operation = Operation::idempotent("gitea_token_list");
/// `POST /users/{username}/tokens` (operationId `userCreateToken`); its answer carries the secret.
pub const TOKEN_CREATE: Operation = Operation::not_idempotent("gitea_token_create").sensitive();
/// `DELETE /users/{username}/tokens/{token}` (operationId `userDeleteAccessToken`).
pub const TOKEN_DELETE: Operation = Operation::idempotent("gitea_token_delete");
/// `GET /user`: the authenticated user (a token's self-check, §3.8).
pub const CURRENT_USER: Operation = Operation::idempotent("gitea_user");
/// `GET /admin/users`: every user, for a site admin (offboarding iterates it, §3.1).
pub const ADMIN_USERS: Operation = Operation::idempotent("gitea_admin_users");
/// `GET /version` (and, on Forgejo, `GET /api/forgejo/v1/version`): the server's version.
pub const VERSION: Operation = Operation::idempotent("gitea_version");

/// `GET /users/search`.
pub const USER_SEARCH: Operation = Operation::idempotent("gitea_user_search");
/// `GET /users/{username}/keys`.
pub const USER_KEYS: Operation = Operation::idempotent("gitea_user_keys");
/// `GET /users/{username}/gpg_keys`.
pub const USER_GPG_KEYS: Operation = Operation::idempotent("gitea_user_gpg_keys");

/// Every operation the emulator tells apart.
pub const ALL: [Operation; 9] =
    [TOKEN_LIST, TOKEN_CREATE, TOKEN_DELETE, CURRENT_USER, ADMIN_USERS, VERSION, USER_SEARCH, USER_KEYS, USER_GPG_KEYS];

#[cfg(test)]
mod tests {
    /// Each name is unique and carries the provider's prefix, so a rule for one operation never
    /// fires on another provider's or another operation's request.
    #[test]
    fn names_are_unique_and_prefixed() {
        let mut names: Vec<&str> = super::ALL.iter().map(|o| o.name()).collect();
        assert!(names.iter().all(|n| n.starts_with("gitea_")), "{names:?}");
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), super::ALL.len());
        assert!(super::TOKEN_CREATE.is_sensitive() && !super::TOKEN_CREATE.is_idempotent());
    }
}
