//! What a provider can do, asked up front instead of learnt from errors.

use std::fmt;

/// How precisely a provider keeps a token's expiry.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExpiryGranularity {
    /// To the second (Azure DevOps `validTo`).
    #[default]
    DateTime,
    /// To the UTC day: a token expires at 00:00 UTC of its date (GitLab `expires_at`). A
    /// requested instant is rounded **up** to the next midnight, so a token never dies early.
    Date,
    /// In whole days counted from the moment of creation (Bitbucket Data Center `expiryDays`): a
    /// requested instant is rounded **up** to whole days from now, so a token never dies early
    /// (it may live up to a day longer than asked).
    Days,
    /// Tokens never expire; a requested expiry is ignored (Gitea, Forgejo).
    Never,
}

/// The operations a [`PatProvider`](crate::PatProvider) (and, for the `admin_*`, `revoke_many`
/// and `revocation_rules` flags, a [`PatAdmin`](crate::PatAdmin)) offers.
///
/// A plain set of named flags, as OpenDAL's `Capability`: build it with struct-update syntax
/// from [`Capabilities::NONE`] (every flag off), always ending in `..Capabilities::NONE` so a
/// flag added in a later release (off by default) does not break your provider. An operation whose flag is off answers
/// [`Error::Unsupported`](crate::Error::Unsupported) without sending anything.
/// `Debug` prints the set flags only.
///
/// ```
/// use patkit::{Capabilities, ExpiryGranularity};
/// let caps = Capabilities { create: true, revoke: true, name_max_len: Some(40), ..Capabilities::NONE };
/// assert_eq!(format!("{caps:?}"), "Capabilities { create | revoke | expiry: DateTime | name_max_len: 40 }");
/// assert_eq!(caps.expiry, ExpiryGranularity::DateTime);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    /// [`create_pat`](crate::PatProvider::create_pat): the caller mints its own tokens.
    pub create: bool,
    /// [`get_pat`](crate::PatProvider::get_pat): one token's metadata by id.
    pub get: bool,
    /// [`list_pats`](crate::PatProvider::list_pats): the caller's own tokens, paged.
    pub list_own: bool,
    /// [`update_pat`](crate::PatProvider::update_pat): name, scopes (and more, per provider).
    pub update: bool,
    /// [`update_pat`](crate::PatProvider::update_pat) may change the expiry (extend in place).
    pub update_expiry: bool,
    /// [`revoke_pat`](crate::PatProvider::revoke_pat).
    pub revoke: bool,
    /// A revoke **deletes** the token (Gitea, Forgejo, Bitbucket): afterwards the provider no
    /// longer shows it at all, where others keep it listed as revoked. Rotation recovery relies
    /// on it: a replaced token the owner's listing no longer shows is gone, not someone else's.
    pub revoke_deletes: bool,
    /// [`rotate_pat`](crate::PatProvider::rotate_pat): the server mints a replacement and revokes
    /// the old token in one call (GitLab).
    pub rotate_server_side: bool,
    /// [`check_pat`](crate::PatProvider::check_pat): whether a secret still authenticates.
    pub check: bool,
    /// [`PatAdmin::list_user_pats`](crate::PatAdmin::list_user_pats): another user's tokens.
    pub admin_list_user: bool,
    /// [`PatAdmin::revoke_many`](crate::PatAdmin::revoke_many): revoke tokens of any user.
    pub revoke_many: bool,
    /// [`PatAdmin::create_revocation_rule`](crate::PatAdmin::create_revocation_rule).
    pub revocation_rules: bool,
    /// How precisely expiry is kept.
    pub expiry: ExpiryGranularity,
    /// The longest display name (in characters) the provider accepts; longer ones are refused
    /// with [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is sent.
    /// `None`: no limit known.
    pub name_max_len: Option<usize>,
}

impl Capabilities {
    /// Nothing supported, expiry to the second, no name limit.
    pub const NONE: Self = Self {
        create: false,
        get: false,
        list_own: false,
        update: false,
        update_expiry: false,
        revoke: false,
        revoke_deletes: false,
        rotate_server_side: false,
        check: false,
        admin_list_user: false,
        revoke_many: false,
        revocation_rules: false,
        expiry: ExpiryGranularity::DateTime,
        name_max_len: None,
    };
}

impl Capabilities {
    /// Every yes/no flag with its field name, in declaration order (what `Debug` prints the set
    /// ones of).
    ///
    /// ```
    /// use patkit::Capabilities;
    /// let caps = Capabilities { revoke: true, ..Capabilities::NONE };
    /// let set: Vec<_> = caps.flags().into_iter().filter(|(_, on)| *on).map(|(name, _)| name).collect();
    /// assert_eq!(set, ["revoke"]);
    /// ```
    pub fn flags(&self) -> [(&'static str, bool); 12] {
        [
            ("create", self.create),
            ("get", self.get),
            ("list_own", self.list_own),
            ("update", self.update),
            ("update_expiry", self.update_expiry),
            ("revoke", self.revoke),
            ("revoke_deletes", self.revoke_deletes),
            ("rotate_server_side", self.rotate_server_side),
            ("check", self.check),
            ("admin_list_user", self.admin_list_user),
            ("revoke_many", self.revoke_many),
            ("revocation_rules", self.revocation_rules),
        ]
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Capabilities { ")?;
        for (name, _) in self.flags().into_iter().filter(|(_, set)| *set) {
            write!(f, "{name} | ")?;
        }
        write!(f, "expiry: {:?}", self.expiry)?;
        if let Some(max) = self.name_max_len {
            write!(f, " | name_max_len: {max}")?;
        }
        f.write_str(" }")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_prints_only_the_set_flags() {
        assert_eq!(format!("{:?}", Capabilities::NONE), "Capabilities { expiry: DateTime }");
        let caps = Capabilities { rotate_server_side: true, expiry: ExpiryGranularity::Date, ..Capabilities::NONE };
        assert_eq!(format!("{caps:?}"), "Capabilities { rotate_server_side | expiry: Date }");
    }
}
