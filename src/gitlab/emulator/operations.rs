//! The operations the emulator tells apart, by the names [`FaultRule`](super::FaultRule)s and
//! [`Emulator::requests_seen`](super::Emulator::requests_seen) match. The emulator names each
//! request from its method and path alone (never from a client's tag).

use crate::transport::Operation;

/// `GET /personal_access_tokens`.
pub const LIST: Operation = Operation::idempotent("list");
/// `GET /personal_access_tokens/:id`.
pub const GET: Operation = Operation::idempotent("get");
/// `GET /personal_access_tokens/self`.
pub const GET_SELF: Operation = Operation::idempotent("get_self");
/// `GET /personal_access_tokens/self/associations`.
pub const ASSOCIATIONS: Operation = Operation::idempotent("associations");
/// `POST /personal_access_tokens/:id/rotate`.
pub const ROTATE: Operation = Operation::not_idempotent("rotate");
/// `POST /personal_access_tokens/self/rotate`.
pub const ROTATE_SELF: Operation = Operation::not_idempotent("rotate_self");
/// `DELETE /personal_access_tokens/:id`.
pub const REVOKE: Operation = Operation::idempotent("revoke");
/// `DELETE /personal_access_tokens/self`.
pub const REVOKE_SELF: Operation = Operation::idempotent("revoke_self");
/// `POST /users/:user_id/personal_access_tokens` (admin).
pub const CREATE_FOR_USER: Operation = Operation::not_idempotent("create_for_user");
/// `POST /user/personal_access_tokens`.
pub const CREATE_OWN: Operation = Operation::not_idempotent("create_own");
/// `GET /user`.
pub const CURRENT_USER: Operation = Operation::idempotent("current_user");
/// `GET /projects/:id/access_tokens` or `GET /groups/:id/access_tokens`.
pub const RESOURCE_LIST: Operation = Operation::idempotent("resource_list");
/// `POST /projects/:id/access_tokens` or the group one.
pub const RESOURCE_CREATE: Operation = Operation::not_idempotent("resource_create");
/// `GET /projects/:id/access_tokens/:token_id` or the group one.
pub const RESOURCE_GET: Operation = Operation::idempotent("resource_get");
/// `POST /projects/:id/access_tokens/:token_id/rotate` or the group one.
pub const RESOURCE_ROTATE: Operation = Operation::not_idempotent("resource_rotate");
/// `DELETE /projects/:id/access_tokens/:token_id` or the group one.
pub const RESOURCE_REVOKE: Operation = Operation::idempotent("resource_revoke");
