//! GitLab's scope vocabulary (fact sheet §2.10) as constants, and a check.
//!
//! ```
//! use patkit::gitlab::scopes;
//! let set = patkit::Scopes::parse("api read_repository")?;
//! scopes::check(&set)?;
//! assert!(scopes::check(&patkit::Scopes::parse("vso.code")?).is_err());
//! # Ok::<_, patkit::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::scope::{Scope, Scopes};

/// Full read/write API, registry, repository.
pub const API: &str = "api";
/// Read-only API.
pub const READ_API: &str = "read_api";
/// Read the authenticated user.
pub const READ_USER: &str = "read_user";
/// Create runners.
pub const CREATE_RUNNER: &str = "create_runner";
/// Manage runners.
pub const MANAGE_RUNNER: &str = "manage_runner";
/// Kubernetes agent proxy.
pub const K8S_PROXY: &str = "k8s_proxy";
/// Rotate itself through `POST /personal_access_tokens/self/rotate`.
pub const SELF_ROTATE: &str = "self_rotate";
/// Git over HTTP, read.
pub const READ_REPOSITORY: &str = "read_repository";
/// Git over HTTP, write.
pub const WRITE_REPOSITORY: &str = "write_repository";
/// Container registry, read.
pub const READ_REGISTRY: &str = "read_registry";
/// Container registry, write.
pub const WRITE_REGISTRY: &str = "write_registry";
/// Virtual registry, read.
pub const READ_VIRTUAL_REGISTRY: &str = "read_virtual_registry";
/// Virtual registry, write.
pub const WRITE_VIRTUAL_REGISTRY: &str = "write_virtual_registry";
/// GitLab Duo APIs.
pub const AI_FEATURES: &str = "ai_features";
/// Act as other users (admins only).
pub const SUDO: &str = "sudo";
/// Admin actions when Admin Mode is on (admins only).
pub const ADMIN_MODE: &str = "admin_mode";
/// The Service Ping payload (admins only).
pub const READ_SERVICE_PING: &str = "read_service_ping";

/// Every scope GitLab knows (§2.10).
pub const ALL: [&str; 17] = [
    API,
    READ_API,
    READ_USER,
    CREATE_RUNNER,
    MANAGE_RUNNER,
    K8S_PROXY,
    SELF_ROTATE,
    READ_REPOSITORY,
    WRITE_REPOSITORY,
    READ_REGISTRY,
    WRITE_REGISTRY,
    READ_VIRTUAL_REGISTRY,
    WRITE_VIRTUAL_REGISTRY,
    AI_FEATURES,
    SUDO,
    ADMIN_MODE,
    READ_SERVICE_PING,
];

/// The only scopes a user may give a token they create for themselves
/// (`POST /user/personal_access_tokens`).
pub const SELF_CREATE_ALLOWED: [&str; 2] = [K8S_PROXY, SELF_ROTATE];

/// `Ok` when every scope is one of [`ALL`] and there is at least one; else
/// [`Error::InvalidInput`] naming the first unknown one.
pub fn check(scopes: &Scopes) -> Result<()> {
    check_within(scopes, &ALL, "a GitLab scope (see patkit::gitlab::scopes::ALL)")
}

/// Scopes for a self-created token: only [`SELF_CREATE_ALLOWED`].
pub(crate) fn check_self_create(scopes: &Scopes) -> Result<()> {
    check_within(
        scopes,
        &SELF_CREATE_ALLOWED,
        "allowed for a token a user creates for themselves (only k8s_proxy, self_rotate)",
    )
}

fn check_within(scopes: &Scopes, allowed: &[&str], what: &str) -> Result<()> {
    if scopes.is_empty() {
        return Err(Error::invalid_input("scopes", "a GitLab token needs at least one scope"));
    }
    if let Some(bad) = scopes.iter().find(|s| !allowed.contains(&s.as_str())) {
        return Err(Error::invalid_input("scopes", format!("`{}` is not {what}", crate::quote::cap(bad.to_string()))));
    }
    Ok(())
}

/// Scopes as GitLab reported them (an array of words); words that are no valid scope are skipped.
pub(crate) fn from_wire(words: &[String]) -> Scopes {
    words.iter().filter_map(|w| Scope::new(w.clone()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vocabulary_is_accepted_and_others_refused() {
        for s in ALL {
            check(&Scopes::parse(s).unwrap()).unwrap();
        }
        assert!(matches!(
            check(&Scopes::parse("api vso.code").unwrap()),
            Err(Error::InvalidInput { field: "scopes", .. })
        ));
        assert!(check(&Scopes::default()).is_err());
        assert!(check_self_create(&Scopes::parse("k8s_proxy self_rotate").unwrap()).is_ok());
        assert!(check_self_create(&Scopes::parse("api").unwrap()).is_err());
    }
}
