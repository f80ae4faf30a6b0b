//! The operations of the Azure DevOps PAT Lifecycle and Token Admin APIs, as the
//! [`Operation`] tags their requests carry.
//!
//! The client declares them; a retrying transport, a tracing layer or a test reads their
//! properties ([`Operation::is_idempotent`], [`Operation::is_sensitive`], [`Operation::name`])
//! without knowing the service. The emulator counts requests and scripts faults per operation.
//!
//! ```
//! use patkit::azure::operations as op;
//! assert!(!op::CREATE.is_idempotent() && op::CREATE.is_sensitive());
//! assert!(op::REVOKE.is_idempotent());
//! assert_eq!(op::ADMIN_REVOKE.name(), "admin_revoke");
//! ```

use crate::transport::Operation;

/// Create a PAT. Not idempotent (a repeat may mint a second live token); the answer holds the
/// new secret.
pub const CREATE: Operation = Operation::not_idempotent("create").sensitive();
/// Get one PAT's metadata.
pub const GET: Operation = Operation::idempotent("get");
/// List a page of PATs.
pub const LIST: Operation = Operation::idempotent("list");
/// Update a PAT (rename, rescope, change expiry). Idempotent: it sets values.
pub const UPDATE: Operation = Operation::idempotent("update");
/// Revoke a PAT. Idempotent.
pub const REVOKE: Operation = Operation::idempotent("revoke");
/// Check that a PAT works (a call authenticated *with* the PAT).
pub const CHECK_TOKEN: Operation = Operation::idempotent("check_token");
/// Token Admin: list a user's PATs.
pub const ADMIN_LIST_PATS: Operation = Operation::idempotent("admin_list_pats");
/// Token Admin: revoke authorizations in bulk. Idempotent.
pub const ADMIN_REVOKE: Operation = Operation::idempotent("admin_revoke");
/// Token Admin: create a revocation rule. Treated as not idempotent.
pub const ADMIN_CREATE_REVOCATION_RULE: Operation = Operation::not_idempotent("admin_create_revocation_rule");
/// Graph: list the users of the organization (a user directory for offboarding by name).
pub const GRAPH_LIST_USERS: Operation = Operation::idempotent("graph_list_users");

/// Every operation above, e.g. to look one up by name.
pub const ALL: [Operation; 10] = [
    CREATE,
    GET,
    LIST,
    UPDATE,
    REVOKE,
    CHECK_TOKEN,
    ADMIN_LIST_PATS,
    ADMIN_REVOKE,
    ADMIN_CREATE_REVOCATION_RULE,
    GRAPH_LIST_USERS,
];

/// Whether `op` is a Token Admin call (organization administrators only).
pub(crate) fn is_token_admin(op: Operation) -> bool {
    [ADMIN_LIST_PATS, ADMIN_REVOKE, ADMIN_CREATE_REVOCATION_RULE].contains(&op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_only_creates_are_sensitive_or_unrepeatable() {
        let mut names: Vec<_> = ALL.iter().map(|op| op.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        for op in ALL {
            assert_eq!(op.is_sensitive(), op == CREATE, "{op:?}");
            assert_eq!(!op.is_idempotent(), op == CREATE || op == ADMIN_CREATE_REVOCATION_RULE, "{op:?}");
        }
        assert!(is_token_admin(ADMIN_REVOKE) && !is_token_admin(REVOKE));
    }
}
