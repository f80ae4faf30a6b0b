//! git's credential-helper protocol, as described in `git-credential(1)` ("INPUT/OUTPUT FORMAT")
//! and `gitcredentials(7)` ("CUSTOM HELPERS").
//!
//! git writes a description of the credential to the helper's stdin: one `key=value` line per
//! attribute, ended by a blank line or the end of the stream. The helper answers `get` the same
//! way on stdout. The rules this module implements:
//!
//! - A line is split at its **first** `=`; the value may contain further `=` signs. A line
//!   without `=` is an error (git refuses such input too). A trailing `\r` is dropped (git
//!   reads lines with `strbuf_getline`, which does the same).
//! - Input must be UTF-8 (every value git sends for HTTP remotes is; a PAT is ASCII).
//! - Keys ending in `[]` are **multi-valued** (`capability[]`, `wwwauth[]`): each line appends
//!   a value, and an empty value clears the list (git's own rule for arrays).
//! - A repeated single-valued key keeps its last value.
//! - `url=` is split into `protocol`, `host`, `path` and `username`, overriding earlier lines,
//!   as git does.
//! - `password_expiry_utc` (git 2.40+) is Unix seconds; an unparseable value means "no expiry
//!   known", like git's `parse_timestamp` fallback.
//! - `quit=1`/`quit=true` asks git to stop trying further helpers.
//! - Unknown keys (`oauth_refresh_token`, `authtype`, `credential`, `state[]`, future keys) are
//!   ignored: a helper must not fail on attributes it does not know.
//!
//! When writing, a value must not contain a newline or a NUL byte (git forbids both), and
//! nothing is written for unset attributes. The password is kept in a [`PatSecret`]: its
//! `Debug` output is redacted, and it is exposed only by [`Credential::write_to`].

use std::fmt;
use std::io::{self, Write};

use patkit::PatSecret;
use zeroize::Zeroizing;

/// The longest input accepted from git (a credential description is a few hundred bytes).
pub const MAX_INPUT_BYTES: usize = 64 * 1024;

/// One credential description, as git sends it or as a helper answers.
#[derive(Debug, Default)]
pub struct Credential {
    /// `protocol`, e.g. `https`.
    pub protocol: Option<String>,
    /// `host`, with `:port` when the URL had one.
    pub host: Option<String>,
    /// `path` (sent only with `credential.useHttpPath`), without a leading `/`.
    pub path: Option<String>,
    /// `username`.
    pub username: Option<String>,
    /// `password`. Secret.
    pub password: Option<PatSecret>,
    /// `password_expiry_utc`: when the password stops working, in Unix seconds.
    pub password_expiry_utc: Option<i64>,
    /// `quit`: git should not consult further helpers.
    pub quit: bool,
    /// `capability[]`: what the caller supports (e.g. `authtype`, `state`).
    pub capabilities: Vec<String>,
    /// `wwwauth[]`: the server's `WWW-Authenticate` headers, in order.
    pub wwwauth: Vec<String>,
}

/// Input that does not follow the protocol. Never quotes a value (it could be a password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// Line `line` (1-based) has no `=`.
    MissingEquals {
        /// The 1-based line number.
        line: usize,
    },
    /// Line `line` is not UTF-8.
    NotUtf8 {
        /// The 1-based line number.
        line: usize,
    },
    /// A value to write contains a newline or NUL byte.
    BadValue {
        /// The attribute.
        key: &'static str,
    },
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingEquals { line } => write!(f, "credential input line {line} is not `key=value`"),
            Self::NotUtf8 { line } => write!(f, "credential input line {line} is not UTF-8"),
            Self::BadValue { key } => write!(f, "the value of `{key}` contains a newline or NUL byte"),
        }
    }
}

impl std::error::Error for ProtocolError {}

