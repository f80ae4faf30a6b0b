//! Percent-encoding as the URL Standard does it for the components of http(s) URLs.
//!
//! Every set encodes the C0 controls, DEL and every non-ASCII byte (UTF-8, `%XX` in upper case);
//! each set adds the ASCII characters its component may not carry. `%` itself is left alone
//! except in a single path segment (text that is not yet encoded).

use std::fmt::Write as _;

/// Which component a text is encoded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Set {
    /// A fragment: also space, `"`, `<`, `>`, `` ` ``.
    Fragment,
    /// A path as parsed: the fragment set plus `#`, `?`, `{`, `}`.
    Path,
    /// One path segment appended to a path: the path set plus `/`, `%` and (http and https
    /// being "special" schemes) `\`.
    PathSegment,
    /// A query as parsed (special schemes): space, `"`, `#`, `<`, `>`, `'`.
    Query,
}

impl Set {
    fn contains(self, byte: u8) -> bool {
        if !(0x20..0x7f).contains(&byte) {
            return true;
        }
        let fragment = matches!(byte, b' ' | b'"' | b'<' | b'>' | b'`');
        let path = fragment || matches!(byte, b'#' | b'?' | b'{' | b'}');
        match self {
            Self::Fragment => fragment,
            Self::Path => path,
            Self::PathSegment => path || matches!(byte, b'/' | b'%' | b'\\'),
            Self::Query => matches!(byte, b' ' | b'"' | b'#' | b'<' | b'>' | b'\''),
        }
    }
}

/// Appends `text` to `out`, each byte of `set` as `%XX`.
pub(crate) fn push_encoded(out: &mut String, text: &str, set: Set) {
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| set.contains(b)) {
        out.push_str(&rest[..at]);
        // Every non-ASCII byte is in every set, so a run of bytes to encode ends on an ASCII
        // byte (or the end): a character boundary.
        let end = at + rest[at..].bytes().take_while(|b| set.contains(*b)).count();
        for byte in rest[at..end].bytes() {
            push_byte(out, byte);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
}

pub(super) fn push_byte(out: &mut String, byte: u8) {
    // Writing to a String cannot fail.
    let _ = write!(out, "%{byte:02X}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(text: &str, set: Set) -> String {
        let mut out = String::new();
        push_encoded(&mut out, text, set);
        out
    }

    #[test]
    fn each_set_encodes_its_characters_and_all_non_ascii() {
        assert_eq!(encoded("a b/c?d#e%f\\g{h}`i'j", Set::PathSegment), "a%20b%2Fc%3Fd%23e%25f%5Cg%7Bh%7D%60i'j");
        assert_eq!(encoded("a b/c?d#e%f{g}", Set::Path), "a%20b/c%3Fd%23e%f%7Bg%7D");
        assert_eq!(encoded("a b'c\"d#e/f?`", Set::Query), "a%20b%27c%22d%23e/f?`");
        assert_eq!(encoded("a b`c#d?", Set::Fragment), "a%20b%60c#d?");
        assert_eq!(encoded("é\u{0}\u{7f}ü", Set::Query), "%C3%A9%00%7F%C3%BC");
        assert_eq!(encoded("~!$&()*+,;=:@[]|^", Set::PathSegment), "~!$&()*+,;=:@[]|^");
    }
}
