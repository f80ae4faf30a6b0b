//! The permission vocabulary of Bitbucket Data Center HTTP access tokens (fact sheet §5.4) and
//! the check every create and update runs before sending.
//!
//! A personal token carries at most one project-level permission ([`PROJECT_READ`],
//! [`PROJECT_WRITE`], [`PROJECT_ADMIN`]) and at most one repository-level one ([`REPO_READ`],
//! [`REPO_WRITE`], [`REPO_ADMIN`]), at least one in all, and when it has both the repository
//! permission is at least the project one (`PROJECT_WRITE` needs `REPO_WRITE` or
//! `REPO_ADMIN`). Global and system permissions (`ADMIN`, `SYS_ADMIN`, `LICENSED_USER`,
//! `PROJECT_CREATE`) are never granted to a token; they, and names Bitbucket does not know, are
//! refused with [`Error::InvalidInput`] before anything is sent.
//!
//! ```
//! use patkit::Scopes;
//! use patkit::bitbucket::permissions;
//! assert!(permissions::check(&Scopes::parse("PROJECT_WRITE REPO_WRITE")?).is_ok());
//! assert!(permissions::check(&Scopes::parse("REPO_READ")?).is_ok());
//! for bad in ["ADMIN", "REPO_READ REPO_WRITE", "PROJECT_ADMIN REPO_READ", "ACCOUNT_READ", ""] {
//!     assert!(permissions::check(&Scopes::parse(bad)?).is_err(), "{bad}");
//! }
//! # Ok::<(), patkit::Error>(())
//! ```

use super::TokenOwner;
use crate::error::{Error, Result};
use crate::scope::Scopes;

/// Read the project's repositories.
pub const PROJECT_READ: &str = "PROJECT_READ";
/// Write to the project's repositories.
pub const PROJECT_WRITE: &str = "PROJECT_WRITE";
/// Administer the project.
pub const PROJECT_ADMIN: &str = "PROJECT_ADMIN";
/// Read repositories.
pub const REPO_READ: &str = "REPO_READ";
/// Push to repositories.
pub const REPO_WRITE: &str = "REPO_WRITE";
/// Administer repositories.
pub const REPO_ADMIN: &str = "REPO_ADMIN";

/// Every project-level permission, weakest first.
pub const PROJECT: [&str; 3] = [PROJECT_READ, PROJECT_WRITE, PROJECT_ADMIN];
/// Every repository-level permission, weakest first.
pub const REPO: [&str; 3] = [REPO_READ, REPO_WRITE, REPO_ADMIN];
/// Global and system permissions a token can never hold (Bitbucket answers 400 `Tokens may not
/// have the following permission: …`).
pub const GLOBAL: [&str; 4] = ["LICENSED_USER", "PROJECT_CREATE", "ADMIN", "SYS_ADMIN"];

/// Checks `permissions` against the rules of the module docs.
///
/// # Errors
///
/// [`Error::InvalidInput`] (field `permissions`) naming what is wrong.
pub fn check(permissions: &Scopes) -> Result<()> {
    let refuse = |reason: String| Err(Error::invalid_input("permissions", reason));
    if permissions.is_empty() {
        return refuse("a Bitbucket token needs at least one permission (one PROJECT_* and/or one REPO_*)".into());
    }
    let mut project = None;
    let mut repo = None;
    for p in permissions.iter().map(|p| p.as_str()) {
        if GLOBAL.contains(&p) {
            return refuse(format!("tokens may not have the global permission {p}"));
        }
        let (slot, level) = if let Some(level) = PROJECT.iter().position(|x| *x == p) {
            (&mut project, level)
        } else if let Some(level) = REPO.iter().position(|x| *x == p) {
            (&mut repo, level)
        } else {
            let shown: String = p.chars().take(60).collect();
            return refuse(format!("{shown} is not a Bitbucket token permission (PROJECT_* or REPO_*)"));
        };
        if slot.replace(level).is_some() {
            return refuse("at most one PROJECT_* and one REPO_* permission".into());
        }
    }
    if let (Some(project), Some(repo)) = (project, repo)
        && repo < project
    {
        return refuse(format!("{} needs a repository permission of at least {}", PROJECT[project], REPO[project]));
    }
    Ok(())
}

/// [`check`], and for a repository's tokens also that every permission is a `REPO_*` one
/// (repository tokens take no project permission, §5.4).
///
/// # Errors
///
/// [`Error::InvalidInput`] (field `permissions`).
pub fn check_for(owner: &TokenOwner, permissions: &Scopes) -> Result<()> {
    check(permissions)?;
    if matches!(owner, TokenOwner::Repository { .. }) && permissions.iter().any(|p| !REPO.contains(&p.as_str())) {
        return Err(Error::invalid_input("permissions", "a repository token takes one REPO_* permission only"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(s: &str) -> Scopes {
        Scopes::parse(s).unwrap()
    }

    #[test]
    fn the_rules_of_the_sheet() {
        for ok in [
            "PROJECT_READ",
            "REPO_ADMIN",
            "PROJECT_READ REPO_READ",
            "PROJECT_WRITE REPO_ADMIN",
            "PROJECT_ADMIN REPO_ADMIN",
        ] {
            assert!(check(&scopes(ok)).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("", "at least one"),
            ("ADMIN", "global permission ADMIN"),
            ("SYS_ADMIN REPO_READ", "global"),
            ("ACCOUNT_READ", "ACCOUNT_READ is not"),
            ("repo_read", "is not"),
            ("PROJECT_READ PROJECT_WRITE", "at most one"),
            ("REPO_READ REPO_ADMIN", "at most one"),
            ("PROJECT_ADMIN REPO_WRITE", "PROJECT_ADMIN needs a repository permission of at least REPO_ADMIN"),
        ] {
            match check(&scopes(bad)) {
                Err(Error::InvalidInput { field: "permissions", reason }) => {
                    assert!(reason.contains(says), "{bad}: {reason}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn repository_tokens_take_repo_permissions_only() {
        let repo = TokenOwner::Repository { project: "P".into(), repository: "r".into() };
        assert!(check_for(&repo, &scopes("REPO_WRITE")).is_ok());
        assert!(check_for(&repo, &scopes("PROJECT_READ REPO_READ")).is_err());
        assert!(check_for(&TokenOwner::Project("P".into()), &scopes("PROJECT_READ REPO_READ")).is_ok());
    }
}