impl Credential {
    /// Parses git's input: lines up to the first blank line or the end of `input`, whichever
    /// comes first. Bytes after the blank line are not looked at.
    pub fn parse(input: &[u8]) -> Result<Self, ProtocolError> {
        let mut credential = Self::default();
        let mut rest = input;
        let mut number = 0;
        while !rest.is_empty() {
            number += 1;
            let (line, next) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = next;
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                break;
            }
            let line = std::str::from_utf8(line).map_err(|_| ProtocolError::NotUtf8 { line: number })?;
            let (key, value) = line.split_once('=').ok_or(ProtocolError::MissingEquals { line: number })?;
            credential.set(key, value);
        }
        Ok(credential)
    }

    /// Reads and parses git's input from `reader` (up to the blank line or end of stream).
    ///
    /// The input holds the password (for `store` and `erase`): it is read into one buffer of
    /// [`MAX_INPUT_BYTES`], allocated up front so no reallocation leaves a copy behind, and wiped
    /// when this returns. Longer input is refused.
    pub fn read_from(mut reader: impl io::BufRead) -> io::Result<Self> {
        use io::{BufRead as _, Read as _};
        let mut input = Zeroizing::new(Vec::with_capacity(MAX_INPUT_BYTES));
        loop {
            let start = input.len();
            let room = (MAX_INPUT_BYTES - start) as u64;
            let read = (&mut reader).take(room).read_until(b'\n', &mut input)?;
            let line = &input[start..];
            if read == 0 || line == b"\n" || line == b"\r\n" {
                break;
            }
            if !line.ends_with(b"\n") {
                if input.len() == MAX_INPUT_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("credential input is longer than {MAX_INPUT_BYTES} bytes"),
                    ));
                }
                break; // the last line, without a newline
            }
        }
        Self::parse(&input).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    fn set(&mut self, key: &str, value: &str) {
        let owned = || Some(value.to_owned());
        match key {
            "protocol" => self.protocol = owned(),
            "host" => self.host = owned(),
            "path" => self.path = owned(),
            "username" => self.username = owned(),
            "password" => self.password = Some(PatSecret::new(value.to_owned())),
            "password_expiry_utc" => self.password_expiry_utc = value.parse().ok(),
            "quit" => self.quit = matches!(value, "1" | "true"),
            "url" => self.set_url(value),
            "capability[]" => push_or_reset(&mut self.capabilities, value),
            "wwwauth[]" => push_or_reset(&mut self.wwwauth, value),
            _ => {}
        }
    }

    /// git's `url=`: `protocol://[user[:password]@]host[:port][/path]`. Every part the URL has
    /// replaces what was set before; parts it lacks are cleared (git resets the credential).
    fn set_url(&mut self, value: &str) {
        let Some((protocol, rest)) = value.split_once("://") else {
            return;
        };
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (rest, None),
        };
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        self.protocol = Some(protocol.to_owned());
        self.host = Some(host.to_owned());
        self.path = path.filter(|p| !p.is_empty()).map(str::to_owned);
        self.username = userinfo.map(|u| u.split_once(':').map_or(u, |(user, _)| user).to_owned());
        self.password = None;
    }

    /// Writes every set attribute as `key=value` lines (no terminating blank line; git reads to
    /// the end of the helper's output). This is the only place the password is exposed.
    pub fn write_to(&self, out: &mut impl Write) -> Result<(), WriteError> {
        let expiry = self.password_expiry_utc.map(|e| e.to_string());
        let mut fields: Vec<(&'static str, &str)> = [
            ("protocol", self.protocol.as_deref()),
            ("host", self.host.as_deref()),
            ("path", self.path.as_deref()),
            ("username", self.username.as_deref()),
            ("password", self.password.as_ref().map(PatSecret::expose_secret)),
            ("password_expiry_utc", expiry.as_deref()),
        ]
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect();
        fields.extend(self.capabilities.iter().map(|v| ("capability[]", v.as_str())));
        fields.extend(self.wwwauth.iter().map(|v| ("wwwauth[]", v.as_str())));
        if self.quit {
            fields.push(("quit", "1"));
        }
        // The buffer holds the password: allocated once at its final size (no reallocation
        // leaves a copy behind) and wiped when dropped.
        let size = fields.iter().map(|(key, value)| key.len() + value.len() + 2).sum();
        let mut lines = Zeroizing::new(Vec::with_capacity(size));
        for (key, value) in fields {
            push_line(&mut lines, key, value)?;
        }
        out.write_all(&lines).map_err(WriteError::Io)
    }
}

/// Why [`Credential::write_to`] failed.
#[derive(Debug)]
pub enum WriteError {
    /// A value cannot be represented in the protocol.
    Protocol(ProtocolError),
    /// Writing failed.
    Io(io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Protocol(e) => e.fmt(f),
            Self::Io(e) => write!(f, "could not write the answer to git: {e}"),
        }
    }
}

impl std::error::Error for WriteError {}

fn push_line(out: &mut Vec<u8>, key: &'static str, value: &str) -> Result<(), WriteError> {
    if value.bytes().any(|b| b == b'\n' || b == 0) {
        return Err(WriteError::Protocol(ProtocolError::BadValue { key }));
    }
    out.extend_from_slice(key.as_bytes());
    out.push(b'=');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
    Ok(())
}

