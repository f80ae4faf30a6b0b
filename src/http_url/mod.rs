//! patkit's own absolute URL for `http` and `https`: what its clients need from a URL (a base a
//! user configures, path segments and query pairs appended below it, the host classified as
//! loopback or not), without the `url` crate and the Unicode tables its IDNA support builds.
//!
//! It accepts a subset of what the URL Standard (and `url`) accepts and writes those URLs the
//! same way `url` does: the scheme and host in lower case, the default port dropped, an empty
//! path as `/`, the characters a component may not carry percent-encoded. Outside that subset
//! it refuses rather than guesses:
//!
//! - `user:password@` before the host ([`UrlError::UserInfo`]): credentials are configured
//!   separately, never carried in a URL that is shown in errors and logs;
//! - a host name that is not ASCII ([`UrlError::NonAsciiHost`]): write its punycode (`xn--…`)
//!   form; and the other host forms listed at [`Host::parse`];
//! - anything but exactly `//` after the scheme, a `\` in the path, a `.` or `..` path segment,
//!   and a tab or line break anywhere (the standard would drop or rewrite each silently).
//!
//! The unit tests and a property test compare its output with `url`'s (a dev-dependency).

mod encode;
// Query pairs are written by the providers' clients and read by their pagination, the mock
// transport and the emulators; the neutral layers (stores, hooks) use none of it, and a build
// with only some of those features leaves some of it unused.
#[cfg_attr(not(all(feature = "emulator", feature = "gitlab", feature = "github")), allow(dead_code, unused_imports))]
mod form;
mod host;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

#[cfg_attr(not(all(feature = "emulator", feature = "gitlab", feature = "github")), allow(unused_imports))]
pub(crate) use form::{append_pair, decode_segment, parse_pairs};
pub(crate) use host::Host;

use encode::Set;

/// Why a text is not an http(s) URL patkit accepts. `Display` is a reason that never quotes the
/// text (it may carry a password or a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UrlError {
    /// No `scheme:` at the start, or not `//` after it.
    NotAbsolute,
    /// A scheme other than `http` or `https`.
    Scheme,
    /// A user name or password before the host.
    UserInfo,
    /// A host name outside ASCII (use its punycode form).
    NonAsciiHost,
    /// Another host that is not accepted.
    Host(&'static str),
    /// A port that is not a number from 0 to 65535.
    Port,
    /// A path, query or fragment that is not accepted.
    Syntax(&'static str),
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAbsolute => f.write_str("not an absolute http(s) URL (`https://host/…`)"),
            Self::Scheme => f.write_str("the scheme must be http or https"),
            Self::UserInfo => f.write_str("must not carry a user name or password (`user:password@host`)"),
            Self::NonAsciiHost => f.write_str("the host name is not ASCII: write it in its punycode form (`xn--…`)"),
            Self::Host(why) | Self::Syntax(why) => f.write_str(why),
            Self::Port => f.write_str("the port is not a number from 0 to 65535"),
        }
    }
}

impl std::error::Error for UrlError {}

/// An absolute `http` or `https` URL, kept in its written form.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct HttpUrl {
    serialization: String,
    https: bool,
    host: Host,
    /// Where the host ends in `serialization`.
    host_end: usize,
    port: Option<u16>,
    /// Where the path (always starting with `/`) starts.
    path_start: usize,
    /// Where the `?` is, if there is a query.
    query_start: Option<usize>,
    /// Where the `#` is, if there is a fragment.
    fragment_start: Option<usize>,
}

