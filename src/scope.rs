//! Scopes: what a token may do, as each provider spells it.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

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
        Self::check(&s)?;
        Ok(Self(s))
    }

    /// What [`Scope::new`] refuses.
    fn check(s: &str) -> Result<()> {
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
        Ok(())
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
#[derive(Default)]
pub struct Scopes {
    /// The set as one string: the names sorted, unique, separated by one space. A listing reads
    /// one of these per token and most callers only print, store or resend it, so this is all
    /// that is built then: one allocation per token, or none when the token before it in the
    /// listing had the same scopes (a listing shares their text; clones share it too).
    text: Arc<str>,
    /// The names as [`Scope`]s, built on the first [`iter`](Scopes::iter).
    list: OnceLock<Vec<Scope>>,
}

impl Scopes {
    /// Parses a whitespace-separated list. Every name must pass [`Scope::new`]; whether the
    /// provider knows them is checked by the provider.
    pub fn parse(s: &str) -> Result<Self> {
        for word in s.split_whitespace() {
            Scope::check(word)?;
        }
        Ok(Self::from_wire(s))
    }

    /// Reads a provider's answer without checking names (what the service says is what the
    /// token has).
    pub(crate) fn from_wire(s: &str) -> Self {
        // One pass over the names: keep the first few, and see whether `s` is already canonical
        // (most answers are: then the set is a copy of them).
        let mut few = [""; 8];
        let (mut count, mut name_bytes) = (0, 0);
        let mut ascending = true;
        let mut previous = "";
        for name in names(s) {
            ascending &= count == 0 || previous < name;
            previous = name;
            if let Some(slot) = few.get_mut(count) {
                *slot = name;
            }
            count += 1;
            name_bytes += name.len();
        }
        // Names in order, and the rest of `s` exactly one space between each.
        if count > 0
            && ascending
            && s.len() == name_bytes + count - 1
            && s.bytes().filter(|&b| b == b' ').count() == count - 1
        {
            return Self { text: Arc::from(s), list: OnceLock::new() };
        }
        if count > few.len() {
            let mut many: Vec<&str> = names(s).collect();
            many.sort_unstable();
            return Self::joined(&many);
        }
        let few = &mut few[..count];
        few.sort_unstable();
        Self::joined(few)
    }

    /// The set of the sorted `names`, a repeated name kept once.
    fn joined(names: &[&str]) -> Self {
        let mut text = String::with_capacity(names.iter().map(|n| n.len() + 1).sum());
        let mut previous = None;
        for &name in names {
            if previous.replace(name) != Some(name) {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(name);
            }
        }
        Self { text: Arc::from(text), list: OnceLock::new() }
    }

    /// The names, in order, as the provider spells them.
    fn words(&self) -> std::str::Split<'_, char> {
        let mut words = self.text.split(' ');
        if self.text.is_empty() {
            words.next(); // `"".split(' ')` yields one empty name
        }
        words
    }

    /// Whether there are no scopes.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// How many scopes.
    pub fn len(&self) -> usize {
        self.words().count()
    }

    /// Whether the set holds `scope`.
    pub fn contains(&self, scope: &Scope) -> bool {
        self.words().any(|w| w == scope.as_str())
    }

    /// The scopes in order.
    pub fn iter(&self) -> impl Iterator<Item = &Scope> {
        self.list.get_or_init(|| self.words().map(|w| Scope(Cow::Owned(w.to_owned()))).collect()).iter()
    }

    /// Adds a scope.
    pub fn insert(&mut self, scope: Scope) -> bool {
        if self.contains(&scope) {
            return false;
        }
        let mut names: Vec<&str> = self.words().collect();
        let at = names.partition_point(|n| *n < scope.as_str());
        names.insert(at, scope.as_str());
        *self = Self::joined(&names);
        true
    }
}

impl Clone for Scopes {
    fn clone(&self) -> Self {
        Self { text: self.text.clone(), list: OnceLock::new() }
    }
}

impl PartialEq for Scopes {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Scopes {}

impl std::hash::Hash for Scopes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.words()).finish()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut list: Vec<Scope> = iter.into_iter().collect();
        list.sort_unstable();
        list.dedup();
        let scopes = Self::joined(&list.iter().map(Scope::as_str).collect::<Vec<_>>());
        let _ = scopes.list.set(list);
        scopes
    }
}

