//! `application/x-www-form-urlencoded` pairs, as queries and form bodies carry them, and
//! percent-decoding.

use super::HttpUrl;
use super::encode::push_byte;

impl HttpUrl {
    /// The query's `name=value` pairs, decoded (see [`parse_pairs`]).
    pub(crate) fn query_pairs(&self) -> impl Iterator<Item = (String, String)> + '_ {
        parse_pairs(self.query().unwrap_or("").as_bytes())
    }

    /// Appends `name=value` to the query, form-encoded (as `url`'s
    /// `query_pairs_mut().append_pair` does), after a `&` unless the query is empty.
    pub(crate) fn append_pair(&mut self, name: &str, value: &str) -> &mut Self {
        self.extend_pairs([(name, value)])
    }

    /// [`append_pair`](Self::append_pair) for each pair in turn. With no pairs the URL is left
    /// as it is (`url` would add an empty query, a lone `?`).
    pub(crate) fn extend_pairs<I, K, V>(&mut self, pairs: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let fragment = self.fragment_start.take().map(|at| self.serialization.split_off(at));
        for (name, value) in pairs {
            match self.query_start {
                None => {
                    self.query_start = Some(self.serialization.len());
                    self.serialization.push('?');
                }
                Some(at) if self.serialization.len() > at + 1 => self.serialization.push('&'),
                Some(_) => {}
            }
            push_pair(&mut self.serialization, name.as_ref(), value.as_ref());
        }
        if let Some(fragment) = fragment {
            self.fragment_start = Some(self.serialization.len());
            self.serialization.push_str(&fragment);
        }
        self
    }
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
