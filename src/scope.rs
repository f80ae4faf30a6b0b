//! Scopes: what a token may do, as each provider spells it.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// One scope as the provider spells it, e.g. Azure DevOps `vso.code`, GitLab `read_api`, Gitea
/// `write:repository`.
///
/// The core only checks that a scope is a single well-formed word ([`Scope::new`]); whether the
/// provider knows it is the provider's to check, before it sends anything (the Azure DevOps
/// client refuses anything but `app_token` and `vso.*`). Each provider module names the scopes
/// it documents, e.g. `patkit::azure::scopes`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope(Cow<'static, str>);

/// Longest scope name the core accepts (no provider documents one near it).
pub const MAX_SCOPE_CHARS: usize = 200;

impl Scope {
    /// A scope from a constant, for provider modules' named scopes. Not checked: spell it as
    /// [`Scope::new`] would accept it.
    ///
    /// ```
    /// const READ_API: patkit::Scope = patkit::Scope::from_static("read_api");
    /// assert_eq!(READ_API.as_str(), "read_api");
    /// ```
    pub const fn from_static(s: &'static str) -> Self {
        Self(Cow::Borrowed(s))
    }

    /// A scope as the provider spells it. Refused with [`Error::InvalidInput`] (`field:
    /// "scopes"`): an empty name, one longer than [`MAX_SCOPE_CHARS`], or one holding whitespace
    /// or control characters (a scope list is space-separated on the wire, so such a name would
    /// smuggle in another scope).
    ///
    /// ```
    /// use patkit::Scope;
    /// assert_eq!(Scope::new("write:repository").unwrap().as_str(), "write:repository");
    /// assert!(Scope::new("vso.code vso.build").is_err());
    /// assert!(Scope::new("").is_err());
    /// ```
    pub fn new(s: impl Into<Cow<'static, str>>) -> Result<Self> {
        let s = s.into();
        let chars = s.chars().count();
        if s.is_empty() {
            return Err(Error::invalid_input("scopes", "a scope must not be empty"));
        }
        if chars > MAX_SCOPE_CHARS {
            return Err(Error::invalid_input(
                "scopes",
                format!("a scope is {chars} characters long; at most {MAX_SCOPE_CHARS} are allowed"),
            ));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            let shown: String = s.chars().take(60).map(|c| if c.is_control() { '?' } else { c }).collect();
            return Err(Error::invalid_input(
                "scopes",
                format!("`{shown}` holds whitespace or a control character; a scope is one word"),
            ));
        }
        Ok(Self(s))
    }

    /// The scope as the provider spells it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of scopes, sorted and without duplicates; as text (and serialized), one
/// space-separated string.
///
/// ```
/// use patkit::{Scope, Scopes};
/// let scopes = Scopes::from_iter([Scope::new("vso.work_write")?, Scope::new("vso.code")?]);
/// assert_eq!(scopes.to_string(), "vso.code vso.work_write");
/// assert_eq!(Scopes::parse("vso.work_write  vso.code")?, scopes);
/// # Ok::<(), patkit::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Scopes(BTreeSet<Scope>);

impl Scopes {
    /// Parses a whitespace-separated list. Every name must pass [`Scope::new`]; whether the
    /// provider knows them is checked by the provider.
    pub fn parse(s: &str) -> Result<Self> {
        s.split_whitespace().map(|p| Scope::new(p.to_owned())).collect::<Result<BTreeSet<_>>>().map(Self)
    }

    /// Reads a provider's answer without checking names (what the service says is what the
    /// token has).
    pub(crate) fn from_wire(s: &str) -> Self {
        Self(s.split_whitespace().map(|p| Scope(Cow::Owned(p.to_owned()))).collect())
    }

    /// Whether there are no scopes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many scopes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set holds `scope`.
    pub fn contains(&self, scope: &Scope) -> bool {
        self.0.contains(scope)
    }

    /// The scopes in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.0.iter()
    }

    /// Adds a scope.
    pub fn insert(&mut self, scope: Scope) -> bool {
        self.0.insert(scope)
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.iter()).finish()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for scope in &self.0 {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(scope.as_str())?;
        }
        Ok(())
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let s = <Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::from_wire(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_accepts_any_providers_spelling() {
        for s in ["vso.code", "app_token", "read_api", "write:repository", "REPO_READ", "k8s_proxy"] {
            assert_eq!(Scope::new(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn new_refuses_what_would_break_a_scope_list() {
        let long = "x".repeat(MAX_SCOPE_CHARS + 1);
        for s in ["", "a b", "a\tb", "a\nb", "x\u{7}", long.as_str()] {
            assert!(matches!(Scope::new(s.to_owned()), Err(Error::InvalidInput { field: "scopes", .. })), "{s:?}");
        }
        assert!(Scope::new("x".repeat(MAX_SCOPE_CHARS)).is_ok());
    }

    #[test]
    fn wire_round_trip_sorts_and_dedups() {
        let s = Scopes::parse("vso.work vso.code vso.work").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"vso.code vso.work\"");
        let back: Scopes = serde_json::from_str("\"vso.code  vso.work\"").unwrap();
        assert_eq!(back, s);
    }
}
