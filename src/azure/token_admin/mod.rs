//! Token Admin (organization administrators): another user's PATs, bulk revocation, revocation
//! rules. Pure request builders and parsers; the async calls are on
//! [`TokenAdmin`](crate::azure::TokenAdmin).

pub(crate) mod list;
pub(crate) mod revoke;
pub(crate) mod rule;

use serde::{Deserialize, Serialize};

use crate::model::PatMetadata;

/// A token as Token Admin lists it: the usual metadata plus who owns it and whether it is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminTokenInfo {
    /// The token's metadata. `display_name` is empty when the service sends `null`.
    pub metadata: PatMetadata,
    /// The owner's user id.
    pub user_id: Option<String>,
    /// The service's `isValid` flag.
    pub is_valid: Option<bool>,
    /// `true` for SSH keys, `false` for PATs.
    pub is_public: bool,
}

/// Most authorization ids sent in one bulk revocation request. Larger batches are split.
pub const MAX_REVOCATIONS_PER_REQUEST: usize = 100;
