//! Gitea's scope vocabulary (fact sheet §3.7, Gitea 1.20 and later; Forgejo the same) as
//! constants, and a check.
//!
//! A scope is `read:<category>` or `write:<category>` (`write` implies `read`), or one of the
//! two specials [`ALL`] (every write scope) and [`PUBLIC_ONLY`] (restricts the others to public
//! resources). Gitea normalizes scopes when it saves them (the full set becomes `all`, implied
//! reads are dropped), so a listing may show fewer words than were asked for.
//!
//! ```
//! use patkit::gitea::scopes;
//! scopes::check(&patkit::Scopes::parse("write:repository read:user")?)?;
//! assert!(scopes::check(&patkit::Scopes::parse("repo")?).is_err());
//! assert!(scopes::check(&patkit::Scopes::parse("public-only")?).is_err(), "restricts nothing");
//! # Ok::<_, patkit::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::scope::{Scope, Scopes};

/// Every write scope.
pub const ALL: &str = "all";
/// Restricts the token's other scopes to public resources (needs at least one other scope).
pub const PUBLIC_ONLY: &str = "public-only";

/// ActivityPub, read.
pub const READ_ACTIVITYPUB: &str = "read:activitypub";
/// ActivityPub, write.
pub const WRITE_ACTIVITYPUB: &str = "write:activitypub";
/// Site administration, read.
pub const READ_ADMIN: &str = "read:admin";
/// Site administration, write.
pub const WRITE_ADMIN: &str = "write:admin";
/// Miscellaneous endpoints, read.
pub const READ_MISC: &str = "read:misc";
/// Miscellaneous endpoints, write.
pub const WRITE_MISC: &str = "write:misc";
/// Notifications, read.
pub const READ_NOTIFICATION: &str = "read:notification";
/// Notifications, write.
pub const WRITE_NOTIFICATION: &str = "write:notification";
/// Organizations and teams, read.
pub const READ_ORGANIZATION: &str = "read:organization";
/// Organizations and teams, write.
pub const WRITE_ORGANIZATION: &str = "write:organization";
/// Packages, read.
pub const READ_PACKAGE: &str = "read:package";
/// Packages, write.
pub const WRITE_PACKAGE: &str = "write:package";
/// Issues and pull-request comments, read.
pub const READ_ISSUE: &str = "read:issue";
/// Issues and pull-request comments, write.
pub const WRITE_ISSUE: &str = "write:issue";
/// Repositories (code, git over HTTP, pull requests), read.
pub const READ_REPOSITORY: &str = "read:repository";
/// Repositories (code, git over HTTP, pull requests), write.
pub const WRITE_REPOSITORY: &str = "write:repository";
/// The user's own settings and data, read.
pub const READ_USER: &str = "read:user";
/// The user's own settings and data, write.
pub const WRITE_USER: &str = "write:user";

/// Every scope of the vocabulary.
pub const VOCABULARY: [&str; 20] = [
    ALL,
    PUBLIC_ONLY,
    READ_ACTIVITYPUB,
    WRITE_ACTIVITYPUB,
    READ_ADMIN,
    WRITE_ADMIN,
    READ_MISC,
    WRITE_MISC,
    READ_NOTIFICATION,
    WRITE_NOTIFICATION,
    READ_ORGANIZATION,
    WRITE_ORGANIZATION,
    READ_PACKAGE,
    WRITE_PACKAGE,
    READ_ISSUE,
    WRITE_ISSUE,
    READ_REPOSITORY,
    WRITE_REPOSITORY,
    READ_USER,
    WRITE_USER,
];

/// `Ok` when every scope is one of [`VOCABULARY`] and at least one grants something (Gitea 1.22
/// and later refuse a token without a scope; [`PUBLIC_ONLY`] alone only restricts). Else
/// [`Error::InvalidInput`] (`field: "scopes"`) naming the first unknown scope.
pub fn check(scopes: &Scopes) -> Result<()> {
    if let Some(bad) = scopes.iter().find(|s| !VOCABULARY.contains(&s.as_str())) {
        return Err(Error::invalid_input(
            "scopes",
            format!(
                "`{}` is not a Gitea scope (see patkit::gitea::scopes::VOCABULARY: read:/write: + a category, all, \
                 public-only)",
                crate::quote::cap(bad.to_string())
            ),
        ));
    }
    if !scopes.iter().any(|s| s.as_str() != PUBLIC_ONLY) {
        return Err(Error::invalid_input(
            "scopes",
            "a Gitea token needs at least one scope that grants something (read:/write: + a category, or all)",
        ));
    }
    Ok(())
}

/// Scopes as Gitea reported them (an array of words); words that are no valid scope are skipped.
pub(crate) fn from_wire(words: &[String]) -> Scopes {
    words.iter().filter_map(|w| Scope::new(w.clone()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_accepted_and_others_refused() {
        for s in VOCABULARY.iter().filter(|s| **s != PUBLIC_ONLY) {
            check(&Scopes::parse(s).unwrap()).unwrap();
        }
        check(&Scopes::parse("public-only read:repository").unwrap()).unwrap();
        for bad in ["repo", "admin:org", "read:repo", "write:repository sudo", "api"] {
            assert!(
                matches!(check(&Scopes::parse(bad).unwrap()), Err(Error::InvalidInput { field: "scopes", .. })),
                "{bad}"
            );
        }
        assert!(check(&Scopes::default()).is_err(), "no scope");
        assert!(check(&Scopes::parse(PUBLIC_ONLY).unwrap()).is_err(), "public-only alone");
    }

    #[test]
    fn wire_scopes_keep_what_is_well_formed() {
        let words = vec!["write:repository".to_owned(), "two words".to_owned(), "all".to_owned()];
        assert_eq!(from_wire(&words).to_string(), "all write:repository");
    }
}
