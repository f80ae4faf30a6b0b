//! Quoting text that someone else controls (a service's message, a store's data) in an error:
//! always capped, so a hostile or broken peer cannot make an error message arbitrarily large.

/// The most bytes of foreign text an error quotes.
pub(crate) const MAX_QUOTED: usize = 512;

/// Caps text a service (or a store's data) controls at [`MAX_QUOTED`] bytes, ending in `…`.
pub(crate) fn cap(mut s: String) -> String {
    if s.len() > MAX_QUOTED {
        let mut end = MAX_QUOTED;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_on_a_char_boundary() {
        assert_eq!(cap("short".to_owned()), "short");
        let long = "é".repeat(MAX_QUOTED);
        let capped = cap(long);
        assert!(capped.ends_with('…'));
        assert!(capped.len() <= MAX_QUOTED + '…'.len_utf8());
    }
}
