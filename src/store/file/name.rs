//! Entry names ↔ file names.
//!
//! A name becomes `<escaped>.pat`: the bytes `a`–`z`, `0`–`9`, `-` and `_` stand for themselves;
//! every other byte of the UTF-8 name (upper-case letters, `.`, `/`, `%`, spaces, non-ASCII…) is
//! written `%xx` in lower-case hex. The result is one path component, the same on case-insensitive
//! file systems, never `.`/`..`, and never starts with `.` (so it cannot collide with the
//! `.tmp-*` files writers use).

use crate::store::{StoreError, StoreErrorKind};

/// The extension of entry files.
pub(super) const EXTENSION: &str = ".pat";

/// The longest escaped name accepted, so `<escaped>.pat` stays under the usual 255-byte limit
/// on a file name with room to spare.
pub(super) const MAX_ESCAPED: usize = 240;

/// The file name for the entry `name`.
pub(super) fn file_name(name: &str) -> Result<String, StoreError> {
    if name.is_empty() {
        return Err(StoreError::new(StoreErrorKind::Other, "an entry name must not be empty"));
    }
    let mut out = String::with_capacity(name.len() + EXTENSION.len());
    for &b in name.as_bytes() {
        if is_plain(b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    if out.len() > MAX_ESCAPED {
        return Err(StoreError::new(
            StoreErrorKind::Other,
            format!(
                "entry name {name:?} is too long for the file store ({} bytes escaped, at most {MAX_ESCAPED})",
                out.len()
            ),
        ));
    }
    out.push_str(EXTENSION);
    Ok(out)
}

/// The entry name a file name stands for; `None` if it is not the file name of any entry.
pub(super) fn entry_name(file_name: &str) -> Option<String> {
    let escaped = file_name.strip_suffix(EXTENSION)?;
    if escaped.is_empty() {
        return None;
    }
    let mut bytes = Vec::with_capacity(escaped.len());
    let mut rest = escaped.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if is_plain(b) {
            bytes.push(b);
            rest = tail;
        } else if b == b'%' && tail.len() >= 2 {
            let byte = (hex(tail[0])? << 4) | hex(tail[1])?;
            if is_plain(byte) {
                return None; // never escaped by `file_name`: not canonical
            }
            bytes.push(byte);
            rest = &tail[2..];
        } else {
            return None;
        }
    }
    String::from_utf8(bytes).ok()
}

fn is_plain(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_stay_one_safe_component() {
        for name in ["ci/nuget-feed", "..", ".", "a b", "Case", "case", "ünï/名前", "%2F", "a.pat", "x_y-z09"] {
            let file = file_name(name).unwrap();
            assert!(!file.contains('/') && !file.starts_with('.'), "{file}");
            assert_eq!(file.matches('.').count(), 1, "{file}");
            assert!(file.bytes().all(|b| !b.is_ascii_uppercase()), "{file}");
            assert_eq!(entry_name(&file).as_deref(), Some(name));
        }
        assert_eq!(file_name("ci/nuget-feed").unwrap(), "ci%2fnuget-feed.pat");
        assert_ne!(file_name("Case").unwrap(), file_name("case").unwrap());
    }

    #[test]
    fn foreign_file_names_are_not_entries() {
        for file in ["notes.txt", ".tmp-123", ".pat", "a%2.pat", "A.pat", "a%61.pat", "a%zz.pat", "%ff.pat"] {
            assert_eq!(entry_name(file), None, "{file}");
        }
    }

    #[test]
    fn empty_and_overlong_names_are_refused() {
        assert_eq!(file_name("").unwrap_err().kind(), StoreErrorKind::Other);
        assert!(file_name(&"a".repeat(MAX_ESCAPED)).is_ok());
        assert_eq!(file_name(&"a".repeat(MAX_ESCAPED + 1)).unwrap_err().kind(), StoreErrorKind::Other);
        assert_eq!(file_name(&"/".repeat(81)).unwrap_err().kind(), StoreErrorKind::Other);
    }
}
