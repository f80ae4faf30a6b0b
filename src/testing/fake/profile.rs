//! What a [`FakeProvider`](super::FakeProvider) can do and how it fails.

use crate::capabilities::{Capabilities, ExpiryGranularity};

/// A capability profile modelled on a real forge.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FakeProfile {
    /// Azure-like: create, get, list, update (expiry too), revoke, check; expiry to the second;
    /// display names up to 100 characters.
    CreateUpdate,
    /// GitLab-like for a non-admin: no create, no update; get, list, revoke, check and a
    /// server-side rotate that returns a new id and secret and revokes the old token at once.
    /// Expiry is a date (a token expires at 00:00 UTC of it). Display names up to 255
    /// characters.
    ServerRotate,
    /// Gitea-like: create, list, revoke, check; no get, no update; tokens never expire.
    /// Display names up to 255 characters.
    NoExpiry,
}

impl FakeProfile {
    /// Every profile, for running a test in each.
    pub const ALL: [Self; 3] = [Self::CreateUpdate, Self::ServerRotate, Self::NoExpiry];

    /// The capabilities of this profile.
    pub fn capabilities(self) -> Capabilities {
        match self {
            Self::CreateUpdate => Capabilities {
                create: true,
                get: true,
                list_own: true,
                update: true,
                update_expiry: true,
                revoke: true,
                check: true,
                expiry: ExpiryGranularity::DateTime,
                name_max_len: Some(100),
                ..Capabilities::NONE
            },
            Self::ServerRotate => Capabilities {
                get: true,
                list_own: true,
                revoke: true,
                rotate_server_side: true,
                check: true,
                expiry: ExpiryGranularity::Date,
                name_max_len: Some(255),
                ..Capabilities::NONE
            },
            Self::NoExpiry => Capabilities {
                create: true,
                list_own: true,
                revoke: true,
                check: true,
                expiry: ExpiryGranularity::Never,
                name_max_len: Some(255),
                ..Capabilities::NONE
            },
        }
    }
}

/// An operation of a [`FakeProvider`](super::FakeProvider), for counting calls and injecting
/// faults.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FakeOp {
    /// `create_pat`.
    Create,
    /// `get_pat`.
    Get,
    /// `list_pats` (one page).
    List,
    /// `update_pat`.
    Update,
    /// `revoke_pat`.
    Revoke,
    /// `rotate_pat`.
    Rotate,
    /// `check_pat`.
    Check,
}

/// What an injected fault does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Answer HTTP 503 without doing anything.
    Fail,
    /// Do the operation, then lose the answer (a timeout after the server acted).
    LoseAnswer,
}