impl Serialize for Scopes {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Scopes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_str(WireVisitor)
    }
}

/// Whether `b` is whitespace to `char::is_whitespace`, for ASCII: tab, line feed, vertical tab,
/// form feed, carriage return and space.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// The names in `s`, split where `str::split_whitespace` splits (byte by byte when `s` is ASCII,
/// as scopes are).
fn names(s: &str) -> impl Iterator<Item = &str> + Clone {
    let ascii = s.is_ascii();
    let mut unicode = s.split_whitespace();
    let mut rest = s;
    std::iter::from_fn(move || {
        if !ascii {
            return unicode.next();
        }
        let bytes = rest.as_bytes();
        let start = bytes.iter().position(|&b| !is_ascii_space(b))?;
        let end = bytes[start..].iter().position(|&b| is_ascii_space(b)).map_or(bytes.len(), |n| start + n);
        let name = &rest[start..end];
        rest = &rest[end..];
        Some(name)
    })
}

/// Reads a scope list straight from the parser's buffer when it can (no copy of the string).
struct WireVisitor;

impl serde::de::Visitor<'_> for WireVisitor {
    type Value = Scopes;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a space-separated scope list")
    }

    fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Scopes, E> {
        Ok(Scopes::from_wire(s))
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

    #[test]
    fn a_set_whatever_the_order_it_was_built_in() {
        let mut built = Scopes::default();
        assert!(built.insert(Scope::from_static("b")));
        assert!(built.insert(Scope::from_static("a")));
        assert!(!built.insert(Scope::from_static("b")));
        assert!(built.insert(Scope::from_static("c")));
        let collected = Scopes::from_iter(["c", "a", "b", "a"].map(Scope::from_static));
        assert_eq!(built, collected);
        assert_eq!(collected.to_string(), "a b c");
        assert!(collected.contains(&Scope::from_static("b")) && !collected.contains(&Scope::from_static("d")));
        assert_eq!(Scopes::from_wire(" c b  b a "), collected);
        assert_eq!(collected.iter().map(Scope::as_str).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(collected.len(), 3);
        assert_eq!(format!("{collected:?}"), r#"{"a", "b", "c"}"#);
    }

    proptest::proptest! {
        /// Whatever the spelling (order, repeats, any whitespace, many names), the set is the
        /// sorted unique names joined by one space.
        #[test]
        fn from_wire_is_the_sorted_unique_names(s in "([a-d.]{0,3}[ \t\n\u{b}\u{a0}\u{2003}]{0,2}){0,12}") {
            let mut names: Vec<&str> = s.split_whitespace().collect();
            names.sort_unstable();
            names.dedup();
            let scopes = Scopes::from_wire(&s);
            proptest::prop_assert_eq!(scopes.to_string(), names.join(" "));
            proptest::prop_assert_eq!(scopes.len(), names.len());
            proptest::prop_assert_eq!(scopes.iter().map(Scope::as_str).collect::<Vec<_>>(), names);
        }
    }

    #[test]
    fn the_empty_set() {
        for empty in [Scopes::default(), Scopes::from_wire(""), Scopes::from_wire("  "), Scopes::parse("").unwrap()] {
            assert!(empty.is_empty());
            assert_eq!(empty.len(), 0);
            assert_eq!(empty.iter().count(), 0);
            assert_eq!(empty.to_string(), "");
            assert_eq!(empty, Scopes::default());
        }
        let mut one = Scopes::default();
        assert!(one.insert(Scope::from_static("x")));
        assert_eq!((one.len(), one.to_string()), (1, "x".to_owned()));
    }

    #[test]
    fn a_canonical_wire_string_is_kept_as_it_is_and_others_normalized() {
        for (wire, text) in [
            ("a b", "a b"),
            ("b a", "a b"),
            ("a  b", "a b"),
            (" a b", "a b"),
            ("a b ", "a b"),
            ("a a", "a"),
            ("a\tb", "a b"),
        ] {
            let scopes = Scopes::from_wire(wire);
            assert_eq!(scopes.to_string(), text, "{wire:?}");
            assert_eq!(scopes, Scopes::from_iter(text.split(' ').map(|w| Scope::new(w.to_owned()).unwrap())));
        }
    }
}
