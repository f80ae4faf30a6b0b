//! A Bitbucket token as a listing or get shows it: the neutral metadata and Bitbucket's own
//! fields.

use chrono::{DateTime, Utc};

use crate::admin::UserPat;
use crate::model::PatMetadata;

/// One Bitbucket Data Center HTTP access token as Bitbucket reports it, without its secret.
///
/// `metadata.id` is the numeric string exactly as sent (leading zeros kept);
/// `metadata.valid_from` is `createdDate`; `metadata.valid_to` is `expiryDate` when the answer
/// has one, else `createdDate` + `expiryDays` days, else `None` (the token never expires);
/// `metadata.scopes` are the permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BitbucketToken {
    /// The neutral metadata.
    pub metadata: PatMetadata,
    /// The owner's slug (`user.slug`), when the answer names it.
    pub user_slug: Option<String>,
    /// `expiryDays`, fixed at creation.
    pub expiry_days: Option<u32>,
    /// When the token last authenticated (`lastAuthenticated`), once it has been used.
    pub last_authenticated: Option<DateTime<Utc>>,
}

impl BitbucketToken {
    /// Whether the token has expired at `now` (Bitbucket keeps listing expired tokens).
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.metadata.is_expired(now)
    }
}

impl From<BitbucketToken> for PatMetadata {
    fn from(token: BitbucketToken) -> Self {
        token.metadata
    }
}

/// For an admin listing at `now`: active unless expired (deleted tokens are gone).
pub(crate) fn user_pat(token: BitbucketToken, now: DateTime<Utc>) -> UserPat {
    let active = Some(!token.is_expired(now));
    UserPat { metadata: token.metadata, active }
}