fn push_or_reset(list: &mut Vec<String>, value: &str) {
    if value.is_empty() {
        list.clear();
    } else {
        list.push(value.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(c: &Credential) -> String {
        let mut out = Vec::new();
        c.write_to(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn parses_what_git_2_47_sends_for_get() {
        let input = b"capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=dev.azure.com\npath=fabrikam/app/_git/app\nwwwauth[]=Bearer authorization_uri=https://login.microsoftonline.com/x\nwwwauth[]=Basic realm=\"https://dev.azure.com/\"\n\nignored=after blank\n";
        let c = Credential::parse(input).unwrap();
        assert_eq!(c.protocol.as_deref(), Some("https"));
        assert_eq!(c.host.as_deref(), Some("dev.azure.com"));
        assert_eq!(c.path.as_deref(), Some("fabrikam/app/_git/app"));
        assert_eq!(c.capabilities, ["authtype", "state"]);
        assert_eq!(c.wwwauth.len(), 2);
        assert!(c.wwwauth[1].starts_with("Basic realm="));
        assert!(c.username.is_none() && c.password.is_none());
    }

    #[test]
    fn store_input_with_expiry_and_crlf() {
        let c = Credential::parse(
            b"protocol=https\r\nhost=x\r\nusername=u\r\npassword=p=q\r\npassword_expiry_utc=1767225600\r\n",
        )
        .unwrap();
        assert_eq!(c.password.unwrap().expose_secret(), "p=q", "split at the first `=` only");
        assert_eq!(c.password_expiry_utc, Some(1_767_225_600));
        assert_eq!(c.host.as_deref(), Some("x"), "CR dropped");
    }

    #[test]
    fn unknown_keys_ignored_bad_lines_refused() {
        let c = Credential::parse(b"oauth_refresh_token=r\nauthtype=Bearer\nstate[]=x\nhost=h\n").unwrap();
        assert_eq!(c.host.as_deref(), Some("h"));
        assert_eq!(Credential::parse(b"host=h\nnonsense\n").unwrap_err(), ProtocolError::MissingEquals { line: 2 });
        assert_eq!(Credential::parse(b"host=\xff\n").unwrap_err(), ProtocolError::NotUtf8 { line: 1 });
    }

    #[test]
    fn arrays_reset_on_empty_value_and_expiry_garbage_is_none() {
        let c =
            Credential::parse(b"wwwauth[]=a\nwwwauth[]=\nwwwauth[]=b\npassword_expiry_utc=soon\nquit=true\n").unwrap();
        assert_eq!(c.wwwauth, ["b"]);
        assert_eq!(c.password_expiry_utc, None);
        assert!(c.quit);
    }

    #[test]
    fn url_is_split_like_git_does() {
        let c = Credential::parse(b"host=old\nurl=https://fabrikam:pw@dev.azure.com/fabrikam/p/_git/r\n").unwrap();
        assert_eq!(c.protocol.as_deref(), Some("https"));
        assert_eq!(c.host.as_deref(), Some("dev.azure.com"));
        assert_eq!(c.username.as_deref(), Some("fabrikam"));
        assert_eq!(c.path.as_deref(), Some("fabrikam/p/_git/r"));
        assert!(c.password.is_none(), "a password in a URL is not taken");
    }

    #[test]
    fn write_refuses_newlines_and_redacts_debug() {
        let c = Credential { username: Some("a\nb".into()), ..Credential::default() };
        assert!(matches!(
            c.write_to(&mut Vec::new()),
            Err(WriteError::Protocol(ProtocolError::BadValue { key: "username" }))
        ));
        let canary = "CANARY-git-protocol-secret-0001";
        let c = Credential { password: Some(PatSecret::new(canary.into())), ..Credential::default() };
        assert!(!format!("{c:?}").contains(canary));
        assert_eq!(written(&c), format!("password={canary}\n"));
    }

    #[test]
    fn the_input_and_output_buffers_holding_the_password_are_wiped() {
        use crate::alloc_scan::{CANARY, assert_the_scanner_sees_unwiped_copies, unwiped_frees};
        assert_the_scanner_sees_unwiped_copies();
        // Long enough that a buffer grown line by line would be reallocated.
        let padding = "x".repeat(300);
        let input =
            format!("protocol=https\nhost=dev.azure.com\npath={padding}\npassword={CANARY}\nwwwauth[]={padding}\n\n");
        let (credential, unwiped) = unwiped_frees(|| Credential::read_from(input.as_bytes()).unwrap());
        assert_eq!(unwiped, 0, "a buffer of git's input was freed holding the password");
        assert_eq!(credential.password.as_ref().unwrap().expose_secret(), CANARY);

        let mut out = Vec::with_capacity(4096);
        let ((), unwiped) = unwiped_frees(|| credential.write_to(&mut out).unwrap());
        assert_eq!(unwiped, 0, "the answer's buffer was freed holding the password");
        assert!(String::from_utf8(out).unwrap().contains(&format!("password={CANARY}\n")));
    }

    #[test]
    fn read_from_stops_at_the_blank_line_and_refuses_oversized_input() {
        let c = Credential::read_from(&b"host=a\r\npassword=p\r\n\r\nhost=b\n"[..]).unwrap();
        assert_eq!(c.host.as_deref(), Some("a"));
        assert_eq!(
            Credential::read_from(&b"host=last-line-without-newline"[..]).unwrap().host.as_deref(),
            Some("last-line-without-newline")
        );
        let fits = format!("host={}\n", "h".repeat(MAX_INPUT_BYTES - 6));
        assert_eq!(Credential::read_from(fits.as_bytes()).unwrap().host.unwrap().len(), MAX_INPUT_BYTES - 6);
        for long in
            [format!("host={}\n", "h".repeat(MAX_INPUT_BYTES)), format!("password={}", "p".repeat(MAX_INPUT_BYTES))]
        {
            let e = Credential::read_from(long.as_bytes()).unwrap_err();
            assert_eq!(e.to_string(), format!("credential input is longer than {MAX_INPUT_BYTES} bytes"));
        }
    }

    fn value() -> impl Strategy<Value = String> {
        // Anything but newline and NUL, including `=`, `\r` inside, spaces and non-ASCII.
        "[^\n\u{0}]{0,40}".prop_filter("a trailing CR is dropped by the reader", |s| !s.ends_with('\r'))
    }

    fn non_empty_value() -> impl Strategy<Value = String> {
        value().prop_filter("array values are non-empty", |s| !s.is_empty())
    }

    prop_compose! {
        fn credential()(
            protocol in proptest::option::of(value()),
            host in proptest::option::of(value()),
            path in proptest::option::of(value()),
            username in proptest::option::of(value()),
            password in proptest::option::of(value()),
            expiry in proptest::option::of(any::<i64>()),
            quit in any::<bool>(),
            capabilities in proptest::collection::vec(non_empty_value(), 0..4),
            wwwauth in proptest::collection::vec(non_empty_value(), 0..4),
        ) -> Credential {
            Credential {
                protocol, host, path, username,
                password: password.map(PatSecret::new),
                password_expiry_utc: expiry, quit, capabilities, wwwauth,
            }
        }
    }

    proptest! {
        #[test]
        fn write_then_parse_roundtrips(c in credential()) {
            let text = written(&c);
            let back = Credential::parse(text.as_bytes()).unwrap();
            prop_assert_eq!(&back.protocol, &c.protocol);
            prop_assert_eq!(&back.host, &c.host);
            prop_assert_eq!(&back.path, &c.path);
            prop_assert_eq!(&back.username, &c.username);
            prop_assert_eq!(back.password.as_ref().map(|p| p.expose_secret().to_owned()), c.password.as_ref().map(|p| p.expose_secret().to_owned()));
            prop_assert_eq!(back.password_expiry_utc, c.password_expiry_utc);
            prop_assert_eq!(back.quit, c.quit);
            prop_assert_eq!(&back.capabilities, &c.capabilities);
            prop_assert_eq!(&back.wwwauth, &c.wwwauth);
            // Through a reader, with a terminating blank line and trailing garbage, too.
            let mut stream = text.into_bytes();
            stream.extend_from_slice(b"\nhost=garbage after the blank line\n");
            let back = Credential::read_from(&stream[..]).unwrap();
            prop_assert_eq!(&back.host, &c.host);
        }

        #[test]
        fn parse_never_panics_and_errors_never_quote_input(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(e) = Credential::parse(&input) {
                let message = e.to_string();
                prop_assert!(message.starts_with("credential input line"));
            }
        }

        #[test]
        fn unknown_keys_never_change_the_result(c in credential(), key in "[a-z_]{1,12}(\\[\\])?", v in value()) {
            prop_assume!(!["protocol", "host", "path", "username", "password", "password_expiry_utc", "quit", "url", "capability[]", "wwwauth[]"].contains(&key.as_str()));
            let mut text = format!("{key}={v}\n");
            text.push_str(&written(&c));
            text.push_str(&format!("{key}={v}\n"));
            let back = Credential::parse(text.as_bytes()).unwrap();
            prop_assert_eq!(&back.host, &c.host);
            prop_assert_eq!(&back.capabilities, &c.capabilities);
            prop_assert_eq!(back.password_expiry_utc, c.password_expiry_utc);
        }

        #[test]
        fn array_order_is_kept(values in proptest::collection::vec(non_empty_value(), 0..8)) {
            let text: String = values.iter().map(|v| format!("wwwauth[]={v}\n")).collect();
            prop_assert_eq!(Credential::parse(text.as_bytes()).unwrap().wwwauth, values);
        }
    }
}
