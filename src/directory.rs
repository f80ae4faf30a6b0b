//! The provider-neutral user directory offboarding by name is built on: find a user by email or
//! principal/login name, and see the credentials a user holds besides PATs (SSH keys, GPG keys,
//! SAML-authorized credentials, …) as metadata only.

use std::fmt::{self, Debug};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::admin::UserId;
use crate::error::{Error, Result};

/// A user as a provider's directory shows one: the [`UserId`] its admin API takes, and the
/// names a person would know them by. Not secret.
///
/// ```
/// use patkit::{DirectoryUser, MatchKind};
/// let user = DirectoryUser::new("42")
///     .login("ada")
///     .email("ada@example.com")
///     .display_name("Ada Lovelace");
/// assert_eq!(user.matches("ADA@example.com"), Some(MatchKind::Email));
/// assert_eq!(user.matches("ada"), Some(MatchKind::Login));
/// assert_eq!(user.matches("lovelace"), None);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// The id the provider's [`PatAdmin`](crate::PatAdmin) takes (Azure DevOps: the Graph
    /// subject descriptor; GitLab: the numeric id; Gitea: the username; Bitbucket: the slug;
    /// GitHub: the login).
    pub id: UserId,
    /// The login, username or principal name (Azure DevOps: `principalName`, often a UPN).
    pub login: Option<String>,
    /// The user's email address, when the directory shows it to the caller.
    pub email: Option<String>,
    /// The display name.
    pub display_name: Option<String>,
}

impl DirectoryUser {
    /// A user with this id and no names yet.
    pub fn new(id: impl Into<UserId>) -> Self {
        Self { id: id.into(), login: None, email: None, display_name: None }
    }

    /// With this login (username, principal name).
    pub fn login(mut self, login: impl Into<String>) -> Self {
        self.login = Some(login.into());
        self
    }

    /// With this email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// With this display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// How `query` names this user exactly (case-insensitively, surrounding blanks ignored):
    /// its email, its login or its id; `None` when it does not. Display names never match
    /// exactly: two people may share one.
    pub fn matches(&self, query: &str) -> Option<MatchKind> {
        let query = query.trim();
        let same = |value: &Option<String>| value.as_deref().is_some_and(|v| v.trim().eq_ignore_ascii_case(query));
        if query.is_empty() {
            None
        } else if same(&self.email) {
            Some(MatchKind::Email)
        } else if same(&self.login) {
            Some(MatchKind::Login)
        } else if self.id.as_str().eq_ignore_ascii_case(query) {
            Some(MatchKind::Id)
        } else {
            None
        }
    }
}

impl fmt::Display for DirectoryUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.login.as_deref().or(self.email.as_deref()).unwrap_or(self.id.as_str());
        f.write_str(name)?;
        match (&self.display_name, &self.email) {
            (Some(display), Some(email)) if email != name => write!(f, " ({display}, {email})"),
            (Some(display), _) => write!(f, " ({display})"),
            (None, Some(email)) if email != name => write!(f, " ({email})"),
            _ => Ok(()),
        }?;
        write!(f, " [{}]", self.id)
    }
}

/// Which of a [`DirectoryUser`]'s names a query equals.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchKind {
    /// The email address.
    Email,
    /// The login, username or principal name.
    Login,
    /// The provider's user id itself.
    Id,
}

impl MatchKind {
    /// `email`, `login` or `id`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Login => "login",
            Self::Id => "id",
        }
    }
}

/// What looking a user up found; from [`resolve_user`].
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserLookup {
    /// Exactly one user is named exactly by the query.
    Found {
        /// The user.
        user: DirectoryUser,
        /// Which name matched.
        matched_by: MatchKind,
    },
    /// Several users are named exactly by the query (e.g. one's email is another's login):
    /// nobody is picked.
    Ambiguous {
        /// Every exact match.
        candidates: Vec<DirectoryUser>,
    },
    /// Nobody is named exactly by the query. `similar` holds the directory's fuzzy matches (a
    /// search hit on part of a name), which are never acted on: a destructive flow must not
    /// guess.
    NotFound {
        /// Users the directory's search returned that the query does not name exactly.
        similar: Vec<DirectoryUser>,
    },
}

