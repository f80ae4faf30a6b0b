//! The host of an http(s) URL: an ASCII name, an IPv4 address or a bracketed IPv6 address.

use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::UrlError;

/// A parsed host. Names are ASCII only, in lower case: a name in another script is refused
/// rather than converted (no IDNA tables are built into patkit); its punycode form (`xn--…`),
/// which is what DNS and TLS certificates carry anyway, is accepted as it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A host name: ASCII letters (lowered), digits, `-`, `_` and dots between non-empty labels
    /// (one trailing dot allowed).
    Domain(String),
    /// A dotted-decimal IPv4 address (four numbers 0-255, no leading zeros).
    Ipv4(Ipv4Addr),
    /// An IPv6 address, written in brackets.
    Ipv6(Ipv6Addr),
}

impl Host {
    /// Parses a host as a URL's authority writes it (IPv6 in brackets, no port).
    ///
    /// Stricter than the URL Standard, never looser: a name whose last label is a number must
    /// be a plain dotted-decimal IPv4 address (the standard would also read `127.1` or
    /// `0x7f.0.0.1` as one); percent-encoded names and characters other than the ones above
    /// are refused.
    pub(crate) fn parse(text: &str) -> Result<Self, UrlError> {
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(UrlError::Host("an IPv6 address lacks its closing `]`"))?;
            return inner.parse().map(Self::Ipv6).map_err(|_| UrlError::Host("not a valid IPv6 address"));
        }
        if text.is_empty() {
            return Err(UrlError::Host("the host is empty"));
        }
        if !text.is_ascii() {
            return Err(UrlError::NonAsciiHost);
        }
        if !text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            return Err(UrlError::Host("the host holds a character a host name cannot have"));
        }
        let name = text.strip_suffix('.').unwrap_or(text);
        if name.split('.').any(str::is_empty) {
            return Err(UrlError::Host("the host has an empty label"));
        }
        if name.rsplit('.').next().is_some_and(is_number) {
            return text.parse().map(Self::Ipv4).map_err(|_| {
                UrlError::Host("a host ending in a number must be a dotted-decimal IPv4 address (like 127.0.0.1)")
            });
        }
        Ok(Self::Domain(text.to_ascii_lowercase()))
    }

    /// Whether this is a loopback destination: `localhost`, `127.0.0.0/8` or `::1`.
    pub(crate) fn is_loopback(&self) -> bool {
        match self {
            Self::Domain(name) => name == "localhost",
            Self::Ipv4(ip) => ip.is_loopback(),
            Self::Ipv6(ip) => ip.is_loopback(),
        }
    }

    /// Appends the host as a URL writes it.
    pub(crate) fn serialize(&self, out: &mut String) {
        match self {
            Self::Domain(name) => out.push_str(name),
            // Writing to a String cannot fail.
            Self::Ipv4(ip) => {
                let _ = write!(out, "{ip}");
            }
            Self::Ipv6(ip) => serialize_ipv6(*ip, out),
        }
    }
}

/// Whether a label is a number the URL Standard would read as part of an IPv4 address: decimal
/// digits, or `0x` and hexadecimal digits.
fn is_number(label: &str) -> bool {
    let hex = label.strip_prefix("0x").or_else(|| label.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// `[…]` as the URL Standard writes an IPv6 address: lower-case hex pieces without leading
/// zeros, the first longest run of two or more zero pieces as `::`, no embedded IPv4 form (std's
/// `Display` writes `::ffff:1.2.3.4`; URLs write `::ffff:102:304`).
fn serialize_ipv6(ip: Ipv6Addr, out: &mut String) {
    let pieces = ip.segments();
    let mut run: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < pieces.len() {
        let len = pieces[i..].iter().take_while(|p| **p == 0).count();
        if len >= 2 && run.is_none_or(|(_, longest)| len > longest) {
            run = Some((i, len));
        }
        i += len.max(1);
    }
    out.push('[');
    let mut i = 0;
    while i < pieces.len() {
        if let Some((start, len)) = run
            && start == i
        {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += len;
            continue;
        }
        let _ = write!(out, "{:x}", pieces[i]);
        if i + 1 < pieces.len() {
            out.push(':');
        }
        i += 1;
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        let mut out = String::new();
        Host::parse(text).unwrap().serialize(&mut out);
        out
    }

    #[test]
    fn names_are_lowered_and_addresses_normalised() {
        assert_eq!(shown("Dev.Azure.COM"), "dev.azure.com");
        assert_eq!(shown("xn--nxasmq6b.example."), "xn--nxasmq6b.example.");
        assert_eq!(shown("127.0.0.1"), "127.0.0.1");
        assert_eq!(shown("[0:0:0:0:0:0:0:1]"), "[::1]");
        assert_eq!(shown("[2001:DB8:0:0:1:0:0:1]"), "[2001:db8::1:0:0:1]");
        assert_eq!(shown("[::ffff:1.2.3.4]"), "[::ffff:102:304]");
        assert_eq!(shown("[1:0:2:3:4:5:6:7]"), "[1:0:2:3:4:5:6:7]");
        assert_eq!(shown("[1::]"), "[1::]");
    }

    #[test]
    fn unclear_hosts_are_refused() {
        assert_eq!(Host::parse("bücher.example"), Err(UrlError::NonAsciiHost));
        for bad in ["", "a..b", ".a", "a b", "a%41", "127.1", "0x7f.0.0.1", "127.0.0.01", "a.0x", "[::1", "[1.2.3.4]"] {
            assert!(Host::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn loopback_is_localhost_127_8_and_v6_one() {
        for yes in ["localhost", "LOCALHOST", "127.0.0.1", "127.9.9.9", "[::1]"] {
            assert!(Host::parse(yes).unwrap().is_loopback(), "{yes}");
        }
        for no in ["localhost.", "localhost.evil.com", "10.0.0.1", "[::ffff:127.0.0.1]", "[::2]"] {
            assert!(!Host::parse(no).unwrap().is_loopback(), "{no}");
        }
    }
}
