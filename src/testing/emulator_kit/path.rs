//! Request paths as every emulator reads them: percent-decoded segments.

/// One percent-decoded path segment (`+` kept: only form decoding reads it as a space; bytes
/// that are not UTF-8 replaced by U+FFFD).
pub(crate) fn decode_segment(segment: &str) -> String {
    crate::http_url::decode_segment(segment)
}

/// The decoded segments of `path` under `base` (`None`: not under it; a trailing `/` ignored).
/// The GitLab and Gitea emulators route by it.
#[cfg_attr(not(any(feature = "gitlab", feature = "gitea")), allow(dead_code))]
pub(crate) fn segments_under(path: &str, base: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix(base)?;
    if rest.is_empty() || rest == "/" {
        return Some(Vec::new());
    }
    let rest = rest.strip_prefix('/')?;
    Some(rest.trim_end_matches('/').split('/').map(decode_segment).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded_and_plus_is_kept() {
        assert_eq!(decode_segment("a%2Fb+c%20d"), "a/b+c d");
        assert_eq!(
            segments_under("/api/v1/users/al%40ce/tokens/", "/api/v1"),
            Some(vec!["users".to_owned(), "al@ce".to_owned(), "tokens".to_owned()])
        );
        assert_eq!(segments_under("/api/v1", "/api/v1"), Some(Vec::new()));
        assert_eq!(segments_under("/api/v10/x", "/api/v1"), None);
        assert_eq!(segments_under("/other", "/api/v1"), None);
    }
}
