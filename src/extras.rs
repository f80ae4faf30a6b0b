//! Provider-specific attributes of a token, carried through the neutral layers untouched.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Attributes a provider keeps on a token beyond the neutral ones (Azure DevOps: which
/// organizations it works in; GitLab: description, access level), as `key = value` strings.
///
/// The neutral layers never interpret them: they copy them from a token to the spec of its
/// replacement (through [`PatProvider::replacement_spec`](crate::PatProvider::replacement_spec)),
/// persist them with a stored token, and print them. Each provider documents its keys and offers
/// typed accessors (e.g. `patkit::azure::Targets`); a key a provider does
/// not know in a create or update request is refused with
/// [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is sent. Values are never
/// secret.
///
/// ```
/// use patkit::Extras;
/// let mut extras = Extras::new();
/// extras.insert("access_level", "30");
/// assert_eq!(extras.get("access_level"), Some("30"));
/// assert_eq!(format!("{extras:?}"), r#"{"access_level": "30"}"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Extras(BTreeMap<String, String>);

impl Extras {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(key.into(), value.into())
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.0.remove(key)
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The attributes, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Builder form of [`insert`](Self::insert).
    ///
    /// ```
    /// let extras = patkit::Extras::new().with("targets", "*");
    /// assert_eq!(extras.get("targets"), Some("*"));
    /// ```
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(key, value);
        self
    }
}

impl fmt::Debug for Extras {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Extras {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}
