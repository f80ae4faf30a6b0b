//! The operations the emulator tells apart, by the names [`FaultRule`](super::FaultRule)s and
//! [`Emulator::requests_seen`](super::Emulator::requests_seen) match. The emulator names each
//! request from its method and path alone (never from a client's tag).

use crate::transport::Operation;

/// `GET /personal_access_tokens`.
pub const LIST: Operation = Operation::idempotent("gitlab_pat_list");
/// `GET /personal_access_tokens/:id`.
pub const GET: Operation = Operation::idempotent("gitlab_pat_get");
/// `GET /personal_access_tokens/self`.
pub const GET_SELF: Operation = Operation::idempotent("gitlab_pat_get_self");
/// `GET /personal_access_tokens/self/associations`.
pub const ASSOCIATIONS: Operation = Operation::idempotent("gitlab_pat_associations");
/// `POST /personal_access_tokens/:id/rotate`.
pub const ROTATE: Operation = Operation::not_idempotent("gitlab_pat_rotate");
/// `POST /personal_access_tokens/self/rotate`.
pub const ROTATE_SELF: Operation = Operation::not_idempotent("gitlab_pat_rotate_self");
/// `DELETE /personal_access_tokens/:id`.
pub const REVOKE: Operation = Operation::idempotent("gitlab_pat_revoke");
/// `DELETE /personal_access_tokens/self`.
pub const REVOKE_SELF: Operation = Operation::idempotent("gitlab_pat_revoke_self");
/// `POST /users/:user_id/personal_access_tokens` (admin).
pub const CREATE_FOR_USER: Operation = Operation::not_idempotent("gitlab_pat_create_for_user");
/// `POST /user/personal_access_tokens`.
pub const CREATE_OWN: Operation = Operation::not_idempotent("gitlab_pat_create_own");
/// `GET /user`.
pub const CURRENT_USER: Operation = Operation::idempotent("gitlab_user");
/// `GET /projects/:id/access_tokens` or `GET /groups/:id/access_tokens`.
pub const RESOURCE_LIST: Operation = Operation::idempotent("gitlab_resource_token_list");
/// `POST /projects/:id/access_tokens` or the group one.
pub const RESOURCE_CREATE: Operation = Operation::not_idempotent("gitlab_resource_token_create");
/// `GET /projects/:id/access_tokens/:token_id` or the group one.
pub const RESOURCE_GET: Operation = Operation::idempotent("gitlab_resource_token_get");
/// `POST /projects/:id/access_tokens/:token_id/rotate` or the group one.
pub const RESOURCE_ROTATE: Operation = Operation::not_idempotent("gitlab_resource_token_rotate");
/// `DELETE /projects/:id/access_tokens/:token_id` or the group one.
pub const RESOURCE_REVOKE: Operation = Operation::idempotent("gitlab_resource_token_revoke");
/// `GET /users` (search, or `username` exact).
pub const USERS: Operation = Operation::idempotent("gitlab_users");
/// `GET /users/:id/keys`.
pub const USER_KEYS: Operation = Operation::idempotent("gitlab_user_keys");
/// `GET /users/:id/gpg_keys`.
pub const USER_GPG_KEYS: Operation = Operation::idempotent("gitlab_user_gpg_keys");

/// Every operation the emulator tells apart.
pub const ALL: [Operation; 19] = [
    LIST,
    GET,
    GET_SELF,
    ASSOCIATIONS,
    ROTATE,
    ROTATE_SELF,
    REVOKE,
    REVOKE_SELF,
    CREATE_FOR_USER,
    CREATE_OWN,
    CURRENT_USER,
    RESOURCE_LIST,
    RESOURCE_CREATE,
    RESOURCE_GET,
    RESOURCE_ROTATE,
    RESOURCE_REVOKE,
    USERS,
    USER_KEYS,
    USER_GPG_KEYS,
];

#[cfg(test)]
mod tests {
    /// The emulator names its operations itself (from method and path); a fault rule or
    /// `requests_seen` written with the client's tags (`patkit::gitlab::operations`) must match
    /// them, so the two spellings are compared here: a typo on either side fails.
    #[test]
    fn operation_names_agree_with_the_client_tags() {
        let mut emulator: Vec<&str> = super::ALL.iter().map(|o| o.name()).collect();
        let mut client: Vec<&str> = crate::gitlab::operations::ALL.iter().map(|o| o.name()).collect();
        emulator.sort_unstable();
        client.sort_unstable();
        assert_eq!(emulator, client);
    }
}