/// Picks the user `query` names from a directory's `candidates` (as
/// [`UserDirectory::find_users`] returns them): exact matches ([`DirectoryUser::matches`]) win,
/// one is [`UserLookup::Found`], several are [`UserLookup::Ambiguous`], none is
/// [`UserLookup::NotFound`] with the fuzzy hits as `similar`. Duplicates (same id) count once.
///
/// ```
/// use patkit::{DirectoryUser, MatchKind, UserLookup, resolve_user};
/// let ada = DirectoryUser::new("1").login("ada").email("ada@example.com");
/// let adam = DirectoryUser::new("2").login("adam").email("adam@example.com");
/// let found = resolve_user("ada", vec![adam.clone(), ada.clone()]);
/// assert_eq!(found, UserLookup::Found { user: ada.clone(), matched_by: MatchKind::Login });
/// // A search for "ad" hits both, and names neither exactly.
/// assert!(matches!(resolve_user("ad", vec![ada, adam]), UserLookup::NotFound { similar } if similar.len() == 2));
/// ```
pub fn resolve_user(query: &str, candidates: Vec<DirectoryUser>) -> UserLookup {
    let mut unique: Vec<DirectoryUser> = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        if !unique.iter().any(|u| u.id == candidate.id) {
            unique.push(candidate);
        }
    }
    let (exact, similar): (Vec<_>, Vec<_>) = unique.into_iter().partition(|u| u.matches(query).is_some());
    match exact.len() {
        0 => UserLookup::NotFound { similar },
        1 => {
            let user = exact.into_iter().next().expect("one exact match");
            let matched_by = user.matches(query).expect("an exact match");
            UserLookup::Found { user, matched_by }
        }
        _ => UserLookup::Ambiguous { candidates: exact },
    }
}

/// What kind of credential an [`OtherCredential`] is.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// An SSH public key for git access.
    SshKey,
    /// A GPG public key (commit signing).
    GpgKey,
    /// A personal access token the directory shows here but the [`PatAdmin`](crate::PatAdmin)
    /// does not manage (GitHub: a classic PAT's SAML authorization).
    Token,
    /// An OAuth (or app) token or grant.
    OAuthToken,
    /// Anything else, as the service names it.
    Other(String),
}

impl CredentialKind {
    /// `ssh_key`, `gpg_key`, `token`, `oauth_token`, or the service's own name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::SshKey => "ssh_key",
            Self::GpgKey => "gpg_key",
            Self::Token => "token",
            Self::OAuthToken => "oauth_token",
            Self::Other(name) => name,
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SshKey => "SSH key",
            Self::GpgKey => "GPG key",
            Self::Token => "token",
            Self::OAuthToken => "OAuth token",
            Self::Other(name) => name,
        })
    }
}

/// A credential of a user other than the PATs [`PatAdmin`](crate::PatAdmin) manages, as
/// metadata only: never a key's material or a token's value (public keys included: a
/// fingerprint identifies one).
///
/// ```
/// use patkit::{CredentialKind, OtherCredential};
/// let key = OtherCredential::new(CredentialKind::SshKey, "17").title("laptop").fingerprint("SHA256:abc");
/// assert_eq!(key.to_string(), "SSH key 17 \"laptop\" SHA256:abc");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherCredential {
    /// What it is.
    pub kind: CredentialKind,
    /// The service's id for it.
    pub id: String,
    /// Its title or label.
    pub title: Option<String>,
    /// When it was created or added.
    pub created: Option<DateTime<Utc>>,
    /// When it was last used, when the service says.
    pub last_used: Option<DateTime<Utc>>,
    /// When it expires, when it does.
    pub expires: Option<DateTime<Utc>>,
    /// Its fingerprint (SSH: as the service spells it, e.g. `SHA256:…` or hex pairs; GPG: the
    /// key id).
    pub fingerprint: Option<String>,
}

impl OtherCredential {
    /// A credential of `kind` with the service's `id`, nothing else known yet.
    pub fn new(kind: CredentialKind, id: impl Into<String>) -> Self {
        Self { kind, id: id.into(), title: None, created: None, last_used: None, expires: None, fingerprint: None }
    }

    /// With this title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// With this creation time.
    pub fn created(mut self, at: DateTime<Utc>) -> Self {
        self.created = Some(at);
        self
    }

    /// With this last-used time.
    pub fn last_used(mut self, at: DateTime<Utc>) -> Self {
        self.last_used = Some(at);
        self
    }

    /// With this expiry.
    pub fn expires(mut self, at: DateTime<Utc>) -> Self {
        self.expires = Some(at);
        self
    }

    /// With this fingerprint.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }
}

impl fmt::Display for OtherCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.id)?;
        if let Some(title) = &self.title {
            write!(f, " {title:?}")?;
        }
        if let Some(fingerprint) = &self.fingerprint {
            write!(f, " {fingerprint}")?;
        }
        if let Some(at) = self.last_used {
            write!(f, ", last used {}", at.format("%Y-%m-%d"))?;
        }
        Ok(())
    }
}

