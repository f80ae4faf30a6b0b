//! Provider-specific attributes of a token, carried through the neutral layers untouched.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
///
/// Serialized as a JSON object (keys sorted).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Extras(Entries);

/// One attribute; a provider's constant keys are borrowed, not copied per listed token, and a
/// value can be shared (a listing gives the tokens that share a value one copy of it).
type Entry = (Cow<'static, str>, Arc<str>);

/// The attributes, sorted by key, keys unique. A listed token carries one attribute (Azure
/// DevOps: its targets), which is kept without a heap allocation of its own. `One` holds
/// exactly one entry and `Many` two or more, so the derived equality is the maps' equality.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
enum Entries {
    #[default]
    Empty,
    One([Entry; 1]),
    Many(Vec<Entry>),
}

impl Entries {
    fn as_slice(&self) -> &[Entry] {
        match self {
            Self::Empty => &[],
            Self::One(one) => one,
            Self::Many(many) => many,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Entry] {
        match self {
            Self::Empty => &mut [],
            Self::One(one) => one,
            Self::Many(many) => many,
        }
    }

    fn insert(&mut self, at: usize, entry: Entry) {
        *self = match std::mem::take(self) {
            Self::Empty => Self::One([entry]),
            Self::One([only]) => {
                let mut many = Vec::with_capacity(2);
                many.push(only);
                many.insert(at, entry);
                Self::Many(many)
            }
            Self::Many(mut many) => {
                many.insert(at, entry);
                Self::Many(many)
            }
        };
    }

    fn remove(&mut self, at: usize) -> Option<Entry> {
        let (removed, rest) = match std::mem::take(self) {
            Self::Empty => (None, Self::Empty),
            Self::One([only]) => (Some(only), Self::Empty),
            Self::Many(mut many) => {
                let removed = (at < many.len()).then(|| many.remove(at));
                let rest = match many.len() {
                    1 => Self::One([many.remove(0)]),
                    _ => Self::Many(many),
                };
                (removed, rest)
            }
        };
        *self = rest;
        removed
    }
}

impl Extras {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.find(key).ok().map(|i| &*self.0.as_slice()[i].1)
    }

    /// One attribute under a constant key (what a provider's wire conversion builds per token).
    #[cfg(any(feature = "azure", test))]
    pub(crate) fn one(key: &'static str, value: Arc<str>) -> Self {
        Self(Entries::One([(Cow::Borrowed(key), value)]))
    }

    fn find(&self, key: &str) -> std::result::Result<usize, usize> {
        self.0.as_slice().binary_search_by(|(k, _)| k.as_ref().cmp(key))
    }

    /// Sets `key` to `value`, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Option<String> {
        let key = key.into();
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0.as_mut_slice()[i].1, Arc::from(value.into())).to_string()),
            Err(i) => {
                self.0.insert(i, (Cow::Owned(key), Arc::from(value.into())));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let at = self.find(key).ok()?;
        self.0.remove(at).map(|(_, value)| value.to_string())
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.0.as_slice().is_empty()
    }

    /// The attributes, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.as_slice().iter().map(|(k, v)| (k.as_ref(), &**v))
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
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Extras {
    /// A key given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let map: BTreeMap<String, String> = iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        let mut entries: Vec<Entry> = map.into_iter().map(|(k, v)| (Cow::Owned(k), Arc::from(v))).collect();
        Self(match entries.len() {
            0 => Entries::Empty,
            1 => Entries::One([entries.remove(0)]),
            _ => Entries::Many(entries),
        })
    }
}

impl Serialize for Extras {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Extras {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        BTreeMap::<String, String>::deserialize(deserializer).map(Extras::from_iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_sorted_by_key_whatever_the_insertion_order() {
        let mut extras = Extras::new();
        assert_eq!(extras.insert("b", "1"), None);
        assert_eq!(extras.insert("a", "2"), None);
        assert_eq!(extras.insert("b", "3"), Some("1".to_owned()));
        assert_eq!(extras.iter().collect::<Vec<_>>(), [("a", "2"), ("b", "3")]);
        assert_eq!(extras.remove("a"), Some("2".to_owned()));
        assert_eq!(extras.remove("a"), None);
        assert_eq!(extras, Extras::one("b", Arc::from("3")));
        assert_eq!(extras, Extras::new().with("b", "3"));
        assert_eq!(extras.remove("b"), Some("3".to_owned()));
        assert_eq!(extras, Extras::new());
        assert!(extras.is_empty());
        let three = Extras::new().with("c", "3").with("a", "1").with("b", "2");
        let mut two = three.clone();
        assert_eq!(two.remove("c"), Some("3".to_owned()));
        assert_eq!(two, Extras::from_iter([("a", "1"), ("b", "2")]));
        let mut one = two.clone();
        one.remove("a");
        assert_eq!(one, Extras::one("b", Arc::from("2")));
        // Equal maps hash alike, however they were built.
        use std::hash::{BuildHasher as _, RandomState};
        let state = RandomState::new();
        assert_eq!(state.hash_one(&one), state.hash_one(Extras::new().with("b", "2")));
        assert_eq!(state.hash_one(&two), state.hash_one(Extras::new().with("b", "2").with("a", "1")));
        assert_eq!(
            Extras::from_iter([("z", "1"), ("y", "2"), ("z", "3")]).iter().collect::<Vec<_>>(),
            [("y", "2"), ("z", "3")]
        );
    }

    #[test]
    fn serialized_as_an_object_with_sorted_keys() {
        let extras = Extras::new().with("targets", "*").with("access_level", "30");
        let json = serde_json::to_string(&extras).unwrap();
        assert_eq!(json, r#"{"access_level":"30","targets":"*"}"#);
        assert_eq!(serde_json::from_str::<Extras>(&json).unwrap(), extras);
        assert_eq!(serde_json::from_str::<Extras>(r#"{"b":"1","a":"2"}"#).unwrap().get("a"), Some("2"));
    }
}
