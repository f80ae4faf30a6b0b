//! Percent-encoding as the URL Standard does it for http(s) URLs, and the
//! `application/x-www-form-urlencoded` query encoding.
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
        if byte < 0x20 || byte >= 0x7f {
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

fn push_byte(out: &mut String, byte: u8) {
    // Writing to a String cannot fail.
    let _ = write!(out, "%{byte:02X}");
}

/// Appends `text` form-encoded (`application/x-www-form-urlencoded`): `*-._`, ASCII letters and
/// digits as they are, space as `+`, every other byte (UTF-8) as `%XX`.
fn push_form(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'*' | b'-' | b'.' | b'_' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            _ => push_byte(out, byte),
        }
    }
}

/// Appends `name=value`, both form-encoded.
pub(crate) fn push_pair(out: &mut String, name: &str, value: &str) {
    push_form(out, name);
    out.push('=');
    push_form(out, value);
}

/// Appends `name=value`, form-encoded, to a query, after a `&` unless the query is empty.
pub(crate) fn append_pair(query: &mut String, name: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    push_pair(query, name, value);
}

/// The `name=value` pairs of a form-encoded text (a query or a form body), decoded: pairs split
/// on `&` (empty ones skipped), name and value on the first `=` (none: an empty value), `+` read
/// as a space, `%XX` decoded, and bytes that are not UTF-8 replaced by U+FFFD.
pub(crate) fn parse_pairs(input: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    input.split(|b| *b == b'&').filter(|pair| !pair.is_empty()).map(|pair| {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &pair[pair.len()..]),
        };
        (form_decode(name), form_decode(value))
    })
}

fn form_decode(text: &[u8]) -> String {
    let plus_as_space: Vec<u8> = text.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    String::from_utf8_lossy(&percent_decode(&plus_as_space)).into_owned()
}

/// `%XX` decoded (`XX` two hex digits, either case); a `%` not followed by two hex digits is kept
/// as it is. `+` is left alone (it means a space only in form encoding).
pub(crate) fn percent_decode(text: &[u8]) -> Vec<u8> {
    let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match (text[i], hex(text.get(i + 1)), hex(text.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make at most 0xFF.
                out.push(u8::try_from(high * 16 + low).unwrap_or(u8::MAX));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// One path segment percent-decoded into text, bytes that are not UTF-8 replaced by U+FFFD.
pub(crate) fn decode_segment(segment: &str) -> String {
    String::from_utf8_lossy(&percent_decode(segment.as_bytes())).into_owned()
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

    #[test]
    fn form_encoding_keeps_only_unreserved_bytes() {
        let mut query = String::new();
        append_pair(&mut query, "a b", "x+y&z=é~");
        append_pair(&mut query, "$top", "");
        assert_eq!(query, "a+b=x%2By%26z%3D%C3%A9%7E&%24top=");
    }

    #[test]
    fn pairs_decode_plus_percent_and_bad_escapes() {
        let pairs: Vec<_> = parse_pairs(b"a=1&&b&c=x+y%2Bz%zz%4&=v&d=%FF%C3%A9").collect();
        let expected = [("a", "1"), ("b", ""), ("c", "x y+z%zz%4"), ("", "v"), ("d", "\u{fffd}é")];
        assert_eq!(pairs, expected.map(|(k, v)| (k.to_owned(), v.to_owned())));
        assert_eq!(decode_segment("a%2Fb+c%20d%"), "a/b+c d%");
    }
}