impl HttpUrl {
    /// Parses an absolute http(s) URL (leading and trailing spaces and control characters are
    /// trimmed, as the URL Standard does).
    pub(crate) fn parse(input: &str) -> Result<Self, UrlError> {
        let input = input.trim_matches(|c: char| c <= ' ');
        if input.contains(['\t', '\n', '\r']) {
            return Err(UrlError::Syntax("the URL holds a tab or a line break"));
        }
        let (scheme, rest) = input.split_once(':').ok_or(UrlError::NotAbsolute)?;
        let https = if scheme.eq_ignore_ascii_case("https") {
            true
        } else if scheme.eq_ignore_ascii_case("http") {
            false
        } else if scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            return Err(UrlError::Scheme);
        } else {
            return Err(UrlError::NotAbsolute);
        };
        let rest = rest.strip_prefix("//").ok_or(UrlError::NotAbsolute)?;
        let authority_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(UrlError::UserInfo);
        }
        let (host, port) = split_port(authority)?;
        let host = Host::parse(host)?;
        let default_port = if https { 443 } else { 80 };
        let port = port.filter(|p| *p != default_port);

        let mut serialization = String::from(if https { "https://" } else { "http://" });
        host.serialize(&mut serialization);
        let host_end = serialization.len();
        if let Some(port) = port {
            serialization.push(':');
            serialization.push_str(&port.to_string());
        }

        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (rest, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let path_start = serialization.len();
        if path.is_empty() {
            serialization.push('/');
        } else {
            check_path(path)?;
            encode::push_encoded(&mut serialization, path, Set::Path);
        }
        let query_start = query.map(|query| {
            let start = serialization.len();
            serialization.push('?');
            encode::push_encoded(&mut serialization, query, Set::Query);
            start
        });
        let fragment_start = fragment.map(|fragment| {
            let start = serialization.len();
            serialization.push('#');
            encode::push_encoded(&mut serialization, fragment, Set::Fragment);
            start
        });
        Ok(Self { serialization, https, host, host_end, port, path_start, query_start, fragment_start })
    }

    /// The URL as written.
    pub(crate) fn as_str(&self) -> &str {
        &self.serialization
    }

    /// `http` or `https`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The host.
    pub(crate) fn host(&self) -> &Host {
        &self.host
    }

    /// The host as written (an IPv6 address in brackets).
    pub(crate) fn host_str(&self) -> &str {
        &self.serialization[self.scheme().len() + "://".len()..self.host_end]
    }

    /// The port, or the scheme's default (80, 443). (Only the tests read it, against `url`.)
    #[cfg(test)]
    pub(crate) fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(if self.https { 443 } else { 80 })
    }

    /// The path, starting with `/`. (Only the tests read it, against `url`.)
    #[cfg(test)]
    pub(crate) fn path(&self) -> &str {
        &self.serialization
            [self.path_start..self.query_start.or(self.fragment_start).unwrap_or(self.serialization.len())]
    }

    /// The query without its `?`, if there is one (maybe empty).
    pub(crate) fn query(&self) -> Option<&str> {
        let start = self.query_start? + 1;
        Some(&self.serialization[start..self.fragment_start.unwrap_or(self.serialization.len())])
    }

    /// The fragment without its `#`, if there is one (maybe empty).
    pub(crate) fn fragment(&self) -> Option<&str> {
        Some(&self.serialization[self.fragment_start? + 1..])
    }

    /// Appends path segments: one trailing `/` of the path is dropped first, then each segment
    /// is added after a `/`, percent-encoded as one segment (`/`, `%`, `?`, `#`, `\`, space,
    /// controls and non-ASCII among others), as `url`'s `path_segments_mut().pop_if_empty()
    /// .extend(…)` does — `.` and `..` segments are skipped, as there (they would move the path
    /// when the URL is read back). One difference: a tab or line break is encoded (`%09`, `%0A`,
    /// `%0D`) where `url` drops it, so such a segment is never sent as another one.
    pub(crate) fn push_segments<I>(&mut self, segments: I) -> &mut Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let path_end = self.query_start.or(self.fragment_start).unwrap_or(self.serialization.len());
        let after_path = self.serialization.split_off(path_end);
        let after_first_slash = self.path_start + 1;
        if self.serialization.len() > after_first_slash && self.serialization.ends_with('/') {
            self.serialization.pop();
        }
        for segment in segments {
            let segment = segment.as_ref();
            if matches!(segment, "." | "..") {
                continue;
            }
            if self.serialization.len() > after_first_slash {
                self.serialization.push('/');
            }
            encode::push_encoded(&mut self.serialization, segment, Set::PathSegment);
        }
        let new_end = self.serialization.len();
        self.query_start = self.query_start.map(|at| at - path_end + new_end);
        self.fragment_start = self.fragment_start.map(|at| at - path_end + new_end);
        self.serialization.push_str(&after_path);
        self
    }
}

/// Splits `host[:port]` (the host maybe a bracketed IPv6 address); an empty port is no port.
fn split_port(authority: &str) -> Result<(&str, Option<u16>), UrlError> {
    let colon = match authority.rfind(']') {
        Some(end) if authority.starts_with('[') => match &authority[end + 1..] {
            "" => None,
            after if after.starts_with(':') => Some(end + 1),
            _ => return Err(UrlError::Host("text after an IPv6 address's `]` that is not a port")),
        },
        _ => authority.find(':'),
    };
    let Some(colon) = colon else {
        return Ok((authority, None));
    };
    let (host, port) = (&authority[..colon], &authority[colon + 1..]);
    if port.is_empty() {
        return Ok((host, None));
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::Port);
    }
    // Leading zeros are allowed (`:0080` is port 80), however many.
    let port = port.trim_start_matches('0');
    let port = if port.is_empty() { 0 } else { port.parse().map_err(|_| UrlError::Port)? };
    Ok((host, Some(port)))
}

/// Refuses what the URL Standard would rewrite in a path: `\` (read as `/`) and `.`/`..`
/// segments, also percent-encoded (`%2e`), which it resolves.
fn check_path(path: &str) -> Result<(), UrlError> {
    if path.contains('\\') {
        return Err(UrlError::Syntax("the path holds a `\\`"));
    }
    let dots = |segment: &str| {
        let lower = segment.to_ascii_lowercase();
        matches!(lower.as_str(), "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e.")
    };
    if path.split('/').any(dots) {
        return Err(UrlError::Syntax("the path has a `.` or `..` segment"));
    }
    Ok(())
}

impl FromStr for HttpUrl {
    type Err = UrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialization)
    }
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HttpUrl").field(&self.serialization).finish()
    }
}
