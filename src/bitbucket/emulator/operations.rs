//! The operations the emulator tells apart, by the names [`FaultRule`](super::FaultRule)s and
//! [`Emulator::requests_seen`](super::Emulator::requests_seen) match. The emulator names each
//! request from its method and path alone (never from a client's tag).

use crate::transport::Operation;

/// `GET /rest/access-tokens/{1.0,latest}/{users/{slug} | projects/{key}[/repos/{slug}]}`.
pub const LIST: Operation = Operation::idempotent("bitbucket_token_list");
/// `GET …/{owner}/{id}`.
pub const GET: Operation = Operation::idempotent("bitbucket_token_get");
/// `PUT …/{owner}`.
pub const CREATE: Operation = Operation::not_idempotent("bitbucket_token_create");
/// `POST …/{owner}/{id}`.
pub const UPDATE: Operation = Operation::idempotent("bitbucket_token_update");
/// `DELETE …/{owner}/{id}`.
pub const DELETE: Operation = Operation::idempotent("bitbucket_token_delete");
/// `GET /rest/api/{1.0,latest}/users/{slug}`.
pub const USER: Operation = Operation::idempotent("bitbucket_user");

/// `GET /rest/api/{1.0,latest}/projects/{key}[/repos/{slug}]`.
pub const RESOURCE: Operation = Operation::idempotent("bitbucket_resource");

/// `GET /rest/api/…/admin/users`.
pub const ADMIN_USERS: Operation = Operation::idempotent("bitbucket_admin_users");
/// `GET /rest/ssh/…/keys`.
pub const SSH_KEYS: Operation = Operation::idempotent("bitbucket_ssh_keys");
/// `GET /rest/gpg/…/keys`.
pub const GPG_KEYS: Operation = Operation::idempotent("bitbucket_gpg_keys");

/// Every operation the emulator tells apart.
pub const ALL: [Operation; 10] = [LIST, GET, CREATE, UPDATE, DELETE, USER, RESOURCE, ADMIN_USERS, SSH_KEYS, GPG_KEYS];

#[cfg(test)]
mod tests {
    /// A fault rule or `requests_seen` written with the client's tags
    /// (`patkit::bitbucket::operations`) must match the emulator's names: a typo on either side
    /// fails here.
    #[test]
    fn operation_names_agree_with_the_client_tags() {
        let mut emulator: Vec<&str> = super::ALL.iter().map(|o| o.name()).collect();
        let mut client: Vec<&str> = crate::bitbucket::operations::ALL.iter().map(|o| o.name()).collect();
        emulator.sort_unstable();
        client.sort_unstable();
        assert_eq!(emulator, client);
    }
}