/// An administrator's view of a provider's users: who is there, and which credentials besides
/// PATs they hold. Offboarding by name ([`OffboardByName`](crate::lifecycle::OffboardByName))
/// uses it to find the [`UserId`] for [`PatAdmin`](crate::PatAdmin), and to report what it
/// saw but did not touch.
///
/// # Contract
///
/// - [`find_users`](Self::find_users) returns the users the query may name: every user whose
///   email or login equals it (case-insensitively) **must** be among them; a provider with a
///   search may add fuzzy hits, which [`resolve_user`] reports but never acts on. An empty or blank
///   query is [`Error::InvalidInput`], sent nowhere. No match is an empty list, not an error.
/// - [`other_credentials`](Self::other_credentials) lists metadata only, never key material or
///   token values; an unknown user has none (an empty list). Listings are read to the end (or
///   cut with [`Error::ListingCut`]).
/// - Neither changes anything.
#[async_trait]
pub trait UserDirectory: Send + Sync + Debug {
    /// The provider's name, as [`PatAdmin::provider_name`](crate::PatAdmin::provider_name).
    fn provider_name(&self) -> &str;

    /// The users `query` (an email address, login or principal name) may name.
    async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>>;

    /// `user`'s credentials other than the PATs [`PatAdmin`](crate::PatAdmin) lists.
    async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>>;
}

/// A user's SSH keys, then GPG keys: `list(gpg)` lists one kind whole. A user the service does
/// not know (a listing answers 404) has none. The providers' `other_credentials` share this.
#[cfg_attr(not(any(feature = "gitlab", feature = "gitea", feature = "bitbucket")), allow(dead_code))]
pub(crate) async fn ssh_and_gpg_keys<F, Fut>(list: F) -> Result<Vec<OtherCredential>>
where
    F: Fn(bool) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<OtherCredential>>>,
{
    let mut all = Vec::new();
    for gpg in [false, true] {
        match list(gpg).await {
            Ok(keys) => all.extend(keys),
            Err(Error::NotFound { .. } | Error::Api { status: 404, .. }) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
    }
    Ok(all)
}

/// Checks a query before any provider sees it: not blank, at most 256 characters, no control
/// characters. Returns it trimmed.
pub(crate) fn check_query(query: &str) -> Result<&str> {
    let query = query.trim();
    if query.is_empty() {
        return Err(Error::invalid_input("user", "give an email address or a login"));
    }
    if query.chars().count() > 256 || query.chars().any(char::is_control) {
        return Err(Error::invalid_input("user", "at most 256 characters, no control characters"));
    }
    Ok(query)
}

macro_rules! forward_user_directory {
    ($wrapper:ty) => {
        #[deny(clippy::missing_trait_methods)]
        #[async_trait]
        impl<T: UserDirectory + ?Sized> UserDirectory for $wrapper {
            fn provider_name(&self) -> &str {
                (**self).provider_name()
            }

            async fn find_users(&self, query: &str) -> Result<Vec<DirectoryUser>> {
                (**self).find_users(query).await
            }

            async fn other_credentials(&self, user: &UserId) -> Result<Vec<OtherCredential>> {
                (**self).other_credentials(user).await
            }
        }
    };
}

forward_user_directory!(Arc<T>);
forward_user_directory!(Box<T>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beats_fuzzy_and_two_exact_are_ambiguous() {
        let a = DirectoryUser::new("1").login("sam").email("sam@x.test");
        let b = DirectoryUser::new("2").login("samuel").email("sam.uel@x.test");
        let c = DirectoryUser::new("3").login("sam@x.test");
        assert!(matches!(resolve_user("sam", vec![b.clone(), a.clone()]), UserLookup::Found { user, .. } if user == a));
        assert!(
            matches!(resolve_user("sam@x.test", vec![a, b, c]), UserLookup::Ambiguous { candidates } if candidates.len() == 2)
        );
    }

    #[test]
    fn duplicates_count_once_and_blank_queries_match_nobody() {
        let a = DirectoryUser::new("1").login("sam");
        assert!(matches!(resolve_user("SAM", vec![a.clone(), a.clone()]), UserLookup::Found { .. }));
        assert_eq!(a.matches("  "), None);
        assert!(check_query(" ").is_err());
        assert!(check_query("a\nb").is_err());
        assert_eq!(check_query(" sam ").unwrap(), "sam");
    }

    #[test]
    fn display_names_never_match() {
        let a = DirectoryUser::new("1").display_name("Sam");
        assert!(matches!(resolve_user("Sam", vec![a]), UserLookup::NotFound { similar } if similar.len() == 1));
    }
}
